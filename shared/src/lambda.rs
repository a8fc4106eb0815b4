//! The five lines every function's main.rs needs: JSON logs, dependencies built once per cold
//! start, and the handler served by the Lambda runtime.

use crate::blobs::{self, BlobStore};
use crate::deps::Deps;
use crate::mail::{self, Mailer};
use crate::store::{self, ItemStore, dynamodb};
use aws_config::SdkConfig;
use lambda_http::{Body, Request, Response, service_fn};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// JSON log lines on stdout (one per request, written by `http::ApiRequest::finish`).
pub fn init_logging() {
    let _ = install_logging(std::io::stdout);
}

/// Installs the one log format (JSON, one object per line, the request ID from the span) as the
/// process's logger, writing to `writer`. The tests install it with a file, so what they check
/// is what production writes. Fails if the process already has a logger.
pub fn install_logging<W>(writer: W) -> Result<(), tracing_subscriber::util::TryInitError>
where
    W: for<'writer> tracing_subscriber::fmt::MakeWriter<'writer> + Send + Sync + 'static,
{
    logger(writer, std::env::var("RUST_LOG").ok().as_deref()).try_init()
}

/// The logger for `directives` in RUST_LOG's usual syntax (`info,kennin::dynamodb=debug`); info
/// when they are missing or unreadable. `Targets` reads them without the regex engine that
/// EnvFilter links into every package.
fn logger<W>(writer: W, directives: Option<&str>) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'writer> tracing_subscriber::fmt::MakeWriter<'writer> + Send + Sync + 'static,
{
    let filter = directives
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_writer(writer)
        // The formatter's own level filter (INFO unless told) would hide what `filter` enables.
        .with_max_level(tracing::level_filters::LevelFilter::TRACE)
        .finish()
        .with(filter)
}

/// Serves a function that uses the table and sends no mail (its role has no ses:SendEmail).
pub async fn run<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<Deps>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    serve(handler, dynamodb::from_env, no_mail, no_files).await
}

/// Serves a function that uses the table and the document files (KENNIN_BUCKET) and sends no
/// mail. Only these link the S3 client.
#[cfg(feature = "s3")]
pub async fn run_with_blobs<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<Deps>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    serve(handler, dynamodb::from_env, no_mail, blobs::s3::from_env).await
}

/// Serves a function that uses the table and sends mail. Only these link the SES client.
pub async fn run_mailing<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<Deps>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    serve(handler, dynamodb::from_env, mail::from_env, no_files).await
}

/// Serves a function that never touches the table (and has no right to): no warm-up call, and
/// no AWS client in its package at all.
pub async fn run_without_store<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<Deps>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    serve(handler, no_table, no_mail, no_files).await
}

/// The table, mail sender and document files of a function whose role may not use them: its
/// package links none of their clients.
fn no_table(_: &SdkConfig) -> Result<Arc<dyn ItemStore>, String> {
    Ok(store::not_granted())
}

fn no_mail(_: &SdkConfig) -> Result<Arc<dyn Mailer>, String> {
    Ok(mail::not_granted())
}

fn no_files(_: &SdkConfig) -> Result<Arc<dyn BlobStore>, String> {
    Ok(blobs::not_configured())
}

/// `table`, `mailer` and `files` are function items, not values, so that a package links only
/// the clients its function names (see `Deps::from_env`).
async fn serve<F, Fut, S, M, B>(handler: F, table: S, mailer: M, files: B) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<Deps>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
    S: FnOnce(&SdkConfig) -> Result<Arc<dyn ItemStore>, String>,
    M: FnOnce(&SdkConfig) -> Result<Arc<dyn Mailer>, String>,
    B: FnOnce(&SdkConfig) -> Result<Arc<dyn BlobStore>, String>,
{
    init_logging();
    let deps = Arc::new(Deps::from_env(table, mailer, files).await?);
    // The init phase gets burst CPU: open the connection (TLS handshake) to DynamoDB now rather
    // than on the first request.
    if let Err(error) = deps.store.warm_up().await {
        tracing::warn!(error = %error, "store warm-up failed");
    }
    let handler = Arc::new(handler);
    lambda_http::run(service_fn(move |request: Request| {
        let (deps, handler) = (deps.clone(), handler.clone());
        async move { Ok::<_, Infallible>(handler(deps, request).await) }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dynamodb::ROUND_TRIP_TARGET;
    use tracing::Level;

    /// Whether the logger for `directives` writes a round-trip event, another module's debug
    /// event, and an info event.
    fn written(directives: Option<&str>) -> (bool, bool, bool) {
        tracing::subscriber::with_default(logger(std::io::sink, directives), || {
            (
                tracing::enabled!(target: ROUND_TRIP_TARGET, Level::DEBUG),
                tracing::enabled!(target: "kennin::session", Level::DEBUG),
                tracing::enabled!(target: "kennin::session", Level::INFO),
            )
        })
    }

    #[test]
    fn log_directives_turn_on_the_round_trip_events_and_default_to_info() {
        assert_eq!(written(Some("info,kennin::dynamodb=debug")), (true, false, true));
        assert_eq!(written(None), (false, false, true));
        assert_eq!(written(Some("warn")), (false, false, false));
        assert_eq!(written(Some("=not a directive=")), (false, false, true));
    }
}
