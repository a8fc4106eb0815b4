//! ④ Login, logout and who-am-I. Wrong IDs and wrong passwords are indistinguishable: same
//! answer, same argon2 work, same lock counter.

use crate::deps::Deps;
use crate::domain::Password;
use crate::error::Error;
use crate::secrets::{log_fingerprint, new_token, token_hash};
use crate::store::records::{
    Account, Insurer, LoginFailures, Session, SessionListing, UserIdGuard, from_item, to_item,
};
use crate::store::{Change, Cond, Key, StoreError, TTL, Write};
use crate::throttle::LOGIN_FAILURES_PER_IP;
use serde::{Deserialize, Serialize};

pub const MAX_LOGIN_FAILURES: i64 = 5;
pub const LOCK_SECONDS: i64 = 30 * 60;
/// NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account. The
/// failure that reaches it locks the ID until a password reset; a success before clears it.
pub const MAX_CONSECUTIVE_FAILURES: i64 = 100;
/// A user ID's failures are remembered this long after the last one, so that pausing between
/// locks does not dodge the cap (an account lives one survey year); the TTL only clears IDs
/// nobody tries any more.
const FAILURES_REMEMBERED_SECONDS: i64 = 366 * 24 * 60 * 60;
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;
/// A session's last-seen time is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LoginInput {
    pub user_id: String,
    pub password: String,
}

/// What the person has to do next after logging in.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Next {
    Terms,
    Contact,
    Home,
}

pub struct LoggedIn {
    pub token: String,
    pub next: Next,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InsurerView {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub insurer: InsurerView,
    pub survey_year: i32,
    pub next: Next,
    /// 組合からのお知らせ, newest first.
    pub notices: Vec<crate::notices::Notice>,
}

/// Where the person stands in first login ⑤: the union's current terms accepted, then the
/// contact details registered, then the top page.
pub fn next_step(account: &Account, insurer: &Insurer) -> Next {
    let accepted = account.terms_accepted.as_ref().map(|t| t.version.as_str());
    if accepted != Some(crate::terms::current_version(insurer)) {
        Next::Terms
    } else if account.contact.is_none() {
        Next::Contact
    } else {
        Next::Home
    }
}

/// The user ID as typed, folded the way `UserId` folds it, without requiring it to be well formed.
fn fold_user_id(input: &str) -> String {
    crate::domain::UserId::parse(input)
        .map(|id| id.key())
        .unwrap_or_else(|_| input.trim().to_ascii_lowercase())
}

/// The account's union, if the account belongs to its current survey year. Importing a new
/// year's roster resets every earlier account of that union. Read eventually consistent: it is
/// read on every logged-in request and changes once a year, and a request in the second after
/// a new roster that still sees the old year does no harm.
async fn current_insurer(deps: &Deps, account: &Account) -> Result<Option<Insurer>, Error> {
    let key = Insurer::key(&account.insurer);
    let insurer: Option<Insurer> = match deps.store.get_eventually_consistent(&key).await? {
        Some(item) => Some(from_item(item)?),
        None => None,
    };
    Ok(insurer.filter(|i| i.is_current(account.year)))
}

pub struct Authenticated {
    pub account: Account,
    pub insurer: Insurer,
}

impl Authenticated {
    pub fn next(&self) -> Next {
        next_step(&self.account, &self.insurer)
    }

    /// Steps cannot be skipped by calling the API directly: a route that needs the terms
    /// accepted (`Next::Contact`) or first login finished (`Next::Home`) refuses until then.
    pub fn require(self, reached: Next) -> Result<Self, Error> {
        let next = self.next();
        let order = |n: Next| match n {
            Next::Terms => 0,
            Next::Contact => 1,
            Next::Home => 2,
        };
        if order(next) < order(reached) {
            Err(Error::StepRequired { next })
        } else {
            Ok(self)
        }
    }
}

/// A new session for the account: the token for the cookie and the write that stores it.
/// A new session's token and the two writes that make it: the session, found by the hashed
/// token on every request, and its listing under the account.
pub fn new_session(account: &Account, now: i64) -> (String, [Write; 2]) {
    let token = new_token();
    let hash = token_hash(&token);
    let session = Session {
        account_id: account.id.clone(),
        epoch: account.session_epoch,
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: now + ABSOLUTE_TIMEOUT_SECONDS,
    };
    let listing = SessionListing {
        token_hash: hash.clone(),
        epoch: session.epoch,
        created_at: now,
        absolute_expires_at: session.absolute_expires_at,
    };
    let writes = [
        Write::put(
            Session::key(&hash),
            to_item(&session, Some(session.absolute_expires_at)),
        )
        .when(Cond::NotExists),
        Write::put(
            SessionListing::key(&account.id, &hash),
            to_item(&listing, Some(listing.absolute_expires_at)),
        ),
    ];
    (token, writes)
}

/// The account with the typed ID, if any. An unknown ID costs the same two reads as a known one:
/// the second reads a key no account has, so that the store's work does not tell them apart.
async fn find_account(deps: &Deps, folded: &str) -> Result<Option<Account>, Error> {
    let account_id = match deps.store.get(&UserIdGuard::key_for(folded)).await? {
        Some(item) => match from_item(item)? {
            UserIdGuard::Account { account_id, .. } => Some(account_id),
            UserIdGuard::Reservation { .. } => None,
        },
        None => None,
    };
    let item = deps
        .store
        .get(&Account::key(account_id.as_deref().unwrap_or("")))
        .await?;
    match (account_id, item) {
        (Some(_), Some(item)) => Ok(Some(from_item(item)?)),
        _ => Ok(None),
    }
}

pub async fn login(
    deps: &Deps,
    input: LoginInput,
    previous_session: Option<&str>,
    client_ip: &str,
) -> Result<LoggedIn, Error> {
    let mut fields = crate::error::Fields::default();
    if input.user_id.trim().is_empty() {
        fields.add("userId", "ユーザーIDを入力してください。");
    }
    let password = fields.check("password", Password::for_login(&input.password));
    fields.finish()?;
    let Some(password) = password else {
        unreachable!("password parsed when no field error was recorded")
    };
    if input.user_id.len() > 256 {
        return Err(Error::InvalidCredentials);
    }

    let folded = fold_user_id(&input.user_id);
    let now = deps.clock.unix();
    let (store, secret) = (deps.store.as_ref(), deps.config.secret.as_slice());
    // The address's try is counted before anything is evaluated, as the ID's is, so a burst from
    // one address gets no more evaluations than the limit; it is given back unless it turns out
    // a failure, so each failure counts once and successes and refusals not at all.
    if let Some(retry_after) = LOGIN_FAILURES_PER_IP.hit(store, secret, client_ip, now).await? {
        tracing::info!(event = "login_refused_address_throttled", "authentication");
        return Err(Error::LoginThrottled {
            retry_after,
            window_seconds: LOGIN_FAILURES_PER_IP.window_seconds,
        });
    }
    let evaluated = async {
        let account = find_account(deps, &folded).await?;
        let stored = account.as_ref().map(|a| a.password_hash.as_str());
        let tried = evaluate_password(deps, &folded, stored, password.expose(), now).await?;
        Ok::<_, Error>((account, tried))
    }
    .await;
    let (account, tried) = match evaluated {
        Ok(evaluated) => evaluated,
        Err(refused) => {
            LOGIN_FAILURES_PER_IP.give_back(store, secret, client_ip, now).await?;
            return Err(refused);
        }
    };
    match tried {
        Tried::Wrong => return Err(Error::InvalidCredentials),
        Tried::WrongAndLocked(lock) => return Err(lock),
        Tried::Right => LOGIN_FAILURES_PER_IP.give_back(store, secret, client_ip, now).await?,
    }
    // Always there: the dummy hash an unknown ID is checked against matches no password.
    let account = account.ok_or(Error::InvalidCredentials)?;
    // Said only to someone who knows the password, so it tells a stranger nothing.
    if account.disabled {
        tracing::info!(event = "login_refused_disabled", account_id = %account.id, "authentication");
        return Err(Error::AccountDisabled);
    }
    let Some(insurer) = current_insurer(deps, &account).await? else {
        tracing::info!(event = "login_refused_earlier_year", account_id = %account.id, "authentication");
        return Err(Error::AccountReset);
    };

    let (token, session_writes) = new_session(&account, now);
    let mut writes = Vec::from(session_writes);
    writes.push(Write::delete(LoginFailures::key(&folded)));
    // A session cookie the browser already had (perhaps planted) ends here, never adopted.
    if let Some(previous) = previous_session.filter(|p| *p != token) {
        writes.push(Write::delete(Session::key(&token_hash(previous))));
    }
    deps.store.transact(writes).await?;
    tracing::info!(
        event = "login_succeeded",
        account_id = %account.id,
        user_fingerprint = log_fingerprint(&deps.config.secret, &folded),
        "authentication"
    );
    Ok(LoggedIn {
        token,
        next: next_step(&account, &insurer),
    })
}

/// An evaluated password try.
enum Tried {
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
async fn evaluate_password(
    deps: &Deps,
    folded_user_id: &str,
    stored_hash: Option<&str>,
    password: &str,
    now: i64,
) -> Result<Tried, Error> {
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
    let counted: LoginFailures = match counted {
        Ok(item) => from_item(item)?,
        Err(StoreError::ConditionFailed { .. }) => return Err(refusal(deps, &key, folded_user_id, now).await?),
        Err(other) => return Err(other.into()),
    };
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
        deps.store.update(&key, &lock, None).await?;
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

pub async fn logout(deps: &Deps, token: Option<&str>) -> Result<(), Error> {
    if let Some(token) = token {
        deps.store
            .transact(vec![Write::delete(Session::key(&token_hash(token)))])
            .await?;
        tracing::info!(event = "logged_out", "authentication");
    }
    Ok(())
}

/// The account behind a session cookie, with the idle and absolute timeouts enforced here,
/// on the server, on every request.
pub async fn authenticate(deps: &Deps, token: Option<&str>) -> Result<Authenticated, Error> {
    let token = token.ok_or(Error::NotAuthenticated)?;
    let key = Session::key(&token_hash(token));
    let session: Session = match deps.store.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::NotAuthenticated),
    };
    let now = deps.clock.unix();
    if now >= session.absolute_expires_at || now >= session.last_seen_at + IDLE_TIMEOUT_SECONDS {
        deps.store.transact(vec![Write::delete(key)]).await?;
        let timeout = if now >= session.absolute_expires_at {
            "absolute"
        } else {
            "idle"
        };
        tracing::info!(event = "session_expired", account_id = %session.account_id, timeout, "authentication");
        return Err(Error::SessionExpired);
    }
    let account: Account = match deps.store.get(&Account::key(&session.account_id)).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::NotAuthenticated),
    };
    let Some(insurer) = current_insurer(deps, &account).await? else {
        return Err(Error::AccountReset);
    };
    // A password reset or change, or ending sessions, raised the account's epoch: sessions from
    // before have ended. Disabling raises it too; the flag is checked as well, on the account
    // item this request reads anyway.
    if account.disabled || session.epoch != account.session_epoch {
        deps.store.transact(vec![Write::delete(key)]).await?;
        if account.disabled {
            tracing::info!(event = "session_ended_by_account_disabled", account_id = %account.id, "authentication");
            return Err(Error::AccountDisabled);
        }
        tracing::info!(event = "session_ended_by_credential_change", account_id = %account.id, "authentication");
        return Err(Error::SessionEnded);
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL_SECONDS {
        deps.store
            .update(&key, &[Change::set(Session::LAST_SEEN_AT, now)], Some(&Cond::Exists))
            .await
            .map_err(|e| {
                if e.is_condition_failed() {
                    Error::NotAuthenticated
                } else {
                    e.into()
                }
            })?;
    }
    Ok(Authenticated { account, insurer })
}

pub async fn me(deps: &Deps, token: Option<&str>) -> Result<Me, Error> {
    let authenticated = authenticate(deps, token).await?;
    let next = authenticated.next();
    let Authenticated { account, insurer } = authenticated;
    let notices = crate::notices::list(
        deps.store.as_ref(),
        &crate::notices::Scope::Insurer(insurer.code.clone()),
    )
    .await?;
    Ok(Me {
        user_id: account.user_id.as_str().to_string(),
        name: account.name.clone(),
        insurer: InsurerView {
            code: insurer.code.to_string(),
            name: insurer.name,
        },
        survey_year: account.year,
        next,
        notices,
    })
}
