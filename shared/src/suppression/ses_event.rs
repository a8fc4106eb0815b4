//! What SES says about a sent mail, as SNS delivers it to the mail-events function: the SNS
//! event's records, each carrying one SES notification as JSON text in its `Message`.
//!
//! Both of SES's formats are read: event publishing through a configuration set (`eventType`,
//! with the message's tags) and an identity's feedback notifications (`notificationType`,
//! without tags). Only what kennin acts on is modelled; everything else in them is ignored.

use crate::domain::Email;
use crate::store::records::SuppressionKind;
use serde::Deserialize;
use std::collections::HashMap;

/// The SES message tag that names the account a mail was sent for (`mail::Message::account`).
pub const ACCOUNT_TAG: &str = "account";

/// The event Lambda receives from an SNS subscription.
#[derive(Debug, Deserialize)]
pub struct SnsEvent {
    #[serde(rename = "Records")]
    pub records: Vec<SnsRecord>,
}

#[derive(Debug, Deserialize)]
pub struct SnsRecord {
    #[serde(rename = "Sns")]
    pub sns: SnsMessage,
}

#[derive(Debug, Deserialize)]
pub struct SnsMessage {
    /// The SES notification, as JSON text.
    #[serde(rename = "Message")]
    pub message: String,
}

/// What an SES notification means to kennin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailEvent {
    /// These addresses are not to be mailed again.
    Undeliverable {
        kind: SuppressionKind,
        recipients: Vec<Email>,
        /// Recipients whose address is not one kennin could have sent to: skipped.
        unreadable: usize,
        /// The account the mail was sent for, when the message carried the tag.
        account: Option<String>,
    },
    /// Nothing to do; why, for the log (never an address).
    Ignored(&'static str),
}

/// The notification is not an SES event that kennin can read. Says nothing of its content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a readable SES notification")]
pub struct Unreadable;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    #[serde(alias = "notificationType")]
    event_type: String,
    #[serde(default)]
    bounce: Option<Bounce>,
    #[serde(default)]
    complaint: Option<Complaint>,
    #[serde(default)]
    mail: Mail,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    bounced_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    complained_recipients: Vec<Recipient>,
    #[serde(default)]
    complaint_feedback_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
}

#[derive(Default, Deserialize)]
struct Mail {
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

/// Reads one SES notification (the text of an SNS record's `Message`).
pub fn parse(message: &str) -> Result<MailEvent, Unreadable> {
    let notification: Notification = serde_json::from_str(message).map_err(|_| Unreadable)?;
    let (kind, recipients) = match notification.event_type.as_str() {
        "Bounce" => {
            let bounce = notification.bounce.ok_or(Unreadable)?;
            // A transient bounce (a full mailbox, a message too large) or an undetermined one
            // may deliver next time: only a permanent one stops the mail.
            if bounce.bounce_type != "Permanent" {
                return Ok(MailEvent::Ignored("not a permanent bounce"));
            }
            (SuppressionKind::Bounce, bounce.bounced_recipients)
        }
        "Complaint" => {
            let complaint = notification.complaint.ok_or(Unreadable)?;
            // The recipient's provider reports that the mail was not spam after all.
            if complaint.complaint_feedback_type.as_deref() == Some("not-spam") {
                return Ok(MailEvent::Ignored("feedback that the mail is not spam"));
            }
            (SuppressionKind::Complaint, complaint.complained_recipients)
        }
        _ => return Ok(MailEvent::Ignored("neither a bounce nor a complaint")),
    };
    let total = recipients.len();
    let recipients: Vec<Email> = recipients
        .iter()
        .filter_map(|r| Email::parse(&r.email_address).ok())
        .collect();
    let account = notification
        .mail
        .tags
        .get(ACCOUNT_TAG)
        .and_then(|values| values.first())
        .filter(|id| !id.is_empty())
        .cloned();
    Ok(MailEvent::Undeliverable {
        kind,
        unreadable: total - recipients.len(),
        recipients,
        account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    fn bounce(bounce_type: &str) -> serde_json::Value {
        json!({
            "eventType": "Bounce",
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {"emailAddress": "Taro@example.com", "action": "failed", "status": "5.1.1"},
                    {"emailAddress": "not an address", "action": "failed", "status": "5.1.1"}
                ],
                "timestamp": "2036-06-01T00:41:02.669Z",
                "feedbackId": "0100"
            },
            "mail": {
                "timestamp": "2036-06-01T00:40:02.012Z",
                "messageId": "m1",
                "destination": ["Taro@example.com"],
                "tags": {"ses:configuration-set": ["kennin-prod"], "account": ["a1"]}
            }
        })
    }

    #[test]
    fn a_permanent_bounce_names_its_readable_recipients_and_the_tagged_account() {
        assert_eq!(
            parse(&bounce("Permanent").to_string()),
            Ok(MailEvent::Undeliverable {
                kind: SuppressionKind::Bounce,
                recipients: vec![email("Taro@example.com")],
                unreadable: 1,
                account: Some("a1".into()),
            })
        );
    }

    #[test]
    fn a_transient_or_undetermined_bounce_is_ignored() {
        for kind in ["Transient", "Undetermined"] {
            assert!(matches!(parse(&bounce(kind).to_string()), Ok(MailEvent::Ignored(_))));
        }
    }

    #[test]
    fn an_identity_notification_without_tags_is_read_too() {
        let notification = json!({
            "notificationType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "jiro@example.com"}],
                "complaintFeedbackType": "abuse"
            },
            "mail": {"messageId": "m2"}
        });
        assert_eq!(
            parse(&notification.to_string()),
            Ok(MailEvent::Undeliverable {
                kind: SuppressionKind::Complaint,
                recipients: vec![email("jiro@example.com")],
                unreadable: 0,
                account: None,
            })
        );
        let not_spam = json!({
            "eventType": "Complaint",
            "complaint": {"complainedRecipients": [{"emailAddress": "jiro@example.com"}], "complaintFeedbackType": "not-spam"},
            "mail": {}
        });
        assert!(matches!(parse(&not_spam.to_string()), Ok(MailEvent::Ignored(_))));
    }

    #[test]
    fn other_events_are_ignored_and_broken_ones_unreadable() {
        let delivery = json!({"eventType": "Delivery", "mail": {}, "delivery": {}});
        assert!(matches!(parse(&delivery.to_string()), Ok(MailEvent::Ignored(_))));
        for broken in [
            "",
            "not json",
            "{}",
            r#"{"eventType": "Bounce"}"#,
            r#"{"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}"#,
            r#"{"eventType": "Complaint", "complaint": {"complainedRecipients": "x"}}"#,
        ] {
            assert_eq!(parse(broken), Err(Unreadable), "{broken:?}");
        }
    }
}
