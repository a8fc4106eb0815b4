use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey_documents};
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "completeSurveyDocument",
            "Verifies an uploaded document file (its bytes, its size, that it opens) and removes its location and device metadata",
        )
        .access(Access::Session)
        .path_parameter("id", "3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .path_parameter("docId", "9b2e4c6a8d0f1e3a5c7b9d1f2a4c6e8b")
        .takes::<Map<String, Value>>()
        .answers::<survey_documents::DocumentView>(200, "Accepted")
        .fails_with(&[404, 409, 422]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    // The documented body is an empty object; nothing in it is read.
    request.json::<Map<String, Value>>()?;
    let id = request.path_parameter("id").unwrap_or_default();
    let document_id = request.path_parameter("docId").unwrap_or_default();
    let accepted = survey_documents::complete(deps, request.cookie(SESSION_COOKIE), id, document_id).await?;
    Ok(Reply::json(200, accepted))
}
