use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE, set_cookie};
use kennin::login;
use kennin::session::ABSOLUTE_TIMEOUT_SECONDS;
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let logged_in = login::login(
        deps,
        request.json()?,
        request.cookie(SESSION_COOKIE),
        request.client_ip(),
    )
    .await?;
    Ok(Reply::json(200, json!({ "next": logged_in.next })).cookie(set_cookie(
        SESSION_COOKIE,
        &logged_in.token,
        ABSOLUTE_TIMEOUT_SECONDS,
    )))
}
