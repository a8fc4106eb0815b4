//! GET /api/admin/leaflet: the union's leaflet (`crate::leaflet`) of its current campaign, the
//! same page `kennin-admin insurer leaflet` writes, for staff to print from the browser. It
//! points at the site the console was reached at. Whoever may see the campaign's progress may
//! print it; not audited, as it holds no person's data.

use crate::deps::Deps;
use crate::domain::Permission;
use crate::error::Error;
use crate::http::ApiRequest;
use crate::leaflet;
use crate::staff_session;

pub async fn page(deps: &Deps, request: &ApiRequest) -> Result<String, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ViewProgress)?;
    let site = leaflet::site(&request.site())?;
    Ok(leaflet::page(deps.store.as_ref(), &context.insurer, None, &site).await?)
}
