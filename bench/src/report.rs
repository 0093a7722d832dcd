//! Output: a plain-text table on standard output for people, and one JSON object per
//! run appended to `<target>/bench/results.json` (JSON Lines) for machines.

use crate::{Settings, machine};
use serde_json::{Value, json};
use std::{
    fs::{self, OpenOptions},
    io::{self, Write},
    path::PathBuf,
};

/// A table of figures, printed as aligned columns.
pub struct Table {
    title: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with a title and column names.
    pub fn new(title: &str, header: &[&str]) -> Self {
        Self {
            title: title.to_owned(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds one row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Writes the table to standard output.
    pub fn print(&self) -> io::Result<()> {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(String::len).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let mut out = io::stdout().lock();
        writeln!(out, "\n## {}", self.title)?;
        writeln!(out, "{}", line(&self.header))?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(out, "{}", rule.join("-|-"))?;
        for row in &self.rows {
            writeln!(out, "{}", line(row))?;
        }
        out.flush()
    }
}

/// Writes a note line to standard output.
pub fn note(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// The target directory: `CARGO_TARGET_DIR` when set, else `target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// Appends one run's results, with the time, the machine, the load average before it
/// and the harness's options that change what is measured (`--serve-env`,
/// `--fast-only`), to `<target>/bench/results.json`.
pub fn record(
    bench: &str,
    settings: &Settings,
    load_before: f64,
    results: Value,
) -> anyhow::Result<PathBuf> {
    let dir = target_dir().join("bench");
    fs::create_dir_all(&dir)?;
    let path = dir.join("results.json");
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
