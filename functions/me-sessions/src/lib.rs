use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE, set_cookie};
use kennin::session::ABSOLUTE_TIMEOUT_SECONDS;
use kennin::{Deps, Error, account};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    if request.method() == "GET" {
        let sessions = account::list_sessions(deps, request.cookie(SESSION_COOKIE)).await?;
        return Ok(Reply::json(200, json!({ "sessions": sessions })));
    }
    let token = account::end_other_sessions(deps, request.cookie(SESSION_COOKIE)).await?;
    Ok(Reply::json(200, json!({ "ended": true })).cookie(set_cookie(SESSION_COOKIE, &token, ABSOLUTE_TIMEOUT_SECONDS)))
}
