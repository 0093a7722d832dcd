//! Log settings: `LOG_LEVEL` (the seeds' variable: `INFO`, `DEBUG`, … or a full filter
//! such as `info,revops_local=debug`) and `LOG_FORMAT` (`text`, the default, readable in
//! a terminal; `json`, one object per line).

use tracing_subscriber::EnvFilter;

/// The log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// A `LOG_FORMAT` value that is neither `text` nor `json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLogFormat(pub String);

impl std::fmt::Display for UnknownLogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LOG_FORMAT must be \"text\" or \"json\" (got {:?})",
            self.0
        )
    }
}

impl std::error::Error for UnknownLogFormat {}

impl LogFormat {
    /// Parses `LOG_FORMAT`; unset means text.
    pub fn parse(value: Option<&str>) -> Result<Self, UnknownLogFormat> {
        match value.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
            None | Some("" | "text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(UnknownLogFormat(other.to_owned())),
        }
    }
}

/// The filter for a `LOG_LEVEL` value: a bare level (any case) or a full filter
/// directive; unset or unparsable means `info`.
pub fn filter_for(level: Option<&str>) -> EnvFilter {
    let directive = level
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("info");
    let directive = match directive.to_ascii_lowercase().as_str() {
        "warning" => "warn".to_owned(),
        "critical" | "fatal" => "error".to_owned(),
        lower if ["trace", "debug", "info", "warn", "error", "off"].contains(&lower) => {
            lower.to_owned()
        }
        _ => directive.to_owned(),
    };
    EnvFilter::try_new(&directive).unwrap_or_else(|_| EnvFilter::new("info"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_formats_parse() {
        assert_eq!(LogFormat::parse(None).unwrap(), LogFormat::Text);
        assert_eq!(LogFormat::parse(Some("JSON")).unwrap(), LogFormat::Json);
        assert!(
            LogFormat::parse(Some("xml"))
                .unwrap_err()
                .to_string()
                .contains("xml")
        );
    }

    #[test]
    fn the_seeds_levels_are_understood() {
        assert_eq!(filter_for(Some("INFO")).to_string(), "info");
        assert_eq!(filter_for(Some("WARNING")).to_string(), "warn");
        assert_eq!(filter_for(None).to_string(), "info");
        assert_eq!(
            filter_for(Some("info,revops_local=debug")).to_string(),
            "revops_local=debug,info"
        );
    }
}
