use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get("signupState", "Where the signup flow stands")
            .access(Access::OptionalSignupFlow)
            .answers::<signup::FlowState>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(
        200,
        signup::state(deps, request.cookie(SIGNUP_COOKIE)).await?,
    ))
}
