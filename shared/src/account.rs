//! What a logged-in person does with their own account: accept the terms and register the
//! contact details (first login ⑤), and later change password, email and contact details.

use crate::codes::{self, CodeInput};
use crate::deps::Deps;
use crate::domain::Next;
use crate::domain::{Address, Email, Password, PasswordContext, PhoneNumber, PostalCode, VerificationCode};
use crate::error::{Error, Fields, when_condition_failed};
use crate::mail::{self, templates};
use crate::password_context;
use crate::secrets::token_hash;
use crate::session::{Authenticated, IDLE_TIMEOUT_SECONDS, authenticate, new_session};
use crate::store::records::{
    Account, Contact, EmailChange, LoginFailures, PendingCode, Session, SessionListing, TermsAcceptance, from_item,
};
use crate::store::{Change, Cond, Write};
use crate::suppression;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const EMAIL_CHANGE: &str = "email-change";

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields)]
pub struct TermsInput {
    pub version: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(rename = "Contact", transform = crate::api::text_fields, extend("examples" = [{"postalCode": "100-0001", "address": "東京都千代田区千代田1-1", "phone": "03-1234-5678"}]))]
pub struct ContactInput {
    pub postal_code: String,
    pub address: String,
    pub phone: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    pub postal_code: String,
    pub address: String,
    pub phone: String,
}

impl From<&Contact> for ContactView {
    fn from(contact: &Contact) -> Self {
        Self {
            postal_code: contact.postal_code.to_display(),
            address: contact.address.as_str().to_string(),
            phone: contact.phone.as_str().to_string(),
        }
    }
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields)]
pub struct PasswordChangeInput {
    pub current_password: String,
    pub password: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"currentPassword": "Sakura#2024go", "email": "taro.new@example.com"}]))]
pub struct EmailInput {
    pub current_password: String,
    pub email: String,
}

/// The account's item must still be the account it was (not reset into another year).
fn account_exists() -> Cond {
    Cond::Exists
}

/// ⑤ Records that the person accepted this version of the terms.
pub async fn accept_terms(deps: &Deps, token: Option<&str>, input: TermsInput) -> Result<Next, Error> {
    let Authenticated { mut account, insurer } = authenticate(deps, token).await?;
    if input.version.trim().is_empty() {
        return Err(Error::field(
            "version",
            "利用規約の版が指定されていません。画面を再読み込みしてください。",
        ));
    }
    if input.version != crate::terms::current_version(&insurer) {
        return Err(Error::TermsOutdated);
    }
    let acceptance = TermsAcceptance {
        version: input.version,
        accepted_at: deps.clock.unix(),
    };
    deps.store
        .update(
            &Account::key(&account.id),
            &[Change::set(Account::TERMS_ACCEPTED, &acceptance)],
            Some(&account_exists()),
        )
        .await?;
    account.terms_accepted = Some(acceptance);
    Ok(crate::progress::next_step(&account, &insurer))
}

pub async fn contact(deps: &Deps, token: Option<&str>) -> Result<Option<ContactView>, Error> {
    let authenticated = authenticate(deps, token).await?.require(Next::Contact)?;
    Ok(authenticated.account.contact.as_ref().map(ContactView::from))
}

/// ⑤ Registers (or later corrects) the insured person's contact details.
pub async fn put_contact(deps: &Deps, token: Option<&str>, input: ContactInput) -> Result<(ContactView, Next), Error> {
    let Authenticated { mut account, insurer } = authenticate(deps, token).await?.require(Next::Contact)?;
    let mut fields = Fields::default();
    let postal_code = fields.check("postalCode", PostalCode::parse(&input.postal_code));
    let address = fields.check("address", Address::parse(&input.address));
    let phone = fields.check("phone", PhoneNumber::parse(&input.phone));
    fields.finish()?;
    let (Some(postal_code), Some(address), Some(phone)) = (postal_code, address, phone) else {
        unreachable!("every field parsed when no field error was recorded");
    };
    let contact = Contact {
        postal_code,
        address,
        phone,
    };
    deps.store
        .update(
            &Account::key(&account.id),
            &[Change::set(Account::CONTACT, &contact)],
            Some(&account_exists()),
        )
        .await?;
    let view = ContactView::from(&contact);
    account.contact = Some(contact);
    Ok((view, crate::progress::next_step(&account, &insurer)))
}

/// Changes the password. Every other session ends; the caller gets a fresh session token.
pub async fn change_password(deps: &Deps, token: Option<&str>, input: PasswordChangeInput) -> Result<String, Error> {
    let Authenticated { account, insurer } = authenticate(deps, token).await?.require(Next::Home)?;
    let mut fields = Fields::default();
    if input.current_password.is_empty() {
        fields.add("currentPassword", "現在のパスワードを入力してください。");
    }
    let anyone = PasswordContext::for_user(Some(&account.user_id));
    fields.check("password", Password::parse(&input.password, &anyone));
    fields.finish()?;
    verify_current_password(deps, &account, &input.current_password, "password_change_refused").await?;
    // What only the person knows is checked once they have proven who they are, so that a
    // stolen session cannot learn the birth date or card from the answers.
    let password = Password::parse(&input.password, &password_context::of_account(deps, &account).await?)
        .map_err(|e| Error::field("password", e.0))?;
    let now = deps.clock.unix();
    let hash = deps.hasher.hash(password.expose()).await.map_err(Error::Unavailable)?;
    let renewed = Account {
        session_epoch: account.session_epoch + 1,
        ..account.clone()
    };
    let (new_token, [session, listing]) = new_session(&renewed, now);
    deps.store
        .transact(vec![
            Write::update(
                Account::key(&account.id),
                vec![
                    Change::set(Account::PASSWORD_HASH, hash),
                    Change::add(Account::SESSION_EPOCH, 1),
                ],
            )
            .when(Cond::eq(Account::SESSION_EPOCH, account.session_epoch)),
            session,
            listing,
        ])
        .await
        .map_err(when_condition_failed(Error::SessionEnded))?;
    tracing::info!(event = "password_changed", account_id = %account.id, "account");
    mail::send_best_effort(
        deps.mailer.as_ref(),
        &templates::password_changed(&account.email, &account.id, insurer.contact.as_ref()),
    )
    .await;
    Ok(new_token)
}

/// One running session of the person, as the settings page lists it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct SessionView {
    pub started_at: crate::clock::Timestamp,
    pub last_active_at: crate::clock::Timestamp,
    /// The session of the device asking.
    pub current: bool,
}

/// The person's running sessions, the most recently active first: the listings under the
/// account whose session is still there, of the current epoch and neither idle nor too old.
pub async fn list_sessions(deps: &Deps, token: Option<&str>) -> Result<Vec<SessionView>, Error> {
    let Authenticated { account, .. } = authenticate(deps, token).await?.require(Next::Home)?;
    let asking = token.map(token_hash);
    let now = deps.clock.unix();
    let listings = deps
        .store
        .query(&SessionListing::partition(&account.id), SessionListing::SK_PREFIX)
        .await?;
    let mut views = Vec::new();
    for item in listings {
        let listing: SessionListing = from_item(item)?;
        if listing.epoch != account.session_epoch || listing.absolute_expires_at <= now {
            continue;
        }
        let Some(item) = deps.store.get(&Session::key(&listing.token_hash)).await? else {
            continue;
        };
        let session: Session = from_item(item)?;
        if now >= session.last_seen_at + IDLE_TIMEOUT_SECONDS || session.epoch != account.session_epoch {
            continue;
        }
        views.push(SessionView {
            started_at: crate::clock::Timestamp(session.created_at),
            last_active_at: crate::clock::Timestamp(session.last_seen_at),
            current: asking.as_deref() == Some(listing.token_hash.as_str()),
        });
    }
    views.sort_by_key(|view| std::cmp::Reverse((view.current, view.last_active_at.0)));
    Ok(views)
}

/// 他の端末からログアウト: every other session of the account ends at once (its epoch rises)
/// and this device goes on with a fresh session, whose token is returned.
pub async fn end_other_sessions(deps: &Deps, token: Option<&str>) -> Result<String, Error> {
    let Authenticated { account, .. } = authenticate(deps, token).await?.require(Next::Home)?;
    let renewed = Account {
        session_epoch: account.session_epoch + 1,
        ..account.clone()
    };
    let (new_token, [session, listing]) = new_session(&renewed, deps.clock.unix());
    let mut writes = vec![
        Write::update(Account::key(&account.id), vec![Change::add(Account::SESSION_EPOCH, 1)])
            .when(Cond::eq(Account::SESSION_EPOCH, account.session_epoch)),
        session,
        listing,
    ];
    if let Some(token) = token {
        writes.push(Write::delete(Session::key(&token_hash(token))));
    }
    deps.store
        .transact(writes)
        .await
        .map_err(when_condition_failed(Error::SessionEnded))?;
    tracing::info!(event = "other_sessions_ended", account_id = %account.id, "account");
    Ok(new_token)
}

/// Re-authentication before a change to how the person logs in or recovers the account. The
/// current password is a login try like any other: it counts toward the same lock, so a stolen
/// session cannot be used to guess it.
/// A right password clears the count at once, as a login does, so that a change refused later
/// (a new password with the birth date in it) does not count toward the lock.
/// `refused_event` names the log event of a wrong password, for the screen it was typed on.
async fn verify_current_password(
    deps: &Deps,
    account: &Account,
    typed: &str,
    refused_event: &'static str,
) -> Result<(), Error> {
    let folded = account.user_id.key();
    let now = deps.clock.unix();
    if !crate::lockout::try_password(deps, &folded, Some(&account.password_hash), typed, now).await? {
        tracing::info!(event = refused_event, account_id = %account.id, reason = "current password wrong", "account");
        return Err(Error::CurrentPasswordWrong);
    }
    deps.store
        .transact(vec![Write::delete(LoginFailures::key(&folded))])
        .await?;
    Ok(())
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct CodeSent {
    pub masked_email: String,
    pub code_expires_at: crate::clock::Timestamp,
}

/// Starts an email change: a code goes to the new address, which takes effect once the code
/// comes back. The address is where password resets go, so changing it takes the current
/// password first, like a password change.
pub async fn request_email_change(deps: &Deps, token: Option<&str>, input: EmailInput) -> Result<CodeSent, Error> {
    let Authenticated { account, .. } = authenticate(deps, token).await?.require(Next::Home)?;
    let mut fields = Fields::default();
    if input.current_password.is_empty() {
        fields.add("currentPassword", "現在のパスワードを入力してください。");
    }
    let email = fields.check("email", Email::parse(&input.email));
    // An address that bounced may be confirmed again once its mailbox works: the code proves it.
    if let Some(email) = &email
        && email.same_mailbox(&account.email)
        && !suppression::is_suppressed(deps.store.as_ref(), email).await?
    {
        fields.add("email", "現在のメールアドレスと同じです。");
    }
    fields.finish()?;
    let Some(email) = email else {
        unreachable!("email parsed when no field error was recorded")
    };
    verify_current_password(deps, &account, &input.current_password, "email_change_refused").await?;
    let key = EmailChange::key(&account.id);
    let pending = match deps.store.get(&key).await? {
        Some(item) => from_item::<EmailChange>(item)?.code,
        None => PendingCode::default(),
    };
    let fields = vec![
        Change::set(EmailChange::ACCOUNT_ID, account.id.as_str()),
        Change::set(EmailChange::NEW_EMAIL, &email),
    ];
    let issued = codes::issue_on_item(
        deps,
        &key,
        &pending,
        EMAIL_CHANGE,
        &account.id,
        fields,
        deps.clock.unix(),
    )
    .await?;
    let message = templates::email_change_code(&email, &account.id, &issued.code, deps.config.code_ttl_seconds);
    codes::mail(deps, &key, &message)
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    tracing::info!(event = "email_change_requested", account_id = %account.id, "account");
    Ok(CodeSent {
        masked_email: email.masked(),
        code_expires_at: crate::clock::Timestamp(issued.expires_at),
    })
}

/// Finishes an email change with the code from the new address; a notice goes to the old one.
pub async fn confirm_email_change(deps: &Deps, token: Option<&str>, input: CodeInput) -> Result<String, Error> {
    let Authenticated { account, insurer } = authenticate(deps, token).await?.require(Next::Home)?;
    let typed = VerificationCode::parse(&input.code).map_err(|e| Error::field("code", e.0))?;
    let key = EmailChange::key(&account.id);
    let change: EmailChange = match deps.store.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::NoEmailChange),
    };
    let now = deps.clock.unix();
    let slot = codes::Slot {
        key: key.clone(),
        still: Cond::Exists,
        purpose: EMAIL_CHANGE,
        owner: codes::Owner::Account(&account.id),
        refused_event: "email_change_refused",
    };
    let (_, matched) = codes::verify(deps, slot, &change.code, &typed, now).await?;
    // The code came back from the new address, so it receives mail: any bounce of it, and the
    // account's place on its union's list of addresses that bounced, go with the change.
    let mut writes = vec![
        Write::delete(key).when(Cond::eq(PendingCode::CODE_HASH, matched)),
        Write::update(
            Account::key(&account.id),
            vec![Change::set(Account::EMAIL, &change.new_email)],
        )
        .when(account_exists()),
    ];
    writes.extend(suppression::lifted(&account, &change.new_email));
    deps.store
        .transact(writes)
        .await
        .map_err(when_condition_failed(Error::NoEmailChange))?;
    tracing::info!(event = "email_changed", account_id = %account.id, "account");
    mail::send_best_effort(
        deps.mailer.as_ref(),
        &templates::email_changed(
            &account.email,
            &account.id,
            &change.new_email.masked(),
            insurer.contact.as_ref(),
        ),
    )
    .await;
    Ok(change.new_email.masked())
}
