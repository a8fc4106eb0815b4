use kennin::api::{Access, Operation};
use kennin::console::review;
use kennin::http::{self, ApiRequest, Reply};
use kennin::survey_documents::DocumentView;
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminDocumentRefusal",
            "Marks a document 不備 with the reason the person will read",
        )
        .access(Access::Staff)
        .path_parameter("id", "1001-23-3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .path_parameter("documentId", "9b2e4c6a8d0f1e3a5c7b9d1f2a4c6e8b")
        .takes::<review::RefusalRequest>()
        .answers::<DocumentView>(200, "Refused")
        .fails_with(&[400, 404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let document_id = request.path_parameter("documentId").unwrap_or_default();
    let body = request.json()?;
    Ok(Reply::json(
        200,
        review::refuse_document(deps, request, id, document_id, body).await?,
    ))
}
