//! The record for machines: one JSON object per run appended to
//! `<target>/bench/results.json` (JSON Lines), with the machine it ran on.

use crate::{Settings, machine, paths};
use serde_json::{Value, json};
use std::{fs::OpenOptions, io::Write, path::PathBuf};

/// Appends one run's results, with the time, the machine, the load average before it
/// and the harness's options that change what is measured (`--serve-env`,
/// `--fast-only`), to `<target>/bench/results.json` (the target being
/// [`Settings::target`]); returns that file's path.
pub fn record(
    bench: &str,
    settings: &Settings,
    load_before: f64,
    results: Value,
) -> anyhow::Result<PathBuf> {
    let path = paths::bench_dir(&settings.target)?.join("results.json");
    let entry = json!({
        "bench": bench,
        "at": chrono::Utc::now().to_rfc3339(),
        "load_average_1m_before": load_before,
        "serve_env": settings
            .serve_env
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>(),
        "fast_only": settings.fast_only,
        "machine": machine::describe(),
        "results": results,
    });
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    writeln!(file, "{entry}")?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_recorded_in_a_target_that_does_not_exist_yet() {
        let empty = tempfile::tempdir().unwrap();
        let settings = Settings::for_tests(empty.path().join("target"));

        let first = record("coldstart", &settings, 0.5, json!({"n": 1})).unwrap();
        let second = record("ingest", &settings, 0.5, json!({"n": 2})).unwrap();

        assert_eq!(first, settings.target.join("bench/results.json"));
        assert_eq!(second, first);
        let text = std::fs::read_to_string(&first).unwrap();
        let benches: Vec<String> = text
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["bench"].to_string())
            .collect();
        assert_eq!(benches, [r#""coldstart""#, r#""ingest""#]);
    }
}
