use kennin::account::{CodeSent, EmailInput};
use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, account};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::put("changeEmail", "Mail a code to a new address")
            .access(Access::Session)
            .takes::<EmailInput>()
            .answers::<CodeSent>(200, "OK")
            .fails_with(&[409, 429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let input = request.json()?;
    Ok(Reply::json(
        200,
        account::request_email_change(deps, request.cookie(SESSION_COOKIE), input).await?,
    ))
}
