//! Hourly, on a schedule: the campaigns' invitations and reminders that are due are queued and
//! the outbox is sent (`kennin::schedule`), within the rate the account may send at. A run that
//! runs out of time stops and the next continues where it stopped.

use kennin::blobs;
use kennin::deps::Deps;
use kennin::schedule;
use lambda_http::{LambdaEvent, service_fn};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Time kept back from Lambda's limit, to finish the page in hand and record where it stopped.
const MARGIN: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::init_logging();
    let site = std::env::var("KENNIN_SITE_URL").map_err(|_| "KENNIN_SITE_URL is not set")?;
    let deps = Deps::from_env(kennin::store::dynamodb::from_env, kennin::mail::from_env, |_| {
        Ok(blobs::not_configured())
    })
    .await?;
    let (deps, site) = (Arc::new(deps), Arc::<str>::from(site));
    lambda_http::lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let (deps, site) = (deps.clone(), site.clone());
        async move {
            let left = event
                .context
                .deadline()
                .duration_since(std::time::SystemTime::now())
                .unwrap_or_default();
            let until = tokio::time::Instant::now() + left.saturating_sub(MARGIN);
            let report = schedule::run_logged(&deps, &site, until, &event.context.request_id)
                .await
                .map_err(|error| lambda_http::Error::from(error.to_string()))?;
            Ok::<_, lambda_http::Error>(json!({ "queued": report.reminders.queued, "sent": report.mail.sent }))
        }
    }))
    .await
}
