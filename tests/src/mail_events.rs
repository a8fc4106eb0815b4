//! SES's bounce and complaint notifications as SNS delivers them to the mail-events function:
//! the shapes of AWS's documented samples (SES event publishing through a configuration set),
//! with the recipient and the `account` tag the test chooses.

use serde_json::{Value, json};

/// What every notification says of the mail itself.
fn mail(recipient: &str, account: Option<&str>) -> Value {
    let mut tags = json!({
        "ses:configuration-set": ["kennin-test"],
        "ses:source-ip": ["192.0.2.0"],
        "ses:from-domain": ["kennin.example"],
        "ses:caller-identity": ["kennin-signup-account"],
        "ses:outgoing-ip": ["54.240.8.1"]
    });
    if let Some(account) = account {
        tags["account"] = json!([account]);
    }
    json!({
        "timestamp": "2036-06-01T00:40:02.012Z",
        "source": "no-reply@kennin.example",
        "sourceArn": "arn:aws:ses:ap-northeast-1:123456789012:identity/kennin.example",
        "sendingAccountId": "123456789012",
        "messageId": "0106018c2e8f6a6a-5e1a4c52-1f7b-4b4a-9d0b-EXAMPLE-000000",
        "destination": [recipient],
        "headersTruncated": false,
        "headers": [
            {"name": "From", "value": "no-reply@kennin.example"},
            {"name": "To", "value": recipient},
            {"name": "Subject", "value": "【パスワードが変更されました】"},
            {"name": "MIME-Version", "value": "1.0"},
            {"name": "Content-Type", "value": "text/plain; charset=UTF-8"}
        ],
        "commonHeaders": {
            "from": ["no-reply@kennin.example"],
            "to": [recipient],
            "messageId": "0106018c2e8f6a6a-5e1a4c52-1f7b-4b4a-9d0b-EXAMPLE-000000",
            "subject": "【パスワードが変更されました】"
        },
        "tags": tags
    })
}

/// A bounce of `bounce_type` (Permanent, Transient, Undetermined) for one recipient.
pub fn bounce(bounce_type: &str, recipient: &str, account: Option<&str>) -> Value {
    json!({
        "eventType": "Bounce",
        "bounce": {
            "feedbackId": "0106018c2e8f7b0c-8a9bd7d6-2a5e-4c1e-8d6e-EXAMPLE-000000",
            "bounceType": bounce_type,
            "bounceSubType": if bounce_type == "Transient" { "MailboxFull" } else { "General" },
            "bouncedRecipients": [{
                "emailAddress": recipient,
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown"
            }],
            "timestamp": "2036-06-01T00:41:02.669Z",
            "reportingMTA": "dns; a27-23.smtp-out.ap-northeast-1.amazonses.com"
        },
        "mail": mail(recipient, account)
    })
}

pub fn permanent_bounce(recipient: &str, account: Option<&str>) -> Value {
    bounce("Permanent", recipient, account)
}

pub fn complaint(recipient: &str, account: Option<&str>) -> Value {
    json!({
        "eventType": "Complaint",
        "complaint": {
            "feedbackId": "0106018c2e8f8e11-2b1f1b6e-5f6a-4d8d-a6c2-EXAMPLE-000000",
            "complaintSubType": null,
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": "2036-06-01T01:02:03.000Z",
            "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2036-06-01T01:01:59.000Z"
        },
        "mail": mail(recipient, account)
    })
}

/// The text of an SNS record's `Message`, as SNS wraps a published notification.
pub fn sns_record(message: &str) -> Value {
    json!({
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:ap-northeast-1:123456789012:kennin-MailEventsTopic-EXAMPLE:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
        "Sns": {
            "Type": "Notification",
            "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            "TopicArn": "arn:aws:sns:ap-northeast-1:123456789012:kennin-MailEventsTopic-EXAMPLE",
            "Subject": null,
            "Message": message,
            "Timestamp": "2036-06-01T00:41:03.123Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem",
            "UnsubscribeUrl": "https://sns.ap-northeast-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=EXAMPLE",
            "MessageAttributes": {}
        }
    })
}

/// The event Lambda receives from the subscription: one record per notification.
pub fn sns_event(notifications: &[&Value]) -> Value {
    let records: Vec<Value> = notifications
        .iter()
        .map(|notification| sns_record(&notification.to_string()))
        .collect();
    json!({ "Records": records })
}
