//! Document files: one small object interface, two engines — S3 in AWS (`s3`), files under
//! kennin-local's data folder (`local`). The browser sends a file straight to the engine with a
//! short-lived presigned upload, never through a function (API Gateway and Lambda cap payloads
//! at 10 MB and 6 MB); the portal's code is the same on both, since both answer the same
//! `PresignedUpload`. One conformance suite covers both
//! (tests/tests/integration/blob_conformance.rs).
//!
//! Objects are addressed by `BlobKey`s, which only this module spells: uploads land under
//! `uploads/` (the bucket's lifecycle deletes those never completed after a day), the verifier
//! moves accepted files to `documents/`, and the console's CSV exports wait under `exports/`
//! for their download (the lifecycle deletes them after a day too).

pub mod local;
#[cfg(feature = "s3")]
pub mod s3;

use crate::clock::Timestamp;
use crate::domain::InsurerCode;
use async_trait::async_trait;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The two areas of the bucket: files as the browser sent them, and files the verifier accepted.
const UPLOADS: &str = "uploads";
const DOCUMENTS: &str = "documents";
const EXPORTS: &str = "exports";

/// Where one object lives: `{area}/{insurer}/{year}/{targetId}/{docId}`. Built only by the
/// constructors, whose ids are plain segments (letters, digits, `-`, `_`), so that a key is
/// also a safe relative path and a URL path as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

/// The start of many keys, `{area}/{insurer}/{year}/`, for the retention purge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobPrefix(String);

impl BlobKey {
    /// Where the browser uploads a document of a target.
    pub fn upload(insurer: &InsurerCode, year: i32, target_id: &str, doc_id: &str) -> Result<Self, BlobError> {
        Self::in_area(UPLOADS, insurer, year, target_id, doc_id)
    }

    /// Where the verifier keeps a document it accepted.
    pub fn document(insurer: &InsurerCode, year: i32, target_id: &str, doc_id: &str) -> Result<Self, BlobError> {
        Self::in_area(DOCUMENTS, insurer, year, target_id, doc_id)
    }

    /// Where a CSV export of the union waits for its download: `exports/{insurer}/{exportId}`.
    pub fn export(insurer: &InsurerCode, export_id: &str) -> Result<Self, BlobError> {
        if !plain_segment(export_id) {
            return Err(BlobError::Refused("an id that is not a plain key segment"));
        }
        Ok(Self(format!("{EXPORTS}/{insurer}/{export_id}")))
    }

    fn in_area(area: &str, insurer: &InsurerCode, year: i32, target_id: &str, doc_id: &str) -> Result<Self, BlobError> {
        if !plain_segment(target_id) || !plain_segment(doc_id) {
            return Err(BlobError::Refused("an id that is not a plain key segment"));
        }
        Ok(Self(format!("{area}/{insurer}/{year}/{target_id}/{doc_id}")))
    }

    /// The prefixes under which everything of a campaign lies, uploads and documents: what the
    /// retention purge deletes once the campaign's retention days have passed.
    pub fn campaign_prefixes(insurer: &InsurerCode, year: i32) -> [BlobPrefix; 2] {
        [UPLOADS, DOCUMENTS].map(|area| BlobPrefix(format!("{area}/{insurer}/{year}/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Letters, digits, `-` and `_`: a segment that is safe as a path and in a URL as it is.
fn plain_segment(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl BlobPrefix {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the browser sends one file: `method` to `url` with `headers`, the file as the body; or,
/// for a form upload (`POST`), `fields` before the file. Neither engine answers a form upload
/// today, but the shape leaves room for S3's POST policy. The body must be exactly the declared
/// size: browsers send Content-Length themselves (and refuse a script setting it), and the
/// engines refuse any other length. `url` may be a path of the site itself (the embedded
/// engine's), which the browser resolves against the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresignedUpload {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub fields: BTreeMap<String, String>,
    /// After this the engine refuses the upload.
    pub expires_at: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The engine cannot be reached or refused the request: the caller answers 503.
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
    /// The request breaks a rule of the engines (a bug in the caller, not an outage).
    #[error("blob request refused: {0}")]
    Refused(&'static str),
}

/// The longest a presigned URL may live: S3's limit for signatures of SigV4 (seven days).
pub const MAX_PRESIGNED_SECONDS: i64 = 7 * 24 * 3_600;

/// The rule every engine enforces on a presigned URL's lifetime.
fn check_lifetime(expires_in_seconds: i64) -> Result<(), BlobError> {
    if (1..=MAX_PRESIGNED_SECONDS).contains(&expires_in_seconds) {
        Ok(())
    } else {
        Err(BlobError::Refused("a presigned URL's lifetime out of range"))
    }
}

/// The storage engine of document files.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// A short-lived upload of one file to `key`, bound to the content type and the exact size
    /// declared: the engine refuses another key, type or length, and any upload after
    /// `expires_in_seconds`.
    async fn presign_upload(
        &self,
        key: &BlobKey,
        content_type: &str,
        size: u64,
        expires_in_seconds: i64,
    ) -> Result<PresignedUpload, BlobError>;

    /// A URL that serves the object for `expires_in_seconds` as a download named `file_name`
    /// (`Content-Disposition: attachment`, RFC 6266, so Japanese names survive) of
    /// `content_type`. Like `url` of `PresignedUpload`, it may be a path of the site itself.
    async fn presign_download(
        &self,
        key: &BlobKey,
        file_name: &str,
        content_type: &str,
        expires_in_seconds: i64,
    ) -> Result<String, BlobError>;

    /// The object's bytes, `None` when there is none.
    async fn get(&self, key: &BlobKey) -> Result<Option<Vec<u8>>, BlobError>;

    /// Writes the object whole, replacing any: a reader sees the old bytes or the new, never
    /// part of them.
    async fn put(&self, key: &BlobKey, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;

    /// Deleting an object that is not there is no error.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;

    /// The object's size in bytes (without reading it), `None` when there is none.
    async fn size(&self, key: &BlobKey) -> Result<Option<u64>, BlobError>;

    /// Deletes every object under the prefix, and says how many there were.
    async fn delete_prefix(&self, prefix: &BlobPrefix) -> Result<usize, BlobError>;
}

/// RFC 8187's attr-char: what a `filename*` value keeps as it is.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition` of a download named `file_name` (RFC 6266): `filename*` in UTF-8,
/// which every current browser reads, and an ASCII `filename` for any other client, with `_`
/// for what it cannot hold.
pub fn attachment(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(file_name, ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The files of a function, or a process, that has no bucket: every call is `Unavailable`, as
/// S3 would refuse a role without rights. What `Deps::new` starts with.
pub fn not_configured() -> Arc<dyn BlobStore> {
    Arc::new(NoBucket)
}

struct NoBucket;

impl NoBucket {
    fn refused() -> BlobError {
        BlobError::Unavailable("no bucket configured".into())
    }
}

#[async_trait]
impl BlobStore for NoBucket {
    async fn presign_upload(&self, _: &BlobKey, _: &str, _: u64, _: i64) -> Result<PresignedUpload, BlobError> {
        Err(Self::refused())
    }

    async fn presign_download(&self, _: &BlobKey, _: &str, _: &str, _: i64) -> Result<String, BlobError> {
        Err(Self::refused())
    }

    async fn get(&self, _: &BlobKey) -> Result<Option<Vec<u8>>, BlobError> {
        Err(Self::refused())
    }

    async fn put(&self, _: &BlobKey, _: Vec<u8>, _: &str) -> Result<(), BlobError> {
        Err(Self::refused())
    }

    async fn delete(&self, _: &BlobKey) -> Result<(), BlobError> {
        Err(Self::refused())
    }

    async fn size(&self, _: &BlobKey) -> Result<Option<u64>, BlobError> {
        Err(Self::refused())
    }

    async fn delete_prefix(&self, _: &BlobPrefix) -> Result<usize, BlobError> {
        Err(Self::refused())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn union() -> InsurerCode {
        InsurerCode::parse("0904").unwrap()
    }

    #[test]
    fn keys_are_spelt_here_and_refuse_ids_that_are_not_plain_segments() {
        let key = BlobKey::upload(&union(), 2036, "a1b2", "d-3_x").unwrap();
        assert_eq!(key.as_str(), "uploads/0904/2036/a1b2/d-3_x");
        let key = BlobKey::document(&union(), 2036, "a1b2", "d3").unwrap();
        assert_eq!(key.as_str(), "documents/0904/2036/a1b2/d3");
        let key = BlobKey::export(&union(), "e7f0").unwrap();
        assert_eq!(key.as_str(), "exports/0904/e7f0");
        for id in ["", "..", "a/b", "a b", "ｱ", "a%2f"] {
            assert!(matches!(
                BlobKey::upload(&union(), 2036, id, "d"),
                Err(BlobError::Refused(_))
            ));
            assert!(matches!(
                BlobKey::document(&union(), 2036, "t", id),
                Err(BlobError::Refused(_))
            ));
            assert!(matches!(BlobKey::export(&union(), id), Err(BlobError::Refused(_))));
        }
        let prefixes = BlobKey::campaign_prefixes(&union(), 2036).map(|p| p.as_str().to_string());
        assert_eq!(prefixes, ["uploads/0904/2036/", "documents/0904/2036/"]);
    }

    #[test]
    fn a_japanese_file_name_is_sent_in_utf8_with_an_ascii_fallback() {
        assert_eq!(
            attachment("保険証 (表).jpg"),
            "attachment; filename=\"___ (_).jpg\"; filename*=UTF-8''%E4%BF%9D%E9%99%BA%E8%A8%BC%20%28%E8%A1%A8%29.jpg"
        );
        assert_eq!(
            attachment("a\"b\\c\r\n.pdf"),
            "attachment; filename=\"a_b_c__.pdf\"; filename*=UTF-8''a%22b%5Cc%0D%0A.pdf"
        );
    }

    #[tokio::test]
    async fn without_a_bucket_every_call_is_unavailable() {
        let blobs = not_configured();
        let key = BlobKey::upload(&union(), 2036, "t", "d").unwrap();
        let unavailable = |e: BlobError| matches!(e, BlobError::Unavailable(_));
        assert!(unavailable(
            blobs.presign_upload(&key, "image/jpeg", 1, 60).await.unwrap_err()
        ));
        assert!(unavailable(
            blobs
                .presign_download(&key, "a.jpg", "image/jpeg", 60)
                .await
                .unwrap_err()
        ));
        assert!(unavailable(blobs.get(&key).await.unwrap_err()));
        assert!(unavailable(blobs.put(&key, vec![1], "image/jpeg").await.unwrap_err()));
        assert!(unavailable(blobs.delete(&key).await.unwrap_err()));
        assert!(unavailable(blobs.size(&key).await.unwrap_err()));
        let [uploads, _] = BlobKey::campaign_prefixes(&union(), 2036);
        assert!(unavailable(blobs.delete_prefix(&uploads).await.unwrap_err()));
    }
}
