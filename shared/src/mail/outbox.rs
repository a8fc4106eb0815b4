//! The local runner's mail: every message becomes an RFC 5322 file in a folder, so a developer
//! can sign up without any mail server and open the mails in any mail program.

use super::{MailError, Mailer, Message};
use async_trait::async_trait;
use mail_builder::MessageBuilder;
use mail_parser::MessageParser;
use serde::Serialize;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Outbox {
    dir: PathBuf,
    from: String,
}

/// A message read back from the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    pub text: String,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            from: from.into(),
        }
    }

    /// Newest first.
    pub async fn list(&self) -> std::io::Result<Vec<OutboxMessage>> {
        let mut names = Vec::new();
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".eml") {
                names.push(name);
            }
        }
        names.sort_unstable_by(|a, b| b.cmp(a));
        let mut messages = Vec::new();
        for name in names {
            let raw = tokio::fs::read(self.dir.join(&name)).await?;
            let Some(parsed) = MessageParser::default().parse(&raw) else {
                continue;
            };
            let to = parsed
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_string();
            messages.push(OutboxMessage {
                file: name,
                to,
                subject: parsed.subject().unwrap_or_default().to_string(),
                date: parsed.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
                text: parsed.body_text(0).unwrap_or_default().to_string(),
            });
        }
        Ok(messages)
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let failed = |e: std::io::Error| MailError(format!("outbox: {e}"));
        tokio::fs::create_dir_all(&self.dir).await.map_err(failed)?;
        let raw = MessageBuilder::new()
            .from(self.from.as_str())
            .to(message.to.as_str())
            .subject(message.subject.as_str())
            .text_body(message.text.as_str())
            .write_to_string()
            .map_err(failed)?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!("{nanos:024}-{}.eml", uuid::Uuid::new_v4().simple());
        // Written under a temporary name and renamed, so a reader never sees half a message.
        let partial = self.dir.join(format!(".{name}.partial"));
        tokio::fs::write(&partial, raw).await.map_err(failed)?;
        tokio::fs::rename(&partial, self.dir.join(&name))
            .await
            .map_err(failed)?;
        Ok(())
    }
}
