use kennin::account::{ContactInput, ContactView};
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
        Operation::get("contact", "⑤ The contact details")
            .access(Access::Session)
            .answers::<Shown>(200, "OK")
            .fails_with(&[403]),
        Operation::put("putContact", "⑤ Register or change the contact details")
            .access(Access::Session)
            .takes::<ContactInput>()
            .answers::<Saved>(200, "OK"),
    ]
}

// The contact is shown as it is entered, so both are described by the input's schema.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Shown {
    #[schemars(with = "Option<ContactInput>")]
    contact: Option<ContactView>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Saved {
    #[schemars(with = "ContactInput")]
    contact: ContactView,
    next: Next,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let session = request.cookie(SESSION_COOKIE);
    if request.method() == "GET" {
        return Ok(Reply::json(
            200,
            Shown {
                contact: account::contact(deps, session).await?,
            },
        ));
    }
    let (contact, next) = account::put_contact(deps, session, request.json()?).await?;
    Ok(Reply::json(200, Saved { contact, next }))
}
