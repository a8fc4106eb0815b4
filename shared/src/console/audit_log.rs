//! GET /api/admin/audit: the union's audit log, a month at a time, newest first. Reading it is
//! itself an entry; no route edits or deletes one.

use crate::deps::Deps;
use crate::domain::{Permission, StaffRole};
use crate::error::Error;
use crate::http::ApiRequest;
use crate::staff_session;
use crate::store::records::{AuditAction, AuditEntry, AuditSubject, Staff, from_item};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashMap;

const PAGE_ENTRIES: usize = 50;
/// A cursor is an entry's sort key (`{at:012}#{requestId}#{seq:03}`): nothing longer is one.
const MAX_CURSOR_CHARS: usize = 200;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// `YYYY-MM` (Japan time).
    pub month: String,
    pub entries: Vec<AuditLine>,
    /// Pass as `cursor` for the older entries of the month; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    /// Epoch seconds.
    pub at: i64,
    pub staff: StaffLine,
    pub role: StaffRole,
    pub action: AuditAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<AuditSubject>,
    pub ip: String,
    pub request_id: String,
}

/// Who acted: the id the entry keeps, and the member's name and address as they are now.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StaffLine {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `YYYY-MM` of a real month, as the log's partitions name them.
fn parse_month(text: &str) -> Option<String> {
    let (year, month) = text.split_once('-')?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) || !(1..=12).contains(&month.parse::<u8>().ok()?) {
        return None;
    }
    Some(text.to_string())
}

pub async fn list(deps: &Deps, request: &ApiRequest) -> Result<AuditPage, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ReadAudit)?;
    let month = match request.query_parameter("month") {
        Some(text) => parse_month(text).ok_or(Error::field("month", "月はYYYY-MMの形で指定してください。"))?,
        None => AuditEntry::month_of(context.now),
    };
    let cursor = request.query_parameter("cursor").filter(|c| !c.is_empty());
    if cursor.is_some_and(|c| c.chars().count() > MAX_CURSOR_CHARS) {
        return Err(Error::field("cursor", "続きの指定が正しくありません。"));
    }
    context
        .auditor
        .record(
            deps,
            AuditAction::ViewedAudit,
            Some(AuditSubject::Query { what: "month".into() }),
        )
        .await?;
    let code = &context.insurer.code;
    let (log, members) = (AuditEntry::partition(code, &month), Staff::partition(code));
    let (page, staff) = futures::try_join!(
        deps.store.query_page_newest_first(&log, cursor, PAGE_ENTRIES),
        deps.store.query(&members, Staff::SK_PREFIX)
    )?;
    let staff: HashMap<String, Staff> = staff
        .into_iter()
        .map(from_item::<Staff>)
        .map(|member| member.map(|m| (m.id.clone(), m)))
        .collect::<Result<_, _>>()?;
    let entries = page
        .items
        .into_iter()
        .map(|item| {
            let entry: AuditEntry = from_item(item)?;
            let member = staff.get(&entry.staff_id);
            Ok(AuditLine {
                at: entry.at,
                staff: StaffLine {
                    name: member.map(|m| m.name.clone()),
                    email: member.map(|m| m.email.as_str().to_string()),
                    id: entry.staff_id,
                },
                role: entry.role,
                action: entry.action,
                subject: entry.subject,
                ip: entry.ip,
                request_id: entry.request_id,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(AuditPage {
        month,
        entries,
        cursor: page.last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_four_digits_a_hyphen_and_a_real_month() {
        assert_eq!(parse_month("2026-12").as_deref(), Some("2026-12"));
        for wrong in ["", "2026-13", "2026-00", "2026-1", "26-12", "２０２６-12", "2026/12"] {
            assert_eq!(parse_month(wrong), None, "{wrong}");
        }
    }
}
