//! The processor's events: a message received, the agent's answer (or none), a message
//! dead-lettered, a request replayed.

use super::{AgentOutcome, Event, ms, span_attribute};
use crate::{Telemetry, emf::catalog::*};
use std::time::Duration;

/// A worker took a message from the queue.
#[derive(Debug, Clone)]
pub struct MessageReceived<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// How long it waited in the queue.
    pub queue_wait: Duration,
    /// How many times it has been received.
    pub receive_count: u32,
    /// The queue's `messaging.system` (`aws_sqs` on AWS).
    pub messaging_system: &'a str,
}

impl Event for MessageReceived<'_> {
    const NAME: &'static str = "MessageReceived";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::debug!(
            tracking_id = self.tracking_id,
            receive_count = self.receive_count,
            queue_wait_ms = ms(self.queue_wait),
            "message received"
        );
        // OpenTelemetry names the count for SQS only; every queue gets the project's own.
        if self.messaging_system == "aws_sqs" {
            span_attribute(
                "messaging.aws_sqs.receive_count",
                i64::from(self.receive_count),
            );
        }
        span_attribute("revops.receive_count", i64::from(self.receive_count));
        let record = telemetry
            .record(&[])
            .metric(&QUEUE_WAIT, ms(self.queue_wait));
        telemetry.write(record, Some(self.tracking_id));
    }
}

/// The agent was asked (with retries) and answered, or not.
#[derive(Debug, Clone)]
pub struct AgentCallFinished<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// Calls made.
    pub attempts: u32,
    /// How the call ended.
    pub outcome: AgentOutcome,
    /// Time taken, retries included.
    pub latency: Duration,
    /// The last error, if it did not answer.
    pub error: Option<&'a str>,
    /// The tokens the agent's models read and wrote, when it said.
    pub tokens: Option<(u64, u64)>,
    /// The agents that took part, the orchestrator first.
    pub agents_used: &'a [String],
}

impl Event for AgentCallFinished<'_> {
    const NAME: &'static str = "AgentCallFinished";

    fn emit(&self, telemetry: &Telemetry) {
        match self.error {
            None => tracing::info!(
                tracking_id = self.tracking_id,
                attempts = self.attempts,
                latency_ms = ms(self.latency),
                "agent answered"
            ),
            Some(error) => tracing::warn!(
                tracking_id = self.tracking_id,
                attempts = self.attempts,
                outcome = self.outcome.as_str(),
                error,
                "agent gave no answer"
            ),
        }
        span_attribute("revops.agent.attempts", i64::from(self.attempts));
        span_attribute("revops.agent.outcome", self.outcome.as_str());
        let latency = telemetry
            .record(&[(OUTCOME, self.outcome.as_str())])
            .metric(&AGENT_LATENCY, ms(self.latency));
        telemetry.write(latency, Some(self.tracking_id));
        let retries = telemetry
            .record(&[])
            .metric(&AGENT_RETRIES, f64::from(self.attempts.saturating_sub(1)));
        telemetry.write(retries, Some(self.tracking_id));
        if !self.agents_used.is_empty() {
            span_attribute("revops.agent.agents_used", self.agents_used.join(","));
        }
        if let Some((input, output)) = self.tokens {
            #[allow(clippy::cast_precision_loss, reason = "token counts fit an f64")]
            let record = telemetry
                .record(&[])
                .metric(&AGENT_INPUT_TOKENS, input as f64)
                .metric(&AGENT_OUTPUT_TOKENS, output as f64);
            telemetry.write(record, Some(self.tracking_id));
        }
    }
}

/// A message was dead-lettered: received too often, or the agent did not answer by its
/// last receive.
#[derive(Debug, Clone)]
pub struct MessageDeadLettered<'a> {
    /// The request's tracking id, if the message could be read.
    pub tracking_id: Option<&'a str>,
}

impl Event for MessageDeadLettered<'_> {
    const NAME: &'static str = "MessageDeadLettered";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::error!(
            tracking_id = self.tracking_id,
            "message received too many times; dead-lettered"
        );
        let record = telemetry.record(&[]).metric(&MESSAGES_DEAD_LETTERED, 1.0);
        telemetry.write(record, self.tracking_id);
    }
}

/// A worker took up a replayed request: put back by `revops dlq replay` or `revops
/// redeliver`, or redriven from the dead-letter queue.
#[derive(Debug, Clone)]
pub struct MessageReplayed<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// Who or what put it back.
    pub by: &'a str,
}

impl Event for MessageReplayed<'_> {
    const NAME: &'static str = "MessageReplayed";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(
            tracking_id = self.tracking_id,
            replayed_by = self.by,
            "replayed request taken up"
        );
        let record = telemetry.record(&[]).metric(&MESSAGES_REPLAYED, 1.0);
        telemetry.write(record, Some(self.tracking_id));
    }
}
