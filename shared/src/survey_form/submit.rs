//! POST /api/survey/targets/{id}/submit: the saved answers go to the union, once. The person
//! confirms the documents the answers require; the answers as submitted are kept as an event
//! beside the target, so they survive the union sending the form back.

use super::save::version_given;
use super::{Form, open, reread_after_lost_race};
use crate::clock::Timestamp;
use crate::deps::Deps;
use crate::domain::TargetStatus;
use crate::error::{Error, FieldErrors};
use crate::required_documents::RequiredDocument;
use crate::store::records::{Target, TargetEvent, TargetEventKind, to_item};
use crate::store::{Cond, Write};
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

pub async fn submit(deps: &Deps, token: Option<&str>, id: &str, request: SubmitRequest) -> Result<Submitted, Error> {
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
    let writes = vec![
        Write::put(key.clone(), to_item(&submitted, None)).when(Cond::eq(Target::VERSION, version)),
        Write::put(TargetEvent::key(&submitted, submitted.version), to_item(&event, None)).when(Cond::NotExists),
    ];
    if let Err(error) = deps.store.transact(writes).await {
        return Err(reread_after_lost_race(deps, &key, error).await);
    }
    tracing::info!(event = "survey_submitted", target_id = %submitted.id, version = submitted.version, "survey");
    Ok(Submitted {
        status: submitted.status,
        status_label: submitted.status.label().to_string(),
        submitted_at: Timestamp(now),
        version: submitted.version,
        required_documents: evaluation.required_documents,
    })
}
