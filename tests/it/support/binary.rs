//! The real `revops` binary as a child process: `revops serve` on port 0, its address
//! read from the first start-up line.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
};

/// Runs `revops ARGS...` to its end (an operator's command), returning what it printed
/// and its exit status.
pub fn revops(args: &[&str]) -> std::process::Output {
    revops_with(args, &[])
}

/// [`revops`] with extra environment variables.
pub fn revops_with(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_revops"))
        .args(args)
        .env_remove("REVOPS_DATA_DIR")
        .env("LOG_LEVEL", "warn")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A running `revops serve`.
pub struct RevopsProcess {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl RevopsProcess {
    /// Starts `revops serve` on `data_dir` with extra environment variables.
    pub fn spawn(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::spawn_logging_to(data_dir, env, Stdio::null())
    }

    /// Like [`Self::spawn`], with the process's logs (standard error) going to `logs`.
    pub fn spawn_logging_to(data_dir: &Path, env: &[(&str, &str)], logs: Stdio) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_revops"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("LOG_LEVEL", "warn")
            .stdout(Stdio::piped())
            .stderr(logs);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).unwrap();
        // Keep reading, so the process never writes to a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let base = first_line
            .trim()
            .strip_prefix("revops serve: listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        Self { child, base }
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM (a graceful stop), and wait for a clean exit.
    pub fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "revops serve exited with {exit}");
    }
}

impl Drop for RevopsProcess {
    /// A test that panics still leaves no `revops serve` behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
