//! The lock on a user ID after failed logins: a few failures lock it for a while, and NIST's cap
//! on consecutive failures locks it until a password reset. Counted for every typed ID, existing
//! or not, so the answers cannot tell them apart.

use crate::deps::Deps;
use crate::error::Error;
use crate::secrets::log_fingerprint;
use crate::store::records::{LoginFailures, from_item};
use crate::store::{Change, Cond, Key, StoreError, TTL};

pub const MAX_LOGIN_FAILURES: i64 = 5;
pub const LOCK_SECONDS: i64 = 30 * 60;
/// NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account. The
/// failure that reaches it locks the ID until a password reset; a success before clears it.
pub const MAX_CONSECUTIVE_FAILURES: i64 = 100;
/// A user ID's failures are remembered this long after the last one, so that pausing between
/// locks does not dodge the cap (an account lives one survey year); the TTL only clears IDs
/// nobody tries any more.
const FAILURES_REMEMBERED_SECONDS: i64 = 366 * 24 * 60 * 60;

/// An evaluated password try.
pub(crate) enum Tried {
    Right,
    Wrong,
    /// Wrong, and this failure locked the ID: the answer is the lock's.
    WrongAndLocked(Error),
}

/// One password try for a typed user ID, existing or not: `Ok(true)` when it is right. The lock
/// a failure sets, or one already set, is the error.
pub async fn try_password(
    deps: &Deps,
    folded_user_id: &str,
    stored_hash: Option<&str>,
    password: &str,
    now: i64,
) -> Result<bool, Error> {
    match evaluate_password(deps, folded_user_id, stored_hash, password, now).await? {
        Tried::Right => Ok(true),
        Tried::Wrong => Ok(false),
        Tried::WrongAndLocked(lock) => Err(lock),
    }
}

/// The try is counted before the slow comparison, atomically and only while the ID is open, so a
/// burst of concurrent guesses cannot evaluate more than `MAX_LOGIN_FAILURES`; the failure that
/// reaches the limit locks the ID for `LOCK_SECONDS`, and the one that reaches
/// `MAX_CONSECUTIVE_FAILURES` until a password reset. A success leaves the count for the caller
/// to clear in its own write (`LoginFailures::key`). An unevaluated refusal is the error.
pub(crate) async fn evaluate_password(
    deps: &Deps,
    folded_user_id: &str,
    stored_hash: Option<&str>,
    password: &str,
    now: i64,
) -> Result<Tried, Error> {
    let counted = count_try(deps, folded_user_id, now).await?;
    judge_password(deps, folded_user_id, counted, stored_hash, password, now).await
}

/// A try counted by `count_try`, not yet judged.
pub(crate) struct Counted(LoginFailures);

/// The first half of `evaluate_password`, for a caller that reads the stored hash at the same
/// time: counts the try while the ID is open, or says why it is not.
pub(crate) async fn count_try(deps: &Deps, folded_user_id: &str, now: i64) -> Result<Counted, Error> {
    let key = LoginFailures::key(folded_user_id);
    let below = |attr, limit| Cond::Or(vec![Cond::missing(attr), Cond::lt(attr, limit)]);
    let open = Cond::And(vec![
        Cond::Or(vec![
            Cond::missing(LoginFailures::LOCKED_UNTIL),
            Cond::le(LoginFailures::LOCKED_UNTIL, now),
        ]),
        below(LoginFailures::FAILURES, MAX_LOGIN_FAILURES),
        below(LoginFailures::CONSECUTIVE_FAILURES, MAX_CONSECUTIVE_FAILURES),
    ]);
    let counted = deps
        .store
        .update(
            &key,
            &[
                Change::add(LoginFailures::FAILURES, 1),
                Change::add(LoginFailures::CONSECUTIVE_FAILURES, 1),
                Change::set(TTL, now + FAILURES_REMEMBERED_SECONDS),
            ],
            Some(&open),
        )
        .await;
    match counted {
        Ok(item) => Ok(Counted(from_item(item)?)),
        Err(StoreError::ConditionFailed { .. }) => Err(refusal(deps, &key, folded_user_id, now).await?),
        Err(other) => Err(other.into()),
    }
}

/// The second half of `evaluate_password`: the slow comparison, and the lock a failure sets.
pub(crate) async fn judge_password(
    deps: &Deps,
    folded_user_id: &str,
    Counted(counted): Counted,
    stored_hash: Option<&str>,
    password: &str,
    now: i64,
) -> Result<Tried, Error> {
    if deps.hasher.verify(password, stored_hash).await {
        return Ok(Tried::Right);
    }
    // The fingerprint lets an operator follow one ID's failures (and its later success)
    // without the log holding the ID.
    tracing::info!(
        event = "login_failed",
        known_account = stored_hash.is_some(),
        user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id),
        "authentication"
    );
    let key = LoginFailures::key(folded_user_id);
    counted_failure(deps, &key, &counted, folded_user_id, now).await
}

/// A second factor refused after the right password (a staff sign-in): the try that
/// `evaluate_password` counted stays a failure, and locks the ID like a wrong password's.
pub(crate) async fn second_factor_failed(deps: &Deps, folded_user_id: &str, now: i64) -> Result<Tried, Error> {
    let key = LoginFailures::key(folded_user_id);
    let counted = match deps.store.get(&key).await? {
        Some(item) => from_item::<LoginFailures>(item)?,
        None => LoginFailures::default(),
    };
    counted_failure(deps, &key, &counted, folded_user_id, now).await
}

/// The lock a counted failure sets when it reaches a limit.
async fn counted_failure(
    deps: &Deps,
    key: &Key,
    counted: &LoginFailures,
    folded_user_id: &str,
    now: i64,
) -> Result<Tried, Error> {
    if counted.consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
        tracing::warn!(
            event = "login_locked_until_reset",
            user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id),
            "authentication"
        );
        return Ok(Tried::WrongAndLocked(Error::LoginLockedUntilReset));
    }
    if counted.failures >= MAX_LOGIN_FAILURES {
        let lock = [
            Change::set(LoginFailures::FAILURES, 0),
            Change::set(LoginFailures::LOCKED_UNTIL, now + LOCK_SECONDS),
            Change::set(TTL, now + FAILURES_REMEMBERED_SECONDS),
        ];
        deps.store.update(key, &lock, None).await?;
        tracing::warn!(
            event = "login_locked",
            user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id),
            "authentication"
        );
        return Ok(Tried::WrongAndLocked(Error::LoginLocked {
            retry_after: LOCK_SECONDS,
        }));
    }
    Ok(Tried::Wrong)
}

/// Why a try was not counted: the cap, or the 30-minute lock with the time it has left.
async fn refusal(deps: &Deps, key: &Key, folded_user_id: &str, now: i64) -> Result<Error, Error> {
    let user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id);
    let failures = match deps.store.get(key).await? {
        Some(item) => from_item::<LoginFailures>(item)?,
        None => LoginFailures::default(),
    };
    if failures.consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
        tracing::info!(event = "login_refused_until_reset", user_fingerprint, "authentication");
        return Ok(Error::LoginLockedUntilReset);
    }
    tracing::info!(event = "login_refused_locked", user_fingerprint, "authentication");
    // Still zero while the try that reached the limit is being checked.
    let retry_after = if failures.locked_until > now {
        failures.locked_until - now
    } else {
        LOCK_SECONDS
    };
    Ok(Error::LoginLocked { retry_after })
}
