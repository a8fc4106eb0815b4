use kennin::api::{Access, Operation};
use kennin::console::people;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("adminPeopleUnlock", "Lifts the person's login lock")
            .access(Access::Staff)
            .path_parameter("id", "1001-1")
            .takes::<people::NoFields>()
            .answers_empty(204, "Unlocked")
            .fails_with(&[404, 409]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    people::unlock(deps, request).await?;
    Ok(Reply::no_content())
}
