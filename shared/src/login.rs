//! ④ Login. Wrong IDs and wrong passwords are indistinguishable: same answer, same argon2 work,
//! same lock counter.

use crate::deps::Deps;
use crate::domain::{Next, Password};
use crate::error::Error;
use crate::lockout::{Tried, count_try, judge_password};
use crate::secrets::{log_fingerprint, token_hash};
use crate::session::{current_insurer, new_session};
use crate::store::Write;
use crate::store::records::{Account, LoginFailures, Session, UserIdGuard, from_item};
use crate::throttle::LOGIN_FAILURES_PER_IP;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"userId": "kenpo_taro", "password": "Sakura#2024go"}]))]
pub struct LoginInput {
    pub user_id: String,
    pub password: String,
}

pub struct LoggedIn {
    pub token: String,
    pub next: Next,
}

/// The user ID as typed, folded the way `UserId` folds it, without requiring it to be well formed.
fn fold_user_id(input: &str) -> String {
    crate::domain::UserId::parse(input)
        .map(|id| id.key())
        .unwrap_or_else(|_| input.trim().to_ascii_lowercase())
}

/// The account ID the typed ID belongs to, if any (the first of the two reads of an account).
async fn account_id_for(deps: &Deps, folded: &str) -> Result<Option<String>, Error> {
    Ok(match deps.store.get(&UserIdGuard::key_for(folded)).await? {
        Some(item) => match from_item(item)? {
            UserIdGuard::Account { account_id, .. } => Some(account_id),
            UserIdGuard::Reservation { .. } => None,
        },
        None => None,
    })
}

/// The account itself. An unknown ID costs the same two reads as a known one: this one reads a
/// key no account has, so that the store's work does not tell them apart.
async fn account_by_id(deps: &Deps, account_id: Option<String>) -> Result<Option<Account>, Error> {
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
    // a failure, so each failure counts once and successes and refusals not at all. Reads and
    // counts that do not depend on each other go out together: the address's count with the
    // ID's first read, the ID's count with the account's read.
    let (address_hit, account_id) = futures::join!(
        LOGIN_FAILURES_PER_IP.hit(store, secret, client_ip, now),
        account_id_for(deps, &folded)
    );
    if let Some(retry_after) = address_hit? {
        tracing::info!(event = "login_refused_address_throttled", "authentication");
        return Err(Error::LoginThrottled {
            retry_after,
            window_seconds: LOGIN_FAILURES_PER_IP.window_seconds,
        });
    }
    let evaluated = async {
        let (account, counted) = futures::join!(account_by_id(deps, account_id?), count_try(deps, &folded, now));
        let (counted, account) = (counted?, account?);
        let stored = account.as_ref().map(|a| a.password_hash.as_str());
        let tried = judge_password(deps, &folded, counted, stored, password.expose(), now).await?;
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
        Tried::Right => {}
    }
    // Always there: the dummy hash an unknown ID is checked against matches no password.
    let account = account.ok_or(Error::InvalidCredentials)?;
    let (given_back, insurer) = futures::join!(
        LOGIN_FAILURES_PER_IP.give_back(store, secret, client_ip, now),
        current_insurer(deps, &account)
    );
    given_back?;
    // Said only to someone who knows the password, so it tells a stranger nothing.
    if account.disabled {
        tracing::info!(event = "login_refused_disabled", account_id = %account.id, "authentication");
        return Err(Error::AccountDisabled);
    }
    let Some(insurer) = insurer? else {
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
        next: crate::progress::next_step(&account, &insurer),
    })
}
