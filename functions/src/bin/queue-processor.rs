//! `queue-processor` (deployed as `revops-webhook`): SQS batches through the processor
//! ([`revops_functions::processor`]), answering with `batchItemFailures`.

use revops_core::config::Env;
use revops_functions::{processor::QueueProcessor, runtime::serve, telemetry::LambdaTelemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let telemetry = LambdaTelemetry::init("processor")?;
    serve(QueueProcessor::from_env(&Env::process(), telemetry).await?).await
}
