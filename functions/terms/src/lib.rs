use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, session, terms};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get("terms", "⑤ The terms of use to accept")
            .access(Access::OptionalSession)
            .answers::<terms::Terms>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

/// The logged-in person's union's terms; the system's default for anyone else.
async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let insurer = match session::authenticate(deps, request.cookie(SESSION_COOKIE)).await {
        Ok(authenticated) => Some(authenticated.insurer),
        Err(error @ (Error::Unavailable(_) | Error::Internal(_))) => return Err(error),
        Err(_) => None,
    };
    Ok(Reply::json(200, terms::current(deps, insurer.as_ref()).await?))
}
