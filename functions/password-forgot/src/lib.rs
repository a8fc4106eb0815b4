use kennin::api::Operation;
use kennin::http::{self, ApiRequest, Reply};
use kennin::recovery::{Accepted, ForgotPasswordInput};
use kennin::{Deps, Error, recovery};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("forgotPassword", "Mail a reset code when user ID and address match")
            .takes::<ForgotPasswordInput>()
            .answers::<Accepted>(202, "Accepted, the same answer whatever matched")
            .fails_with(&[429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    recovery::forgot_password(deps, request.json()?, request.client_ip()).await?;
    Ok(Reply::json(202, Accepted::default()))
}
