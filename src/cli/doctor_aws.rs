//! `revops doctor`'s checks of the deployed AWS host: the request queue's backlog, its
//! visibility timeout against the processor's timeout (AWS's guidance for an SQS event
//! source: at least six times), its redrive count against the processor's
//! `REVOPS_MAX_RECEIVES` (the processor dead-letters on that receive, with the reason;
//! SQS moving a message first loses the reason and leaves its record unmarked), and
//! X-Ray tracing on each function.

use super::{
    doctor::{Check, State},
    operator::FunctionNames,
};
use aws_sdk_sqs::types::QueueAttributeName;
use revops_aws::{AwsClients, describe_error};
use std::collections::HashMap;

/// What the checks read of the deployment.
pub struct Deployed<'a> {
    /// The SDK clients.
    pub clients: &'a AwsClients,
    /// The request queue's URL.
    pub queue_url: &'a str,
    /// The stage, which names the gateway function by default.
    pub stage: &'a str,
    /// The functions.
    pub functions: &'a FunctionNames,
}

/// The checks of the deployment, and the processor's timeout in seconds when it could
/// be read (the alarms' parameters need it too).
pub async fn checks(deployed: &Deployed<'_>) -> (Vec<Check>, Option<u32>) {
    let lambda = &deployed.clients.lambda;
    let mut checks = Vec::new();
    let queue = match deployed
        .clients
        .sqs
        .get_queue_attributes()
        .queue_url(deployed.queue_url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
    {
        Ok(answer) => answer.attributes.unwrap_or_default(),
        Err(error) => {
            checks.push(Check::new(
                "queue",
                State::Fail,
                describe_error("GetQueueAttributes", &error),
            ));
            return (checks, None);
        }
    };
    let number = |name: QueueAttributeName| -> Option<u64> {
        queue.get(&name).and_then(|value| value.parse().ok())
    };
    checks.push(Check::new(
        "queue",
        State::Ok,
        format!(
            "{} waiting, {} in flight (the oldest message's age is the queue-oldest-message-age alarm's)",
            number(QueueAttributeName::ApproximateNumberOfMessages).unwrap_or(0),
            number(QueueAttributeName::ApproximateNumberOfMessagesNotVisible).unwrap_or(0)
        ),
    ));
    let processor = deployed.functions.processor();
    let configuration = match lambda
        .get_function_configuration()
        .function_name(processor)
        .send()
        .await
    {
        Ok(configuration) => configuration,
        Err(error) => {
            checks.push(Check::new(
                "processor",
                State::Fail,
                format!(
                    "{} (name it with --processor-function)",
                    describe_error("GetFunctionConfiguration", &error)
                ),
            ));
            return (checks, None);
        }
    };
    let processor_timeout = configuration
        .timeout()
        .and_then(|seconds| u32::try_from(seconds).ok());
    let timeout = u64::from(processor_timeout.unwrap_or(3));
    let visibility = number(QueueAttributeName::VisibilityTimeout).unwrap_or(30);
    checks.push(visibility_check(visibility, timeout));
    let environment: HashMap<String, String> = configuration
        .environment()
        .and_then(|environment| environment.variables())
        .cloned()
        .unwrap_or_default();
    let max_receives: u64 = environment
        .get("REVOPS_MAX_RECEIVES")
        .and_then(|value| value.parse().ok())
        .unwrap_or(30);
    let redrive = queue
        .get(&QueueAttributeName::RedrivePolicy)
        .and_then(|policy| serde_json::from_str::<serde_json::Value>(policy).ok())
        .and_then(|policy| match &policy["maxReceiveCount"] {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        });
    checks.push(redrive_check(redrive, max_receives));
    for name in deployed.functions.all(deployed.stage) {
        let tracing = lambda
            .get_function_configuration()
            .function_name(&name)
            .send()
            .await
            .map(|c| c.tracing_config().and_then(|t| t.mode()).cloned());
        checks.push(match tracing {
            Ok(Some(mode)) if mode.as_str() == "Active" => {
                Check::new("x-ray tracing", State::Ok, format!("{name}: active"))
            }
            Ok(mode) => Check::new(
                "x-ray tracing",
                State::Warn,
                format!(
                    "{name}: {}; its spans do not reach X-Ray (the SAM template sets Tracing: Active)",
                    mode.map_or("off".to_owned(), |m| m.as_str().to_lowercase())
                ),
            ),
            Err(error) => Check::new(
                "x-ray tracing",
                State::Warn,
                describe_error("GetFunctionConfiguration", &error),
            ),
        });
    }
    (checks, processor_timeout)
}

/// The queue's visibility timeout against the processor's timeout.
fn visibility_check(visibility: u64, timeout: u64) -> Check {
    let detail = format!("visibility timeout {visibility} s, processor timeout {timeout} s");
    if visibility < timeout {
        Check::new(
            "visibility timeout",
            State::Fail,
            format!(
                "{detail}: a message comes back while the processor still works on it; set it to at least 6 × the timeout"
            ),
        )
    } else if visibility < 6 * timeout {
        Check::new(
            "visibility timeout",
            State::Warn,
            format!("{detail}: AWS asks for at least 6 × the function timeout"),
        )
    } else {
        Check::new("visibility timeout", State::Ok, detail)
    }
}

/// The queue's redrive count against the processor's `REVOPS_MAX_RECEIVES`.
fn redrive_check(redrive: Option<u64>, max_receives: u64) -> Check {
    match redrive {
        None => Check::new(
            "redrive",
            State::Fail,
            "the queue has no redrive policy: a message that never finishes is received for ever",
        ),
        Some(count) if count < max_receives => Check::new(
            "redrive",
            State::Fail,
            format!(
                "maxReceiveCount {count} is below the processor's REVOPS_MAX_RECEIVES {max_receives}: SQS moves messages before the processor dead-letters them with their reason; set both alike (SAM parameter MaxReceives)"
            ),
        ),
        Some(count) if count > max_receives => Check::new(
            "redrive",
            State::Warn,
            format!(
                "maxReceiveCount {count} is above REVOPS_MAX_RECEIVES {max_receives}: harmless, but set both alike"
            ),
        ),
        Some(count) => Check::new(
            "redrive",
            State::Ok,
            format!("maxReceiveCount {count}, as REVOPS_MAX_RECEIVES"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visibility_timeout_is_judged_against_the_function_timeout() {
        assert_eq!(visibility_check(30, 900).state, State::Fail);
        assert_eq!(visibility_check(900, 900).state, State::Warn);
        assert_eq!(visibility_check(5400, 900).state, State::Ok);
    }

    #[test]
    fn the_redrive_count_is_judged_against_the_receive_limit() {
        assert_eq!(redrive_check(None, 30).state, State::Fail);
        assert_eq!(redrive_check(Some(5), 30).state, State::Fail);
        assert_eq!(redrive_check(Some(40), 30).state, State::Warn);
        assert_eq!(redrive_check(Some(30), 30).state, State::Ok);
    }
}
