use kennin::clock::{Clock, SystemClock};
use lambda_http::{LambdaEvent, service_fn};
use serde_json::{Value, json};

/// The schedule's event says nothing the purge needs: what is due comes from the table.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::init_logging();
    let sdk = kennin::aws::lambda_config().await;
    let store = kennin::store::dynamodb::from_env(&sdk)?;
    let blobs = kennin::blobs::s3::from_env(&sdk)?;
    lambda_http::lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| {
        let (store, blobs) = (store.clone(), blobs.clone());
        async move {
            match kennin_documents_purge::purge(store.as_ref(), blobs.as_ref(), SystemClock.unix()).await {
                Ok(report) => {
                    tracing::info!(
                        purged = report.purged,
                        stale = report.stale,
                        changed = report.changed,
                        "documents purge"
                    );
                    Ok(json!({ "purged": report.purged, "stale": report.stale, "changed": report.changed }))
                }
                Err(error) => {
                    tracing::error!(error = %error, "documents purge failed");
                    Err(lambda_http::Error::from(error.to_string()))
                }
            }
        }
    }))
    .await
}
