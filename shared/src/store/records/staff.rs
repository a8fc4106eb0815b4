//! The union's staff: members, their sign-in, their sessions (docs/data-model.md, "Staff, audit").

use super::{Key, Record};
use crate::domain::{Email, InsurerCode, StaffRole};
use serde::{Deserialize, Serialize};

/// A member of a union's staff. Found by the union's partition and the member's id (a session
/// carries both), listed by the union's partition, and found at sign-in through
/// `StaffEmailGuard`. Secrets are stored only as what `second_factor` and `secrets` make of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Staff {
    pub id: String,
    pub insurer: InsurerCode,
    pub email: Email,
    pub name: String,
    pub role: StaffRole,
    /// Set on accepting the invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Sealed (encrypted) TOTP secret, set once the first code from it was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// Hashes of the recovery codes not yet used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Raised by disabling, a role change or a new password: sessions from before end.
    #[serde(default)]
    pub session_epoch: i64,
    pub created_at: i64,
    /// When the newest invitation's link stops working: inviting again voids the older links,
    /// whose invitations end at another time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_expires_at: Option<i64>,
}

attributes!(Staff {
    ID: str = "id",
    INSURER: InsurerCode = "insurer",
    EMAIL: Email = "email",
    NAME: str = "name",
    ROLE: StaffRole = "role",
    PASSWORD_HASH: str = "passwordHash",
    TOTP_SECRET: str = "totpSecret",
    RECOVERY_CODES: Vec<String> = "recoveryCodes",
    DISABLED: bool = "disabled",
    SESSION_EPOCH: i64 = "sessionEpoch",
    CREATED_AT: i64 = "createdAt",
    INVITATION_EXPIRES_AT: i64 = "invitationExpiresAt",
});

impl Staff {
    pub const SK_PREFIX: &str = "STAFF#";

    /// The union's staff partition: `staff list` is one Query of it.
    pub fn partition(insurer: &InsurerCode) -> String {
        format!("STAFF#{insurer}")
    }

    pub fn key(insurer: &InsurerCode, id: &str) -> Key {
        Key::new(Self::partition(insurer), format!("{}{id}", Self::SK_PREFIX))
    }

    pub fn own_key(&self) -> Key {
        Self::key(&self.insurer, &self.id)
    }

    /// Whether the member finished the invitation (a password and a second factor).
    pub fn enrolled(&self) -> bool {
        self.password_hash.is_some() && self.totp_secret.is_some()
    }
}

/// One address, one member, across every union: sign-in takes only the address. Written with
/// the member, conditionally on not existing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffEmailGuard {
    pub insurer: InsurerCode,
    pub staff_id: String,
}

attributes!(StaffEmailGuard {
    INSURER: InsurerCode = "insurer",
    STAFF_ID: str = "staffId",
});

impl StaffEmailGuard {
    /// Addresses are compared without regard to case (`Email::same_mailbox`).
    pub fn key(email: &Email) -> Key {
        Key::new(format!("STAFFEMAIL#{}", email.mailbox()), "GUARD")
    }
}

/// A staff member's session, found by the hashed token of the staff cookie. Never a person's:
/// the two cookies, records and checks are separate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffSession {
    pub insurer: InsurerCode,
    pub staff_id: String,
    pub epoch: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub absolute_expires_at: i64,
}

attributes!(StaffSession {
    INSURER: InsurerCode = "insurer",
    STAFF_ID: str = "staffId",
    EPOCH: i64 = "epoch",
    CREATED_AT: i64 = "createdAt",
    LAST_SEEN_AT: i64 = "lastSeenAt",
    ABSOLUTE_EXPIRES_AT: i64 = "absoluteExpiresAt",
});

impl StaffSession {
    pub fn key(token_hash: &str) -> Key {
        Key::new(format!("STAFFSESSION#{token_hash}"), "SESSION")
    }
}

/// An invitation to the console, found by the hashed token of its link; the token itself is
/// only in the mail. Accepting it sets the password and keeps a new TOTP secret here, sealed,
/// until the first code from it is confirmed; confirming moves the secret to the member and
/// deletes the invitation in the same transaction, conditionally, so it works once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffInvitation {
    pub insurer: InsurerCode,
    pub staff_id: String,
    pub expires_at: i64,
    /// Sealed (owner: the staff id), set by accepting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
}

attributes!(StaffInvitation {
    INSURER: InsurerCode = "insurer",
    STAFF_ID: str = "staffId",
    EXPIRES_AT: i64 = "expiresAt",
    TOTP_SECRET: str = "totpSecret",
});

impl StaffInvitation {
    /// How long an invitation's link works (stated in its mail and in the answer when it
    /// expired).
    pub const LIFETIME_SECONDS: i64 = 24 * 60 * 60;

    pub fn key(token_hash: &str) -> Key {
        Key::new(format!("INVITATION#{token_hash}"), "INVITATION")
    }
}

/// A TOTP time step a member has signed in with: a code works once (RFC 6238 §5.2), so the
/// step is claimed with a put conditional on its absence, in the sign-in's transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpUse {
    pub used_at: i64,
}

attributes!(TotpUse {
    USED_AT: i64 = "usedAt",
});

impl TotpUse {
    /// Under the member's id (not the union's staff partition, which `staff list` reads).
    pub fn key(staff_id: &str, step: u64) -> Key {
        Key::new(format!("STAFF#{staff_id}"), format!("TOTP#{step}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn staff() -> Staff {
        Staff {
            id: "s1".into(),
            insurer: InsurerCode::parse("0904").unwrap(),
            email: Email::parse("admin@example.com").unwrap(),
            name: "組合 一郎".into(),
            role: StaffRole::Admin,
            password_hash: Some("hash".into()),
            totp_secret: Some("sealed".into()),
            recovery_codes: vec!["code".into()],
            disabled: true,
            session_epoch: 1,
            created_at: 2,
            invitation_expires_at: Some(3),
        }
    }

    #[test]
    fn staff_records_store_exactly_the_attributes_they_declare() {
        use super::super::tests::assert_declared_as_stored;
        assert_declared_as_stored(&[staff()]);
        assert_declared_as_stored(&[StaffEmailGuard {
            insurer: InsurerCode::parse("0904").unwrap(),
            staff_id: "s1".into(),
        }]);
        assert_declared_as_stored(&[StaffSession {
            insurer: InsurerCode::parse("0904").unwrap(),
            staff_id: "s1".into(),
            epoch: 1,
            created_at: 2,
            last_seen_at: 3,
            absolute_expires_at: 4,
        }]);
        assert_declared_as_stored(&[StaffInvitation {
            insurer: InsurerCode::parse("0904").unwrap(),
            staff_id: "s1".into(),
            expires_at: 5,
            totp_secret: Some("sealed".into()),
        }]);
        assert_declared_as_stored(&[TotpUse { used_at: 6 }]);
    }
}
