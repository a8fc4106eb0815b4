//! The AWS SDK's configuration: the one a Lambda function builds once per cold start, and the
//! one the tools and tests use for local emulators (DynamoDB Local, moto).

use aws_config::meta::region::ProvideRegion as _;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::SharedCredentialsProvider;

/// The Lambda set-up. Region and credentials come from the environment variables Lambda sets;
/// each client takes its endpoint from `endpoint_from_env`.
pub async fn lambda_config() -> SdkConfig {
    // Built field by field rather than with aws_config's loader: its default chains (profile
    // files, STS web identity and assume-role, SSO, IMDS) never apply on Lambda, which hands
    // every function its region and role credentials as environment variables, yet the
    // loader linked them (the STS client among them) into every package even with only the
    // environment providers named. What is left unset here (HTTP client, retries, timeouts,
    // sleep) each client fills in with the defaults of the behaviour version.
    let region = aws_config::environment::EnvironmentVariableRegionProvider::new()
        .region()
        .await;
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .credentials_provider(SharedCredentialsProvider::new(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        ))
        // One cache for every client made from this configuration: credentials are resolved
        // once per cold start, not once per client.
        .identity_cache(aws_config::identity::IdentityCache::lazy().build())
        .build()
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
