//! The Python 3 + boto3 baseline: the interpreter (a venv's, with boto3) and the programs
//! it runs, each a handler from `crates/bench/python/` followed by the Runtime API loop
//! the managed Python runtime would run it under.

use crate::console;
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// The Runtime API loop every handler runs under.
const RUNTIME: &str = include_str!("../python/lambda_runtime.py");

/// The program for `role` (`webhook-gateway`, `queue-processor`, `agent-wrapper`): its
/// handler, then the loop.
pub fn program(role: &str) -> String {
    let handler = match role {
        "webhook-gateway" => include_str!("../python/gateway.py"),
        "queue-processor" => include_str!("../python/processor.py"),
        _ => include_str!("../python/agent_wrapper.py"),
    };
    format!("{handler}\n{RUNTIME}")
}

/// A venv's Python with `boto3`: `<target>/tools-venv`'s, else the tests' moto venv
/// (`<target>/moto-venv`, where moto brings boto3). Without either, says that the
/// `rows` are skipped and how to get them.
pub fn interpreter(target: &Path, rows: &str) -> anyhow::Result<Option<PathBuf>> {
    let found = ["tools-venv", "moto-venv"]
        .into_iter()
        .map(|venv| target.join(venv).join("bin/python"))
        .find(|python| {
            Command::new(python)
                .args(["-c", "import boto3"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    if found.is_none() {
        console::note(&format!(
            "no boto3 in <target>/tools-venv or <target>/moto-venv: {rows} skipped (python3 -m venv <target>/tools-venv && <target>/tools-venv/bin/pip install boto3)"
        ))?;
    }
    Ok(found)
}
