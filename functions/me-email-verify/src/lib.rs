use kennin::api::{Access, Operation};
use kennin::codes::CodeInput;
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, account};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("verifyEmail", "Switch to the new address with its code")
            .access(Access::Session)
            .takes::<CodeInput>()
            .answers::<Switched>(200, "OK")
            .fails_with(&[409, 410]),
    ]
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Switched {
    masked_email: String,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let input = request.json()?;
    let masked = account::confirm_email_change(deps, request.cookie(SESSION_COOKIE), input).await?;
    Ok(Reply::json(200, Switched { masked_email: masked }))
}
