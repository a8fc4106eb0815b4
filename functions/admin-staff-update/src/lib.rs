use kennin::api::{Access, Operation};
use kennin::console::staff::{self, StaffChangeInput, StaffRow};
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::put(
            "adminStaffUpdate",
            "Changes a staff member's role, or disables or enables them; their sessions end (admin)",
        )
        .access(Access::Staff)
        .path_parameter("id", "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e")
        .takes::<StaffChangeInput>()
        .answers::<StaffRow>(200, "OK")
        .fails_with(&[404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let id = request.path_parameter("id").unwrap_or_default().to_string();
    Ok(Reply::json(200, staff::update(deps, request, &id).await?))
}
