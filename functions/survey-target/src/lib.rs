use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey_form};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "surveyTarget",
            "One target dependent's form: the dependent as recorded, the answers so far, the pre-check and the documents they require",
        )
        .access(Access::Session)
        .path_parameter("id", "3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .answers::<survey_form::TargetForm>(200, "OK")
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
        survey_form::get(deps, request.cookie(SESSION_COOKIE), id).await?,
    ))
}
