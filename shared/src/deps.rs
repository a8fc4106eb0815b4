//! Everything a handler needs, built once per cold start and passed in.

use crate::blobs::{self, BlobStore};
use crate::clock::Clock;
use crate::config::Config;
use crate::mail::Mailer;
use crate::secrets::PasswordHasher;
use crate::store::ItemStore;
use std::sync::Arc;

pub struct Deps {
    pub store: Arc<dyn ItemStore>,
    /// Document files: none (every call unavailable) unless set with `with_blobs`.
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
    pub hasher: PasswordHasher,
}

impl Deps {
    pub fn new(
        store: Arc<dyn ItemStore>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Self, String> {
        let hasher = PasswordHasher::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
        )?;
        Ok(Self {
            store,
            blobs: blobs::not_configured(),
            mailer,
            clock,
            config,
            hasher,
        })
    }

    /// The document files: `blobs` instead of none.
    pub fn with_blobs(self, blobs: Arc<dyn BlobStore>) -> Self {
        Self { blobs, ..self }
    }

    /// The Lambda set-up: the table, the mail sender and the document files that `store`,
    /// `mailer` and `blobs` make from the SDK configuration. Region and credentials come from
    /// the environment variables Lambda sets, endpoints from AWS_ENDPOINT_URL_<SERVICE> or
    /// AWS_ENDPOINT_URL when set (cargo lambda watch, the cold-start bench). `store`, `mailer`
    /// and `blobs` are function items, so that a package links only the clients its function
    /// names.
    #[cfg(feature = "aws")]
    pub async fn from_env<S, M, B>(store: S, mailer: M, blobs: B) -> Result<Self, String>
    where
        S: FnOnce(&aws_config::SdkConfig) -> Result<Arc<dyn ItemStore>, String>,
        M: FnOnce(&aws_config::SdkConfig) -> Result<Arc<dyn Mailer>, String>,
        B: FnOnce(&aws_config::SdkConfig) -> Result<Arc<dyn BlobStore>, String>,
    {
        let config = Config::from_env()?;
        let sdk = crate::aws::lambda_config().await;
        let deps = Self::new(store(&sdk)?, mailer(&sdk)?, Arc::new(crate::clock::SystemClock), config)?;
        Ok(deps.with_blobs(blobs(&sdk)?))
    }
}
