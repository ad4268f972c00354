//! Callouts: a blockquote whose first line is `[!type]`, optionally folded
//! (`[!type]-` closed, `[!type]+` open) and titled (`[!type] Title`), as in
//! Obsidian. GitHub's alerts (`> [!NOTE]`) are the same thing with five
//! types; any type made of letters, digits, `-` and `_` is accepted, so
//! Obsidian's `info`, `todo`, `example`, `quote`, ... all work.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// A recognised callout and where its marker line's events are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Callout {
    /// Lowercase type, e.g. `note`.
    pub kind: String,
    /// `None`: not foldable; `Some(open)`: foldable, open or closed.
    pub fold: Option<bool>,
    /// Where the written title starts in the source, or `None` when there
    /// is none (the title is then the type, capitalised).
    pub title_start: Option<usize>,
    /// Events of the marker line that hold (some of) the title: the first
    /// one may start before `title_start` and must be cut there.
    pub title_events: Range<usize>,
    /// Index of the first event to render after the marker line.
    pub resume: usize,
    /// Whether the first paragraph goes on after the marker line (its
    /// `Start(Paragraph)` must then still be rendered).
    pub keep_paragraph: bool,
}

impl Callout {
    /// The title shown when none is written.
    pub(crate) fn default_title(&self) -> String {
        let mut chars = self.kind.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

/// Whether the blockquote starting at `events[quote]` is a callout.
pub(crate) fn detect(
    source: &str,
    events: &[(Event<'_>, Range<usize>)],
    quote: usize,
) -> Option<Callout> {
    let (Event::Start(Tag::Paragraph), paragraph) = events.get(quote + 1)? else {
        return None;
    };
    let text = source.get(paragraph.clone())?;
    let rest = text.strip_prefix("[!")?;
    let close = rest.find(']')?;
    let kind = &rest[..close];
    if kind.is_empty()
        || kind.len() > 40
        || !kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        return None;
    }
    let mut after = &rest[close + 1..];
    let fold = match after.chars().next() {
        Some('-') => Some(false),
        Some('+') => Some(true),
        _ => None,
    };
    if fold.is_some() {
        after = &after[1..];
    }
    let line = after.split('\n').next().unwrap_or("");
    let title = line.trim_start();
    let title_start = paragraph.start + (text.len() - after.len()) + (line.len() - title.len());
    let line_end = title_start + title.len();
    let has_title = !title.trim().is_empty();

    let first = quote + 2;
    let mut title_first = None;
    let mut i = first;
    loop {
        let (event, range) = events.get(i)?;
        let (resume, keep_paragraph) = match event {
            Event::End(TagEnd::Paragraph) => (i + 1, false),
            Event::SoftBreak | Event::HardBreak => (i + 1, true),
            // Markup running from the title into the next line.
            _ if range.end > line_end => return None,
            // Markup that starts in the marker and ends in the title.
            Event::Start(_) if range.start < title_start && range.end > title_start => return None,
            _ => {
                if title_first.is_none() && range.end > title_start {
                    title_first = Some(i);
                }
                i += 1;
                continue;
            }
        };
        let title_events = match title_first {
            Some(title_first) if has_title => title_first..i,
            _ => i..i,
        };
        return Some(Callout {
            kind: kind.to_ascii_lowercase(),
            fold,
            title_start: has_title.then_some(title_start),
            title_events,
            resume,
            keep_paragraph,
        });
    }
}
