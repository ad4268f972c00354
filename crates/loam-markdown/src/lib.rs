//! Loam's markdown: what a note's text means to the garden.
//!
//! [`analyse`] reads a note's markdown and returns what the index needs:
//! wikilinks (`[[Title]]`, `[[Title|alias]]`, `[[Title#Heading]]`), embeds
//! (`![[Title]]`), `#tags` (nested `#a/b` too), headings and the YAML
//! frontmatter's title, tags and aliases. [`render_html`] turns the markdown
//! into sanitised HTML (CommonMark + GFM) with wikilinks as internal links
//! marked resolved or unresolved.
//!
//! Pure: no I/O. Byte ranges refer to the markdown passed in.
//!
//! (Skeleton: the implementation lands with the markdown work.)

use std::ops::Range;

use serde::Serialize;

/// Everything the index needs from one note's markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// The YAML frontmatter, if the note starts with one that parses.
    pub frontmatter: Option<Frontmatter>,
    /// Wikilinks and embeds, in document order.
    pub links: Vec<Link>,
    /// Inline `#tags` as written (without `#`), in order, without repeats.
    pub tags: Vec<String>,
    /// ATX and setext headings, in order.
    pub headings: Vec<Heading>,
    /// Problems worth telling the author about (invalid frontmatter, ...).
    pub warnings: Vec<String>,
}

/// The fields of YAML frontmatter Loam indexes. The frontmatter itself stays
/// verbatim in the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Frontmatter {
    /// `title:`
    pub title: Option<String>,
    /// `tags:` (a list or a comma/space separated string)
    pub tags: Vec<String>,
    /// `aliases:` (a list or a single string)
    pub aliases: Vec<String>,
    /// Byte range of the whole block, `---` lines included.
    pub range: Range<usize>,
}

/// A wikilink or embed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The linked title as written (`Title` in `[[Title#h|a]]`).
    pub target: String,
    /// `h` in `[[Title#h]]`.
    pub heading: Option<String>,
    /// `a` in `[[Title|a]]`.
    pub alias: Option<String>,
    /// `![[...]]`
    pub embed: bool,
    /// Byte range of the whole link, brackets (and `!`) included.
    pub range: Range<usize>,
}

/// A heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading's text.
    pub text: String,
    /// Byte range of the heading line(s).
    pub range: Range<usize>,
}

/// Read a note's markdown for the index.
pub fn analyse(markdown: &str) -> Analysis {
    let _ = markdown;
    Analysis::default()
}

/// How the renderer learns whether a wikilink's target exists.
pub trait LinkResolver {
    /// The href for `target` (as written in the link), or `None` when no note
    /// or page has that title.
    fn resolve(&self, target: &str) -> Option<String>;
}

/// Render markdown to sanitised HTML.
pub fn render_html(markdown: &str, resolver: &dyn LinkResolver) -> String {
    let _ = (markdown, resolver);
    String::new()
}

/// The markdown with every wikilink and embed to `old` (compared as
/// normalised titles) pointing at `new` instead, heading and alias kept.
/// `None` when no link changed.
pub fn rewrite_links(markdown: &str, old: &str, new: &str) -> Option<String> {
    let _ = (markdown, old, new);
    None
}

/// Byte ranges where `phrase` appears as plain text (case-insensitive, on
/// word boundaries), not inside a link, code or frontmatter: the "unlinked
/// mentions" of a title.
pub fn find_mentions(markdown: &str, phrase: &str) -> Vec<Range<usize>> {
    let _ = (markdown, phrase);
    Vec::new()
}
