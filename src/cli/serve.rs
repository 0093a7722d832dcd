//! `revops serve`: the local host on its embedded defaults, with the demo agent, until
//! SIGINT or SIGTERM.

use anyhow::Context;
use clap::Args;
use revops_demo_agent::{DEMO_AGENT_NAME, DemoAgent};
use revops_local::{DeliveryMode, LocalConfig, LocalHost};
use revops_telemetry::{LogFormat, LogOutput, TraceSettings, trace_store::TraceStoreSettings};
use std::{io::Write, net::SocketAddr, path::PathBuf, sync::Arc};
use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};

/// `revops serve`'s flags; each overrides its environment variable.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: REVOPS_LISTEN; default 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Directory for the queue, tracking store and outbox [env: REVOPS_DATA_DIR; default ./.revops].
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Runs the local host until a signal stops it.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = LocalConfig::from_process_env()?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(data_dir) = args.data_dir {
        config.data_dir = data_dir;
    }
    let format = LogFormat::parse(std::env::var("LOG_FORMAT").ok().as_deref())?;
    let mut traces = TraceSettings::from_env("revops", |name| std::env::var(name).ok());
    if config.trace_store {
        traces.store = Some(TraceStoreSettings::in_data_dir(&config.data_dir));
    }
    let telemetry = revops_telemetry::init(
        std::env::var("LOG_LEVEL").ok().as_deref(),
        format,
        LogOutput::Background,
        &traces,
    )
    .map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let workers = tokio::runtime::Builder::new_multi_thread()
        .thread_name("revops-worker")
        .on_thread_start(lower_priority)
        .enable_all()
        .build()
        .context("cannot start the workers' runtime")?;
    let served = runtime.block_on(serve(config, workers.handle().clone(), &traces));
    drop(workers);
    telemetry.flush();
    served
}

/// How much lower the workers' threads run than the HTTP server's: nice 5 on Linux
/// (the crate maps 0–99 onto nice 19 to -20). When both want the two cores, the server
/// gets about three quarters of them, so a burst is answered with `202`s at nearly the
/// rate seen with no processing at all, and the queue absorbs it; when requests stop, the
/// workers get every core. It only sets an order: nothing waits for it.
const WORKER_PRIORITY: u8 = 35;

/// Lowers the calling thread's scheduling priority to [`WORKER_PRIORITY`]. A system that
/// refuses is no reason to stop: the workers then run at the server's priority.
fn lower_priority() {
    let lowered = ThreadPriorityValue::try_from(WORKER_PRIORITY)
        .map_err(|error| error.to_owned())
        .and_then(|value| {
            set_current_thread_priority(ThreadPriority::Crossplatform(value))
                .map_err(|error| error.to_string())
        });
    if let Err(error) = lowered {
        tracing::debug!(%error, "cannot lower a worker thread's priority");
    }
}

async fn serve(
    config: LocalConfig,
    workers: tokio::runtime::Handle,
    traces: &TraceSettings,
) -> anyhow::Result<()> {
    let host =
        LocalHost::start_with_workers_on(config, Arc::new(DemoAgent::new()), workers).await?;
    print_start_up(&host, traces);
    wait_for_signal().await?;
    tracing::info!("stopping: no new requests; letting busy workers finish");
    host.stop().await?;
    tracing::info!("stopped");
    Ok(())
}

/// The start-up lines: where it listens, where data and deliveries go, and a request to
/// try. A closed standard output is no reason to stop serving, so write errors are ignored.
fn print_start_up(host: &LocalHost, traces: &TraceSettings) {
    let addr = host.addr();
    let mut lines = vec![
        format!("revops serve: listening on http://{addr}"),
        format!("  data dir:   {}", host.data_dir().display()),
        format!("  agent:      {DEMO_AGENT_NAME} (a demo; not the Bedrock Manager Agent)"),
    ];
    lines.push(match host.delivery() {
        DeliveryMode::Outbox(path) => {
            format!(
                "  deliveries: appended to {} (no WEBHOOK_URL set)",
                path.display()
            )
        }
        DeliveryMode::Http(urls) => format!("  deliveries: {}", urls.join(", ")),
    });
    lines.push(format!(
        "  metrics:    EMF lines appended to {}",
        host.metrics_file().display()
    ));
    lines.push(match &traces.store {
        Some(store) => format!(
            "  traces:     spans and log lines kept in {}",
            store.dir.display()
        ),
        None => "  traces:     not kept (REVOPS_TRACE_STORE=off)".to_owned(),
    });
    lines.push(match &traces.traces_endpoint {
        Some(endpoint) => format!("  otlp:       http/protobuf to {endpoint}"),
        None => "  otlp:       not exported (set OTEL_EXPORTER_OTLP_ENDPOINT)".to_owned(),
    });
    if host.released_at_start() > 0 {
        lines.push(format!(
            "  recovered:  {} message(s) left in flight by the previous run",
            host.released_at_start()
        ));
    }
    lines.push(format!(
        "  try:        curl -X POST http://{addr}/webhook -H 'Content-Type: application/json' \\\n              -d '{{\"query\": \"What is the deal status for IXIS?\", \"source_system\": \"external_app\", \"source_process\": \"test_system\", \"timestamp\": \"2025-08-13T06:30:00Z\"}}'"
    ));
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("cannot watch SIGINT")?,
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("cannot watch Ctrl-C")?;
    Ok(())
}
