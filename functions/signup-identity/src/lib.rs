use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE, set_cookie};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let started = signup::identity(deps, request.json()?, request.client_ip()).await?;
    Ok(
        Reply::json(200, json!({ "step": "account", "expiresAt": started.expires_at })).cookie(set_cookie(
            SIGNUP_COOKIE,
            &started.token,
            deps.config.flow_ttl_seconds,
        )),
    )
}
