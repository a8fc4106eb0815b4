//! Sessions: the token a login hands out, the account behind it on every request with the idle
//! and absolute timeouts enforced on the server, and logout.

use crate::deps::Deps;
use crate::domain::{InsurerCode, Next};
use crate::error::{Error, when_condition_failed};
use crate::secrets::{new_token, token_hash};
use crate::store::records::{Account, Insurer, Session, SessionListing, from_item, to_item};
use crate::store::{Change, Cond, Write};

pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;
/// A session's last-seen time is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// The account's union, if the account belongs to its current survey year. Importing a new
/// year's roster resets every earlier account of that union. Read eventually consistent: it is
/// read on every logged-in request and changes once a year, and a request in the second after
/// a new roster that still sees the old year does no harm.
pub(crate) async fn current_insurer(deps: &Deps, account: &Account) -> Result<Option<Insurer>, Error> {
    union_in_year(deps, &account.insurer, account.year).await
}

/// The union, if `year` is its current survey year.
async fn union_in_year(deps: &Deps, code: &InsurerCode, year: i32) -> Result<Option<Insurer>, Error> {
    let insurer: Option<Insurer> = match deps.store.get_eventually_consistent(&Insurer::key(code)).await? {
        Some(item) => Some(from_item(item)?),
        None => None,
    };
    Ok(insurer.filter(|i| i.is_current(year)))
}

pub struct Authenticated {
    pub account: Account,
    pub insurer: Insurer,
}

impl Authenticated {
    pub fn next(&self) -> Next {
        crate::progress::next_step(&self.account, &self.insurer)
    }

    /// Steps cannot be skipped by calling the API directly: a route that needs the terms
    /// accepted (`Next::Contact`) or first login finished (`Next::Home`) refuses until then.
    pub fn require(self, reached: Next) -> Result<Self, Error> {
        let next = self.next();
        if next < reached {
            Err(Error::StepRequired { next })
        } else {
            Ok(self)
        }
    }
}

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
        insurer: Some(account.insurer.clone()),
        year: Some(account.year),
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
    let read_account = async {
        match deps.store.get(&Account::key(&session.account_id)).await? {
            Some(item) => Ok::<_, Error>(Some(from_item::<Account>(item)?)),
            None => Ok(None),
        }
    };
    let (account, insurer) = match (&session.insurer, session.year) {
        (Some(code), Some(year)) => {
            let (account, insurer) = futures::join!(read_account, union_in_year(deps, code, year));
            (account?, insurer?)
        }
        _ => {
            let account = read_account.await?;
            let insurer = match &account {
                Some(account) => current_insurer(deps, account).await?,
                None => None,
            };
            (account, insurer)
        }
    };
    let Some(account) = account else {
        return Err(Error::NotAuthenticated);
    };
    let Some(insurer) = insurer.filter(|insurer| insurer.code == account.insurer) else {
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
            .map_err(when_condition_failed(Error::NotAuthenticated))?;
    }
    Ok(Authenticated { account, insurer })
}
