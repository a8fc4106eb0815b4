//! One target dependent's form (調査票) as its insured person works on it: reading it with the
//! pre-check and the documents the answers require, saving drafts, and submitting once.
//!
//! A target is reached only through the key built from the session's own account, so another
//! person's id finds nothing and answers 404 exactly as an unknown one does.

mod save;
mod submit;

pub(crate) use save::draft;
pub use save::{SaveRequest, Saved, save};
pub use submit::{SubmitRequest, Submitted, submit};

use crate::answers::Answers;
use crate::campaign::{self, Window};
use crate::clock::Timestamp;
use crate::deps::Deps;
use crate::domain::{Day, Next, TargetStatus};
use crate::eligibility::{self, Check, TargetFacts, ThresholdTable};
use crate::error::Error;
use crate::required_documents::{DocumentTable, RequiredDocument, required_documents};
use crate::session::authenticate;
use crate::store::Key;
use crate::store::records::{Campaign, Insurer, Target, from_item};
use crate::survey::CampaignView;
use crate::union_contact::ContactView;
use crate::union_documents;
use schemars::JsonSchema;
use serde::Serialize;

/// Whether `id` has the form of a target id (`campaign::TARGET_ID_BYTES` in lowercase hex):
/// anything else names no target, and is answered without reading the table.
fn is_target_id(id: &str) -> bool {
    id.len() == 2 * campaign::TARGET_ID_BYTES && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a form's routes read before acting: the target, its campaign and the union's table.
pub(crate) struct Form {
    pub(crate) target: Target,
    pub(crate) campaign: Campaign,
    pub(crate) documents: DocumentTable,
    pub(crate) contact: Option<ContactView>,
    pub(crate) now: i64,
}

/// The person's own target `id`, or `NotFound`. Reads the target, the campaign and the union's
/// documents table side by side, after the session check.
pub(crate) async fn open(deps: &Deps, token: Option<&str>, id: &str) -> Result<Form, Error> {
    let authenticated = authenticate(deps, token).await?.require(Next::Home)?;
    let (account, insurer) = (authenticated.account, authenticated.insurer);
    if !is_target_id(id) {
        return Err(Error::NotFound);
    }
    let key = Target::key(&insurer.code, account.year, &account.symbol, &account.number, id);
    let form = read(deps, insurer, account.year, &key).await?;
    // The person's list leaves out a dependent who left the roster: so does every route.
    if form.target.left_roster {
        return Err(Error::NotFound);
    }
    Ok(form)
}

/// The target at `key` of `insurer`'s survey `year` with what its form needs, or `NotFound`
/// when there is no such target or its campaign is not published. The person's routes and the
/// union's console both start here, each having built the key from who is asking.
pub(crate) async fn read(deps: &Deps, insurer: Insurer, year: i32, key: &Key) -> Result<Form, Error> {
    let store = deps.store.as_ref();
    // The target strongly consistent (its version decides a save); the campaign eventually
    // consistent, as its settings change rarely and a second's delay is harmless.
    let (target, campaign, documents) = futures::try_join!(
        async { Ok::<_, Error>(store.get(key).await?) },
        async {
            let item = store
                .get_eventually_consistent(&Campaign::key(&insurer.code, year))
                .await?;
            item.map(from_item::<Campaign>).transpose().map_err(Error::from)
        },
        union_documents::in_use(store, &insurer.code),
    )?;
    let target: Target = match target {
        Some(item) => from_item(item)?,
        None => return Err(Error::NotFound),
    };
    let Some(campaign) = campaign.filter(|c| c.published_at.is_some()) else {
        return Err(Error::NotFound);
    };
    Ok(Form {
        target,
        campaign,
        documents,
        contact: insurer.contact.map(ContactView::from),
        now: deps.clock.unix(),
    })
}

impl Form {
    /// Refuses a change when the window is not open or the answers are with the union.
    pub(crate) fn check_changeable(&self) -> Result<(), Error> {
        match self.campaign.window(self.now) {
            Window::Upcoming => return Err(Error::SurveyNotOpen),
            Window::Closed => {
                return Err(Error::SurveyClosed {
                    contact: self.contact.clone(),
                });
            }
            Window::Open | Window::PastDue => {}
        }
        if is_with_the_union(self.target.status) {
            return Err(Error::AlreadySubmitted);
        }
        Ok(())
    }

    fn editable(&self) -> bool {
        self.check_changeable().is_ok()
    }

    /// The pre-check and the documents, for `answers` of this form's dependent.
    pub(crate) fn evaluate(&self, answers: &Answers) -> Result<Evaluation, Error> {
        let thresholds = ThresholdTable::built_in()
            .in_force(self.campaign.reference_date)
            .ok_or_else(|| Error::Internal("no income thresholds in force on the campaign's reference date".into()))?;
        Ok(Evaluation {
            checks: eligibility::check(answers, &TargetFacts::of(&self.target, &self.campaign), &thresholds),
            required_documents: required_documents(answers, &self.documents),
        })
    }
}

/// Submitted or confirmed: the person may change nothing until the union sends it back.
fn is_with_the_union(status: TargetStatus) -> bool {
    matches!(status, TargetStatus::Submitted | TargetStatus::Confirmed)
}

pub(crate) struct Evaluation {
    pub(crate) checks: Vec<Check>,
    pub(crate) required_documents: Vec<RequiredDocument>,
}

/// GET /api/survey/targets/{id}: the dependent as recorded, the answers so far and what they
/// lead to.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetForm {
    pub id: String,
    pub name: String,
    pub name_kana: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    /// 男 or 女
    pub sex: String,
    /// 続柄
    pub relationship: String,
    /// 同居 or 別居, as the roster records it
    pub living: String,
    /// The saved draft or the submitted answers; `{}` before the first save.
    pub answers: Answers,
    /// The version a save or submit must name.
    pub version: i64,
    pub status: TargetStatus,
    pub status_label: String,
    /// Whether the person may change the answers now (the window is open and they are not
    /// with the union).
    pub editable: bool,
    pub required_documents: Vec<RequiredDocument>,
    pub checks: Vec<Check>,
    pub submitted_at: Option<Timestamp>,
    /// Why the union sent the answers back, while they are sent back.
    pub return_reason: Option<String>,
    pub campaign: CampaignView,
    pub contact: Option<ContactView>,
}

pub async fn get(deps: &Deps, token: Option<&str>, id: &str) -> Result<TargetForm, Error> {
    let form = open(deps, token, id).await?;
    let answers = form.target.answers.clone().unwrap_or_default();
    let evaluation = form.evaluate(&answers)?;
    let editable = form.editable();
    let target = form.target;
    let recorded = target.recorded;
    Ok(TargetForm {
        id: target.id,
        name: recorded.name,
        name_kana: recorded.name_kana.as_str().to_string(),
        birth_date: Day::from(recorded.birth_date.date()).iso(),
        sex: recorded.sex.label().to_string(),
        relationship: recorded.relationship.as_str().to_string(),
        living: recorded.living.label().to_string(),
        answers,
        version: target.version,
        status: target.status,
        status_label: target.status.label().to_string(),
        editable,
        required_documents: evaluation.required_documents,
        checks: evaluation.checks,
        submitted_at: target.submitted_at.map(Timestamp),
        return_reason: target.return_reason.filter(|_| target.status == TargetStatus::Returned),
        campaign: CampaignView::of(&form.campaign, form.now),
        contact: form.contact,
    })
}

/// A conditional write of the form failed: another request changed the target since it was
/// read. Says which: it was submitted meanwhile, or changed (another tab).
async fn reread_after_lost_race(deps: &Deps, key: &Key, error: crate::store::StoreError) -> Error {
    if !error.is_condition_failed() {
        return error.into();
    }
    let now_stored = match deps.store.get(key).await {
        Ok(Some(item)) => from_item::<Target>(item),
        Ok(None) => return Error::NotFound,
        Err(error) => return error.into(),
    };
    match now_stored {
        Ok(target) if is_with_the_union(target.status) => Error::AlreadySubmitted,
        Ok(_) => Error::VersionConflict,
        Err(error) => error.into(),
    }
}
