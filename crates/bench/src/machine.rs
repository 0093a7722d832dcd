//! The machine the figures come from (cores, CPU model, memory, kernel, rustc) and its
//! load: every measurement waits, within a bound, for the 1-minute load average to fall
//! below a threshold so that other work on a shared machine skews it less.

use serde_json::{Value, json};
use std::{fs, process::Command, time::Duration};

/// The 1-minute load average from `/proc/loadavg` (`NaN` when unreadable).
pub fn load_average() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// Waits, polling every 5 s for at most `max_wait`, until the 1-minute load average is
/// below `threshold`; returns the load average when it stopped waiting.
pub async fn wait_for_quiet(threshold: f64, max_wait: Duration) -> f64 {
    let started = tokio::time::Instant::now();
    let mut announced = false;
    loop {
        let load = load_average();
        if load < threshold || started.elapsed() >= max_wait {
            if load >= threshold {
                let _ = crate::console::note(&format!(
                    "load average {load:.2} still >= {threshold} after {:?}: measuring anyway",
                    max_wait
                ));
            }
            return load;
        }
        if !announced {
            let _ = crate::console::note(&format!(
                "waiting for the 1-min load average ({load:.2}) to fall below {threshold} (at most {max_wait:?})"
            ));
            announced = true;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// What a command prints, trimmed (empty when it cannot run).
fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The value of the first `key: value` line of `text` whose key is `key`.
fn field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_owned())
        })
        .unwrap_or_default()
}

/// The machine: cores, CPU model, memory, kernel and rustc version.
pub fn describe() -> Value {
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    json!({
        "nproc": output("nproc", &[]),
        "cpu_model": field(&output("lscpu", &[]), "Model name"),
        "mem_total": field(&meminfo, "MemTotal"),
        "kernel": output("uname", &["-r"]),
        "rustc": output("rustc", &["--version"]),
    })
}
