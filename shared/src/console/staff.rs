//! The union's staff: adding a member (who is mailed an invitation), listing them, changing a
//! role, disabling and enabling. The operator's CLI and a union admin's console routes
//! (GET/POST /api/admin/staff, PUT /api/admin/staff/{id}) share what is here; the console's
//! changes are audited in their own transaction.

use super::invitation;
use crate::audit::Auditor;
use crate::deps::Deps;
use crate::domain::{Email, InsurerCode, Permission, StaffRole, clean_text};
use crate::error::{Error, Fields};
use crate::http::ApiRequest;
use crate::mail::{Mailer, templates};
use crate::staff_session;
use crate::store::records::{
    AuditAction, AuditSubject, Insurer, LoginFailures, Staff, StaffEmailGuard, StaffInvitation, from_item, to_item,
};
use crate::store::{Change, Cond, ItemStore, Write};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The longest name a member may have: it fits a line of the console and of a mail.
pub const MAX_STAFF_NAME_CHARS: usize = 50;

/// A new member as the operator or the admin gives it.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"email": "sato@kumiai.example.jp", "name": "佐藤 花子", "role": "reviewer"}]))]
pub struct NewStaffInput {
    pub email: String,
    pub name: String,
    /// admin, reviewer, callcenter or viewer
    pub role: String,
}

/// A member as the console lists them: no secret, no hash.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub role_label: &'static str,
    /// Whether the invitation was completed (a password and a second factor).
    pub enrolled: bool,
    pub disabled: bool,
}

impl StaffRow {
    pub fn of(staff: &Staff) -> Self {
        Self {
            id: staff.id.clone(),
            email: staff.email.as_str().to_string(),
            name: staff.name.clone(),
            role: staff.role,
            role_label: staff.role.label(),
            enrolled: staff.enrolled(),
            disabled: staff.disabled,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffList {
    pub staff: Vec<StaffRow>,
}

/// The lock key of a member's failed sign-ins: the address, apart from every user ID.
pub fn sign_in_lock_key(email: &str) -> String {
    format!("staff:{}", email.trim().to_ascii_lowercase())
}

fn parse_new_member(input: &NewStaffInput) -> Result<(Email, String, StaffRole), Error> {
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&input.email));
    let name = clean_text(&input.name);
    if name.is_empty() {
        fields.add("name", "氏名を入力してください。");
    } else if name.chars().count() > MAX_STAFF_NAME_CHARS {
        fields.add(
            "name",
            crate::domain::stated!("氏名は{}文字以内で入力してください。", MAX_STAFF_NAME_CHARS),
        );
    }
    let role = fields.check("role", StaffRole::parse(&input.role));
    fields.finish()?;
    match (email, role) {
        (Some(email), Some(role)) => Ok((email, name, role)),
        _ => unreachable!("parsed when no field error was recorded"),
    }
}

/// A member just added, and their invitation's link (already mailed to them).
pub struct Invited {
    pub staff: Staff,
    pub link: String,
}

/// Adds a member to the union and mails them the invitation (`{site}/admin/invitation#token`).
/// The member, their address's guard, the invitation and (from the console) the audit entry
/// are one transaction. An address already in use anywhere writes nothing, unless it is a
/// member of this union who has not finished enrolling (the link expired or its mail was lost):
/// they are invited again, with the name and role given, and older links stop working.
pub async fn add_member(
    store: &dyn ItemStore,
    mailer: &dyn Mailer,
    insurer: &Insurer,
    input: &NewStaffInput,
    site: &str,
    auditor: Option<&Auditor>,
    now: i64,
) -> Result<Invited, Error> {
    let (email, name, role) = parse_new_member(input)?;
    let staff = Staff {
        id: uuid::Uuid::new_v4().simple().to_string(),
        insurer: insurer.code.clone(),
        email,
        name,
        role,
        password_hash: None,
        totp_secret: None,
        recovery_codes: Vec::new(),
        disabled: false,
        session_epoch: 0,
        created_at: now,
        invitation_expires_at: Some(now + StaffInvitation::LIFETIME_SECONDS),
    };
    let guard = StaffEmailGuard {
        insurer: staff.insurer.clone(),
        staff_id: staff.id.clone(),
    };
    let (token, invitation) = invitation::new_invitation(&staff, now);
    let mut writes = vec![
        Write::put(staff.own_key(), to_item(&staff, None)).when(Cond::NotExists),
        Write::put(StaffEmailGuard::key(&staff.email), to_item(&guard, None)).when(Cond::NotExists),
        invitation,
    ];
    if let Some(auditor) = auditor {
        writes.push(auditor.entry(AuditAction::StaffInvited, Some(subject(&staff))));
    }
    let (staff, token) = match store.transact(writes).await {
        Ok(()) => (staff, token),
        Err(e) if e.is_condition_failed() => {
            let Some(waiting) = not_yet_enrolled(store, insurer, &staff.email).await? else {
                return Err(Error::field("email", "このメールアドレスは既に登録されています。"));
            };
            invite_again(store, waiting, &staff, auditor, now).await?
        }
        Err(e) => return Err(e.into()),
    };
    let link = invitation::link(site, &token);
    let mail = templates::staff_invitation(
        &staff.email,
        &staff.name,
        &insurer.name,
        &link,
        StaffInvitation::LIFETIME_SECONDS,
    );
    mailer
        .send(&mail)
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    Ok(Invited { staff, link })
}

/// The union's members, in the order of their ids.
/// The member of this union with the address, if they have not finished enrolling and are not
/// disabled: the one case an address in use may be invited again.
async fn not_yet_enrolled(store: &dyn ItemStore, insurer: &Insurer, email: &Email) -> Result<Option<Staff>, Error> {
    let member = member_by_email(store, email).await?;
    Ok(member.filter(|member| member.insurer == insurer.code && !member.enrolled() && !member.disabled))
}

/// A new invitation for a member still waiting to enrol, with the name and role just given: it
/// voids the older links (`Staff::invitation_expires_at`). Conditional on the member still not
/// having a second factor, so an enrolment that lands meanwhile wins.
async fn invite_again(
    store: &dyn ItemStore,
    waiting: Staff,
    given: &Staff,
    auditor: Option<&Auditor>,
    now: i64,
) -> Result<(Staff, String), Error> {
    let (token, invitation) = invitation::new_invitation(&waiting, now);
    let expires_at = now + StaffInvitation::LIFETIME_SECONDS;
    let changes = vec![
        Change::set(Staff::NAME, given.name.as_str()),
        Change::set(Staff::ROLE, given.role),
        Change::set(Staff::INVITATION_EXPIRES_AT, expires_at),
    ];
    let mut writes = vec![
        Write::update(waiting.own_key(), changes).when(Cond::And(vec![
            Cond::Exists,
            Cond::missing(Staff::TOTP_SECRET),
            Cond::Or(vec![Cond::missing(Staff::DISABLED), Cond::eq(Staff::DISABLED, false)]),
        ])),
        invitation,
    ];
    if let Some(auditor) = auditor {
        writes.push(auditor.entry(AuditAction::StaffInvited, Some(subject(&waiting))));
    }
    store.transact(writes).await.map_err(|e| {
        if e.is_condition_failed() {
            Error::field("email", "このメールアドレスは既に登録されています。")
        } else {
            e.into()
        }
    })?;
    let staff = Staff {
        name: given.name.clone(),
        role: given.role,
        invitation_expires_at: Some(expires_at),
        ..waiting
    };
    Ok((staff, token))
}

pub async fn members(store: &dyn ItemStore, insurer: &InsurerCode) -> Result<Vec<Staff>, Error> {
    let items = store.query(&Staff::partition(insurer), Staff::SK_PREFIX).await?;
    Ok(items.into_iter().map(from_item).collect::<Result<_, _>>()?)
}

/// The member with this address, in whichever union.
pub async fn member_by_email(store: &dyn ItemStore, email: &Email) -> Result<Option<Staff>, Error> {
    let Some(guard) = store.get(&StaffEmailGuard::key(email)).await? else {
        return Ok(None);
    };
    let guard: StaffEmailGuard = from_item(guard)?;
    let item = store.get(&Staff::key(&guard.insurer, &guard.staff_id)).await?;
    Ok(item.map(from_item).transpose()?)
}

/// A change to a member: a new role, disabled or enabled. Either ends their sessions (the
/// epoch rises).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MemberChange {
    pub role: Option<StaffRole>,
    pub disabled: Option<bool>,
}

/// Applies the change, conditionally on the member still being as read, with the audit
/// entries (from the console) in the same transaction. What changes nothing writes nothing.
pub async fn change_member(
    store: &dyn ItemStore,
    staff: &Staff,
    change: MemberChange,
    auditor: Option<&Auditor>,
) -> Result<Staff, Error> {
    let mut changed = staff.clone();
    let mut changes = Vec::new();
    let mut entries = Vec::new();
    if let Some(role) = change.role.filter(|role| *role != staff.role) {
        changes.push(Change::set(Staff::ROLE, role));
        entries.push(AuditAction::StaffRoleChanged);
        changed.role = role;
    }
    if let Some(disabled) = change.disabled.filter(|disabled| *disabled != staff.disabled) {
        changes.push(Change::set(Staff::DISABLED, disabled));
        entries.push(if disabled {
            AuditAction::StaffDisabled
        } else {
            AuditAction::StaffEnabled
        });
        changed.disabled = disabled;
    }
    // Enabling lifts a lock from failed sign-ins too, even of a member not disabled: the one
    // who enables vouches for the member.
    let lift_lock = change.disabled == Some(false);
    if changes.is_empty() && !lift_lock {
        return Ok(changed);
    }
    let mut writes = Vec::new();
    if !changes.is_empty() {
        changes.push(Change::add(Staff::SESSION_EPOCH, 1));
        changed.session_epoch += 1;
        let unchanged = Cond::And(vec![
            Cond::eq(Staff::ROLE, staff.role),
            Cond::eq(Staff::SESSION_EPOCH, staff.session_epoch),
        ]);
        writes.push(Write::update(staff.own_key(), changes).when(unchanged));
    }
    if lift_lock {
        writes.push(Write::delete(LoginFailures::key(&sign_in_lock_key(
            staff.email.as_str(),
        ))));
    }
    if let Some(auditor) = auditor {
        writes.extend(
            entries
                .into_iter()
                .map(|action| auditor.entry(action, Some(subject(staff)))),
        );
    }
    store
        .transact(writes)
        .await
        .map_err(crate::error::when_condition_failed(Error::WrongStep))?;
    tracing::info!(event = "staff_changed", staff_id = %staff.id, role = changed.role.name(), disabled = changed.disabled, "console");
    Ok(changed)
}

fn subject(staff: &Staff) -> AuditSubject {
    AuditSubject::Staff { id: staff.id.clone() }
}

/// Where the invitation links of a console request point: the console's own origin, as the
/// browser sent it (checked against the host already), or the host over HTTPS.
fn site_of(request: &ApiRequest) -> String {
    request.origin()
}

/// GET /api/admin/staff
pub async fn list(deps: &Deps, request: &ApiRequest) -> Result<StaffList, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ManageStaff)?;
    let staff = members(deps.store.as_ref(), &context.insurer.code).await?;
    Ok(StaffList {
        staff: staff.iter().map(StaffRow::of).collect(),
    })
}

/// POST /api/admin/staff
pub async fn invite(deps: &Deps, request: &ApiRequest) -> Result<StaffRow, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ManageStaff)?;
    let input: NewStaffInput = request.json()?;
    let invited = add_member(
        deps.store.as_ref(),
        deps.mailer.as_ref(),
        &context.insurer,
        &input,
        &site_of(request),
        Some(&context.auditor),
        context.now,
    )
    .await?;
    tracing::info!(event = "staff_invited", staff_id = %invited.staff.id, role = invited.staff.role.name(), "console");
    Ok(StaffRow::of(&invited.staff))
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"role": "viewer"}, {"disabled": true}]))]
pub struct StaffChangeInput {
    /// admin, reviewer, callcenter or viewer
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

/// PUT /api/admin/staff/{id}. Another union's member is answered as a missing one; an admin
/// cannot disable or demote themselves (the union would be left without its admin).
pub async fn update(deps: &Deps, request: &ApiRequest, id: &str) -> Result<StaffRow, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ManageStaff)?;
    let input: StaffChangeInput = request.json()?;
    let mut fields = Fields::default();
    let role = match &input.role {
        Some(role) => fields.check("role", StaffRole::parse(role)),
        None => None,
    };
    fields.finish()?;
    if id.is_empty() || id.len() > 64 {
        return Err(Error::NotFound);
    }
    let staff: Staff = match deps.store.get(&Staff::key(&context.insurer.code, id)).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::NotFound),
    };
    if staff.id == context.staff.id {
        if input.disabled == Some(true) {
            return Err(Error::field("disabled", "ご自身を利用停止にすることはできません。"));
        }
        if role.is_some_and(|role| role != StaffRole::Admin) {
            return Err(Error::field(
                "role",
                "ご自身の役割を管理者から変更することはできません。ほかの管理者に依頼してください。",
            ));
        }
    }
    let change = MemberChange {
        role,
        disabled: input.disabled,
    };
    let changed = change_member(deps.store.as_ref(), &staff, change, Some(&context.auditor)).await?;
    Ok(StaffRow::of(&changed))
}
