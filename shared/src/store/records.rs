//! What kennin keeps, item by item, and the key each lives under. Typed records go in and out
//! of the engines as JSON objects; `ttl` lets DynamoDB collect what has expired.

use super::{Item, Key, StoreError, TTL_ATTRIBUTE};
use crate::codes::PendingCode;
use crate::domain::{
    Address, BirthDate, CardNumber, CardSymbol, Email, InsurerCode, KanaName, PhoneNumber, PostalCode, UserId,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

pub fn to_item<T: Serialize>(record: &T, ttl: Option<i64>) -> Item {
    let mut item = match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("records serialise to JSON objects"),
    };
    if let Some(ttl) = ttl {
        item.insert(TTL_ATTRIBUTE.into(), ttl.into());
    }
    item
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(item)).map_err(|e| StoreError::Unavailable(format!("unreadable record: {e}")))
}

/// A union (保険者) and the survey year whose roster is current.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Insurer {
    pub code: InsurerCode,
    pub name: String,
    pub current_year: Option<i32>,
    /// The union's own terms of use, when it has published any; else the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_version: Option<String>,
}

impl Insurer {
    pub fn key(code: &InsurerCode) -> Key {
        Key::new(format!("INSURER#{code}"), "INSURER")
    }

    /// Whether what was made in survey `year` (an account, its user ID) still belongs to the
    /// union: importing a new year's roster resets everything of the earlier years.
    pub fn is_current(&self, year: i32) -> bool {
        self.current_year == Some(year)
    }
}

/// One insured person of a union's roster for one survey year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterPerson {
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    pub birth_date: BirthDate,
    pub name_kana: KanaName,
    pub name: String,
    /// The account that registered as this person this year; at most one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
}

impl RosterPerson {
    pub fn partition(insurer: &InsurerCode, year: i32) -> String {
        format!("ROSTER#{insurer}#{year}")
    }

    pub fn key(insurer: &InsurerCode, year: i32, symbol: &CardSymbol, number: &CardNumber) -> Key {
        Key::new(
            Self::partition(insurer, year),
            format!("CARD#{}#{}", symbol.as_str(), number.as_str()),
        )
    }

    pub fn own_key(&self) -> Key {
        Self::key(&self.insurer, self.year, &self.symbol, &self.number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignupStage {
    Account,
    Code,
    Done,
}

/// A first-login flow, from the identity check to the account. Addressed by the hash of the
/// token in the person's cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupFlow {
    pub id: String,
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    /// The person's name from the roster, for the account.
    pub name: String,
    pub stage: SignupStage,
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(flatten)]
    pub code: PendingCode,
}

impl SignupFlow {
    pub fn key(id: &str) -> Key {
        Key::new(format!("FLOW#{id}"), "SIGNUP")
    }
}

/// The guard that makes a user ID unique across all unions: while a flow holds it, it is
/// reserved; once the account exists, it points to the account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum UserIdGuard {
    #[serde(rename_all = "camelCase")]
    Reservation {
        flow_id: String,
        expires_at: i64,
        rev: String,
    },
    #[serde(rename_all = "camelCase")]
    Account {
        account_id: String,
        insurer: InsurerCode,
        year: i32,
        rev: String,
    },
}

impl UserIdGuard {
    pub fn key(user_id: &UserId) -> Key {
        Self::key_for(&user_id.key())
    }

    /// For login, where what was typed need not be a well-formed ID.
    pub fn key_for(folded: &str) -> Key {
        Key::new(format!("USERID#{folded}"), "GUARD")
    }

    pub fn rev(&self) -> &str {
        match self {
            UserIdGuard::Reservation { rev, .. } | UserIdGuard::Account { rev, .. } => rev,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub user_id: UserId,
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    pub name: String,
    pub email: Email,
    pub password_hash: String,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_accepted: Option<TermsAcceptance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Sessions carry the epoch they began in; raising it ends every session at once
    /// (password reset or change, 他の端末からログアウト, an operator's command).
    #[serde(default)]
    pub session_epoch: i64,
    /// Set by an operator (`kennin-admin account disable`): no login, and no session works.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsAcceptance {
    pub version: String,
    pub accepted_at: i64,
}

/// The insured person's own contact details (⑤), for the union to call about the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub postal_code: PostalCode,
    pub address: Address,
    pub phone: PhoneNumber,
}

impl Account {
    pub fn key(id: &str) -> Key {
        Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub account_id: String,
    #[serde(default)]
    pub epoch: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub absolute_expires_at: i64,
}

impl Session {
    pub fn key(token_hash: &str) -> Key {
        Key::new(format!("SESSION#{token_hash}"), "SESSION")
    }
}

/// A session as listed under its account, so that the person can see where they are logged in
/// (the session item itself is found by the hashed token alone). It ends with the session's
/// absolute lifetime; a logout or an idle end leaves it behind until then, so a listing counts
/// only while its session item is there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionListing {
    pub token_hash: String,
    pub epoch: i64,
    pub created_at: i64,
    pub absolute_expires_at: i64,
}

impl SessionListing {
    pub const SK_PREFIX: &str = "SESSION#";

    pub fn key(account_id: &str, token_hash: &str) -> Key {
        Key::new(
            format!("ACCOUNT#{account_id}"),
            format!("{}{token_hash}", Self::SK_PREFIX),
        )
    }
}

/// Consecutive failed logins for one typed user ID, whether or not an account has it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginFailures {
    #[serde(default)]
    pub failures: i64,
    #[serde(default)]
    pub locked_until: i64,
    /// Failures since the last success or password reset, never reset by a lock ending.
    #[serde(default)]
    pub consecutive_failures: i64,
}

impl LoginFailures {
    pub fn key(folded_user_id: &str) -> Key {
        Key::new(format!("LOGINFAIL#{folded_user_id}"), "FAILURES")
    }
}

/// One published version of a union's terms of use.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsDocument {
    pub version: String,
    pub title: String,
    pub text: String,
    pub published_at: i64,
}

impl TermsDocument {
    pub fn key(insurer: &InsurerCode, version: &str) -> Key {
        Key::new(format!("TERMS#{insurer}"), format!("VERSION#{version}"))
    }
}

/// A password reset in progress: the code mailed to the account's address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordReset {
    pub account_id: String,
    #[serde(flatten)]
    pub code: PendingCode,
}

impl PasswordReset {
    pub fn key(account_id: &str) -> Key {
        Key::new(format!("ACCOUNT#{account_id}"), "PASSWORD_RESET")
    }
}

/// An email change in progress: the new address and the code mailed to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailChange {
    pub account_id: String,
    pub new_email: Email,
    #[serde(flatten)]
    pub code: PendingCode,
}

impl EmailChange {
    pub fn key(account_id: &str) -> Key {
        Key::new(format!("ACCOUNT#{account_id}"), "EMAIL_CHANGE")
    }
}
