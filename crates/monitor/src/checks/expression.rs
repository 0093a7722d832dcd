//! Metric math: every lower-case identifier must be the id of another query, and a
//! `SEARCH('{Namespace,…} MetricName="X"', …)` may only look for metrics that exist.

use super::metric::check_metric;
use crate::Params;
use std::collections::BTreeMap;

/// Checks an expression against the ids it may use.
pub(crate) fn check_expression(
    expression: &str,
    own_id: &str,
    ids: &[&str],
    params: &Params,
) -> Result<(), String> {
    if expression.trim().is_empty() {
        return Err("an expression may not be empty".into());
    }
    let mut depth = 0i32;
    let mut chars = expression.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!(
                        "`{expression}` closes a parenthesis it never opened"
                    ));
                }
            }
            '\'' | '"' => {
                let Some(end) = expression[start + 1..].find(c) else {
                    return Err(format!("`{expression}` has an unclosed string"));
                };
                let close = start + 1 + end;
                check_search(&expression[start + 1..close], params)?;
                while chars.peek().is_some_and(|(i, _)| *i <= close) {
                    chars.next();
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = start + c.len_utf8();
                while let Some((i, next)) = chars.peek().copied() {
                    if next.is_ascii_alphanumeric() || next == '_' {
                        end = i + next.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &expression[start..end];
                if word.starts_with(|c: char| c.is_ascii_lowercase()) {
                    if word == own_id {
                        return Err(format!("`{expression}` refers to its own id `{own_id}`"));
                    }
                    if !ids.contains(&word) {
                        return Err(format!(
                            "`{word}` in `{expression}` is not the id of another query ({})",
                            ids.join(", ")
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("`{expression}` leaves a parenthesis open"));
    }
    Ok(())
}

/// In a SEARCH string, `{Namespace,Dim,…}` and every `MetricName="X"` must name metrics
/// that exist.
fn check_search(text: &str, params: &Params) -> Result<(), String> {
    let Some(schema) = text
        .strip_prefix('{')
        .and_then(|rest| rest.split_once('}'))
        .map(|(schema, _)| schema)
    else {
        return Ok(());
    };
    let mut parts = schema.split(',').map(str::trim);
    let namespace = parts.next().unwrap_or_default();
    let dimensions: BTreeMap<String, String> = parts
        .map(|dimension| (dimension.to_owned(), String::new()))
        .collect();
    let mut rest = text;
    while let Some(at) = rest.find("MetricName=") {
        let after = rest[at + "MetricName=".len()..].trim_start_matches(['"', '\\']);
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        check_search_metric(namespace, &name, &dimensions, params)?;
        rest = &after[name.len()..];
    }
    Ok(())
}

fn check_search_metric(
    namespace: &str,
    name: &str,
    dimensions: &BTreeMap<String, String>,
    params: &Params,
) -> Result<(), String> {
    // The schema names dimensions without values; check with a value that passes.
    let mut filled = dimensions.clone();
    for (key, value) in &mut filled {
        *value = match key.as_str() {
            "Service" => "processor".to_owned(),
            "FunctionName" => params.processor_function.clone(),
            "QueueName" => params.queue.clone(),
            _ => "any".to_owned(),
        };
    }
    check_metric(namespace, name, &filled, params).map_err(|(_, e)| format!("in SEARCH: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_strings_and_parentheses_are_checked() {
        let params = Params::default();
        let ids = ["failed", "delivered"];
        assert!(check_expression("100 * FILL(failed, 0) / delivered", "e1", &ids, &params).is_ok());
        let error = check_expression("failed / total", "e1", &ids, &params).unwrap_err();
        assert!(error.contains("`total`"), "{error}");
        assert!(check_expression("e1 + failed", "e1", &ids, &params).is_err());
        assert!(check_expression("(failed", "e1", &ids, &params).is_err());
        let search = "SEARCH('{RevOps/WebhookGateway,Service,Reason} MetricName=\"RequestsRejected\"', 'Sum', 300)";
        assert!(check_expression(search, "e1", &ids, &params).is_ok());
        let invented = search.replace("RequestsRejected", "Rejections");
        let error = check_expression(&invented, "e1", &ids, &params).unwrap_err();
        assert!(error.contains("not a metric the code emits"), "{error}");
    }
}
