//! `revops serve` as a child process: the release binary next to this one, on a fresh
//! data directory under `<target>/bench/`, on a free loopback port, with only the
//! variables a benchmark sets (plus `PATH`). Killed, and its directory removed, on drop.

use crate::{
    Settings, paths,
    servers::{self, Arrivals, Server},
};
use std::sync::Arc;
use std::{
    fs::File,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};
use tokio::time::Instant;

/// The body every benchmark posts: the seed's example.
pub const SEED_REQUEST: &str = r#"{"source_process":"test_system","timestamp":"2025-08-13T06:30:00Z","source_system":"external_app","query":"What is the deal status for IXIS?"}"#;

/// The signing secret deliveries use (the README's example).
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A release binary built next to this one (`target/release/NAME`).
pub fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| anyhow::anyhow!("no directory for {}", exe.display()))?;
    let path = dir.join(name);
    anyhow::ensure!(
        path.exists(),
        "{} not built: cargo build --release -p revops -p revops-functions",
        path.display()
    );
    Ok(path)
}

/// The directory of the release binaries (`target/release`, where this one is), checked
/// to hold the Lambda binaries.
pub fn release_dir() -> anyhow::Result<PathBuf> {
    sibling_binary("webhook-gateway")?
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow::anyhow!("no release directory"))
}

/// A running `revops serve`.
pub struct Revops {
    child: Child,
    /// Where its API listens.
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Revops {
    /// Starts it with the harness's `--serve-env` variables and then `env`, and waits
    /// (up to 30 s) until `/healthz` answers.
    pub async fn start(settings: &Settings, env: &[(&str, String)]) -> anyhow::Result<Self> {
        let binary = sibling_binary("revops")?;
        let dir = paths::scratch_dir(&settings.target, "run-")?;
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = File::create(dir.path().join("serve.log"))?;
        let child = Command::new(binary)
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(settings.serve_env.iter().map(|(k, v)| (k, v)))
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        let revops = Self { child, addr, dir };
        revops.wait_healthy(Duration::from_secs(30)).await?;
        Ok(revops)
    }

    async fn wait_healthy(&self, timeout: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let url = format!("http://{}/healthz", self.addr);
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let log = std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default();
        anyhow::bail!("revops serve did not become healthy: {log}")
    }

    /// `revops serve` signing its webhooks to a fast receiver (its arrivals returned),
    /// with `extra` variables.
    pub async fn signing_to_fast_receiver(
        settings: &Settings,
        extra: &[(&str, String)],
    ) -> anyhow::Result<(Self, Server, Arc<Arrivals>)> {
        let arrivals = Arc::new(Arrivals::default());
        let receiver = servers::receiver(Arc::clone(&arrivals), Duration::ZERO).await?;
        let mut env = vec![
            ("WEBHOOK_URL", format!("http://{}/hook", receiver.addr)),
            ("WEBHOOK_SECRET", SECRET.to_owned()),
        ];
        env.extend(extra.iter().cloned());
        Ok((Self::start(settings, &env).await?, receiver, arrivals))
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The URL of `POST /webhook`.
    pub fn webhook_url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }
}

impl Drop for Revops {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
