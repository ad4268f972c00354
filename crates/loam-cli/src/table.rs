//! Plain text tables: columns padded to their widest cell, long cells cut
//! with an ellipsis, styling applied after padding so that escape codes do
//! not upset the alignment.

use crate::style::Style;

/// How a cell is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// As is.
    Plain,
    /// Bold (titles).
    Bold,
    /// Dimmed (ids, dates).
    Dim,
}

/// A column: its header and the widest a cell may be.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Shown in capitals above the column.
    pub header: &'static str,
    /// Cells longer than this are cut with `…`.
    pub max_width: usize,
}

impl Column {
    /// A column whose cells are cut at `max_width` characters.
    pub const fn new(header: &'static str, max_width: usize) -> Self {
        Self { header, max_width }
    }
}

/// Rows of cells under columns.
#[derive(Debug)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<(String, Paint)>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[Column]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Add a row; one cell per column.
    pub fn row(&mut self, cells: Vec<(String, Paint)>) {
        let cells = cells
            .into_iter()
            .zip(&self.columns)
            .map(|((text, paint), column)| (truncate(&one_line(&text), column.max_width), paint))
            .collect();
        self.rows.push(cells);
    }

    /// The table as lines, header first, without trailing spaces.
    pub fn render(&self, style: Style) -> Vec<String> {
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let cells = self
                    .rows
                    .iter()
                    .filter_map(|row| row.get(i))
                    .map(|(text, _)| width(text));
                cells.chain([column.header.len()]).max().unwrap_or(0)
            })
            .collect();
        let mut lines = Vec::with_capacity(self.rows.len() + 1);
        let header: Vec<(String, Paint)> = self
            .columns
            .iter()
            .map(|c| (c.header.to_uppercase(), Paint::Dim))
            .collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            let last = row
                .iter()
                .rposition(|(text, _)| !text.is_empty())
                .unwrap_or(0);
            for (i, (text, paint)) in row.iter().enumerate().take(last + 1) {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(&match paint {
                    Paint::Plain => text.clone(),
                    Paint::Bold => style.bold(text),
                    Paint::Dim => style.dim(text),
                });
                if i < last {
                    let pad = widths
                        .get(i)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(width(text));
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Display width, counted in characters (good enough for titles; wide
/// characters may shift a column).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// `text` cut to at most `max` characters, the last one an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Line breaks and tabs as spaces, so that a cell stays on its row.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation() {
        let check =
            |text: &str, max: usize, expected: &str| assert_eq!(truncate(text, max), expected);
        check("Compost heap", 20, "Compost heap");
        check("Compost heap", 12, "Compost heap");
        check("Compost heap", 9, "Compost…");
        check("Compost heap", 8, "Compost…");
        check("Ünïcode title", 4, "Ünï…");
    }

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(&[
            Column::new("title", 10),
            Column::new("kind", 4),
            Column::new("tags", 20),
        ]);
        table.row(vec![
            ("Welcome to Loam".into(), Paint::Bold),
            ("page".into(), Paint::Plain),
            ("".into(), Paint::Plain),
        ]);
        table.row(vec![
            ("Tags".into(), Paint::Bold),
            ("page".into(), Paint::Plain),
            ("loam/help".into(), Paint::Plain),
        ]);
        let expected = [
            "TITLE       KIND  TAGS",
            "Welcome t…  page",
            "Tags        page  loam/help",
        ];
        assert_eq!(table.render(Style::PLAIN), expected);
    }
}
