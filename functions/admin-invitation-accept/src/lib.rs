use kennin::api::Operation;
use kennin::console::invitation::{self, AcceptInput, Enrolment};
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminInvitationAccept",
            "A staff invitation: set the password; the TOTP secret to enrol (otpauth URI and its QR code)",
        )
        .takes::<AcceptInput>()
        .answers::<Enrolment>(200, "OK")
        .fails_with(&[409, 410]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(
        200,
        invitation::accept(deps, request, request.json()?).await?,
    ))
}
