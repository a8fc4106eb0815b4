use kennin::api::{Access, Operation};
use kennin::console::review;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminTarget",
            "One target for review: the dependent as recorded, the answers with the pre-check and required documents the person saw, the documents and the history with each actor",
        )
        .access(Access::Staff)
        .path_parameter("id", "1001-23-3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .answers::<review::TargetReview>(200, "OK")
        .fails_with(&[404]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    Ok(Reply::json(200, review::get(deps, request, id).await?))
}
