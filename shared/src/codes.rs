//! One-time codes, the same rules wherever a code is mailed (first login, password reset,
//! email change): six digits, stored only as an HMAC bound to its purpose and owner, valid for
//! the configured lifetime, five tries counted atomically before the comparison, resent at
//! most once a minute and five times.

use crate::deps::Deps;
use crate::domain::VerificationCode;
use crate::error::Error;
use crate::mail::{MailError, Message};
use crate::secrets::{code_hash, same};
use crate::store::records::{PendingCode, from_item};
use crate::store::{Change, Cond, Item, Key, StoreError, TTL};
use schemars::JsonSchema;
use serde::Deserialize;

/// A code as the person types it back (signup ③, an email change).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"code": "123456"}]))]
pub struct CodeInput {
    pub code: String,
}

pub const MAX_TRIES: i64 = 5;
/// The first send plus five resends.
pub const MAX_SENDS: i64 = 6;
pub const RESEND_INTERVAL_SECONDS: i64 = 60;

/// A code to mail, and the changes that record it on its owner's item.
pub struct Issued {
    pub code: VerificationCode,
    pub changes: Vec<Change>,
    pub expires_at: i64,
}

/// `purpose` and `owner` bind the code: a code issued for one flow or purpose never verifies
/// for another.
pub fn issue(deps: &Deps, purpose: &str, owner: &str, now: i64) -> Issued {
    let code = VerificationCode::generate();
    let expires_at = now + deps.config.code_ttl_seconds;
    let changes = vec![
        Change::set(
            PendingCode::CODE_HASH,
            code_hash(&deps.config.secret, purpose, owner, code.expose()),
        ),
        Change::set(PendingCode::CODE_ISSUED_AT, now),
        Change::set(PendingCode::CODE_EXPIRES_AT, expires_at),
        Change::set(PendingCode::CODE_TRIES, 0),
        Change::add(PendingCode::CODE_SENDS, 1),
    ];
    Issued {
        code,
        changes,
        expires_at,
    }
}

/// Whether another code may be sent now.
pub fn check_resend(pending: &PendingCode, now: i64) -> Result<(), Error> {
    if pending.code_sends >= MAX_SENDS {
        return Err(Error::ResendLimit);
    }
    let available_at = pending.code_issued_at + RESEND_INTERVAL_SECONDS;
    if now < available_at {
        return Err(Error::ResendThrottled {
            retry_after: available_at - now,
        });
    }
    Ok(())
}

/// The condition that a new send is still the one the caller checked (`check_resend` saw
/// `sends`): concurrent resends cannot both pass.
pub fn unchanged_sends(pending: &PendingCode) -> Cond {
    Cond::eq(PendingCode::CODE_SENDS, pending.code_sends)
}

/// Issues a code on an item of its own at `key` (a password reset, an email change): created
/// with the first code, reissued under the resend rules, expiring with its code. `fields` are
/// the item's other attributes.
pub async fn issue_on_item(
    deps: &Deps,
    key: &Key,
    pending: &PendingCode,
    purpose: &str,
    owner: &str,
    fields: Vec<Change>,
    now: i64,
) -> Result<Issued, Error> {
    let first = pending.code_hash.is_none();
    if !first {
        check_resend(pending, now)?;
    }
    let issued = issue(deps, purpose, owner, now);
    let mut changes = fields;
    changes.extend(issued.changes.iter().cloned());
    changes.push(Change::set(TTL, issued.expires_at));
    let still = if first {
        Cond::NotExists
    } else {
        unchanged_sends(pending)
    };
    match deps.store.update(key, &changes, Some(&still)).await {
        Ok(_) => Ok(issued),
        // A concurrent request issued one first: it has sent the mail.
        Err(StoreError::ConditionFailed { .. }) => Err(Error::ResendThrottled {
            retry_after: RESEND_INTERVAL_SECONDS,
        }),
        Err(other) => Err(other.into()),
    }
}

/// Mails a code. When the mail cannot be sent, the send is taken back on the item at `key`, so
/// the person may ask again at once: everything else they entered is kept.
pub async fn mail(deps: &Deps, key: &Key, message: &Message) -> Result<(), MailError> {
    let Err(error) = deps.mailer.send(message).await else {
        return Ok(());
    };
    let uncount = [
        Change::set(PendingCode::CODE_ISSUED_AT, 0),
        Change::add(PendingCode::CODE_SENDS, -1),
    ];
    if let Err(store_error) = deps.store.update(key, &uncount, Some(&Cond::Exists)).await {
        tracing::warn!(error = %store_error, "could not take back a failed code mail");
    }
    Err(error)
}

/// Where a code is pending and what it is bound to.
pub struct Slot<'a> {
    pub key: Key,
    /// What must still hold of the owner's item for a try to count (e.g. the flow's stage).
    pub still: Cond,
    pub purpose: &'static str,
    pub owner: Owner<'a>,
    /// The event a refused try is logged as.
    pub refused_event: &'static str,
}

/// Whose code it is; the code's hash is bound to it.
pub enum Owner<'a> {
    /// A first-login flow, by its ID. Never logged: it is derived from the cookie's token.
    SignupFlow(&'a str),
    Account(&'a str),
}

impl Owner<'_> {
    fn id(&self) -> &str {
        match self {
            Owner::SignupFlow(id) | Owner::Account(id) => id,
        }
    }

    fn account_id(&self) -> Option<&str> {
        match self {
            Owner::Account(id) => Some(id),
            Owner::SignupFlow(_) => None,
        }
    }
}

/// Checks a typed code against the one pending in `slot`. The try is counted before the
/// comparison, atomically and only while `slot.still` holds, so concurrent guesses cannot
/// evaluate more than `MAX_TRIES`. Returns the item after counting and the matched hash, which
/// the caller's consuming write must require unchanged (so the code works exactly once). A
/// refused try (wrong, expired or void) is logged as the slot's `refused_event`.
pub async fn verify(
    deps: &Deps,
    slot: Slot<'_>,
    pending: &PendingCode,
    typed: &VerificationCode,
    now: i64,
) -> Result<(Item, String), Error> {
    let refused_event = slot.refused_event;
    let account_id = slot.owner.account_id().map(str::to_string);
    let verified = async {
        if pending.code_hash.is_none() {
            return Err(Error::CodeVoid);
        }
        if now >= pending.code_expires_at {
            return Err(Error::CodeExpired {
                lifetime_seconds: deps.config.code_ttl_seconds,
            });
        }
        let counted = deps
            .store
            .update(
                &slot.key,
                &[Change::add(PendingCode::CODE_TRIES, 1)],
                Some(&Cond::And(vec![
                    Cond::Exists,
                    slot.still,
                    Cond::lt(PendingCode::CODE_TRIES, MAX_TRIES),
                ])),
            )
            .await;
        let item = match counted {
            Ok(item) => item,
            Err(StoreError::ConditionFailed { .. }) => return Err(Error::CodeVoid),
            Err(other) => return Err(other.into()),
        };
        let counted: PendingCode = from_item(item.clone())?;
        let tries = counted.code_tries;
        let stored = counted.code_hash.unwrap_or_default();
        let expected = code_hash(&deps.config.secret, slot.purpose, slot.owner.id(), typed.expose());
        if stored.is_empty() || !same(&expected, &stored) {
            let tries_left = MAX_TRIES - tries;
            return Err(if tries_left > 0 {
                Error::CodeMismatch { tries_left }
            } else {
                Error::CodeVoid
            });
        }
        Ok((item, stored))
    }
    .await;
    if let Err(error @ (Error::CodeMismatch { .. } | Error::CodeExpired { .. } | Error::CodeVoid)) = &verified {
        tracing::info!(event = refused_event, account_id, reason = %error, "code");
    }
    verified
}
