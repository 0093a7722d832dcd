//! Checks an EMF line against the Embedded Metric Format specification and the catalog:
//! what CloudWatch would reject, or what the dashboards could never find.

use super::catalog::lookup;
use serde_json::Value;

/// What is wrong with a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid EMF line: {0}")]
pub struct EmfError(pub String);

/// Units CloudWatch accepts.
const UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

fn fail<T>(message: impl Into<String>) -> Result<T, EmfError> {
    Err(EmfError(message.into()))
}

/// One metric named by a valid line, with its value(s).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    /// The metric's name.
    pub name: String,
    /// Its values (EMF allows an array).
    pub values: Vec<f64>,
}

/// Validates one line; returns the metrics it carries.
pub fn validate_line(line: &str) -> Result<Vec<MetricValue>, EmfError> {
    let root: Value = serde_json::from_str(line).map_err(|e| EmfError(format!("not JSON: {e}")))?;
    let Some(root) = root.as_object() else {
        return fail("not a JSON object");
    };
    let Some(aws) = root.get("_aws").and_then(Value::as_object) else {
        return fail("no _aws object");
    };
    let timestamp = aws.get("Timestamp").and_then(Value::as_i64);
    if timestamp.is_none_or(|ms| ms <= 1_000_000_000_000) {
        return fail("_aws.Timestamp must be milliseconds since the epoch");
    }
    let Some(directives) = aws.get("CloudWatchMetrics").and_then(Value::as_array) else {
        return fail("_aws.CloudWatchMetrics must be an array");
    };
    let mut found = Vec::new();
    for directive in directives {
        let namespace = directive
            .get("Namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if namespace.is_empty() || namespace.len() > 1024 {
            return fail("Namespace must be 1 to 1024 characters");
        }
        let Some(dimension_sets) = directive.get("Dimensions").and_then(Value::as_array) else {
            return fail("Dimensions must be an array of arrays");
        };
        for set in dimension_sets {
            let Some(set) = set.as_array() else {
                return fail("each dimension set must be an array");
            };
            if set.len() > 30 {
                return fail("a dimension set may hold at most 30 dimensions");
            }
            for name in set {
                let Some(name) = name.as_str() else {
                    return fail("dimension names must be strings");
                };
                if !root.get(name).is_some_and(Value::is_string) {
                    return fail(format!("dimension {name} has no string value at the root"));
                }
            }
        }
        let Some(metrics) = directive.get("Metrics").and_then(Value::as_array) else {
            return fail("Metrics must be an array");
        };
        if metrics.len() > 100 {
            return fail("a directive may hold at most 100 metrics");
        }
        for metric in metrics {
            let Some(name) = metric.get("Name").and_then(Value::as_str) else {
                return fail("each metric needs a Name");
            };
            if let Some(unit) = metric.get("Unit")
                && !unit.as_str().is_some_and(|u| UNITS.contains(&u))
            {
                return fail(format!("{name}: unknown unit {unit}"));
            }
            let values = match root.get(name) {
                Some(Value::Number(n)) => vec![n.as_f64().unwrap_or_default()],
                Some(Value::Array(items))
                    if items.len() <= 100 && items.iter().all(Value::is_number) =>
                {
                    items.iter().filter_map(Value::as_f64).collect()
                }
                _ => return fail(format!("metric {name} has no numeric value at the root")),
            };
            let Some(spec) = lookup(name) else {
                return fail(format!("metric {name} is not in the catalog"));
            };
            if metric.get("Unit").and_then(Value::as_str) != Some(spec.unit.as_str()) {
                return fail(format!("{name} must have unit {}", spec.unit.as_str()));
            }
            found.push(MetricValue {
                name: name.to_owned(),
                values,
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emf::{catalog::*, record::Record};

    #[test]
    fn records_the_writer_makes_are_valid() {
        let record = Record::new(vec![
            (SERVICE, "processor".into()),
            (OUTCOME, "success".into()),
        ])
        .metric(&DELIVERY_ATTEMPTS, 1.0)
        .metric(&DELIVERY_LATENCY, 12.5)
        .property("tracking_id", "abc");
        let lines = record.to_lines("RevOps/WebhookGateway", 1_755_163_113_000);
        assert_eq!(lines.len(), 1);
        let metrics = validate_line(&lines[0]).unwrap();
        let names: Vec<_> = metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["DeliveryAttempts", "DeliveryLatency"]);
        assert_eq!(metrics[1].values, [12.5]);
    }

    #[test]
    fn what_cloudwatch_or_the_catalog_would_refuse_is_refused() {
        let good = r#"{"_aws":{"Timestamp":1755163113000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["Service"]],"Metrics":[{"Name":"ColdStarts","Unit":"Count"}]}]},"Service":"gateway","ColdStarts":1}"#;
        assert!(validate_line(good).is_ok());
        let cases = [
            (good.replace("1755163113000", "1755163113"), "Timestamp"),
            (
                good.replace(",\"Service\":\"gateway\"", ""),
                "dimension Service",
            ),
            (
                good.replace("\"ColdStarts\":1", "\"ColdStarts\":\"1\""),
                "no numeric value",
            ),
            (good.replace("ColdStarts", "Invented"), "not in the catalog"),
            (
                good.replace("\"Unit\":\"Count\"", "\"Unit\":\"Things\""),
                "unknown unit",
            ),
            (
                good.replace("\"Namespace\":\"N\"", "\"Namespace\":\"\""),
                "Namespace",
            ),
            ("[]".to_owned(), "object"),
        ];
        for (line, expected) in cases {
            let error = validate_line(&line).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{error} should mention {expected}"
            );
        }
    }
}
