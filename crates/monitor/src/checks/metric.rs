//! Which metrics a definition may name: those the code emits (the telemetry catalog, in
//! the configured namespace, with exactly the catalog's dimensions), and the AWS metrics
//! of the deployed resources (the functions, the queue and its DLQ, the API).

use crate::{FunctionRole, Params};
use revops_telemetry::emf::catalog::{self, CATALOG};
use std::collections::BTreeMap;

/// AWS/Lambda metrics, with the `FunctionName` dimension (or none, account-wide).
pub(crate) const LAMBDA_METRICS: &[&str] = &[
    "Invocations",
    "Errors",
    "Throttles",
    "Duration",
    "ConcurrentExecutions",
    "UnreservedConcurrentExecutions",
    "ClaimedAccountConcurrency",
    "DeadLetterErrors",
    "DestinationDeliveryFailures",
    "RecursiveInvocationsDropped",
];

/// AWS/SQS metrics, with the `QueueName` dimension.
pub(crate) const SQS_METRICS: &[&str] = &[
    "ApproximateNumberOfMessagesVisible",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateAgeOfOldestMessage",
    "NumberOfMessagesSent",
    "NumberOfMessagesReceived",
    "NumberOfMessagesDeleted",
    "NumberOfEmptyReceives",
    "SentMessageSize",
];

/// AWS/ApiGateway metrics, with `ApiName` (and optionally `Stage`, `Method`, `Resource`).
pub(crate) const API_GATEWAY_METRICS: &[&str] = &[
    "4XXError",
    "5XXError",
    "Count",
    "Latency",
    "IntegrationLatency",
    "CacheHitCount",
    "CacheMissCount",
];

const API_GATEWAY_DIMENSIONS: &[&str] = &["ApiName", "ApiId", "Stage", "Method", "Resource"];

/// Which part of a metric a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetricPart {
    /// The namespace.
    Namespace,
    /// The metric's name.
    Name,
    /// The dimensions.
    Dimensions,
}

impl MetricPart {
    /// The field's name in a definition.
    pub(crate) fn field(self) -> &'static str {
        match self {
            MetricPart::Namespace => "namespace",
            MetricPart::Name => "name",
            MetricPart::Dimensions => "dimensions",
        }
    }
}

/// Checks that `name` in `namespace` with `dimensions` is a metric that exists: one the
/// code emits or one AWS publishes for the deployed resources.
pub(crate) fn check_metric(
    namespace: &str,
    name: &str,
    dimensions: &BTreeMap<String, String>,
    params: &Params,
) -> Result<(), (MetricPart, String)> {
    let in_name = |e: String| (MetricPart::Name, e);
    let in_dimensions = |e: String| (MetricPart::Dimensions, e);
    if namespace == params.namespace {
        return check_catalog_metric(name, dimensions);
    }
    match namespace {
        "AWS/Lambda" => {
            known(name, LAMBDA_METRICS, namespace).map_err(in_name)?;
            if dimensions.is_empty() {
                return Ok(());
            }
            let deployed: Vec<&str> = FunctionRole::ALL
                .iter()
                .map(|role| params.function_name(*role))
                .collect();
            only_dimension(dimensions, "FunctionName", &deployed, "a deployed function")
                .map_err(in_dimensions)
        }
        "AWS/SQS" => {
            known(name, SQS_METRICS, namespace).map_err(in_name)?;
            let queues = [params.queue.as_str(), params.dlq.as_str()];
            only_dimension(dimensions, "QueueName", &queues, "the queue or its DLQ")
                .map_err(in_dimensions)
        }
        "AWS/ApiGateway" => {
            known(name, API_GATEWAY_METRICS, namespace).map_err(in_name)?;
            match dimensions
                .keys()
                .find(|key| !API_GATEWAY_DIMENSIONS.contains(&key.as_str()))
            {
                Some(key) => Err(in_dimensions(format!(
                    "AWS/ApiGateway has no dimension `{key}`; use {}",
                    API_GATEWAY_DIMENSIONS.join(", ")
                ))),
                None => Ok(()),
            }
        }
        other => Err((
            MetricPart::Namespace,
            format!(
                "namespace `{other}` is neither the code's (`{}`, set by --namespace) nor \
                 AWS/Lambda, AWS/SQS or AWS/ApiGateway",
                params.namespace
            ),
        )),
    }
}

fn check_catalog_metric(
    name: &str,
    dimensions: &BTreeMap<String, String>,
) -> Result<(), (MetricPart, String)> {
    let Some(spec) = catalog::lookup(name) else {
        let names: Vec<&str> = CATALOG.iter().map(|spec| spec.name).collect();
        return Err((
            MetricPart::Name,
            format!(
                "`{name}` is not a metric the code emits (telemetry catalog: {})",
                names.join(", ")
            ),
        ));
    };
    let mut expected: Vec<&str> = spec.dimensions.to_vec();
    expected.sort_unstable();
    let given: Vec<&str> = dimensions.keys().map(String::as_str).collect();
    if given != expected {
        return Err((
            MetricPart::Dimensions,
            format!(
                "`{name}` is emitted with the dimensions [{}], so it needs exactly those, not [{}]",
                expected.join(", "),
                given.join(", ")
            ),
        ));
    }
    if let Some(service) = dimensions.get(catalog::SERVICE) {
        let services: Vec<&str> = FunctionRole::ALL.iter().map(|role| role.key()).collect();
        if !services.contains(&service.as_str()) {
            return Err((
                MetricPart::Dimensions,
                format!(
                    "Service `{service}` emits nothing; the services are {}",
                    services.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn known(name: &str, names: &[&str], namespace: &str) -> Result<(), String> {
    if names.contains(&name) {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a {namespace} metric used here; use one of {}",
            names.join(", ")
        ))
    }
}

fn only_dimension(
    dimensions: &BTreeMap<String, String>,
    key: &str,
    allowed: &[&str],
    what: &str,
) -> Result<(), String> {
    let mut entries = dimensions.iter();
    match (entries.next(), entries.next()) {
        (Some((name, value)), None) if name == key => {
            if allowed.contains(&value.as_str()) {
                Ok(())
            } else {
                Err(format!(
                    "{key} `{value}` is not {what} ({}); set the names with the command's flags",
                    allowed.join(", ")
                ))
            }
        }
        _ => Err(format!("needs exactly one dimension, {key}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn catalog_and_deployed_aws_metrics_pass_and_others_fail() {
        let params = Params::default();
        let ns = params.namespace.clone();
        let service = dims(&[("Service", "processor")]);
        assert!(check_metric(&ns, "EndToEndLatency", &service, &params).is_ok());
        let (part, error) = check_metric(&ns, "EndToEndLatencyMs", &service, &params).unwrap_err();
        assert_eq!(part, MetricPart::Name);
        assert!(error.contains("not a metric the code emits"), "{error}");
        let (part, error) = check_metric(&ns, "Deliveries", &service, &params).unwrap_err();
        assert_eq!(part, MetricPart::Dimensions);
        assert!(error.contains("Outcome"), "{error}");
        let function = dims(&[("FunctionName", "revops-webhook")]);
        assert!(check_metric("AWS/Lambda", "Errors", &function, &params).is_ok());
        let other = dims(&[("FunctionName", "someone-else")]);
        assert!(check_metric("AWS/Lambda", "Errors", &other, &params).is_err());
        let dlq = dims(&[("QueueName", "prod-revops-webhook-outbound-dlq")]);
        assert!(
            check_metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                &dlq,
                &params
            )
            .is_ok()
        );
        assert!(check_metric("AWS/EC2", "CPUUtilization", &dims(&[]), &params).is_err());
    }
}
