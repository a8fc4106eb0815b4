use kennin::api::{Access, Operation};
use kennin::console::people;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminPeople",
            "The call center's search: the union's persons of this year by card (記号-番号, half or full width), or by kana and birth date, with whether they registered, are locked or disabled, the masked address and their targets",
        )
        .access(Access::Staff)
        .query_parameter("card", "記号-番号", "1001-1")
        .query_parameter("kana", "氏名（カナ）, or its beginning; with birthDate", "ケンポ")
        .query_parameter("birthDate", "生年月日; with kana", "1990/01/01")
        .answers::<people::PeopleView>(200, "OK")
        .fails_with(&[400]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    Ok(Reply::json(200, people::look_up(deps, request).await?))
}
