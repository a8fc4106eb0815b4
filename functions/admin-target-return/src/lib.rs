use kennin::api::{Access, Operation};
use kennin::console::review;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminTargetReturn",
            "Sends submitted answers back to the person (差し戻し) with a reason; the person is mailed",
        )
        .access(Access::Staff)
        .path_parameter("id", "1001-23-3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .takes::<review::ReturnRequest>()
        .answers::<review::Returned>(200, "Sent back")
        .fails_with(&[400, 404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let body = request.json()?;
    Ok(Reply::json(200, review::return_answers(deps, request, id, body).await?))
}
