//! A compiled Lambda function as a child process, pointed at a [`RuntimeApi`]:
//! `AWS_LAMBDA_RUNTIME_API`, the function's name, memory size and version, the region
//! and dummy credentials are set, nothing else is inherited but `PATH` and
//! `RUST_BACKTRACE`, and the test's extra variables come last. Standard output (EMF
//! lines) and standard error (logs) are kept line by line for assertions.
//!
//! The process is killed when the handle drops. Should the test process die first (even
//! by SIGKILL), the function's next poll of the Runtime API fails and the runtime ends
//! the process: at once when it is idle, within the export timeout when it is still
//! flushing spans to a receiver that went away.

use crate::{moto::REGION, runtime_api::RuntimeApi};
use std::{
    ffi::OsStr,
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex, PoisonError},
    thread::JoinHandle,
};

/// The memory size the functions are told they have.
pub const MEMORY_SIZE_MB: u32 = 512;

/// Lines a process wrote.
type Lines = Arc<Mutex<Vec<String>>>;

/// A running function; killed on drop.
pub struct LambdaProcess {
    name: String,
    child: Mutex<Child>,
    stdout: Lines,
    stderr: Lines,
    readers: Vec<JoinHandle<()>>,
}

impl LambdaProcess {
    /// Starts `program` as the function `runtime` serves, with `env` on top of the
    /// Lambda environment.
    pub fn spawn<K, V>(
        program: &Path,
        runtime: &RuntimeApi,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", runtime.runtime_api())
            .env("AWS_LAMBDA_FUNCTION_NAME", runtime.function_name())
            .env(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                MEMORY_SIZE_MB.to_string(),
            )
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", REGION)
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_SESSION_TOKEN", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for inherited in ["PATH", "RUST_BACKTRACE"] {
            if let Some(value) = std::env::var_os(inherited) {
                command.env(inherited, value);
            }
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let (stdout, stderr) = (Lines::default(), Lines::default());
        let readers = vec![
            keep_lines(child.stdout.take().unwrap(), Arc::clone(&stdout)),
            keep_lines(child.stderr.take().unwrap(), Arc::clone(&stderr)),
        ];
        Self {
            name: runtime.function_name().to_owned(),
            child: Mutex::new(child),
            stdout,
            stderr,
            readers,
        }
    }

    /// The lines written to standard output so far (EMF metrics).
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// The lines written to standard error so far (logs).
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The logs so far as one text, named after the function, for failure messages.
    pub fn logs(&self) -> String {
        format!(
            "--- {} stderr ---\n{}",
            self.name,
            self.stderr_lines().join("\n")
        )
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        let mut child = self.child.lock().unwrap();
        matches!(child.try_wait(), Ok(None)).then(|| child.id())
    }

    /// The exit status, if the process has ended.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.child.lock().unwrap().try_wait().ok().flatten()
    }
}

impl Drop for LambdaProcess {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

/// Reads `pipe` to its end on a thread, one line at a time, into `lines`.
fn keep_lines(pipe: impl Read + Send + 'static, lines: Lines) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            match line {
                Ok(line) => lines.lock().unwrap().push(line),
                Err(_) => break,
            }
        }
    })
}
