//! The staff console's append-only audit log (docs/data-model.md, "Staff, audit").

use super::{Key, Record};
use crate::domain::{InsurerCode, StaffRole};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a staff member did. Views of personal data count as much as changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    SignedOut,
    InvitationAccepted,
    SecondFactorEnrolled,
    RecoveryCodeUsed,
    StaffInvited,
    StaffRoleChanged,
    StaffDisabled,
    StaffEnabled,
    ViewedProgress,
    ViewedTargets,
    ViewedTarget,
    ViewedDocument,
    LookedUpPeople,
    Returned,
    Decided,
    DocumentRefused,
    AnswersEnteredByProxy,
    PersonUnlocked,
    PasswordResetSent,
    Exported,
    ViewedAudit,
}

/// What an action was about: ids only, never a name, an answer or a file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum AuditSubject {
    Target {
        id: String,
    },
    Document {
        target: String,
        id: String,
    },
    /// An insured person, by their account or roster id.
    Person {
        id: String,
    },
    Staff {
        id: String,
    },
    /// A list or an export, by what was asked for (the filter's names, not a searched value).
    Query {
        what: String,
    },
}

/// One line of the log, under its union and month. The sort key starts with the time, so a
/// month reads in order; the request ID and a sequence number keep two lines of one second
/// (or one request) apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub at: i64,
    pub insurer: InsurerCode,
    /// The staff member's id, or none for a failed sign-in of an unknown address (which is not
    /// written here at all: it belongs to no union).
    pub staff_id: String,
    pub role: StaffRole,
    pub action: AuditAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<AuditSubject>,
    pub ip: String,
    pub request_id: String,
}

attributes!(AuditEntry {
    AT: i64 = "at",
    INSURER: InsurerCode = "insurer",
    STAFF_ID: str = "staffId",
    ROLE: StaffRole = "role",
    ACTION: AuditAction = "action",
    SUBJECT: AuditSubject = "subject",
    IP: str = "ip",
    REQUEST_ID: str = "requestId",
});

impl AuditEntry {
    /// A union's month of the log, `yyyy-mm` in Japan time.
    pub fn partition(insurer: &InsurerCode, month: &str) -> String {
        format!("AUDIT#{insurer}#{month}")
    }

    /// The month (Japan time) an instant falls in, as the partition names it.
    pub fn month_of(at: i64) -> String {
        let date = time::OffsetDateTime::from_unix_timestamp(at)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .to_offset(time::macros::offset!(+9))
            .date();
        format!("{:04}-{:02}", date.year(), u8::from(date.month()))
    }

    pub fn key(&self, sequence: u32) -> Key {
        Key::new(
            Self::partition(&self.insurer, &Self::month_of(self.at)),
            format!("{:012}#{}#{sequence:03}", self.at, self.request_id),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_entries_store_exactly_the_attributes_they_declare_under_their_month_in_japan() {
        use super::super::tests::assert_declared_as_stored;
        let entry = AuditEntry {
            // 2036-05-31T15:00:00Z is 2036-06-01 00:00 in Japan.
            at: 2_095_858_800,
            insurer: InsurerCode::parse("0904").unwrap(),
            staff_id: "s1".into(),
            role: StaffRole::Reviewer,
            action: AuditAction::ViewedTarget,
            subject: Some(AuditSubject::Target { id: "t1".into() }),
            ip: "192.0.2.1".into(),
            request_id: "r1".into(),
        };
        assert_declared_as_stored(std::slice::from_ref(&entry));
        assert_eq!(entry.key(0).pk, "AUDIT#0904#2036-06");
        assert_eq!(entry.key(2).sk, "002095858800#r1#002");
    }
}
