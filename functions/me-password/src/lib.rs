use kennin::account::PasswordChangeInput;
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
        Operation::put("changePassword", "Change the password; other sessions end")
            .access(Access::Session)
            .takes::<PasswordChangeInput>()
            .answers::<Changed>(200, "OK")
            .cookie(CookieChange::SetSession)
            .fails_with(&[429]),
    ]
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Changed {
    #[schemars(extend("const" = true))]
    changed: bool,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let input = request.json()?;
    let token = account::change_password(deps, request.cookie(SESSION_COOKIE), input).await?;
    Ok(
        Reply::json(200, Changed { changed: true }).cookie(set_cookie(
            SESSION_COOKIE,
            &token,
            ABSOLUTE_TIMEOUT_SECONDS,
        )),
    )
}
