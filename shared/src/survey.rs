//! GET /api/survey: the logged-in person's survey — the campaign's window, the union's contact
//! and the person's own target dependents. Targets are read from the person's own partition,
//! built from the session's account: no request can name another person's.

use crate::campaign::{self, Window};
use crate::clock::Timestamp;
use crate::deps::Deps;
use crate::domain::{Day, Next, TargetStatus};
use crate::error::Error;
use crate::session::authenticate;
use crate::store::records::{Account, Campaign, Insurer, Target, UnionContact, from_item};
use crate::union_contact::ContactView;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    Upcoming,
    Open,
    Closed,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignView {
    pub title: String,
    /// The minute answers open.
    pub opens_at: Timestamp,
    /// The last second of the due day (Japan time).
    pub due_at: Timestamp,
    /// 回答期限, the due day in Japan: `YYYY-MM-DD`.
    pub due_date: String,
    pub state: CampaignState,
    /// Open, but the due day has passed: the union's grace days still accept answers.
    pub past_due: bool,
}

impl CampaignView {
    pub fn of(campaign: &Campaign, now: i64) -> Self {
        let window = campaign.window(now);
        Self {
            title: campaign.title.clone(),
            opens_at: Timestamp(campaign.opens_at),
            due_at: Timestamp(campaign.due_ends_at() - 1),
            due_date: campaign.due.iso(),
            state: match window {
                Window::Upcoming => CampaignState::Upcoming,
                Window::Open | Window::PastDue => CampaignState::Open,
                Window::Closed => CampaignState::Closed,
            },
            past_due: window == Window::PastDue,
        }
    }
}

impl From<UnionContact> for ContactView {
    fn from(contact: UnionContact) -> Self {
        Self {
            name: contact.name,
            phone: contact.phone,
            hours: contact.hours,
            email: contact.email.map(|e| e.as_str().to_string()),
        }
    }
}

/// A target dependent as the person's list shows them.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetSummary {
    pub id: String,
    pub name: String,
    pub name_kana: String,
    /// 続柄
    pub relationship: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    /// 男 or 女
    pub sex: String,
    /// 同居 or 別居
    pub living: String,
    pub status: TargetStatus,
    /// 未回答, 回答中, 提出済み, 差し戻し or 確認完了
    pub status_label: String,
    pub updated_at: Timestamp,
}

impl From<Target> for TargetSummary {
    fn from(target: Target) -> Self {
        let recorded = target.recorded;
        Self {
            id: target.id,
            name: recorded.name,
            name_kana: recorded.name_kana.as_str().to_string(),
            relationship: recorded.relationship.as_str().to_string(),
            birth_date: Day::from(recorded.birth_date.date()).iso(),
            sex: recorded.sex.label().to_string(),
            living: recorded.living.label().to_string(),
            status: target.status,
            status_label: target.status.label().to_string(),
            updated_at: Timestamp(target.updated_at),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Survey {
    /// This year's campaign of the person's union, or null when there is none yet.
    pub campaign: Option<CampaignView>,
    pub contact: Option<ContactView>,
    /// The person's target dependents, by 枝番. Empty when nothing is asked of them this year.
    pub targets: Vec<TargetSummary>,
}

pub async fn survey(deps: &Deps, token: Option<&str>) -> Result<Survey, Error> {
    let authenticated = authenticate(deps, token).await?.require(Next::Home)?;
    survey_of(deps, &authenticated.account, authenticated.insurer).await
}

/// The survey of a person past first login (also part of the top page's `GET /api/me`). The
/// campaign and the person's targets are read side by side; a campaign not yet published shows
/// no targets.
pub(crate) async fn survey_of(deps: &Deps, account: &Account, insurer: Insurer) -> Result<Survey, Error> {
    let store = deps.store.as_ref();
    let partition = Target::partition(&insurer.code, account.year, &account.symbol, &account.number);
    let (campaign, items) = futures::try_join!(campaign::get(store, &insurer.code, account.year), async {
        Ok(store.query(&partition, Target::SK_PREFIX).await?)
    })?;
    let mut targets = Vec::new();
    if campaign.as_ref().is_some_and(|c| c.published_at.is_some()) {
        for item in items {
            let target: Target = from_item(item)?;
            // A dependent who left the roster is the union's to settle, not the person's.
            if !target.left_roster {
                targets.push(target);
            }
        }
        targets.sort_by(|a, b| a.recorded.dependent_no.cmp(&b.recorded.dependent_no));
    }
    let now = deps.clock.unix();
    Ok(Survey {
        campaign: campaign.as_ref().map(|c| CampaignView::of(c, now)),
        contact: insurer.contact.map(ContactView::from),
        targets: targets.into_iter().map(TargetSummary::from).collect(),
    })
}
