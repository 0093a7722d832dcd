//! Where the harness reads and writes. The target directory is `CARGO_TARGET_DIR` when
//! set, else `target`; the harness reads `lambda/` and `tools-venv/` from it, and writes
//! only under `<target>/bench/`: `results.json` and scratch directories. [`bench_dir`]
//! is the one place that folder is made, before anything is written to it, so every
//! command works as the first one on a fresh clone.

use std::{
    fs, io,
    path::{Path, PathBuf},
};
use tempfile::TempDir;

/// The target directory: `CARGO_TARGET_DIR` when set, else `target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// `<target>/bench/`, made (with its parents) if it does not exist yet.
pub fn bench_dir(target: &Path) -> io::Result<PathBuf> {
    let dir = target.join("bench");
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A fresh scratch directory, `<target>/bench/<prefix>…`, removed when dropped.
pub fn scratch_dir(target: &Path, prefix: &str) -> io::Result<TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(bench_dir(target)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_directory_can_be_made_in_a_target_that_does_not_exist_yet() {
        let empty = tempfile::tempdir().unwrap();
        let target = empty.path().join("target");

        let scratch = scratch_dir(&target, "run-").unwrap();

        assert_eq!(
            scratch.path().parent(),
            Some(target.join("bench").as_path())
        );
        fs::write(scratch.path().join("serve.log"), "written").unwrap();
        let name = scratch.path().file_name().unwrap().to_string_lossy();
        assert!(name.starts_with("run-"), "{name}");
        let path = scratch.path().to_owned();
        drop(scratch);
        assert!(
            !path.exists(),
            "a scratch directory is removed when dropped"
        );
        assert!(target.join("bench").is_dir(), "the bench folder stays");
    }
}
