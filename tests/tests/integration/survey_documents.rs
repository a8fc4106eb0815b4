//! A target's documents through the local runner, on both engines: POST …/documents, real HTTP
//! uploads to the presigned URL the app serves itself, POST …/complete, the list, the download
//! redirect and DELETE. Every refusal of the issue, the removal of a phone photo's GPS, changes
//! after submitting and none after 確認完了, the limits' guard under two tabs, and a file store
//! that fails.

use crate::survey_form::{
    OTHER, complete_together, form_path, login_again, read, saved, submit, target_id, union_with,
};
use futures::future::join_all;
use kennin::blobs::{BlobKey, BlobStore};
use kennin::campaign;
use kennin::document_file::{MAX_FILE_BYTES, MAX_FILES_PER_TARGET, MAX_TARGET_BYTES};
use kennin::domain::{CardNumber, CardSymbol, InsurerCode, TargetStatus};
use kennin::store::records::{Target, from_item, to_item};
use kennin::store::{ItemStore, Write};
use kennin::survey_documents::UPLOAD_URL_SECONDS;
use kennin_tests::{
    Engine, HANAKO, Person, Reply, SURVEY_YEAR, TARO, TestApp, on_both_engines, spawn_app, with_body_and_cookie,
    without_request_id,
};
use serde_json::{Value, json};
use std::io::Cursor;
use std::sync::atomic::Ordering;

pub(crate) fn test_file(name: &str) -> Vec<u8> {
    let path = format!("{}/data/documents/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn documents_path(id: &str) -> String {
    format!("{}/documents", form_path(id))
}

fn document_path(id: &str, document_id: &str) -> String {
    format!("{}/{document_id}", documents_path(id))
}

/// A request for an upload of `size` bytes of `content_type`, the My Number confirmed.
pub(crate) fn request(kind: &str, file_name: &str, content_type: &str, size: usize) -> Value {
    json!({
        "kind": kind,
        "fileName": file_name,
        "contentType": content_type,
        "size": size,
        "myNumberChecked": true
    })
}

async fn create(app: &TestApp, session: &str, id: &str, body: Value) -> Reply {
    app.post(&documents_path(id), body, Some(session)).await
}

/// Creates an upload that must be granted: its document id and the upload.
pub(crate) async fn created(app: &TestApp, session: &str, id: &str, body: Value) -> (String, Value) {
    let reply = create(app, session, id, body.clone()).await;
    assert_eq!(reply.status, 201, "{body} refused: {:?}", reply.body);
    (
        reply.body["id"].as_str().unwrap().to_string(),
        reply.body["upload"].clone(),
    )
}

/// Sends `body` as the browser would: the upload's method, URL (a path of the site) and headers.
pub(crate) async fn upload(app: &TestApp, upload: &Value, body: Vec<u8>) -> u16 {
    let url = upload["url"].as_str().unwrap();
    let url = if url.starts_with('/') {
        format!("{}{url}", app.base)
    } else {
        url.to_string()
    };
    let method = upload["method"].as_str().unwrap().parse().unwrap();
    let mut request = reqwest::Client::new().request(method, url).body(body);
    for (name, value) in upload["headers"].as_object().unwrap() {
        request = request.header(name, value.as_str().unwrap());
    }
    request.send().await.expect("upload sent").status().as_u16()
}

pub(crate) async fn complete(app: &TestApp, session: &str, id: &str, document_id: &str) -> Reply {
    app.post(
        &format!("{}/complete", document_path(id, document_id)),
        json!({}),
        Some(session),
    )
    .await
}

pub(crate) async fn list(app: &TestApp, session: &str, id: &str) -> Vec<Value> {
    let reply = app.get(&documents_path(id), Some(session)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["documents"].as_array().unwrap().clone()
}

async fn delete(app: &TestApp, session: &str, id: &str, document_id: &str) -> Reply {
    app.send("DELETE", &document_path(id, document_id), None, Some(session))
        .await
}

/// GET …/documents/{docId} without following the redirect.
async fn download(app: &TestApp, session: &str, id: &str, document_id: &str) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let request = client
        .get(format!("{}{}", app.base, document_path(id, document_id)))
        .header("x-forwarded-for", "198.51.100.7");
    with_body_and_cookie(request, None, Some(session)).send().await.unwrap()
}

/// The bytes the download's redirect serves.
async fn downloaded(app: &TestApp, session: &str, id: &str, document_id: &str) -> Vec<u8> {
    let redirect = download(app, session, id, document_id).await;
    assert_eq!(redirect.status(), 302);
    let location = redirect.headers()["location"].to_str().unwrap();
    let url = if location.starts_with('/') {
        format!("{}{location}", app.base)
    } else {
        location.to_string()
    };
    let file = reqwest::get(url).await.unwrap();
    assert_eq!(file.status(), 200);
    file.bytes().await.unwrap().to_vec()
}

fn keys(person: &Person, id: &str, document_id: &str) -> (BlobKey, BlobKey) {
    let insurer = InsurerCode::parse(person.insurer).unwrap();
    (
        BlobKey::upload(&insurer, SURVEY_YEAR, id, document_id).unwrap(),
        BlobKey::document(&insurer, SURVEY_YEAR, id, document_id).unwrap(),
    )
}

/// The number of the target's document records in the store, whatever their state.
async fn records(app: &TestApp, person: &Person, id: &str) -> usize {
    let insurer = InsurerCode::parse(person.insurer).unwrap();
    let partition = Target::partition(
        &insurer,
        SURVEY_YEAR,
        &CardSymbol::parse(person.symbol).unwrap(),
        &CardNumber::parse(person.number).unwrap(),
    );
    app.store.query(&partition, &format!("DOC#{id}#")).await.unwrap().len()
}

/// What the union's review will do to a target, written as it would be.
async fn set_status(app: &TestApp, person: &Person, id: &str, status: TargetStatus) {
    let key = Target::key(
        &InsurerCode::parse(person.insurer).unwrap(),
        SURVEY_YEAR,
        &CardSymbol::parse(person.symbol).unwrap(),
        &CardNumber::parse(person.number).unwrap(),
        id,
    );
    let target: Target = from_item(app.store.get(&key).await.unwrap().unwrap()).unwrap();
    let changed = Target {
        status,
        version: target.version + 1,
        ..target
    }
    .listed();
    app.store
        .transact(vec![Write::put(key, to_item(&changed, None))])
        .await
        .unwrap();
}

/// Taro at home with 健保 花子's form answered in full: the session, the target and the first
/// kind of document the answers require.
async fn answered(app: &TestApp) -> (String, String, String) {
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(app, &session, "健保 花子").await;
    let form = saved(app, &session, &id, complete_together()).await;
    let kind = form["requiredDocuments"][0]["kind"].as_str().unwrap().to_string();
    (session, id, kind)
}

fn assert_refused(reply: &Reply, status: u16, code: &str) {
    assert_eq!((reply.status, reply.code()), (status, code), "{:?}", reply.body);
}

fn field_errors(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    reply.body["fields"].as_object().unwrap().keys().cloned().collect()
}

async fn a_document_is_uploaded_checked_listed_downloaded_and_deleted(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, kind) = answered(&app).await;
    let pdf = test_file("plain.pdf");
    let (document_id, granted) = created(
        &app,
        &session,
        &id,
        request(&kind, "C:\\scans\\課税証明書.pdf", "application/pdf", pdf.len()),
    )
    .await;
    let pending = list(&app, &session, &id).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["status"], "pending");
    assert_eq!(pending[0]["fileName"], "課税証明書.pdf");
    // Not uploaded yet: nothing to complete, nothing to download.
    assert_refused(
        &complete(&app, &session, &id, &document_id).await,
        409,
        "document_not_uploaded",
    );
    assert_eq!(download(&app, &session, &id, &document_id).await.status(), 404);

    assert_eq!(upload(&app, &granted, pdf.clone()).await, 200);
    let accepted = complete(&app, &session, &id, &document_id).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["kind"], kind);
    assert_eq!(accepted.body["size"], pdf.len());
    // Completing again answers the same.
    let again = complete(&app, &session, &id, &document_id).await;
    assert_eq!(again.body, accepted.body);

    let listed = app.get(&documents_path(&id), Some(&session)).await;
    assert_eq!(listed.body["documents"], json!([accepted.body]));
    assert_eq!(listed.body["limits"]["maxFiles"], MAX_FILES_PER_TARGET);
    assert_eq!(listed.body["limits"]["maxFileBytes"], MAX_FILE_BYTES);
    assert_eq!(listed.body["limits"]["maxTotalBytes"], MAX_TARGET_BYTES);
    let (upload_key, document_key) = keys(&TARO, &id, &document_id);
    assert_eq!(app.blobs.get(&upload_key).await.unwrap(), None, "the upload is moved");
    assert_eq!(app.blobs.get(&document_key).await.unwrap(), Some(pdf.clone()));
    assert_eq!(downloaded(&app, &session, &id, &document_id).await, pdf);

    let deleted = delete(&app, &session, &id, &document_id).await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert!(list(&app, &session, &id).await.is_empty());
    assert_eq!(app.blobs.get(&document_key).await.unwrap(), None);
    assert_eq!(records(&app, &TARO, &id).await, 0);
    assert_refused(&delete(&app, &session, &id, &document_id).await, 404, "not_found");
    assert_eq!(download(&app, &session, &id, &document_id).await.status(), 404);
}

/// Uploads `bytes` declared as `content_type` and completes it, which must refuse it: the reason,
/// and that neither the object nor the record is left.
async fn rejected(app: &TestApp, session: &str, id: &str, content_type: &str, bytes: Vec<u8>) -> String {
    let (document_id, granted) = created(app, session, id, request("other", "file", content_type, bytes.len())).await;
    assert_eq!(upload(app, &granted, bytes).await, 200);
    let reply = complete(app, session, id, &document_id).await;
    assert_refused(&reply, 422, "document_rejected");
    let (upload_key, document_key) = keys(&TARO, id, &document_id);
    assert_eq!(app.blobs.get(&upload_key).await.unwrap(), None);
    assert_eq!(app.blobs.get(&document_key).await.unwrap(), None);
    assert!(list(app, session, id).await.is_empty());
    assert_refused(&complete(app, session, id, &document_id).await, 404, "not_found");
    reply.body["message"].as_str().unwrap().to_string()
}

async fn files_that_are_not_what_they_say_or_unsafe_are_refused_with_a_reason(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, _) = answered(&app).await;
    let mut reasons = Vec::new();
    for (content_type, file) in [
        ("image/jpeg", test_file("plain.pdf")),
        ("application/pdf", test_file("encrypted.pdf")),
        ("application/pdf", test_file("javascript.pdf")),
        ("application/pdf", test_file("javascript-object-stream.pdf")),
        ("image/jpeg", test_file("truncated.jpg")),
    ] {
        let reason = rejected(&app, &session, &id, content_type, file).await;
        assert!(!reason.is_empty() && !reason.is_ascii(), "{reason}");
        reasons.push(reason);
    }
    // Each refusal says its own reason (the two JavaScript PDFs alike).
    assert_ne!(reasons[0], reasons[1]);
    assert_ne!(reasons[1], reasons[2]);
    assert_eq!(reasons[2], reasons[3]);
    assert_ne!(reasons[3], reasons[4]);
    assert_eq!(records(&app, &TARO, &id).await, 0);
}

async fn requests_out_of_the_rules_are_refused_by_field(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, kind) = answered(&app).await;
    let too_large = MAX_FILE_BYTES as usize + 1;
    let cases = [
        (request(&kind, "a.jpg", "image/jpeg", too_large), vec!["size"]),
        (request(&kind, "a.jpg", "image/jpeg", 0), vec!["size"]),
        (request("passport", "a.jpg", "image/jpeg", 10), vec!["kind"]),
        (request(&kind, "a.heic", "image/heic", 10), vec!["contentType"]),
        (request(&kind, "", "image/jpeg", 10), vec!["fileName"]),
        (request(&kind, &"あ".repeat(101), "image/jpeg", 10), vec!["fileName"]),
        (
            json!({"kind": kind, "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10, "myNumberChecked": false}),
            vec!["myNumberChecked"],
        ),
        (
            json!({"kind": kind, "fileName": "a.jpg", "contentType": "image/jpeg", "size": 10}),
            vec!["myNumberChecked"],
        ),
    ];
    for (body, expected) in cases {
        let reply = create(&app, &session, &id, body.clone()).await;
        assert_eq!(field_errors(&reply), expected, "{body}");
    }
    assert!(list(&app, &session, &id).await.is_empty());
    assert_eq!(records(&app, &TARO, &id).await, 0);

    // The URL takes no more bytes than declared, nor another key's upload.
    let (document_id, granted) = created(&app, &session, &id, request(&kind, "a.pdf", "application/pdf", 431)).await;
    let (upload_key, _) = keys(&TARO, &id, &document_id);
    let mut longer = test_file("plain.pdf");
    longer.extend_from_slice(b"% more");
    assert_eq!(upload(&app, &granted, longer).await, 413);
    assert_eq!(app.blobs.get(&upload_key).await.unwrap(), None);
    let (second_id, _) = created(&app, &session, &id, request(&kind, "b.pdf", "application/pdf", 431)).await;
    let (second_key, _) = keys(&TARO, &id, &second_id);
    let mut reused = granted.clone();
    reused["url"] = json!(
        granted["url"]
            .as_str()
            .unwrap()
            .replacen(upload_key.as_str(), second_key.as_str(), 1)
    );
    assert_ne!(reused["url"], granted["url"]);
    assert_eq!(upload(&app, &reused, test_file("plain.pdf")).await, 403);
    assert_eq!(app.blobs.get(&second_key).await.unwrap(), None);
    assert_refused(
        &complete(&app, &session, &id, &second_id).await,
        409,
        "document_not_uploaded",
    );

    // An upload URL dies after UPLOAD_URL_SECONDS; the document waits for another.
    app.clock.advance(UPLOAD_URL_SECONDS + 1);
    assert_eq!(upload(&app, &granted, test_file("plain.pdf")).await, 403);
    assert_eq!(app.blobs.get(&upload_key).await.unwrap(), None);
    assert_refused(
        &complete(&app, &session, &id, &document_id).await,
        409,
        "document_not_uploaded",
    );
}

async fn a_target_holds_twenty_files_and_fifty_megabytes(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, _) = answered(&app).await;
    let ten_mb = MAX_FILE_BYTES as usize;
    let mut large = Vec::new();
    for n in 0..MAX_TARGET_BYTES as usize / ten_mb {
        large.push(
            created(
                &app,
                &session,
                &id,
                request("other", &format!("{n}.jpg"), "image/jpeg", ten_mb),
            )
            .await
            .0,
        );
    }
    assert_refused(
        &create(&app, &session, &id, request("other", "x.jpg", "image/jpeg", 1)).await,
        409,
        "documents_too_large",
    );
    // Deleting one frees its place.
    for document_id in &large[1..] {
        assert_eq!(delete(&app, &session, &id, document_id).await.status, 204);
    }
    for n in 1..MAX_FILES_PER_TARGET {
        created(
            &app,
            &session,
            &id,
            request("other", &format!("{n}.png"), "image/png", 100),
        )
        .await;
    }
    assert_eq!(list(&app, &session, &id).await.len(), MAX_FILES_PER_TARGET);
    assert_refused(
        &create(&app, &session, &id, request("other", "21.png", "image/png", 100)).await,
        409,
        "too_many_documents",
    );

    // At nineteen files, two tabs adding at once: exactly one gets the last place.
    assert_eq!(delete(&app, &session, &id, &large[0]).await.status, 204);
    let replies = join_all((0..2).map(|n| {
        create(
            &app,
            &session,
            &id,
            request("other", &format!("tab{n}.png"), "image/png", 100),
        )
    }))
    .await;
    let statuses: Vec<_> = replies
        .iter()
        .map(|reply| (reply.status, reply.code().to_string()))
        .collect();
    assert!(
        statuses.contains(&(201, String::new())) && statuses.contains(&(409, "too_many_documents".into())),
        "{replies:?}"
    );
    assert_eq!(list(&app, &session, &id).await.len(), MAX_FILES_PER_TARGET);

    // A pending upload never completed stops counting after a day.
    app.clock.advance(24 * 60 * 60);
    let session = login_again(&app, "taro_kenpo").await;
    assert!(list(&app, &session, &id).await.is_empty());
    created(&app, &session, &id, request("other", "new.png", "image/png", 100)).await;
}

async fn a_phone_photo_is_kept_without_its_position(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, kind) = answered(&app).await;
    let photo = test_file("phone-photo-gps.jpg");
    let original = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&photo))
        .unwrap();
    assert!(original.fields().any(|field| field.tag == exif::Tag::GPSLatitude));
    let (document_id, granted) = created(
        &app,
        &session,
        &id,
        request(&kind, "IMG_0001.jpg", "image/jpeg", photo.len()),
    )
    .await;
    assert_eq!(upload(&app, &granted, photo.clone()).await, 200);
    let accepted = complete(&app, &session, &id, &document_id).await;
    assert_eq!(accepted.body["status"], "accepted", "{:?}", accepted.body);

    let (_, document_key) = keys(&TARO, &id, &document_id);
    let stored = app.blobs.get(&document_key).await.unwrap().unwrap();
    assert_eq!(accepted.body["size"], stored.len());
    if let Ok(kept) = exif::Reader::new().read_from_container(&mut Cursor::new(&stored)) {
        for field in kept.fields() {
            assert_ne!(field.tag.context(), exif::Context::Gps, "{field:?}");
            assert!(
                !matches!(
                    field.tag,
                    exif::Tag::GPSLatitude | exif::Tag::GPSLongitude | exif::Tag::Make | exif::Tag::Model
                ),
                "{field:?}"
            );
        }
    }
    for needle in [&b"GPS"[..], b"iPhone", b"Apple", b"http://ns.adobe.com/xap"] {
        assert!(
            !stored.windows(needle.len()).any(|window| window == needle),
            "{needle:?} kept"
        );
    }
    let before = image::load_from_memory(&photo).unwrap();
    let after = image::load_from_memory(&stored).unwrap();
    assert_eq!((after.width(), after.height()), (before.width(), before.height()));
    assert_eq!(downloaded(&app, &session, &id, &document_id).await, stored);
}

async fn documents_change_after_submitting_until_the_union_confirms(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, kind) = answered(&app).await;
    let version = read(&app, &session, &id).await["version"].clone();
    let submitted = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);

    let pdf = test_file("plain.pdf");
    let (kept, granted) = created(
        &app,
        &session,
        &id,
        request(&kind, "a.pdf", "application/pdf", pdf.len()),
    )
    .await;
    assert_eq!(upload(&app, &granted, pdf.clone()).await, 200);
    assert_eq!(complete(&app, &session, &id, &kept).await.status, 200);
    // The list is oldest first, to the second.
    app.clock.advance(1);
    let (removed, _) = created(
        &app,
        &session,
        &id,
        request("other", "b.pdf", "application/pdf", pdf.len()),
    )
    .await;
    assert_eq!(delete(&app, &session, &id, &removed).await.status, 204);
    let (pending, granted) = created(
        &app,
        &session,
        &id,
        request("other", "c.pdf", "application/pdf", pdf.len()),
    )
    .await;
    assert_eq!(upload(&app, &granted, pdf.clone()).await, 200);

    set_status(&app, &TARO, &id, TargetStatus::Confirmed).await;
    for reply in [
        create(
            &app,
            &session,
            &id,
            request("other", "d.pdf", "application/pdf", pdf.len()),
        )
        .await,
        complete(&app, &session, &id, &pending).await,
        delete(&app, &session, &id, &kept).await,
    ] {
        assert_refused(&reply, 409, "documents_locked");
    }
    let listed = list(&app, &session, &id).await;
    let listed: Vec<_> = listed
        .iter()
        .map(|document| (document["id"].as_str().unwrap(), document["status"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [(kept.as_str(), "accepted"), (pending.as_str(), "pending")]);
    assert_eq!(downloaded(&app, &session, &id, &kept).await, pdf);

    // Sent back, the target takes changes again; past the campaign's grace, nothing.
    set_status(&app, &TARO, &id, TargetStatus::Returned).await;
    assert_eq!(complete(&app, &session, &id, &pending).await.status, 200);
    let closes = campaign::parse_opening("2036-07-09T00:00").unwrap();
    let now = kennin::clock::Clock::unix(app.clock.as_ref());
    app.clock.advance(closes - now);
    let session = login_again(&app, "taro_kenpo").await;
    for reply in [
        create(
            &app,
            &session,
            &id,
            request("other", "d.pdf", "application/pdf", pdf.len()),
        )
        .await,
        complete(&app, &session, &id, &pending).await,
        delete(&app, &session, &id, &kept).await,
    ] {
        assert_refused(&reply, 409, "survey_closed");
        assert!(reply.body["contact"].is_object(), "{:?}", reply.body);
    }
    assert_eq!(list(&app, &session, &id).await.len(), 2);
    assert_eq!(downloaded(&app, &session, &id, &kept).await, pdf);
}

async fn another_persons_or_unions_target_is_not_found_on_every_route(engine: Engine) {
    let app = spawn_app(engine).await;
    union_with(
        &app,
        &OTHER,
        "1001,1,1,ケンポ ハナコ,健保 花子,1991/01/01,女,配偶者,2015/01/01,同居\n",
        "2036-04-01",
    )
    .await;
    let (taro, taros, kind) = answered(&app).await;
    let hanako = app.at_home(&HANAKO, "hanako_sakura", "hanako@example.com").await;
    let other = app.at_home(&OTHER, "taro_other", "taro@example.org").await;
    let others = target_id(&app, &other, "健保 花子").await;
    let pdf = test_file("plain.pdf");
    let (taros_document, granted) = created(
        &app,
        &taro,
        &taros,
        request(&kind, "a.pdf", "application/pdf", pdf.len()),
    )
    .await;
    assert_eq!(upload(&app, &granted, pdf.clone()).await, 200);
    assert_eq!(complete(&app, &taro, &taros, &taros_document).await.status, 200);
    let (others_document, _) = created(
        &app,
        &other,
        &others,
        request("other", "a.pdf", "application/pdf", pdf.len()),
    )
    .await;

    let routes = |id: &str, document_id: &str| {
        [
            (
                "POST",
                documents_path(id),
                Some(request("other", "x.pdf", "application/pdf", 431)),
            ),
            ("GET", documents_path(id), None),
            (
                "POST",
                format!("{}/complete", document_path(id, document_id)),
                Some(json!({})),
            ),
            ("GET", document_path(id, document_id), None),
            ("DELETE", document_path(id, document_id), None),
        ]
    };
    // What every route answers for ids that name nothing: the body to match.
    let unknown_target = "0".repeat(2 * campaign::TARGET_ID_BYTES);
    let unknown_document = "0".repeat(32);
    let mut not_found = Vec::new();
    for (method, path, body) in routes(&unknown_target, &unknown_document) {
        let reply = app.send(method, &path, body, Some(&taro)).await;
        assert_refused(&reply, 404, "not_found");
        not_found.push(without_request_id(&reply.body));
    }
    let attempts = [
        (&taro, others.as_str(), others_document.as_str()),
        (&hanako, taros.as_str(), taros_document.as_str()),
        (&hanako, others.as_str(), others_document.as_str()),
        (&other, taros.as_str(), taros_document.as_str()),
    ];
    for (session, id, document_id) in attempts {
        for ((method, path, body), expected) in routes(id, document_id).into_iter().zip(&not_found) {
            let reply = app.send(method, &path, body, Some(session)).await;
            assert_eq!(reply.status, 404, "{method} {path}: {:?}", reply.body);
            assert_eq!(&without_request_id(&reply.body), expected, "{method} {path}");
        }
    }
    // Unknown or malformed document ids of Taro's own target.
    for document_id in [
        unknown_document.clone(),
        taros_document.to_uppercase(),
        format!("{taros_document}0"),
        taros_document[1..].to_string(),
        "g".repeat(32),
        others_document.clone(),
    ] {
        for (method, path, body) in routes(&taros, &document_id).into_iter().skip(2) {
            let reply = app.send(method, &path, body, Some(&taro)).await;
            assert_eq!(reply.status, 404, "{method} {path}: {:?}", reply.body);
            assert_eq!(reply.code(), "not_found");
        }
    }
    let listed = list(&app, &taro, &taros).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(list(&app, &other, &others).await.len(), 1);
    assert_eq!(downloaded(&app, &taro, &taros, &taros_document).await, pdf);
}

async fn a_failing_file_store_answers_503_and_loses_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id, kind) = answered(&app).await;
    let pdf = test_file("plain.pdf");
    let (document_id, granted) = created(
        &app,
        &session,
        &id,
        request(&kind, "a.pdf", "application/pdf", pdf.len()),
    )
    .await;
    assert_eq!(upload(&app, &granted, pdf.clone()).await, 200);
    let (upload_key, document_key) = keys(&TARO, &id, &document_id);

    app.blob_switch.down.store(true, Ordering::SeqCst);
    assert_refused(
        &complete(&app, &session, &id, &document_id).await,
        503,
        "service_unavailable",
    );
    assert_eq!(app.blobs.get(&upload_key).await.unwrap(), Some(pdf.clone()));
    let listed = list(&app, &session, &id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "pending");
    app.blob_switch.down.store(false, Ordering::SeqCst);
    assert_eq!(complete(&app, &session, &id, &document_id).await.status, 200);

    app.blob_switch.down.store(true, Ordering::SeqCst);
    assert_refused(
        &delete(&app, &session, &id, &document_id).await,
        503,
        "service_unavailable",
    );
    assert_eq!(app.blobs.get(&document_key).await.unwrap(), Some(pdf.clone()));
    assert_eq!(list(&app, &session, &id).await[0]["status"], "accepted");
    app.blob_switch.down.store(false, Ordering::SeqCst);
    assert_eq!(delete(&app, &session, &id, &document_id).await.status, 204);
    assert!(list(&app, &session, &id).await.is_empty());
}

on_both_engines!(
    a_document_is_uploaded_checked_listed_downloaded_and_deleted,
    files_that_are_not_what_they_say_or_unsafe_are_refused_with_a_reason,
    requests_out_of_the_rules_are_refused_by_field,
    a_target_holds_twenty_files_and_fifty_megabytes,
    a_phone_photo_is_kept_without_its_position,
    documents_change_after_submitting_until_the_union_confirms,
    another_persons_or_unions_target_is_not_found_on_every_route,
    a_failing_file_store_answers_503_and_loses_nothing,
);
