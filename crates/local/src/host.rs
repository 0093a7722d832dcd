//! Assembles and runs the local host: opens the data directory (one process at a time),
//! the database, the queue and the store; picks the deliverer; serves the gateway's router
//! and runs the worker pool, the retention sweep and the disk space watch until told to
//! stop. The pool may run on a runtime of its own
//! (`revops serve` gives it threads of lower priority, so that accepting requests comes
//! first when both compete for the cores).

use crate::{
    Database, LocalConfig, SqliteStore,
    archive::FileArchive,
    disk_space::DiskWatch,
    outbox::{OUTBOX_FILE, OutboxDeliverer},
    queue_pair,
    retention::{self, SWEEP_EVERY},
    schema::SCHEMA,
    workers::{PoolConfig, run_pool},
};
use anyhow::Context;
use revops_core::{
    Clock, SystemClock,
    config::PipelineSettings,
    flows::{DeliveryTargets, Pipeline, ProcessorParts},
    ports::{Agent, Deliverer},
};
use revops_delivery::HttpDeliverer;
use revops_gateway::ApiOptions;
use revops_telemetry::{Telemetry, emf::FileSink};
use std::{
    fs::File,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
};
use tokio::{net::TcpListener, runtime::Handle, task::JoinHandle};
use tokio_util::sync::CancellationToken;

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "revops.sqlite";
/// The lock file that keeps a second process off the same data directory.
pub const LOCK_FILE: &str = "revops.lock";
/// The EMF metrics file inside the data directory.
pub const METRICS_FILE: &str = "metrics.emf.jsonl";

/// Where webhooks go, for the start-up lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryMode {
    /// To the configured URLs.
    Http(Vec<String>),
    /// Appended to this file (no URL configured).
    Outbox(PathBuf),
}

/// A running local host.
pub struct LocalHost {
    addr: SocketAddr,
    data_dir: PathBuf,
    delivery: DeliveryMode,
    released: usize,
    inbound_auth: bool,
    shutdown: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    pool: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    disk_watch: JoinHandle<()>,
    _lock: File,
}

impl LocalHost {
    /// Starts the host with `agent` answering, the workers on the current runtime.
    pub async fn start(config: LocalConfig, agent: Arc<dyn Agent>) -> anyhow::Result<Self> {
        Self::start_with_workers_on(config, agent, Handle::current()).await
    }

    /// Starts the host with `agent` answering, the workers on the runtime of `workers`.
    pub async fn start_with_workers_on(
        config: LocalConfig,
        agent: Arc<dyn Agent>,
        workers: Handle,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
        let lock = lock_data_dir(&config.data_dir)?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let db =
            Database::open(&config.data_dir.join(DATABASE_FILE), &SCHEMA).with_context(|| {
                format!("cannot open the database in {}", config.data_dir.display())
            })?;
        let (producer, queue) = queue_pair(db.clone(), clock.clone(), config.pipeline.max_receives);
        let released = queue
            .release_in_flight()
            .await
            .context("cannot recover the messages of the previous run")?;
        let store = SqliteStore::new(db.clone());
        store
            .release_all_leases()
            .await
            .context("cannot release the leases of the previous run")?;

        let metrics_path = config.data_dir.join(METRICS_FILE);
        let sink = FileSink::open(&metrics_path)
            .with_context(|| format!("cannot open {}", metrics_path.display()))?;
        let telemetry = Telemetry::new(
            "gateway",
            config.pipeline.metrics_namespace.clone(),
            Arc::new(sink),
        );
        let retention = config.pipeline.retention;
        sweep(&db, &config.data_dir, retention)
            .await
            .context("cannot sweep what is past REVOPS_RETENTION")?;
        let receivers = Arc::new(store.clone());
        let pipeline = Pipeline::new(Arc::new(store), clock, telemetry);
        let (deliverer, targets, delivery) = deliverer_for(&config.pipeline, &config.data_dir)?;
        let settings = PipelineSettings {
            targets,
            ..config.pipeline.clone()
        };
        let processor = pipeline.processor(
            &settings,
            ProcessorParts {
                agent,
                deliverer,
                consumer: Arc::new(queue.clone()),
                archive: Arc::new(FileArchive::new(&config.data_dir)),
                receivers,
                lease: config.visibility_timeout,
            },
        );
        let options = ApiOptions::from_settings(
            &config.inbound_auth,
            !config.listen.ip().is_loopback(),
            pipeline.store().clone(),
            config.rate_limit.clone(),
        )?;
        let mut disk_watch = DiskWatch::new(
            config.data_dir.clone(),
            config.min_free_disk,
            options.admission.clone(),
        );
        disk_watch.check();
        let inbound_auth = options.auth.is_on();
        let gateway = pipeline.gateway(Arc::new(producer));

        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let server = tokio::spawn({
            let stop = shutdown.clone().cancelled_owned();
            let app = revops_gateway::router(gateway, options);
            async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stop)
                    .await
            }
        });
        let disk_watch = tokio::spawn(disk_watch.run(shutdown.clone()));
        let sweeper = tokio::spawn({
            let (stop, data_dir) = (shutdown.clone(), config.data_dir.clone());
            async move {
                loop {
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(SWEEP_EVERY) => {}
                    }
                    if let Err(error) = sweep(&db, &data_dir, retention).await {
                        tracing::warn!(%error, "the retention sweep failed; the next one tries again");
                    }
                }
            }
        });
        let pool = workers.spawn(run_pool(
            processor,
            queue,
            PoolConfig {
                workers: config.workers,
                visibility_timeout: config.visibility_timeout,
                shutdown_grace: config.shutdown_grace,
            },
            shutdown.clone(),
        ));
        Ok(Self {
            addr,
            data_dir: config.data_dir,
            delivery,
            released,
            inbound_auth,
            shutdown,
            server,
            pool,
            sweeper,
            disk_watch,
            _lock: lock,
        })
    }

    /// The address the HTTP API listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where webhooks go.
    pub fn delivery(&self) -> &DeliveryMode {
        &self.delivery
    }

    /// Whether inbound authentication is on.
    pub fn inbound_auth(&self) -> bool {
        self.inbound_auth
    }

    /// The EMF metrics file.
    pub fn metrics_file(&self) -> PathBuf {
        self.data_dir.join(METRICS_FILE)
    }

    /// Messages a previous run left in flight, released at start.
    pub fn released_at_start(&self) -> usize {
        self.released
    }

    /// Stops accepting requests, lets busy workers finish (up to the grace period), and
    /// returns once everything has stopped.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.server.await.context("the HTTP server panicked")??;
        self.pool.await.context("the worker pool panicked")?;
        self.sweeper.await.context("the retention sweep panicked")?;
        self.disk_watch
            .await
            .context("the disk space watch panicked")?;
        Ok(())
    }
}

/// One retention sweep, logged when it removed anything.
async fn sweep(
    db: &Database,
    data_dir: &Path,
    retention: std::time::Duration,
) -> anyhow::Result<()> {
    let swept = retention::sweep(db, data_dir, retention, chrono::Utc::now()).await?;
    if swept != retention::Swept::default() {
        tracing::info!(
            requests = swept.requests,
            other_rows = swept.other_rows,
            files = swept.files,
            retention_s = retention.as_secs(),
            "deleted what is past the retention"
        );
    }
    Ok(())
}

/// Takes the data directory's lock, or says which process-wide mistake this is.
fn lock_data_dir(data_dir: &Path) -> anyhow::Result<File> {
    let path = data_dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.try_lock().map_err(|_| {
        anyhow::anyhow!(
            "another revops process is using {}; stop it or choose another --data-dir",
            data_dir.display()
        )
    })?;
    Ok(file)
}

/// The HTTP deliverer for the configured URLs, or the outbox in `data_dir` when there are
/// none.
fn deliverer_for(
    settings: &PipelineSettings,
    data_dir: &Path,
) -> anyhow::Result<(Arc<dyn Deliverer>, DeliveryTargets, DeliveryMode)> {
    if settings.targets.is_empty() {
        let path = std::path::absolute(data_dir.join(OUTBOX_FILE))?;
        let outbox = OutboxDeliverer::new(&path);
        let targets = DeliveryTargets::single(outbox.url());
        return Ok((Arc::new(outbox), targets, DeliveryMode::Outbox(path)));
    }
    let http = HttpDeliverer::from_settings(settings)?;
    let urls = settings.targets.urls().map(str::to_owned).collect();
    Ok((
        Arc::new(http),
        settings.targets.clone(),
        DeliveryMode::Http(urls),
    ))
}
