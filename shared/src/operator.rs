//! What an operator does to people's accounts with `kennin-admin` (V7.4.2, V7.4.5): end one
//! person's sessions or those of everyone in a union, and disable an account or enable it
//! again. Sessions end through the account's session epoch, which every request already
//! compares: nothing is looked up or deleted session by session.

use crate::domain::{InsurerCode, UserId};
use crate::error::{Error, when_condition_failed};
use crate::store::records::{Account, Insurer, RosterPerson, UserIdGuard, from_item};
use crate::store::{Change, Cond, ItemStore};

/// The account that holds the user ID, of whatever survey year.
pub async fn find_account(store: &dyn ItemStore, user_id: &UserId) -> Result<Account, Error> {
    let Some(item) = store.get(&UserIdGuard::key(user_id)).await? else {
        return Err(Error::NotFound);
    };
    let UserIdGuard::Account { account_id, .. } = from_item(item)? else {
        return Err(Error::NotFound);
    };
    match store.get(&Account::key(&account_id)).await? {
        Some(item) => Ok(from_item(item)?),
        None => Err(Error::NotFound),
    }
}

/// Every session of the account ends at its next request.
pub async fn end_sessions(store: &dyn ItemStore, account_id: &str) -> Result<(), Error> {
    raise_epoch(store, account_id, Vec::new()).await
}

/// Every session of everyone registered in the union's current survey year ends; the number
/// of accounts is returned. Earlier years' accounts cannot log in anyway.
pub async fn end_union_sessions(store: &dyn ItemStore, insurer: &InsurerCode) -> Result<usize, Error> {
    let Some(item) = store.get(&Insurer::key(insurer)).await? else {
        return Err(Error::NotFound);
    };
    let Some(year) = from_item::<Insurer>(item)?.current_year else {
        return Ok(0);
    };
    let mut ended = 0;
    for item in store
        .query(&RosterPerson::partition(insurer, year), RosterPerson::SK_PREFIX)
        .await?
    {
        if let Some(account_id) = from_item::<RosterPerson>(item)?.claimed_by {
            end_sessions(store, &account_id).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// A disabled account cannot log in, and its sessions end at once; enabling it again brings
/// none of them back.
pub async fn set_disabled(store: &dyn ItemStore, account_id: &str, disabled: bool) -> Result<(), Error> {
    if disabled {
        raise_epoch(store, account_id, vec![Change::set(Account::DISABLED, true)]).await
    } else {
        store
            .update(
                &Account::key(account_id),
                &[Change::remove(Account::DISABLED)],
                Some(&Cond::Exists),
            )
            .await
            .map(drop)
            .map_err(when_condition_failed(Error::NotFound))
    }
}

async fn raise_epoch(store: &dyn ItemStore, account_id: &str, mut changes: Vec<Change>) -> Result<(), Error> {
    changes.push(Change::add(Account::SESSION_EPOCH, 1));
    store
        .update(&Account::key(account_id), &changes, Some(&Cond::Exists))
        .await
        .map(drop)
        .map_err(when_condition_failed(Error::NotFound))
}
