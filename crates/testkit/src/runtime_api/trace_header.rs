//! The X-Ray header Lambda gives an invocation (`Lambda-Runtime-Trace-Id`):
//! `Root=1-{8 hex: epoch seconds}-{24 hex};Parent={16 hex};Sampled={0|1}`. Lambda passes a
//! sampled one with active tracing when X-Ray keeps the trace, with `Parent` naming its
//! own segment for the invocation.

/// One header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHeader {
    /// The trace id as 32 hex digits (the W3C form of the X-Ray root).
    pub trace_id: String,
    /// The parent segment's id, 16 hex digits.
    pub parent: String,
    /// Whether X-Ray keeps the trace.
    pub sampled: bool,
}

impl TraceHeader {
    /// A header of a new trace, as Lambda makes for an invocation that comes with none.
    pub fn fresh(sampled: bool) -> Self {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self::in_trace(&format!("{seconds:08x}{}", &random[..24]), sampled)
    }

    /// A new segment in the trace `trace_id` (32 hex digits), as Lambda makes when the
    /// invocation continues a trace it was given.
    pub fn in_trace(trace_id: &str, sampled: bool) -> Self {
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self {
            trace_id: trace_id.to_owned(),
            parent: random[..16].to_owned(),
            sampled,
        }
    }

    /// Reads an X-Ray header (`Root=1-…-…;Parent=…;Sampled=…`); `None` without a root
    /// or a parent.
    pub fn parse(header: &str) -> Option<Self> {
        let field = |name: &str| {
            header
                .split(';')
                .find_map(|part| part.trim().strip_prefix(name))
        };
        let (seconds, random) = field("Root=1-")?.split_once('-')?;
        Some(Self {
            trace_id: format!("{seconds}{random}"),
            parent: field("Parent=")?.to_owned(),
            sampled: field("Sampled=") == Some("1"),
        })
    }

    /// The header's text.
    pub fn header(&self) -> String {
        format!(
            "Root=1-{}-{};Parent={};Sampled={}",
            &self.trace_id[..8],
            &self.trace_id[8..],
            self.parent,
            u8::from(self.sampled)
        )
    }
}
