use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE, clear_cookie};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let input = request.json()?;
    let user_id = signup::verify_code(deps, request.cookie(SIGNUP_COOKIE), input).await?;
    Ok(Reply::json(200, json!({ "step": "done", "userId": user_id.as_str() })).cookie(clear_cookie(SIGNUP_COOKIE)))
}
