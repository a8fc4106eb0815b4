//! The call center (コールセンター): finding the person on the phone by their card or by their
//! kana and birth date, seeing whether they registered, are locked out or disabled, and their
//! targets; lifting a login lock; mailing them a password reset code. The operator never sees a
//! code, an address (only its masked form), or anyone outside their own union.

use super::TargetRef;
use super::review::MailEntry;
use crate::deps::Deps;
use crate::domain::{BirthDate, CardNumber, CardSymbol, KanaName, Permission, TargetStatus, parse_card};
use crate::error::{Error, Fields};
use crate::http::ApiRequest;
use crate::lockout::MAX_CONSECUTIVE_FAILURES;
use crate::mail::jobs::{self, Recipient};
use crate::staff_session::{self, StaffContext};
use crate::store::Index;
use crate::store::records::{Account, AuditAction, AuditSubject, LoginFailures, RosterPerson, Target, from_item};
use crate::store::{Write, records::RosterEntry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// People of one birth date whose kana starts alike: more than this is not a phone call's list.
const MOST_PEOPLE: usize = 20;

#[derive(Debug, Serialize, JsonSchema)]
pub struct PeopleView {
    pub people: Vec<PersonView>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    /// `{symbol}-{number}`: the person in /api/admin/people/{id}/….
    pub id: String,
    pub name: String,
    pub name_kana: String,
    /// `1990/01/01`
    pub birth_date: String,
    /// Has an account (a user ID) this survey year.
    pub registered: bool,
    /// Cannot log in for failed attempts (for a while, or until a password reset).
    pub locked: bool,
    /// The account was disabled by an operator.
    pub disabled: bool,
    /// The account's address, masked (`t***@example.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
    pub targets: Vec<PersonTarget>,
    /// What kennin mailed the person this survey year (or could not), oldest first: the
    /// invitation, the reminders and the mails about each form.
    pub mails: Vec<MailEntry>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonTarget {
    /// The target in /api/admin/targets/{id} (`TargetRef`).
    #[serde(rename = "ref")]
    pub reference: String,
    pub name: String,
    pub relationship: String,
    pub status: TargetStatus,
    pub status_label: &'static str,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetSent {
    pub message: String,
    pub masked_email: String,
}

/// The body of the call center's actions: an empty JSON object, so that they are sent as every
/// state-changing request is (application/json, which no other site's form can send).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("examples" = [{}]))]
pub struct NoFields {}

/// What the operator searched by.
enum Search {
    Card(CardSymbol, CardNumber),
    KanaAndBirthDate(KanaName, BirthDate),
}

impl Search {
    fn from_request(request: &ApiRequest, today: time::Date) -> Result<Self, Error> {
        let mut fields = Fields::default();
        if let Some(card) = request.query_parameter("card") {
            let card = fields.check("card", parse_card(card));
            fields.finish()?;
            let Some((symbol, number)) = card else {
                unreachable!("the card parsed when no field error was recorded");
            };
            return Ok(Self::Card(symbol, number));
        }
        let kana = fields.check("kana", KanaName::parse(request.query_parameter("kana").unwrap_or("")));
        let birth_date = fields.check(
            "birthDate",
            BirthDate::parse(request.query_parameter("birthDate").unwrap_or(""), today),
        );
        fields.finish()?;
        let (Some(kana), Some(birth_date)) = (kana, birth_date) else {
            unreachable!("every field parsed when no field error was recorded");
        };
        Ok(Self::KanaAndBirthDate(kana, birth_date))
    }

    /// What the audit log keeps of the search: the fields' names, never the values.
    fn audited(&self) -> AuditSubject {
        let what = match self {
            Self::Card(..) => "card",
            Self::KanaAndBirthDate(..) => "kana,birthDate",
        };
        AuditSubject::Query { what: what.into() }
    }
}

/// GET /api/admin/people?card= or ?kana=&birthDate=: the union's persons of the current year
/// that match. A card is one GetItem; kana and birth date one Query of the birth date's small
/// partition of `Index::ByKana` (docs/data-model.md).
pub async fn look_up(deps: &Deps, request: &ApiRequest) -> Result<PeopleView, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::LookUpPeople)?;
    let search = Search::from_request(request, deps.clock.today_in_japan())?;
    context
        .auditor
        .record(deps, AuditAction::LookedUpPeople, Some(search.audited()))
        .await?;
    let Some(year) = context.insurer.current_year else {
        return Ok(PeopleView { people: Vec::new() });
    };
    let code = &context.insurer.code;
    let found: Vec<RosterPerson> = match &search {
        Search::Card(symbol, number) => match deps.store.get(&RosterPerson::key(code, year, symbol, number)).await? {
            Some(item) => vec![from_item(item)?],
            None => Vec::new(),
        },
        Search::KanaAndBirthDate(kana, birth_date) => {
            let partition = RosterPerson::birth_partition(code, year, birth_date);
            let page = deps
                .store
                .index_page(Index::ByKana, &partition, kana.as_str(), None, MOST_PEOPLE, false)
                .await?;
            page.items.into_iter().map(from_item).collect::<Result<_, _>>()?
        }
    };
    let mut people = Vec::with_capacity(found.len());
    for person in found {
        people.push(view(deps, &context, person).await?);
    }
    Ok(PeopleView { people })
}

async fn view(deps: &Deps, context: &StaffContext, person: RosterPerson) -> Result<PersonView, Error> {
    let partition = Target::partition(&person.insurer, person.year, &person.symbol, &person.number);
    let recipient = Recipient::of_person(&person);
    let (account, targets, mails) = futures::try_join!(
        account_of(deps, &person),
        async { Ok(deps.store.query(&partition, Target::SK_PREFIX).await?) },
        async { Ok(jobs::person_history(deps.store.as_ref(), &recipient).await?) }
    )?;
    let targets = targets
        .into_iter()
        .map(from_item::<Target>)
        .map(|target| {
            let target = target?;
            Ok(PersonTarget {
                reference: TargetRef::of(&target).to_string(),
                name: target.recorded.name,
                relationship: target.recorded.relationship.as_str().to_string(),
                status: target.status,
                status_label: target.status.label(),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let locked = match &account {
        Some(account) => is_locked(deps, account, context.now).await?,
        None => false,
    };
    Ok(PersonView {
        id: person_id(&person.symbol, &person.number),
        name: person.name,
        name_kana: person.name_kana.as_str().to_string(),
        birth_date: person.birth_date.to_display(),
        registered: account.is_some(),
        locked,
        disabled: account.as_ref().is_some_and(|a| a.disabled),
        masked_email: account.as_ref().map(|a| a.email.masked()),
        targets,
        mails: mails.into_iter().map(MailEntry::from).collect(),
    })
}

fn person_id(symbol: &CardSymbol, number: &CardNumber) -> String {
    format!("{}-{}", symbol.as_str(), number.as_str())
}

/// The account that registered as the person this year.
async fn account_of(deps: &Deps, person: &RosterPerson) -> Result<Option<Account>, Error> {
    let Some(account_id) = &person.claimed_by else {
        return Ok(None);
    };
    match deps.store.get(&Account::key(account_id)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// Locked as the login sees it (`lockout`): for a while after a few failures, or until a reset.
async fn is_locked(deps: &Deps, account: &Account, now: i64) -> Result<bool, Error> {
    let failures = match deps.store.get(&LoginFailures::key(&account.user_id.key())).await? {
        Some(item) => from_item::<LoginFailures>(item)?,
        None => return Ok(false),
    };
    Ok(failures.locked_until > now || failures.consecutive_failures >= MAX_CONSECUTIVE_FAILURES)
}

/// The registered person of the path's `{id}` in the staff member's union: 404 for anything
/// else (another union's person is not under this union's keys), 409 if they have no account.
async fn registered_person(deps: &Deps, context: &StaffContext, request: &ApiRequest) -> Result<Account, Error> {
    let (symbol, number) = request
        .path_parameter("id")
        .and_then(canonical_person_id)
        .ok_or(Error::NotFound)?;
    let year = context.insurer.current_year.ok_or(Error::NotFound)?;
    let item = deps
        .store
        .get(&RosterPerson::key(&context.insurer.code, year, &symbol, &number))
        .await?
        .ok_or(Error::NotFound)?;
    let RosterEntry::Person(person) = RosterEntry::from_item(item)? else {
        return Err(Error::NotFound);
    };
    account_of(deps, &person).await?.ok_or(Error::PersonNotRegistered)
}

/// `{symbol}-{number}` as the lookup returns it, and nothing else.
fn canonical_person_id(text: &str) -> Option<(CardSymbol, CardNumber)> {
    let (symbol, number) = text.split_once('-')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(symbol) || !digits(number) {
        return None;
    }
    Some((CardSymbol::parse(symbol).ok()?, CardNumber::parse(number).ok()?))
}

/// POST /api/admin/people/{id}/unlock: clears the person's login lock (their user ID's failed
/// logins), with its audit entry in the same transaction.
pub async fn unlock(deps: &Deps, request: &ApiRequest) -> Result<(), Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::UnlockPeople)?;
    request.json::<NoFields>()?;
    let account = registered_person(deps, &context, request).await?;
    deps.store
        .transact(vec![
            Write::delete(LoginFailures::key(&account.user_id.key())),
            context.auditor.entry(
                AuditAction::PersonUnlocked,
                Some(AuditSubject::Person { id: account.id.clone() }),
            ),
        ])
        .await?;
    tracing::info!(event = "person_unlocked", account_id = %account.id, staff_id = %context.staff.id, "console");
    Ok(())
}

/// POST /api/admin/people/{id}/password-reset: mails the person a reset code exactly as
/// パスワードを忘れた方 does. The entry is written before the mail: an entry for a send that then
/// failed is better than a send without one.
pub async fn send_password_reset(deps: &Deps, request: &ApiRequest) -> Result<ResetSent, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::SendPasswordReset)?;
    request.json::<NoFields>()?;
    let account = registered_person(deps, &context, request).await?;
    context
        .auditor
        .record(
            deps,
            AuditAction::PasswordResetSent,
            Some(AuditSubject::Person { id: account.id.clone() }),
        )
        .await?;
    crate::recovery::mail_reset_code(deps, &account).await?;
    let masked_email = account.email.masked();
    Ok(ResetSent {
        message: format!("{masked_email} 宛てにパスワード再設定用の認証番号を送信しました。"),
        masked_email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_id_is_the_canonical_card_only() {
        let (symbol, number) = canonical_person_id("1001-23").unwrap();
        assert_eq!((symbol.as_str(), number.as_str()), ("1001", "23"));
        for wrong in ["", "1001", "1001-", "-23", "１００１-23", "1001-23-1", "1001-2a"] {
            assert!(canonical_person_id(wrong).is_none(), "{wrong}");
        }
    }
}
