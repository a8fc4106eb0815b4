use kennin::api::{Access, Operation};
use kennin::console::leaflet;
use kennin::http::{self, ApiRequest, Reply};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get(
            "adminLeaflet",
            "The union's printable A4 leaflet of its current campaign: the window, the signup URL with the union's code and its QR code, the contact (HTML with a print stylesheet)",
        )
        .access(Access::Staff)
        .answers_page(
            kennin::leaflet::content_security_policy(),
            "The page, to print",
        )
        .fails_with(&[400, 404]),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    let page = leaflet::page(deps, request).await?;
    Ok(Reply::page(page, kennin::leaflet::content_security_policy()))
}
