use super::Invalid;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a member of a union's staff is there to do. Each role is a fixed set of permissions
/// (`allows`); a route names the one permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Everything, staff and the audit log included.
    Admin,
    /// Reads the lists, opens answers and documents, sends back and decides.
    Reviewer,
    /// Helps people by phone: looks them up, unlocks, sends the reset mail, sends back at their
    /// request and enters answers for them.
    Callcenter,
    /// Reads progress and the lists only.
    Viewer,
}

/// One thing a staff member may do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    ViewProgress,
    ViewTargets,
    /// A target's recorded data, answers and history.
    ViewAnswers,
    ViewDocuments,
    /// 継続 / 削除 / 保留, and marking a document 不備.
    Decide,
    /// 差し戻し.
    ReturnAnswers,
    LookUpPeople,
    UnlockPeople,
    SendPasswordReset,
    /// 代行入力.
    EnterAnswers,
    Export,
    ReadAudit,
    ManageStaff,
}

impl Permission {
    pub const ALL: [Self; 13] = [
        Self::ViewProgress,
        Self::ViewTargets,
        Self::ViewAnswers,
        Self::ViewDocuments,
        Self::Decide,
        Self::ReturnAnswers,
        Self::LookUpPeople,
        Self::UnlockPeople,
        Self::SendPasswordReset,
        Self::EnterAnswers,
        Self::Export,
        Self::ReadAudit,
        Self::ManageStaff,
    ];
}

impl StaffRole {
    pub const ALL: [Self; 4] = [Self::Admin, Self::Reviewer, Self::Callcenter, Self::Viewer];

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Self::Admin => true,
            Self::Reviewer => matches!(
                permission,
                ViewProgress | ViewTargets | ViewAnswers | ViewDocuments | Decide | ReturnAnswers
            ),
            // The progress page lists the persons whose address stopped receiving mail, whom
            // the call center phones.
            Self::Callcenter => matches!(
                permission,
                ViewProgress
                    | LookUpPeople
                    | ViewAnswers
                    | UnlockPeople
                    | SendPasswordReset
                    | ReturnAnswers
                    | EnterAnswers
            ),
            Self::Viewer => matches!(permission, ViewProgress | ViewTargets),
        }
    }

    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| self.allows(*p)).collect()
    }

    /// The label the console shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "管理者",
            Self::Reviewer => "審査担当",
            Self::Callcenter => "コールセンター",
            Self::Viewer => "閲覧のみ",
        }
    }

    /// The role as an operator or an admin names it (`admin`, `reviewer`, `callcenter`, `viewer`).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|role| role.name() == input.trim())
            .ok_or(Invalid(
                "役割は admin、reviewer、callcenter、viewer のいずれかを指定してください。",
            ))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Reviewer => "reviewer",
            Self::Callcenter => "callcenter",
            Self::Viewer => "viewer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_names_and_serialise_as_them() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.name()), Ok(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.name());
        }
        assert!(StaffRole::parse("root").is_err());
    }

    #[test]
    fn only_an_admin_manages_staff_exports_and_reads_the_audit_log() {
        for permission in [Permission::ManageStaff, Permission::Export, Permission::ReadAudit] {
            let allowed: Vec<_> = StaffRole::ALL.into_iter().filter(|r| r.allows(permission)).collect();
            assert_eq!(allowed, [StaffRole::Admin], "{permission:?}");
        }
        assert_eq!(
            StaffRole::Viewer.permissions(),
            [Permission::ViewProgress, Permission::ViewTargets]
        );
        assert!(!StaffRole::Callcenter.allows(Permission::ViewDocuments));
        assert!(!StaffRole::Reviewer.allows(Permission::EnterAnswers));
    }
}
