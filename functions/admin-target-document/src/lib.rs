use kennin::api::{Access, Operation};
use kennin::console::review;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminTargetDocument",
            "A target's document file, for the console's page: a redirect to a download valid for a minute",
        )
        .access(Access::Staff)
        .path_parameter("id", "1001-23-3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .path_parameter("documentId", "9b2e4c6a8d0f1e3a5c7b9d1f2a4c6e8b")
        .answers_redirect(302, "The file's download")
        .fails_with(&[404]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let document_id = request.path_parameter("documentId").unwrap_or_default();
    Ok(Reply::redirect(review::document(deps, request, id, document_id).await?))
}
