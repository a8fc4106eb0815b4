//! Addresses kennin stops mailing (issue 17). SES reports a permanent bounce or a complaint
//! through the configuration set's SNS topic to the mail-events function (or an operator
//! simulates one with `kennin-admin mail bounce`); kennin then records a `Suppression` of the
//! address, and lists the account it was sent for (the message's `account` tag) in its union's
//! progress partition for the call center to phone. A sender of mail nobody asked for (the
//! scheduled reminders) asks `is_suppressed` before each send; the mails a person's own request
//! sends (a code, a notice of a change) go out regardless, since the code is what proves an
//! address again. The person sees on the top page that the address bounced; changing it proves
//! the new address receives mail, which lifts both in the change's own transaction (`lifted`).

pub mod ses_event;

use crate::domain::{Email, InsurerCode};
use crate::error::Error;
use crate::store::records::{
    Account, Insurer, RosterEntry, RosterPerson, Suppression, SuppressionKind, Undeliverable, from_item, to_item,
};
use crate::store::{Cond, ItemStore, StoreError, Write};
use futures::{StreamExt as _, TryStreamExt as _};
use ses_event::MailEvent;

/// Accounts read at once when a report names many (an operator's whole roster).
const ACCOUNT_READS_IN_FLIGHT: usize = 16;

/// Roster persons read a page at a time by `claimed_accounts`.
const ROSTER_PAGE: usize = 1000;

/// Whether `email` is not to be mailed: one read, made before every send.
pub async fn is_suppressed(store: &dyn ItemStore, email: &Email) -> Result<bool, StoreError> {
    Ok(suppression(store, email).await?.is_some())
}

/// The suppression of `email`, if SES reported it.
pub async fn suppression(store: &dyn ItemStore, email: &Email) -> Result<Option<Suppression>, StoreError> {
    store.get(&Suppression::key(email)).await?.map(from_item).transpose()
}

/// Records that `email` is not to be mailed, and lists those of `accounts` whose address it
/// still is for their union's call center; returns how many were listed. Safe to repeat (SNS
/// delivers at least once): the same items are written again, the latest report's kind kept.
pub async fn record(
    store: &dyn ItemStore,
    email: &Email,
    kind: SuppressionKind,
    at: i64,
    accounts: &[String],
) -> Result<usize, StoreError> {
    let suppression = Suppression { kind, at };
    store
        .transact(vec![Write::put(Suppression::key(email), to_item(&suppression, None))])
        .await?;
    let listed: Vec<bool> = futures::stream::iter(accounts)
        .map(|id| list(store, email, kind, at, id))
        .buffer_unordered(ACCOUNT_READS_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(listed.into_iter().filter(|listed| *listed).count())
}

/// Lists the account when `email` is still its address. A tag can be older than the address
/// (the notice of an address change goes to the old one), so the address is compared, and the
/// listing is written conditionally on the address read: a change made meanwhile, which lifts
/// the listing, is not undone.
async fn list(
    store: &dyn ItemStore,
    email: &Email,
    kind: SuppressionKind,
    at: i64,
    account_id: &str,
) -> Result<bool, StoreError> {
    let Some(item) = store.get(&Account::key(account_id)).await? else {
        return Ok(false);
    };
    let account: Account = from_item(item)?;
    if !account.email.same_mailbox(email) {
        return Ok(false);
    }
    let listing = Undeliverable {
        account_id: account.id.clone(),
        symbol: account.symbol.clone(),
        number: account.number.clone(),
        name: account.name.clone(),
        kind,
        at,
    };
    let key = Undeliverable::key(&account.insurer, account.year, &account.symbol, &account.number);
    let written = store
        .transact(vec![
            Write::check(Account::key(&account.id), Cond::eq(Account::EMAIL, &account.email)),
            Write::put(key, to_item(&listing, None)),
        ])
        .await;
    match written {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}

/// The writes that undo a report for `account` once `new_email` has proved that it receives
/// mail (the address change's code came back from it): the address is mailed again and the
/// account leaves its union's list. For the change's own transaction; deleting what is not
/// there is harmless.
pub fn lifted(account: &Account, new_email: &Email) -> [Write; 2] {
    [
        Write::delete(Suppression::key(new_email)),
        Write::delete(Undeliverable::key(
            &account.insurer,
            account.year,
            &account.symbol,
            &account.number,
        )),
    ]
}

/// What one SES notification did; it holds no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Recorded {
        kind: SuppressionKind,
        /// Addresses now suppressed.
        addresses: usize,
        /// Recipients whose address could not be read: skipped.
        unreadable: usize,
        /// Accounts listed for the call center.
        listed: usize,
    },
    Ignored(&'static str),
    /// Not an SES notification kennin can read: acknowledged, since reading it again would
    /// fail again.
    Unreadable,
}

/// Acts on one SES notification (the text of an SNS record's `Message`) received at `now`.
pub async fn handle_notification(store: &dyn ItemStore, message: &str, now: i64) -> Result<Handled, StoreError> {
    let event = match ses_event::parse(message) {
        Ok(event) => event,
        Err(ses_event::Unreadable) => return Ok(Handled::Unreadable),
    };
    match event {
        MailEvent::Ignored(why) => Ok(Handled::Ignored(why)),
        MailEvent::Undeliverable {
            kind,
            recipients,
            unreadable,
            account,
        } => {
            let accounts: Vec<String> = account.into_iter().collect();
            let mut listed = 0;
            for email in &recipients {
                listed += record(store, email, kind, now, &accounts).await?;
            }
            Ok(Handled::Recorded {
                kind,
                addresses: recipients.len(),
                unreadable,
                listed,
            })
        }
    }
}

/// An operator's report of an address (`kennin-admin mail bounce`), recorded as SES's would be;
/// the accounts listed are those of the union's current roster whose address it is, when a union
/// is named. Returns how many were listed; `Error::NotFound` for a union that is not registered.
pub async fn report(
    store: &dyn ItemStore,
    email: &Email,
    kind: SuppressionKind,
    at: i64,
    insurer: Option<&InsurerCode>,
) -> Result<usize, Error> {
    let accounts = match insurer {
        None => Vec::new(),
        Some(code) => {
            let Some(item) = store.get(&Insurer::key(code)).await? else {
                return Err(Error::NotFound);
            };
            match from_item::<Insurer>(item)?.current_year {
                Some(year) => claimed_accounts(store, code, year).await?,
                None => Vec::new(),
            }
        }
    };
    Ok(record(store, email, kind, at, &accounts).await?)
}

/// The accounts that claimed a person of the union's roster of `year`, for a report whose
/// account no message tag names. It reads the whole roster a page at a time (about 7,500 RCU for
/// 100,000 persons on DynamoDB), which is why only the operator's command does.
async fn claimed_accounts(store: &dyn ItemStore, insurer: &InsurerCode, year: i32) -> Result<Vec<String>, StoreError> {
    let partition = RosterPerson::partition(insurer, year);
    let mut accounts = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .query_page(&partition, RosterPerson::SK_PREFIX, after.as_deref(), ROSTER_PAGE)
            .await?;
        for item in page.items {
            if let RosterEntry::Person(person) = RosterEntry::from_item(item)? {
                accounts.extend(person.claimed_by);
            }
        }
        match page.last {
            Some(last) => after = Some(last),
            None => return Ok(accounts),
        }
    }
}
