//! The ceiling: a bare axum handler that answers `POST /webhook` with `202` and a body
//! shaped like the gateway's, storing nothing. It runs as its own process (this binary's
//! hidden `bare-server` command) so that, like `revops serve`, it does not share a
//! runtime with the load generator.

use axum::{Router, http::StatusCode, routing::post};
use std::{
    io::{BufRead, BufReader, Write},
    net::SocketAddr,
    process::{Child, Command, Stdio},
};

/// The reply, the size of the gateway's `202`.
const REPLY: &str = r#"{"success":true,"message":"Request queued for processing","tracking_id":"00000000-0000-4000-8000-000000000000","queued_at":"2026-11-22T00:00:00.000Z","estimated_processing_time":"30-60 seconds","status":"queued"}"#;

/// Serves the bare handler on 127.0.0.1 and a free port, printing the address on the
/// first line of standard output; runs until killed.
pub async fn serve_forever() -> anyhow::Result<()> {
    let app = Router::new().route(
        "/webhook",
        post(|_body: axum::body::Bytes| async {
            (
                StatusCode::ACCEPTED,
                [("content-type", "application/json")],
                REPLY,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", listener.local_addr()?)?;
    out.flush()?;
    drop(out);
    axum::serve(listener, app).await?;
    Ok(())
}

/// The bare server as a child process; killed on drop.
pub struct BareServer {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl BareServer {
    /// Starts this binary's `bare-server` command and reads its address.
    pub fn start() -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("bare-server")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = match line.trim().parse() {
            Ok(addr) => addr,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!("bare server did not report its address ({e}): {line:?}");
            }
        };
        Ok(Self { child, addr })
    }
}

impl Drop for BareServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
