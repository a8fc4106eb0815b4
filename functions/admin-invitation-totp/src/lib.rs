use kennin::api::Operation;
use kennin::console::invitation::{self, Enrolled, TotpInput};
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminInvitationTotp",
            "A staff invitation: confirm the authenticator app's code; the recovery codes, shown once",
        )
        .takes::<TotpInput>()
        .answers::<Enrolled>(200, "OK")
        .fails_with(&[409, 410]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(
        200,
        invitation::confirm_totp(deps, request, request.json()?).await?,
    ))
}
