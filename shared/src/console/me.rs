//! GET /api/admin/me: who is signed in, and what their role lets the console offer.

use crate::deps::Deps;
use crate::domain::{Permission, StaffRole};
use crate::error::Error;
use crate::http::ApiRequest;
use crate::staff_session::{self, STAFF_IDLE_TIMEOUT_SECONDS};
use crate::store::records::{Insurer, Staff};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffMe {
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub role_label: &'static str,
    /// What the console may offer this member (the routes check the same).
    pub permissions: Vec<Permission>,
    pub insurer: InsurerView,
    /// The console signs out after this many idle seconds.
    pub idle_timeout_seconds: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct InsurerView {
    pub code: String,
    pub name: String,
}

pub async fn me(deps: &Deps, request: &ApiRequest) -> Result<StaffMe, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    Ok(StaffMe::of(context.staff, &context.insurer))
}

impl StaffMe {
    pub fn of(staff: Staff, insurer: &Insurer) -> Self {
        StaffMe {
            email: staff.email.as_str().to_string(),
            name: staff.name,
            role: staff.role,
            role_label: staff.role.label(),
            permissions: staff.role.permissions(),
            insurer: InsurerView {
                code: insurer.code.as_str().to_string(),
                name: insurer.name.clone(),
            },
            idle_timeout_seconds: STAFF_IDLE_TIMEOUT_SECONDS,
        }
    }
}
