use kennin::account::SessionView;
use kennin::api::{Access, CookieChange, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE, set_cookie};
use kennin::session::ABSOLUTE_TIMEOUT_SECONDS;
use kennin::{Deps, Error, account};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "listSessions",
            "The person's running sessions (where they are logged in), the most recently active first",
        )
        .access(Access::Session)
        .answers::<Listed>(200, "OK")
        .fails_with(&[403]),
        Operation::delete(
            "endOtherSessions",
            "End every other session (他の端末からログアウト); this device gets a fresh session",
        )
        .access(Access::Session)
        .answers::<Ended>(200, "OK")
        .cookie(CookieChange::SetSession),
    ]
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Listed {
    sessions: Vec<SessionView>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Ended {
    #[schemars(extend("const" = true))]
    ended: bool,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    if request.method() == "GET" {
        let sessions = account::list_sessions(deps, request.cookie(SESSION_COOKIE)).await?;
        return Ok(Reply::json(200, Listed { sessions }));
    }
    let token = account::end_other_sessions(deps, request.cookie(SESSION_COOKIE)).await?;
    Ok(Reply::json(200, Ended { ended: true }).cookie(set_cookie(SESSION_COOKIE, &token, ABSOLUTE_TIMEOUT_SECONDS)))
}
