//! The AWS host's cost of a million questions, from what the warm benchmark measured and
//! the calls each delivered request makes (`infrastructure/calls-per-request.json`,
//! which `functions/tests/lambda/aws_calls.rs` holds the binaries to), at us-east-1 list
//! prices kept here as data, each with where and when it was read. The agent's own time and Bedrock are left out:
//! the stand-in answers at once, and Bedrock bills the agent's model tokens.

/// The calls one delivered request makes, as the binaries make them.
const CALLS_PER_REQUEST: &str = include_str!("../../../../infrastructure/calls-per-request.json");

/// The calls one delivered request makes, from [`CALLS_PER_REQUEST`].
pub struct Calls {
    put_item: f64,
    update_item: f64,
    get_item: f64,
    send_message: f64,
    delete_message: f64,
    s3_put: f64,
    lambda_invoke: f64,
}

impl Calls {
    /// Reads them; an operation the file does not name counts zero.
    pub fn per_request() -> anyhow::Result<Self> {
        let model: serde_json::Value = serde_json::from_str(CALLS_PER_REQUEST)?;
        let count = |part: &str, call: &str| {
            let value = if part.is_empty() {
                &model[call]
            } else {
                &model[part][call]
            };
            value.as_f64().unwrap_or(0.0)
        };
        Ok(Self {
            put_item: count("gateway", "DynamoDB PutItem"),
            send_message: count("gateway", "SQS SendMessage"),
            get_item: count("processor", "DynamoDB GetItem"),
            update_item: count("processor", "DynamoDB UpdateItem"),
            s3_put: count("processor", "S3 PUT"),
            delete_message: count("processor", "SQS DeleteMessage"),
            lambda_invoke: count("", "Lambda Invoke"),
        })
    }
}

/// One price.
pub struct Price {
    /// The service.
    pub service: &'static str,
    /// In US dollars, per `unit`.
    pub usd: f64,
    /// What it is charged on.
    pub unit: &'static str,
    /// Where it was read, and when.
    pub source: &'static str,
}

/// API Gateway REST API (the template's `AWS::Serverless::Api`, as the seeds deploy), first
/// 333 million requests a month.
pub const REST_API_REQUEST: Price = Price {
    service: "API Gateway REST API",
    usd: 3.50e-6,
    unit: "request",
    source: "AWS whitepaper 'Best Practices for API Gateway Private APIs', table 4; awsforengineers.com, 2025-05-19",
};
/// Lambda, per invocation.
pub const LAMBDA_REQUEST: Price = Price {
    service: "Lambda requests",
    usd: 0.20e-6,
    unit: "invocation",
    source: "aws.amazon.com/lambda/pricing as quoted by cloudchipr.com (2024 guide)",
};
/// Lambda duration on arm64, first 7.5 billion GB-s a month.
pub const LAMBDA_GB_S_ARM64: Price = Price {
    service: "Lambda duration, arm64",
    usd: 0.000_013_333_4,
    unit: "GB-second (arm64)",
    source: "aws.amazon.com/lambda/pricing as quoted by cloudchipr.com (2024 guide)",
};
/// Lambda duration on x86_64, first 6 billion GB-s a month.
pub const LAMBDA_GB_S_X86_64: Price = Price {
    service: "Lambda duration, x86_64",
    usd: 0.000_016_666_7,
    unit: "GB-second (x86_64)",
    source: "aws.amazon.com/lambda/pricing as quoted by cloudchipr.com (2024 guide)",
};
/// SQS standard queue, per request (each 64 KB of payload is one).
pub const SQS_REQUEST: Price = Price {
    service: "SQS standard queue",
    usd: 0.40e-6,
    unit: "request",
    source: "cloudburn.io, 'Amazon SQS Pricing', prices as of 2026-03",
};
/// DynamoDB on-demand write request unit (1 KB), after the 2024-11-01 cut.
pub const DYNAMODB_WRU: Price = Price {
    service: "DynamoDB on-demand writes",
    usd: 0.625e-6,
    unit: "write request unit",
    source: "airbyte.com, 'DynamoDB pricing', 2025-07-21",
};
/// DynamoDB on-demand read request unit (a consistent read of up to 4 KB).
pub const DYNAMODB_RRU: Price = Price {
    service: "DynamoDB on-demand reads",
    usd: 0.125e-6,
    unit: "read request unit",
    source: "airbyte.com, 'DynamoDB pricing', 2025-07-21",
};
/// S3 Standard PUT.
pub const S3_PUT: Price = Price {
    service: "S3 Standard PUT",
    usd: 0.005e-3,
    unit: "PUT",
    source: "aws.amazon.com/s3/pricing (us-east-1 S3 Standard) as we knew it on 2026-12-07; no dated copy found to cite",
};
/// CloudWatch Logs ingestion, standard class.
pub const LOGS_GB: Price = Price {
    service: "CloudWatch Logs ingestion",
    usd: 0.50,
    unit: "GB ingested",
    source: "c3x.dev, 'CloudWatch Logs cost optimization', us-east-1 prices of 2026-06",
};

/// Every price the model uses.
pub const PRICES: [&Price; 9] = [
    &REST_API_REQUEST,
    &LAMBDA_REQUEST,
    &LAMBDA_GB_S_ARM64,
    &LAMBDA_GB_S_X86_64,
    &SQS_REQUEST,
    &DYNAMODB_WRU,
    &DYNAMODB_RRU,
    &S3_PUT,
    &LOGS_GB,
];

/// The bytes of Lambda's own lines for one invocation (`platform.start` and
/// `platform.report` in JSON log format): an estimate, not measured here.
pub const PLATFORM_LOG_BYTES: f64 = 700.0;

/// What the warm benchmark measured of one implementation's three functions (the
/// gateway, the processor, the wrapper, in that order).
#[derive(Debug, Clone)]
pub struct Figures {
    /// Mean billed duration of each on a whole core, in ms.
    pub billed_ms: [f64; 3],
    /// Mean CPU time of each invocation, in ms.
    pub cpu_ms: [f64; 3],
    /// EMF bytes each writes per invocation (standard output).
    pub emf_bytes: [f64; 3],
    /// Log bytes each writes per invocation (standard error).
    pub log_bytes: [f64; 3],
    /// Span bytes per request (what Transaction Search ingests).
    pub span_bytes: f64,
    /// The tracking record's size after the gateway wrote it and after delivery.
    pub record_bytes: [f64; 2],
}

/// Measured figures, and how the functions are deployed.
pub struct Measured {
    /// Memory of the gateway, the processor and the wrapper, in MB.
    pub memory_mb: [f64; 3],
    /// The duration price of their architecture.
    pub gb_second: &'static Price,
    /// What was measured.
    pub figures: Figures,
}

impl Measured {
    /// The billed duration of function `i` projected at its memory ([`projected_ms`]).
    pub fn projected_ms(&self, i: usize) -> f64 {
        projected_ms(
            self.figures.billed_ms[i],
            self.figures.cpu_ms[i],
            self.memory_mb[i],
        )
    }
}

/// The memory at which Lambda gives a function the equivalent of one vCPU; below it, a
/// proportional share.
pub const ONE_VCPU_MB: f64 = 1769.0;

/// The duration of an invocation measured on a whole core (`billed_ms`, of which `cpu_ms`
/// on the CPU) at `memory_mb` on Lambda: the waiting stays, the CPU time stretches by the
/// share of a vCPU that memory buys.
pub fn projected_ms(billed_ms: f64, cpu_ms: f64, memory_mb: f64) -> f64 {
    let cpu = cpu_ms.min(billed_ms);
    (billed_ms - cpu + cpu * (ONE_VCPU_MB / memory_mb).max(1.0)).ceil()
}

/// One line of the model: what, how many per request, and the cost of a million requests.
pub struct Line {
    /// The service and what is counted.
    pub item: String,
    /// Units per request.
    pub per_request: f64,
    /// US dollars per million requests.
    pub usd_per_million: f64,
}

fn line(item: impl Into<String>, per_request: f64, price: &Price) -> Line {
    Line {
        item: item.into(),
        per_request,
        usd_per_million: per_request * price.usd * 1e6,
    }
}

/// The model's lines for one implementation making `calls`.
pub fn lines(m: &Measured, calls: &Calls) -> Vec<Line> {
    let gb_seconds: f64 = (0..3)
        .map(|i| m.memory_mb[i] / 1024.0 * m.projected_ms(i) / 1000.0)
        .sum();
    let write_units = |bytes: f64| (bytes / 1024.0).ceil().max(1.0);
    // The PutItem writes the accepted record; each UpdateItem is charged on the larger of
    // the item before and after it, at most the delivered record. The GetItems read
    // small items consistently: one read unit each.
    let wru = calls.put_item * write_units(m.figures.record_bytes[0])
        + calls.update_item * write_units(m.figures.record_bytes[1]);
    // The gateway and the processor, and the wrapper once per invoke.
    let invocations = 2.0 + calls.lambda_invoke;
    // Lambda's poller receives each message once (batches of one: the most).
    let sqs = calls.send_message + 1.0 + calls.delete_message;
    let log_gb = (m.figures.log_bytes.iter().sum::<f64>() + 3.0 * PLATFORM_LOG_BYTES) / 1e9;
    let emf_gb = m.figures.emf_bytes.iter().sum::<f64>() / 1e9;
    vec![
        line("API Gateway REST API requests", 1.0, &REST_API_REQUEST),
        line(
            "Lambda invocations (gateway, processor, wrapper)",
            invocations,
            &LAMBDA_REQUEST,
        ),
        line(
            "Lambda GB-seconds (CPU time stretched to the memory's vCPU share)",
            gb_seconds,
            m.gb_second,
        ),
        line("SQS requests (send, receive, delete)", sqs, &SQS_REQUEST),
        line(
            "DynamoDB write units (PutItem, UpdateItem)",
            wru,
            &DYNAMODB_WRU,
        ),
        line(
            "DynamoDB read units (consistent GetItem)",
            calls.get_item,
            &DYNAMODB_RRU,
        ),
        line("S3 PUT (the conversation)", calls.s3_put, &S3_PUT),
        line(
            "CloudWatch Logs GB (log lines, Lambda's own)",
            log_gb,
            &LOGS_GB,
        ),
        line("CloudWatch Logs GB (EMF metrics)", emf_gb, &LOGS_GB),
        line(
            "spans GB (Transaction Search, at the logs price)",
            m.figures.span_bytes / 1e9,
            &LOGS_GB,
        ),
    ]
}

/// What each second of the agent's answer adds to a million requests: the processor and
/// the wrapper both wait for it, billed at their memory.
pub fn agent_second_per_million(m: &Measured) -> f64 {
    (m.memory_mb[1] + m.memory_mb[2]) / 1024.0 * m.gb_second.usd * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured() -> Measured {
        Measured {
            memory_mb: [256.0, 256.0, 512.0],
            gb_second: &LAMBDA_GB_S_ARM64,
            figures: Figures {
                billed_ms: [10.0, 40.0, 5.0],
                cpu_ms: [0.0, 0.0, 0.0],
                emf_bytes: [500.0, 500.0, 500.0],
                log_bytes: [1000.0, 3000.0, 1000.0],
                span_bytes: 4000.0,
                record_bytes: [900.0, 2100.0],
            },
        }
    }

    #[test]
    fn the_lines_follow_the_calls_and_the_measured_figures() {
        let lines = lines(&measured(), &Calls::per_request().unwrap());
        let find = |prefix: &str| lines.iter().find(|l| l.item.starts_with(prefix)).unwrap();

        assert!((find("API Gateway").usd_per_million - 3.50).abs() < 1e-9);
        assert!((find("S3 PUT").usd_per_million - 5.0).abs() < 1e-9);
        assert!((find("SQS").per_request - 3.0).abs() < 1e-9);
        assert!((find("Lambda invocations").per_request - 3.0).abs() < 1e-9);
        // 1 unit for the 900-byte put, 3 × 3 units for the 2100-byte record.
        assert!((find("DynamoDB write").per_request - 10.0).abs() < 1e-9);
        // 0.25 GB × 10 ms + 0.25 GB × 40 ms + 0.5 GB × 5 ms = 0.015 GB-s.
        assert!((find("Lambda GB-seconds").per_request - 0.015).abs() < 1e-12);
        // 5000 bytes of logs and 2100 of Lambda's lines.
        assert!((find("CloudWatch Logs GB (log").per_request - 7100.0 / 1e9).abs() < 1e-15);
        assert!((find("CloudWatch Logs GB (EMF").per_request - 1500.0 / 1e9).abs() < 1e-15);
    }

    #[test]
    fn only_the_cpu_time_stretches_below_one_vcpu() {
        // 10 ms of which 2 on the CPU, at 256 MB: 8 + 2 × 1769 / 256 = 21.8 → 22 ms.
        assert!((projected_ms(10.0, 2.0, 256.0) - 22.0).abs() < 1e-9);
        // A whole vCPU or more: unchanged.
        assert!((projected_ms(10.0, 2.0, 2048.0) - 10.0).abs() < 1e-9);
        // CPU time above the duration (threads) counts as the duration.
        assert!((projected_ms(4.0, 6.0, 1769.0) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn a_second_of_the_agent_costs_the_processor_and_the_wrapper_their_memory() {
        // (256 + 512) / 1024 GB × 1 s × $0.0000133334 × 1e6 = $10.00.
        assert!((agent_second_per_million(&measured()) - 10.0).abs() < 1e-3);
    }
}
