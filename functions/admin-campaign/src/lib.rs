use kennin::api::{Access, Operation};
use kennin::console::progress;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminCampaign",
            "The current campaign's progress: targets by status, persons registered, offices, submissions per day",
        )
        .access(Access::Staff)
        .answers::<progress::CampaignProgress>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, progress::campaign(deps, request).await?))
}
