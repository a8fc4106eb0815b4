use kennin::api::{Access, Operation};
use kennin::console::me;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminMe",
            "The signed-in staff member: address, name, role and what it allows, and their union",
        )
        .access(Access::Staff)
        .answers::<me::StaffMe>(200, "OK"),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, me::me(deps, request).await?))
}
