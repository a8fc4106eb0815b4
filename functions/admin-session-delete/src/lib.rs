use kennin::api::{Access, CookieChange, Operation};
use kennin::console::signin;
use kennin::http::{self, ApiRequest, Reply, STAFF_COOKIE, clear_cookie};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, Response};
use std::sync::Arc;

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::delete("adminSignOut", "Staff sign-out")
            .access(Access::OptionalStaff)
            .answers_empty(204, "The staff session is gone")
            .cookie(CookieChange::ClearStaffSession),
    ]
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    http::serve(&deps, request, run).await
}

async fn run(deps: &Deps, request: &ApiRequest) -> Result<Reply, Error> {
    signin::sign_out(deps, request).await?;
    Ok(Reply::no_content().cookie(clear_cookie(STAFF_COOKIE)))
}
