//! What the soak run measures every window: deliveries per second, the p99 end-to-end
//! latency of the deliveries that arrived in it (from when each `POST` was due), the
//! server's resident memory, the data directory's size and, within it, the database's.

use std::path::Path;

/// One window's figures.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Seconds since the run began, at the window's end.
    pub at_seconds: f64,
    /// Deliveries per second in the window.
    pub deliveries_per_second: f64,
    /// p99 end-to-end latency of the window's deliveries, in milliseconds.
    pub p99_ms: f64,
    /// The server's resident set (VmRSS), in MB.
    pub rss_mb: f64,
    /// The data directory's size, in MB.
    pub data_mb: f64,
    /// The database file and its write-ahead log, in MB.
    pub database_mb: f64,
}

impl Sample {
    /// The figures as JSON, for the results file.
    pub fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "at_seconds": self.at_seconds,
            "deliveries_per_second": self.deliveries_per_second,
            "p99_ms": self.p99_ms,
            "rss_mb": self.rss_mb,
            "data_mb": self.data_mb,
            "database_mb": self.database_mb,
        })
    }
}

/// The resident set of process `pid`, in MB (0 when it cannot be read).
pub fn rss_mb(pid: u32) -> f64 {
    crate::proc_stats::rss_kb(pid).map_or(0.0, |kb| kb as f64 / 1024.0)
}

/// The bytes of every file under `dir`, in MB.
pub fn size_mb(dir: &Path) -> f64 {
    fn bytes(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| match entry.metadata() {
                Ok(metadata) if metadata.is_dir() => bytes(&entry.path()),
                Ok(metadata) => metadata.len(),
                Err(_) => 0,
            })
            .sum()
    }
    bytes(dir) as f64 / 1_048_576.0
}

/// The database file in `data_dir` and its write-ahead log, in MB (0 for what is not
/// there).
pub fn database_mb(data_dir: &Path) -> f64 {
    let file = data_dir.join(revops_local::host::DATABASE_FILE);
    let wal = data_dir.join(format!("{}-wal", revops_local::host::DATABASE_FILE));
    [file, wal]
        .iter()
        .map(|path| std::fs::metadata(path).map_or(0, |m| m.len()))
        .sum::<u64>() as f64
        / 1_048_576.0
}

/// The median of `pick` over `samples` (0 for none).
pub fn median(samples: &[Sample], pick: fn(&Sample) -> f64) -> f64 {
    let mut values: Vec<f64> = samples.iter().map(pick).collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The mean of `pick` over `samples` (0 for none).
pub fn mean(samples: &[Sample], pick: fn(&Sample) -> f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.iter().map(pick).sum::<f64>() / samples.len() as f64
}

/// The largest of `pick` over `samples` (0 for none).
pub fn max(samples: &[Sample], pick: fn(&Sample) -> f64) -> f64 {
    samples.iter().map(pick).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_set_and_a_directory_its_files_sizes() {
        assert!(rss_mb(std::process::id()) > 1.0);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a"), vec![0_u8; 1_048_576]).unwrap();
        std::fs::write(dir.path().join("b"), vec![0_u8; 524_288]).unwrap();
        assert!((size_mb(dir.path()) - 1.5).abs() < 1e-9);
    }

    #[test]
    fn the_database_is_its_file_and_its_write_ahead_log() {
        let dir = tempfile::tempdir().unwrap();
        assert!(database_mb(dir.path()).abs() < 1e-9);
        let file = dir.path().join(revops_local::host::DATABASE_FILE);
        std::fs::write(&file, vec![0_u8; 1_048_576]).unwrap();
        std::fs::write(file.with_extension("sqlite-wal"), vec![0_u8; 524_288]).unwrap();
        std::fs::write(dir.path().join("outbox.jsonl"), vec![0_u8; 524_288]).unwrap();
        assert!((database_mb(dir.path()) - 1.5).abs() < 1e-9);
    }
}
