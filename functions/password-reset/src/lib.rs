use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error, recovery};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    recovery::reset_password(deps, request.json()?).await?;
    Ok(Reply::json(200, json!({ "next": "login" })))
}
