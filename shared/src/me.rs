//! GET /api/me: who is logged in, their union, what comes next and the union's notices.

use crate::deps::Deps;
use crate::domain::Next;
use crate::error::Error;
use crate::session::{Authenticated, authenticate};
use crate::store::records::SuppressionKind;
use crate::suppression;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct InsurerView {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub insurer: InsurerView,
    pub survey_year: i32,
    pub next: Next,
    /// 組合からのお知らせ, newest first.
    pub notices: Vec<crate::notices::Notice>,
    /// Mail to the registered address stopped: it bounced (`bounce`) or a mail was reported as
    /// spam (`complaint`). The top page asks the person to change it; null while mail goes out.
    pub email_undeliverable: Option<SuppressionKind>,
}

pub async fn me(deps: &Deps, token: Option<&str>) -> Result<Me, Error> {
    let authenticated = authenticate(deps, token).await?;
    let next = authenticated.next();
    let Authenticated { account, insurer } = authenticated;
    let store = deps.store.as_ref();
    let scope = crate::notices::Scope::Insurer(insurer.code.clone());
    let (notices, suppressed) = futures::try_join!(crate::notices::list(store, &scope), async {
        Ok::<_, Error>(suppression::suppression(store, &account.email).await?)
    },)?;
    Ok(Me {
        user_id: account.user_id.as_str().to_string(),
        name: account.name.clone(),
        insurer: InsurerView {
            code: insurer.code.to_string(),
            name: insurer.name,
        },
        survey_year: account.year,
        next,
        notices,
        email_undeliverable: suppressed.map(|s| s.kind),
    })
}
