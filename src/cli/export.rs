//! `revops export`: the archived conversations in one of the seeds' four export formats
//! (`webhook`, `metadata`, `summary`, `analysis`), one JSON object per line, from the
//! local archive (`DATA_DIR/conversations/`) or, with `--aws`, from the S3 archive.
//! Streamed: a conversation is read, shaped and written before the next is read, so
//! memory does not grow with the archive. A progress bar shows on a terminal; a summary
//! line ends the run on stderr. `--out` writes to a temporary file renamed into place at
//! the end, so a failed export leaves no half file behind.

use super::common::{parse_time, runtime, usage_error};
use anyhow::Context;
use clap::Args;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use revops_aws::{ArchivedObject, AwsClients, S3ArchiveReader};
use revops_core::{
    export::{ExportFilter, ExportFormat},
    ports::ConversationRecord,
};
use revops_local::archive_reader::{self, ArchivedLine};
use revops_monitor::sla::Time;
use std::{
    io::{BufWriter, Write},
    path::{Path, PathBuf},
};

/// Objects fetched from S3 at once.
const S3_FETCHES_IN_FLIGHT: usize = 16;
/// Unreadable lines named one by one before they are only counted.
const UNREADABLE_SHOWN: usize = 5;

/// `revops export`'s flags.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// webhook (the payload as delivered), metadata (no query or answer text), summary or analysis.
    #[arg(long)]
    format: ExportFormat,
    /// Conversations queued at or after this: RFC 3339, a date, `now`, or a duration before now (`7d`).
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    from: Option<Time>,
    /// Conversations queued before this (excluded).
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    to: Option<Time>,
    /// Only conversations from this source_system.
    #[arg(long)]
    source: Option<String>,
    /// Write the lines to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The local host's data directory, whose archive is read.
    #[arg(long, env = "REVOPS_DATA_DIR", default_value = ".revops")]
    data_dir: PathBuf,
    /// Read the S3 archive instead (AWS_REGION, credentials and AWS_ENDPOINT_URL honoured).
    #[arg(long)]
    aws: bool,
    /// The archive's bucket, with --aws.
    #[arg(long, env = "CONVERSATION_BUCKET")]
    bucket: Option<String>,
    /// The keys' prefix in the bucket, with --aws.
    #[arg(long, default_value = "")]
    prefix: String,
}

/// Runs `revops export`.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from >= to
    {
        usage_error("--from must be before --to");
    }
    let named_bucket = args.bucket.as_ref().filter(|bucket| !bucket.is_empty());
    let bucket = match (args.aws, named_bucket) {
        (true, None) => {
            usage_error("--aws needs the archive's bucket: --bucket or CONVERSATION_BUCKET")
        }
        (true, Some(bucket)) => Some(bucket.clone()),
        (false, _) => None,
    };
    if bucket.is_none() && !args.data_dir.is_dir() {
        usage_error(&format!(
            "no data directory at {}: name the one `revops serve` uses with --data-dir (or REVOPS_DATA_DIR), or read S3 with --aws",
            args.data_dir.display()
        ));
    }
    let filter = ExportFilter {
        from: args.from,
        to: args.to,
        source: args.source.clone(),
    };
    let output = Output::open(args.out.as_deref())?;
    let mut exporter = Exporter {
        format: args.format,
        filter,
        out: output.writer,
        counts: Counts::default(),
    };
    match bucket {
        None => export_local(&args.data_dir, &mut exporter)?,
        Some(bucket) => export_s3(bucket, &args.prefix, &mut exporter)?,
    }
    exporter.out.flush().context("cannot write the export")?;
    let counts = exporter.counts;
    let target = match (output.temp, &args.out) {
        (Some(temp), Some(path)) => {
            temp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            path.display().to_string()
        }
        _ => "stdout".to_owned(),
    };
    eprintln!("{}", counts.summary(args.format, &target));
    Ok(())
}

/// Where the lines go: stdout, or a temporary file beside `--out` until the end.
struct Output {
    writer: Box<dyn Write>,
    temp: Option<tempfile::TempPath>,
}

impl Output {
    fn open(out: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = out else {
            return Ok(Self {
                writer: Box::new(BufWriter::new(std::io::stdout().lock())),
                temp: None,
            });
        };
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            usage_error(&format!(
                "--out {}: the directory {} does not exist",
                path.display(),
                dir.display()
            ));
        }
        let file = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        let (file, temp) = file.into_parts();
        Ok(Self {
            writer: Box::new(BufWriter::with_capacity(1 << 16, file)),
            temp: Some(temp),
        })
    }
}

/// What happened to the conversations read.
#[derive(Debug, Default)]
struct Counts {
    exported: u64,
    outside_filter: u64,
    not_delivered: u64,
    superseded: u64,
    unreadable: u64,
}

impl Counts {
    fn summary(&self, format: ExportFormat, target: &str) -> String {
        let mut skipped = Vec::new();
        if self.outside_filter > 0 {
            skipped.push(format!("{} outside the filter", self.outside_filter));
        }
        if self.not_delivered > 0 {
            skipped.push(format!(
                "{} never delivered (no webhook to show)",
                self.not_delivered
            ));
        }
        if self.superseded > 0 {
            skipped.push(format!(
                "{} earlier copies of conversations archived again",
                self.superseded
            ));
        }
        if self.unreadable > 0 {
            skipped.push(format!("{} unreadable lines", self.unreadable));
        }
        let skipped = if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", skipped.join(", "))
        };
        format!(
            "revops export: {} conversation(s) as {format} to {target}{skipped}",
            self.exported
        )
    }
}

/// Shapes and writes each conversation it is given.
struct Exporter {
    format: ExportFormat,
    filter: ExportFilter,
    out: Box<dyn Write>,
    counts: Counts,
}

impl Exporter {
    fn take(&mut self, conversation: &ConversationRecord) -> anyhow::Result<()> {
        if !self.filter.matches(conversation) {
            self.counts.outside_filter += 1;
            return Ok(());
        }
        let Some(line) = self.format.line(conversation) else {
            self.counts.not_delivered += 1;
            return Ok(());
        };
        self.out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .context("cannot write the export")?;
        self.counts.exported += 1;
        Ok(())
    }

    fn unreadable(&mut self, progress: &ProgressBar, what: &str) {
        self.counts.unreadable += 1;
        if self.counts.unreadable <= UNREADABLE_SHOWN as u64 {
            progress.suspend(|| eprintln!("revops export: skipped {what}"));
        }
    }
}

fn export_local(data_dir: &Path, exporter: &mut Exporter) -> anyhow::Result<()> {
    let days = archive_reader::day_files(data_dir, &exporter.filter)
        .with_context(|| format!("cannot read the archive in {}", data_dir.display()))?;
    let total = days.iter().map(|day| day.bytes).sum();
    let progress = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{spinner} {bytes}/{total_bytes} of the archive [{wide_bar}] {eta} left",
        )
        .expect("the template is valid"),
    );
    for day in &days {
        archive_reader::read_day(day, |line, bytes| {
            progress.inc(bytes);
            match line {
                ArchivedLine::Conversation(conversation) => exporter.take(&conversation)?,
                ArchivedLine::Superseded => exporter.counts.superseded += 1,
                ArchivedLine::Unreadable { path, line, error } => {
                    let what = format!("{} line {line}: {error}", path.display());
                    exporter.unreadable(&progress, &what);
                }
            }
            Ok::<(), anyhow::Error>(())
        })?;
    }
    progress.finish_and_clear();
    Ok(())
}

fn export_s3(bucket: String, prefix: &str, exporter: &mut Exporter) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let clients = AwsClients::from_env().await;
        let reader = S3ArchiveReader::new(clients.s3, bucket, prefix);
        let progress = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {pos} conversations read from S3 ({per_sec})")
                .expect("the template is valid"),
        );
        let mut pages = reader.keys(&exporter.filter);
        while let Some(keys) = pages.next_page().await? {
            let mut fetched = futures_util::stream::iter(keys)
                .map(|key| {
                    let reader = &reader;
                    async move { reader.get(&key).await }
                })
                .buffered(S3_FETCHES_IN_FLIGHT);
            while let Some(object) = fetched.next().await {
                progress.inc(1);
                match object? {
                    ArchivedObject::Conversation(conversation) => exporter.take(&conversation)?,
                    ArchivedObject::Unreadable(what) => exporter.unreadable(&progress, &what),
                }
            }
        }
        progress.finish_and_clear();
        Ok(())
    })
}
