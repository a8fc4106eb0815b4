use kennin::api::{Access, Operation};
use kennin::console::audit_log;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminAudit",
            "A page of the union's audit log for a month (Japan time), newest first",
        )
        .access(Access::Staff)
        .query_parameter("month", "YYYY-MM; this month when absent", "2026-07")
        .query_parameter("cursor", "the previous page's cursor", "001782864000#r1#000")
        .answers::<audit_log::AuditPage>(200, "OK")
        .fails_with(&[400]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, audit_log::list(deps, request).await?))
}
