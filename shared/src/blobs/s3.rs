//! The production engine: one private bucket (KENNIN_BUCKET), reached through aws-sdk-s3.
//!
//! An upload is a presigned PUT whose signature covers `Content-Type` and `Content-Length`
//! (both are in X-Amz-SignedHeaders): S3 answers 403 SignatureDoesNotMatch to a request whose
//! headers differ, so the URL is bound to its key, its type and the exact declared size, which
//! is tighter than a POST policy's content-length-range. The SDK has no presigned POST either
//! (it presigns operations, and a browser form upload is none), so a policy would mean signing
//! it by hand.

use super::{BlobError, BlobKey, BlobPrefix, BlobStore, PresignedUpload, attachment, check_lifetime};
use crate::aws::endpoint_from_env;
use crate::clock::Timestamp;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

/// The bucket of a function whose role may use it: KENNIN_BUCKET, through S3 (at
/// AWS_ENDPOINT_URL_S3 when set).
pub fn from_env(sdk: &SdkConfig) -> Result<Arc<dyn BlobStore>, String> {
    let bucket = std::env::var("KENNIN_BUCKET").map_err(|_| "KENNIN_BUCKET is not set".to_string())?;
    Ok(Arc::new(S3Blobs::new(sdk, endpoint_from_env("S3"), bucket)))
}

fn unavailable<E, R>(error: SdkError<E, R>) -> BlobError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    BlobError::Unavailable(DisplayErrorContext(error).to_string())
}

impl S3Blobs {
    /// The bucket on S3, or at `endpoint` (moto), addressed by path there: an emulator on
    /// 127.0.0.1 has no per-bucket host names.
    pub fn new(sdk: &SdkConfig, endpoint: Option<String>, bucket: impl Into<String>) -> Self {
        let mut config = aws_sdk_s3::config::Builder::from(sdk);
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        Self {
            client: Client::from_conf(config.build()),
            bucket: bucket.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Creates the bucket in the client's region (for moto and tests; template.yaml declares
    /// the real one).
    pub async fn create_bucket(&self) -> Result<(), BlobError> {
        use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        // us-east-1 is the one region S3 refuses to be named in.
        if let Some(region) = self.client.config().region().filter(|r| r.as_ref() != "us-east-1") {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region.as_ref()))
                    .build(),
            );
        }
        create.send().await.map(|_| ()).map_err(unavailable)
    }

    fn presigning(expires_in_seconds: i64) -> Result<(PresigningConfig, i64), BlobError> {
        check_lifetime(expires_in_seconds)?;
        let start = SystemTime::now();
        let config = PresigningConfig::builder()
            .start_time(start)
            .expires_in(Duration::from_secs(expires_in_seconds.unsigned_abs()))
            .build()
            .map_err(|_| BlobError::Refused("a presigned URL's lifetime out of range"))?;
        let started = start
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Ok((config, started + expires_in_seconds))
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn presign_upload(
        &self,
        key: &BlobKey,
        content_type: &str,
        size: u64,
        expires_in_seconds: i64,
    ) -> Result<PresignedUpload, BlobError> {
        let (presigning, expires_at) = Self::presigning(expires_in_seconds)?;
        let size = i64::try_from(size).map_err(|_| BlobError::Refused("a size beyond S3's"))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .content_length(size)
            .presigned(presigning)
            .await
            .map_err(unavailable)?;
        // Content-Length is signed but not handed on: the browser sends the body's own length,
        // and refuses a script that sets the header.
        let headers = request
            .headers()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect();
        Ok(PresignedUpload {
            method: request.method().to_string(),
            url: request.uri().to_string(),
            headers,
            fields: BTreeMap::new(),
            expires_at: Timestamp(expires_at),
        })
    }

    async fn presign_download(
        &self,
        key: &BlobKey,
        file_name: &str,
        content_type: &str,
        expires_in_seconds: i64,
    ) -> Result<String, BlobError> {
        let (presigning, _) = Self::presigning(expires_in_seconds)?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .response_content_disposition(attachment(file_name))
            .response_content_type(content_type)
            .presigned(presigning)
            .await
            .map_err(unavailable)?;
        Ok(request.uri().to_string())
    }

    async fn get(&self, key: &BlobKey) -> Result<Option<Vec<u8>>, BlobError> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(object) => object,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Ok(None),
            Err(e) => return Err(unavailable(e)),
        };
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    async fn put(&self, key: &BlobKey, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn size(&self, key: &BlobKey) -> Result<Option<u64>, BlobError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(head) => Ok(Some(head.content_length().unwrap_or(0).unsigned_abs())),
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Lists the prefix a page (up to 1,000 keys) at a time and deletes each page in one
    /// DeleteObjects call, S3's most per request.
    async fn delete_prefix(&self, prefix: &BlobPrefix) -> Result<usize, BlobError> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix.as_str())
            .into_paginator()
            .send();
        let mut deleted = 0;
        while let Some(page) = pages.next().await {
            let page = page.map_err(unavailable)?;
            let objects = page
                .contents()
                .iter()
                .filter_map(|object| object.key())
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| BlobError::Refused("a listed object without a key"))?;
            if objects.is_empty() {
                continue;
            }
            let count = objects.len();
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|_| BlobError::Refused("a delete of no objects"))?;
            let answer = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(unavailable)?;
            if let Some(error) = answer.errors().first() {
                return Err(BlobError::Unavailable(format!(
                    "{} of {count} objects not deleted ({})",
                    answer.errors().len(),
                    error.code().unwrap_or("no code")
                )));
            }
            deleted += count;
        }
        Ok(deleted)
    }
}
