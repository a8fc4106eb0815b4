use kennin::api::{Access, Operation};
use kennin::console::lists;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminTargets",
            "A page of the current campaign's targets, newest submission first, filtered or searched",
        )
        .access(Access::Staff)
        .query_parameter(
            "status",
            "not_started, in_progress, submitted, returned or confirmed",
            "submitted",
        )
        .query_parameter("office", "事業所", "A-1")
        .query_parameter(
            "check",
            "The pre-check's result: clear, warning or ineligible",
            "warning",
        )
        .query_parameter(
            "missingDocuments",
            "true: a required document has no accepted file",
            "true",
        )
        .query_parameter(
            "q",
            "記号-番号 (half or full width) or the start of the kana name",
            "1001-23",
        )
        .query_parameter("cursor", "The previous page's cursor", "")
        .query_parameter("limit", "Rows a page, 1 to 100 (50)", "50")
        .fails_with(&[400])
        .answers::<lists::TargetList>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, lists::targets(deps, request).await?))
}
