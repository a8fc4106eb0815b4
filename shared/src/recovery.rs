//! The login page's links: パスワードを忘れた方はこちら and ユーザーIDを忘れた方はこちら. The
//! requests answer the same whether or not anything matched, in the same time, and are
//! throttled per target and per client address; only a mail to the registered address says
//! more.

use crate::codes;
use crate::deps::Deps;
use crate::domain::{
    BirthDate, CardNumber, CardSymbol, Email, InsurerCode, Password, PasswordContext, UserId, VerificationCode,
    card_value,
};
use crate::error::{Error, Fields, when_condition_failed};
use crate::mail::templates;
use crate::store::records::{
    Account, Insurer, LoginFailures, PasswordReset, PendingCode, RosterPerson, UserIdGuard, from_item,
};
use crate::store::{Change, Cond, Write};
use crate::throttle::{
    Limit, PASSWORD_FORGOT_PER_IP, PASSWORD_FORGOT_PER_USER_ID, USER_ID_FORGOT_PER_CARD, USER_ID_FORGOT_PER_IP,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

const PASSWORD_RESET: &str = "password-reset";

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"userId": "kenpo_taro", "email": "taro@example.com"}]))]
pub struct ForgotPasswordInput {
    pub user_id: String,
    pub email: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"userId": "kenpo_taro", "code": "123456", "password": "Tsubame#8817go"}]))]
pub struct ResetPasswordInput {
    pub user_id: String,
    pub code: String,
    pub password: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": "1990/01/01", "email": "taro@example.com"}]))]
pub struct ForgotUserIdInput {
    pub insurer_code: String,
    pub symbol: String,
    pub number: String,
    pub birth_date: String,
    pub email: String,
}

/// The one answer a recovery request gets, whatever matched.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(inline)]
pub struct Accepted {
    message: &'static str,
}

impl Default for Accepted {
    fn default() -> Self {
        Self {
            message: ACCEPTED_MESSAGE,
        }
    }
}

pub const ACCEPTED_MESSAGE: &str = "入力内容が登録情報と一致した場合は、登録されているメールアドレスにメールを送信しました。数分たっても届かない場合は、迷惑メールフォルダをご確認のうえ、入力内容を確かめてもう一度お試しください。";

async fn throttle(deps: &Deps, limits: [(&Limit, &str); 2]) -> Result<(), Error> {
    let now = deps.clock.unix();
    for (limit, value) in limits {
        if let Some(retry_after) = limit.hit(deps.store.as_ref(), &deps.config.secret, value, now).await? {
            return Err(Error::RecoveryThrottled {
                retry_after,
                window_seconds: limit.window_seconds,
            });
        }
    }
    Ok(())
}

/// Waits out the rest of the floor, so matched and unmatched requests take the same time.
async fn answer_at_floor(deps: &Deps, started: Instant) {
    let floor = Duration::from_millis(deps.config.recovery_floor_ms);
    tokio::time::sleep(floor.saturating_sub(started.elapsed())).await;
}

/// The account that has this user ID this survey year, if any.
/// The account holding the user ID, with its union, if it belongs to the union's current year.
async fn current_account(deps: &Deps, user_id: &UserId) -> Result<Option<(Account, Insurer)>, Error> {
    let Some(item) = deps.store.get(&UserIdGuard::key(user_id)).await? else {
        return Ok(None);
    };
    let UserIdGuard::Account {
        account_id,
        insurer,
        year,
        ..
    } = from_item(item)?
    else {
        return Ok(None);
    };
    let insurer = match deps.store.get(&Insurer::key(&insurer)).await? {
        Some(item) => from_item::<Insurer>(item)?,
        None => return Ok(None),
    };
    if !insurer.is_current(year) {
        return Ok(None);
    }
    match deps.store.get(&Account::key(&account_id)).await? {
        Some(item) => Ok(Some((from_item(item)?, insurer))),
        None => Ok(None),
    }
}

/// パスワードを忘れた方: mails a reset code when the user ID and address match an account.
pub async fn forgot_password(deps: &Deps, input: ForgotPasswordInput, client_ip: &str) -> Result<(), Error> {
    let started = Instant::now();
    let mut fields = Fields::default();
    let user_id = fields.check("userId", UserId::parse(&input.user_id));
    let email = fields.check("email", Email::parse(&input.email));
    fields.finish()?;
    let (Some(user_id), Some(email)) = (user_id, email) else {
        unreachable!("every field parsed when no field error was recorded");
    };
    throttle(
        deps,
        [
            (&PASSWORD_FORGOT_PER_USER_ID, &user_id.key()),
            (&PASSWORD_FORGOT_PER_IP, client_ip),
        ],
    )
    .await?;
    if let Some((account, _)) = current_account(deps, &user_id).await?
        && account.email.same_mailbox(&email)
    {
        send_reset_code(deps, &account).await?;
    }
    answer_at_floor(deps, started).await;
    Ok(())
}

async fn send_reset_code(deps: &Deps, account: &Account) -> Result<(), Error> {
    match mail_reset_code(deps, account).await {
        // Too soon or too often: nothing is sent, and nothing in the answer says so.
        Err(Error::ResendThrottled { .. } | Error::ResendLimit) => Ok(()),
        // Answering 503 here only would tell that the account exists; the person can ask again
        // at once, since the failed send is not counted.
        Err(Error::Unavailable(cause)) => {
            tracing::error!(error = %cause, "password reset mail not sent");
            Ok(())
        }
        other => other,
    }
}

/// Issues a reset code for the account and mails it to the account's address: the same record
/// and mail whoever asks (the person, or the call center for them); the code never leaves here.
/// Too soon or too often is the resend error; a failed send is `Unavailable` (and not counted).
pub async fn mail_reset_code(deps: &Deps, account: &Account) -> Result<(), Error> {
    let key = PasswordReset::key(&account.id);
    let pending = match deps.store.get(&key).await? {
        Some(item) => from_item::<PasswordReset>(item)?.code,
        None => PendingCode::default(),
    };
    let fields = vec![Change::set(PasswordReset::ACCOUNT_ID, account.id.as_str())];
    let issued = codes::issue_on_item(
        deps,
        &key,
        &pending,
        PASSWORD_RESET,
        &account.id,
        fields,
        deps.clock.unix(),
    )
    .await?;
    tracing::info!(event = "password_reset_code_issued", account_id = %account.id, "account");
    let message =
        templates::password_reset_code(&account.email, &account.id, &issued.code, deps.config.code_ttl_seconds);
    codes::mail(deps, &key, &message)
        .await
        .map_err(|error| Error::Unavailable(format!("password reset mail not sent: {error}")))
}

/// Sets a new password with the mailed code. Every session of the account ends, a login lock
/// is cleared, and a notice goes to the registered address. No automatic login.
pub async fn reset_password(deps: &Deps, input: ResetPasswordInput) -> Result<(), Error> {
    let mut fields = Fields::default();
    let user_id = fields.check("userId", UserId::parse(&input.user_id));
    let code = fields.check("code", VerificationCode::parse(&input.code));
    let anyone = PasswordContext::for_user(user_id.as_ref());
    fields.check("password", Password::parse(&input.password, &anyone));
    fields.finish()?;
    let (Some(user_id), Some(code)) = (user_id, code) else {
        unreachable!("every field parsed when no field error was recorded");
    };
    let Some((account, insurer)) = current_account(deps, &user_id).await? else {
        tracing::info!(event = "password_reset_refused", reason = "no such user ID", "account");
        return Err(Error::ResetCodeInvalid);
    };
    let key = PasswordReset::key(&account.id);
    let reset: PasswordReset = match deps.store.get(&key).await? {
        Some(item) => from_item(item)?,
        None => {
            tracing::info!(event = "password_reset_refused", account_id = %account.id, reason = "no reset pending", "account");
            return Err(Error::ResetCodeInvalid);
        }
    };
    let now = deps.clock.unix();
    let slot = codes::Slot {
        key: key.clone(),
        still: Cond::Exists,
        purpose: PASSWORD_RESET,
        owner: codes::Owner::Account(&account.id),
        refused_event: "password_reset_refused",
    };
    let (_, matched) = codes::verify(deps, slot, &reset.code, &code, now).await?;
    // Checked only with the right code, so the answer never tells a stranger the birth date or
    // card of the account. The code stays valid for another password.
    let password = Password::parse(
        &input.password,
        &crate::password_context::of_account(deps, &account).await?,
    )
    .map_err(|e| Error::field("password", e.0))?;
    let hash = deps.hasher.hash(password.expose()).await.map_err(Error::Unavailable)?;
    deps.store
        .transact(vec![
            Write::delete(key).when(Cond::eq(PendingCode::CODE_HASH, matched)),
            Write::update(
                Account::key(&account.id),
                vec![
                    Change::set(Account::PASSWORD_HASH, hash),
                    Change::add(Account::SESSION_EPOCH, 1),
                ],
            )
            .when(Cond::Exists),
            Write::delete(LoginFailures::key(&user_id.key())),
        ])
        .await
        .map_err(when_condition_failed(Error::CodeVoid))?;
    tracing::info!(event = "password_reset", account_id = %account.id, "account");
    crate::mail::send_best_effort(
        deps.mailer.as_ref(),
        &templates::password_changed(&account.email, &account.id, insurer.contact.as_ref()),
    )
    .await;
    Ok(())
}

/// ユーザーIDを忘れた方: mails the user ID when the card, birth date and address match this
/// year's account.
pub async fn forgot_user_id(deps: &Deps, input: ForgotUserIdInput, client_ip: &str) -> Result<(), Error> {
    let started = Instant::now();
    let mut fields = Fields::default();
    let code = fields.check("insurerCode", InsurerCode::parse(&input.insurer_code));
    let symbol = fields.check("symbol", CardSymbol::parse(&input.symbol));
    let number = fields.check("number", CardNumber::parse(&input.number));
    let birth_date = fields.check(
        "birthDate",
        BirthDate::parse(&input.birth_date, deps.clock.today_in_japan()),
    );
    let email = fields.check("email", Email::parse(&input.email));
    fields.finish()?;
    let (Some(code), Some(symbol), Some(number), Some(birth_date), Some(email)) =
        (code, symbol, number, birth_date, email)
    else {
        unreachable!("every field parsed when no field error was recorded");
    };
    let card = card_value(&code, &symbol, &number);
    throttle(
        deps,
        [(&USER_ID_FORGOT_PER_CARD, &card), (&USER_ID_FORGOT_PER_IP, client_ip)],
    )
    .await?;
    if let Some(account) = claimed_account(deps, &code, &symbol, &number, &birth_date).await?
        && account.email.same_mailbox(&email)
    {
        match deps
            .mailer
            .send(&templates::user_id_reminder(
                &account.email,
                &account.id,
                &account.user_id,
            ))
            .await
        {
            Ok(()) => tracing::info!(event = "user_id_reminder_sent", account_id = %account.id, "account"),
            Err(error) => tracing::error!(error = %error, "user ID reminder not sent"),
        }
    }
    answer_at_floor(deps, started).await;
    Ok(())
}

async fn claimed_account(
    deps: &Deps,
    code: &InsurerCode,
    symbol: &CardSymbol,
    number: &CardNumber,
    birth_date: &BirthDate,
) -> Result<Option<Account>, Error> {
    let Some(item) = deps.store.get(&Insurer::key(code)).await? else {
        return Ok(None);
    };
    let Some(year) = from_item::<Insurer>(item)?.current_year else {
        return Ok(None);
    };
    let Some(item) = deps.store.get(&RosterPerson::key(code, year, symbol, number)).await? else {
        return Ok(None);
    };
    let person: RosterPerson = from_item(item)?;
    let Some(account_id) = person.claimed_by.filter(|_| &person.birth_date == birth_date) else {
        return Ok(None);
    };
    match deps.store.get(&Account::key(&account_id)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}
