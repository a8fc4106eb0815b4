use kennin::api::{Access, Operation};
use kennin::http::{self, ApiRequest, Reply, SESSION_COOKIE};
use kennin::{Deps, Error, me};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get("me", "Who is logged in, the next step and the union's notices")
            .access(Access::Session)
            .query_parameter(
                me::Include::PARAMETER,
                "survey: also the survey (what GET /api/survey answers), once first login is finished",
                "survey",
            )
            .answers::<me::Me>(200, "OK")
            .fails_with(&[400]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let include = me::Include::parse(request.query_parameter(me::Include::PARAMETER))?;
    Ok(Reply::json(
        200,
        me::me(deps, request.cookie(SESSION_COOKIE), include).await?,
    ))
}
