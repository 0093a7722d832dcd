//! `revops doctor`: the seeds' health-check script and more. It checks the host against
//! what the code needs, one line a check, `ok`, `warn` or `fail` with what to do, and
//! exits 1 when any fails. On either host: the configuration (read from this
//! environment, as the host reads it), the store reachable, dead letters waiting, the
//! receivers' open circuits and disabled URLs, each delivery target resolvable and
//! allowed by the address guard. Locally also: the queue's oldest message and the free
//! space of the data directory (`doctor_local.rs`). On AWS: the queue's backlog and
//! visibility timeout against the processor's timeout, the redrive count against
//! `REVOPS_MAX_RECEIVES`, and X-Ray tracing on each function (`doctor_aws.rs`); the age of
//! the oldest message and the alarms deployed against the code's, from CloudWatch
//! (`doctor_cloudwatch.rs`).

use super::{
    common::runtime,
    doctor_aws, doctor_cloudwatch, doctor_local,
    operator::{FunctionNames, HostArgs, HostPorts, OutputFormat},
};
use clap::Args;
use revops_aws::SqsQueue;
use revops_core::{
    Status,
    config::{Env, Host, PipelineSettings},
    ports::CircuitState,
};
use revops_delivery::HttpDelivererConfig;
use serde_json::json;
use std::{io::Write, sync::Arc};

/// `revops doctor`'s flags.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    functions: FunctionNames,
    #[command(flatten)]
    alarms: doctor_cloudwatch::AlarmSource,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: OutputFormat,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// As the code needs it.
    Ok,
    /// Working, but look at it.
    Warn,
    /// Not as the code needs it.
    Fail,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warn => "warn",
            State::Fail => "fail",
        }
    }
}

/// One check's line.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// How it came out.
    pub state: State,
    /// What was found, and what to do.
    pub detail: String,
}

impl Check {
    /// A check that came out `state`.
    pub fn new(name: &'static str, state: State, detail: impl Into<String>) -> Self {
        Self {
            name,
            state,
            detail: detail.into(),
        }
    }
}

/// Runs `revops doctor`.
pub fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let checks = runtime()?.block_on(checks(&args));
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            let checks: Vec<_> = checks
                .iter()
                .map(|c| json!({"name": c.name, "state": c.state.as_str(), "detail": c.detail}))
                .collect();
            writeln!(out, "{}", json!({ "checks": checks }))?;
        }
        OutputFormat::Text => {
            for check in &checks {
                writeln!(
                    out,
                    "{:<4}  {:<18}  {}",
                    check.state.as_str(),
                    check.name,
                    check.detail
                )?;
            }
        }
    }
    let failed = checks.iter().filter(|c| c.state == State::Fail).count();
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

/// Every check of the host named.
async fn checks(args: &DoctorArgs) -> Vec<Check> {
    let host = &args.host;
    let env = Env::process();
    let kind = if host.data_dir().is_some() {
        Host::Local
    } else {
        Host::Lambda
    };
    let mut checks = Vec::new();
    let settings = match PipelineSettings::from_env(&env, kind) {
        Ok(settings) => {
            checks.push(Check::new(
                "configuration",
                State::Ok,
                "every variable reads as the host reads it",
            ));
            Some(settings)
        }
        Err(error) => {
            checks.push(Check::new(
                "configuration",
                State::Fail,
                format!("{error}: fix it where the host's environment is set"),
            ));
            None
        }
    };
    if let Some(settings) = &settings {
        checks.extend(delivery_targets(settings).await);
    }
    match host.data_dir() {
        Some(data_dir) => {
            let Some((ports, queue)) = doctor_local::open(data_dir, &mut checks) else {
                return checks;
            };
            checks.extend(shared(&ports).await);
            checks.extend(doctor_local::checks(data_dir, &queue).await);
        }
        None => {
            let resources = host.aws_resources().await;
            let ports = HostPorts::over(
                Arc::new(resources.store.clone()),
                Arc::new(
                    SqsQueue::new(resources.clients.sqs.clone(), &resources.queue_url)
                        .with_dead_letter_queue(&resources.dead_letter_url),
                ),
            );
            checks.extend(shared(&ports).await);
            let (deployment, processor_timeout) = doctor_aws::checks(&doctor_aws::Deployed {
                clients: &resources.clients,
                queue_url: &resources.queue_url,
                stage: host.stage(),
                functions: &args.functions,
            })
            .await;
            checks.extend(deployment);
            checks.extend(
                doctor_cloudwatch::checks(
                    &resources.clients,
                    &doctor_cloudwatch::Deployment {
                        host,
                        functions: &args.functions,
                        processor_timeout,
                    },
                    &args.alarms,
                )
                .await,
            );
        }
    }
    checks
}

/// What both hosts check through their ports: the store, the dead letters, the
/// receivers.
async fn shared(ports: &HostPorts) -> Vec<Check> {
    let mut checks = Vec::new();
    match ports.store.ping().await {
        Ok(()) => checks.push(Check::new("store", State::Ok, "reachable")),
        Err(error) => {
            checks.push(Check::new("store", State::Fail, error.to_string()));
            return checks;
        }
    }
    checks.push(match ports.store.in_status(Status::DeadLettered).await {
        Ok(dead) if dead.is_empty() => Check::new("dead letters", State::Ok, "none waiting"),
        Ok(dead) => Check::new(
            "dead letters",
            State::Warn,
            format!(
                "{} waiting: see them with `revops dlq list`, replay them with `revops dlq replay --all` once the cause is fixed",
                dead.len()
            ),
        ),
        Err(error) => Check::new("dead letters", State::Fail, error.to_string()),
    });
    match ports.receivers.list().await {
        Ok((circuits, disabled)) => {
            let open: Vec<_> = circuits
                .iter()
                .filter(|c| c.state != CircuitState::Closed)
                .map(|c| format!("{} ({})", c.origin, c.state.as_str()))
                .collect();
            checks.push(if open.is_empty() {
                Check::new("receiver circuits", State::Ok, "all closed")
            } else {
                Check::new(
                    "receiver circuits",
                    State::Warn,
                    format!(
                        "not closed: {}; deliveries to them wait for a probe (`revops receivers`)",
                        open.join(", ")
                    ),
                )
            });
            checks.push(if disabled.is_empty() {
                Check::new("disabled URLs", State::Ok, "none")
            } else {
                let urls: Vec<_> = disabled.iter().map(|d| d.url.as_str()).collect();
                Check::new(
                    "disabled URLs",
                    State::Warn,
                    format!(
                        "{} answered 410 Gone; once fixed, `revops receivers enable <url>`",
                        urls.join(", ")
                    ),
                )
            });
        }
        Err(error) => checks.push(Check::new("receivers", State::Fail, error.to_string())),
    }
    checks
}

/// Each delivery target resolvable and allowed by the address guard.
async fn delivery_targets(settings: &PipelineSettings) -> Vec<Check> {
    if settings.targets.is_empty() {
        return vec![Check::new(
            "delivery target",
            State::Ok,
            "no URL set: webhooks go to DATA_DIR/outbox.jsonl (set WEBHOOK_URL to deliver)",
        )];
    }
    let guard = match HttpDelivererConfig::from_settings(settings) {
        Ok(config) => config.guard,
        Err(error) => {
            return vec![Check::new(
                "delivery target",
                State::Fail,
                error.to_string(),
            )];
        }
    };
    let mut checks = Vec::new();
    for target in settings.targets.urls() {
        let Ok(url) = url::Url::parse(target) else {
            checks.push(Check::new(
                "delivery target",
                State::Fail,
                format!("{target} is not a URL"),
            ));
            continue;
        };
        if url.scheme() == "http" && !guard.allows_http() {
            checks.push(Check::new(
                "delivery target",
                State::Fail,
                format!("{target} is plain http, which this host refuses (WEBHOOK_ALLOW_HTTP)"),
            ));
            continue;
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            checks.push(Check::new(
                "delivery target",
                State::Fail,
                format!("{target} names no host"),
            ));
            continue;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<_> = match tokio::net::lookup_host((host, port)).await {
            Ok(addresses) => addresses.collect(),
            Err(error) => {
                checks.push(Check::new(
                    "delivery target",
                    State::Fail,
                    format!("{target}: {host} does not resolve ({error})"),
                ));
                continue;
            }
        };
        let refused: Vec<String> = addresses
            .iter()
            .filter_map(|address| guard.check(host, address.ip()).err())
            .map(|refused| refused.to_string())
            .collect();
        checks.push(if refused.is_empty() {
            Check::new(
                "delivery target",
                State::Ok,
                format!("{target} resolves and is allowed"),
            )
        } else {
            Check::new(
                "delivery target",
                State::Fail,
                format!(
                    "{target}: {}; deliveries to it are refused before anything is sent",
                    refused.join("; ")
                ),
            )
        });
    }
    checks
}
