//! A Lambda Runtime API for one cold start: hands the first `/next` poll the event, takes the
//! first response, and notes when each happened.
//!
//! Nagle is off on every accepted socket: the runtimes write a request's head and body in
//! separate segments, and with Nagle and delayed ACKs each keep-alive round trip would wait
//! ~40 ms for nothing, which would swamp the few milliseconds being measured.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Notify;

const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000001";

/// What the function did, as seen from the Runtime API.
#[derive(Debug, Default, Clone)]
pub struct Milestones {
    /// The first `GET …/invocation/next`: the end of the init phase.
    pub first_poll: Option<Instant>,
    /// The first `POST …/response`: the end of the first invocation.
    pub first_response: Option<Instant>,
    pub response_body: Option<Bytes>,
    /// What the runtime reported to `…/init/error` or `…/invocation/{id}/error`.
    pub error: Option<String>,
}

struct Shared {
    event: Bytes,
    milestones: Mutex<Milestones>,
    changed: Notify,
}

pub struct Emulator {
    pub address: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Emulator {
    pub async fn start(event: Bytes) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            event,
            milestones: Mutex::new(Milestones::default()),
            changed: Notify::new(),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(invocation_error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = listener.tap_io(|socket| {
            let _ = socket.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            address,
            shared,
            server,
        })
    }

    /// Waits until the first invocation is answered (or failed), at most `limit`.
    pub async fn finished(&self, limit: Duration) -> Milestones {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let changed = self.shared.changed.notified();
            {
                let milestones = self.shared.milestones.lock().expect("milestones lock");
                if milestones.first_response.is_some() || milestones.error.is_some() {
                    return milestones.clone();
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.shared.milestones.lock().expect("milestones lock").clone();
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn note(shared: &Shared, update: impl FnOnce(&mut Milestones)) {
    update(&mut shared.milestones.lock().expect("milestones lock"));
    shared.changed.notify_waiters();
}

async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let now = Instant::now();
    let mut first = false;
    note(&shared, |milestones| {
        if milestones.first_poll.is_none() {
            milestones.first_poll = Some(now);
            first = true;
        }
    });
    if !first {
        // One cold start, one invocation: the process is stopped while it waits for the next.
        std::future::pending::<()>().await;
    }
    let deadline = std::time::SystemTime::now() + Duration::from_secs(30);
    let deadline_ms = deadline
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static(REQUEST_ID));
    headers.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from_str(&deadline_ms.to_string()).expect("digits"),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:ap-northeast-1:123456789012:function:bench"),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        HeaderValue::from_static("Root=1-00000000-000000000000000000000000;Sampled=0"),
    );
    (headers, shared.event.clone())
}

async fn response(State(shared): State<Arc<Shared>>, Path(_id): Path<String>, body: Bytes) -> StatusCode {
    let now = Instant::now();
    note(&shared, |milestones| {
        if milestones.first_response.is_none() {
            milestones.first_response = Some(now);
            milestones.response_body = Some(body);
        }
    });
    StatusCode::ACCEPTED
}

async fn invocation_error(State(shared): State<Arc<Shared>>, Path(_id): Path<String>, body: Bytes) -> StatusCode {
    report_error(&shared, "invocation error", &body);
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    report_error(&shared, "init error", &body);
    StatusCode::ACCEPTED
}

fn report_error(shared: &Shared, kind: &str, body: &[u8]) {
    let message = format!("{kind}: {}", String::from_utf8_lossy(body));
    note(shared, |milestones| {
        milestones.error.get_or_insert(message);
    });
}
