//! Reviewing one target (GET /api/admin/targets/{id}) and every change the union's staff make
//! to it: sending the answers back (差し戻し), deciding (継続 / 削除 / 保留), marking a document
//! 不備, and entering answers for the person (代行入力).
//!
//! A target is reached through its `TargetRef` under the staff member's own union and current
//! year, and read as the person's form reads it (`survey_form::read`), so the console shows the
//! same pre-check and required documents the person saw. Every change writes the target, a
//! `TargetEvent` naming the staff member, and the audit entry in one transaction.

use super::TargetRef;
use crate::answers::Answers;
use crate::clock::Timestamp;
use crate::deps::Deps;
use crate::domain::{DateMessages, Day, Permission, StaffRole, TargetStatus, clean_text};
use crate::eligibility::Check;
use crate::error::{Error, Fields};
use crate::http::ApiRequest;
use crate::mail::jobs::{self, Recipient};
use crate::required_documents::RequiredDocument;
use crate::staff_session::{self, StaffContext};
use crate::store::records::{
    AuditAction, AuditSubject, Decision, DecisionOutcome, DocumentRefusal, DocumentStatus, EventActor, MailContent,
    MailJob, MailLog, MailOutcome, Staff, Target, TargetDocument, TargetEvent, TargetEventKind, from_item, to_item,
};
use crate::store::{Cond, Write};
use crate::survey_documents::{self, DocumentView};
use crate::survey_form::{self, Form, SaveRequest, Saved};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The longest reason staff may give (a return, a decision, a refusal).
pub const MAX_REASON_CHARS: usize = 1000;

/// The signed-in member allowed `permission`, and the target `id` names in their union's
/// current survey, or `NotFound` (also for a reference of no form, without reading).
async fn open(
    deps: &Deps,
    request: &ApiRequest,
    id: &str,
    permission: Permission,
) -> Result<(StaffContext, Form), Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(permission)?;
    let reference = TargetRef::parse(id).ok_or(Error::NotFound)?;
    let year = context.insurer.current_year.ok_or(Error::NotFound)?;
    let key = reference.key(&context.insurer.code, year);
    let form = survey_form::read(deps, context.insurer.clone(), year, &key).await?;
    Ok((context, form))
}

fn target_subject(target: &Target) -> Option<AuditSubject> {
    Some(AuditSubject::Target { id: target.id.clone() })
}

fn actor(context: &StaffContext) -> Option<EventActor> {
    Some(EventActor {
        staff_id: context.staff.id.clone(),
        role: context.staff.role,
    })
}

/// An event of a staff member's change, making the target's `version`.
fn staff_event(context: &StaffContext, target: &Target, kind: TargetEventKind) -> TargetEvent {
    TargetEvent {
        target_id: target.id.clone(),
        kind,
        at: context.now,
        version: target.version,
        answers: None,
        documents: Vec::new(),
        actor: actor(context),
        reason: None,
        decision: None,
        document_id: None,
    }
}

fn event_write(target: &Target, event: &TargetEvent) -> Write {
    Write::put(TargetEvent::key(target, event.version), to_item(event, None)).when(Cond::NotExists)
}

/// The changed target's write, conditional on the version it was read at.
fn target_write(target: &Target, read_version: i64) -> Write {
    Write::put(target.own_key(), to_item(target, None)).when(Cond::eq(Target::VERSION, read_version))
}

/// Writes a change with its event and audit entry; a lost race is a version conflict.
async fn commit(deps: &Deps, writes: Vec<Write>) -> Result<(), Error> {
    match deps.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(error) if error.is_condition_failed() => Err(Error::VersionConflict),
        Err(error) => Err(error.into()),
    }
}

/// A version the request names must be the one stored: the reviewer acted on what they saw.
fn check_version(form: &Form, version: Option<i64>) -> Result<(), Error> {
    match version {
        Some(version) if version != form.target.version => Err(Error::VersionConflict),
        _ => Ok(()),
    }
}

/// A reason as staff typed it, cleaned; `required` says what to ask for when it is empty.
fn reason(fields: &mut Fields, input: Option<&str>, required: Option<&'static str>) -> Option<String> {
    let text = clean_text(input.unwrap_or_default());
    if text.is_empty() {
        if let Some(message) = required {
            fields.add("reason", message);
        }
        return None;
    }
    if text.chars().count() > MAX_REASON_CHARS {
        fields.add(
            "reason",
            crate::domain::stated!("理由は{MAX_REASON_CHARS}文字以内で入力してください。"),
        );
        return None;
    }
    Some(text)
}

// ---- GET /api/admin/targets/{id}

/// The target as the union reviews it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetReview {
    /// The console's name of the target (`{symbol}-{number}-{id}`).
    #[serde(rename = "ref")]
    pub reference: String,
    pub id: String,
    /// The insured person's card: 記号 and 番号.
    pub symbol: String,
    pub number: String,
    pub name: String,
    pub name_kana: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    pub sex: String,
    pub relationship: String,
    /// 同居 or 別居, as the roster records it
    pub living: String,
    pub office: Option<String>,
    /// The dependent is no longer in the union's roster.
    pub left_roster: bool,
    pub status: TargetStatus,
    pub status_label: String,
    /// The version a return, a decision or a proxy entry may name.
    pub version: i64,
    /// The answers as they stand: as submitted, or the person's draft.
    pub answers: Answers,
    /// The pre-check the person saw, for these answers.
    pub checks: Vec<Check>,
    pub required_documents: Vec<RequiredDocument>,
    pub documents: Vec<DocumentView>,
    pub submitted_at: Option<Timestamp>,
    /// Why the answers were sent back, while they are.
    pub return_reason: Option<String>,
    pub decision: Option<DecisionView>,
    /// Every event, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The mails kennin sent the person (or could not) about this form, and the survey's
    /// invitation and reminders, oldest first.
    pub mails: Vec<MailEntry>,
}

/// One mail of the person's history, as staff read it: when, its subject, and whether it went
/// out (else why not).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailEntry {
    pub at: Timestamp,
    pub subject: String,
    pub sent: bool,
    /// 送信済み, or why it was not sent.
    pub outcome_label: &'static str,
}

impl From<MailLog> for MailEntry {
    fn from(log: MailLog) -> Self {
        Self {
            at: Timestamp(log.at),
            subject: log.subject,
            sent: log.outcome == MailOutcome::Sent,
            outcome_label: log.outcome.label(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub outcome: DecisionOutcome,
    /// 継続, 削除 or 保留
    pub outcome_label: &'static str,
    /// `YYYY-MM-DD`
    pub effective_date: Option<String>,
    pub reason: String,
    pub at: Timestamp,
}

impl From<&Decision> for DecisionView {
    fn from(decision: &Decision) -> Self {
        Self {
            outcome: decision.outcome,
            outcome_label: decision.outcome.label(),
            effective_date: decision.effective_date.map(|day| day.iso()),
            reason: decision.reason.clone(),
            at: Timestamp(decision.at),
        }
    }
}

/// Who did something: the person, or a staff member by name and role.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ActorView {
    Person,
    #[serde(rename_all = "camelCase")]
    Staff {
        /// The member's name, or none when the member is no longer on file.
        name: Option<String>,
        role: StaffRole,
        role_label: &'static str,
    },
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub kind: TargetEventKind,
    /// 提出, 差し戻し, 判定, 添付資料の不備, 代行入力
    pub label: &'static str,
    pub at: Timestamp,
    pub actor: ActorView,
    pub reason: Option<String>,
    pub decision: Option<DecisionView>,
    pub document_id: Option<String>,
}

fn event_label(kind: TargetEventKind) -> &'static str {
    match kind {
        TargetEventKind::Submitted => "提出",
        TargetEventKind::Returned => "差し戻し",
        TargetEventKind::Decided => "判定",
        TargetEventKind::DocumentRefused => "添付資料の不備",
        TargetEventKind::AnswersEnteredByProxy => "代行入力",
    }
}

/// The target's events, oldest first, each with its actor named.
async fn history(deps: &Deps, target: &Target) -> Result<Vec<HistoryEntry>, Error> {
    let items = deps
        .store
        .query(&target.own_key().pk, &format!("EVENT#{}#", target.id))
        .await?;
    let events = items
        .into_iter()
        .map(from_item::<TargetEvent>)
        .collect::<Result<Vec<_>, _>>()?;
    let staff_ids: BTreeSet<&str> = events
        .iter()
        .filter_map(|event| event.actor.as_ref().map(|actor| actor.staff_id.as_str()))
        .collect();
    let names = futures::future::try_join_all(staff_ids.into_iter().map(|id| async move {
        let item = deps
            .store
            .get_eventually_consistent(&Staff::key(&target.insurer, id))
            .await?;
        let name = item.map(from_item::<Staff>).transpose()?.map(|staff| staff.name);
        Ok::<_, Error>((id.to_string(), name))
    }))
    .await?
    .into_iter()
    .collect::<BTreeMap<_, _>>();
    Ok(events
        .into_iter()
        .map(|event| HistoryEntry {
            kind: event.kind,
            label: event_label(event.kind),
            at: Timestamp(event.at),
            actor: match &event.actor {
                None => ActorView::Person,
                Some(actor) => ActorView::Staff {
                    name: names.get(&actor.staff_id).cloned().flatten(),
                    role: actor.role,
                    role_label: actor.role.label(),
                },
            },
            reason: event.reason,
            decision: event.decision.as_ref().map(DecisionView::from),
            document_id: event.document_id,
        })
        .collect())
}

pub async fn get(deps: &Deps, request: &ApiRequest, id: &str) -> Result<TargetReview, Error> {
    let (context, form) = open(deps, request, id, Permission::ViewAnswers).await?;
    let answers = form.target.answers.clone().unwrap_or_default();
    let evaluation = form.evaluate(&answers)?;
    let (documents, history, mails) = futures::try_join!(
        survey_documents::documents_of(deps, &form),
        history(deps, &form.target),
        async { Ok(jobs::history(deps.store.as_ref(), &form.target).await?) }
    )?;
    context
        .auditor
        .record(deps, AuditAction::ViewedTarget, target_subject(&form.target))
        .await?;
    let target = form.target;
    let recorded = target.recorded.clone();
    Ok(TargetReview {
        reference: TargetRef::of(&target).to_string(),
        id: target.id.clone(),
        symbol: target.symbol.as_str().to_string(),
        number: target.number.as_str().to_string(),
        name: recorded.name,
        name_kana: recorded.name_kana.as_str().to_string(),
        birth_date: Day::from(recorded.birth_date.date()).iso(),
        sex: recorded.sex.label().to_string(),
        relationship: recorded.relationship.as_str().to_string(),
        living: recorded.living.label().to_string(),
        office: target.office.as_ref().map(|office| office.as_str().to_string()),
        left_roster: target.left_roster,
        status: target.status,
        status_label: target.status.label().to_string(),
        version: target.version,
        answers,
        checks: evaluation.checks,
        required_documents: evaluation.required_documents,
        documents: documents.into_iter().map(DocumentView::from).collect(),
        submitted_at: target.submitted_at.map(Timestamp),
        return_reason: target.return_reason.filter(|_| target.status == TargetStatus::Returned),
        decision: target.decision.as_ref().map(DecisionView::from),
        history,
        mails: mails.into_iter().map(MailEntry::from).collect(),
    })
}

// ---- GET /api/admin/targets/{id}/documents/{documentId}

/// Where the console's page fetches a document from (an image or a PDF shown in the page), for
/// `survey_documents::DOWNLOAD_URL_SECONDS`. Audited before it is answered.
pub async fn document(deps: &Deps, request: &ApiRequest, id: &str, document_id: &str) -> Result<String, Error> {
    let (context, form) = open(deps, request, id, Permission::ViewDocuments).await?;
    let location = survey_documents::download_location(deps, &form, document_id).await?;
    let subject = AuditSubject::Document {
        target: form.target.id.clone(),
        id: document_id.to_string(),
    };
    context
        .auditor
        .record(deps, AuditAction::ViewedDocument, Some(subject))
        .await?;
    Ok(location)
}

// ---- POST /api/admin/targets/{id}/return

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"reason": "給与明細が3か月分ありません。直近3か月分を添付してください。", "version": 3}]))]
pub struct ReturnRequest {
    /// Why: the person reads it on the form and in the mail.
    pub reason: Option<String>,
    /// The version the reviewer saw; when given, a changed target is a conflict.
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Returned {
    pub status: TargetStatus,
    pub status_label: String,
    pub version: i64,
    /// Whether the person was mailed at once: false when they have no account this year, or
    /// when the send failed and the mail waits for its retry (the return stands either way).
    pub mailed: bool,
}

/// Sends submitted answers back to the person: editable again, the reason shown on the form
/// and mailed with the form's address.
pub async fn return_answers(
    deps: &Deps,
    request: &ApiRequest,
    id: &str,
    body: ReturnRequest,
) -> Result<Returned, Error> {
    let (context, form) = open(deps, request, id, Permission::ReturnAnswers).await?;
    let mut fields = Fields::default();
    let reason = reason(
        &mut fields,
        body.reason.as_deref(),
        Some("差し戻しの理由を入力してください。"),
    );
    fields.finish()?;
    let reason = reason.unwrap_or_default();
    check_version(&form, body.version)?;
    if form.target.status != TargetStatus::Submitted {
        return Err(Error::WrongStatus);
    }
    let read_version = form.target.version;
    let returned = Target {
        status: TargetStatus::Returned,
        return_reason: Some(reason.clone()),
        version: read_version + 1,
        updated_at: context.now,
        ..form.target.clone()
    }
    .listed();
    let event = TargetEvent {
        reason: Some(reason.clone()),
        ..staff_event(&context, &returned, TargetEventKind::Returned)
    };
    let mail = person_mail(
        request,
        &context,
        &returned,
        MailContent::Returned {
            target_id: returned.id.clone(),
            reason,
        },
    );
    commit(
        deps,
        vec![
            target_write(&returned, read_version),
            event_write(&returned, &event),
            context.auditor.entry(AuditAction::Returned, target_subject(&returned)),
            jobs::queued(&mail),
        ],
    )
    .await?;
    tracing::info!(event = "target_returned", target_id = %returned.id, version = returned.version, staff_id = %context.staff.id, "console");
    let mailed = jobs::send_now(deps, mail).await;
    Ok(Returned {
        status: returned.status,
        status_label: returned.status.label().to_string(),
        version: returned.version,
        mailed,
    })
}

/// The person's mail of a change to their target, to queue with the change.
fn person_mail(request: &ApiRequest, context: &StaffContext, target: &Target, content: MailContent) -> MailJob {
    jobs::job(Recipient::of(target), &request.site(), content, context.now)
}

// ---- POST /api/admin/targets/{id}/decision

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"outcome": "remove", "effectiveDate": "2026-10-01", "reason": "就職により健康保険に加入したため", "version": 3}]))]
pub struct DecisionRequest {
    /// continue (継続), remove (削除) or hold (保留)
    pub outcome: Option<String>,
    /// `YYYY-MM-DD`: the day dependent status ends; required to remove.
    pub effective_date: Option<String>,
    /// Required to remove or hold.
    pub reason: Option<String>,
    /// The version the reviewer saw; when given, a changed target is a conflict.
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decided {
    pub status: TargetStatus,
    pub status_label: String,
    pub version: i64,
    pub decision: DecisionView,
}

const EFFECTIVE_DATE: DateMessages = DateMessages {
    empty: "削除の場合は、資格喪失日を入力してください。",
    format: "資格喪失日は 2026-10-01 の形で入力してください。",
    year: "資格喪失日の年を確かめてください。",
    nonexistent: "資格喪失日に存在しない日付が入力されています。",
};

fn outcome(fields: &mut Fields, input: Option<&str>) -> Option<DecisionOutcome> {
    match input.map(str::trim) {
        Some("continue") => Some(DecisionOutcome::Continue),
        Some("remove") => Some(DecisionOutcome::Remove),
        Some("hold") => Some(DecisionOutcome::Hold),
        _ => {
            fields.add("outcome", "判定（継続・削除・保留）を選択してください。");
            None
        }
    }
}

/// Decides on submitted answers: 継続 or 削除 confirms the target (確認完了), 保留 keeps it open
/// and only records the decision. A confirmed target's decision may be corrected (継続 ⇄ 削除),
/// not put on hold again.
pub async fn decide(deps: &Deps, request: &ApiRequest, id: &str, body: DecisionRequest) -> Result<Decided, Error> {
    let (context, form) = open(deps, request, id, Permission::Decide).await?;
    let mut fields = Fields::default();
    let outcome = outcome(&mut fields, body.outcome.as_deref());
    let effective_input = body
        .effective_date
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty());
    let effective_date = match (outcome, effective_input) {
        (Some(DecisionOutcome::Remove), None) => {
            fields.add("effectiveDate", EFFECTIVE_DATE.empty);
            None
        }
        (_, Some(text)) => fields.check("effectiveDate", Day::parse(text, &EFFECTIVE_DATE)),
        (_, None) => None,
    };
    let required = match outcome {
        Some(DecisionOutcome::Remove) => Some("削除の理由を入力してください。"),
        Some(DecisionOutcome::Hold) => Some("保留の理由を入力してください。"),
        _ => None,
    };
    let reason = reason(&mut fields, body.reason.as_deref(), required);
    fields.finish()?;
    let Some(outcome) = outcome else {
        unreachable!("a missing outcome added a field error");
    };
    check_version(&form, body.version)?;
    let status = match (form.target.status, outcome) {
        (TargetStatus::Submitted, DecisionOutcome::Hold) => TargetStatus::Submitted,
        (TargetStatus::Submitted | TargetStatus::Confirmed, DecisionOutcome::Continue | DecisionOutcome::Remove) => {
            TargetStatus::Confirmed
        }
        _ => return Err(Error::WrongStatus),
    };
    let decision = Decision {
        outcome,
        effective_date,
        reason: reason.unwrap_or_default(),
        at: context.now,
        staff_id: context.staff.id.clone(),
    };
    let read_version = form.target.version;
    let decided = Target {
        status,
        decision: Some(decision.clone()),
        version: read_version + 1,
        updated_at: context.now,
        ..form.target
    }
    .listed();
    let event = TargetEvent {
        reason: Some(decision.reason.clone()).filter(|reason| !reason.is_empty()),
        decision: Some(decision.clone()),
        ..staff_event(&context, &decided, TargetEventKind::Decided)
    };
    let mails = form.campaign.decision_mails;
    let content = match outcome {
        DecisionOutcome::Remove if mails.removal => Some(MailContent::Removed {
            target_id: decided.id.clone(),
            dependent: jobs::dependent_label(&decided),
            effective_date,
        }),
        DecisionOutcome::Continue if mails.continuation => Some(MailContent::Continued {
            target_id: decided.id.clone(),
            dependent: jobs::dependent_label(&decided),
        }),
        _ => None,
    };
    let mail = content.map(|content| person_mail(request, &context, &decided, content));
    let mut writes = vec![
        target_write(&decided, read_version),
        event_write(&decided, &event),
        context.auditor.entry(AuditAction::Decided, target_subject(&decided)),
    ];
    writes.extend(mail.iter().map(jobs::queued));
    commit(deps, writes).await?;
    if let Some(mail) = mail {
        jobs::send_now(deps, mail).await;
    }
    tracing::info!(event = "target_decided", target_id = %decided.id, outcome = ?outcome, version = decided.version, staff_id = %context.staff.id, "console");
    Ok(Decided {
        status: decided.status,
        status_label: decided.status.label().to_string(),
        version: decided.version,
        decision: DecisionView::from(&decision),
    })
}

// ---- POST /api/admin/targets/{id}/documents/{documentId}/refusal

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"reason": "マイナンバーが写っています。隠してから送り直してください。"}]))]
pub struct RefusalRequest {
    /// Why the document is 不備: the person reads it beside the file.
    pub reason: Option<String>,
}

/// Marks an accepted document 不備: the person sees the reason and may send another. The
/// target's version rises with it, as its event takes the next version.
pub async fn refuse_document(
    deps: &Deps,
    request: &ApiRequest,
    id: &str,
    document_id: &str,
    body: RefusalRequest,
) -> Result<DocumentView, Error> {
    let (context, form) = open(deps, request, id, Permission::Decide).await?;
    let document = survey_documents::own_document(deps, &form, document_id).await?;
    if document.status != DocumentStatus::Accepted {
        return Err(Error::NotFound);
    }
    let mut fields = Fields::default();
    let reason = reason(
        &mut fields,
        body.reason.as_deref(),
        Some("不備の理由を入力してください。"),
    );
    fields.finish()?;
    let reason = reason.unwrap_or_default();
    // A confirmed target's documents are settled (the person may no longer replace them).
    if form.target.status == TargetStatus::Confirmed {
        return Err(Error::WrongStatus);
    }
    let refused = TargetDocument {
        refusal: Some(DocumentRefusal {
            reason: reason.clone(),
            at: context.now,
        }),
        ..document
    };
    let read_version = form.target.version;
    let target = Target {
        version: read_version + 1,
        updated_at: context.now,
        ..form.target.clone()
    }
    .listed();
    let event = TargetEvent {
        reason: Some(reason),
        document_id: Some(refused.id.clone()),
        ..staff_event(&context, &target, TargetEventKind::DocumentRefused)
    };
    let subject = AuditSubject::Document {
        target: target.id.clone(),
        id: refused.id.clone(),
    };
    let mail = person_mail(
        request,
        &context,
        &target,
        MailContent::DocumentRefused {
            target_id: target.id.clone(),
            dependent: jobs::dependent_label(&target),
            document: refused.file_name.clone(),
            reason: event.reason.clone().unwrap_or_default(),
        },
    );
    commit(
        deps,
        vec![
            target_write(&target, read_version),
            survey_documents::accepted_document_write(&form, &refused)
                .when(Cond::eq(TargetDocument::STATUS, DocumentStatus::Accepted)),
            event_write(&target, &event),
            context.auditor.entry(AuditAction::DocumentRefused, Some(subject)),
            jobs::queued(&mail),
        ],
    )
    .await?;
    tracing::info!(event = "document_refused", target_id = %target.id, document_id = %refused.id, staff_id = %context.staff.id, "console");
    jobs::send_now(deps, mail).await;
    Ok(refused.into())
}

// ---- PUT /api/admin/targets/{id}/answers

/// 代行入力: the call center saves the answers for the person, exactly as the person's save
/// would (same rules, same refusals), recorded in the history as a proxy entry. Nothing
/// changed, nothing is written or recorded.
pub async fn enter_answers(deps: &Deps, request: &ApiRequest, id: &str, body: SaveRequest) -> Result<Saved, Error> {
    let (context, form) = open(deps, request, id, Permission::EnterAnswers).await?;
    let draft = survey_form::draft(deps, form, body)?;
    if draft.changed {
        let event = staff_event(&context, &draft.target, TargetEventKind::AnswersEnteredByProxy);
        draft
            .write(
                deps,
                vec![
                    event_write(&draft.target, &event),
                    context
                        .auditor
                        .entry(AuditAction::AnswersEnteredByProxy, target_subject(&draft.target)),
                ],
            )
            .await?;
        tracing::info!(event = "answers_entered_by_proxy", target_id = %draft.target.id, version = draft.target.version, staff_id = %context.staff.id, "console");
    }
    Ok(draft.saved())
}
