use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey_form};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "submitSurveyAnswers",
            "Submits one target dependent's saved answers, once, with the documents confirmed",
        )
        .access(Access::Session)
        .path_parameter("id", "3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .takes::<survey_form::SubmitRequest>()
        .answers::<survey_form::Submitted>(200, "Submitted")
        .fails_with(&[404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let submitted = survey_form::submit(
        deps,
        request.cookie(SESSION_COOKIE),
        &request.site(),
        id,
        request.json()?,
    )
    .await?;
    Ok(Reply::json(200, submitted))
}
