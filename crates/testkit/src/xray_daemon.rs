//! A stand-in for the X-Ray daemon on loopback: a UDP socket that takes datagrams as
//! AWS's ADOT X-Ray UDP span exporters write them (the line `{"format":"json","version":1}`,
//! `T1S`, then the base64 of an OTLP `ExportTraceServiceRequest`), decodes each one, and
//! keeps every span and every datagram's size. A datagram in any other form fails the
//! test that sent it, through [`XrayDaemon::errors`]. It reads on a thread of its own,
//! as the daemon is a process of its own: a test blocked on a flush cannot stop it from
//! draining its socket.

use crate::otlp::{SeenSpan, seen_spans};
use base64::{Engine, engine::general_purpose::STANDARD};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use std::{
    net::{SocketAddr, UdpSocket},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::Duration,
};

/// The header line of every datagram.
const HEADER: &[u8] = b"{\"format\":\"json\",\"version\":1}\n";
/// The marker of sampled spans.
const SAMPLED: &[u8] = b"T1S";

/// What the daemon has seen.
#[derive(Debug, Default)]
struct Seen {
    spans: Vec<SeenSpan>,
    datagram_sizes: Vec<usize>,
    errors: Vec<String>,
}

/// The socket's receive buffer: room for a burst of full datagrams while the reading
/// thread is not yet scheduled (the kernel's default, about 208 KiB, holds three).
const RECEIVE_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// How often the reading thread checks whether it should stop.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// The daemon; stops listening when dropped.
pub struct XrayDaemon {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl XrayDaemon {
    /// Starts listening on a free UDP port of 127.0.0.1.
    pub async fn start() -> Self {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
        socket.set_recv_buffer_size(RECEIVE_BUFFER_BYTES).unwrap();
        socket
            .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .unwrap();
        let socket = UdpSocket::from(socket);
        socket.set_read_timeout(Some(STOP_CHECK)).unwrap();
        let addr = socket.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::Builder::new()
                .name("xray-daemon".into())
                .spawn(move || listen(&socket, &seen, &stop))
                .unwrap()
        };
        Self {
            addr,
            seen,
            stop,
            reader: Some(reader),
        }
    }

    /// The address, as `AWS_XRAY_DAEMON_ADDRESS` takes it.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<SeenSpan> {
        self.seen.lock().unwrap().spans.clone()
    }

    /// The spans received so far that belong to the trace `trace_id` (hex).
    pub fn trace(&self, trace_id: &str) -> Vec<SeenSpan> {
        self.spans()
            .into_iter()
            .filter(|span| span.trace_id == trace_id)
            .collect()
    }

    /// The size of each datagram received, in bytes.
    pub fn datagram_sizes(&self) -> Vec<usize> {
        self.seen.lock().unwrap().datagram_sizes.clone()
    }

    /// What was wrong with each datagram that was not in the exporters' form.
    pub fn errors(&self) -> Vec<String> {
        self.seen.lock().unwrap().errors.clone()
    }
}

impl Drop for XrayDaemon {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

fn listen(socket: &UdpSocket, seen: &Mutex<Seen>, stop: &AtomicBool) {
    let mut buffer = vec![0u8; 65_536];
    while !stop.load(Ordering::Relaxed) {
        let Ok((len, _)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        let decoded = decode(&buffer[..len]);
        let mut seen = seen.lock().unwrap();
        seen.datagram_sizes.push(len);
        match decoded {
            Ok(request) => seen.spans.extend(seen_spans(&request)),
            Err(error) => seen.errors.push(error),
        }
    }
}

/// The request inside one datagram, or what is wrong with it.
pub fn decode(datagram: &[u8]) -> Result<ExportTraceServiceRequest, String> {
    let body = datagram
        .strip_prefix(HEADER)
        .ok_or("the datagram does not start with the header line")?;
    let encoded = body
        .strip_prefix(SAMPLED)
        .ok_or("the header is not followed by T1S")?;
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|e| format!("the body is not base64: {e}"))?;
    ExportTraceServiceRequest::decode(bytes.as_slice())
        .map_err(|e| format!("the body is not an OTLP ExportTraceServiceRequest: {e}"))
}
