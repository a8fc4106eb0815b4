use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("signupResend", "③ A new code, the old one void")
            .access(Access::SignupFlow)
            .takes::<Map<String, Value>>()
            .answers::<signup::CodeResent>(200, "OK")
            .fails_with(&[409, 410, 429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    // The documented body is an empty object; nothing in it is read.
    request.json::<Map<String, Value>>()?;
    Ok(Reply::json(
        200,
        signup::resend(deps, request.cookie(SIGNUP_COOKIE)).await?,
    ))
}
