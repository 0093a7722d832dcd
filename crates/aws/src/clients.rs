//! The SDK clients, built once per process from the standard AWS configuration chain:
//! `AWS_REGION`, credentials (environment, profile, the Lambda role), and endpoint
//! overrides. `aws_config::defaults` honours `AWS_ENDPOINT_URL` for every service and
//! `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_S3` for one
//! (the service clients read those when built from the `SdkConfig`), which is how the
//! tests and local runs point them at an emulator.

use aws_config::{BehaviorVersion, SdkConfig};

/// The clients the adapters use.
#[derive(Debug, Clone)]
pub struct AwsClients {
    /// SQS, for [`crate::SqsQueue`].
    pub sqs: aws_sdk_sqs::Client,
    /// DynamoDB, for [`crate::DynamoStore`].
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// S3, for [`crate::S3Archive`].
    pub s3: aws_sdk_s3::Client,
    /// Lambda, for reading the deployed functions' configuration.
    pub lambda: aws_sdk_lambda::Client,
    /// The configuration the clients were built from, for the clients only an operator's
    /// command needs (X-Ray, CloudWatch Logs), which the functions do not link.
    pub config: SdkConfig,
}

impl AwsClients {
    /// Loads the configuration from the environment (region, credentials, endpoints) and
    /// builds the clients.
    pub async fn from_env() -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Self::from_sdk_config(&config)
    }

    /// As [`from_env`](Self::from_env), in `region` when one is given (an operator's
    /// `--region`), else the environment's.
    pub async fn from_env_in(region: Option<String>) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = region {
            loader = loader.region(aws_config::Region::new(region));
        }
        Self::from_sdk_config(&loader.load().await)
    }

    /// Builds the clients from a loaded configuration. When an endpoint is overridden
    /// (an emulator such as moto), S3 uses path-style addressing, since such endpoints
    /// rarely resolve `<bucket>.<host>` names.
    pub fn from_sdk_config(config: &SdkConfig) -> Self {
        let custom_s3_endpoint = config.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|url| !url.is_empty());
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(custom_s3_endpoint)
            .build();
        Self {
            sqs: aws_sdk_sqs::Client::new(config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3),
            lambda: aws_sdk_lambda::Client::new(config),
            config: config.clone(),
        }
    }
}
