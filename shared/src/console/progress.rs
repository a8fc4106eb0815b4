//! GET /api/admin/campaign: the union's current campaign and how far it has come — targets by
//! status, persons registered, targets answered by office (事業所) and submissions per day.
//!
//! The counts by status come from the status lists (`Index::ByStatus`, one count per status);
//! everything else from the campaign's progress partition (`records::Progress`), kept by the
//! writes it counts, in one Query. The same Query reads the persons whose address stopped
//! receiving mail (`records::Undeliverable`), for the call center to phone: the page is audited
//! only when it lists someone, since otherwise it shows counts alone.

use crate::campaign;
use crate::clock::{Timestamp, japan_day};
use crate::deps::Deps;
use crate::domain::{Permission, TargetStatus};
use crate::error::Error;
use crate::http::ApiRequest;
use crate::reminders;
use crate::staff_session;
use crate::store::records::{
    AuditAction, AuditSubject, Campaign, DailyResponses, OfficeProgress, Progress, ProgressCounts, SuppressionKind,
    Undeliverable, from_item,
};
use crate::store::sort_key;
use crate::survey::CampaignView;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignProgress {
    pub year: i32,
    pub campaign: CampaignView,
    /// Whole days from today to the due day, Japan time: 0 on the due day, negative after it.
    pub days_left: i64,
    /// Targets by status, every status listed (a second or so behind the latest change).
    pub by_status: Vec<StatusCount>,
    pub total: u64,
    pub registration: Registration,
    /// Offices in code order: their targets and how many were submitted at least once.
    pub by_office: Vec<OfficeCount>,
    /// Submissions (resubmissions included) per day, Japan time, oldest first; days without
    /// any are left out.
    pub responses_per_day: Vec<DayCount>,
    /// Registered persons whose address bounced or reported a mail as spam, in card order:
    /// kennin no longer mails them, so the call center phones them. A person leaves the list by
    /// changing the address.
    pub undeliverable: Vec<UndeliverablePerson>,
    /// The campaign's next reminder, if one is still to come.
    pub next_reminder: Option<NextReminder>,
}

/// When the next reminder goes out and how many forms it is about.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NextReminder {
    pub at: Timestamp,
    /// 「回答期限の7日前」
    pub label: String,
    /// Forms not submitted or sent back, as counted above: their persons with an account are
    /// reminded (one mail a person, however many forms).
    pub open_targets: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UndeliverablePerson {
    pub symbol: String,
    pub number: String,
    pub name: String,
    pub kind: SuppressionKind,
    /// 不達 or 迷惑メール報告
    pub kind_label: &'static str,
    /// When SES reported it.
    pub at: Timestamp,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusCount {
    pub status: TargetStatus,
    pub status_label: &'static str,
    pub count: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    /// Insured persons who registered an account this year.
    pub registered: i64,
    /// The roster's insured persons; `null` until a roster import has counted them.
    pub roster_persons: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfficeCount {
    pub office: String,
    pub targets: i64,
    pub answered: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// `YYYY-MM-DD`
    pub day: String,
    pub submitted: i64,
}

pub async fn campaign(deps: &Deps, request: &ApiRequest) -> Result<CampaignProgress, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ViewProgress)?;
    let insurer = &context.insurer;
    let year = insurer.current_year.ok_or(Error::NotFound)?;
    let store = deps.store.as_ref();
    let (campaign, items) = futures::try_join!(
        async {
            let item = store
                .get_eventually_consistent(&Campaign::key(&insurer.code, year))
                .await?;
            item.map(from_item::<Campaign>).transpose().map_err(Error::from)
        },
        async { Ok(store.query(&Progress::partition(&insurer.code, year), "").await?) },
    )?;
    let campaign = campaign.ok_or(Error::NotFound)?;
    let counts = campaign::status_counts(store, &campaign).await?;

    let mut registration = ProgressCounts::default();
    let mut by_office = Vec::new();
    let mut responses_per_day = Vec::new();
    let mut undeliverable = Vec::new();
    for item in items {
        if Progress::is_counts(&item) {
            registration = from_item(item)?;
        } else if sort_key(&item).starts_with(Progress::OFFICE_PREFIX) {
            let office: OfficeProgress = from_item(item)?;
            by_office.push(OfficeCount {
                office: office.office.as_str().to_string(),
                targets: office.targets,
                answered: office.answered,
            });
        } else if sort_key(&item).starts_with(Progress::DAY_PREFIX) {
            let day: DailyResponses = from_item(item)?;
            responses_per_day.push(DayCount {
                day: day.day.iso(),
                submitted: day.submitted,
            });
        } else if sort_key(&item).starts_with(Undeliverable::SK_PREFIX) {
            let person: Undeliverable = from_item(item)?;
            undeliverable.push(UndeliverablePerson {
                symbol: person.symbol.as_str().to_string(),
                number: person.number.as_str().to_string(),
                name: person.name,
                kind: person.kind,
                kind_label: person.kind.label(),
                at: Timestamp(person.at),
            });
        }
    }
    if !undeliverable.is_empty() {
        context
            .auditor
            .record(
                deps,
                AuditAction::ViewedProgress,
                Some(AuditSubject::Query {
                    what: "undeliverable".into(),
                }),
            )
            .await?;
    }
    let by_status: Vec<StatusCount> = counts
        .into_iter()
        .map(|(status, count)| StatusCount {
            status,
            status_label: status.label(),
            count: count as u64,
        })
        .collect();
    let next_reminder = campaign.next_reminder(context.now).map(|reminder| NextReminder {
        at: Timestamp(campaign.reminder_at(reminder)),
        label: reminders::label(reminder),
        open_targets: by_status
            .iter()
            .filter(|count| reminders::REMINDED.contains(&count.status))
            .map(|count| count.count)
            .sum(),
    });
    let today = japan_day(context.now).date();
    Ok(CampaignProgress {
        year,
        days_left: (campaign.due.date() - today).whole_days(),
        total: by_status.iter().map(|s| s.count).sum(),
        by_status,
        registration: Registration {
            registered: registration.registered,
            roster_persons: registration.roster_persons,
        },
        by_office,
        responses_per_day,
        undeliverable,
        next_reminder,
        campaign: CampaignView::of(&campaign, context.now),
    })
}
