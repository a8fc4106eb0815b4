//! Staff sessions: the token a staff sign-in hands out, the member behind it on every console
//! request with the console's shorter idle and absolute timeouts, the role's check, and
//! sign-out. Separate from persons' sessions in cookie, record and check.

use crate::audit::Auditor;
use crate::deps::Deps;
use crate::domain::{Permission, StaffRole};
use crate::error::{Error, when_condition_failed};
use crate::http::{ApiRequest, STAFF_COOKIE};
use crate::secrets::{new_token, token_hash};
use crate::store::records::{AuditAction, Insurer, Staff, StaffSession, from_item, to_item};
use crate::store::{Change, Cond, Write};

pub const STAFF_IDLE_TIMEOUT_SECONDS: i64 = 15 * 60;
pub const STAFF_ABSOLUTE_TIMEOUT_SECONDS: i64 = 8 * 60 * 60;
/// A session's last-seen time is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// The signed-in staff member of a console request, their union, and the request's auditor.
#[derive(Debug)]
pub struct StaffContext {
    pub staff: Staff,
    pub insurer: Insurer,
    pub auditor: Auditor,
    pub now: i64,
}

impl StaffContext {
    /// Refuses (403) what the member's role does not allow.
    pub fn require(&self, permission: Permission) -> Result<&Self, Error> {
        if self.staff.role.allows(permission) {
            Ok(self)
        } else {
            tracing::info!(event = "staff_forbidden", staff_id = %self.staff.id, role = self.staff.role.name(), permission = ?permission, "console");
            Err(Error::Forbidden)
        }
    }

    pub fn role(&self) -> StaffRole {
        self.staff.role
    }
}

/// A new session's token and the write that makes it.
pub fn new_session(staff: &Staff, now: i64) -> (String, Write) {
    let token = new_token();
    let session = StaffSession {
        insurer: staff.insurer.clone(),
        staff_id: staff.id.clone(),
        epoch: staff.session_epoch,
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: now + STAFF_ABSOLUTE_TIMEOUT_SECONDS,
    };
    let write = Write::put(
        StaffSession::key(&token_hash(&token)),
        to_item(&session, Some(session.absolute_expires_at)),
    )
    .when(Cond::NotExists);
    (token, write)
}

/// The staff cookie for a new session: it lives as long as the session may.
pub fn session_cookie(token: &str) -> String {
    crate::http::set_cookie(STAFF_COOKIE, token, STAFF_ABSOLUTE_TIMEOUT_SECONDS)
}

/// Ends the session of the request's staff cookie, if any, with the member's SignedOut audit
/// entry in the same transaction.
pub async fn end(deps: &Deps, request: &ApiRequest) -> Result<Option<StaffContext>, Error> {
    let context = match authenticate(deps, request).await {
        Ok(context) => Some(context),
        Err(Error::NotAuthenticated | Error::SessionExpired | Error::SessionEnded | Error::AccountDisabled) => None,
        Err(other) => return Err(other),
    };
    if let Some(token) = request.cookie(STAFF_COOKIE) {
        let mut writes = vec![Write::delete(StaffSession::key(&token_hash(token)))];
        // A signed-in member's sign-out is audited with the session's end.
        if let Some(context) = &context {
            writes.push(context.auditor.entry(AuditAction::SignedOut, None));
        }
        deps.store.transact(writes).await?;
    }
    Ok(context)
}

/// The staff member behind the request's staff cookie, with the idle and absolute timeouts
/// enforced here, on the server, on every request. A person's session cookie is not looked at.
pub async fn authenticate(deps: &Deps, request: &ApiRequest) -> Result<StaffContext, Error> {
    let token = request.cookie(STAFF_COOKIE).ok_or(Error::NotAuthenticated)?;
    let key = StaffSession::key(&token_hash(token));
    let session: StaffSession = match deps.store.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::NotAuthenticated),
    };
    let now = deps.clock.unix();
    if now >= session.absolute_expires_at || now >= session.last_seen_at + STAFF_IDLE_TIMEOUT_SECONDS {
        deps.store.transact(vec![Write::delete(key)]).await?;
        let timeout = if now >= session.absolute_expires_at {
            "absolute"
        } else {
            "idle"
        };
        tracing::info!(event = "staff_session_expired", staff_id = %session.staff_id, timeout, "console");
        return Err(Error::SessionExpired);
    }
    let staff_key = Staff::key(&session.insurer, &session.staff_id);
    let insurer_key = Insurer::key(&session.insurer);
    let (staff, insurer) = futures::try_join!(
        deps.store.get(&staff_key),
        deps.store.get_eventually_consistent(&insurer_key)
    )?;
    let (Some(staff), Some(insurer)) = (staff, insurer) else {
        return Err(Error::NotAuthenticated);
    };
    let staff: Staff = from_item(staff)?;
    let insurer: Insurer = from_item(insurer)?;
    // Disabling, a role change and a new password raise the member's epoch: sessions from
    // before have ended.
    if staff.disabled || session.epoch != staff.session_epoch {
        deps.store.transact(vec![Write::delete(key)]).await?;
        tracing::info!(event = "staff_session_ended", staff_id = %staff.id, disabled = staff.disabled, "console");
        return Err(if staff.disabled {
            Error::AccountDisabled
        } else {
            Error::SessionEnded
        });
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL_SECONDS {
        deps.store
            .update(
                &key,
                &[Change::set(StaffSession::LAST_SEEN_AT, now)],
                Some(&Cond::Exists),
            )
            .await
            .map_err(when_condition_failed(Error::NotAuthenticated))?;
    }
    let auditor = Auditor::new(&staff, request, now);
    Ok(StaffContext {
        staff,
        insurer,
        auditor,
        now,
    })
}
