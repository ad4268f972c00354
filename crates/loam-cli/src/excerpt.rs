//! The text around a link, to show under a backlink: the paragraph or list
//! item holding it, on one line, cut to about [`SIDE`] characters either
//! side of the link.

use std::ops::Range;

/// Characters kept on either side of the link.
const SIDE: usize = 80;

/// The excerpt of `text` around the byte range `link`, and the link's byte
/// range within the excerpt.
pub fn around(text: &str, link: Range<usize>) -> (String, Range<usize>) {
    if text.get(link.clone()).is_none() {
        return (String::new(), 0..0);
    }
    let block = block_around(text, &link);
    let (line, range) = one_line(
        &text[block.clone()],
        link.start - block.start..link.end - block.start,
    );
    cut(&line, range)
}

/// The byte range of the paragraph or list item holding `link`: its lines
/// up to a blank line or the start of another block (list item, heading,
/// quote, table row).
fn block_around(text: &str, link: &Range<usize>) -> Range<usize> {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i);

    let mut start = line_start(link.start);
    while start > 0 && !starts_block(&text[start..line_end(start)]) {
        let previous = line_start(start - 1);
        let line = &text[previous..start - 1];
        // Headings and table rows are one line; nothing continues them.
        if line.trim().is_empty() || line.trim_start().starts_with(['#', '|']) {
            break;
        }
        start = previous;
    }
    let mut end = line_end(link.end);
    while end < text.len() {
        let next = &text[end + 1..line_end(end + 1)];
        if next.trim().is_empty() || starts_block(next) {
            break;
        }
        end = line_end(end + 1);
    }
    start..end
}

/// Whether `line` starts a block of its own.
fn starts_block(line: &str) -> bool {
    let line = line.trim_start();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    line.starts_with(['-', '*', '+', '#', '>', '|'])
        || (digits > 0 && line[digits..].starts_with(['.', ')']))
}

/// `block` with every run of whitespace made one space and no whitespace
/// at either end, and `range` moved to match.
fn one_line(block: &str, range: Range<usize>) -> (String, Range<usize>) {
    let mut out = String::with_capacity(block.len());
    let (mut start, mut end) = (0, None);
    for (i, c) in block.char_indices() {
        if i == range.start {
            start = out.len();
        }
        if i == range.end {
            end = Some(out.len());
        }
        if !c.is_whitespace() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    let end = end.unwrap_or(out.len());
    out.truncate(out.trim_end().len().max(end));
    (out, start..end)
}

/// `line` cut to [`SIDE`] characters either side of `range`, with `…`
/// where it was cut.
fn cut(line: &str, range: Range<usize>) -> (String, Range<usize>) {
    let before = &line[..range.start];
    let after = &line[range.end..];
    // Cut between words where there is a space to cut at.
    let from = match before.char_indices().rev().nth(SIDE - 1) {
        None => 0,
        Some((i, _)) if before[..i].ends_with(' ') => i,
        Some((i, _)) => before[i..].find(' ').map_or(i, |space| i + space + 1),
    };
    let to = match after.char_indices().nth(SIDE) {
        None => after.len(),
        Some((i, _)) if after[i..].starts_with(' ') => i,
        Some((i, _)) => after[..i]
            .rfind(' ')
            .filter(|&space| space > 0)
            .unwrap_or(i),
    };
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < after.len() { "…" } else { "" };
    let link = &line[range.clone()];
    let out = format!("{lead}{}{link}{}{tail}", &before[from..], &after[..to]);
    let start = lead.len() + before.len() - from;
    (out, start..start + range.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The excerpt around the first `[[...]]` in `text`, the link shown
    /// in braces.
    fn check(text: &str, expected: &str) {
        let start = text.find("[[").unwrap();
        let end = text[start..].find("]]").unwrap() + start + 2;
        let (excerpt, range) = around(text, start..end);
        let shown = format!(
            "{}{{{}}}{}",
            &excerpt[..range.start],
            &excerpt[range.clone()],
            &excerpt[range.end..]
        );
        assert_eq!(shown, expected);
    }

    #[test]
    fn excerpts() {
        check("[[Tags]]", "{[[Tags]]}");
        check(
            "Intro.\n\nA good habit: write a page and link the notes from\nit. See [[Links]].\n\nNext.",
            "A good habit: write a page and link the notes from it. See {[[Links]]}.",
        );
        check(
            "- [[Notes]]: two kinds\n- [[Links]]: how",
            "- {[[Notes]]}: two kinds",
        );
        check(
            "- first item\n  goes on [[Here]]\n- second",
            "- first item goes on {[[Here]]}",
        );
        check("# Heading\nText [[Here]]\n1. one", "Text {[[Here]]}");
        let long = format!("{} [[Here]] {}", "word ".repeat(40), "é".repeat(100));
        check(
            &long,
            &format!("…{}{{[[Here]]}} {}…", "word ".repeat(16), "é".repeat(79)),
        );
        // Cut between words.
        let words = format!("{} [[Here]] {}", "abc ".repeat(30), "xyz ".repeat(30));
        let cut = format!(
            "…{}{{[[Here]]}} {}…",
            "abc ".repeat(20),
            "xyz ".repeat(20).trim_end()
        );
        check(&words, &cut);
    }
}
