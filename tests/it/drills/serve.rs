//! The real `revops serve` for a drill, killed (SIGKILL) when it goes out of scope, so a
//! failing drill leaves no process behind.

use crate::support::binary::RevopsProcess;
use std::path::Path;

/// A running `revops serve`.
pub struct Serve(Option<RevopsProcess>);

impl Serve {
    /// Starts `revops serve` on port 0 and `data_dir`.
    pub fn start(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        Self(Some(RevopsProcess::spawn(data_dir, env)))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        self.0.as_ref().unwrap().base.clone()
    }

    /// SIGKILL now, and wait until the process is gone.
    pub fn kill_9(&mut self) {
        if let Some(mut process) = self.0.take() {
            process.child.kill().unwrap();
            process.child.wait().unwrap();
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut process) = self.0.take() {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }
}

pub use crate::support::status;
