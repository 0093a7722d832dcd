//! A moto server (the AWS emulator from PyPI) for the tests, on 127.0.0.1 and a free
//! port, one per test binary, and an `SdkConfig` pointed at it.
//!
//! `moto_server` is taken from `MOTO_SERVER` if set, else from
//! `<workspace>/target/moto-venv/bin/moto_server`. When that venv is missing, it is
//! created (`python3 -m venv …` and `pip install 'moto[server]==5.2.5'`) under an
//! exclusive file lock, so several test binaries do not install at once. CI can run the
//! same two commands beforehand.
//!
//! The server runs under a small shell that ends it when the test process's end of its
//! standard input closes, which happens however the test process ends (even on
//! SIGKILL), so no server outlives its tests.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sqs::config::Credentials;
use std::{
    fs::File,
    io::Write,
    net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

/// The moto version the tests install.
const MOTO_VERSION: &str = "5.2.5";
/// How long a server may take to answer after starting.
const START_WITHIN: Duration = Duration::from_secs(60);

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
            .region(Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await
    }
}

/// This test binary's moto server, started on first use.
pub fn moto() -> &'static Moto {
    static SERVER: OnceLock<Moto> = OnceLock::new();
    SERVER.get_or_init(|| {
        let program = moto_server();
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

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `moto_server` to run, installed first if need be.
fn moto_server() -> PathBuf {
    if let Some(program) = std::env::var_os("MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(program);
    }
    let target = workspace().join("target");
    let venv = target.join("moto-venv");
    let program = venv.join("bin").join("moto_server");
    let installed = venv.join(format!(".installed-{MOTO_VERSION}"));
    if installed.exists() {
        return program;
    }
    std::fs::create_dir_all(&target).expect("create target/");
    let lock = File::create(target.join("moto-venv.lock")).expect("create the install lock");
    lock.lock().expect("take the install lock");
    if !installed.exists() {
        install(&venv, &installed);
    }
    drop(lock);
    program
}

/// Creates the venv and installs moto into it.
fn install(venv: &Path, installed: &Path) {
    eprintln!(
        "installing moto[server]=={MOTO_VERSION} into {}",
        venv.display()
    );
    let run = |command: &mut Command| {
        let status = command.status().expect("run the moto install");
        assert!(status.success(), "{command:?} failed: {status}");
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(venv));
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("moto[server]=={MOTO_VERSION}")));
    let mut marker = File::create(installed).expect("write the install marker");
    writeln!(marker, "moto[server]=={MOTO_VERSION}").expect("write the install marker");
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
