use super::{MailError, Mailer, Message};
use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message as SesMessage, MessageTag};

pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client, from: impl Into<String>, configuration_set: Option<String>) -> Self {
        Self {
            client,
            from: from.into(),
            configuration_set,
        }
    }
}

fn utf8(text: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError(e.to_string()))
}

/// The message's account as an SES tag, which SES hands back in the message's bounce and
/// complaint events (`suppression::ses_event::ACCOUNT_TAG`).
fn account_tag(message: &Message) -> Result<Option<Vec<MessageTag>>, MailError> {
    let Some(account) = &message.account else {
        return Ok(None);
    };
    let tag = MessageTag::builder()
        .name(crate::suppression::ses_event::ACCOUNT_TAG)
        .value(account)
        .build()
        .map_err(|e| MailError(e.to_string()))?;
    Ok(Some(vec![tag]))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let content = EmailContent::builder()
            .simple(
                SesMessage::builder()
                    .subject(utf8(&message.subject)?)
                    .body(Body::builder().text(utf8(&message.text)?).build())
                    .build(),
            )
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(message.to.as_str()).build())
            .content(content)
            .set_configuration_set_name(self.configuration_set.clone())
            .set_email_tags(account_tag(message)?)
            .send()
            .await
            .map_err(|e| match &e {
                // SES's own messages can quote the addresses; the code alone is safe to log.
                SdkError::ServiceError(_) => MailError(format!("SES {}", e.code().unwrap_or("error"))),
                _ => MailError(format!("SES unreachable: {}", DisplayErrorContext(&e))),
            })?;
        Ok(())
    }
}
