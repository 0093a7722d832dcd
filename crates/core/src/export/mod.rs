//! The seeds' four conversation export formats, one JSON object per line, made from the
//! archived conversations ([`ConversationRecord`]): `webhook` (the seed-001 payload as
//! delivered), `metadata` (no query or answer text), `summary` (compact) and `analysis`
//! (the whole conversation with its timeline, step durations, agent retries and
//! delivery attempts). Which conversations go out is an [`ExportFilter`]. Reading the
//! archive is the host's; this module only shapes lines, so both archives export alike.

mod filter;
mod lines;
mod timeline;

pub use filter::ExportFilter;
pub use lines::{
    AnalysisLine, AttemptLine, EventLine, MetadataLine, SUMMARY_ANSWER_CHARS, SUMMARY_QUERY_CHARS,
    StepDurations, SummaryLine,
};
pub use timeline::{delivery_attempts, phases, step_durations};

use crate::ports::ConversationRecord;
use std::{fmt, str::FromStr};

/// One of the four export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The webhook body as delivered (seed 001's keys); delivered conversations only.
    Webhook,
    /// Ids, sources, statuses, times, attempts, category, trace id: no question, no
    /// answer, no error text (which may quote either).
    Metadata,
    /// Ids, the question and the plain answer cut short, status, end-to-end time.
    Summary,
    /// The whole conversation.
    Analysis,
}

impl ExportFormat {
    /// Every format, as the command line names them.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Webhook,
        ExportFormat::Metadata,
        ExportFormat::Summary,
        ExportFormat::Analysis,
    ];

    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Webhook => "webhook",
            ExportFormat::Metadata => "metadata",
            ExportFormat::Summary => "summary",
            ExportFormat::Analysis => "analysis",
        }
    }

    /// `conversation` as one line of this format (no newline), or `None` when it has
    /// no line in it (`webhook` of a conversation that was never delivered).
    pub fn line(self, conversation: &ConversationRecord) -> Option<String> {
        let line = match self {
            ExportFormat::Webhook => serde_json::to_string(&lines::webhook_payload(conversation)?),
            ExportFormat::Metadata => serde_json::to_string(&MetadataLine::from(conversation)),
            ExportFormat::Summary => serde_json::to_string(&SummaryLine::from(conversation)),
            ExportFormat::Analysis => serde_json::to_string(&AnalysisLine::from(conversation)),
        };
        Some(line.expect("export lines always serialise"))
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an export format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format `{0}`: use webhook, metadata, summary or analysis")]
pub struct UnknownFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL
            .into_iter()
            .find(|format| format.as_str() == text)
            .ok_or_else(|| UnknownFormat(text.to_owned()))
    }
}
