use kennin::api::{CookieChange, Operation};
use kennin::clock::Timestamp;
use kennin::http::{self, ApiRequest, Reply, SIGNUP_COOKIE, set_cookie};
use kennin::signup::{FlowStep, IdentityInput};
use kennin::{Deps, Error, signup};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("signupIdentity", "① Identity check against this year's roster")
            .takes::<IdentityInput>()
            .answers::<Opened>(200, "OK")
            .cookie(CookieChange::SetSignup)
            .fails_with(&[401, 409, 429]),
    ]
}

/// The flow is open until `expiresAt`, at step ②.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Opened {
    #[schemars(extend("const" = FlowStep::Account))]
    step: FlowStep,
    expires_at: Timestamp,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let started = signup::identity(deps, request.json()?, request.client_ip()).await?;
    Ok(Reply::json(
        200,
        Opened {
            step: FlowStep::Account,
            expires_at: started.expires_at,
        },
    )
    .cookie(set_cookie(SIGNUP_COOKIE, &started.token, deps.config.flow_ttl_seconds)))
}
