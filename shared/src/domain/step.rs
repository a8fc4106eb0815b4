//! The steps of first login ⑤ after the account exists, in the order a person goes through
//! them: the union's terms, then the contact details, then the top page.

use serde::Serialize;

/// What the person has to do next after logging in. Ordered as the steps are, so a route can
/// say "at least this far".
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Next {
    Terms,
    Contact,
    Home,
}

#[cfg(test)]
mod tests {
    use super::Next;

    #[test]
    fn the_steps_are_ordered_as_a_person_goes_through_them() {
        assert!(Next::Terms < Next::Contact && Next::Contact < Next::Home);
    }
}
