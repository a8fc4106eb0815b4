//! The HTTP edge shared by every function: request parsing with its limits and cross-site
//! checks, the one mapping from `Error` to a response, cookies, security headers and the
//! one log line per request.

use crate::clock::japanese_duration;
use crate::codes::RESEND_INTERVAL_SECONDS;
use crate::config::Config;
use crate::document_file::{MAX_FILES_PER_TARGET, MAX_TARGET_BYTES};
use crate::domain::Next;
use crate::domain::stated;
use crate::error::{Error, FieldErrors};
use crate::lockout::LOCK_SECONDS;
use crate::union_contact::ContactView;
use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Instant;

pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Browsers remember for two years to use HTTPS only (API Gateway serves nothing else).
pub const HSTS: &str = "max-age=63072000; includeSubDomains";
pub const SESSION_COOKIE: &str = "__Host-kennin_session";
pub const SIGNUP_COOKIE: &str = "__Host-kennin_signup";
/// The staff console's session: a cookie of its own, so a person's session never opens the
/// console and a staff member's never opens a person's pages.
pub const STAFF_COOKIE: &str = "__Host-kennin_staff";
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";
/// The headers on every answer of the API besides the request ID (the API description declares
/// them from here).
pub const API_HEADERS: [(&str, &str); 6] = [
    ("Cache-Control", "no-store"),
    // A long JSON answer is gzipped for a browser that takes it (GZIP_JSON_MIN_BYTES).
    ("Vary", "Accept-Encoding"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("Strict-Transport-Security", HSTS),
];

/// A JSON answer at least this long goes gzipped to a browser that takes it (a survey's form, the
/// terms, the console's lists): on a slow phone network every kilobyte is 20 ms. Below it the
/// saving is less than a packet.
pub const GZIP_JSON_MIN_BYTES: usize = 1024;

pub struct ApiRequest {
    method: Method,
    path: String,
    headers: lambda_http::http::HeaderMap,
    body: Vec<u8>,
    request_id: String,
    /// The route template (`/api/postal/{code}`), never the path itself: path values such as a
    /// postal code stay out of the logs.
    route: Option<String>,
    /// The route's path parameters (`{id}`), as API Gateway passes them: decoded.
    path_parameters: lambda_http::aws_lambda_events::query_map::QueryMap,
    /// The query string's parameters, decoded; the first of a repeated name counts.
    query: Vec<(String, String)>,
    client_ip: String,
    started: Instant,
}

/// A successful answer.
pub struct Reply {
    status: u16,
    body: Option<Value>,
    file: Option<FileBody>,
    cookies: Vec<String>,
    location: Option<String>,
    /// An HTML page to show: its text and the policy it is shown under (in place of the API's).
    page: Option<PageBody>,
}

struct PageBody {
    html: String,
    content_security_policy: &'static str,
}

/// A file the browser saves (an export): its bytes as they are, their type and name.
struct FileBody {
    content_type: String,
    file_name: String,
    bytes: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: impl Serialize) -> Self {
        let body = serde_json::to_value(body).unwrap_or(Value::Null);
        Self {
            status,
            body: Some(body),
            file: None,
            cookies: Vec::new(),
            location: None,
            page: None,
        }
    }

    /// 200 with a file to save as `file_name` (Content-Disposition: attachment).
    pub fn file(content_type: impl Into<String>, file_name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            status: 200,
            body: None,
            file: Some(FileBody {
                content_type: content_type.into(),
                file_name: file_name.into(),
                bytes,
            }),
            cookies: Vec::new(),
            location: None,
            page: None,
        }
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            file: None,
            cookies: Vec::new(),
            location: None,
            page: None,
        }
    }

    /// 302 to `location`: a short-lived URL the browser follows at once (a file's download).
    pub fn redirect(location: String) -> Self {
        Self {
            status: 302,
            body: None,
            file: None,
            cookies: Vec::new(),
            location: Some(location),
            page: None,
        }
    }

    /// 200 with an HTML page the browser shows (the leaflet to print), under its own
    /// Content-Security-Policy: the API's admits no stylesheet.
    pub fn page(html: String, content_security_policy: &'static str) -> Self {
        Self {
            status: 200,
            body: None,
            file: None,
            cookies: Vec::new(),
            location: None,
            page: Some(PageBody {
                html,
                content_security_policy,
            }),
        }
    }

    pub fn cookie(mut self, cookie: String) -> Self {
        self.cookies.push(cookie);
        self
    }
}

/// A `__Host-` cookie: Secure, no Domain, Path=/, so no other host or path can set or read it;
/// HttpOnly, so no script can; SameSite=Strict, so no other site can make the browser send it.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; Secure; HttpOnly; SameSite=Strict")
}

pub fn clear_cookie(name: &str) -> String {
    set_cookie(name, "", 0)
}

fn header<'a>(headers: &'a lambda_http::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl ApiRequest {
    pub fn new(request: Request, config: &Config) -> Self {
        let started = Instant::now();
        let context = request.request_context_ref();
        let (context_id, source_ip, route_key) = match context {
            Some(RequestContext::ApiGatewayV2(ctx)) => (
                ctx.request_id.clone(),
                ctx.http.source_ip.clone(),
                ctx.route_key.clone(),
            ),
            _ => (None, None, None),
        };
        // API Gateway's route key is "METHOD /template"; `$default` names no template.
        let route = route_key.filter(|key| key != "$default").map(|key| {
            key.split_once(' ')
                .map_or(key.as_str(), |(_, template)| template)
                .to_string()
        });
        let request_id = context_id
            .or_else(|| {
                request
                    .lambda_context_ref()
                    .map(|c| c.request_id.clone())
                    .filter(|id| !id.is_empty())
            })
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let forwarded = config
            .trust_forwarded_for
            .then(|| {
                header(request.headers(), "x-forwarded-for")
                    .and_then(|v| v.split(',').next())
                    .map(|v| v.trim().to_string())
            })
            .flatten();
        let client_ip = forwarded.or(source_ip).unwrap_or_else(|| "unknown".to_string());
        let path_parameters = request.path_parameters();
        let (parts, body) = request.into_parts();
        // API Gateway passes the raw query string in the URI, as the local runner does.
        let query = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        let body = match body {
            Body::Empty => Vec::new(),
            Body::Text(text) => text.into_bytes(),
            Body::Binary(bytes) => bytes,
            _ => Vec::new(),
        };
        Self {
            method: parts.method,
            path: parts.uri.path().to_string(),
            headers: parts.headers,
            body,
            request_id,
            route,
            path_parameters,
            query,
            client_ip,
            started,
        }
    }

    /// A path parameter of the route (`id` of `/api/survey/targets/{id}`).
    pub fn path_parameter(&self, name: &str) -> Option<&str> {
        self.path_parameters.first(name)
    }

    /// A query parameter (`status` of `?status=submitted`): its first value, decoded.
    pub fn query_parameter(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The names of the query parameters given, for refusing ones a route does not know.
    pub fn query_names(&self) -> impl Iterator<Item = &str> {
        self.query.iter().map(|(key, _)| key.as_str())
    }

    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    pub fn client_ip(&self) -> &str {
        &self.client_ip
    }

    /// The site the request came to, `scheme://host`: the browser's Origin, which
    /// `same_origin` checked against the host for anything that changes state, else the host
    /// over HTTPS (API Gateway serves nothing else).
    pub fn origin(&self) -> String {
        match header(&self.headers, "origin") {
            Some(origin) if origin.contains("://") => origin.to_string(),
            _ => format!("https://{}", header(&self.headers, "host").unwrap_or("")),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty())
    }

    /// Whether the browser takes a gzipped answer: Accept-Encoding names gzip (or `*`, when
    /// gzip is not named) with a weight above zero.
    pub fn accepts_gzip(&self) -> bool {
        let Some(value) = header(&self.headers, "accept-encoding") else {
            return false;
        };
        let weight_of = |wanted: &str| {
            value.split(',').find_map(|coding| {
                let mut parts = coding.split(';');
                let name = parts.next().unwrap_or("").trim();
                name.eq_ignore_ascii_case(wanted).then(|| {
                    parts
                        .find_map(|parameter| parameter.trim().strip_prefix("q="))
                        .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0))
                })
            })
        };
        weight_of("gzip").or_else(|| weight_of("*")).is_some_and(|q| q > 0.0)
    }

    /// Refuses a request another site made the browser send, when it could change anything:
    /// every method but the safe ones (GET, HEAD, OPTIONS, TRACE), with a body or without.
    /// SameSite=Strict cookies already stop most of them; this also covers the cookie-less
    /// first step. `serve` checks it before any step runs, so no handler can forget it.
    fn same_origin(&self) -> Result<(), Error> {
        if self.method.is_safe() {
            return Ok(());
        }
        if header(&self.headers, "sec-fetch-site") == Some("cross-site") {
            return Err(Error::CrossSite);
        }
        if let Some(origin) = header(&self.headers, "origin") {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            let host = header(&self.headers, "host").unwrap_or("");
            if origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host) {
                return Err(Error::CrossSite);
            }
        }
        Ok(())
    }

    /// The body of a state-changing request: JSON, at most 16 KB, an object. (Its origin was
    /// checked before the step began.)
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(Error::TooLarge);
        }
        let content_type = header(&self.headers, "content-type").unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(Error::NotJson);
        }
        // Only an object is a request, and it is parsed straight into the input type, so that
        // duplicate keys and unknown fields are refused instead of silently resolved.
        if self.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(Error::MalformedJson);
        }
        serde_json::from_slice(&self.body).map_err(|_| Error::MalformedJson)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The site the request came to (`https://host`), for links in mails: the host API
    /// Gateway was reached at. Plain `http` only on this machine (the local runner).
    pub fn site(&self) -> String {
        let host = header(&self.headers, "host").unwrap_or("localhost");
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        let scheme = if matches!(name, "localhost" | "127.0.0.1" | "[::1]") {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{host}")
    }

    /// What the request line says the request was for: the route template, or `-` when the
    /// caller named none (a direct invocation, or a path no route matched: API Gateway answers
    /// those itself, only the local runner passes them on).
    fn logged_route(&self) -> &str {
        self.route.as_deref().unwrap_or("-")
    }

    /// For a response made elsewhere (the portal's pages): writes the request's log line.
    pub fn finish_page(self, response: Response<Body>) -> Response<Body> {
        let elapsed_ms = self.started.elapsed().as_millis() as u64;
        tracing::info!(
            request_id = %self.request_id, method = %self.method, route = self.logged_route(),
            client_ip = %self.client_ip, status = response.status().as_u16(), elapsed_ms, "request"
        );
        response
    }

    /// Turns the outcome into the response, and writes the request's one log line.
    pub fn finish(self, result: Result<Reply, Error>) -> Response<Body> {
        let gzip = self.accepts_gzip();
        let (reply, error) = match result {
            Ok(reply) => (reply, None),
            Err(error) => (error_reply(&error, &self.request_id), Some(error)),
        };
        let elapsed_ms = self.started.elapsed().as_millis() as u64;
        let code = reply
            .body
            .as_ref()
            .and_then(|b| b.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("");
        match &error {
            Some(Error::Unavailable(cause)) => tracing::error!(
                request_id = %self.request_id, method = %self.method, route = self.logged_route(),
                client_ip = %self.client_ip, status = reply.status, code, elapsed_ms, cause = %cause,
                "request failed: dependency unavailable"
            ),
            Some(Error::Internal(cause)) => tracing::error!(
                request_id = %self.request_id, method = %self.method, route = self.logged_route(),
                client_ip = %self.client_ip, status = reply.status, code, elapsed_ms, cause = %cause,
                "request failed: internal error"
            ),
            _ => tracing::info!(
                request_id = %self.request_id, method = %self.method, route = self.logged_route(),
                client_ip = %self.client_ip, status = reply.status, code, elapsed_ms, "request"
            ),
        }
        let mut builder = Response::builder()
            .status(reply.status)
            .header(REQUEST_ID_HEADER, self.request_id.as_str());
        let page_policy = reply.page.as_ref().map(|page| page.content_security_policy);
        for (name, value) in API_HEADERS {
            let value = match page_policy {
                Some(policy) if name == "Content-Security-Policy" => policy,
                _ => value,
            };
            builder = builder.header(name, value);
        }
        if let Some(retry_after) = error.as_ref().and_then(retry_after) {
            builder = builder.header("retry-after", retry_after.to_string());
        }
        for cookie in &reply.cookies {
            builder = builder.header("set-cookie", cookie.as_str());
        }
        if let Some(location) = &reply.location {
            builder = builder.header("location", location.as_str());
        }
        let body = match (reply.body, reply.file, reply.page) {
            (Some(body), ..) => {
                builder = builder.header("content-type", "application/json; charset=utf-8");
                let text = body.to_string();
                if gzip && text.len() >= GZIP_JSON_MIN_BYTES {
                    builder = builder.header("content-encoding", "gzip");
                    Body::Binary(crate::compression::gzipped(&text, crate::compression::Level::default()))
                } else {
                    Body::Text(text)
                }
            }
            (None, Some(file), _) => {
                builder = builder
                    .header("content-type", file.content_type.as_str())
                    .header("content-disposition", crate::blobs::attachment(&file.file_name));
                Body::Binary(file.bytes)
            }
            (None, None, Some(page)) => {
                builder = builder.header("content-type", "text/html; charset=utf-8");
                Body::Text(page.html)
            }
            (None, None, None) => Body::Empty,
        };
        builder.body(body).unwrap_or_else(|_| Response::new(Body::Empty))
    }
}

/// Runs one step: the request parsed with the function's settings and refused before the step
/// if another site sent it, the step's outcome turned into the response.
pub async fn serve<F>(deps: &crate::Deps, request: Request, step: F) -> Response<Body>
where
    F: AsyncFnOnce(&crate::Deps, &ApiRequest) -> Result<Reply, Error>,
{
    use tracing::Instrument;
    let request = ApiRequest::new(request, &deps.config);
    // Events logged inside the step (logins, resets…) carry the request's ID through the span.
    let span = tracing::info_span!("request", request_id = %request.request_id);
    let result = match request.same_origin() {
        Ok(()) => step(deps, &request).instrument(span).await,
        Err(cross_site) => Err(cross_site),
    };
    request.finish(result)
}

fn retry_after(error: &Error) -> Option<i64> {
    match error {
        Error::IdentityThrottled { retry_after, .. }
        | Error::ResendThrottled { retry_after }
        | Error::LoginLocked { retry_after }
        | Error::StaffSignInLocked { retry_after }
        | Error::LoginThrottled { retry_after, .. }
        | Error::RecoveryThrottled { retry_after, .. } => Some((*retry_after).max(1)),
        Error::Unavailable(_) => Some(5),
        _ => None,
    }
}

/// Every error's status, stable code and Japanese message, in one table.
fn error_answer(error: &Error) -> (u16, &'static str, String) {
    match error {
        Error::Invalid(_) => (400, "invalid_input", "入力内容に誤りがあります。各項目のメッセージをご確認ください。".into()),
        Error::MalformedJson => (400, "malformed_request", "送信された内容を読み取れませんでした。画面を再読み込みしてやり直してください。".into()),
        Error::NotJson => (415, "unsupported_media_type", "送信形式が正しくありません（application/json で送信してください）。".into()),
        Error::TooLarge => (413, "payload_too_large", "送信された内容が大きすぎます。".into()),
        Error::CrossSite => (403, "cross_site_request", "他のサイトからの送信は受け付けられません。".into()),
        Error::NotAuthenticated => (401, "not_authenticated", "ログインしてください。".into()),
        Error::SessionExpired => (401, "session_expired", "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。".into()),
        Error::IdentityMismatch => (401, "identity_mismatch", "入力された内容が登録情報と一致しません。入力内容をご確認ください。".into()),
        Error::InvalidCredentials => (401, "invalid_credentials", "ユーザーIDまたはパスワードが正しくありません。".into()),
        Error::AccountReset => (401, "account_reset", "ユーザーIDとパスワードは年度の切り替えにより初期化されました。お手数ですが「初回ログイン」からユーザーIDを作成し直してください。".into()),
        Error::AccountDisabled => (401, "account_disabled", "このユーザーIDは利用を停止しています。ご加入の健康保険組合へお問い合わせください。".into()),
        Error::AlreadyRegistered => (409, "already_registered", "この方のユーザーIDは既に作成されています。ログイン画面からログインしてください。ユーザーIDを忘れた方は「ユーザーIDを忘れた方はこちら」からお問い合わせください。".into()),
        Error::UserIdTaken => (409, "user_id_taken", "このユーザーIDは既に使われています。別のユーザーIDを入力してください。".into()),
        Error::WrongStep => (409, "wrong_step", "手続きの状態が変わりました。画面を再読み込みしてください。".into()),
        Error::FlowExpired => (410, "flow_expired", "手続きの有効期限が切れたか、既に完了しています。お手数ですが最初からやり直してください。".into()),
        Error::CodeExpired { lifetime_seconds } => (410, "code_expired", format!("認証番号の有効期限（発行から{}）が切れました。「認証番号を再送信」を押して新しい認証番号を受け取ってください。", japanese_duration(*lifetime_seconds))),
        Error::CodeVoid => (410, "code_void", "認証番号を規定の回数以上間違えたため、この認証番号は無効になりました。「認証番号を再送信」を押して新しい認証番号を受け取ってください。".into()),
        Error::CodeMismatch { tries_left } => (400, "code_mismatch", format!("認証番号が正しくありません。あと{tries_left}回入力できます。")),
        Error::IdentityThrottled { window_seconds, .. } => (429, "too_many_attempts", format!("認証に続けて失敗したため、しばらく受け付けを停止しています。{}ほど時間をおいてからやり直すか、ご加入の健康保険組合へお問い合わせください。", japanese_duration(*window_seconds))),
        Error::ResendThrottled { .. } => (429, "resend_too_soon", format!("認証番号の再送信は{}に1回までです。少し待ってからやり直してください。", japanese_duration(RESEND_INTERVAL_SECONDS))),
        Error::ResendLimit => (429, "resend_limit", "認証番号の再送信の上限に達しました。お手数ですが最初からやり直してください。".into()),
        Error::LoginLocked { .. } => (429, "login_locked", format!("ログインに続けて失敗したため、このユーザーIDは{}間ログインできません。パスワードを忘れた方は「パスワードを忘れた方はこちら」から再設定してください。", japanese_duration(LOCK_SECONDS))),
        Error::LoginLockedUntilReset => (429, "login_locked_until_reset", "ログインに失敗した回数が上限に達したため、このユーザーIDはロックされています。「パスワードを忘れた方はこちら」からパスワードを再設定すると、ログインできるようになります。".into()),
        Error::LoginThrottled { window_seconds, .. } => (429, "too_many_attempts", format!("ログインに続けて失敗したため、しばらく受け付けを停止しています。{}ほど時間をおいてからやり直すか、ご加入の健康保険組合へお問い合わせください。", japanese_duration(*window_seconds))),
        Error::Forbidden => (403, "forbidden", "この操作を行う権限がありません。".into()),
        Error::StaffSignInFailed => (401, "staff_sign_in_failed", "メールアドレス、パスワード、または確認コードが正しくありません。".into()),
        Error::StaffSignInLocked { .. } => (429, "staff_sign_in_locked", format!("サインインに続けて失敗したため、このメールアドレスでは{}間サインインできません。お急ぎの場合は組合の管理者にお問い合わせください。", japanese_duration(LOCK_SECONDS))),
        Error::InvitationGone => (410, "invitation_gone", format!("この招待は有効期限（送信から{}）が切れたか、既に使われています。組合の管理者に招待の再送を依頼してください。", japanese_duration(crate::store::records::StaffInvitation::LIFETIME_SECONDS))),
        Error::NotFound => (404, "not_found", "お探しのページは見つかりません。".into()),
        Error::StepRequired { next: crate::domain::Next::Terms } => (403, "step_required", "利用規約への同意が必要です。".into()),
        Error::StepRequired { .. } => (403, "step_required", "連絡先の登録が必要です。".into()),
        Error::SessionEnded => (401, "session_expired", "パスワードの変更、またはほかの端末からのログアウトの操作により、ログアウトしました。もう一度ログインしてください。".into()),
        Error::TermsOutdated => (409, "terms_outdated", "利用規約が更新されました。お手数ですが、もう一度内容をご確認のうえ同意してください。".into()),
        Error::CurrentPasswordWrong => (400, "invalid_input", "入力内容に誤りがあります。各項目のメッセージをご確認ください。".into()),
        Error::ResetCodeInvalid => (400, "reset_code_invalid", "ユーザーIDまたは認証番号が正しくありません。".into()),
        Error::RecoveryThrottled { window_seconds, .. } => (429, "too_many_requests", format!("短時間に何度も受け付けたため、しばらく受け付けを停止しています。{}ほど時間をおいてからやり直すか、ご加入の健康保険組合へお問い合わせください。", japanese_duration(*window_seconds))),
        Error::NoEmailChange => (409, "no_email_change", "メールアドレスの変更手続きが見つかりません。新しいメールアドレスの入力からやり直してください。".into()),
        Error::PostalCodeUnknown => (404, "postal_code_unknown", "この郵便番号に該当する住所が見つかりませんでした。郵便番号をご確認のうえ、住所を直接入力してください。".into()),
        Error::VersionConflict => (409, "version_conflict", "ほかの画面や端末で回答が保存されたため、この画面の内容は保存していません。画面を再読み込みして、最新の回答をご確認ください。".into()),
        Error::AlreadySubmitted => (409, "already_submitted", "既に提出しています。再度提出出来ません。".into()),
        Error::SurveyNotOpen => (409, "survey_not_open", "回答の受付はまだ始まっていません。受付開始後に回答してください。".into()),
        Error::SurveyClosed { .. } => (409, "survey_closed", "回答の受付期間は終了しました。回答や提出については、お問い合わせ先へご連絡ください。".into()),
        Error::DocumentsLocked => (409, "documents_locked", "組合の確認が完了しているため、添付資料の追加や削除はできません。お問い合わせ先へご連絡ください。".into()),
        Error::WrongStatus => (409, "wrong_status", "この対象者の現在の状況では、この操作はできません。画面を再読み込みして、状況をご確認ください。".into()),
        Error::TooManyDocuments => (409, "too_many_documents", stated!("添付資料は1人につき{}ファイルまでです。不要なファイルを削除してから追加してください。", MAX_FILES_PER_TARGET).into()),
        Error::DocumentsTooLarge => (409, "documents_too_large", stated!("添付資料は1人につき合計{}MBまでです。不要なファイルを削除するか、小さくしてから追加してください。", MAX_TARGET_BYTES / (1024 * 1024)).into()),
        Error::DocumentNotUploaded => (409, "document_not_uploaded", "ファイルの送信が完了していません。通信状態のよい場所で、もう一度ファイルを送ってください。".into()),
        Error::DocumentRejected { reason } => (422, "document_rejected", reason.clone()),
        Error::PersonNotRegistered => (409, "person_not_registered", "この方はまだユーザーIDを作成していません（未登録）。初回ログインの手続きをご案内ください。".into()),
        Error::Unavailable(_) => (503, "service_unavailable", "ただいま混み合っているか、一時的に処理できません。入力内容は失われていません。しばらくしてからもう一度お試しください。".into()),
        Error::Internal(_) => (500, "internal_error", "システムの内部でエラーが発生したため、処理できませんでした。お手数ですが、ご加入の健康保険組合へお問い合わせください。".into()),
    }
}

fn error_reply(error: &Error, request_id: &str) -> Reply {
    let (status, code, message) = error_answer(error);
    let field = |name: &str, message: &str| Some(FieldErrors::from([(name.to_string(), message.to_string())]));
    let fields = match error {
        Error::Invalid(fields) => Some(fields.clone()),
        Error::UserIdTaken => field("userId", "このユーザーIDは既に使われています。"),
        Error::CodeMismatch { .. } | Error::ResetCodeInvalid => field("code", &message),
        Error::CurrentPasswordWrong => field("currentPassword", "現在のパスワードが正しくありません。"),
        _ => None,
    };
    let next = match error {
        Error::StepRequired { next } => Some(*next),
        _ => None,
    };
    let contact = match error {
        Error::SurveyClosed { contact } => contact.clone(),
        _ => None,
    };
    let body = ErrorBody {
        code,
        message,
        fields,
        next,
        contact,
        request_id: request_id.to_string(),
    };
    Reply::json(status, body)
}

/// The body of every error answer.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "Error")]
pub struct ErrorBody {
    code: &'static str,
    /// Japanese, for the person
    message: String,
    /// per-field Japanese messages keyed by the request's field names
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<FieldErrors>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Next>,
    /// the union's お問い合わせ先, where the answer sends the person to the union
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<ContactView>,
    request_id: String,
}

/// The (status, code) each of these errors is answered with.
pub fn error_answers(errors: &[Error]) -> Vec<(u16, &'static str)> {
    errors
        .iter()
        .map(|error| {
            let (status, code, _) = error_answer(error);
            (status, code)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;

    fn request_with_route_key(route_key: Option<&str>) -> ApiRequest {
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.route_key = route_key.map(str::to_string);
        let request = lambda_http::http::Request::builder()
            .uri("https://kennin.test/api/postal/1000001")
            .body(Body::Empty)
            .expect("request")
            .with_request_context(RequestContext::ApiGatewayV2(context));
        ApiRequest::new(request, &Config::with_secret(vec![7; 32]))
    }

    fn bodiless(method: &str, header: (&str, &str)) -> ApiRequest {
        let request = lambda_http::http::Request::builder()
            .method(method)
            .uri("https://kennin.test/api/session")
            .header("host", "kennin.test")
            .header(header.0, header.1)
            .body(Body::Empty)
            .expect("request");
        ApiRequest::new(request, &Config::with_secret(vec![7; 32]))
    }

    #[test]
    fn gzip_is_sent_only_to_browsers_that_take_it() {
        for (accepted, gzip) in [
            ("gzip, deflate, br, zstd", true),
            ("GZIP", true),
            ("br;q=1.0, gzip;q=0.8", true),
            ("*", true),
            ("gzip;q=0, *", false),
            ("gzip; q=0.0", false),
            ("identity", false),
            ("br", false),
            ("*;q=0", false),
        ] {
            assert_eq!(
                bodiless("GET", ("accept-encoding", accepted)).accepts_gzip(),
                gzip,
                "{accepted}"
            );
        }
        assert!(!bodiless("GET", ("x-other", "gzip")).accepts_gzip());
    }

    #[test]
    fn a_long_json_answer_goes_gzipped_to_a_browser_that_takes_it() {
        use std::io::Read;
        let long = serde_json::json!({ "text": "規約".repeat(GZIP_JSON_MIN_BYTES) });
        let short = serde_json::json!({ "ok": true });
        let answer = |accepted: &str, body: &serde_json::Value| {
            bodiless("GET", ("accept-encoding", accepted)).finish(Ok(Reply::json(200, body)))
        };
        let zipped = answer("gzip, br", &long);
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
        let Body::Binary(bytes) = zipped.body() else {
            panic!("a gzipped answer is binary");
        };
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), long);
        for (accepted, body) in [("identity", &long), ("gzip", &short)] {
            let plain = answer(accepted, body);
            assert!(plain.headers().get("content-encoding").is_none(), "{accepted}");
            assert_eq!(plain.body(), &Body::Text(body.to_string()));
        }
    }

    #[test]
    fn every_unsafe_method_is_checked_for_its_origin_whatever_the_body() {
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            for header in [
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
                ("origin", "null"),
            ] {
                assert!(
                    matches!(bodiless(method, header).same_origin(), Err(Error::CrossSite)),
                    "{method} {header:?}"
                );
            }
            let own = bodiless(method, ("origin", "https://kennin.test"));
            assert!(own.same_origin().is_ok(), "{method}");
        }
        for method in ["GET", "HEAD", "OPTIONS"] {
            let read = bodiless(method, ("origin", "https://evil.example"));
            assert!(read.same_origin().is_ok(), "{method} changes nothing");
        }
    }

    #[test]
    fn messages_state_the_policy_numbers_they_name() {
        let message = |error: Error| error_reply(&error, "r").body.unwrap()["message"].to_string();
        assert!(message(Error::CodeExpired { lifetime_seconds: 60 }).contains("発行から1分"));
        assert!(message(Error::CodeExpired { lifetime_seconds: 600 }).contains("発行から10分"));
        let resend = message(Error::ResendThrottled { retry_after: 5 });
        assert!(resend.contains(&format!("{}に1回", japanese_duration(RESEND_INTERVAL_SECONDS))));
        let locked = message(Error::LoginLocked { retry_after: 5 });
        assert!(locked.contains(&format!("{}間ログインできません", japanese_duration(LOCK_SECONDS))));
        let throttled = message(Error::RecoveryThrottled {
            retry_after: 5,
            window_seconds: 5_400,
        });
        assert!(throttled.contains("1時間30分ほど"), "{throttled}");
    }

    #[test]
    fn the_request_line_names_the_route_template_never_the_path() {
        let request = request_with_route_key(Some("GET /api/postal/{code}"));
        assert_eq!(request.logged_route(), "/api/postal/{code}");
        assert_eq!(
            request.path(),
            "/api/postal/1000001",
            "the path itself stays for the handler"
        );
        assert_eq!(request_with_route_key(Some("$default")).logged_route(), "-");
        assert_eq!(request_with_route_key(None).logged_route(), "-");
    }
}
