//! Two resources compared field by field: each becomes a map from a path
//! (`Metrics[1].MetricStat.Stat`) to its value, and the maps are compared.

use serde_json::Value;
use std::collections::BTreeMap;

/// `value` as path → leaf value, as JSON (strings quoted).
pub(crate) fn flatten(value: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(value, String::new(), &mut out);
    out
}

fn walk(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(child, child_path, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (index, child) in items.iter().enumerate() {
                walk(child, format!("{path}[{index}]"), out);
            }
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

/// The fields whose values differ: (path, before, after).
pub(crate) fn differences(
    before: &Value,
    after: &Value,
) -> Vec<(String, Option<String>, Option<String>)> {
    let before = flatten(before);
    let after = flatten(after);
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| {
            (
                path.clone(),
                before.get(path).cloned(),
                after.get(path).cloned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_leaves_are_reported() {
        let before = json!({"Threshold": 1.0, "Metrics": [{"Id": "a"}, {"Id": "b"}], "Name": "x"});
        let after = json!({"Threshold": 2.0, "Metrics": [{"Id": "a"}], "Name": "x"});
        let changes = differences(&before, &after);
        assert_eq!(
            changes,
            vec![
                ("Metrics[1].Id".to_owned(), Some("\"b\"".to_owned()), None),
                (
                    "Threshold".to_owned(),
                    Some("1.0".to_owned()),
                    Some("2.0".to_owned())
                ),
            ]
        );
    }
}
