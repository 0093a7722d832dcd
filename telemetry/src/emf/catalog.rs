//! The catalog: every metric the code emits, with its unit and dimensions. Events can
//! only name metrics from here; dashboards and alarms are checked against it; a test
//! fails when an EMF line names anything else.

/// A metric's unit, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count of things.
    Count,
    /// A duration in milliseconds.
    Milliseconds,
}

impl Unit {
    /// CloudWatch's name for the unit.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// The dimension naming the handler: `gateway`, `processor` or `agent-wrapper`.
pub const SERVICE: &str = "Service";
/// The dimension naming an outcome (`success`, `retrying`, `failed`, `dead_lettered`, …).
pub const OUTCOME: &str = "Outcome";
/// The dimension naming why a request was rejected (`invalid_fields`, …).
pub const REASON: &str = "Reason";

/// One metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSpec {
    /// Its name.
    pub name: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// Its dimension names, in order.
    pub dimensions: &'static [&'static str],
    /// What it measures.
    pub description: &'static str,
}

macro_rules! metrics {
    ($($konst:ident = $name:literal, $unit:ident, [$($dim:ident),*], $description:literal;)*) => {
        $(
            #[doc = $description]
            pub const $konst: MetricSpec = MetricSpec {
                name: $name,
                unit: Unit::$unit,
                dimensions: &[$($dim),*],
                description: $description,
            };
        )*
        /// Every metric the code emits.
        pub const CATALOG: &[MetricSpec] = &[$($konst),*];
    };
}

metrics! {
    REQUESTS_ACCEPTED = "RequestsAccepted", Count, [SERVICE], "Requests answered 202: durably queued.";
    REQUESTS_REJECTED = "RequestsRejected", Count, [SERVICE, REASON], "Requests answered 4xx or 503, by reason.";
    GATEWAY_LATENCY = "GatewayLatency", Milliseconds, [SERVICE], "Time from a request's arrival to the gateway's answer.";
    QUEUE_WAIT = "QueueWait", Milliseconds, [SERVICE], "Time a message waited in the queue before a worker took it.";
    AGENT_LATENCY = "AgentLatency", Milliseconds, [SERVICE, OUTCOME], "Time to get the agent's answer, retries included, by outcome.";
    AGENT_RETRIES = "AgentRetries", Count, [SERVICE], "Agent calls beyond the first for one question.";
    AGENT_INPUT_TOKENS = "AgentInputTokens", Count, [SERVICE], "Tokens the agents' models read for one answer, every step included.";
    AGENT_OUTPUT_TOKENS = "AgentOutputTokens", Count, [SERVICE], "Tokens the agents' models wrote for one answer, every step included.";
    DELIVERY_ATTEMPTS = "DeliveryAttempts", Count, [SERVICE, OUTCOME], "Delivery attempts, by outcome: success, retrying, failed, dead_lettered.";
    DELIVERY_LATENCY = "DeliveryLatency", Milliseconds, [SERVICE, OUTCOME], "Time one delivery attempt took, by outcome.";
    DELIVERY_RETRIES = "DeliveryRetries", Count, [SERVICE], "Attempts beyond the first for one finished delivery.";
    DELIVERIES = "Deliveries", Count, [SERVICE, OUTCOME], "Finished deliveries, by outcome: delivered, failed, dead_lettered.";
    END_TO_END_LATENCY = "EndToEndLatency", Milliseconds, [SERVICE], "The SLA metric: from queued_at to the receiver's 2xx.";
    MESSAGES_DEAD_LETTERED = "MessagesDeadLettered", Count, [SERVICE], "Messages dead-lettered: received too many times, or the agent still silent on the last receive.";
    MESSAGES_REPLAYED = "MessagesReplayed", Count, [SERVICE], "Requests put back on the queue from the dead letters or after failing (revops dlq replay, revops redeliver, a redrive of the dead-letter queue).";
    RECEIVER_CIRCUITS_OPENED = "ReceiverCircuitsOpened", Count, [SERVICE], "Receiver circuits that opened (or opened again after a failed probe).";
    RECEIVER_CIRCUITS_CLOSED = "ReceiverCircuitsClosed", Count, [SERVICE], "Receiver circuits that closed: a probe was delivered.";
    DELIVERIES_SHORT_CIRCUITED = "DeliveriesShortCircuited", Count, [SERVICE], "Deliveries that waited on an open receiver circuit instead of an attempt.";
    COLD_STARTS = "ColdStarts", Count, [SERVICE], "Lambda cold starts (process starts).";
    SPANS_DROPPED = "SpansDropped", Count, [SERVICE], "Spans the X-Ray UDP exporter could not send: too large for a datagram, or the send failed.";
}

/// The catalog entry named `name`.
pub fn lookup(name: &str) -> Option<&'static MetricSpec> {
    CATALOG.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_the_sla_metric_is_there() {
        let names: HashSet<_> = CATALOG.iter().map(|m| m.name).collect();
        assert_eq!(names.len(), CATALOG.len());
        let sla = lookup("EndToEndLatency").unwrap();
        assert_eq!(sla.unit, Unit::Milliseconds);
        assert!(lookup("NoSuchMetric").is_none());
    }
}
