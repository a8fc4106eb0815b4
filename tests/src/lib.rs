//! Test harness: the whole application on a random port with a fresh store (embedded SQLite in
//! a temporary folder, or a fresh table in DynamoDB Local), a clock the test moves, mail in an
//! outbox folder, and switches that make the store or the mail fail. The application's logs and
//! the sensitive values the tests use are captured for the whole-run audit (`capture`).

pub mod admin_cli;
pub mod capture;
pub mod mail_events;

use async_trait::async_trait;
use kennin::Deps;
use kennin::aws::sdk_config;
use kennin::blobs::local::LocalBlobs;
use kennin::blobs::{BlobError, BlobKey, BlobPrefix, BlobStore, PresignedUpload};
use kennin::clock::{Clock, ManualClock};
use kennin::config::Config;
use kennin::mail::outbox::{Outbox, OutboxMessage};
use kennin::mail::{MailError, Mailer, Message};
use kennin::store::dynamodb::DynamoStore;
use kennin::store::records::{Staff, StaffEmailGuard, to_item};
use kennin::store::sqlite::SqliteStore;
use kennin::store::{Change, Cond, Index, Item, ItemStore, Key, Page, StoreError, Write};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Dynamo,
}

/// Declares, for each named async fn taking an `Engine`, one test per storage engine:
/// `sqlite::name` and `dynamodb::name`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Engine::Sqlite).await;
                }
            )+
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Engine::Dynamo).await;
                }
            )+
        }
    };
}

pub const DYNAMODB_ENDPOINT_VAR: &str = "KENNIN_TEST_DYNAMODB_ENDPOINT";
pub const SES_ENDPOINT_VAR: &str = "KENNIN_TEST_SES_ENDPOINT";
/// moto's server, which answers S3 as well as SES.
pub const S3_ENDPOINT_VAR: &str = SES_ENDPOINT_VAR;

pub fn endpoint(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the tests with scripts/test.sh, which starts DynamoDB Local and moto")
    })
}

/// A fresh, empty store of the engine, and the folder it lives in.
pub async fn fresh_store(engine: Engine) -> (Arc<dyn ItemStore>, TempDir) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store: Arc<dyn ItemStore> = match engine {
        Engine::Sqlite => Arc::new(SqliteStore::open(&dir.path().join("kennin.sqlite3")).expect("sqlite store")),
        Engine::Dynamo => {
            let sdk = sdk_config(Some(&endpoint(DYNAMODB_ENDPOINT_VAR))).await;
            let table = format!("kennin-test-{}", uuid::Uuid::new_v4().simple());
            let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
            store.create_table().await.expect("create table in DynamoDB Local");
            Arc::new(store)
        }
    };
    (store, dir)
}

/// A store whose writes fail while `down` is set, as DynamoDB does when it throttles or is
/// unreachable. Reads keep working, so a failure lands in the middle of a step.
pub struct SwitchableStore {
    inner: Arc<dyn ItemStore>,
    pub down: AtomicBool,
}

impl SwitchableStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("switched off by the test".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl ItemStore for SwitchableStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn update(&self, key: &Key, changes: &[Change], cond: Option<&Cond>) -> Result<Item, StoreError> {
        self.check()?;
        self.inner.update(key, changes, cond).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.check()?;
        self.inner.transact(writes).await
    }
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.inner.query(pk, sk_prefix).await
    }
    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        self.inner.query_page(pk, sk_prefix, after, limit).await
    }
    async fn query_page_newest_first(&self, pk: &str, before: Option<&str>, limit: usize) -> Result<Page, StoreError> {
        self.inner.query_page_newest_first(pk, before, limit).await
    }
    async fn query_through(&self, pk: &str, through: &str, limit: usize) -> Result<Vec<Item>, StoreError> {
        self.inner.query_through(pk, through, limit).await
    }
    async fn index_page(
        &self,
        index: Index,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
        newest_first: bool,
    ) -> Result<Page, StoreError> {
        self.inner
            .index_page(index, pk, sk_prefix, after, limit, newest_first)
            .await
    }
    async fn index_count(&self, index: Index, pk: &str) -> Result<u64, StoreError> {
        self.inner.index_count(index, pk).await
    }
    async fn put_many(&self, items: Vec<(Key, Item)>) -> Result<(), StoreError> {
        self.check()?;
        self.inner.put_many(items).await
    }
    async fn warm_up(&self) -> Result<(), StoreError> {
        self.inner.warm_up().await
    }
}

/// The outbox, or a failure while `down` is set.
pub struct SwitchableMailer {
    pub outbox: Arc<Outbox>,
    pub down: AtomicBool,
}

#[async_trait]
impl Mailer for SwitchableMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(MailError("switched off by the test".into()));
        }
        self.outbox.send(message).await
    }
}

/// The document files, whose writes (put, delete) fail while `down` is set, as S3 does when it
/// throttles or is unreachable. Reads and presigning keep working.
pub struct SwitchableBlobs {
    inner: Arc<LocalBlobs>,
    pub down: AtomicBool,
}

impl SwitchableBlobs {
    fn check(&self) -> Result<(), BlobError> {
        if self.down.load(Ordering::SeqCst) {
            Err(BlobError::Unavailable("switched off by the test".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl BlobStore for SwitchableBlobs {
    async fn presign_upload(
        &self,
        key: &BlobKey,
        content_type: &str,
        size: u64,
        expires_in_seconds: i64,
    ) -> Result<PresignedUpload, BlobError> {
        self.inner
            .presign_upload(key, content_type, size, expires_in_seconds)
            .await
    }
    async fn presign_download(
        &self,
        key: &BlobKey,
        file_name: &str,
        content_type: &str,
        expires_in_seconds: i64,
    ) -> Result<String, BlobError> {
        self.inner
            .presign_download(key, file_name, content_type, expires_in_seconds)
            .await
    }
    async fn get(&self, key: &BlobKey) -> Result<Option<Vec<u8>>, BlobError> {
        self.inner.get(key).await
    }
    async fn put(&self, key: &BlobKey, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        self.check()?;
        self.inner.put(key, bytes, content_type).await
    }
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        self.check()?;
        self.inner.delete(key).await
    }
    async fn size(&self, key: &BlobKey) -> Result<Option<u64>, BlobError> {
        self.inner.size(key).await
    }
    async fn delete_prefix(&self, prefix: &BlobPrefix) -> Result<usize, BlobError> {
        self.check()?;
        self.inner.delete_prefix(prefix).await
    }
}

/// 2036-06-01T00:00:00Z: a fixed start so birth dates and survey years are predictable. It lies
/// in the future on purpose: DynamoDB Local deletes items whose TTL has passed by the real
/// clock, as DynamoDB does, and a test clock in the past would see its items vanish.
pub const START: i64 = 2_095_891_200;
/// The demo union's survey year at `START`.
pub const SURVEY_YEAR: i32 = 2036;

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub store: Arc<SwitchableStore>,
    pub mailer: Arc<SwitchableMailer>,
    /// The document files, on the embedded engine whichever the store's, served by the app at
    /// /_local/blobs/.
    pub blobs: Arc<LocalBlobs>,
    /// The application's view of `blobs`, which the test can make fail.
    pub blob_switch: Arc<SwitchableBlobs>,
    pub engine: Engine,
    client: reqwest::Client,
    _dir: TempDir,
    store_dir: TempDir,
}

/// The answer-time floor of recovery requests in tests: long enough to see, short enough to wait.
pub const RECOVERY_FLOOR_MS: u64 = 150;

pub fn test_config() -> Config {
    let mut config = Config::with_secret(kennin::secrets::new_token().into_bytes());
    // argon2 at its smallest: these tests are about the flow, not the hash cost.
    config.argon2_memory_kib = 64;
    config.argon2_iterations = 1;
    config.argon2_parallelism = 1;
    // Lets tests act as many client addresses.
    config.trust_forwarded_for = true;
    config.recovery_floor_ms = RECOVERY_FLOOR_MS;
    config
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    /// `name=value` of the cookie the response set, for the next request's Cookie header.
    pub fn cookie(&self, name: &str) -> Option<String> {
        cookie_pairs(&self.headers)
            .into_iter()
            .find(|pair| pair.starts_with(&format!("{name}=")))
    }
}

pub struct Person {
    /// 保険者指定コード
    pub insurer: &'static str,
    pub symbol: &'static str,
    pub number: &'static str,
    pub birth_date: &'static str,
    pub name_kana: &'static str,
}

/// The demo roster's first person (infra/local/demo-roster.csv).
pub const TARO: Person = Person {
    insurer: "0904",
    symbol: "1001",
    number: "1",
    birth_date: "1990/01/01",
    name_kana: "ケンポ タロウ",
};
pub const HANAKO: Person = Person {
    insurer: "0904",
    symbol: "1001",
    number: "2",
    birth_date: "1985/04/15",
    name_kana: "サクラ ハナコ",
};
pub const PASSWORD: &str = "Sakura#2024go";

impl Person {
    pub fn identity(&self) -> Value {
        serde_json::json!({
            "insurerCode": self.insurer,
            "symbol": self.symbol,
            "number": self.number,
            "birthDate": self.birth_date,
            "nameKana": self.name_kana,
        })
    }
}

pub const OTHER_UNION: &str = "0777";
pub const OTHER: Person = Person {
    insurer: OTHER_UNION,
    symbol: "1001",
    number: "1",
    birth_date: "1990/01/01",
    name_kana: "ケンポ タロウ",
};

/// A second union whose first person has the demo person's very card, birth date and name,
/// with one dependent, a second person (7001-1, a card the demo union does not have) without any, and a published campaign of its own.
pub async fn other_union(app: &TestApp) {
    let store = app.store.as_ref();
    let code = kennin::domain::InsurerCode::parse(OTHER_UNION).unwrap();
    let today = app.clock.today_in_japan();
    kennin::roster::put_insurer(store, &code, "別の健康保険組合", None)
        .await
        .unwrap();
    let roster_file = "symbol,number,birth_date,name_kana,name\n1001,1,1990/01/01,ケンポ タロウ,健保 太郎\n7001,1,1985/05/05,ベツ ジロウ,別 次郎\n";
    let people = kennin::roster::parse(roster_file, &code, SURVEY_YEAR, today).unwrap();
    kennin::roster::import(store, &code, SURVEY_YEAR, people, &mut |_| {})
        .await
        .unwrap();
    let dependents_file = "symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n\
        1001,1,1,ベツ ハナコ,別 花子,1991/01/01,女,配偶者,2015/01/01,同居\n";
    kennin::dependents::import(store, &code, SURVEY_YEAR, dependents_file, today, &mut |_| {})
        .await
        .unwrap();
    let settings = campaign_settings(
        "別組合の調査",
        app.clock.unix() - 60,
        iso_day("2036-07-31"),
        iso_day("2036-04-01"),
    );
    kennin::campaign::put(store, &code, SURVEY_YEAR, settings)
        .await
        .unwrap();
    kennin::campaign::publish(store, &code, SURVEY_YEAR, 0, &mut |_| {})
        .await
        .unwrap();
}

/// A campaign's settings with what a test seldom changes left at its default: no grace days, the
/// default target rules and retention, no reminders, the default decision mails.
pub fn campaign_settings(
    title: &str,
    opens_at: i64,
    due: kennin::domain::Day,
    reference_date: kennin::domain::Day,
) -> kennin::campaign::Settings {
    kennin::campaign::Settings {
        title: title.into(),
        opens_at,
        due,
        grace_days: 0,
        reference_date,
        rules: kennin::store::records::TargetRules::default(),
        retention_days: kennin::campaign::DEFAULT_RETENTION_DAYS,
        reminders: Vec::new(),
        decision_mails: kennin::store::records::DecisionMails::default(),
    }
}

fn iso_day(iso: &str) -> kennin::domain::Day {
    serde_json::from_value(serde_json::json!(iso)).expect("a date")
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, test_config()).await
}

/// The application with other settings than `test_config` (the production argon2 cost, say).
pub async fn spawn_app_with(engine: Engine, config: Config) -> TestApp {
    let (inner, store_dir) = fresh_store(engine).await;
    spawn_app_on(engine, inner, store_dir, config).await
}

/// The application on DynamoDB Local reached through `proxy`, which can cut the line.
pub async fn spawn_app_behind(proxy: &FaultProxy) -> TestApp {
    let sdk = sdk_config(Some(&format!("http://{}", proxy.address))).await;
    let table = format!("kennin-test-{}", uuid::Uuid::new_v4().simple());
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    store.create_table().await.expect("create table in DynamoDB Local");
    spawn_app_on(
        Engine::Dynamo,
        Arc::new(store),
        tempfile::tempdir().expect("temporary folder"),
        test_config(),
    )
    .await
}

async fn spawn_app_on(engine: Engine, inner: Arc<dyn ItemStore>, store_dir: TempDir, config: Config) -> TestApp {
    capture::install();
    let clock = Arc::new(ManualClock::starting_at(START));
    kennin_local::seed_demo(inner.as_ref(), clock.today_in_japan())
        .await
        .expect("demo union seeded");
    let store = Arc::new(SwitchableStore {
        inner,
        down: AtomicBool::new(false),
    });
    let dir = tempfile::tempdir().expect("temporary folder");
    let outbox = Arc::new(Outbox::new(dir.path().join("outbox"), "no-reply@kennin.test"));
    let mailer = Arc::new(SwitchableMailer {
        outbox,
        down: AtomicBool::new(false),
    });
    let blobs =
        Arc::new(LocalBlobs::open(dir.path().join("blobs"), &config.secret, clock.clone()).expect("blob folder"));
    let blob_switch = Arc::new(SwitchableBlobs {
        inner: blobs.clone(),
        down: AtomicBool::new(false),
    });
    let deps = Deps::new(store.clone(), mailer.clone(), clock.clone(), config)
        .expect("deps")
        .with_blobs(blob_switch.clone());
    let app = kennin_local::router(Arc::new(deps), Some(mailer.outbox.clone()), blobs.clone()).expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .expect("serve");
    });
    TestApp {
        base: format!("http://{address}"),
        clock,
        store,
        mailer,
        blobs,
        blob_switch,
        engine,
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client"),
        _dir: dir,
        store_dir,
    }
}

impl TestApp {
    /// The embedded store's folder, as `kennin-admin --data-dir` takes it (empty for DynamoDB).
    pub fn data_dir(&self) -> &std::path::Path {
        self.store_dir.path()
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>, cookie: Option<&str>) -> Reply {
        let request = self
            .client
            .request(method.parse().expect("method"), format!("{}{path}", self.base))
            .header("x-forwarded-for", "198.51.100.7");
        self.finish(with_body_and_cookie(request, body, cookie)).await
    }

    /// Sends the request; what it carries and what comes back is recorded for the log audit.
    pub async fn finish(&self, request: reqwest::RequestBuilder) -> Reply {
        let request = request.build().expect("request builds");
        record_request(&request);
        let response = self.client.execute(request).await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        record_cookies(&headers);
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        assert_ne!(status, 500, "a 500 is never an answer: {body}");
        Reply { status, headers, body }
    }

    pub fn raw(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method.parse().expect("method"), format!("{}{path}", self.base))
    }

    pub async fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> Reply {
        self.send("POST", path, Some(body), cookie).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.send("GET", path, None, cookie).await
    }

    /// A member of `insurer`'s staff with `role`, signed in as the console's sign-in leaves them
    /// (written straight to the store, for the tests of what comes after sign-in): the cookie
    /// to send (`name=value`) and the member.
    pub async fn staff_signed_in(&self, insurer: &str, role: kennin::domain::StaffRole) -> (String, Staff) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let staff = Staff {
            id: id.clone(),
            insurer: kennin::domain::InsurerCode::parse(insurer).expect("insurer code"),
            email: kennin::domain::Email::parse(&format!("{}-{}@staff.example.jp", role.name(), &id[..8]))
                .expect("email"),
            name: format!("職員 {}", role.label()),
            role,
            password_hash: Some("not-a-hash: signed in directly".into()),
            totp_secret: Some("not-a-secret: signed in directly".into()),
            recovery_codes: Vec::new(),
            disabled: false,
            session_epoch: 0,
            created_at: self.clock.unix(),
            invitation_expires_at: None,
        };
        let guard = StaffEmailGuard {
            insurer: staff.insurer.clone(),
            staff_id: staff.id.clone(),
        };
        let (token, session) = kennin::staff_session::new_session(&staff, self.clock.unix());
        self.store
            .transact(vec![
                Write::put(staff.own_key(), to_item(&staff, None)),
                Write::put(StaffEmailGuard::key(&staff.email), to_item(&guard, None)),
                session,
            ])
            .await
            .expect("staff member and session written");
        (format!("{}={token}", kennin::http::STAFF_COOKIE), staff)
    }

    /// ① for the person; the flow cookie.
    pub async fn identity(&self, person: &Person) -> String {
        let reply = self.post("/api/signup/identity", person.identity(), None).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.cookie(kennin::http::SIGNUP_COOKIE).expect("flow cookie")
    }

    pub async fn account(&self, flow: &str, user_id: &str, email: &str) -> Reply {
        let body = serde_json::json!({ "userId": user_id, "password": PASSWORD, "email": email });
        self.post("/api/signup/account", body, Some(flow)).await
    }

    pub async fn mails(&self) -> Vec<OutboxMessage> {
        self.mailer.outbox.list().await.expect("outbox readable")
    }

    /// The code in the newest mail to the address.
    pub async fn latest_code(&self, to: &str) -> String {
        let mails = self.mails().await;
        let mail = mails
            .iter()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("no mail to {to}"));
        code_in(&mail.text)
    }

    pub async fn code(&self, flow: &str, code: &str) -> Reply {
        self.post("/api/signup/code", serde_json::json!({ "code": code }), Some(flow))
            .await
    }

    /// ① to ③ for the person; returns nothing, asserts every step.
    pub async fn sign_up(&self, person: &Person, user_id: &str, email: &str) {
        let flow = self.identity(person).await;
        let reply = self.account(&flow, user_id, email).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let code = self.latest_code(email).await;
        let reply = self.code(&flow, &code).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }

    pub async fn put(&self, path: &str, body: Value, cookie: Option<&str>) -> Reply {
        self.send("PUT", path, Some(body), cookie).await
    }

    /// Signs the person up and logs in; the session cookie.
    pub async fn logged_in(&self, person: &Person, user_id: &str, email: &str) -> String {
        self.sign_up(person, user_id, email).await;
        let reply = self.login(user_id, PASSWORD).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.cookie(kennin::http::SESSION_COOKIE).expect("session cookie")
    }

    /// Logs in and goes through first login ⑤ (terms, contact); the session cookie.
    pub async fn at_home(&self, person: &Person, user_id: &str, email: &str) -> String {
        let session = self.logged_in(person, user_id, email).await;
        let terms = self.get("/api/terms", Some(&session)).await;
        let accepted = self
            .post(
                "/api/me/terms",
                serde_json::json!({ "version": terms.body["version"] }),
                Some(&session),
            )
            .await;
        assert_eq!(accepted.body["next"], "contact", "{:?}", accepted.body);
        let contact = serde_json::json!({ "postalCode": "100-0001", "address": "東京都千代田区千代田1-1", "phone": "090-1234-5678" });
        let saved = self.put("/api/me/contact", contact, Some(&session)).await;
        assert_eq!(saved.body["next"], "home", "{:?}", saved.body);
        session
    }

    pub async fn login(&self, user_id: &str, password: &str) -> Reply {
        self.post(
            "/api/session",
            serde_json::json!({ "userId": user_id, "password": password }),
            None,
        )
        .await
    }
}

/// The request with the JSON body and the Cookie header, where given.
pub fn with_body_and_cookie(
    mut request: reqwest::RequestBuilder,
    body: Option<Value>,
    cookie: Option<&str>,
) -> reqwest::RequestBuilder {
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
}

/// The mails to one address, newest first.
pub async fn mails_to(app: &TestApp, to: &str) -> Vec<OutboxMessage> {
    app.mails().await.into_iter().filter(|m| m.to == to).collect()
}

/// An answer's body without its request ID, which differs on every request: two answers that
/// must look the same compare equal through it.
pub fn without_request_id(body: &Value) -> Value {
    let mut body = body.clone();
    body.as_object_mut().unwrap().remove("requestId");
    body
}

pub fn code_in(text: &str) -> String {
    let start = text.find("認証番号：").expect("code line in mail") + "認証番号：".len();
    let code: String = text[start..].chars().take(6).collect();
    capture::record(capture::Kind::Code, &code);
    code
}

/// Records the sensitive values a request carries: its JSON body's fields, and the postal code
/// in the address lookup's path.
pub fn record_request(request: &reqwest::Request) {
    if let Some(body) = request.body().and_then(reqwest::Body::as_bytes)
        && let Ok(body) = serde_json::from_slice::<Value>(body)
    {
        capture::record_body(&body);
    }
    if let Some(code) = request.url().path().strip_prefix("/api/postal/") {
        let code = percent_encoding::percent_decode_str(code).decode_utf8_lossy();
        capture::record_postal_code(&code);
    }
}

/// The `name=value` of each cookie an answer sets, without its attributes.
pub fn cookie_pairs(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect()
}

/// Runs a checker of the template (cfn-lint, sam validate) and fails with its output when it
/// finds problems.
pub fn assert_checker_passes(command: &mut std::process::Command, checker: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{checker} does not run: {e}"));
    assert!(
        output.status.success(),
        "{checker} found problems:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Records the session and signup-flow tokens an answer sets.
pub fn record_cookies(headers: &reqwest::header::HeaderMap) {
    for pair in cookie_pairs(headers) {
        if let Some(token) = pair.strip_prefix(&format!("{}=", kennin::http::SESSION_COOKIE)) {
            capture::record(capture::Kind::SessionToken, token);
        } else if let Some(token) = pair.strip_prefix(&format!("{}=", kennin::http::SIGNUP_COOKIE)) {
            capture::record(capture::Kind::SignupToken, token);
        }
    }
}

/// A TCP proxy in front of DynamoDB Local that can cut the line: while cut, it drops the
/// connections that are open and every new one, as a crashed or unreachable service would.
pub struct FaultProxy {
    pub address: SocketAddr,
    cut: Arc<AtomicBool>,
    cuts: tokio::sync::watch::Sender<u64>,
}

impl FaultProxy {
    pub async fn start() -> Self {
        let target = endpoint(DYNAMODB_ENDPOINT_VAR)
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let cut = Arc::new(AtomicBool::new(false));
        let (cuts, _) = tokio::sync::watch::channel(0u64);
        let (cut_flag, cuts_sender) = (cut.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if cut_flag.load(Ordering::SeqCst) {
                    continue;
                }
                let (target, mut cut_signal) = (target.clone(), cuts_sender.subscribe());
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut_signal.changed() => {}
                    }
                });
            }
        });
        Self { address, cut, cuts }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}
