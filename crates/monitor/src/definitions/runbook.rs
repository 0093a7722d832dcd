//! The runbook's entries: every heading of `docs/runbook.md`, as the anchor a link to it
//! would use (GitHub's rule: lower case, spaces to hyphens, punctuation dropped).

use std::collections::BTreeSet;

/// The anchors of a markdown document's headings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runbook {
    anchors: BTreeSet<String>,
}

impl Runbook {
    /// Reads the headings (`#` to `######`) of a markdown text, outside code fences.
    pub fn parse(markdown: &str) -> Self {
        let mut anchors = BTreeSet::new();
        let mut in_fence = false;
        for line in markdown.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                continue;
            }
            let hashes = trimmed.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
                anchors.insert(anchor(trimmed[hashes..].trim()));
            }
        }
        Self { anchors }
    }

    /// Whether `entry` is the anchor of one of its headings.
    pub fn has(&self, entry: &str) -> bool {
        self.anchors.contains(entry)
    }

    /// Every anchor, sorted.
    pub fn entries(&self) -> impl Iterator<Item = &str> {
        self.anchors.iter().map(String::as_str)
    }
}

/// The anchor of a heading's text.
pub fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_become_anchors_and_code_is_skipped() {
        let runbook = Runbook::parse(
            "# Runbook\n\n## DLQ not empty\ntext\n```sh\n# not a heading\n```\n### p95 latency: over 5 min\n",
        );
        assert!(runbook.has("runbook"));
        assert!(runbook.has("dlq-not-empty"));
        assert!(runbook.has("p95-latency-over-5-min"));
        assert!(!runbook.has("not-a-heading"));
    }
}
