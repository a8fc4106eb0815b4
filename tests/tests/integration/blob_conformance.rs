//! One conformance suite for both engines of document files: the embedded one as kennin-local
//! serves it (its URLs answered by the app's own /_local/blobs/ route), and S3 through the real
//! SDK against moto's server, with real HTTP uploads and downloads on the presigned URLs.
//!
//! What each check proves where:
//! - put, get, size, delete, delete_prefix, an upload on the presigned URL, a download with its
//!   Content-Disposition and type, the lifetime rule: both engines.
//! - That an S3 upload URL is bound to its type and exact size: moto (5.2.5, as
//!   scripts/services.sh installs it) stores whatever a presigned PUT carries, of another type
//!   or length, for another key or expired (it checks no SigV4 presigned signature or expiry),
//!   so on moto the suite checks what real S3 enforces the binding with: Content-Type and
//!   Content-Length are among the URL's X-Amz-SignedHeaders, and X-Amz-Expires is the lifetime
//!   asked for. S3 answers 403 SignatureDoesNotMatch to any other type, length or key, and 403
//!   to an expired URL; the embedded engine is checked here to refuse the same requests the
//!   same way: another type (400), a longer body (413), a shorter one (400), an expired URL,
//!   an altered one and one reused for another key or method (403), writing nothing.

use kennin::blobs::s3::S3Blobs;
use kennin::blobs::{BlobError, BlobKey, BlobStore, MAX_PRESIGNED_SECONDS, PresignedUpload, attachment};
use kennin::clock::{Clock, SystemClock};
use kennin::domain::InsurerCode;
use kennin_tests::{Engine, S3_ENDPOINT_VAR, TestApp, endpoint, spawn_app};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq)]
enum BlobEngine {
    Embedded,
    S3,
}

/// A fresh, empty engine: an app of its own for the embedded one, a bucket of its own on moto
/// for S3.
struct Fixture {
    blobs: Arc<dyn BlobStore>,
    /// The app that serves the embedded engine's URLs, and whose clock judges their expiry.
    app: Option<TestApp>,
    client: reqwest::Client,
}

impl Fixture {
    async fn new(engine: BlobEngine) -> Self {
        let (blobs, app): (Arc<dyn BlobStore>, _) = match engine {
            BlobEngine::Embedded => {
                let app = spawn_app(Engine::Sqlite).await;
                (app.blobs.clone(), Some(app))
            }
            BlobEngine::S3 => {
                let moto = endpoint(S3_ENDPOINT_VAR);
                let sdk = kennin::aws::sdk_config(Some(&moto)).await;
                let bucket = format!("kennin-test-{}", uuid::Uuid::new_v4().simple());
                let blobs = S3Blobs::new(&sdk, Some(moto), bucket);
                blobs.create_bucket().await.expect("create the bucket on moto");
                (Arc::new(blobs), None)
            }
        };
        Self {
            blobs,
            app,
            client: reqwest::Client::new(),
        }
    }

    fn now(&self) -> i64 {
        match &self.app {
            Some(app) => app.clock.unix(),
            None => SystemClock.unix(),
        }
    }

    /// A presigned URL as the browser would resolve it: the embedded engine's are paths of the
    /// site.
    fn absolute(&self, url: &str) -> String {
        match &self.app {
            Some(app) if url.starts_with('/') => format!("{}{url}", app.base),
            _ => url.to_string(),
        }
    }

    /// Sends `body` as the browser would: the upload's method, URL and headers.
    async fn upload(&self, upload: &PresignedUpload, body: Vec<u8>) -> reqwest::Response {
        let mut request = self
            .client
            .request(upload.method.parse().expect("method"), self.absolute(&upload.url))
            .body(body);
        for (name, value) in &upload.headers {
            request = request.header(name, value);
        }
        request.send().await.expect("upload sent")
    }

    fn embedded_app(&self) -> &TestApp {
        self.app.as_ref().expect("the embedded engine's app")
    }
}

fn union(code: &str) -> InsurerCode {
    InsurerCode::parse(code).unwrap()
}

fn upload_key(insurer: &str, year: i32, target: &str) -> BlobKey {
    BlobKey::upload(&union(insurer), year, target, "d1").unwrap()
}

/// Bytes that are not all alike, so that a reordered or cut file does not pass.
fn file(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 % 251) as u8).collect()
}

async fn put_get_size_and_delete(engine: BlobEngine) {
    let fixture = Fixture::new(engine).await;
    let blobs = fixture.blobs.as_ref();
    let key = upload_key("0904", 2036, "t1");
    assert_eq!(blobs.get(&key).await.unwrap(), None);
    assert_eq!(blobs.size(&key).await.unwrap(), None);

    blobs.put(&key, file(1_000), "image/jpeg").await.unwrap();
    assert_eq!(blobs.get(&key).await.unwrap(), Some(file(1_000)));
    assert_eq!(blobs.size(&key).await.unwrap(), Some(1_000));

    blobs.put(&key, b"%PDF-1.7".to_vec(), "application/pdf").await.unwrap();
    assert_eq!(blobs.get(&key).await.unwrap().as_deref(), Some(&b"%PDF-1.7"[..]));
    assert_eq!(blobs.size(&key).await.unwrap(), Some(8));

    let empty = upload_key("0904", 2036, "t2");
    blobs.put(&empty, Vec::new(), "image/png").await.unwrap();
    assert_eq!(blobs.get(&empty).await.unwrap(), Some(Vec::new()));
    assert_eq!(blobs.size(&empty).await.unwrap(), Some(0));

    blobs.delete(&key).await.unwrap();
    assert_eq!(blobs.get(&key).await.unwrap(), None);
    assert_eq!(blobs.size(&key).await.unwrap(), None);
    blobs.delete(&key).await.expect("deleting a missing object is no error");
    assert_eq!(blobs.size(&empty).await.unwrap(), Some(0), "only the key is deleted");
}

async fn delete_prefix_purges_one_campaign_only(engine: BlobEngine) {
    let fixture = Fixture::new(engine).await;
    let blobs = fixture.blobs.as_ref();
    let code = union("0904");
    let mut purged = Vec::new();
    for target in ["a", "b", "c"] {
        purged.push(BlobKey::upload(&code, 2036, target, "d1").unwrap());
        purged.push(BlobKey::document(&code, 2036, target, "d1").unwrap());
        purged.push(BlobKey::document(&code, 2036, target, "d2").unwrap());
    }
    let kept = [
        BlobKey::document(&code, 2037, "a", "d1").unwrap(),
        BlobKey::upload(&union("0905"), 2036, "a", "d1").unwrap(),
        BlobKey::document(&union("0905"), 2036, "a", "d1").unwrap(),
    ];
    for key in purged.iter().chain(&kept) {
        blobs
            .put(key, key.as_str().as_bytes().to_vec(), "image/jpeg")
            .await
            .unwrap();
    }

    let [uploads, documents] = BlobKey::campaign_prefixes(&code, 2036);
    assert_eq!(blobs.delete_prefix(&uploads).await.unwrap(), 3);
    assert_eq!(blobs.delete_prefix(&documents).await.unwrap(), 6);
    for key in &purged {
        assert_eq!(blobs.get(key).await.unwrap(), None, "{key}");
    }
    for key in &kept {
        assert_eq!(
            blobs.get(key).await.unwrap(),
            Some(key.as_str().as_bytes().to_vec()),
            "{key}"
        );
    }
    assert_eq!(blobs.delete_prefix(&documents).await.unwrap(), 0, "nothing left");
}

/// More than one page of S3's listing (1,000 keys) and one DeleteObjects call.
async fn delete_prefix_purges_past_one_page(engine: BlobEngine) {
    let fixture = Fixture::new(engine).await;
    let blobs = fixture.blobs.clone();
    let code = union("0904");
    let keys: Vec<BlobKey> = (0..1_005)
        .map(|i| BlobKey::document(&code, 2036, &format!("t{i}"), "d1").unwrap())
        .collect();
    let puts = keys.iter().map(|key| {
        let blobs = blobs.clone();
        async move { blobs.put(key, vec![1], "image/jpeg").await }
    });
    for result in futures::future::join_all(puts).await {
        result.unwrap();
    }
    let [_, documents] = BlobKey::campaign_prefixes(&code, 2036);
    assert_eq!(blobs.delete_prefix(&documents).await.unwrap(), 1_005);
    assert_eq!(blobs.size(&keys[1_004]).await.unwrap(), None);
}

async fn a_presigned_upload_lands_the_file(engine: BlobEngine) {
    let fixture = Fixture::new(engine).await;
    let key = upload_key("0904", 2036, "t1");
    let bytes = file(300_000);
    let upload = fixture
        .blobs
        .presign_upload(&key, "image/jpeg", bytes.len() as u64, 300)
        .await
        .unwrap();
    assert_eq!(upload.method, "PUT");
    assert_eq!(
        upload.headers.get("content-type").map(String::as_str),
        Some("image/jpeg")
    );
    assert!(
        !upload.headers.contains_key("content-length"),
        "a browser refuses a script that sets Content-Length: {upload:?}"
    );
    assert!(upload.fields.is_empty());
    let lifetime = upload.expires_at.0 - fixture.now();
    assert!((295..=300).contains(&lifetime), "expires in {lifetime} s");
    let answer = serde_json::to_value(&upload).unwrap();
    for field in ["method", "url", "headers", "fields", "expiresAt"] {
        assert!(answer.get(field).is_some(), "{field} in {answer}");
    }

    match engine {
        BlobEngine::Embedded => assert!(upload.url.starts_with("/_local/blobs/uploads/0904/2036/t1/d1?")),
        BlobEngine::S3 => {
            // What binds the URL on real S3 (moto checks none of it).
            let url = url::Url::parse(&upload.url).unwrap();
            let query = |name: &str| {
                url.query_pairs()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            assert!(url.path().ends_with("/uploads/0904/2036/t1/d1"), "{url}");
            let signed: Vec<String> = query("X-Amz-SignedHeaders").split(';').map(str::to_string).collect();
            for header in ["content-length", "content-type", "host"] {
                assert!(signed.iter().any(|h| h == header), "{header} not signed: {signed:?}");
            }
            assert_eq!(query("X-Amz-Expires"), "300");
        }
    }

    let answer = fixture.upload(&upload, bytes.clone()).await;
    assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
    assert_eq!(fixture.blobs.get(&key).await.unwrap(), Some(bytes));
}

async fn a_presigned_download_serves_the_file_as_an_attachment(engine: BlobEngine) {
    let fixture = Fixture::new(engine).await;
    let key = BlobKey::document(&union("0904"), 2036, "t1", "d1").unwrap();
    let bytes = file(5_000);
    fixture.blobs.put(&key, bytes.clone(), "image/jpeg").await.unwrap();
    let name = "保険証 (表).jpg";
    let url = fixture
        .blobs
        .presign_download(&key, name, "image/jpeg", 60)
        .await
        .unwrap();
    let answer = fixture.client.get(fixture.absolute(&url)).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(header("content-disposition"), Some(attachment(name)));
    assert_eq!(answer.bytes().await.unwrap().to_vec(), bytes);
}

async fn a_presigned_urls_lifetime_is_a_second_to_seven_days(engine: BlobEngine) {
    let fixture = Fixture::new(engine).await;
    let key = upload_key("0904", 2036, "t1");
    for lifetime in [0, -1, MAX_PRESIGNED_SECONDS + 1] {
        assert!(matches!(
            fixture.blobs.presign_upload(&key, "image/png", 10, lifetime).await,
            Err(BlobError::Refused(_))
        ));
        assert!(matches!(
            fixture
                .blobs
                .presign_download(&key, "a.png", "image/png", lifetime)
                .await,
            Err(BlobError::Refused(_))
        ));
    }
    assert!(
        fixture
            .blobs
            .presign_upload(&key, "image/png", 10, MAX_PRESIGNED_SECONDS)
            .await
            .is_ok()
    );
}

macro_rules! on_both_blob_engines {
    ($($name:ident),+ $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::BlobEngine::Embedded).await;
                }
            )+
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::BlobEngine::S3).await;
                }
            )+
        }
    };
}

on_both_blob_engines!(
    put_get_size_and_delete,
    delete_prefix_purges_one_campaign_only,
    delete_prefix_purges_past_one_page,
    a_presigned_upload_lands_the_file,
    a_presigned_download_serves_the_file_as_an_attachment,
    a_presigned_urls_lifetime_is_a_second_to_seven_days,
);

/// The refusals of the embedded engine's own route, which real S3 makes with its signature
/// check (see the module's comment for why moto cannot show them).
mod embedded_refusals {
    use super::*;

    const SIZE: usize = 2_000;

    async fn presigned() -> (Fixture, BlobKey, PresignedUpload) {
        let fixture = Fixture::new(BlobEngine::Embedded).await;
        let key = upload_key("0904", 2036, "t1");
        let upload = fixture
            .blobs
            .presign_upload(&key, "image/jpeg", SIZE as u64, 300)
            .await
            .unwrap();
        (fixture, key, upload)
    }

    /// Sends the upload with `url` instead of its own, and checks the status and that nothing
    /// was written at `key`.
    async fn refused(fixture: &Fixture, upload: &PresignedUpload, url: String, status: u16, key: &BlobKey) {
        let changed = PresignedUpload { url, ..upload.clone() };
        let answer = fixture.upload(&changed, file(SIZE)).await;
        assert_eq!(answer.status(), status, "{}", changed.url);
        assert_eq!(fixture.blobs.get(key).await.unwrap(), None);
    }

    /// The URL with one query parameter's value replaced.
    fn with_param(url: &str, name: &str, value: &str) -> String {
        let (path, query) = url.split_once('?').unwrap();
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(url::form_urlencoded::parse(query.as_bytes()).map(|(n, v)| {
                let v = if n == name { value.to_string() } else { v.into_owned() };
                (n.into_owned(), v)
            }))
            .finish();
        format!("{path}?{query}")
    }

    fn param(url: &str, name: &str) -> String {
        let (_, query) = url.split_once('?').unwrap();
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    }

    #[tokio::test]
    async fn another_content_type_is_refused_and_nothing_written() {
        let (fixture, key, mut upload) = presigned().await;
        upload.headers.insert("content-type".into(), "application/pdf".into());
        let answer = fixture.upload(&upload, file(SIZE)).await;
        assert_eq!(answer.status(), 400);
        upload.headers.clear();
        let answer = fixture.upload(&upload, file(SIZE)).await;
        assert_eq!(answer.status(), 400, "no content type at all");
        assert_eq!(fixture.blobs.get(&key).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_body_longer_or_shorter_than_signed_is_refused_and_nothing_written() {
        let (fixture, key, upload) = presigned().await;
        let answer = fixture.upload(&upload, file(SIZE + 1)).await;
        assert_eq!(answer.status(), 413);
        let answer = fixture.upload(&upload, file(SIZE * 50)).await;
        assert_eq!(answer.status(), 413);
        let answer = fixture.upload(&upload, file(SIZE - 1)).await;
        assert_eq!(answer.status(), 400);
        assert_eq!(fixture.blobs.get(&key).await.unwrap(), None);
        // The same URL still takes the file it was made for.
        assert_eq!(fixture.upload(&upload, file(SIZE)).await.status(), 200);
        assert_eq!(fixture.blobs.get(&key).await.unwrap(), Some(file(SIZE)));
    }

    #[tokio::test]
    async fn a_body_streamed_without_a_length_is_held_to_the_signed_size() {
        let (fixture, key, upload) = presigned().await;
        let streamed = |bytes: Vec<u8>| {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(500).map(|c| Ok(c.to_vec())).collect();
            reqwest::Body::wrap_stream(futures::stream::iter(chunks))
        };
        let send = |body| {
            fixture
                .client
                .put(fixture.absolute(&upload.url))
                .header("content-type", "image/jpeg")
                .body(body)
                .send()
        };
        assert_eq!(send(streamed(file(SIZE + 500))).await.unwrap().status(), 413);
        assert_eq!(send(streamed(file(SIZE - 500))).await.unwrap().status(), 400);
        assert_eq!(fixture.blobs.get(&key).await.unwrap(), None);
        assert_eq!(send(streamed(file(SIZE))).await.unwrap().status(), 200);
        assert_eq!(fixture.blobs.get(&key).await.unwrap(), Some(file(SIZE)));
    }

    #[tokio::test]
    async fn an_expired_url_is_refused() {
        let (fixture, key, upload) = presigned().await;
        fixture.embedded_app().clock.advance(300);
        assert_eq!(
            fixture.upload(&upload, file(SIZE)).await.status(),
            200,
            "valid to the second"
        );
        fixture.blobs.delete(&key).await.unwrap();
        fixture.embedded_app().clock.advance(1);
        refused(&fixture, &upload, upload.url.clone(), 403, &key).await;
    }

    #[tokio::test]
    async fn an_altered_url_is_refused() {
        let (fixture, key, upload) = presigned().await;
        let signature = param(&upload.url, "signature");
        let flipped = format!(
            "{}{}",
            &signature[..signature.len() - 1],
            if signature.ends_with('0') { '1' } else { '0' }
        );
        let later = (param(&upload.url, "expires").parse::<i64>().unwrap() + 3_600).to_string();
        for (name, value) in [
            ("signature", flipped.as_str()),
            ("signature", "not hex"),
            ("size", "20000000"),
            ("type", "application/pdf"),
            ("expires", later.as_str()),
        ] {
            let url = with_param(&upload.url, name, value);
            let mut changed = upload.clone();
            if name == "type" {
                changed.headers.insert("content-type".into(), value.into());
            }
            refused(&fixture, &changed, url, 403, &key).await;
        }
        let (path, _) = upload.url.split_once('?').unwrap();
        refused(&fixture, &upload, path.to_string(), 403, &key).await;
    }

    #[tokio::test]
    async fn a_url_reused_for_another_key_or_method_is_refused() {
        let (fixture, key, upload) = presigned().await;
        let other = upload_key("0904", 2036, "t2");
        let url = upload.url.replacen(key.as_str(), other.as_str(), 1);
        refused(&fixture, &upload, url, 403, &key).await;
        assert_eq!(fixture.blobs.get(&other).await.unwrap(), None);
        let document = BlobKey::document(&union("0904"), 2036, "t1", "d1").unwrap();
        let url = upload.url.replacen(key.as_str(), document.as_str(), 1);
        refused(&fixture, &upload, url, 403, &key).await;
        assert_eq!(fixture.blobs.get(&document).await.unwrap(), None);

        // A download URL neither uploads nor serves another key.
        fixture.blobs.put(&other, file(10), "image/jpeg").await.unwrap();
        let download = fixture
            .blobs
            .presign_download(&other, "a.jpg", "image/jpeg", 60)
            .await
            .unwrap();
        let as_upload = PresignedUpload {
            url: download.clone(),
            ..upload.clone()
        };
        assert_eq!(fixture.upload(&as_upload, file(10)).await.status(), 403);
        let elsewhere = download.replacen(other.as_str(), key.as_str(), 1);
        fixture.blobs.put(&key, file(10), "image/jpeg").await.unwrap();
        let answer = fixture.client.get(fixture.absolute(&elsewhere)).send().await.unwrap();
        assert_eq!(answer.status(), 403);
    }

    #[tokio::test]
    async fn an_expired_download_is_refused() {
        let fixture = Fixture::new(BlobEngine::Embedded).await;
        let key = upload_key("0904", 2036, "t1");
        fixture.blobs.put(&key, file(10), "image/jpeg").await.unwrap();
        let url = fixture
            .blobs
            .presign_download(&key, "a.jpg", "image/jpeg", 60)
            .await
            .unwrap();
        fixture.embedded_app().clock.advance(61);
        let answer = fixture.client.get(fixture.absolute(&url)).send().await.unwrap();
        assert_eq!(answer.status(), 403);
    }
}
