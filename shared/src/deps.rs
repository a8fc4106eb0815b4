//! Everything a handler needs, built once per cold start and passed in.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::mail::{Mailer, outbox::Outbox, ses::SesMailer};
use crate::secrets::PasswordHasher;
use crate::store::{ItemStore, dynamodb::DynamoStore};
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

    /// The Lambda set-up: DynamoDB table KENNIN_TABLE; mail through SES from KENNIN_MAIL_FROM
    /// (optionally KENNIN_SES_CONFIGURATION_SET), or into the folder KENNIN_OUTBOX_DIR when
    /// that is set (for `cargo lambda watch`). The SDK reads endpoints, region and
    /// credentials from the usual AWS environment, AWS_ENDPOINT_URL_* included.
    pub async fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        let config = Config::from_env()?;
        // Lambda hands every function its region and role credentials as environment variables.
        // The default chains' other providers (profile files, STS web identity and assume-role,
        // ECS, IMDS) never apply there, and naming only the environment providers lets the
        // linker drop them, the STS client among them, from every package.
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::environment::EnvironmentVariableRegionProvider::new())
            .credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new())
            .load()
            .await;
        let store: Arc<dyn ItemStore> = Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            var("KENNIN_TABLE")?,
        ));
        let mailer: Arc<dyn Mailer> = match std::env::var("KENNIN_OUTBOX_DIR") {
            Ok(dir) => Arc::new(Outbox::new(dir, var("KENNIN_MAIL_FROM")?)),
            Err(_) => Arc::new(SesMailer::new(
                aws_sdk_sesv2::Client::new(&sdk),
                var("KENNIN_MAIL_FROM")?,
                std::env::var("KENNIN_SES_CONFIGURATION_SET")
                    .ok()
                    .filter(|s| !s.is_empty()),
            )),
        };
        Self::new(store, mailer, Arc::new(SystemClock), config)
    }
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
