//! Where a person stands in first login ⑤, from their account and their union.

use crate::domain::Next;
use crate::store::records::{Account, Insurer};

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
