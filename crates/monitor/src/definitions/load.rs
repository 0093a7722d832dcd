//! Reading a definitions directory: every `*.json` under `dashboards/` and `alarms/`, in
//! name order, and `docs/runbook.md`. Parse errors name the file and the field.

use super::{Definitions, Loaded, Problem, Runbook};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Where dashboards live, under the definitions' directory.
pub const DASHBOARDS_DIR: &str = "dashboards";
/// Where alarms live, under the definitions' directory.
pub const ALARMS_DIR: &str = "alarms";
/// The runbook that alarms link to, under the definitions' directory.
pub const RUNBOOK_FILE: &str = "docs/runbook.md";

impl Definitions {
    /// Reads `dir`'s definitions; every file that cannot be read or parsed is a problem.
    pub fn load(dir: &Path) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let dashboards = load_json_dir(dir, DASHBOARDS_DIR, &mut problems);
        let alarms = load_json_dir(dir, ALARMS_DIR, &mut problems);
        let runbook = match std::fs::read_to_string(dir.join(RUNBOOK_FILE)) {
            Ok(text) => Runbook::parse(&text),
            Err(error) => {
                problems.push(Problem::new(
                    RUNBOOK_FILE,
                    "",
                    format!("cannot read it ({error}); every alarm names an entry in it"),
                ));
                Runbook::default()
            }
        };
        if problems.is_empty() {
            Ok(Self {
                root: dir.to_path_buf(),
                dashboards,
                alarms,
                runbook,
            })
        } else {
            Err(problems)
        }
    }
}

/// Every `*.json` directly under `dir/subdir`, in name order, parsed as `T`; a file that
/// cannot be read or parsed (or the folder itself) is a problem naming it and the field.
pub(crate) fn load_json_dir<T: DeserializeOwned>(
    dir: &Path,
    subdir: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Loaded<T>> {
    let entries = match std::fs::read_dir(dir.join(subdir)) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(Problem::new(
                format!("{subdir}/"),
                "",
                format!(
                    "cannot read the directory under {} ({error}); run where `{subdir}/` is, or pass --dir",
                    dir.display()
                ),
            ));
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    let mut loaded = Vec::new();
    for name in names {
        let file = format!("{subdir}/{name}");
        match std::fs::read_to_string(dir.join(&file)) {
            Ok(text) => match parse::<T>(&text) {
                Ok(definition) => loaded.push(Loaded { file, definition }),
                Err((field, message)) => problems.push(Problem::new(file, field, message)),
            },
            Err(error) => problems.push(Problem::new(file, "", format!("cannot read it: {error}"))),
        }
    }
    loaded
}

/// Parses JSON into `T`; on failure, the path of the field at fault and the reason.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, (String, String)> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { String::new() } else { path };
        (field, error.into_inner().to_string())
    })?;
    deserializer
        .end()
        .map_err(|error| (String::new(), error.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::alarm::AlarmFile;

    #[test]
    fn a_wrong_field_is_named_with_its_path() {
        let text = r#"{"alarms": [{"name": "x", "description": "d", "runbook": "r",
            "period": 60, "evaluation_periods": 1, "comparison": "Above", "threshold": 1}]}"#;
        let (field, message) = parse::<AlarmFile>(text).unwrap_err();
        assert_eq!(field, "alarms[0].comparison");
        assert!(message.contains("GreaterThanThreshold"), "{message}");
        let (field, message) = parse::<AlarmFile>(r#"{"alarms": [{"nme": "x"}]}"#).unwrap_err();
        assert_eq!(field, "alarms[0].nme");
        assert!(message.contains("unknown field"), "{message}");
        let text = r#"{"alarms": [{"name": "x", "description": "d", "runbook": "r",
            "period": 60, "evaluation_periods": 1, "comparison": "GreaterThanThreshold",
            "threshold": 1, "treat_missing_data": "sometimes"}]}"#;
        let (field, message) = parse::<AlarmFile>(text).unwrap_err();
        assert_eq!(field, "alarms[0].treat_missing_data");
        assert!(message.contains("notBreaching"), "{message}");
    }
}
