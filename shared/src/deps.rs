//! Everything a handler needs, built once per cold start and passed in.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::mail::Mailer;
use crate::secrets::PasswordHasher;
use crate::store::ItemStore;
use aws_config::meta::region::ProvideRegion as _;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::SharedCredentialsProvider;
use std::sync::Arc;

pub struct Deps {
    pub store: Arc<dyn ItemStore>,
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
            mailer,
            clock,
            config,
            hasher,
        })
    }

    /// The Lambda set-up: the table and the mail sender that `store` and `mailer` make from
    /// the SDK configuration. Region and credentials come from the environment variables Lambda
    /// sets, endpoints from AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL when set (cargo
    /// lambda watch, the cold-start bench). `store` and `mailer` are function items, so that a
    /// package links only the clients its function names.
    pub async fn from_env<S, M>(store: S, mailer: M) -> Result<Self, String>
    where
        S: FnOnce(&SdkConfig) -> Result<Arc<dyn ItemStore>, String>,
        M: FnOnce(&SdkConfig) -> Result<Arc<dyn Mailer>, String>,
    {
        let config = Config::from_env()?;
        // Built field by field rather than with aws_config's loader: its default chains (profile
        // files, STS web identity and assume-role, SSO, IMDS) never apply on Lambda, which hands
        // every function its region and role credentials as environment variables, yet the
        // loader linked them (the STS client among them) into every package even with only the
        // environment providers named. What is left unset here (HTTP client, retries, timeouts,
        // sleep) each client fills in with the defaults of the behaviour version.
        let region = aws_config::environment::EnvironmentVariableRegionProvider::new()
            .region()
            .await;
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region)
            .credentials_provider(SharedCredentialsProvider::new(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            ))
            // One cache for every client made from this configuration: credentials are resolved
            // once per cold start, not once per client.
            .identity_cache(aws_config::identity::IdentityCache::lazy().build())
            .build();
        Self::new(store(&sdk)?, mailer(&sdk)?, Arc::new(SystemClock), config)
    }
}

/// The endpoint the SDK's own loader would take from the environment for `service` (as spelt
/// in AWS_ENDPOINT_URL_<SERVICE>), for the clients built without it.
pub(crate) fn endpoint_from_env(service: &str) -> Option<String> {
    std::env::var(format!("AWS_ENDPOINT_URL_{service}"))
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .ok()
        .filter(|url| !url.is_empty())
}

/// The SDK configuration for a local endpoint (DynamoDB Local, moto) or, without one, the usual
/// AWS environment. Local endpoints get a region and dummy credentials when none are set,
/// since emulators accept any signature.
pub async fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(endpoint) = endpoint {
        // Emulators on a busy machine can be slow to accept: the SDK's 3.1 s connect timeout
        // is meant for AWS, not for a JVM under load.
        loader = loader.endpoint_url(endpoint).timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(15))
                .build(),
        );
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            loader = loader.region(aws_config::Region::new("ap-northeast-1"));
        }
        if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
            loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "local",
                "local",
                None,
                None,
                "kennin-local",
            ));
        }
    }
    loader.load().await
}
