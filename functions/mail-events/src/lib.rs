//! SES's bounce and complaint events, as SNS delivers them from the configuration set's event
//! destination (template.yaml): each permanent bounce or complaint stops the mail to its
//! addresses and lists the tagged account for its union's call center (`kennin::suppression`).
//! A notification that cannot be read is logged and acknowledged, since delivering it again
//! would not make it readable; a failing table fails the invocation, which Lambda retries.

use kennin::store::{ItemStore, StoreError};
use kennin::suppression::ses_event::SnsEvent;
use kennin::suppression::{self, Handled};
use serde_json::Value;

/// What one invocation did: its answer, and its log lines' sum. No address.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Addresses kennin stops mailing.
    pub suppressed: usize,
    /// Accounts listed for their union's call center.
    pub listed: usize,
    /// Notifications of nothing to act on (a transient bounce, another event).
    pub ignored: usize,
    /// Notifications, or recipients in them, that could not be read.
    pub unreadable: usize,
}

pub async fn handle(store: &dyn ItemStore, event: Value, now: i64) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let Ok(event) = serde_json::from_value::<SnsEvent>(event) else {
        tracing::warn!(event = "mail_event_unreadable", "not an SNS event");
        report.unreadable += 1;
        return Ok(report);
    };
    for record in event.records {
        match suppression::handle_notification(store, &record.sns.message, now).await? {
            Handled::Recorded {
                kind,
                addresses,
                unreadable,
                listed,
            } => {
                tracing::info!(event = "mail_suppressed", kind = ?kind, addresses, unreadable, listed, "mail events");
                report.suppressed += addresses;
                report.unreadable += unreadable;
                report.listed += listed;
            }
            Handled::Ignored(reason) => {
                tracing::info!(event = "mail_event_ignored", reason, "mail events");
                report.ignored += 1;
            }
            Handled::Unreadable => {
                tracing::warn!(event = "mail_event_unreadable", "not an SES notification");
                report.unreadable += 1;
            }
        }
    }
    Ok(report)
}
