//! POST /api/survey/targets/{id}/submit: the saved answers go to the union, once. The person
//! confirms the documents the answers require; the answers as submitted are kept as an event
//! beside the target, so they survive the union sending the form back.

use super::save::version_given;
use super::{Form, open, reread_after_lost_race};
use crate::clock::Timestamp;
use crate::clock::japan_day;
use crate::deps::Deps;
use crate::domain::TargetStatus;
use crate::error::{Error, FieldErrors};
use crate::mail::jobs::{self, Recipient, dependent_label};
use crate::required_documents::RequiredDocument;
use crate::store::records::MailContent;
use crate::store::records::{DailyResponses, OfficeProgress, Progress, Target, TargetEvent, TargetEventKind, to_item};
use crate::store::{Change, Cond, Write};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("examples" = [{"version": 3, "documentsConfirmed": true}]))]
pub struct SubmitRequest {
    /// The version of the answers being submitted.
    #[serde(default)]
    pub version: Option<i64>,
    /// 「上記添付資料を確認しました。」: must be true.
    #[serde(default)]
    pub documents_confirmed: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    pub status: TargetStatus,
    pub status_label: String,
    pub submitted_at: Timestamp,
    pub version: i64,
    /// The documents the person confirmed.
    pub required_documents: Vec<RequiredDocument>,
}

/// Submits the answers and queues the receipt mail in the same transaction; the mail's links
/// point to `site`.
pub async fn submit(
    deps: &Deps,
    token: Option<&str>,
    site: &str,
    id: &str,
    request: SubmitRequest,
) -> Result<Submitted, Error> {
    let form = open(deps, token, id).await?;
    form.check_changeable()?;
    let version = version_given(request.version)?;
    if version != form.target.version {
        return Err(Error::VersionConflict);
    }
    let answers = form.target.answers.clone().unwrap_or_default();
    let mut fields = match answers.missing_for_submit() {
        Ok(()) => FieldErrors::new(),
        Err(Error::Invalid(fields)) => fields,
        Err(other) => return Err(other),
    };
    if request.documents_confirmed != Some(true) {
        fields.insert(
            "documentsConfirmed".into(),
            "添付資料を確認し、「上記添付資料を確認しました。」にチェックを入れてください。".into(),
        );
    }
    if !fields.is_empty() {
        return Err(Error::Invalid(fields));
    }
    let evaluation = form.evaluate(&answers)?;
    let Form { target, now, .. } = form;
    let first_submission = target.submitted_at.is_none();
    let submitted = Target {
        status: TargetStatus::Submitted,
        version: version + 1,
        updated_at: now,
        submitted_at: Some(now),
        return_reason: None,
        ..target
    }
    .listed();
    let event = TargetEvent {
        target_id: submitted.id.clone(),
        kind: TargetEventKind::Submitted,
        at: now,
        version: submitted.version,
        answers: Some(answers),
        documents: evaluation
            .required_documents
            .iter()
            .map(|document| document.kind.clone())
            .collect(),
        actor: None,
        reason: None,
        decision: None,
        document_id: None,
    };
    let key = submitted.own_key();
    let (insurer, year) = (&submitted.insurer, submitted.year);
    // The progress page's counters move with the submission itself, so they never drift from it.
    let day = japan_day(now);
    let mut writes = vec![
        Write::put(key.clone(), to_item(&submitted, None)).when(Cond::eq(Target::VERSION, version)),
        Write::put(TargetEvent::key(&submitted, submitted.version), to_item(&event, None)).when(Cond::NotExists),
        Write::update(
            Progress::day_key(insurer, year, day),
            vec![
                Change::set(DailyResponses::DAY, day),
                Change::add(DailyResponses::SUBMITTED, 1),
            ],
        ),
    ];
    if let (true, Some(office)) = (first_submission, &submitted.office) {
        writes.push(Write::update(
            Progress::office_key(insurer, year, office),
            vec![
                Change::set(OfficeProgress::OFFICE, office),
                Change::add(OfficeProgress::ANSWERED, 1),
            ],
        ));
    }
    let receipt = jobs::job(
        Recipient::of(&submitted),
        site,
        MailContent::Receipt {
            target_id: submitted.id.clone(),
            dependent: dependent_label(&submitted),
            documents: evaluation
                .required_documents
                .iter()
                .map(|document| document.label.clone())
                .collect(),
        },
        now,
    );
    writes.push(jobs::queued(&receipt));
    if let Err(error) = deps.store.transact(writes).await {
        return Err(reread_after_lost_race(deps, &key, error).await);
    }
    tracing::info!(event = "survey_submitted", target_id = %submitted.id, version = submitted.version, "survey");
    jobs::send_now(deps, receipt).await;
    Ok(Submitted {
        status: submitted.status,
        status_label: submitted.status.label().to_string(),
        submitted_at: Timestamp(now),
        version: submitted.version,
        required_documents: evaluation.required_documents,
    })
}
