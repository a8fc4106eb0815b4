use kennin::api::{CookieChange, Operation};
use kennin::console::me::StaffMe;
use kennin::console::signin::{self, SignInInput};
use kennin::http::{self, ApiRequest, Reply};
use kennin::staff_session::session_cookie;
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminSignIn",
            "Staff sign-in: address, password, and the authenticator app's code or a recovery code",
        )
        .takes::<SignInInput>()
        .answers::<StaffMe>(200, "OK")
        .cookie(CookieChange::SetStaffSession)
        .fails_with(&[401, 429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let signed_in = signin::sign_in(deps, request, request.json()?).await?;
    Ok(Reply::json(200, signed_in.me).cookie(session_cookie(&signed_in.token)))
}
