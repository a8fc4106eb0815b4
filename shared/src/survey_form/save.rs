//! PUT /api/survey/targets/{id}/answers: the draft, saved whole. Partial answers are fine; a
//! value that breaks its rule refuses the whole save, with a message at its field.

use super::{Evaluation, Form, open, reread_after_lost_race};
use crate::answers::Answers;
use crate::deps::Deps;
use crate::domain::TargetStatus;
use crate::eligibility::Check;
use crate::error::Error;
use crate::required_documents::RequiredDocument;
use crate::store::records::{Target, to_item};
use crate::store::{Cond, Write};
use crate::unique_keys::UniqueKeys;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("examples" = [{"version": 2, "answers": {"living": "together", "occupation": "part_time", "incomes": [{"kind": "wages", "amount": 80000, "per": "month"}]}}]))]
pub struct SaveRequest {
    /// The version the answers were read at (`version` of the form or of the last save).
    #[serde(default)]
    pub version: Option<i64>,
    #[schemars(with = "Answers")]
    pub answers: UniqueKeys,
}

/// Asks the sender to read the form again: a request without a version cannot be placed.
pub(super) fn version_given(version: Option<i64>) -> Result<i64, Error> {
    version.ok_or_else(|| {
        Error::field(
            "version",
            "回答の版が指定されていません。画面を再読み込みしてください。",
        )
    })
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub version: i64,
    pub status: TargetStatus,
    pub status_label: String,
    /// As stored: texts normalised, unanswered parts left out.
    pub answers: Answers,
    pub required_documents: Vec<RequiredDocument>,
    pub checks: Vec<Check>,
}

pub async fn save(deps: &Deps, token: Option<&str>, id: &str, request: SaveRequest) -> Result<Saved, Error> {
    let form = open(deps, token, id).await?;
    let draft = draft(deps, form, request)?;
    if draft.changed {
        draft.write(deps, Vec::new()).await?;
        tracing::info!(event = "survey_answers_saved", target_id = %draft.target.id, version = draft.target.version, "survey");
    }
    Ok(draft.saved())
}

/// A save checked and validated, not yet written: the person's save and the call center's
/// proxy entry (代行入力) share it, so both accept and refuse exactly the same answers.
pub(crate) struct Draft {
    /// The target as the save makes it (as read, when nothing changed).
    pub(crate) target: Target,
    /// Whether anything changed: leaving a section saves, often with nothing changed, and that
    /// costs no write.
    pub(crate) changed: bool,
    read_version: i64,
    evaluation: Evaluation,
}

pub(crate) fn draft(deps: &Deps, form: Form, request: SaveRequest) -> Result<Draft, Error> {
    form.check_changeable()?;
    let version = version_given(request.version)?;
    if version != form.target.version {
        return Err(Error::VersionConflict);
    }
    let answers = Answers::parse(&request.answers.0, deps.clock.today_in_japan())?;
    let evaluation = form.evaluate(&answers)?;
    let Form { target, now, .. } = form;
    let status = match target.status {
        TargetStatus::NotStarted => TargetStatus::InProgress,
        other => other,
    };
    if target.answers.as_ref() == Some(&answers) && status == target.status {
        return Ok(Draft {
            target,
            changed: false,
            read_version: version,
            evaluation,
        });
    }
    let target = Target {
        answers: Some(answers),
        status,
        version: version + 1,
        updated_at: now,
        ..target
    }
    .listed();
    Ok(Draft {
        target,
        changed: true,
        read_version: version,
        evaluation,
    })
}

impl Draft {
    /// Writes the saved target, conditionally on the version it was read at, in one
    /// transaction with `more` (what records the save, for a proxy entry).
    pub(crate) async fn write(&self, deps: &Deps, more: Vec<Write>) -> Result<(), Error> {
        let key = self.target.own_key();
        let mut writes = vec![
            Write::put(key.clone(), to_item(&self.target, None)).when(Cond::eq(Target::VERSION, self.read_version)),
        ];
        writes.extend(more);
        if let Err(error) = deps.store.transact(writes).await {
            return Err(reread_after_lost_race(deps, &key, error).await);
        }
        Ok(())
    }

    pub(crate) fn saved(self) -> Saved {
        let target = self.target;
        Saved {
            version: target.version,
            status: target.status,
            status_label: target.status.label().to_string(),
            answers: target.answers.unwrap_or_default(),
            required_documents: self.evaluation.required_documents,
            checks: self.evaluation.checks,
        }
    }
}
