//! The staff console's audit log: every sign-in (and failed attempt), every view of a person's
//! data or document, every change and export. A change's entry is one more write of the
//! change's own transaction, so no change happens without its entry; a view's entry is written
//! before the view is answered. Nothing edits or deletes an entry: the writes here are puts
//! conditional on the key being new, and no route offers more.

use crate::deps::Deps;
use crate::domain::{InsurerCode, StaffRole};
use crate::error::Error;
use crate::http::ApiRequest;
use crate::store::records::{AuditAction, AuditEntry, AuditSubject, Staff, to_item};
use crate::store::{Cond, Write};
use std::sync::atomic::{AtomicU32, Ordering};

/// Who is acting, from where, in which request: what every entry of the request carries.
#[derive(Debug)]
pub struct Auditor {
    insurer: InsurerCode,
    staff_id: String,
    role: StaffRole,
    ip: String,
    request_id: String,
    at: i64,
    /// Entries of one request are numbered, so they never share a key.
    sequence: AtomicU32,
}

impl Auditor {
    pub fn new(staff: &Staff, request: &ApiRequest, at: i64) -> Self {
        Self {
            insurer: staff.insurer.clone(),
            staff_id: staff.id.clone(),
            role: staff.role,
            ip: request.client_ip().to_string(),
            request_id: request.request_id().to_string(),
            at,
            sequence: AtomicU32::new(0),
        }
    }

    /// The entry as a write, to join the transaction of the change it records.
    pub fn entry(&self, action: AuditAction, subject: Option<AuditSubject>) -> Write {
        let entry = AuditEntry {
            at: self.at,
            insurer: self.insurer.clone(),
            staff_id: self.staff_id.clone(),
            role: self.role,
            action,
            subject,
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        };
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        Write::put(entry.key(sequence), to_item(&entry, None)).when(Cond::NotExists)
    }

    /// Writes an entry on its own: for what changes nothing (a view, a sign-in, an export).
    pub async fn record(&self, deps: &Deps, action: AuditAction, subject: Option<AuditSubject>) -> Result<(), Error> {
        deps.store.transact(vec![self.entry(action, subject)]).await?;
        Ok(())
    }
}
