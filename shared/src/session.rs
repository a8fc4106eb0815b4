//! ④ Login, logout and who-am-I. Wrong IDs and wrong passwords are indistinguishable: same
//! answer, same argon2 work, same lock counter.

use crate::deps::Deps;
use crate::domain::Password;
use crate::error::Error;
use crate::secrets::{log_fingerprint, new_token, token_hash};
use crate::store::records::{Account, Insurer, LoginFailures, Session, UserIdGuard, from_item, to_item};
use crate::store::{Change, Cond, StoreError, TTL_ATTRIBUTE, Write};
use serde::{Deserialize, Serialize};

pub const MAX_LOGIN_FAILURES: i64 = 5;
pub const LOCK_SECONDS: i64 = 30 * 60;
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
/// year's roster resets every earlier account of that union.
async fn current_insurer(deps: &Deps, account: &Account) -> Result<Option<Insurer>, Error> {
    let insurer: Option<Insurer> = match deps.store.get(&Insurer::key(&account.insurer)).await? {
        Some(item) => Some(from_item(item)?),
        None => None,
    };
    Ok(insurer.filter(|i| i.current_year == Some(account.year)))
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
pub fn new_session(account: &Account, now: i64) -> (String, Write) {
    let token = new_token();
    let session = Session {
        account_id: account.id.clone(),
        epoch: account.session_epoch,
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: now + ABSOLUTE_TIMEOUT_SECONDS,
    };
    let write = Write::Put {
        key: Session::key(&token_hash(&token)),
        item: to_item(&session, Some(session.absolute_expires_at)),
        cond: Some(Cond::NotExists),
    };
    (token, write)
}

async fn find_account(deps: &Deps, folded: &str) -> Result<Option<Account>, Error> {
    let Some(item) = deps.store.get(&UserIdGuard::key_for(folded)).await? else {
        return Ok(None);
    };
    let UserIdGuard::Account { account_id, .. } = from_item(item)? else {
        return Ok(None);
    };
    match deps.store.get(&Account::key(&account_id)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

pub async fn login(deps: &Deps, input: LoginInput, previous_session: Option<&str>) -> Result<LoggedIn, Error> {
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
    let account = find_account(deps, &folded).await?;
    let stored = account.as_ref().map(|a| a.password_hash.as_str());
    let verified = try_password(deps, &folded, stored, password.expose(), now).await?;
    let account = match account {
        Some(account) if verified => account,
        _ => return Err(Error::InvalidCredentials),
    };
    let Some(insurer) = current_insurer(deps, &account).await? else {
        tracing::info!(event = "login_refused_earlier_year", account_id = %account.id, "authentication");
        return Err(Error::AccountReset);
    };

    let (token, write) = new_session(&account, now);
    let mut writes = vec![
        write,
        Write::Delete {
            key: LoginFailures::key(&folded),
            cond: None,
        },
    ];
    // A session cookie the browser already had (perhaps planted) ends here, never adopted.
    if let Some(previous) = previous_session.filter(|p| *p != token) {
        writes.push(Write::Delete {
            key: Session::key(&token_hash(previous)),
            cond: None,
        });
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

/// One password try for a typed user ID, existing or not. The try is counted before the slow
/// comparison, atomically and only while the ID is not locked, so a burst of concurrent guesses
/// cannot evaluate more than `MAX_LOGIN_FAILURES`; the failure that reaches the limit locks the
/// ID for `LOCK_SECONDS`. A success leaves the count for the caller to clear in its own write
/// (`LoginFailures::key`).
pub async fn try_password(
    deps: &Deps,
    folded_user_id: &str,
    stored_hash: Option<&str>,
    password: &str,
    now: i64,
) -> Result<bool, Error> {
    let key = LoginFailures::key(folded_user_id);
    let open = Cond::And(vec![
        Cond::Or(vec![Cond::missing("lockedUntil"), Cond::le("lockedUntil", now)]),
        Cond::Or(vec![
            Cond::missing("failures"),
            Cond::lt("failures", MAX_LOGIN_FAILURES),
        ]),
    ]);
    let counted = deps
        .store
        .update(
            &key,
            &[
                Change::add("failures", 1),
                Change::set(TTL_ATTRIBUTE, now + LOCK_SECONDS * 2),
            ],
            Some(&open),
        )
        .await;
    let counted: LoginFailures = match counted {
        Ok(item) => from_item(item)?,
        Err(StoreError::ConditionFailed { .. }) => {
            let locked_until = match deps.store.get(&key).await? {
                Some(item) => from_item::<LoginFailures>(item)?.locked_until,
                None => 0,
            };
            tracing::info!(
                event = "login_refused_locked",
                user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id),
                "authentication"
            );
            // Still zero while the try that reached the limit is being checked.
            let retry_after = if locked_until > now {
                locked_until - now
            } else {
                LOCK_SECONDS
            };
            return Err(Error::LoginLocked { retry_after });
        }
        Err(other) => return Err(other.into()),
    };
    if deps.hasher.verify(password, stored_hash).await {
        return Ok(true);
    }
    // The fingerprint lets an operator follow one ID's failures (and its later success)
    // without the log holding the ID.
    tracing::info!(
        event = "login_failed",
        known_account = stored_hash.is_some(),
        user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id),
        "authentication"
    );
    if counted.failures >= MAX_LOGIN_FAILURES {
        let lock = [
            Change::set("failures", 0),
            Change::set("lockedUntil", now + LOCK_SECONDS),
            Change::set(TTL_ATTRIBUTE, now + LOCK_SECONDS * 2),
        ];
        deps.store.update(&key, &lock, None).await?;
        tracing::warn!(
            event = "login_locked",
            user_fingerprint = log_fingerprint(&deps.config.secret, folded_user_id),
            "authentication"
        );
        return Err(Error::LoginLocked {
            retry_after: LOCK_SECONDS,
        });
    }
    Ok(false)
}

pub async fn logout(deps: &Deps, token: Option<&str>) -> Result<(), Error> {
    if let Some(token) = token {
        deps.store
            .transact(vec![Write::Delete {
                key: Session::key(&token_hash(token)),
                cond: None,
            }])
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
        deps.store.transact(vec![Write::Delete { key, cond: None }]).await?;
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
    // A password reset or change raised the account's epoch: sessions from before have ended.
    if session.epoch != account.session_epoch {
        deps.store.transact(vec![Write::Delete { key, cond: None }]).await?;
        tracing::info!(event = "session_ended_by_credential_change", account_id = %account.id, "authentication");
        return Err(Error::SessionEnded);
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL_SECONDS {
        deps.store
            .update(&key, &[Change::set("lastSeenAt", now)], Some(&Cond::Exists))
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
