use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey_documents};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get("surveyDocuments", "A target's document files, with the limits on them")
            .access(Access::Session)
            .path_parameter("id", "3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
            .answers::<survey_documents::DocumentList>(200, "OK")
            .fails_with(&[403, 404]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    Ok(Reply::json(
        200,
        survey_documents::list(deps, request.cookie(SESSION_COOKIE), id).await?,
    ))
}
