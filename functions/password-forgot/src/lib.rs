use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error, recovery};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    recovery::forgot_password(deps, request.json()?, request.client_ip()).await?;
    Ok(Reply::json(202, json!({ "message": recovery::ACCEPTED_MESSAGE })))
}
