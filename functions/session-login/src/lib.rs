use kennin::api::{CookieChange, Operation};
use kennin::domain::Next;
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE, set_cookie};
use kennin::login::{self, LoginInput};
use kennin::session::ABSOLUTE_TIMEOUT_SECONDS;
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("login", "④ Login")
            .takes::<LoginInput>()
            .answers::<LoggedIn>(200, "OK")
            .cookie(CookieChange::SetSession)
            .fails_with(&[401, 429]),
    ]
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct LoggedIn {
    next: Next,
}

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
    Ok(Reply::json(200, LoggedIn { next: logged_in.next }).cookie(set_cookie(
        SESSION_COOKIE,
        &logged_in.token,
        ABSOLUTE_TIMEOUT_SECONDS,
    )))
}
