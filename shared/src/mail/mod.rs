//! Mail: one interface, two senders — SES v2 in AWS, an outbox folder of .eml files locally.

pub mod jobs;
pub mod outbox;
#[cfg(feature = "aws")]
pub mod ses;
pub mod templates;

use crate::domain::Email;
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Message {
    pub to: Email,
    pub subject: String,
    pub text: String,
    /// The id of the account the mail is sent for, when there is one: an opaque id, never
    /// personal data. SES carries it as the message's `account` tag into its bounce and
    /// complaint notifications, which is how a bounce finds its account (`kennin::suppression`).
    pub account: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("mail could not be sent: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}

/// Mails a notice whose loss must not undo what was done: a failure is logged, not answered.
pub async fn send_best_effort(mailer: &dyn Mailer, message: &Message) {
    if let Err(error) = mailer.send(message).await {
        tracing::warn!(error = %error, "notice mail not sent");
    }
}

/// The sender of a function whose role may send mail: SES v2 from KENNIN_MAIL_FROM (with the
/// configuration set KENNIN_SES_CONFIGURATION_SET when given), or the folder KENNIN_OUTBOX_DIR
/// when that is set (for `cargo lambda watch`).
#[cfg(feature = "aws")]
pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Arc<dyn Mailer>, String> {
    let from = std::env::var("KENNIN_MAIL_FROM").map_err(|_| "KENNIN_MAIL_FROM is not set".to_string())?;
    if let Ok(dir) = std::env::var("KENNIN_OUTBOX_DIR") {
        return Ok(Arc::new(outbox::Outbox::new(dir, from)));
    }
    let mut client = aws_sdk_sesv2::config::Builder::from(sdk);
    client.set_endpoint_url(crate::aws::endpoint_from_env("SESV2"));
    Ok(Arc::new(ses::SesMailer::new(
        aws_sdk_sesv2::Client::from_conf(client.build()),
        from,
        std::env::var("KENNIN_SES_CONFIGURATION_SET")
            .ok()
            .filter(|name| !name.is_empty()),
    )))
}

/// The sender of a function whose role may not send mail. Its package links no SES client, and
/// a send, which none of its flows makes, is refused as SES would refuse it.
pub fn not_granted() -> Arc<dyn Mailer> {
    Arc::new(NotGranted)
}

struct NotGranted;

#[async_trait]
impl Mailer for NotGranted {
    async fn send(&self, _: &Message) -> Result<(), MailError> {
        Err(MailError("this function may not send mail".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_function_without_the_right_to_mail_is_refused() {
        let mailer = not_granted();
        let message = Message {
            to: Email::parse("taro@example.jp").unwrap(),
            subject: "件名".into(),
            text: "本文".into(),
            account: None,
        };
        assert!(mailer.send(&message).await.is_err());
    }
}
