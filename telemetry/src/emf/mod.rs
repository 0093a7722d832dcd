//! CloudWatch Embedded Metric Format: the catalog of metrics, the record writer, the
//! sinks lines go to, and a validator for the specification's rules.

pub mod catalog;
mod record;
mod sink;
mod validate;

pub use record::{MAX_METRICS, Record};
pub use sink::{FileSink, MemorySink, MetricSink, NullSink, StdoutSink};
pub use validate::{EmfError, MetricValue, validate_line};
