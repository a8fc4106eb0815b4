use kennin::clock::{Clock, SystemClock};
use lambda_http::{LambdaEvent, service_fn};
use serde_json::{Value, json};
use tracing::Instrument as _;

/// SNS invokes it asynchronously: an error makes Lambda try the event again (twice).
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::init_logging();
    let sdk = kennin::aws::lambda_config().await;
    let store = kennin::store::dynamodb::from_env(&sdk)?;
    lambda_http::lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let store = store.clone();
        let span = tracing::info_span!("mail_events", request_id = %event.context.request_id);
        async move {
            match kennin_mail_events::handle(store.as_ref(), event.payload, SystemClock.unix()).await {
                Ok(report) => Ok(json!({
                    "suppressed": report.suppressed,
                    "listed": report.listed,
                    "ignored": report.ignored,
                    "unreadable": report.unreadable,
                })),
                Err(error) => {
                    tracing::error!(event = "mail_events_failed", error = %error, "mail events");
                    Err(lambda_http::Error::from(error.to_string()))
                }
            }
        }
        .instrument(span)
    }))
    .await
}
