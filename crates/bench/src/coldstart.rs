//! Cold start: each Lambda binary (native release build) and the Python 3 + boto3
//! handler, started fresh against a local one-shot Runtime API, several times each:
//! exec → first `GET …/invocation/next`, the first invocation's duration (event handed
//! out → response posted), and peak resident memory (`VmHWM`) after it. Then the
//! binaries' stripped sizes and zipped sizes (`bootstrap` in a zip, as deployed).

use crate::{
    Settings,
    console::{self, Table},
    lambda_cases::{self, Case},
    machine, paths, proc_stats, python, report,
    revops::release_dir,
    runtime_api::RuntimeApi,
};
use serde_json::{Value, json};
use std::{
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};
use tokio::time::Instant;

/// Cold starts per function.
const RUNS: usize = 10;

/// One cold start.
struct Sample {
    init_ms: f64,
    first_invocation_ms: f64,
    hwm_kb: u64,
}

async fn once(case: &Case) -> anyhow::Result<Sample> {
    let api = RuntimeApi::start(case.name, case.event.clone()).await?;
    let (program, args) = case
        .command
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("empty command"))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(case.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let exec = Instant::now();
    let mut child = command.spawn()?;
    let timings = api.wait_done(Duration::from_secs(30)).await;
    let hwm_kb = proc_stats::peak_rss_kb(child.id()).unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    let (Some(first_poll), Some(done)) = (timings.first_poll, timings.done) else {
        anyhow::bail!(
            "{} did not answer its first event: {}",
            case.name,
            timings.body
        );
    };
    Ok(Sample {
        init_ms: first_poll.saturating_duration_since(exec).as_secs_f64() * 1000.0,
        first_invocation_ms: done.saturating_duration_since(first_poll).as_secs_f64() * 1000.0,
        hwm_kb,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The sizes of what `cargo lambda build` left in `<target>/lambda/<function>/bootstrap`,
/// with the architecture read from each ELF header; none if it was not run.
fn cargo_lambda_sizes(target: &Path) -> anyhow::Result<Vec<Value>> {
    let mut table = Table::new(
        "sizes: `cargo lambda build --release` output, zipped as deployed",
        &[
            "binary",
            "architecture",
            "stripped MB",
            "zip (bootstrap) MB",
        ],
    );
    let mut results = Vec::new();
    for name in ["webhook-gateway", "queue-processor", "agent-wrapper"] {
        let path = target.join("lambda").join(name).join("bootstrap");
        let Ok(binary) = std::fs::read(&path) else {
            continue;
        };
        // e_machine, little-endian, at offset 18 of an ELF header.
        let architecture = match binary.get(18..20) {
            Some([0xB7, 0x00]) => "arm64",
            Some([0x3E, 0x00]) => "x86_64",
            _ => "unknown",
        };
        let zip = zipped(target, &path)?;
        table.row(vec![
            name.to_owned(),
            architecture.to_owned(),
            format!("{:.2}", binary.len() as f64 / 1e6),
            format!("{:.2}", zip as f64 / 1e6),
        ]);
        results.push(json!({
            "binary": name,
            "bytes": binary.len(),
            "zip_bytes": zip,
            "target": format!("{architecture} (cargo lambda)"),
        }));
    }
    if results.is_empty() {
        console::note("no `cargo lambda build` output in <target>/lambda: arm64 sizes skipped")?;
    } else {
        table.print()?;
    }
    Ok(results)
}

/// Size in bytes of `binary` zipped alone as `bootstrap` (0 without `zip`), in a scratch
/// directory under `<target>/bench/`.
fn zipped(target: &Path, binary: &Path) -> anyhow::Result<u64> {
    let dir = paths::scratch_dir(target, "zip-")?;
    std::fs::copy(binary, dir.path().join("bootstrap"))?;
    let status = Command::new("zip")
        .current_dir(dir.path())
        .args(["-q", "-9", "bootstrap.zip", "bootstrap"])
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return Ok(0);
    }
    Ok(std::fs::metadata(dir.path().join("bootstrap.zip"))?.len())
}

/// Runs the cold-start benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let load_before = machine::load_average();
    let release = release_dir()?;
    let target = &settings.target;
    let python = python::interpreter(target, "the Python baseline is")?;
    let mut table = Table::new(
        &format!("coldstart: local Runtime API, median of {RUNS} (min in brackets)"),
        &[
            "function",
            "exec → first poll ms",
            "1st invocation ms",
            "VmHWM MB",
            "first invocation",
        ],
    );
    let mut results = Vec::new();
    for case in lambda_cases::cases(&release, python) {
        let load = settings.quiet().await;
        let mut samples = Vec::new();
        for _ in 0..RUNS {
            samples.push(once(&case).await?);
        }
        let init: Vec<f64> = samples.iter().map(|s| s.init_ms).collect();
        let first: Vec<f64> = samples.iter().map(|s| s.first_invocation_ms).collect();
        let hwm = samples.iter().map(|s| s.hwm_kb).max().unwrap_or(0);
        let (init_min, first_min) = (
            init.iter().copied().fold(f64::INFINITY, f64::min),
            first.iter().copied().fold(f64::INFINITY, f64::min),
        );
        let (init_median, first_median) = (median(init.clone()), median(first.clone()));
        table.row(vec![
            case.name.to_owned(),
            format!("{init_median:.1} ({init_min:.1})"),
            format!("{first_median:.1} ({first_min:.1})"),
            format!("{:.1}", hwm as f64 / 1024.0),
            case.first_invocation.to_owned(),
        ]);
        results.push(json!({
            "function": case.name,
            "load_average_1m": load,
            "runs": RUNS,
            "init_ms": init,
            "init_ms_median": init_median,
            "first_invocation_ms": first,
            "first_invocation_ms_median": first_median,
            "vm_hwm_kb_max": hwm,
            "first_invocation": case.first_invocation,
        }));
    }
    table.print()?;
    let mut sizes = Table::new(
        "sizes: native x86_64 release (profile strips symbols)",
        &["binary", "stripped MB", "zip (bootstrap) MB"],
    );
    let mut size_results: Vec<Value> = Vec::new();
    for name in ["webhook-gateway", "queue-processor", "agent-wrapper"] {
        let path = release.join(name);
        let bytes = std::fs::metadata(&path)?.len();
        let zip = zipped(target, &path)?;
        sizes.row(vec![
            name.to_owned(),
            format!("{:.2}", bytes as f64 / 1e6),
            format!("{:.2}", zip as f64 / 1e6),
        ]);
        size_results.push(
            json!({"binary": name, "bytes": bytes, "zip_bytes": zip, "target": "x86_64 native"}),
        );
    }
    sizes.print()?;
    let lambda_sizes = cargo_lambda_sizes(target)?;
    size_results.extend(lambda_sizes);
    let path = report::record(
        "coldstart",
        settings,
        load_before,
        json!({"cold_starts": results, "sizes": size_results}),
    )?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_is_zipped_in_a_target_that_does_not_exist_yet() {
        let empty = tempfile::tempdir().unwrap();
        let target = empty.path().join("target");
        let binary = empty.path().join("webhook-gateway");
        std::fs::write(&binary, vec![0u8; 64 * 1024]).unwrap();

        let zip_bytes = zipped(&target, &binary).unwrap();

        // 0 when `zip` is not installed; the scratch directory was made either way.
        assert!(zip_bytes < 64 * 1024, "{zip_bytes}");
        let bench = target.join("bench");
        assert!(bench.is_dir());
        let left: Vec<_> = std::fs::read_dir(&bench).unwrap().collect();
        assert!(
            left.is_empty(),
            "the zip- scratch directory is removed: {left:?}"
        );
    }
}
