//! A moto server (the AWS emulator from PyPI) for the tests, on 127.0.0.1 and a free
//! port, one per test binary, and an `SdkConfig` pointed at it.
//!
//! Where `moto_server` comes from is the `install` module's concern. The server runs under a
//! small shell that ends it when the test process's end of its standard input closes,
//! which happens however the test process ends (even on SIGKILL), so no server outlives
//! its tests.

mod install;

pub use install::MOTO_VERSION;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use std::{
    net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream},
    path::Path,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

/// How long a server may take to answer after starting.
const START_WITHIN: Duration = Duration::from_secs(60);

/// The region every test client uses.
pub const REGION: &str = "us-east-1";

/// A running moto server.
pub struct Moto {
    endpoint: String,
    /// The shell that runs the server; it ends the server when `stdin` closes.
    _child: Mutex<(Child, ChildStdin)>,
}

impl Moto {
    /// The server's URL (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A configuration for SDK clients that talk to this server: region us-east-1 and
    /// static dummy credentials. Build one per test: the SDK's connection pool belongs
    /// to the runtime that made it.
    pub async fn config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await
    }
}

/// This test binary's moto server, started on first use (blocking until it answers).
pub fn moto() -> &'static Moto {
    static SERVER: OnceLock<Moto> = OnceLock::new();
    SERVER.get_or_init(|| {
        let program = install::moto_server();
        let mut last_error = String::new();
        for _ in 0..3 {
            match start(&program) {
                Ok(server) => return server,
                Err(error) => last_error = error,
            }
        }
        panic!("moto_server did not start: {last_error}");
    })
}

/// A free port on loopback (free when asked; the server takes it a moment later).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("find a free port")
        .port()
}

/// Starts `program` on a free port and waits until it accepts connections.
fn start(program: &Path) -> Result<Moto, String> {
    let port = free_port();
    // The shell starts the server and ends with it; a watcher ends the server once the
    // shell's standard input closes (the test process ended, or dropped the handle).
    let script = r#"exec 3<&0
"$0" -H 127.0.0.1 -p "$1" </dev/null >/dev/null 2>&1 3<&- &
pid=$!
(cat <&3 >/dev/null; kill "$pid" 2>/dev/null) &
exec 3<&-
wait "$pid""#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(program)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let stdin = child
        .stdin
        .take()
        .ok_or("no stdin for the server's shell")?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + START_WITHIN;
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(Moto {
                endpoint: format!("http://{address}"),
                _child: Mutex::new((child, stdin)),
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{} exited: {status}", program.display()));
        }
        if Instant::now() >= deadline {
            drop(stdin);
            let _ = child.wait();
            return Err(format!("no answer on {address} within {START_WITHIN:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
