use kennin::account::TermsInput;
use kennin::api::{Access, Operation};
use kennin::domain::Next;
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, account};
use lambda_http::{Body, Request, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::post("acceptTerms", "⑤ Accept the terms")
            .access(Access::Session)
            .takes::<TermsInput>()
            .answers::<Accepted>(200, "OK")
            .fails_with(&[409]),
    ]
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Accepted {
    next: Next,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let next = account::accept_terms(deps, request.cookie(SESSION_COOKIE), request.json()?).await?;
    Ok(Reply::json(200, Accepted { next }))
}
