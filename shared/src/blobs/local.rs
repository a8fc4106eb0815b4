//! The embedded engine, for kennin-local: each object a file under the data folder, and upload
//! and download URLs that kennin-local itself serves at `ROUTE`, signed with an HMAC keyed by
//! the deployment secret over the method, the key, the content type, the size (uploads) or the
//! file name (downloads) and the expiry. What S3 refuses of a presigned URL, kennin-local
//! refuses the same way: another key, an expired or altered URL, another type or length.
//!
//! The URLs are paths of the site (`/_local/blobs/…`), not absolute: the browser resolves them
//! against the page, which kennin-local serves, so the engine needs no origin, and one that
//! listens on a port the system picked, or is reached by another host name, works the same.

use super::{BlobError, BlobKey, BlobPrefix, BlobStore, PresignedUpload, attachment, check_lifetime};
use crate::clock::{Clock, Timestamp};
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where kennin-local serves the engine's URLs; the key follows.
pub const ROUTE: &str = "/_local/blobs/";

/// Files in flight, renamed into place whole: on the same file system as the objects, and
/// outside both areas, so no read or purge sees them.
const PARTIAL: &str = ".partial";

pub struct LocalBlobs {
    root: PathBuf,
    secret: Vec<u8>,
    clock: Arc<dyn Clock>,
}

/// What one URL was signed for.
enum Signed<'a> {
    Upload { content_type: &'a str, size: u64 },
    Download { content_type: &'a str, file_name: &'a str },
}

/// Why kennin-local refuses a request to one of the engine's URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Expired, altered, made for another key or method, or no signed URL at all.
    Forbidden,
    /// The body's Content-Type is not the one signed.
    WrongType,
    /// The body is longer than the size signed.
    TooLarge,
    /// The body is shorter than the size signed.
    WrongSize,
    NotFound,
    /// The file could not be read or written.
    Unavailable(String),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Forbidden => 403,
            Refusal::WrongType | Refusal::WrongSize => 400,
            Refusal::TooLarge => 413,
            Refusal::NotFound => 404,
            Refusal::Unavailable(_) => 503,
        }
    }

    /// A stable machine code for the answer's body.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Forbidden => "url_refused",
            Refusal::WrongType => "content_type_mismatch",
            Refusal::TooLarge => "body_too_large",
            Refusal::WrongSize => "content_length_mismatch",
            Refusal::NotFound => "not_found",
            Refusal::Unavailable(_) => "unavailable",
        }
    }
}

/// An upload whose URL was checked: what the request must still hold to.
#[derive(Debug)]
pub struct SignedUpload {
    key: String,
    content_type: String,
    size: u64,
}

impl SignedUpload {
    /// The most body to read.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Checks the request's own headers before its body is read.
    pub fn admits(&self, content_type: Option<&str>, content_length: Option<u64>) -> Result<(), Refusal> {
        if content_type != Some(self.content_type.as_str()) {
            return Err(Refusal::WrongType);
        }
        match content_length {
            Some(length) if length > self.size => Err(Refusal::TooLarge),
            Some(length) if length < self.size => Err(Refusal::WrongSize),
            _ => Ok(()),
        }
    }
}

/// What a checked download URL serves.
#[derive(Debug)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub disposition: String,
}

impl LocalBlobs {
    /// The engine on the files under `root`, signing with `secret` and judging expiry by
    /// `clock` (the application's, so that tests expire a URL by moving time).
    pub fn open(root: impl Into<PathBuf>, secret: &[u8], clock: Arc<dyn Clock>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join(PARTIAL))?;
        Ok(Self {
            root,
            secret: secret.to_vec(),
            clock,
        })
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn mac(&self, key: &str, signed: &Signed<'_>, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("hmac takes any key length");
        let (method, content_type, bound) = match signed {
            Signed::Upload { content_type, size } => ("PUT", content_type, size.to_string()),
            Signed::Download {
                content_type,
                file_name,
            } => ("GET", content_type, file_name.to_string()),
        };
        for part in ["local blob", method, key, content_type, &bound, &expires.to_string()] {
            mac.update(part.as_bytes());
            mac.update(b"\0");
        }
        mac
    }

    /// The site path of a URL for `key` signed for `signed` until `expires`.
    fn url(&self, key: &BlobKey, signed: &Signed<'_>, expires: i64) -> String {
        let signature = hex::encode(self.mac(key.as_str(), signed, expires).finalize().into_bytes());
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        match signed {
            Signed::Upload { content_type, size } => query
                .append_pair("type", content_type)
                .append_pair("size", &size.to_string()),
            Signed::Download {
                content_type,
                file_name,
            } => query.append_pair("type", content_type).append_pair("name", file_name),
        };
        query
            .append_pair("expires", &expires.to_string())
            .append_pair("signature", &signature);
        format!("{ROUTE}{key}?{}", query.finish())
    }

    /// Checks that the query signs `signed` for `key` (given the query's own expiry) and has
    /// not expired.
    fn verify(&self, key: &str, signed: &Signed<'_>, query: &HashMap<String, String>) -> Result<(), Refusal> {
        let expires: i64 = query
            .get("expires")
            .and_then(|e| e.parse().ok())
            .ok_or(Refusal::Forbidden)?;
        let signature = query
            .get("signature")
            .and_then(|s| hex::decode(s).ok())
            .ok_or(Refusal::Forbidden)?;
        self.mac(key, signed, expires)
            .verify_slice(&signature)
            .map_err(|_| Refusal::Forbidden)?;
        if self.clock.unix() > expires {
            return Err(Refusal::Forbidden);
        }
        Ok(())
    }

    /// The upload a PUT to `ROUTE{key}?{query}` may make, if its URL holds.
    pub fn signed_upload(&self, key: &str, query: Option<&str>) -> Result<SignedUpload, Refusal> {
        let query = parse(query);
        let content_type = query.get("type").ok_or(Refusal::Forbidden)?;
        let size: u64 = query
            .get("size")
            .and_then(|s| s.parse().ok())
            .ok_or(Refusal::Forbidden)?;
        self.verify(key, &Signed::Upload { content_type, size }, &query)?;
        Ok(SignedUpload {
            key: key.to_string(),
            content_type: content_type.clone(),
            size,
        })
    }

    /// Stores the body of a checked upload, which must be exactly the size signed; nothing is
    /// written otherwise.
    pub async fn receive(&self, upload: &SignedUpload, body: Vec<u8>) -> Result<(), Refusal> {
        match (body.len() as u64).cmp(&upload.size) {
            std::cmp::Ordering::Greater => return Err(Refusal::TooLarge),
            std::cmp::Ordering::Less => return Err(Refusal::WrongSize),
            std::cmp::Ordering::Equal => {}
        }
        self.write(&upload.key, &body)
            .await
            .map_err(|e| Refusal::Unavailable(e.to_string()))
    }

    /// What a GET of `ROUTE{key}?{query}` serves, if its URL holds.
    pub async fn signed_download(&self, key: &str, query: Option<&str>) -> Result<Download, Refusal> {
        let query = parse(query);
        let content_type = query.get("type").ok_or(Refusal::Forbidden)?;
        let file_name = query.get("name").ok_or(Refusal::Forbidden)?;
        self.verify(
            key,
            &Signed::Download {
                content_type,
                file_name,
            },
            &query,
        )?;
        match tokio::fs::read(self.path(key)).await {
            Ok(bytes) => Ok(Download {
                bytes,
                content_type: content_type.clone(),
                disposition: attachment(file_name),
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(Refusal::NotFound),
            Err(e) => Err(Refusal::Unavailable(e.to_string())),
        }
    }

    /// Writes a file in flight, then renames it into place: readers see the whole old file or
    /// the whole new one.
    async fn write(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let partial = self.root.join(PARTIAL).join(uuid::Uuid::new_v4().simple().to_string());
        tokio::fs::write(&partial, bytes).await?;
        if let Err(e) = tokio::fs::rename(&partial, &path).await {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e);
        }
        Ok(())
    }
}

fn parse(query: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn unavailable(error: std::io::Error) -> BlobError {
    BlobError::Unavailable(error.to_string())
}

/// How many files lie under `dir`, however deep.
fn count_files(dir: &Path) -> std::io::Result<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        count += if entry.file_type()?.is_dir() {
            count_files(&entry.path())?
        } else {
            1
        };
    }
    Ok(count)
}

#[async_trait]
impl BlobStore for LocalBlobs {
    async fn presign_upload(
        &self,
        key: &BlobKey,
        content_type: &str,
        size: u64,
        expires_in_seconds: i64,
    ) -> Result<PresignedUpload, BlobError> {
        check_lifetime(expires_in_seconds)?;
        let expires = self.clock.unix() + expires_in_seconds;
        Ok(PresignedUpload {
            method: "PUT".into(),
            url: self.url(key, &Signed::Upload { content_type, size }, expires),
            headers: BTreeMap::from([("content-type".to_string(), content_type.to_string())]),
            fields: BTreeMap::new(),
            expires_at: Timestamp(expires),
        })
    }

    async fn presign_download(
        &self,
        key: &BlobKey,
        file_name: &str,
        content_type: &str,
        expires_in_seconds: i64,
    ) -> Result<String, BlobError> {
        check_lifetime(expires_in_seconds)?;
        let expires = self.clock.unix() + expires_in_seconds;
        let signed = Signed::Download {
            content_type,
            file_name,
        };
        Ok(self.url(key, &signed, expires))
    }

    async fn get(&self, key: &BlobKey) -> Result<Option<Vec<u8>>, BlobError> {
        match tokio::fs::read(self.path(key.as_str())).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// The embedded engine keeps no metadata: a download takes its type from its signed URL,
    /// as one of S3 does from its `response-content-type`.
    async fn put(&self, key: &BlobKey, bytes: Vec<u8>, _content_type: &str) -> Result<(), BlobError> {
        self.write(key.as_str(), &bytes).await.map_err(unavailable)
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path(key.as_str())).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(unavailable(e)),
            _ => Ok(()),
        }
    }

    async fn size(&self, key: &BlobKey) -> Result<Option<u64>, BlobError> {
        match tokio::fs::metadata(self.path(key.as_str())).await {
            Ok(metadata) => Ok(Some(metadata.len())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn delete_prefix(&self, prefix: &BlobPrefix) -> Result<usize, BlobError> {
        // A prefix ends with `/`: it is a folder.
        let dir = self.path(prefix.as_str());
        tokio::task::spawn_blocking(move || match count_files(&dir) {
            Ok(count) => std::fs::remove_dir_all(&dir).map(|_| count),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        })
        .await
        .map_err(|e| BlobError::Unavailable(e.to_string()))?
        .map_err(unavailable)
    }
}
