//! The local runner: every function's handler in one process, behind the routes template.yaml
//! declares (read from it, so the two cannot disagree), plus the outbox at /_local/mail and the
//! embedded engine's document uploads and downloads at /_local/blobs/.

use axum::Router;
use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use futures::future::BoxFuture;
use kennin::blobs::local::{self as local_blobs, LocalBlobs, Refusal};
use kennin::domain::InsurerCode;
use kennin::http::ApiRequest;
use kennin::mail::outbox::Outbox;
use kennin::notices::{self, Notice, Scope};
use kennin::roster;
use kennin::store::ItemStore;
use kennin::store::records::Insurer;
use kennin::{Deps, Error};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// The route table, read from template.yaml.
pub use kennin_template::{Route, routes as template_routes};

pub mod demo_survey;

pub const TEMPLATE: &str = include_str!("../../../template.yaml");
pub const DEMO_INSURER: &str = "0904";
pub const DEMO_INSURER_NAME: &str = "けんにん健康保険組合（デモ）";
pub const DEMO_ROSTER: &str = include_str!("../demo-roster.csv");

type Handler = fn(Arc<Deps>, Request) -> BoxFuture<'static, Response<Body>>;

// Every function crate named by a CodeUri of template.yaml, compiled in as a module, and
// `handler_for`, which maps each CodeUri to its module's `handle` (written by build.rs).
include!(concat!(env!("OUT_DIR"), "/functions.rs"));

pub mod openapi;

/// Matches API Gateway's path templates (`/api/postal/{code}`) segment by segment, and returns
/// the path parameters as API Gateway would pass them.
fn path_parameters(template: &str, path: &str) -> Option<HashMap<String, String>> {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    let mut parameters = HashMap::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(parameters),
            // A greedy `{name+}` takes the rest of the path (API Gateway's proxy parameter).
            (Some(ts), Some(ps)) if ts.starts_with('{') && ts.ends_with("+}") && t.clone().next().is_none() => {
                let rest: Vec<&str> = std::iter::once(ps).chain(p).collect();
                parameters.insert(ts[1..ts.len() - 2].to_string(), rest.join("/"));
                return Some(parameters);
            }
            (Some(ts), Some(ps)) if ts.starts_with('{') && ts.ends_with('}') && !ps.is_empty() => {
                let value = percent_encoding::percent_decode_str(ps).decode_utf8_lossy().to_string();
                parameters.insert(ts[1..ts.len() - 1].to_string(), value);
            }
            (Some(ts), Some(ps)) if ts == ps => {}
            _ => return None,
        }
    }
}

#[derive(Clone)]
struct LocalApp {
    deps: Arc<Deps>,
    routes: Arc<Vec<(Route, Handler)>>,
    outbox: Option<Arc<Outbox>>,
    blobs: Arc<LocalBlobs>,
}

/// The whole application as one axum router. `blobs` serves the URLs of the embedded engine,
/// which should be `deps.blobs`.
pub fn router(deps: Arc<Deps>, outbox: Option<Arc<Outbox>>, blobs: Arc<LocalBlobs>) -> Result<Router, String> {
    let mut routes = Vec::new();
    for route in template_routes(TEMPLATE)? {
        let handler = handler_for(&route.code_uri).ok_or(format!("no handler for {}", route.code_uri))?;
        routes.push((route, handler));
    }
    let app = LocalApp {
        deps,
        routes: Arc::new(routes),
        outbox,
        blobs,
    };
    Ok(Router::new().fallback(dispatch).with_state(app))
}

/// Bodies above this never reach a function (API Gateway's own limit is 10 MB); the functions
/// enforce their 16 KB limit themselves.
const MAX_FORWARDED_BODY: usize = 1024 * 1024;

async fn dispatch(
    State(app): State<LocalApp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> AxumResponse {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    if path == "/_local/mail" && parts.method == Method::GET {
        return local_mail(app.outbox.as_deref()).await;
    }
    if let Some(key) = path.strip_prefix(local_blobs::ROUTE) {
        let answer = match parts.method {
            Method::PUT => local_blob_upload(&app.blobs, key, &parts, body).await,
            Method::GET => local_blob_download(&app.blobs, key, parts.uri.query()).await,
            _ => return StatusCode::METHOD_NOT_ALLOWED.into_response(),
        };
        return answer.unwrap_or_else(refused);
    }
    let route = app.routes.iter().find_map(|(route, handler)| {
        let parameters = (route.method == parts.method.as_str()).then(|| path_parameters(&route.path, &path))??;
        Some((handler, parameters, route))
    });
    let bytes = to_bytes(body, MAX_FORWARDED_BODY).await;
    let mut builder = lambda_http::http::Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone());
    for (name, value) in &parts.headers {
        builder = builder.header(name, value);
    }
    let body = match &bytes {
        Ok(bytes) if !bytes.is_empty() => Body::Binary(bytes.to_vec()),
        _ => Body::Empty,
    };
    let Ok(request) = builder.body(body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let parameters = route.as_ref().map(|(_, p, _)| p.clone()).unwrap_or_default();
    let route_key = route.as_ref().map(|(_, _, r)| format!("{} {}", r.method, r.path));
    let request = request
        .with_request_context(api_gateway_context(&parts.method, &path, route_key, peer))
        .with_path_parameters(parameters);
    // What API Gateway itself would refuse is answered here, the way the functions answer.
    let handler = match (route, &bytes) {
        (Some((handler, _, _)), Ok(_)) => handler,
        (None, _) => {
            return into_axum(ApiRequest::new(request, &app.deps.config).finish(Err(Error::NotFound)));
        }
        (Some(_), Err(_)) => {
            return into_axum(ApiRequest::new(request, &app.deps.config).finish(Err(Error::TooLarge)));
        }
    };
    into_axum(handler(app.deps.clone(), request).await)
}

fn into_axum(response: Response<Body>) -> AxumResponse {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Vec::new(),
        Body::Text(text) => text.into_bytes(),
        Body::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    AxumResponse::from_parts(parts, AxumBody::from(bytes))
}

/// What API Gateway would tell the function about the request.
fn api_gateway_context(method: &Method, path: &str, route_key: Option<String>, peer: SocketAddr) -> RequestContext {
    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = method.clone();
    http.path = Some(path.to_string());
    http.source_ip = Some(peer.ip().to_string());
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.request_id = Some(uuid::Uuid::new_v4().to_string());
    context.route_key = route_key;
    context.http = http;
    RequestContext::ApiGatewayV2(context)
}

async fn local_mail(outbox: Option<&Outbox>) -> AxumResponse {
    let Some(outbox) = outbox else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({ "code": "no_outbox" })),
        )
            .into_response();
    };
    match outbox.list().await {
        Ok(messages) => axum::Json(serde_json::json!({ "messages": messages })).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "code": "outbox", "message": e.to_string() })),
        )
            .into_response(),
    }
}

/// A PUT to a presigned upload URL of the embedded engine: the URL and the request's headers are
/// checked before any of the body is read, and no more body is read than the size signed.
async fn local_blob_upload(
    blobs: &LocalBlobs,
    key: &str,
    parts: &axum::http::request::Parts,
    body: AxumBody,
) -> Result<AxumResponse, Refusal> {
    let upload = blobs.signed_upload(key, parts.uri.query())?;
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let content_length = header(axum::http::header::CONTENT_LENGTH).and_then(|v| v.parse().ok());
    upload.admits(header(axum::http::header::CONTENT_TYPE), content_length)?;
    let limit = usize::try_from(upload.size()).map_err(|_| Refusal::TooLarge)?;
    let bytes = to_bytes(body, limit).await.map_err(|_| Refusal::TooLarge)?;
    blobs.receive(&upload, bytes.to_vec()).await?;
    Ok(StatusCode::OK.into_response())
}

/// A GET of a presigned download URL of the embedded engine.
async fn local_blob_download(blobs: &LocalBlobs, key: &str, query: Option<&str>) -> Result<AxumResponse, Refusal> {
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    let download = blobs.signed_download(key, query).await?;
    Ok((
        [
            (CONTENT_TYPE, download.content_type),
            (CONTENT_DISPOSITION, download.disposition),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        download.bytes,
    )
        .into_response())
}

fn refused(refusal: Refusal) -> AxumResponse {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(serde_json::json!({ "code": refusal.code() }))).into_response()
}

/// Seeds the demo union and its roster for this year when the store has no demo union yet.
/// Goes through the same import as the operator CLI.
pub async fn seed_demo(store: &dyn ItemStore, today: time::Date) -> Result<bool, String> {
    let code = InsurerCode::parse(DEMO_INSURER).map_err(|e| e.to_string())?;
    if store
        .get(&Insurer::key(&code))
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(false);
    }
    roster::put_insurer(store, &code, DEMO_INSURER_NAME, Some(&demo_survey::demo_contact()))
        .await
        .map_err(|e| e.to_string())?;
    let year = today.year();
    let people = roster::parse(DEMO_ROSTER, &code, year, today).map_err(|e| e.to_string())?;
    roster::import(store, &code, year, people, &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    seed_demo_notices(store, &code, today).await?;
    demo_survey::seed(store, &code, today).await?;
    Ok(true)
}

/// The demo union's console admin, whom a newcomer signs in as.
pub const DEMO_ADMIN_EMAIL: &str = "admin@kennin.localhost";

/// Adds the demo union's admin with an invitation to `site`, mailed (to the outbox) like any
/// other; the invitation's link, which the runner prints.
pub async fn seed_demo_admin(
    store: &dyn ItemStore,
    mailer: &dyn kennin::mail::Mailer,
    site: &str,
    now: i64,
) -> Result<String, String> {
    let code = InsurerCode::parse(DEMO_INSURER).map_err(|e| e.to_string())?;
    let insurer: Insurer = store
        .get(&Insurer::key(&code))
        .await
        .map_err(|e| e.to_string())?
        .map(kennin::store::records::from_item)
        .transpose()
        .map_err(|e| e.to_string())?
        .ok_or("the demo union is not seeded")?;
    let input = kennin::console::staff::NewStaffInput {
        email: DEMO_ADMIN_EMAIL.into(),
        name: "デモ 管理者".into(),
        role: "admin".into(),
    };
    let invited = kennin::console::staff::add_member(store, mailer, &insurer, &input, site, None, now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(invited.link)
}

/// The login page's site notices as the manual shows them, and the demo union's survey notice
/// dated the day of seeding. Added oldest first, so that on the same date the list shows them
/// in the manual's order.
async fn seed_demo_notices(store: &dyn ItemStore, code: &InsurerCode, today: time::Date) -> Result<(), String> {
    let manual_date = time::macros::date!(2022 - 04 - 01);
    let seeds = [
        (
            Scope::Site,
            manual_date,
            "システムメンテナンスのお知らせ",
            "システムメンテナンスのため、サービスを一時停止することがあります。停止する日時は、このお知らせ欄で事前にお知らせします。",
        ),
        (
            Scope::Site,
            manual_date,
            "推奨ブラウザについて",
            "本サイトは、Microsoft Edge、Google Chrome、Mozilla Firefox、Safari の最新版でご利用ください。Cookie と JavaScript を有効にしてください。",
        ),
        (
            Scope::Insurer(code.clone()),
            today,
            "被扶養者資格調査のご案内",
            "被扶養者の方が引き続き認定の条件を満たしているかを確認するため、今年度の被扶養者資格調査を実施します。ログイン後、画面の案内に従ってご回答ください。回答の期限は、組合からお送りした通知をご確認ください。",
        ),
    ];
    for (scope, date, title, text) in seeds {
        let notice = Notice::new(date, title, text, None).map_err(|e| format!("{e:?}"))?;
        notices::add(store, &scope, &notice).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// How often the local runner makes the mail schedule's run (hourly in AWS): a reminder due at
/// 09:00 goes out within a minute, and a mail whose send failed is retried as soon as it is due.
pub const MAIL_SCHEDULE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The mail schedule in-process, on the runner's own clock, for as long as the runner runs: what
/// the hourly function does in AWS, with links to `site`.
pub async fn run_mail_schedule(deps: Arc<Deps>, site: String) {
    let mut every = tokio::time::interval(MAIL_SCHEDULE_EVERY);
    loop {
        every.tick().await;
        let until = tokio::time::Instant::now() + MAIL_SCHEDULE_EVERY;
        // A failed run is logged; the next is a minute away.
        let run_id = uuid::Uuid::new_v4().to_string();
        let _ = kennin::schedule::run_logged(&deps, &site, until, &run_id).await;
    }
}
