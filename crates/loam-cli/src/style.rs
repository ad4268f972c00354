//! Colour, kept minimal: bold titles, highlighted search matches, a red
//! `error:`, green and red diff lines. Escape codes are written only to a terminal, never when
//! `NO_COLOR` is set (unless `--color always`), never to a pipe or file.

use std::io::IsTerminal;
use std::ops::Range;

use crate::table::one_line;

/// `--color`: when to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const MATCH: &str = "\x1b[1;33m";
const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[32m";
const DARK_RED: &str = "\x1b[31m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// Whether one output stream gets colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

impl Style {
    /// No escape codes at all.
    #[cfg(test)]
    pub const PLAIN: Self = Self { color: false };

    /// The style for a stream, from `--color`, `NO_COLOR`, `TERM` and
    /// whether the stream is a terminal.
    pub fn detect(choice: ColorChoice, stream: &impl IsTerminal) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
                !no_color && !dumb && stream.is_terminal()
            }
        };
        Self { color }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    /// Titles and headings.
    pub fn bold(self, text: &str) -> String {
        self.paint(BOLD, text)
    }

    /// Secondary text: ids, dates, table headers.
    pub fn dim(self, text: &str) -> String {
        self.paint(DIM, text)
    }

    /// A search match.
    pub fn matched(self, text: &str) -> String {
        self.paint(MATCH, text)
    }

    /// `text` on one line with the byte `ranges` painted as matches
    /// (ranges that are out of order or not on character boundaries are
    /// left unpainted).
    pub fn highlight(self, text: &str, ranges: &[Range<usize>]) -> String {
        self.highlight_on(text, ranges, str::to_owned)
    }

    /// A title with its matches painted, the rest bold.
    pub fn highlight_bold(self, text: &str, ranges: &[Range<usize>]) -> String {
        self.highlight_on(text, ranges, |rest| self.bold(rest))
    }

    fn highlight_on(
        self,
        text: &str,
        ranges: &[Range<usize>],
        rest: impl Fn(&str) -> String,
    ) -> String {
        let mut out = String::new();
        let mut at = 0;
        for range in ranges {
            let (Some(before), Some(found)) = (text.get(at..range.start), text.get(range.clone()))
            else {
                continue;
            };
            out.push_str(&rest(&one_line(before)));
            out.push_str(&self.matched(&one_line(found)));
            at = range.end;
        }
        out.push_str(&rest(&one_line(text.get(at..).unwrap_or_default())));
        out
    }

    /// A line a diff adds.
    pub fn added(self, text: &str) -> String {
        self.paint(GREEN, text)
    }

    /// A line a diff removes.
    pub fn removed(self, text: &str) -> String {
        self.paint(DARK_RED, text)
    }

    /// A diff's hunk header (`@@ -1,3 +1,4 @@`).
    pub fn hunk(self, text: &str) -> String {
        self.paint(CYAN, text)
    }

    /// The `error:` label.
    pub fn error(self, text: &str) -> String {
        self.paint(RED, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_style_writes_no_escape_codes() {
        let plain = Style::PLAIN;
        assert_eq!(plain.bold("Title"), "Title");
        assert_eq!(plain.matched("compost"), "compost");
        let color = Style { color: true };
        assert_eq!(color.bold("Title"), "\x1b[1mTitle\x1b[0m");
        assert_eq!(color.bold(""), "");
        assert_eq!(
            plain.highlight("a\ncompost heap", std::slice::from_ref(&(2..9))),
            "a compost heap"
        );
        assert_eq!(
            color.highlight("a compost heap", &[2..9, 0..1]),
            "a \x1b[1;33mcompost\x1b[0m heap"
        );
    }
}
