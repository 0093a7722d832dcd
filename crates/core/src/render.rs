//! The agent's markdown, rendered to plain text for receivers that cannot show markdown
//! (`ai_response.response_plain`). It walks pulldown-cmark's events: emphasis and code
//! marks go, list items keep a `- ` or `1. ` bullet, links keep their target, table cells
//! are joined with ` | `, blocks are separated by one blank line.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Renders markdown as plain text.
pub fn markdown_to_plain(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut out = PlainWriter::default();
    for event in Parser::new_ext(markdown, options) {
        out.event(event);
    }
    out.finish()
}

/// The state of one rendering.
#[derive(Default)]
struct PlainWriter {
    text: String,
    /// One entry per open list: the next number of an ordered list, `None` for bullets.
    lists: Vec<Option<u64>>,
    /// Targets of the links being written, innermost last.
    links: Vec<(String, usize)>,
    /// Open block quotes.
    quotes: usize,
    /// Whether a cell was already written in the current table row.
    cell_written: bool,
}

impl PlainWriter {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) => self.push(&text),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.push(&text),
            Event::SoftBreak => self.push(" "),
            Event::HardBreak => self.newline(),
            Event::Rule => {
                self.block();
                self.push("---");
            }
            Event::TaskListMarker(done) => self.push(if done { "[x] " } else { "[ ] " }),
            Event::FootnoteReference(name) => self.push(&format!("[{name}]")),
            Event::Html(_) | Event::InlineHtml(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph if self.just_after_bullet() => {}
            Tag::Paragraph => self.block(),
            Tag::Heading { .. } | Tag::Table(_) | Tag::CodeBlock(_) => self.block(),
            Tag::BlockQuote(_) => {
                self.block();
                self.quotes += 1;
            }
            Tag::List(first) => {
                if self.lists.is_empty() {
                    self.block();
                }
                self.lists.push(first);
            }
            Tag::Item => {
                self.newline();
                let depth = self.lists.len().saturating_sub(1);
                self.text.push_str(&"  ".repeat(depth));
                match self.lists.last_mut() {
                    Some(Some(number)) => {
                        let bullet = format!("{number}. ");
                        *number += 1;
                        self.text.push_str(&bullet);
                    }
                    _ => self.text.push_str("- "),
                }
            }
            Tag::TableRow | Tag::TableHead => {
                self.newline();
                self.cell_written = false;
            }
            Tag::TableCell => {
                if self.cell_written {
                    self.text.push_str(" | ");
                }
                self.cell_written = true;
            }
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.links.push((dest_url.into_string(), self.text.len()));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::BlockQuote(_) => self.quotes = self.quotes.saturating_sub(1),
            TagEnd::Link | TagEnd::Image => {
                if let Some((target, start)) = self.links.pop() {
                    let label = self.text.get(start..).unwrap_or_default().trim().to_owned();
                    if !target.is_empty() && label != target && !target.starts_with('#') {
                        self.text.push_str(&format!(" ({target})"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether a list item's bullet was the last thing written (its first paragraph
    /// goes on the bullet's line).
    fn just_after_bullet(&self) -> bool {
        !self.lists.is_empty() && (self.text.ends_with("- ") || self.text.ends_with(". "))
    }

    /// Starts a new block: a blank line after whatever came before.
    fn block(&mut self) {
        if self.text.is_empty() {
            return;
        }
        while !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    /// Ends the current line, if one is open.
    fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn push(&mut self, text: &str) {
        if self.quotes > 0 && (self.text.is_empty() || self.text.ends_with('\n')) {
            self.text.push_str("> ");
        }
        self.text.push_str(text);
    }

    fn finish(self) -> String {
        let lines: Vec<&str> = self.text.lines().map(str::trim_end).collect();
        lines.join("\n").trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_deal_summary_reads_as_plain_text() {
        let markdown = "**Deal Status for IXIS**\n\n- Stage: *Negotiate*\n- Amount: `$120,000`\n\nSee [the CRM](https://crm.example/ixis).";
        assert_eq!(
            markdown_to_plain(markdown),
            "Deal Status for IXIS\n\n- Stage: Negotiate\n- Amount: $120,000\n\nSee the CRM (https://crm.example/ixis)."
        );
    }

    #[test]
    fn headings_ordered_and_nested_lists_keep_their_shape() {
        let markdown = "## Pipeline\n\n1. Qualify\n2. Negotiate\n   - IXIS\n   - Acme\n\nDone.";
        assert_eq!(
            markdown_to_plain(markdown),
            "Pipeline\n\n1. Qualify\n2. Negotiate\n  - IXIS\n  - Acme\n\nDone."
        );
    }

    #[test]
    fn tables_become_rows_of_cells() {
        let markdown = "| Stage | Deals |\n|---|---|\n| Negotiate | 3 |\n| Closed Won | 2 |";
        assert_eq!(
            markdown_to_plain(markdown),
            "Stage | Deals\nNegotiate | 3\nClosed Won | 2"
        );
    }

    #[test]
    fn html_is_dropped_and_breaks_are_kept() {
        assert_eq!(markdown_to_plain("a<br/>b  \nc"), "ab\nc");
    }

    proptest! {
        #[test]
        fn words_without_markup_pass_through(words in proptest::collection::vec("[A-Za-z0-9]{1,12}", 1..30)) {
            let text = words.join(" ");
            prop_assert_eq!(markdown_to_plain(&text), text);
        }

        #[test]
        fn emphasis_marks_never_survive(words in proptest::collection::vec("[A-Za-z0-9]{1,12}", 1..10)) {
            let markdown = words.iter().map(|w| format!("**{w}** _{w}_")).collect::<Vec<_>>().join(" ");
            let plain = markdown_to_plain(&markdown);
            prop_assert!(!plain.contains('*') && !plain.contains('_'), "{}", plain);
            for word in &words {
                prop_assert!(plain.contains(word.as_str()));
            }
        }

        #[test]
        fn any_input_renders_without_panicking(markdown in "\\PC{0,200}") {
            let _ = markdown_to_plain(&markdown);
        }
    }
}
