use kennin::api::Operation;
use kennin::http::{self, ApiRequest, Reply};
use kennin::recovery::ResetPasswordInput;
use kennin::{Deps, Error, recovery};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("resetPassword", "A new password with the mailed code")
            .takes::<ResetPasswordInput>()
            .answers::<Reset>(200, "OK")
            .fails_with(&[410]),
    ]
}

/// The person logs in with the new password next.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Reset {
    #[schemars(extend("const" = Reset::NEXT))]
    next: &'static str,
}

impl Reset {
    const NEXT: &str = "login";
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    recovery::reset_password(deps, request.json()?).await?;
    Ok(Reply::json(200, Reset { next: Reset::NEXT }))
}
