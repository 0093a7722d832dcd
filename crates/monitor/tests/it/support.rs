//! Shared by the tests: the repository's definitions, parameters, scratch copies.

use revops_monitor::Params;
use std::path::{Path, PathBuf};

/// The topic the tests' alarms notify.
pub const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:revops-alarms";

/// The repository root, where dashboards/, alarms/ and docs/runbook.md are.
pub fn repo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The default parameters with the test topic.
pub fn params() -> Params {
    Params {
        alarm_topic_arn: Some(TOPIC.to_owned()),
        ..Params::default()
    }
}

/// A scratch copy of the repository's definitions, to edit.
pub fn copy_of_repo_definitions() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    for sub in ["dashboards", "alarms", "docs"] {
        let target = scratch.path().join(sub);
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(repo_dir().join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
            }
        }
    }
    scratch
}

/// Replaces `from` by `to` in a file, which must contain it.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}
