use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey_documents};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "surveyDocument",
            "A document file: a redirect to a download valid for a minute",
        )
        .access(Access::Session)
        .path_parameter("id", "3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .path_parameter("docId", "9b2e4c6a8d0f1e3a5c7b9d1f2a4c6e8b")
        .answers_redirect(302, "The file's download")
        .fails_with(&[403, 404]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let document_id = request.path_parameter("docId").unwrap_or_default();
    let location = survey_documents::download(deps, request.cookie(SESSION_COOKIE), id, document_id).await?;
    Ok(Reply::redirect(location))
}
