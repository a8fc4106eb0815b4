use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("signupAccount", "② User ID, password and email; mails a code")
            .access(Access::SignupFlow)
            .takes::<signup::AccountInput>()
            .answers::<signup::FlowState>(200, "OK")
            .fails_with(&[409, 410, 429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let input = request.json()?;
    Ok(Reply::json(
        200,
        signup::account(deps, request.cookie(SIGNUP_COOKIE), input).await?,
    ))
}
