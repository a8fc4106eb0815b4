use kennin::api::{Access, Operation};
use kennin::console::people;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminPeoplePasswordReset",
            "Mails the person a password reset code, as パスワードを忘れた方 does; the answer names only the masked address",
        )
        .access(Access::Staff)
        .path_parameter("id", "1001-1")
        .takes::<people::NoFields>()
        .answers::<people::ResetSent>(200, "Sent")
        .fails_with(&[404, 409, 429]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, people::send_password_reset(deps, request).await?))
}
