use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey_documents};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "createSurveyDocument",
            "Starts sending one document file: a presigned upload to the bucket, bound to its key, type and size",
        )
        .access(Access::Session)
        .path_parameter("id", "3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .takes::<survey_documents::UploadRequest>()
        .answers::<survey_documents::UploadCreated>(201, "Upload presigned")
        .fails_with(&[404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let created = survey_documents::create(deps, request.cookie(SESSION_COOKIE), id, request.json()?).await?;
    Ok(Reply::json(201, created))
}
