//! The words a person's new password must not contain: the service's, their user ID, their
//! union's code and name, their card and their birth date (read from the roster).

use crate::deps::Deps;
use crate::domain::{CardNumber, CardSymbol, InsurerCode, PasswordContext, UserId};
use crate::error::Error;
use crate::store::records::{Account, Insurer, RosterPerson, from_item};

/// What is known about the person that must not be in their password: the union (its name
/// read from the store) and this year's roster entry (the birth date).
pub(crate) async fn of_person(
    deps: &Deps,
    user_id: Option<&UserId>,
    insurer: &InsurerCode,
    year: i32,
    symbol: &CardSymbol,
    number: &CardNumber,
) -> Result<PasswordContext, Error> {
    let (insurer_key, person_key) = (Insurer::key(insurer), RosterPerson::key(insurer, year, symbol, number));
    let (union, person) = futures::join!(deps.store.get(&insurer_key), deps.store.get(&person_key));
    let name = match union? {
        Some(item) => from_item::<Insurer>(item)?.name,
        None => String::new(),
    };
    let context = PasswordContext::for_user(user_id)
        .insurer(insurer, &name)
        .card(symbol, number);
    Ok(match person? {
        Some(item) => context.birth_date(&from_item::<RosterPerson>(item)?.birth_date),
        None => context,
    })
}

pub(crate) async fn of_account(deps: &Deps, account: &Account) -> Result<PasswordContext, Error> {
    of_person(
        deps,
        Some(&account.user_id),
        &account.insurer,
        account.year,
        &account.symbol,
        &account.number,
    )
    .await
}
