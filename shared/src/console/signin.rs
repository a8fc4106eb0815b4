//! A staff member's sign-in (address, password and a second factor) and sign-out. Every wrong
//! part gets the same answer after the same argon2 work; failures count towards the address's
//! lock and the client address's throttle as a person's logins do, and a known member's
//! failures are audited.

use super::me::StaffMe;
use super::staff::sign_in_lock_key;
use crate::audit::Auditor;
use crate::deps::Deps;
use crate::domain::{Email, InsurerCode, Password};
use crate::error::{Error, Fields};
use crate::http::{ApiRequest, STAFF_COOKIE};
use crate::lockout::{Tried, evaluate_password, second_factor_failed};
use crate::second_factor::{SealingKey, SecondFactor, TotpSecret};
use crate::secrets::token_hash;
use crate::staff_session;
use crate::store::records::{AuditAction, Insurer, LoginFailures, Staff, StaffEmailGuard, StaffSession, from_item};
use crate::store::{Cond, Write};
use crate::throttle::STAFF_SIGN_IN_FAILURES_PER_IP;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"email": "admin@kennin.localhost", "password": "Hinode#Sakura-2036", "code": "287082"}]))]
pub struct SignInInput {
    pub email: String,
    pub password: String,
    /// the authenticator app's six digits, or a recovery code
    pub code: String,
}

pub struct SignedIn {
    pub token: String,
    pub me: StaffMe,
}

/// The member with the address, if any. An unknown address costs the same two reads as a
/// known one: the second reads a key no member has.
async fn find_member(deps: &Deps, email: Option<&Email>) -> Result<Option<Staff>, Error> {
    let guard = match email {
        Some(email) => deps.store.get(&StaffEmailGuard::key(email)).await?,
        None => None,
    };
    let guard: Option<StaffEmailGuard> = guard.map(from_item).transpose()?;
    let nobody = StaffEmailGuard {
        insurer: InsurerCode::parse("0000").map_err(|_| Error::Internal("insurer code 0000".into()))?,
        staff_id: String::new(),
    };
    let found = guard.as_ref().unwrap_or(&nobody);
    let item = deps.store.get(&Staff::key(&found.insurer, &found.staff_id)).await?;
    match (guard, item) {
        (Some(_), Some(item)) => Ok(Some(from_item(item)?)),
        _ => Ok(None),
    }
}

/// A person's lock answers, in the console's words.
fn locked(error: Error) -> Error {
    match error {
        Error::LoginLocked { retry_after } => Error::StaffSignInLocked { retry_after },
        Error::LoginLockedUntilReset => Error::StaffSignInLocked {
            retry_after: crate::lockout::LOCK_SECONDS,
        },
        other => other,
    }
}

pub async fn sign_in(deps: &Deps, request: &ApiRequest, input: SignInInput) -> Result<SignedIn, Error> {
    let mut fields = Fields::default();
    if input.email.trim().is_empty() {
        fields.add("email", "メールアドレスを入力してください。");
    }
    let password = fields.check("password", Password::for_login(&input.password));
    if input.code.trim().is_empty() {
        fields.add(
            "code",
            "確認コード（認証アプリの6桁の数字、またはリカバリーコード）を入力してください。",
        );
    }
    fields.finish()?;
    let Some(password) = password else {
        unreachable!("password parsed when no field error was recorded")
    };
    if input.email.len() > 256 || input.code.len() > 64 {
        return Err(Error::StaffSignInFailed);
    }
    let now = deps.clock.unix();
    let (store, secret) = (deps.store.as_ref(), deps.config.secret.as_slice());
    let client_ip = request.client_ip();
    if let Some(retry_after) = STAFF_SIGN_IN_FAILURES_PER_IP.hit(store, secret, client_ip, now).await? {
        tracing::info!(event = "staff_sign_in_refused_address_throttled", "console");
        return Err(Error::LoginThrottled {
            retry_after,
            window_seconds: STAFF_SIGN_IN_FAILURES_PER_IP.window_seconds,
        });
    }
    let lock_key = sign_in_lock_key(&input.email);
    let email = Email::parse(&input.email).ok();
    let evaluated = async {
        let staff = find_member(deps, email.as_ref()).await?;
        let stored = staff.as_ref().and_then(|s| s.password_hash.as_deref());
        let tried = evaluate_password(deps, &lock_key, stored, password.expose(), now).await?;
        Ok::<_, Error>((staff, tried))
    }
    .await;
    let (staff, tried) = match evaluated {
        Ok(evaluated) => evaluated,
        Err(refused) => {
            STAFF_SIGN_IN_FAILURES_PER_IP
                .give_back(store, secret, client_ip, now)
                .await?;
            return Err(locked(refused));
        }
    };
    let refusal = match tried {
        Tried::Right => None,
        Tried::Wrong => Some(Error::StaffSignInFailed),
        Tried::WrongAndLocked(lock) => Some(locked(lock)),
    };
    // Always there when the password was right: the dummy hash matches no password.
    let (Some(staff), None) = (staff.clone(), refusal.as_ref()) else {
        if let Some(staff) = &staff {
            audit_failure(deps, request, staff, now).await?;
        }
        return Err(refusal.unwrap_or(Error::StaffSignInFailed));
    };

    let mut writes = Vec::new();
    let mut used_recovery_code = false;
    let factor_accepted = if staff.disabled || !staff.enrolled() {
        tracing::info!(event = "staff_sign_in_refused", staff_id = %staff.id, disabled = staff.disabled, enrolled = staff.enrolled(), "console");
        false
    } else {
        match SecondFactor::parse(&input.code) {
            Some(SecondFactor::Totp(code)) => {
                let sealed = staff.totp_secret.as_deref().unwrap_or_default();
                let secret = TotpSecret::open(sealed, &SealingKey::for_totp_secrets(&deps.config.secret), &staff.id)
                    .map_err(|_| Error::Internal("a member's sealed TOTP secret does not open".into()))?;
                match secret.verify(&code, now) {
                    Some(step) => {
                        writes.push(super::invitation::claim_totp_step(&staff.id, step, now));
                        true
                    }
                    None => false,
                }
            }
            Some(SecondFactor::Recovery(code)) => match code.find(&staff.recovery_codes) {
                Some(index) => {
                    let mut remaining = staff.recovery_codes.clone();
                    remaining.remove(index);
                    // Conditional on the codes being as read: two sign-ins with one code, one wins.
                    writes.push(
                        Write::update(
                            staff.own_key(),
                            vec![crate::store::Change::set(Staff::RECOVERY_CODES, remaining)],
                        )
                        .when(Cond::eq(Staff::RECOVERY_CODES, &staff.recovery_codes)),
                    );
                    used_recovery_code = true;
                    true
                }
                None => false,
            },
            None => false,
        }
    };
    if !factor_accepted {
        return Err(refuse_factor(deps, request, &staff, &lock_key, now).await?);
    }

    let insurer: Insurer = match deps
        .store
        .get_eventually_consistent(&Insurer::key(&staff.insurer))
        .await?
    {
        Some(item) => from_item(item)?,
        None => return Err(Error::StaffSignInFailed),
    };
    let auditor = Auditor::new(&staff, request, now);
    if used_recovery_code {
        writes.push(auditor.entry(AuditAction::RecoveryCodeUsed, None));
    }
    let (token, session) = staff_session::new_session(&staff, now);
    writes.push(session);
    writes.push(auditor.entry(AuditAction::SignedIn, None));
    writes.push(Write::delete(LoginFailures::key(&lock_key)));
    // A staff cookie the browser already had (perhaps planted) ends here, never adopted.
    if let Some(previous) = request.cookie(STAFF_COOKIE) {
        writes.push(Write::delete(StaffSession::key(&token_hash(previous))));
    }
    match deps.store.transact(writes).await {
        Ok(()) => {}
        // The TOTP step was claimed already (a replayed code), or the recovery code was just used.
        Err(e) if e.is_condition_failed() => {
            return Err(refuse_factor(deps, request, &staff, &lock_key, now).await?);
        }
        Err(e) => return Err(e.into()),
    }
    STAFF_SIGN_IN_FAILURES_PER_IP
        .give_back(store, secret, client_ip, now)
        .await?;
    tracing::info!(event = "staff_signed_in", staff_id = %staff.id, role = staff.role.name(), recovery_code = used_recovery_code, "console");
    Ok(SignedIn {
        token,
        me: StaffMe::of(staff, &insurer),
    })
}

/// A right password with a wrong, replayed or refused second factor: a failure like a wrong
/// password, counted towards the lock and audited; the answer is the same as any other's.
async fn refuse_factor(
    deps: &Deps,
    request: &ApiRequest,
    staff: &Staff,
    lock_key: &str,
    now: i64,
) -> Result<Error, Error> {
    audit_failure(deps, request, staff, now).await?;
    Ok(match second_factor_failed(deps, lock_key, now).await? {
        Tried::WrongAndLocked(lock) => locked(lock),
        Tried::Right | Tried::Wrong => Error::StaffSignInFailed,
    })
}

async fn audit_failure(deps: &Deps, request: &ApiRequest, staff: &Staff, now: i64) -> Result<(), Error> {
    tracing::info!(event = "staff_sign_in_failed", staff_id = %staff.id, "console");
    Auditor::new(staff, request, now)
        .record(deps, AuditAction::SignInFailed, None)
        .await
}

/// DELETE /api/admin/session: ends the session of the request's staff cookie, if any, with
/// its audit entry.
pub async fn sign_out(deps: &Deps, request: &ApiRequest) -> Result<(), Error> {
    if let Some(context) = staff_session::end(deps, request).await? {
        tracing::info!(event = "staff_signed_out", staff_id = %context.staff.id, "console");
    }
    Ok(())
}
