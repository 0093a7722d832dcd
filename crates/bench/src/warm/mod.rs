//! Warm invocations, for the AWS cost model: each function of one implementation (the
//! Rust release binaries, then the Python 3 + boto3 handlers) is started once and then
//! invoked request after request, as Lambda invokes a warm function, against moto, a
//! Bedrock stand-in that answers at once (so the agent's own time is excluded) and a
//! receiver that answers at once. For each function: the invocation's duration (event
//! handed out → response posted, which is what Lambda bills), its peak memory, and the
//! bytes it wrote to standard output and error (what CloudWatch Logs ingests). The Rust
//! functions run as deployed (`LOG_LEVEL=INFO`, `LOG_FORMAT=json`, traced), every request
//! sampled, their spans sent to a stand-in X-Ray daemon whose datagram bytes are counted
//! (what Transaction Search ingests into the `aws/spans` log group).

mod cost;
mod deployment;
mod item_size;

use crate::{
    Settings,
    console::{self, Table},
    machine, paths, proc_stats, python, report,
    revops::{SEED_REQUEST, release_dir},
};
use deployment::{Functions, INVOKE_TIMEOUT, Implementation, Resources};
use revops_testkit::{
    LambdaFunction,
    lambda_events::{api_response, rest_api_post, sqs_event},
    runtime_api::TraceHeader,
    webhook::WebhookReceiver,
    xray_daemon::XrayDaemon,
};
use serde_json::{Value, json};
use tokio::time::Instant;

/// Requests measured per implementation, after [`WARM_UP`] unmeasured ones.
const REQUESTS: usize = 300;
/// Requests first sent to warm every function up (connections, caches).
const WARM_UP: usize = 20;

/// Durations of one function's invocations, in ms.
#[derive(Default)]
struct Durations(Vec<f64>);

impl Durations {
    /// The p50 and p90.
    fn p50_p90(&self) -> (f64, f64) {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted.get(index).copied().unwrap_or(f64::NAN)
        };
        (at(0.5), at(0.9))
    }

    fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len().max(1) as f64
    }

    /// The mean of Lambda's billed duration: each invocation rounded up to the next ms.
    fn billed_mean(&self) -> f64 {
        self.0.iter().map(|ms| ms.ceil()).sum::<f64>() / self.0.len().max(1) as f64
    }
}

/// Bytes a function has written, with newlines: to standard output (EMF) and to
/// standard error (its log lines).
fn output_bytes(function: &LambdaFunction) -> [usize; 2] {
    let count = |lines: Vec<String>| lines.iter().map(|l| l.len() + 1).sum::<usize>();
    [
        count(function.process.stdout_lines()),
        count(function.process.stderr_lines()),
    ]
}

/// Invokes `function` with `event` in a new trace, `sampled` or not, failing with its
/// logs; returns its answer and the duration in ms.
async fn timed(
    function: &LambdaFunction,
    event: &Value,
    sampled: bool,
) -> anyhow::Result<(Value, f64)> {
    let start = Instant::now();
    let outcome = function
        .invoke_traced(event, INVOKE_TIMEOUT, Some(TraceHeader::fresh(sampled)))
        .await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(answer) => Ok((answer, ms)),
        Err(error) => anyhow::bail!(
            "{} failed: {error}\n{}",
            function.runtime.function_name(),
            function.process.logs()
        ),
    }
}

/// One request through the three functions: the gateway accepts it, the processor takes
/// its message (and invokes the wrapper), then the wrapper is invoked once more on its
/// own, to time it alone (unsampled, so that only the request's own trace sends spans).
/// Returns the three durations and, when `read_record`, the tracking record's size after
/// the gateway wrote it and after delivery (read between the invocations, not timed).
async fn one_request(
    functions: &Functions,
    resources: &Resources,
    read_record: bool,
) -> anyhow::Result<([f64; 3], Option<[usize; 2]>)> {
    let (accepted, gateway_ms) =
        timed(&functions.gateway, &rest_api_post(SEED_REQUEST, &[]), true).await?;
    let (status, body) = api_response(&accepted);
    anyhow::ensure!(status == 202, "the gateway answered {status}: {body}");
    let tracking_id = body["tracking_id"].as_str().unwrap_or_default().to_owned();
    let accepted_bytes = if read_record {
        Some(resources.record_bytes(&tracking_id).await?)
    } else {
        None
    };
    let messages = resources
        .clients
        .sqs
        .receive_message()
        .queue_url(&resources.queue_url)
        .max_number_of_messages(1)
        .wait_time_seconds(5)
        .message_attribute_names("All")
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await?
        .messages
        .unwrap_or_default();
    anyhow::ensure!(messages.len() == 1, "the gateway's message did not arrive");
    let (processed, processor_ms) = timed(
        &functions.processor,
        &sqs_event(&messages, &resources.queue_arn),
        true,
    )
    .await?;
    let failures = processed["batchItemFailures"]
        .as_array()
        .map_or(0, Vec::len);
    anyhow::ensure!(
        failures == 0,
        "the processor failed the message: {processed}"
    );
    let question =
        json!({"query": "What is the deal status for IXIS?", "tracking_id": tracking_id});
    let (_, wrapper_ms) = timed(&functions.wrapper, &question, false).await?;
    let record_bytes = match accepted_bytes {
        Some(accepted) => Some([accepted, resources.record_bytes(&tracking_id).await?]),
        None => None,
    };
    Ok(([gateway_ms, processor_ms, wrapper_ms], record_bytes))
}

/// The CPU time the process behind `function` has used, in ms (0 when unknown).
fn cpu_ms(function: &LambdaFunction) -> f64 {
    function
        .process
        .pid()
        .and_then(proc_stats::cpu_ms)
        .unwrap_or(0.0)
}

/// `VmHWM` of the process behind `function`, in MB (0 when unknown).
fn peak_memory_mb(function: &LambdaFunction) -> f64 {
    function
        .process
        .pid()
        .and_then(proc_stats::peak_rss_kb)
        .map_or(0.0, |kb| kb as f64 / 1024.0)
}

/// Measures one implementation, adding its rows to `table`.
async fn measure(
    implementation: &Implementation,
    resources: &Resources,
    table: &mut Table,
) -> anyhow::Result<(Value, cost::Figures)> {
    let bedrock = deployment::instant_agent().await;
    let receiver = WebhookReceiver::always(200).await;
    let xray = XrayDaemon::start().await;
    let address = xray.address();
    let extra: &[(&str, &str)] = match implementation {
        Implementation::Rust(_) => &[
            ("LOG_LEVEL", "INFO"),
            ("LOG_FORMAT", "json"),
            ("AWS_XRAY_DAEMON_ADDRESS", &address),
        ],
        Implementation::Python(_) => &[],
    };
    let functions = Functions::start(implementation, resources, &bedrock, &receiver, extra).await;
    // The record is the same size for every request: read it on the first.
    let (_, record_bytes) = one_request(&functions, resources, true).await?;
    let record_bytes = record_bytes.unwrap_or_default();
    for _ in 1..WARM_UP {
        one_request(&functions, resources, false).await?;
    }
    let roles = [
        ("webhook-gateway", &functions.gateway),
        ("queue-processor", &functions.processor),
        ("agent-wrapper", &functions.wrapper),
    ];
    let output_before = roles.map(|(_, f)| (output_bytes(f), f.runtime.invocations()));
    let cpu_before = roles.map(|(_, f)| cpu_ms(f));
    let (spans_before, span_bytes_before) = span_totals(&xray);
    let mut durations: [Durations; 3] = Default::default();
    for _ in 0..REQUESTS {
        let (times, _) = one_request(&functions, resources, false).await?;
        for (all, ms) in durations.iter_mut().zip(times) {
            all.0.push(ms);
        }
    }
    anyhow::ensure!(
        receiver.hits().len() == WARM_UP + REQUESTS,
        "{} webhooks arrived for {} requests",
        receiver.hits().len(),
        WARM_UP + REQUESTS
    );
    // The last spans may still be on their way.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (spans, span_bytes) = span_totals(&xray);
    let spans_per_request = (spans - spans_before) as f64 / REQUESTS as f64;
    let span_bytes_per_request = (span_bytes - span_bytes_before) as f64 / REQUESTS as f64;
    let mut results = Vec::new();
    let mut figures = cost::Figures {
        billed_ms: [0.0; 3],
        cpu_ms: [0.0; 3],
        emf_bytes: [0.0; 3],
        log_bytes: [0.0; 3],
        span_bytes: span_bytes_per_request,
        record_bytes: record_bytes.map(|b| b as f64),
    };
    for (index, (((role, function), (bytes_before, invocations_before)), durations)) in roles
        .into_iter()
        .zip(output_before)
        .zip(&durations)
        .enumerate()
    {
        figures.billed_ms[index] = durations.billed_mean();
        let invocations = function.runtime.invocations() - invocations_before;
        let [emf, logs] = output_bytes(function);
        let per_invocation =
            |now: usize, before: usize| (now - before) as f64 / invocations.max(1) as f64;
        let emf_bytes_per_invocation = per_invocation(emf, bytes_before[0]);
        let log_bytes_per_invocation = per_invocation(logs, bytes_before[1]);
        let cpu_ms_per_invocation =
            (cpu_ms(function) - cpu_before[index]) / invocations.max(1) as f64;
        figures.cpu_ms[index] = cpu_ms_per_invocation;
        figures.emf_bytes[index] = emf_bytes_per_invocation;
        figures.log_bytes[index] = log_bytes_per_invocation;
        let memory = peak_memory_mb(function);
        let (p50, p90) = durations.p50_p90();
        table.row(vec![
            role.to_owned(),
            implementation.name().to_owned(),
            format!("{p50:.2}"),
            format!("{p90:.2}"),
            format!("{:.2}", durations.mean()),
            format!("{:.2}", durations.billed_mean()),
            format!("{cpu_ms_per_invocation:.2}"),
            format!("{memory:.1}"),
            format!("{emf_bytes_per_invocation:.0}"),
            format!("{log_bytes_per_invocation:.0}"),
        ]);
        results.push(json!({
            "function": role,
            "implementation": implementation.name(),
            "invocations": durations.0.len(),
            "duration_ms_p50": p50,
            "duration_ms_p90": p90,
            "duration_ms_mean": durations.mean(),
            "billed_ms_mean": durations.billed_mean(),
            "cpu_ms_per_invocation": cpu_ms_per_invocation,
            "vm_hwm_mb": memory,
            "emf_bytes_per_invocation": emf_bytes_per_invocation,
            "log_bytes_per_invocation": log_bytes_per_invocation,
        }));
    }
    let measured = json!({
        "functions": results,
        "record_bytes_accepted": record_bytes[0],
        "record_bytes_delivered": record_bytes[1],
        "spans_per_request": spans_per_request,
        "span_bytes_per_request": span_bytes_per_request,
    });
    Ok((measured, figures))
}

/// Prints the cost of a million questions for each implementation measured: Rust as the
/// template deploys it (arm64; 256, 256 and 512 MB), Python at Lambda's default 128 MB on
/// x86_64 (the seeds name no memory size), with the Rust functions' log lines, tracking
/// record, EMF and calls, and no spans.
fn print_costs(figures: &[cost::Figures]) -> anyhow::Result<Value> {
    let Some(rust) = figures.first() else {
        return Ok(Value::Null);
    };
    let mut models = vec![(
        "Rust, arm64",
        cost::Measured {
            memory_mb: [256.0, 256.0, 512.0],
            gb_second: &cost::LAMBDA_GB_S_ARM64,
            figures: rust.clone(),
        },
    )];
    if let Some(python) = figures.get(1) {
        models.push((
            "Python, x86_64",
            cost::Measured {
                memory_mb: [128.0; 3],
                gb_second: &cost::LAMBDA_GB_S_X86_64,
                figures: cost::Figures {
                    billed_ms: python.billed_ms,
                    cpu_ms: python.cpu_ms,
                    span_bytes: 0.0,
                    ..rust.clone()
                },
            },
        ));
    }
    let mut projected = Table::new(
        "billed duration projected on Lambda at the configured memory (CPU time stretched to its vCPU share)",
        &[
            "function",
            "model",
            "memory MB",
            "measured ms",
            "CPU ms",
            "projected ms",
        ],
    );
    for (name, model) in &models {
        for (i, function) in ["webhook-gateway", "queue-processor", "agent-wrapper"]
            .into_iter()
            .enumerate()
        {
            projected.row(vec![
                function.to_owned(),
                (*name).to_owned(),
                format!("{:.0}", model.memory_mb[i]),
                format!("{:.2}", model.figures.billed_ms[i]),
                format!("{:.2}", model.figures.cpu_ms[i]),
                format!("{:.0}", model.projected_ms(i)),
            ]);
        }
    }
    projected.print()?;
    let mut header = vec!["per request → $ per million questions".to_owned()];
    for (name, _) in &models {
        header.push(format!("{name}: units"));
        header.push(format!("{name}: $"));
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(
        "cost of a million questions on AWS (us-east-1 list prices; agent time and Bedrock excluded)",
        &header,
    );
    let calls = cost::Calls::per_request()?;
    let all: Vec<Vec<cost::Line>> = models.iter().map(|(_, m)| cost::lines(m, &calls)).collect();
    let mut json_models = Vec::new();
    for (row, line) in all[0].iter().enumerate() {
        let mut cells = vec![line.item.clone()];
        for lines in &all {
            cells.push(format!("{:.6}", lines[row].per_request));
            cells.push(format!("{:.2}", lines[row].usd_per_million));
        }
        table.row(cells);
    }
    let mut totals = vec!["total".to_owned()];
    for ((name, model), lines) in models.iter().zip(&all) {
        let total: f64 = lines.iter().map(|l| l.usd_per_million).sum();
        totals.push(String::new());
        totals.push(format!("{total:.2}"));
        json_models.push(json!({
            "model": name,
            "total_usd": total,
            "agent_second_usd": cost::agent_second_per_million(model),
            "lines": lines.iter().map(|l| json!({"item": l.item, "per_request": l.per_request, "usd": l.usd_per_million})).collect::<Vec<_>>(),
        }));
    }
    table.row(totals);
    table.print()?;
    let mut prices = Table::new(
        "the prices (us-east-1)",
        &["service", "USD", "per", "read from"],
    );
    for price in cost::PRICES {
        prices.row(vec![
            price.service.to_owned(),
            format!("{}", price.usd),
            price.unit.to_owned(),
            price.source.to_owned(),
        ]);
    }
    prices.print()?;
    for (name, model) in &models {
        console::note(&format!(
            "{name}: each second the agent takes adds ${:.2} a million (the processor and the wrapper both wait)",
            cost::agent_second_per_million(model)
        ))?;
    }
    Ok(Value::Array(json_models))
}

/// Spans and datagram bytes the X-Ray daemon has taken so far.
fn span_totals(xray: &XrayDaemon) -> (usize, usize) {
    (xray.spans().len(), xray.datagram_sizes().iter().sum())
}

/// Runs the warm benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let load_before = machine::load_average();
    let release = release_dir()?;
    let scratch = paths::scratch_dir(&settings.target, "warm-")?;
    let mut implementations = vec![Implementation::Rust(release)];
    if let Some(python) = python::interpreter(&settings.target, "the Python rows are")? {
        let launcher = deployment::python_launcher(&python, scratch.path())?;
        implementations.push(Implementation::Python(launcher));
    }
    console::note("starting moto and creating the queue, table and bucket")?;
    let resources = Resources::create().await?;
    let mut table = Table::new(
        &format!(
            "warm: {REQUESTS} requests after {WARM_UP} to warm up; agent answering at once; durations in ms"
        ),
        &[
            "function",
            "implementation",
            "p50",
            "p90",
            "mean",
            "billed mean",
            "CPU ms",
            "VmHWM MB",
            "EMF bytes/invocation",
            "log bytes/invocation",
        ],
    );
    let mut results = Vec::new();
    let mut all_figures = Vec::new();
    for implementation in &implementations {
        let load = settings.quiet().await;
        let (measured, figures) = measure(implementation, &resources, &mut table).await?;
        all_figures.push(figures);
        console::note(&format!(
            "{}: {} spans, {:.0} span bytes per request; tracking record {} bytes accepted, {} delivered",
            implementation.name(),
            measured["spans_per_request"],
            measured["span_bytes_per_request"]
                .as_f64()
                .unwrap_or_default(),
            measured["record_bytes_accepted"],
            measured["record_bytes_delivered"]
        ))?;
        results.push(json!({"implementation": implementation.name(), "load_average_1m": load, "measured": measured}));
    }
    table.print()?;
    let costs = print_costs(&all_figures)?;
    let path = report::record(
        "warm",
        settings,
        load_before,
        json!({"requests": REQUESTS, "warm_up": WARM_UP, "runs": results, "cost_per_million": costs}),
    )?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
