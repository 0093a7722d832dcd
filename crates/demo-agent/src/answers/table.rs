//! A small markdown table builder.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text.
    Left,
    /// Numbers and amounts.
    Right,
}

/// A markdown table: a header row, an alignment row and body rows.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns and no rows.
    pub(crate) fn new(columns: &[(&'static str, Align)]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are left empty, extra cells dropped.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as markdown, one line per row, without a trailing newline.
    pub(crate) fn render(&self) -> String {
        let header: Vec<String> = self.columns.iter().map(|(name, _)| cell(name)).collect();
        let rule: Vec<String> = self
            .columns
            .iter()
            .map(|(_, align)| match align {
                Align::Left => "---".to_string(),
                Align::Right => "---:".to_string(),
            })
            .collect();
        let mut lines = vec![line(&header), line(&rule)];
        for row in &self.rows {
            let cells: Vec<String> = (0..self.columns.len())
                .map(|i| row.get(i).map_or_else(String::new, |text| cell(text)))
                .collect();
            lines.push(line(&cells));
        }
        lines.join("\n")
    }
}

fn line(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// Text made safe for one table cell: no line breaks, pipes escaped.
fn cell(text: &str) -> String {
    text.replace(['\r', '\n'], " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_header_alignment_and_rows() {
        let mut table = Table::new(&[("Stage", Align::Left), ("Amount", Align::Right)]);
        table.row(vec!["Proposal".into(), "$85,000".into()]);
        table.row(vec!["Negotiate".into()]);
        assert_eq!(
            table.render(),
            "| Stage | Amount |\n| --- | ---: |\n| Proposal | $85,000 |\n| Negotiate |  |"
        );
    }

    #[test]
    fn cells_cannot_break_the_table() {
        let mut table = Table::new(&[("Note", Align::Left)]);
        table.row(vec!["a | b\nc".into()]);
        assert_eq!(table.render().lines().nth(2), Some("| a \\| b c |"));
    }
}
