use kennin::api::{Access, CookieChange, Operation};
use kennin::codes::CodeInput;
use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE, clear_cookie};
use kennin::signup::FlowStep;
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("signupCode", "③ The emailed code; creates the account")
            .access(Access::SignupFlow)
            .takes::<CodeInput>()
            .answers::<Done>(200, "OK")
            .cookie(CookieChange::ClearSignup)
            .fails_with(&[409, 410]),
    ]
}

/// The account exists; the person logs in with this user ID.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Done<'a> {
    #[schemars(extend("const" = FlowStep::Done))]
    step: FlowStep,
    user_id: &'a str,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let input = request.json()?;
    let user_id = signup::verify_code(deps, request.cookie(SIGNUP_COOKIE), input).await?;
    Ok(Reply::json(
        200,
        Done {
            step: FlowStep::Done,
            user_id: user_id.as_str(),
        },
    )
    .cookie(clear_cookie(SIGNUP_COOKIE)))
}
