//! `revops receivers` and `revops receivers enable <url>`: each receiver origin's circuit
//! (state, failures in a row, last error, when a probe may go) and the URLs disabled by a
//! `410 Gone`, on either host; and lifting a disable once the receiver is back.

use super::{
    common::{runtime, usage_error},
    operator::{HostArgs, OutputFormat},
};
use chrono::SecondsFormat;
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::Write;

/// `revops receivers`'s flags and subcommand.
#[derive(Debug, Args)]
pub struct ReceiversArgs {
    #[command(subcommand)]
    action: Option<ReceiversAction>,
    #[command(flatten)]
    host: HostArgs,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: OutputFormat,
}

#[derive(Debug, Subcommand)]
enum ReceiversAction {
    /// Lift the disable of a URL that answered 410 Gone.
    Enable {
        /// The URL, exactly as `revops receivers` lists it.
        url: String,
        #[command(flatten)]
        host: HostArgs,
    },
}

/// Runs `revops receivers`.
pub fn run(args: ReceiversArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        match args.action {
            Some(ReceiversAction::Enable { url, host }) => enable(&host, &url).await,
            None => list(&args.host, args.format).await,
        }
    })
}

async fn enable(host: &HostArgs, url: &str) -> anyhow::Result<()> {
    let ports = host.open().await?;
    if !ports.receivers.enable(url).await? {
        usage_error(&format!(
            "{url} is not disabled; `revops receivers` lists the disabled URLs"
        ));
    }
    writeln!(
        std::io::stdout().lock(),
        "enabled {url}: deliveries to it go through again"
    )?;
    Ok(())
}

async fn list(host: &HostArgs, format: OutputFormat) -> anyhow::Result<()> {
    let ports = host.open().await?;
    let (circuits, disabled) = ports.receivers.list().await?;
    let time = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            let mut entries: Vec<_> = circuits
                .iter()
                .map(|circuit| {
                    json!({
                        "kind": "circuit",
                        "origin": circuit.origin,
                        "state": circuit.state.as_str(),
                        "failures": circuit.failures,
                        "last_error": circuit.last_error,
                        "changed_at": time(circuit.changed_at),
                        "retry_at": circuit.retry_at.map(time),
                    })
                })
                .collect();
            entries.extend(disabled.iter().map(|url| {
                json!({
                    "kind": "disabled_url",
                    "url": url.url,
                    "disabled_at": time(url.at),
                    "reason": url.reason,
                })
            }));
            writeln!(out, "{}", serde_json::Value::Array(entries))?;
        }
        OutputFormat::Text => {
            if circuits.is_empty() {
                writeln!(out, "no receiver has failed an attempt")?;
            }
            for circuit in &circuits {
                let probe = circuit
                    .retry_at
                    .map(|at| format!("; next probe {}", time(at)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}  {}  {} failure(s) in a row{probe}  {}",
                    circuit.origin,
                    circuit.state.as_str(),
                    circuit.failures,
                    circuit.last_error.as_deref().unwrap_or("-")
                )?;
            }
            for url in &disabled {
                writeln!(
                    out,
                    "disabled {} since {}: {} (lift with `revops receivers enable {}`)",
                    url.url,
                    time(url.at),
                    url.reason,
                    url.url
                )?;
            }
        }
    }
    Ok(())
}
