//! `revops load <url>`: the seeds' load test as a tool. It posts seed-shaped requests to a
//! gateway (HTTP or HTTPS with the system's roots, an API key when given), a fixed count
//! either at a concurrency (closed loop) or at a rate (open loop: each request's latency
//! counts from when it was due, so a slow server cannot hide its delay by slowing the
//! sender), with a progress bar; then it reports the statuses and the `202` latency
//! (p50, p95, p99 from an HDR histogram). With `--wait-delivered` it polls
//! `GET /webhook/{id}` until each request is delivered or has failed, and reports the
//! end-to-end latency from its timeline. Every loop is bounded; it stops by itself.

use super::{
    common::{runtime, usage_error},
    operator::OutputFormat,
};
use clap::Args;
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    io::Write,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The longest one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a pending request's status is asked for.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// `revops load`'s flags.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The gateway's `POST /webhook` URL (`/webhook` is appended when the path lacks it).
    url: String,
    /// How many requests to send.
    #[arg(long, default_value_t = 100)]
    requests: u64,
    /// Requests in flight at once (closed loop) [default: 10].
    #[arg(long, conflicts_with = "rate")]
    concurrency: Option<usize>,
    /// Requests per second, each sent when due whatever the server does (open loop).
    #[arg(long)]
    rate: Option<f64>,
    /// Then wait for each request's delivery and report the end-to-end latency.
    #[arg(long)]
    wait_delivered: bool,
    /// The longest wait for deliveries, in seconds.
    #[arg(long, default_value_t = 300)]
    wait_seconds: u64,
    /// An API key, sent as `x-api-key`.
    #[arg(long, env = "REVOPS_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The requests' `source_system`.
    #[arg(long, default_value = "revops_load")]
    source_system: String,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: OutputFormat,
}

/// What the sending phase saw.
struct Sent {
    accepted: Vec<String>,
    rejected: BTreeMap<String, u64>,
    /// The `202`s' latency, in microseconds.
    latency: Histogram<u64>,
}

/// Runs `revops load`.
pub fn run(args: LoadArgs) -> anyhow::Result<()> {
    let url = webhook_url(&args.url);
    if args.requests == 0 {
        usage_error("--requests must be at least 1");
    }
    if args.concurrency == Some(0) {
        usage_error("--concurrency must be at least 1");
    }
    if let Some(rate) = args.rate
        && !(rate.is_finite() && rate > 0.0)
    {
        usage_error("--rate must be a number of requests per second above 0");
    }
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()?;
    runtime()?.block_on(async {
        let started = Instant::now();
        let sent = send_all(&client, &url, &args).await?;
        let sending = started.elapsed();
        let delivered = if args.wait_delivered {
            Some(wait_delivered(&client, &url, &args, &sent.accepted).await?)
        } else {
            None
        };
        report(&args, &sent, sending, delivered.as_ref())
    })
}

/// `url` with `/webhook` at the end of its path.
fn webhook_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        usage_error(&format!(
            "{url} is not a URL: give the gateway's, such as https://abc.execute-api.us-east-1.amazonaws.com/prod/webhook"
        ));
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        usage_error(&format!("{url}: only http and https URLs are load-tested"));
    }
    if !parsed.path().ends_with("/webhook") {
        let path = format!("{}/webhook", parsed.path().trim_end_matches('/'));
        parsed.set_path(&path);
    }
    parsed.to_string()
}

/// One seed-shaped request body.
fn body(args: &LoadArgs, n: u64) -> Value {
    json!({
        "query": format!("What is the deal status for IXIS? (load request {n})"),
        "source_system": args.source_system,
        "source_process": "revops_load",
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

async fn send_all(client: &reqwest::Client, url: &str, args: &LoadArgs) -> anyhow::Result<Sent> {
    let progress = bar(args.requests, "requests sent");
    let sent = Mutex::new(Sent {
        accepted: Vec::new(),
        rejected: BTreeMap::new(),
        latency: Histogram::new_with_bounds(1, 120_000_000, 3)?,
    });
    let post = |n: u64, due: Instant| {
        let sent = &sent;
        let progress = progress.clone();
        async move {
            let mut request = client.post(url).json(&body(args, n));
            if let Some(key) = &args.api_key {
                request = request.header("x-api-key", key);
            }
            let outcome = request.send().await;
            let micros = u64::try_from(due.elapsed().as_micros()).unwrap_or(u64::MAX);
            let answer = match outcome {
                Ok(response) if response.status() == 202 => Ok(response
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|body| body["tracking_id"].as_str().map(str::to_owned))),
                Ok(response) => Err(response.status().as_u16().to_string()),
                Err(error) if error.is_timeout() => Err("timeout".to_owned()),
                Err(_) => Err("no answer".to_owned()),
            };
            let mut sent = sent.lock().expect("the tally is never poisoned");
            match answer {
                Ok(Some(id)) => {
                    sent.accepted.push(id);
                    let _ = sent.latency.record(micros.max(1));
                }
                Ok(None) => {
                    *sent
                        .rejected
                        .entry("202 without a tracking_id".to_owned())
                        .or_default() += 1
                }
                Err(status) => *sent.rejected.entry(status).or_default() += 1,
            }
            progress.inc(1);
        }
    };
    match args.rate {
        None => {
            let concurrency = args.concurrency.unwrap_or(10);
            futures_util::stream::iter(0..args.requests)
                .map(|n| post(n, Instant::now()))
                .buffer_unordered(concurrency)
                .collect::<()>()
                .await;
        }
        Some(rate) => {
            let gap = Duration::from_secs_f64(1.0 / rate);
            let start = Instant::now();
            let mut in_flight = futures_util::stream::FuturesUnordered::new();
            for n in 0..args.requests {
                let due = start + gap.mul_f64(n as f64);
                // The requests in flight go on while the next one is not yet due.
                loop {
                    tokio::select! {
                        () = tokio::time::sleep_until(due.into()) => break,
                        Some(()) = in_flight.next(), if !in_flight.is_empty() => {}
                    }
                }
                in_flight.push(post(n, due));
            }
            while in_flight.next().await.is_some() {}
        }
    }
    progress.finish_and_clear();
    Ok(sent.into_inner().expect("the tally is never poisoned"))
}

/// What waiting for the deliveries saw.
struct Delivered {
    delivered: u64,
    failed: u64,
    pending: u64,
    e2e: Histogram<u64>,
}

async fn wait_delivered(
    client: &reqwest::Client,
    url: &str,
    args: &LoadArgs,
    accepted: &[String],
) -> anyhow::Result<Delivered> {
    let progress = bar(accepted.len() as u64, "requests finished");
    let deadline = Instant::now() + Duration::from_secs(args.wait_seconds);
    let mut pending: Vec<String> = accepted.to_vec();
    let mut seen = Delivered {
        delivered: 0,
        failed: 0,
        pending: 0,
        e2e: Histogram::new_with_bounds(1, 86_400_000, 3)?,
    };
    let concurrency = args.concurrency.unwrap_or(10);
    while !pending.is_empty() && Instant::now() < deadline {
        let answers: Vec<(String, Option<Value>)> = futures_util::stream::iter(pending)
            .map(|id| async move {
                let mut request = client.get(format!("{url}/{id}"));
                if let Some(key) = &args.api_key {
                    request = request.header("x-api-key", key);
                }
                let document = match request.send().await {
                    Ok(response) if response.status().is_success() => response.json().await.ok(),
                    _ => None,
                };
                (id, document)
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        pending = Vec::new();
        for (id, document) in answers {
            match document.as_ref().and_then(|d| d["status"].as_str()) {
                Some("delivered") => {
                    seen.delivered += 1;
                    if let Some(ms) = document.as_ref().and_then(end_to_end_ms) {
                        let _ = seen.e2e.record(ms.max(1));
                    }
                    progress.inc(1);
                }
                Some("failed" | "dead_lettered") => {
                    seen.failed += 1;
                    progress.inc(1);
                }
                _ => pending.push(id),
            }
        }
        if !pending.is_empty() {
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
    progress.finish_and_clear();
    seen.pending = pending.len() as u64;
    Ok(seen)
}

/// From `queued_at` to the `delivered` step, in a status document.
fn end_to_end_ms(document: &Value) -> Option<u64> {
    let time = |text: &str| chrono::DateTime::parse_from_rfc3339(text).ok();
    let queued = time(document["queued_at"].as_str()?)?;
    let delivered = document["events"]
        .as_array()?
        .iter()
        .find(|event| event["status"] == "delivered")
        .and_then(|event| time(event["at"].as_str()?))?;
    u64::try_from((delivered - queued).num_milliseconds()).ok()
}

/// A progress bar of `len` `what`, on a terminal.
fn bar(len: u64, what: &str) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{pos}}/{{len}} {what} [{{wide_bar}}] {{per_sec}} {{eta}}"
        ))
        .expect("the template is valid"),
    )
}

/// p50, p95 and p99 of `histogram`, in milliseconds; `null`s when it is empty.
fn percentiles(histogram: &Histogram<u64>, unit_per_ms: f64) -> Value {
    if histogram.is_empty() {
        return json!({"p50": null, "p95": null, "p99": null});
    }
    let at = |q: f64| histogram.value_at_quantile(q) as f64 / unit_per_ms;
    json!({"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)})
}

fn report(
    args: &LoadArgs,
    sent: &Sent,
    sending: Duration,
    delivered: Option<&Delivered>,
) -> anyhow::Result<()> {
    let latency = percentiles(&sent.latency, 1_000.0);
    let e2e = delivered.map(|d| percentiles(&d.e2e, 1.0));
    let summary = json!({
        "sent": args.requests,
        "accepted": sent.accepted.len(),
        "rejected": sent.rejected,
        "latency_ms": latency,
        "sending_seconds": sending.as_secs_f64(),
        "delivered": delivered.map(|d| d.delivered),
        "failed": delivered.map(|d| d.failed),
        "still_pending": delivered.map(|d| d.pending),
        "e2e_ms": e2e,
    });
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{summary}")?,
        OutputFormat::Text => {
            let ms = |value: &Value, key: &str| {
                value[key]
                    .as_f64()
                    .map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1} ms"))
            };
            writeln!(
                out,
                "sent {} in {:.1} s ({:.0}/s): {} accepted (202)",
                args.requests,
                sending.as_secs_f64(),
                args.requests as f64 / sending.as_secs_f64().max(1e-9),
                sent.accepted.len()
            )?;
            for (status, count) in &sent.rejected {
                writeln!(out, "  {count} answered {status}")?;
            }
            writeln!(
                out,
                "202 latency: p50 {}, p95 {}, p99 {}",
                ms(&summary["latency_ms"], "p50"),
                ms(&summary["latency_ms"], "p95"),
                ms(&summary["latency_ms"], "p99")
            )?;
            if let (Some(d), Some(e2e)) = (delivered, &e2e) {
                writeln!(
                    out,
                    "delivered {}, failed {}, still pending {}; end to end: p50 {}, p95 {}, p99 {}",
                    d.delivered,
                    d.failed,
                    d.pending,
                    ms(e2e, "p50"),
                    ms(e2e, "p95"),
                    ms(e2e, "p99")
                )?;
            }
        }
    }
    let lost = sent.accepted.len() as u64 != args.requests
        || delivered.is_some_and(|d| d.delivered != sent.accepted.len() as u64);
    if lost {
        anyhow::bail!("not every request was accepted and delivered (see above)");
    }
    Ok(())
}
