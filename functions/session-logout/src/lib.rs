use kennin::api::{Access, CookieChange, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE, clear_cookie};
use kennin::{Deps, Error, session};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::delete("logout", "Logout")
            .access(Access::OptionalSession)
            .answers_empty(204, "The session is gone")
            .cookie(CookieChange::ClearSession),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    session::logout(deps, request.cookie(SESSION_COOKIE)).await?;
    Ok(Reply::no_content().cookie(clear_cookie(SESSION_COOKIE)))
}
