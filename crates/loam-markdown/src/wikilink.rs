//! Reading one wikilink's parts: `[[target#heading|alias]]`, `![[embed]]`.
//!
//! pulldown-cmark finds the links (with `ENABLE_WIKILINKS`, so code spans,
//! escapes and precedence follow CommonMark); this module splits the link's
//! source into byte ranges the way Obsidian reads it: the first `|` starts the
//! alias (an escaped `\|`, as written inside tables, counts as the pipe), the
//! first `#` before it starts the heading, and surrounding spaces are not part
//! of any piece. A link spanning lines, or one with neither a target nor a
//! heading, is no link.

use std::ops::Range;

use crate::Link;

/// A wikilink's pieces as byte ranges into the markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WikiLink {
    /// The whole link, `!` and brackets included.
    pub range: Range<usize>,
    /// The title, trimmed. Empty for a link to a heading of the same note
    /// (`[[#Heading]]`).
    pub target: Range<usize>,
    /// After `#`, trimmed, never empty.
    pub heading: Option<Range<usize>>,
    /// After `|`, trimmed, never empty.
    pub alias: Option<Range<usize>>,
    /// `![[...]]`
    pub embed: bool,
}

impl WikiLink {
    /// Split the link at `range` of `source`; `None` when it is malformed.
    pub(crate) fn parse(source: &str, range: Range<usize>) -> Option<WikiLink> {
        let text = source.get(range.clone())?;
        let (embed, open) = if text.starts_with("![[") {
            (true, 3)
        } else if text.starts_with("[[") {
            (false, 2)
        } else {
            return None;
        };
        if !text.ends_with("]]") || text.len() < open + 2 {
            return None;
        }
        let inner = range.start + open..range.end - 2;
        let inner_text = source.get(inner.clone())?;
        if inner_text.contains(['\n', '\r']) {
            return None;
        }

        let (mut dest, alias) = match inner_text.find('|') {
            Some(pipe) => (
                inner.start..inner.start + pipe,
                Some(inner.start + pipe + 1..inner.end),
            ),
            None => (inner.clone(), None),
        };
        if alias.is_some() && source.get(dest.clone())?.ends_with('\\') {
            dest.end -= 1;
        }
        let (target, heading) = match source.get(dest.clone())?.find('#') {
            Some(hash) => (
                dest.start..dest.start + hash,
                Some(dest.start + hash + 1..dest.end),
            ),
            None => (dest, None),
        };

        let target = trim(source, target);
        let heading = heading.map(|h| trim(source, h)).filter(|h| !h.is_empty());
        let alias = alias.map(|a| trim(source, a)).filter(|a| !a.is_empty());
        if target.is_empty() && heading.is_none() {
            return None;
        }
        Some(WikiLink {
            range,
            target,
            heading,
            alias,
            embed,
        })
    }

    /// The title as written, e.g. `Title` in `[[ Title #h|a]]`.
    pub(crate) fn target<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.target.clone()).unwrap_or("")
    }

    pub(crate) fn heading<'a>(&self, source: &'a str) -> Option<&'a str> {
        self.heading.clone().and_then(|h| source.get(h))
    }

    pub(crate) fn alias<'a>(&self, source: &'a str) -> Option<&'a str> {
        self.alias.clone().and_then(|a| source.get(a))
    }

    /// A link to a heading of the note it is in (`[[#Heading]]`).
    pub(crate) fn is_same_note(&self) -> bool {
        self.target.is_empty()
    }

    /// The public form, or `None` for a same-note heading link, which links
    /// to nothing the index knows.
    pub(crate) fn to_link(&self, source: &str) -> Option<Link> {
        if self.is_same_note() {
            return None;
        }
        Some(Link {
            target: self.target(source).to_owned(),
            heading: self.heading(source).map(str::to_owned),
            alias: self.alias(source).map(str::to_owned),
            embed: self.embed,
            range: self.range.clone(),
        })
    }

    /// What a reader sees for the link: the alias, else the target (with
    /// ` > heading` when there is one), else the heading alone.
    pub(crate) fn display(&self, source: &str) -> String {
        if let Some(alias) = self.alias(source) {
            return alias.to_owned();
        }
        match (self.target(source), self.heading(source)) {
            ("", Some(heading)) => heading.to_owned(),
            (target, Some(heading)) => format!("{target} > {heading}"),
            (target, None) => target.to_owned(),
        }
    }
}

/// `range` without leading and trailing whitespace.
fn trim(source: &str, range: Range<usize>) -> Range<usize> {
    let text = source.get(range.clone()).unwrap_or("");
    let start = range.start + (text.len() - text.trim_start().len());
    let end = range.start + text.trim_end().len();
    if start >= end {
        start..start
    } else {
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the first link-shaped thing in `input` (which must be one link)
    /// and shows its pieces.
    fn check(input: &str, expected: expect_test::Expect) {
        let shown = match WikiLink::parse(input, 0..input.len()) {
            None => "none".to_owned(),
            Some(link) => format!(
                "target={:?} heading={:?} alias={:?} embed={} display={:?}",
                link.target(input),
                link.heading(input),
                link.alias(input),
                link.embed,
                link.display(input),
            ),
        };
        expected.assert_eq(&shown);
    }

    #[test]
    fn pieces() {
        use expect_test::expect;
        check(
            "[[Title]]",
            expect![[r#"target="Title" heading=None alias=None embed=false display="Title""#]],
        );
        check(
            "[[Title|alias]]",
            expect![[
                r#"target="Title" heading=None alias=Some("alias") embed=false display="alias""#
            ]],
        );
        check(
            "[[Title#Heading]]",
            expect![[
                r#"target="Title" heading=Some("Heading") alias=None embed=false display="Title > Heading""#
            ]],
        );
        check(
            "[[Title#Heading|alias]]",
            expect![[
                r#"target="Title" heading=Some("Heading") alias=Some("alias") embed=false display="alias""#
            ]],
        );
        check(
            "![[pic.png]]",
            expect![[r#"target="pic.png" heading=None alias=None embed=true display="pic.png""#]],
        );
        check(
            r"[[Title\|alias]]",
            expect![[
                r#"target="Title" heading=None alias=Some("alias") embed=false display="alias""#
            ]],
        );
        check(
            "[[ spaced  title ]]",
            expect![[
                r#"target="spaced  title" heading=None alias=None embed=false display="spaced  title""#
            ]],
        );
        check(
            "[[#Heading]]",
            expect![[
                r#"target="" heading=Some("Heading") alias=None embed=false display="Heading""#
            ]],
        );
        check(
            "[[T|]]",
            expect![[r#"target="T" heading=None alias=None embed=false display="T""#]],
        );
        check(
            "[[T#]]",
            expect![[r#"target="T" heading=None alias=None embed=false display="T""#]],
        );
        check(
            "[[日本語#見出し|別名 🌱]]",
            expect![[
                r#"target="日本語" heading=Some("見出し") alias=Some("別名 🌱") embed=false display="別名 🌱""#
            ]],
        );
        check("[[ ]]", expect!["none"]);
        check("[[#]]", expect!["none"]);
        check("[[|a]]", expect!["none"]);
        check("[[a\nb]]", expect!["none"]);
        check("[[a]", expect!["none"]);
        check("[a]]", expect!["none"]);
        check("[]]", expect!["none"]);
        check("![[]", expect!["none"]);
    }
}
