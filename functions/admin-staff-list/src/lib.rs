use kennin::api::{Access, Operation};
use kennin::console::staff::{self, StaffList};
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminStaffList",
            "The union's staff: address, name, role, enrolled, disabled (admin)",
        )
        .access(Access::Staff)
        .answers::<StaffList>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, staff::list(deps, request).await?))
}
