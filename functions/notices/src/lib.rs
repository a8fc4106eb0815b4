use kennin::api::Operation;
use kennin::http::{self, ApiRequest, Reply};
use kennin::notices::{self, Listing, Scope};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![Operation::get("siteNotices", "サイトからのお知らせ").answers::<Listing>(200, "OK")]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

/// The site's notices, newest first; public, for the login page. Titles and texts go out as
/// JSON strings exactly as stored: the page renders them as text.
async fn run(deps: &Deps, _request: &ApiRequest) -> Result<Reply, Error> {
    let notices = notices::list(deps.store.as_ref(), &Scope::Site).await?;
    Ok(Reply::json(200, Listing { notices }))
}
