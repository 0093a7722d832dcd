//! Log lines into the store: a `tracing` layer that writes each event as a
//! [`StoredLog`](super::StoredLog) line to `logs.jsonl`, naming the tracking id and trace
//! id of the innermost span that knows them, so a request's lines are found by its
//! tracking id even when the line itself does not name it. Lines go through a writer
//! thread that gathers them into few writes; when its queue is full, lines are dropped
//! rather than slowing the code that logs.

use super::{LOGS_FILE, rotating};
use serde::{Serialize, Serializer, ser::SerializeMap};
use std::{fmt, io::Write, path::Path};
use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
    span,
};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{Layer, layer::Context, registry::LookupSpan};

/// The field names that carry a tracking id, on a span or a line.
const TRACKING_ID_FIELDS: [&str; 2] = ["revops.tracking_id", "tracking_id"];
/// The field that carries the trace id on a handler's span.
const TRACE_ID_FIELD: &str = "trace_id";
/// The writer's buffer: lines queued meanwhile go out in one write.
const BUFFER_BYTES: usize = 64 * 1024;

/// The layer.
pub struct StoreLogLayer {
    writer: NonBlocking,
}

impl StoreLogLayer {
    /// A layer appending to the store in `dir` (made if missing), and the guard that
    /// writes what is queued when dropped.
    pub fn new(dir: &Path) -> std::io::Result<(Self, WorkerGuard)> {
        let file = rotating(dir, LOGS_FILE)?;
        let (writer, guard) = NonBlockingBuilder::default()
            .lossy(true)
            .thread_name("revops-trace-store")
            .finish(std::io::BufWriter::with_capacity(BUFFER_BYTES, file));
        Ok((Self { writer }, guard))
    }
}

/// What a span knows of its request.
#[derive(Debug, Default, Clone)]
struct RequestIds {
    tracking_id: Option<String>,
    trace_id: Option<String>,
}

impl Visit for RequestIds {
    fn record_str(&mut self, field: &Field, value: &str) {
        if TRACKING_ID_FIELDS.contains(&field.name()) {
            self.tracking_id = Some(value.to_owned());
        } else if field.name() == TRACE_ID_FIELD {
            self.trace_id = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if TRACKING_ID_FIELDS.contains(&field.name()) || field.name() == TRACE_ID_FIELD {
            self.record_str(field, &format!("{value:?}"));
        }
    }
}

/// One field's value.
enum FieldValue {
    Text(String),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
    Flag(bool),
}

/// An event's fields, the message and the tracking id apart.
#[derive(Default)]
struct Fields {
    message: String,
    tracking_id: Option<String>,
    others: Vec<(&'static str, FieldValue)>,
}

impl Fields {
    fn add(&mut self, field: &Field, value: FieldValue) {
        match (field.name(), value) {
            ("message", FieldValue::Text(text)) => self.message = text,
            (name, FieldValue::Text(text)) if TRACKING_ID_FIELDS.contains(&name) => {
                self.tracking_id = Some(text);
            }
            (name, value) => self.others.push((name, value)),
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field, FieldValue::Text(value.to_owned()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.add(field, FieldValue::Signed(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.add(field, FieldValue::Unsigned(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.add(field, FieldValue::Float(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.add(field, FieldValue::Flag(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.add(field, FieldValue::Text(format!("{value:?}")));
    }
}

/// One line: the fields of [`StoredLog`](super::StoredLog), written straight out.
struct LogLine<'a> {
    at: String,
    level: &'static str,
    target: &'a str,
    ids: &'a RequestIds,
    fields: &'a Fields,
}

impl Serialize for LogLine<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("at", &self.at)?;
        map.serialize_entry("level", self.level)?;
        map.serialize_entry("message", &self.fields.message)?;
        map.serialize_entry("tracking_id", &self.ids.tracking_id)?;
        if let Some(trace_id) = &self.ids.trace_id {
            map.serialize_entry("trace_id", trace_id)?;
        }
        map.serialize_entry("target", self.target)?;
        for (name, value) in &self.fields.others {
            match value {
                FieldValue::Text(text) => map.serialize_entry(name, text)?,
                FieldValue::Signed(n) => map.serialize_entry(name, n)?,
                FieldValue::Unsigned(n) => map.serialize_entry(name, n)?,
                FieldValue::Float(n) => map.serialize_entry(name, n)?,
                FieldValue::Flag(b) => map.serialize_entry(name, b)?,
            }
        }
        map.end()
    }
}

impl<S> Layer<S> for StoreLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let mut ids = RequestIds::default();
        attrs.record(&mut ids);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(ids);
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut extensions = span.extensions_mut();
            if let Some(ids) = extensions.get_mut::<RequestIds>() {
                values.record(ids);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut ids = RequestIds {
            tracking_id: fields.tracking_id.take(),
            trace_id: None,
        };
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope {
                if let Some(known) = span.extensions().get::<RequestIds>() {
                    if ids.tracking_id.is_none() {
                        ids.tracking_id.clone_from(&known.tracking_id);
                    }
                    if ids.trace_id.is_none() {
                        ids.trace_id.clone_from(&known.trace_id);
                    }
                }
                if ids.tracking_id.is_some() && ids.trace_id.is_some() {
                    break;
                }
            }
        }
        let line = LogLine {
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            level: event.metadata().level().as_str(),
            target: event.metadata().target(),
            ids: &ids,
            fields: &fields,
        };
        let mut bytes = Vec::with_capacity(256);
        if serde_json::to_writer(&mut bytes, &line).is_ok() {
            bytes.push(b'\n');
            let _ = self.writer.clone().write_all(&bytes);
        }
    }
}
