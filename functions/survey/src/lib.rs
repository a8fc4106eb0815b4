use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, survey};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "survey",
            "This year's survey: its window, the union's contact and the person's target dependents",
        )
        .access(Access::Session)
        .answers::<survey::Survey>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(
        200,
        survey::survey(deps, request.cookie(SESSION_COOKIE)).await?,
    ))
}
