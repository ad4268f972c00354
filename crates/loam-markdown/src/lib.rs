//! Loam's markdown: what a note's text means to the garden.
//!
//! [`analyse`] reads a note's markdown and returns what the index needs:
//! wikilinks (`[[Title]]`, `[[Title|alias]]`, `[[Title#Heading]]`), embeds
//! (`![[Title]]`), `#tags` (nested `#a/b` too), headings and the YAML
//! frontmatter's title, tags and aliases. [`render_html`] turns the markdown
//! into sanitised HTML (CommonMark + GFM) with wikilinks as internal links
//! marked resolved or unresolved.
//!
//! [`rewrite_links`] points links at a renamed note, and [`find_mentions`]
//! finds a title written as plain text (unlinked mentions).
//!
//! Pure: no I/O. Byte ranges refer to the markdown passed in. No input
//! makes any function panic, and each reads the note with one pulldown-cmark
//! pass (linear in the note's length).
//!
//! Module map: `walk` owns the parse and decides what is prose, code or a
//! link; `wikilink`, `tags` and `frontmatter` read those constructs;
//! `analysis`, `rewrite` and `mentions` are the index-side readers; `render`
//! (with `callout`, `slug`, `escape`) writes HTML and `sanitise` cleans it.
//! The HTML shapes are documented in `render`.

mod analysis;
mod callout;
mod escape;
mod file_link;
mod frontmatter;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod mentions;
mod render;
mod rewrite;
mod sanitise;
mod slug;
mod tags;
mod walk;
mod wikilink;

use std::ops::Range;

use serde::Serialize;

/// Everything the index needs from one note's markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// The YAML frontmatter, if the note starts with one that parses.
    pub frontmatter: Option<Frontmatter>,
    /// Wikilinks and embeds, in document order.
    pub links: Vec<Link>,
    /// Markdown links and images to a local file (`[text](Other%20note.md)`,
    /// `![](img/pic.png)`), in document order; links with a scheme
    /// (`https:`), to a heading of the same note (`#h`) or empty are not
    /// here.
    pub file_links: Vec<FileLink>,
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

/// A markdown link or image whose destination is a file beside the note
/// (a relative or vault path, not a URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLink {
    /// The destination, percent-decoded, without a `#fragment` or `?query`
    /// (`Other note.md` for `Other%20note.md#Heading`).
    pub path: String,
    /// An image (`![alt](path)`) rather than a link.
    pub image: bool,
    /// Byte range of the whole link or image.
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

impl Analysis {
    /// The frontmatter's tags, then the inline tags, each tag once (compared
    /// as normalised tags), as first written.
    pub fn all_tags(&self) -> Vec<String> {
        let frontmatter = self.frontmatter.iter().flat_map(|fm| fm.tags.iter());
        frontmatter::dedupe_tags(frontmatter.chain(&self.tags).cloned().collect())
    }
}

/// Read a note's markdown for the index.
///
/// Invalid frontmatter leaves `frontmatter` empty and adds a warning naming
/// the line; the rest of the note is still read. A link to a heading of the
/// same note (`[[#Heading]]`) is not in `links`: it links to no other note.
pub fn analyse(markdown: &str) -> Analysis {
    analysis::analyse(markdown)
}

/// How the renderer learns whether a wikilink's target exists.
pub trait LinkResolver {
    /// The href for `target` (as written in the link), or `None` when no note
    /// or page has that title.
    fn resolve(&self, target: &str) -> Option<String>;

    /// The href for a markdown link or image to a local file (`path` as in
    /// [`FileLink::path`]: decoded, without fragment), or `None` to keep the
    /// destination as written. The default keeps every destination.
    fn resolve_file(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }
}

/// Render markdown to sanitised HTML.
///
/// CommonMark with GFM tables, task lists, strikethrough and footnotes,
/// `$math$` (marked up for the app to typeset), callouts, wikilinks, embeds
/// and `#tags`; markdown links and images to local files get the href
/// [`LinkResolver::resolve_file`] gives; the HTML shapes are described in the `render` module. The
/// output carries no script, style, event handler or URL outside `http`,
/// `https`, `mailto`, `loam` and relative ones, whatever the note contains.
pub fn render_html(markdown: &str, resolver: &dyn LinkResolver) -> String {
    render::render_html(markdown, resolver)
}

/// The markdown with every wikilink and embed to `old` (compared as
/// normalised titles) pointing at `new` instead, heading and alias kept.
/// `None` when no link changed.
///
/// `new` is written verbatim: a title containing `[`, `]`, `|` or `#` cannot
/// be written inside a wikilink, so callers should not allow such titles.
pub fn rewrite_links(markdown: &str, old: &str, new: &str) -> Option<String> {
    rewrite::rewrite_links(markdown, old, new)
}

/// Byte ranges where `phrase` appears as plain text (case-insensitive, on
/// word boundaries), not inside a link, code or frontmatter: the "unlinked
/// mentions" of a title.
pub fn find_mentions(markdown: &str, phrase: &str) -> Vec<Range<usize>> {
    mentions::find_mentions(markdown, phrase)
}
