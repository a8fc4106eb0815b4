//! GET /api/me: who is logged in, their union, what comes next and the union's notices; with
//! `include=survey`, also the survey, so that the top page needs one call.

use crate::deps::Deps;
use crate::domain::Next;
use crate::error::Error;
use crate::session::{Authenticated, authenticate};
use crate::store::records::SuppressionKind;
use crate::suppression;
use crate::survey::{Survey, survey_of};
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
    /// Asked for with `include=survey`: what `GET /api/survey` answers, once first login is
    /// finished (`next` is `home`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<Survey>,
}

/// What `GET /api/me` adds to who is logged in, from its `include` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    Nothing,
    Survey,
}

impl Include {
    pub const PARAMETER: &str = "include";

    pub fn parse(value: Option<&str>) -> Result<Self, Error> {
        match value {
            None | Some("") => Ok(Include::Nothing),
            Some("survey") => Ok(Include::Survey),
            Some(_) => Err(Error::field(
                Self::PARAMETER,
                "include に指定できるのは survey だけです。",
            )),
        }
    }
}

pub async fn me(deps: &Deps, token: Option<&str>, include: Include) -> Result<Me, Error> {
    let authenticated = authenticate(deps, token).await?;
    let next = authenticated.next();
    let Authenticated { account, insurer } = authenticated;
    let store = deps.store.as_ref();
    let scope = crate::notices::Scope::Insurer(insurer.code.clone());
    let insurer_view = InsurerView {
        code: insurer.code.to_string(),
        name: insurer.name.clone(),
    };
    let (notices, suppressed, survey) = futures::try_join!(
        crate::notices::list(store, &scope),
        async { Ok::<_, Error>(suppression::suppression(store, &account.email).await?) },
        async {
            match (include, next) {
                (Include::Survey, Next::Home) => Ok(Some(survey_of(deps, &account, insurer).await?)),
                _ => Ok(None),
            }
        },
    )?;
    Ok(Me {
        user_id: account.user_id.as_str().to_string(),
        name: account.name.clone(),
        insurer: insurer_view,
        survey_year: account.year,
        next,
        notices,
        email_undeliverable: suppressed.map(|s| s.kind),
        survey,
    })
}
