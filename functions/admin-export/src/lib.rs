use kennin::api::{Access, Operation};
use kennin::console::export;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminExport",
            "Writes the campaign's results (a row per target) or progress (counts by office and status) as CSV and answers a download link valid for a minute; columns in docs/export.md",
        )
        .access(Access::Staff)
        .takes::<export::ExportRequest>()
        .answers::<export::ExportLink>(201, "The file, ready to download")
        .fails_with(&[400, 404]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let body = request.json()?;
    Ok(Reply::json(201, export::export(deps, request, body).await?))
}
