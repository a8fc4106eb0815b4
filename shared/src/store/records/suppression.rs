//! Addresses kennin no longer mails, and the union's list of whom to phone instead
//! (docs/data-model.md, "Mail"; `kennin::suppression`).

use super::{Key, Progress, Record};
use crate::domain::{CardNumber, CardSymbol, Email, InsurerCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Why an address is not mailed: SES reported a permanent bounce, or the recipient marked a
/// mail as spam (a complaint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    Bounce,
    Complaint,
}

impl SuppressionKind {
    /// The label the console shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bounce => "不達",
            Self::Complaint => "迷惑メール報告",
        }
    }
}

/// An address kennin does not mail until a person proves that it receives mail again (the
/// address change's code). Found by the hash of the address alone: the item does not hold the
/// address, so it tells nobody whose address bounced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub at: i64,
}

attributes!(Suppression {
    KIND: SuppressionKind = "kind",
    AT: i64 = "at",
});

impl Suppression {
    /// SHA-256 of the address folded as `Email::same_mailbox` compares it: SES reports the
    /// address in the case it was sent in or typed by the recipient's server.
    pub fn key(email: &Email) -> Key {
        let hash = hex::encode(Sha256::digest(email.mailbox().as_bytes()));
        Key::new(format!("SUPPRESSED#{hash}"), "SUPPRESSION")
    }
}

/// An account whose address is suppressed, listed for its union's call center to phone. Kept in
/// the campaign's progress partition, which the progress page reads with one Query already; one
/// per card, as one account per card registers in a year. Removed when the person changes the
/// address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undeliverable {
    pub account_id: String,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    pub name: String,
    pub kind: SuppressionKind,
    pub at: i64,
}

attributes!(Undeliverable {
    ACCOUNT_ID: str = "accountId",
    SYMBOL: CardSymbol = "symbol",
    NUMBER: CardNumber = "number",
    NAME: str = "name",
    KIND: SuppressionKind = "kind",
    AT: i64 = "at",
});

impl Undeliverable {
    /// In card order within the progress partition.
    pub const SK_PREFIX: &str = "UNDELIVERABLE#";

    pub fn key(insurer: &InsurerCode, year: i32, symbol: &CardSymbol, number: &CardNumber) -> Key {
        Key::new(
            Progress::partition(insurer, year),
            format!("{}{}#{}", Self::SK_PREFIX, symbol.as_str(), number.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_records_store_exactly_the_attributes_they_declare() {
        use super::super::tests::assert_declared_as_stored;
        assert_declared_as_stored(&[Suppression {
            kind: SuppressionKind::Complaint,
            at: 1,
        }]);
        assert_declared_as_stored(&[Undeliverable {
            account_id: "account".into(),
            symbol: CardSymbol::parse("1001").unwrap(),
            number: CardNumber::parse("1").unwrap(),
            name: "健保 太郎".into(),
            kind: SuppressionKind::Bounce,
            at: 2,
        }]);
    }

    #[test]
    fn an_address_is_suppressed_in_any_case_and_is_not_in_its_key() {
        let key = Suppression::key(&Email::parse("Taro@Example.com").unwrap());
        assert_eq!(key, Suppression::key(&Email::parse("taro@example.COM").unwrap()));
        assert_ne!(key, Suppression::key(&Email::parse("jiro@example.com").unwrap()));
        assert!(!key.pk.to_lowercase().contains("taro"), "{key:?}");
        assert_eq!(key.pk.len(), "SUPPRESSED#".len() + 64);
    }
}
