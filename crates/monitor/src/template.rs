//! `${name}` substitution in the definitions' strings. An unknown name or an unclosed
//! `${` is an error that says which names exist.

/// Replaces every `${name}` in `text` with `lookup(name)`.
pub(crate) fn substitute(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    known: &[&str],
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("unclosed `${{` in {text:?}"));
        };
        let name = &after[..end];
        match lookup(name) {
            Some(value) => out.push_str(&value),
            None => {
                return Err(format!(
                    "unknown parameter `${{{name}}}`; known: {}",
                    known.join(", ")
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        (name == "stage").then(|| "prod".to_owned())
    }

    #[test]
    fn names_are_replaced_and_unknown_ones_are_errors() {
        assert_eq!(
            substitute("revops-${stage}-x", &vars, &["stage"]).unwrap(),
            "revops-prod-x"
        );
        assert_eq!(substitute("plain", &vars, &["stage"]).unwrap(), "plain");
        let unknown = substitute("${stag}", &vars, &["stage"]).unwrap_err();
        assert!(unknown.contains("`${stag}`") && unknown.contains("stage"));
        assert!(substitute("${stage", &vars, &["stage"]).is_err());
    }
}
