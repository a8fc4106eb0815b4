//! Mail: one interface, two senders — SES v2 in AWS, an outbox folder of .eml files locally.

pub mod outbox;
pub mod ses;
pub mod templates;

use crate::domain::Email;
use async_trait::async_trait;

#[derive(Debug, Clone)]
pub struct Message {
    pub to: Email,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
#[error("mail could not be sent: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}
