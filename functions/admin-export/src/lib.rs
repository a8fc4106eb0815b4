use kennin::api::{Access, Operation};
use kennin::console::export;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminExport",
            "The campaign's results (a row per target) or progress (counts by office and status) as CSV; columns in docs/export.md",
        )
        .access(Access::Staff)
        .query_parameter("kind", "results or progress", "results")
        .query_parameter("encoding", "utf-8 (with a BOM, the default) or shift_jis (CP932)", "utf-8")
        .answers_file("text/csv", "The CSV file")
        .fails_with(&[400, 404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let file = export::export(deps, request).await?;
    Ok(Reply::file(file.content_type, file.file_name, file.bytes))
}
