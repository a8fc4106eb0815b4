//! A new member's invitation: the mailed link (valid `StaffInvitation::LIFETIME_SECONDS`, once) leads
//! to setting a password (POST /api/admin/invitation/accept), then to confirming the first code
//! of the authenticator app the page enrolled (POST /api/admin/invitation/totp), which hands
//! out the recovery codes, once, and ends the invitation.

use crate::audit::Auditor;
use crate::deps::Deps;
use crate::domain::{Password, PasswordContext};
use crate::error::{Error, Fields};
use crate::http::ApiRequest;
use crate::qr::qr_svg;
use crate::second_factor::{RecoveryCodes, SealingKey, TotpCode, TotpSecret};
use crate::secrets::{new_token, token_hash};
use crate::store::records::{AuditAction, AuditSubject, Insurer, Staff, StaffInvitation, TotpUse, from_item, to_item};
use crate::store::{Change, Cond, Key, Write};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How long a claimed TOTP step is remembered: longer than a code is accepted (its step and one
/// either side, 90 seconds).
pub const TOTP_USE_REMEMBERED_SECONDS: i64 = 5 * 60;
/// What the authenticator app shows above the code.
const TOTP_ISSUER: &str = "kennin";

/// A new invitation for the member: its token (for the link only) and the write that makes it.
pub fn new_invitation(staff: &Staff, now: i64) -> (String, Write) {
    let token = new_token();
    let invitation = StaffInvitation {
        insurer: staff.insurer.clone(),
        staff_id: staff.id.clone(),
        expires_at: now + StaffInvitation::LIFETIME_SECONDS,
        totp_secret: None,
    };
    let write = Write::put(
        StaffInvitation::key(&token_hash(&token)),
        to_item(&invitation, Some(invitation.expires_at)),
    )
    .when(Cond::NotExists);
    (token, write)
}

/// The invitation page's address. The token is in the fragment, which browsers never send:
/// it reaches no server's log, and the page posts it in a request body.
pub fn link(site: &str, token: &str) -> String {
    format!("{}/admin/invitation#{token}", site.trim_end_matches('/'))
}

/// The claim of a TOTP step, to write with the change the code was for.
pub fn claim_totp_step(staff_id: &str, step: u64, now: i64) -> Write {
    Write::put(
        TotpUse::key(staff_id, step),
        to_item(&TotpUse { used_at: now }, Some(now + TOTP_USE_REMEMBERED_SECONDS)),
    )
    .when(Cond::NotExists)
}

/// A live invitation, its member and their union. Expired (the TTL deletes lazily), used,
/// unknown: all are gone.
struct Open {
    key: Key,
    invitation: StaffInvitation,
    staff: Staff,
    insurer: Insurer,
}

async fn open(deps: &Deps, token: &str, now: i64) -> Result<Open, Error> {
    if token.is_empty() || token.len() > 128 {
        return Err(Error::InvitationGone);
    }
    let key = StaffInvitation::key(&token_hash(token));
    let invitation: StaffInvitation = match deps.store.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::InvitationGone),
    };
    if invitation.expires_at <= now {
        return Err(Error::InvitationGone);
    }
    let (staff_key, insurer_key) = (
        Staff::key(&invitation.insurer, &invitation.staff_id),
        Insurer::key(&invitation.insurer),
    );
    let (staff, insurer) = futures::try_join!(deps.store.get(&staff_key), deps.store.get(&insurer_key))?;
    let (Some(staff), Some(insurer)) = (staff, insurer) else {
        return Err(Error::InvitationGone);
    };
    let staff: Staff = from_item(staff)?;
    let voided = staff
        .invitation_expires_at
        .is_some_and(|newest| newest != invitation.expires_at);
    if staff.disabled || voided {
        return Err(Error::InvitationGone);
    }
    Ok(Open {
        key,
        invitation,
        staff,
        insurer: from_item(insurer)?,
    })
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"token": "Qm9vdHN0cmFwLXRva2VuLWV4YW1wbGU", "password": "Hinode#Sakura-2036"}]))]
pub struct AcceptInput {
    /// the token of the invitation link (after `#`)
    pub token: String,
    pub password: String,
}

/// What the page shows to enrol the authenticator app.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    pub otpauth_uri: String,
    /// the otpauth URI as a QR code, an inline SVG drawn on the server
    pub qr_svg: String,
}

/// Sets the member's password and gives them a new TOTP secret, kept sealed on the invitation
/// until its first code is confirmed. Accepting again (a reloaded page) replaces both.
pub async fn accept(deps: &Deps, request: &ApiRequest, input: AcceptInput) -> Result<Enrolment, Error> {
    let now = deps.clock.unix();
    let open = open(deps, &input.token, now).await?;
    let context = PasswordContext::for_user(None).insurer(&open.insurer.code, &open.insurer.name);
    let mut fields = Fields::default();
    let password = fields.check("password", Password::parse_for_staff(&input.password, &context));
    fields.finish()?;
    let Some(password) = password else {
        unreachable!("password parsed when no field error was recorded")
    };
    let hash = deps.hasher.hash(password.expose()).await.map_err(Error::Internal)?;
    let secret = TotpSecret::generate();
    let sealed = secret.seal(&SealingKey::for_totp_secrets(&deps.config.secret), &open.staff.id);
    let auditor = Auditor::new(&open.staff, request, now);
    deps.store
        .transact(vec![
            Write::update(open.key, vec![Change::set(StaffInvitation::TOTP_SECRET, sealed)]).when(Cond::Exists),
            Write::update(open.staff.own_key(), vec![Change::set(Staff::PASSWORD_HASH, hash)]).when(Cond::Exists),
            auditor.entry(
                AuditAction::InvitationAccepted,
                Some(AuditSubject::Staff {
                    id: open.staff.id.clone(),
                }),
            ),
        ])
        .await
        .map_err(crate::error::when_condition_failed(Error::InvitationGone))?;
    tracing::info!(event = "invitation_accepted", staff_id = %open.staff.id, "console");
    let otpauth_uri = secret.otpauth_uri(TOTP_ISSUER, open.staff.email.as_str());
    let qr_svg = qr_svg(&otpauth_uri).map_err(|_| Error::Internal("the otpauth URI does not fit a QR code".into()))?;
    Ok(Enrolment { otpauth_uri, qr_svg })
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"token": "Qm9vdHN0cmFwLXRva2VuLWV4YW1wbGU", "code": "287082"}]))]
pub struct TotpInput {
    pub token: String,
    /// the six digits the authenticator app shows
    pub code: String,
}

/// Shown once: the member writes them down.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolled {
    pub recovery_codes: Vec<String>,
}

const CODE_WRONG: &str = "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。";

/// Confirms the enrolled app with its current code: the secret moves to the member with the
/// recovery codes' hashes, the code's step is claimed, and the invitation is deleted, all in one
/// transaction conditional on the invitation being as read, so it completes once.
pub async fn confirm_totp(deps: &Deps, request: &ApiRequest, input: TotpInput) -> Result<Enrolled, Error> {
    let now = deps.clock.unix();
    let open = open(deps, &input.token, now).await?;
    let Some(sealed) = open.invitation.totp_secret.clone() else {
        return Err(Error::WrongStep);
    };
    let key = SealingKey::for_totp_secrets(&deps.config.secret);
    let secret = TotpSecret::open(&sealed, &key, &open.staff.id)
        .map_err(|_| Error::Internal("an invitation's sealed TOTP secret does not open".into()))?;
    let step = TotpCode::parse(&input.code)
        .and_then(|code| secret.verify(&code, now))
        .ok_or_else(|| Error::field("code", CODE_WRONG))?;
    let codes = RecoveryCodes::generate();
    let auditor = Auditor::new(&open.staff, request, now);
    let subject = AuditSubject::Staff {
        id: open.staff.id.clone(),
    };
    deps.store
        .transact(vec![
            Write::delete(open.key).when(Cond::eq(StaffInvitation::TOTP_SECRET, sealed.as_str())),
            Write::update(
                open.staff.own_key(),
                vec![
                    Change::set(Staff::TOTP_SECRET, sealed.as_str()),
                    Change::set(Staff::RECOVERY_CODES, codes.hashes),
                    // A member invited again starts afresh: sessions from before end.
                    Change::add(Staff::SESSION_EPOCH, 1),
                ],
            )
            .when(Cond::Exists),
            claim_totp_step(&open.staff.id, step, now),
            auditor.entry(AuditAction::SecondFactorEnrolled, Some(subject)),
        ])
        .await
        .map_err(crate::error::when_condition_failed(Error::InvitationGone))?;
    tracing::info!(event = "second_factor_enrolled", staff_id = %open.staff.id, "console");
    Ok(Enrolled {
        recovery_codes: codes.shown,
    })
}
