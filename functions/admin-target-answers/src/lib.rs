use kennin::api::{Access, Operation};
use kennin::console::review;
use kennin::http::{self, ApiRequest, Reply};
use kennin::survey_form::{SaveRequest, Saved};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::put(
            "adminTargetAnswers",
            "代行入力: the call center saves the answers for the person, under the person's rules; recorded in the history as a proxy entry",
        )
        .access(Access::Staff)
        .path_parameter("id", "1001-23-3f0c9a5e1b7d4c2a8e6f0b1d2c3a4e5f")
        .takes::<SaveRequest>()
        .answers::<Saved>(200, "Saved")
        .fails_with(&[400, 404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default();
    let body = request.json()?;
    Ok(Reply::json(200, review::enter_answers(deps, request, id, body).await?))
}
