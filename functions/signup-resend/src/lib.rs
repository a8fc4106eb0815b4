use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    // The documented body is an empty object; nothing in it is read.
    request.json::<serde_json::Map<String, serde_json::Value>>()?;
    let state = signup::resend(deps, request.cookie(SIGNUP_COOKIE)).await?;
    Ok(Reply::json(
        200,
        json!({ "codeExpiresAt": state.code_expires_at, "resendAvailableAt": state.resend_available_at, "maskedEmail": state.masked_email }),
    ))
}
