//! [`crate::find_mentions`]: where a title appears as plain prose, the
//! "unlinked mentions" a member may want to turn into links.
//!
//! Matching is case-insensitive (full Unicode lowercase), whitespace in the
//! phrase matches any run of spaces, and a match must start and end on word
//! boundaries, except next to CJK characters, which are written without
//! spaces. A match right after `#` is a tag, not a mention.

use std::ops::Range;

use crate::walk::{self, Visitor};

pub(crate) fn find_mentions(markdown: &str, phrase: &str) -> Vec<Range<usize>> {
    let Some(phrase) = Phrase::new(phrase) else {
        return Vec::new();
    };
    let mut finder = Finder {
        source: markdown,
        phrase,
        found: Vec::new(),
    };
    walk::walk(markdown, walk::body_start(markdown), &mut finder);
    finder.found
}

/// One element of the lowercased phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Char(char),
    /// One or more whitespace characters.
    Space,
}

#[derive(Debug)]
struct Phrase {
    units: Vec<Unit>,
    first: char,
    last: char,
}

impl Phrase {
    fn new(phrase: &str) -> Option<Phrase> {
        let phrase = phrase.trim();
        let first = phrase.chars().next()?;
        let last = phrase.chars().next_back()?;
        let mut units = Vec::with_capacity(phrase.len());
        for c in phrase.chars() {
            if c.is_whitespace() {
                if units.last() != Some(&Unit::Space) {
                    units.push(Unit::Space);
                }
            } else {
                units.extend(c.to_lowercase().map(Unit::Char));
            }
        }
        Some(Phrase { units, first, last })
    }

    /// The length in bytes of the match at the start of `text`, if any.
    fn match_at(&self, text: &str) -> Option<usize> {
        let mut chars = text.char_indices().peekable();
        let mut unit = 0;
        let mut end = 0;
        while unit < self.units.len() {
            let (i, c) = chars.next()?;
            match self.units[unit] {
                Unit::Space => {
                    if !c.is_whitespace() {
                        return None;
                    }
                    while chars.next_if(|(_, d)| d.is_whitespace()).is_some() {}
                    unit += 1;
                }
                Unit::Char(_) => {
                    for lower in c.to_lowercase() {
                        if self.units.get(unit) != Some(&Unit::Char(lower)) {
                            return None;
                        }
                        unit += 1;
                    }
                    end = i + c.len_utf8();
                }
            }
        }
        Some(end)
    }
}

struct Finder<'a> {
    source: &'a str,
    phrase: Phrase,
    found: Vec<Range<usize>>,
}

impl Visitor for Finder<'_> {
    fn prose(&mut self, run: Range<usize>) {
        let Some(text) = self.source.get(run.clone()) else {
            return;
        };
        let Some(Unit::Char(first)) = self.phrase.units.first().copied() else {
            return;
        };
        let mut next_allowed = 0;
        for (i, c) in text.char_indices() {
            if i < next_allowed || c.to_lowercase().next() != Some(first) {
                continue;
            }
            let start = run.start + i;
            let before = self.source.get(..start).and_then(|b| b.chars().next_back());
            if before == Some('#') || !is_boundary(before, self.phrase.first) {
                continue;
            }
            let Some(len) = self.phrase.match_at(&text[i..]) else {
                continue;
            };
            let end = start + len;
            let after = self.source.get(end..).and_then(|a| a.chars().next());
            if is_boundary(after, self.phrase.last) {
                self.found.push(start..end);
                next_allowed = i + len;
            }
        }
    }
}

/// Whether a match edge at phrase character `edge` may sit next to
/// `neighbour`.
fn is_boundary(neighbour: Option<char>, edge: char) -> bool {
    match neighbour {
        None => true,
        Some(n) => !is_word(n) || !is_word(edge) || is_cjk(n) || is_cjk(edge),
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(
        c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF
    )
}
