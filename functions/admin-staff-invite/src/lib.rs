use kennin::api::{Access, Operation};
use kennin::console::staff::{self, NewStaffInput, StaffRow};
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post(
            "adminStaffInvite",
            "Adds a staff member to the union and mails them an invitation (admin)",
        )
        .access(Access::Staff)
        .takes::<NewStaffInput>()
        .answers::<StaffRow>(201, "Added and invited"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(201, staff::invite(deps, request).await?))
}
