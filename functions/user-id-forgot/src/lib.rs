use kennin::api::Operation;
use kennin::http::{self, ApiRequest, Reply};
use kennin::recovery::{Accepted, ForgotUserIdInput};
use kennin::{Deps, Error, recovery};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("forgotUserId", "Mail the user ID when identity and address match")
            .takes::<ForgotUserIdInput>()
            .answers::<Accepted>(202, "Accepted, the same answer whatever matched")
            .fails_with(&[429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    recovery::forgot_user_id(deps, request.json()?, request.client_ip()).await?;
    Ok(Reply::json(202, Accepted::default()))
}
