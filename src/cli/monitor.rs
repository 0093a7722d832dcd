//! `revops monitor validate | diff | apply [--prune]`: the dashboards and alarms under
//! `dashboards/` and `alarms/` (of the current directory, or `--dir`), checked against
//! the metric catalog built into the binary, compared with CloudWatch, and applied;
//! `revops monitor test | evaluate` (in `monitor_eval`) show what the alarms would do.

use super::common::runtime;
use super::monitor_eval::{EvaluateArgs, TestArgs};
use clap::{Args, Subcommand};
use revops_monitor::account::Account;
use revops_monitor::validate::{Validated, validate_dir};
use revops_monitor::{DesiredState, Params, Plan};
use std::io::Write;
use std::path::PathBuf;

/// `revops monitor`'s subcommands.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    #[command(subcommand)]
    action: MonitorAction,
}

#[derive(Debug, Subcommand)]
enum MonitorAction {
    /// Check every definition: schema, periods, thresholds, metrics, runbook entries.
    Validate(ValidateArgs),
    /// Show what `apply` would change in the account.
    Diff(AccountArgs),
    /// Put the dashboards and alarms; with --prune, delete owned alarms no longer defined.
    Apply {
        #[command(flatten)]
        account: AccountArgs,
        /// Also delete alarms named `revops-<stage>-…` that the definitions no longer hold.
        #[arg(long)]
        prune: bool,
    },
    /// Run the alarm tests beside the definitions (alarms/tests/*.json): synthetic
    /// series in, expected alarm states out; exit 1 naming each failed case.
    Test(TestArgs),
    /// Every alarm's state as CloudWatch would compute it from EMF lines at a time.
    Evaluate(EvaluateArgs),
}

/// The parameters every definition may use.
#[derive(Debug, Args)]
pub(super) struct DefinitionArgs {
    /// Directory holding dashboards/, alarms/ and docs/runbook.md.
    #[arg(long, default_value = ".")]
    pub(super) dir: PathBuf,
    /// Deployment stage; alarms are named `revops-<stage>-…`.
    #[arg(long, env = "REVOPS_STAGE", default_value = "prod")]
    stage: String,
    /// AWS region of the dashboards and of the account.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
    /// Namespace of the code's EMF metrics.
    #[arg(
        long,
        env = "REVOPS_METRICS_NAMESPACE",
        default_value = "RevOps/WebhookGateway"
    )]
    pub(super) namespace: String,
    /// The gateway function's name.
    #[arg(long, default_value = "prod-revops-webhook-gateway")]
    gateway_function: String,
    /// The processor function's name.
    #[arg(long, default_value = "revops-webhook")]
    processor_function: String,
    /// The agent wrapper function's name.
    #[arg(long, default_value = "revops-manager-agent-wrapper")]
    agent_function: String,
    /// The request queue's name.
    #[arg(long, default_value = "prod-revops-webhook-outbound-queue")]
    queue: String,
    /// The dead-letter queue's name.
    #[arg(long, default_value = "prod-revops-webhook-outbound-dlq")]
    dlq: String,
    /// The functions' timeout in seconds.
    #[arg(long, default_value_t = 900)]
    function_timeout: u32,
    /// Where the runbook is published; alarm descriptions link `<url>#<entry>`.
    #[arg(long, env = "REVOPS_RUNBOOK_URL", default_value = "docs/runbook.md")]
    runbook_url: String,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    #[command(flatten)]
    definitions: DefinitionArgs,
    /// SNS topic ARN the alarms notify (a placeholder is checked when absent).
    #[arg(long, env = "REVOPS_ALARM_TOPIC_ARN")]
    alarm_topic_arn: Option<String>,
}

#[derive(Debug, Args)]
struct AccountArgs {
    #[command(flatten)]
    definitions: DefinitionArgs,
    /// SNS topic ARN the alarms notify.
    #[arg(long, env = "REVOPS_ALARM_TOPIC_ARN")]
    alarm_topic_arn: String,
}

impl DefinitionArgs {
    pub(super) fn params(&self, alarm_topic_arn: Option<String>) -> Params {
        Params {
            stage: self.stage.clone(),
            region: self.region.clone(),
            namespace: self.namespace.clone(),
            alarm_topic_arn,
            gateway_function: self.gateway_function.clone(),
            processor_function: self.processor_function.clone(),
            agent_function: self.agent_function.clone(),
            queue: self.queue.clone(),
            dlq: self.dlq.clone(),
            function_timeout_seconds: self.function_timeout,
            runbook_url: self.runbook_url.clone(),
        }
    }
}

/// Runs `revops monitor …`.
pub fn run(args: MonitorArgs) -> anyhow::Result<()> {
    match args.action {
        MonitorAction::Validate(args) => {
            let params = args.definitions.params(args.alarm_topic_arn.clone());
            let validated = validate(&args.definitions.dir, &params)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", summary(&validated, &args.definitions.dir))?;
            if args.alarm_topic_arn.is_none() {
                writeln!(
                    out,
                    "  (no --alarm-topic-arn: alarm actions were checked with a placeholder topic)"
                )?;
            }
            Ok(())
        }
        MonitorAction::Diff(args) => {
            let (account, desired) = prepare(&args)?;
            let plan = runtime()?.block_on(async {
                let actual = account.read(&desired).await?;
                anyhow::Ok(Plan::new(&desired, &actual))
            })?;
            print_lines(&plan.describe(false))
        }
        MonitorAction::Apply {
            account: args,
            prune,
        } => {
            let (account, desired) = prepare(&args)?;
            runtime()?.block_on(async {
                let actual = account.read(&desired).await?;
                let plan = Plan::new(&desired, &actual);
                if plan.is_empty(prune) {
                    let mut lines = plan.describe(prune);
                    lines.push("nothing to change".to_owned());
                    return print_lines(&lines);
                }
                print_lines(&plan.describe(prune))?;
                let calls = account.apply(&plan, prune).await?;
                print_lines(&[format!("applied: {calls} CloudWatch calls")])
            })
        }
        MonitorAction::Test(args) => super::monitor_eval::run_test(&args),
        MonitorAction::Evaluate(args) => super::monitor_eval::run_evaluate(&args),
    }
}

/// Reads, renders and checks the definitions; each problem goes to standard error.
pub(super) fn validate(dir: &std::path::Path, params: &Params) -> anyhow::Result<Validated> {
    validate_dir(dir, params).map_err(|problems| {
        let mut err = std::io::stderr().lock();
        for problem in &problems {
            let _ = writeln!(err, "{problem}");
        }
        anyhow::anyhow!(
            "{} problem{} in the definitions under {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            dir.display()
        )
    })
}

fn summary(validated: &Validated, dir: &std::path::Path) -> String {
    let desired = &validated.desired;
    let widgets: usize = desired
        .dashboards
        .iter()
        .map(|d| d.dashboard_body["widgets"].as_array().map_or(0, Vec::len))
        .sum();
    format!(
        "ok: {} dashboard{} ({widgets} widgets), {} metric alarms and {} composite alarms from {} files under {}",
        desired.dashboards.len(),
        if desired.dashboards.len() == 1 {
            ""
        } else {
            "s"
        },
        desired.metric_alarms.len(),
        desired.composite_alarms.len(),
        validated.files,
        dir.display()
    )
}

fn prepare(args: &AccountArgs) -> anyhow::Result<(Account, DesiredState)> {
    let params = args.definitions.params(Some(args.alarm_topic_arn.clone()));
    let validated = validate(&args.definitions.dir, &params)?;
    let account = runtime()?.block_on(Account::from_env(&params.region, params.alarm_prefix()));
    Ok((account, validated.desired))
}

fn print_lines(lines: &[String]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
