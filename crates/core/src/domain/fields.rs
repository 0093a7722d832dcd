//! The inbound request's string fields, each parsed into a type that can only hold a
//! valid value, and the error that names a broken field.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One broken field: which one, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The JSON field name, as the caller sent it.
    pub field: String,
    /// What is wrong, in words a caller can act on.
    pub problem: String,
}

impl FieldError {
    /// A field error for `field` with the given `problem`.
    pub fn new(field: &str, problem: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

/// Longest query, in characters after trimming.
pub const QUERY_MAX_CHARS: usize = 8000;
/// Longest `source_system` or `source_process`, in characters.
pub const SOURCE_NAME_MAX_CHARS: usize = 128;
/// Longest `session_id`, in characters (Bedrock's own limit on session ids).
pub const SESSION_ID_MAX_CHARS: usize = 100;

/// The question for the agent: 1..=8000 characters, surrounding white space removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Query(String);

impl Query {
    /// Trims `raw` and checks its length; the problem is phrased for a caller.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            return Err("must not be empty or only white space".to_owned());
        }
        if chars > QUERY_MAX_CHARS {
            return Err(format!(
                "must be at most {QUERY_MAX_CHARS} characters (got {chars})"
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The query text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Query {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Query> for String {
    fn from(value: Query) -> Self {
        value.0
    }
}

/// Whether `c` may appear in a source name or session id: `[A-Za-z0-9_.:-]`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')
}

/// Checks a name against the `[A-Za-z0-9_.:-]` alphabet and a length limit.
fn check_name(raw: &str, max: usize) -> Result<(), String> {
    let chars = raw.chars().count();
    if chars == 0 {
        return Err("must not be empty".to_owned());
    }
    if chars > max {
        return Err(format!("must be at most {max} characters (got {chars})"));
    }
    if let Some(bad) = raw.chars().find(|c| !is_name_char(*c)) {
        return Err(format!(
            "may only contain letters, digits and _ . : - (found {bad:?})"
        ));
    }
    Ok(())
}

/// A `source_system` or `source_process`: 1..=128 characters of `[A-Za-z0-9_.:-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourceName(String);

impl SourceName {
    /// Checks `raw` as a source name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_name(raw, SOURCE_NAME_MAX_CHARS).map(|()| Self(raw.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SourceName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SourceName> for String {
    fn from(value: SourceName) -> Self {
        value.0
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An agent conversation to continue: 1..=100 characters of `[A-Za-z0-9_.:-]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    /// Checks `raw` as a session id.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_name(raw, SESSION_ID_MAX_CHARS).map(|()| Self(raw.to_owned()))
    }

    /// The session id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SessionId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SessionId> for String {
    fn from(value: SessionId) -> Self {
        value.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn query_is_trimmed_and_bounded() {
        assert_eq!(Query::parse("  hi \n").unwrap().as_str(), "hi");
        assert!(Query::parse(" \t\n").is_err());
        assert!(Query::parse(&"é".repeat(QUERY_MAX_CHARS)).is_ok());
        let long = Query::parse(&"a".repeat(QUERY_MAX_CHARS + 1)).unwrap_err();
        assert!(long.contains("8000"), "{long}");
    }

    #[test]
    fn source_names_follow_the_alphabet() {
        assert!(SourceName::parse("external_app:v2.1-x").is_ok());
        assert!(SourceName::parse("").is_err());
        let bad = SourceName::parse("has space").unwrap_err();
        assert!(bad.contains("' '"), "{bad}");
        assert!(SourceName::parse(&"a".repeat(129)).is_err());
        assert!(SourceName::parse(&"a".repeat(128)).is_ok());
    }

    proptest! {
        #[test]
        fn any_name_of_the_alphabet_parses(s in "[A-Za-z0-9_.:-]{1,128}") {
            let parsed = SourceName::parse(&s).unwrap();
            prop_assert_eq!(parsed.as_str(), s.as_str());
        }

        #[test]
        fn a_name_with_any_other_char_is_refused(
            prefix in "[a-z]{0,10}", bad in "[^A-Za-z0-9_.:-]", suffix in "[a-z]{0,10}"
        ) {
            let raw = format!("{prefix}{bad}{suffix}");
            prop_assert!(SourceName::parse(&raw).is_err());
        }

        #[test]
        fn a_query_parses_iff_its_trimmed_length_fits(s in "\\PC{0,40}") {
            let trimmed = s.trim();
            prop_assert_eq!(Query::parse(&s).is_ok(), !trimmed.is_empty());
            if let Ok(q) = Query::parse(&s) {
                prop_assert_eq!(q.as_str(), trimmed);
            }
        }
    }
}
