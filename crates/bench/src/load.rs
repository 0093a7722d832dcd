//! A closed-loop HTTP/1.1 load generator: `connections` tasks, each with its own
//! keep-alive connection, each sending the next request as soon as the last one is
//! answered, for a bounded time and a bounded number of requests. Latencies go to an
//! HDR histogram (microseconds); only requests started after the warm-up count.

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode, client::conn::http1};
use hyper_util::rt::TokioIo;
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::{net::TcpStream, time::Instant};

/// What to send.
#[derive(Clone)]
pub struct Target {
    /// The server.
    pub addr: SocketAddr,
    /// The request path.
    pub path: &'static str,
    /// The JSON body of every request.
    pub body: Bytes,
    /// The status that counts as success.
    pub expect: StatusCode,
}

/// How long and how much.
#[derive(Clone, Copy)]
pub struct Plan {
    /// Concurrent connections.
    pub connections: usize,
    /// Time before measuring starts.
    pub warmup: Duration,
    /// Time measured.
    pub duration: Duration,
    /// At most this many requests in all (warm-up included).
    pub max_requests: u64,
}

/// The outcome of one run.
pub struct LoadResult {
    /// Requests answered with the expected status within the measured window.
    pub ok: u64,
    /// Other statuses and transport errors within the window.
    pub errors: u64,
    /// The measured window's length.
    pub elapsed: Duration,
    /// Latencies of the `ok` requests, in microseconds.
    pub histogram: Histogram<u64>,
}

impl LoadResult {
    /// Successful requests per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// A latency quantile in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        self.histogram.value_at_quantile(q) as f64 / 1000.0
    }
}

/// A histogram for latencies from 1 µs to 5 min, 3 significant digits.
pub fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 300_000_000, 3)?)
}

/// Runs `plan` against `target`.
pub async fn run(target: &Target, plan: Plan) -> anyhow::Result<LoadResult> {
    let start = Instant::now();
    let measure_from = start + plan.warmup;
    let until = measure_from + plan.duration;
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let (target, sent) = (target.clone(), Arc::clone(&sent));
        tasks.push(tokio::spawn(async move {
            connection(target, sent, plan.max_requests, measure_from, until).await
        }));
    }
    let mut histogram = new_histogram()?;
    let (mut ok, mut errors) = (0, 0);
    for task in tasks {
        let (h, o, e) = task.await??;
        histogram.add(h)?;
        ok += o;
        errors += e;
    }
    let elapsed = Instant::now().saturating_duration_since(measure_from);
    Ok(LoadResult {
        ok,
        errors,
        elapsed,
        histogram,
    })
}

/// One connection's loop; reconnects after a transport error, at most 100 times.
async fn connection(
    target: Target,
    sent: Arc<AtomicU64>,
    max_requests: u64,
    measure_from: Instant,
    until: Instant,
) -> anyhow::Result<(Histogram<u64>, u64, u64)> {
    let mut histogram = new_histogram()?;
    let (mut ok, mut errors, mut reconnects) = (0u64, 0u64, 0u32);
    'connect: while reconnects <= 100 && Instant::now() < until {
        reconnects += 1;
        let Ok(stream) = TcpStream::connect(target.addr).await else {
            errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        stream.set_nodelay(true)?;
        let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
        let driver = tokio::spawn(conn);
        loop {
            let now = Instant::now();
            if now >= until || sent.fetch_add(1, Ordering::Relaxed) >= max_requests {
                break 'connect;
            }
            let request = Request::post(target.path)
                .header("host", target.addr.to_string())
                .header("content-type", "application/json")
                .body(Full::new(target.body.clone()))?;
            let counted = now >= measure_from;
            let outcome = async {
                sender.ready().await?;
                let response = sender.send_request(request).await?;
                let status = response.status();
                response.into_body().collect().await?;
                Ok::<_, hyper::Error>(status)
            }
            .await;
            match outcome {
                Ok(status) if status == target.expect => {
                    if counted {
                        let micros = now.elapsed().as_micros();
                        histogram.saturating_record(u64::try_from(micros).unwrap_or(u64::MAX));
                        ok += 1;
                    }
                }
                Ok(_) => errors += u64::from(counted),
                Err(_) => {
                    errors += u64::from(counted);
                    driver.abort();
                    continue 'connect;
                }
            }
        }
    }
    Ok((histogram, ok, errors))
}
