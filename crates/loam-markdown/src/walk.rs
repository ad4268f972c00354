//! The one pulldown-cmark pass over a note's body, and what each event means
//! to the index: which text is prose (where `#tags` and mentions live), which
//! events are wikilinks, where headings are.
//!
//! Everything that reads a note for the index ([`crate::analyse`],
//! [`crate::rewrite_links`], [`crate::find_mentions`]) walks it through
//! [`walk`], and the renderer classifies text with the same [`Context`], so the
//! HTML and the index agree on what is a link, a tag or code.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::wikilink::WikiLink;
use crate::{FileLink, file_link, frontmatter};

/// The markdown dialect: CommonMark, GFM tables, task lists, strikethrough and
/// footnotes, `$math$`, and wikilinks. Frontmatter is split off before parsing
/// (see [`crate::frontmatter`]), and callouts are recognised by the renderer,
/// so neither metadata blocks nor GFM alerts are enabled here.
pub(crate) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_MATH)
    .union(Options::ENABLE_WIKILINKS);

/// Events of the body (everything after the frontmatter) with byte ranges
/// into the whole `markdown`.
pub(crate) fn events(
    markdown: &str,
    body_start: usize,
) -> impl Iterator<Item = (Event<'_>, Range<usize>)> {
    let body = markdown.get(body_start..).unwrap_or("");
    Parser::new_ext(body, OPTIONS)
        .into_offset_iter()
        .map(move |(event, range)| (event, range.start + body_start..range.end + body_start))
}

/// Where the body starts: after the frontmatter block, if there is one.
pub(crate) fn body_start(markdown: &str) -> usize {
    frontmatter::split(markdown).map_or(0, |block| block.body_start)
}

/// Whether a link tag is a wikilink (`[[...]]` or `![[...]]`).
pub(crate) fn is_wikilink(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Link {
            link_type: LinkType::WikiLink { .. },
            ..
        } | Tag::Image {
            link_type: LinkType::WikiLink { .. },
            ..
        }
    )
}

/// What surrounds an event: code, or a link whose text is not prose.
#[derive(Debug, Default)]
pub(crate) struct Context {
    code_blocks: usize,
    /// One entry per open link or image; `true` for wikilinks.
    links: Vec<bool>,
}

impl Context {
    /// Account for `event`, which comes next in document order.
    pub(crate) fn step(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => self.code_blocks += 1,
            Event::End(TagEnd::CodeBlock) => self.code_blocks = self.code_blocks.saturating_sub(1),
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                self.links.push(is_wikilink(tag));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                self.links.pop();
            }
            _ => {}
        }
    }

    /// Whether a text event here is prose: not code, not inside any link or
    /// image (their text is the link's, their destination is a URL).
    pub(crate) fn is_prose(&self) -> bool {
        self.code_blocks == 0 && self.links.is_empty()
    }

    /// Whether we are inside a markdown link or image (not a wikilink).
    pub(crate) fn in_link(&self) -> bool {
        self.links.iter().any(|wiki| !wiki)
    }
}

/// What the walk reports. Every method has a default that ignores the item.
pub(crate) trait Visitor {
    /// A well-formed wikilink or embed (not one inside a markdown link).
    fn wikilink(&mut self, link: WikiLink) {
        let _ = link;
    }
    /// A markdown link or image to a local file.
    fn file_link(&mut self, link: FileLink) {
        let _ = link;
    }
    /// A run of prose text: contiguous text events outside code and links.
    /// Runs end at any markup, so a run never spans an escape, emphasis
    /// delimiter or line break.
    fn prose(&mut self, range: Range<usize>) {
        let _ = range;
    }
    /// A heading, with its text as rendered (markup removed).
    fn heading(&mut self, level: u8, text: String, range: Range<usize>) {
        let _ = (level, text, range);
    }
}

/// Walk `markdown`'s body (from `body_start`, see [`body_start`]) once,
/// reporting wikilinks, prose runs and headings.
pub(crate) fn walk(markdown: &str, body_start: usize, visitor: &mut impl Visitor) {
    let mut context = Context::default();
    let mut run: Option<Range<usize>> = None;
    let mut heading: Option<(u8, String, Range<usize>)> = None;

    for (event, range) in events(markdown, body_start) {
        let prose_text = matches!(event, Event::Text(_)) && context.is_prose();
        if prose_text {
            match &mut run {
                Some(current) if current.end == range.start => current.end = range.end,
                _ => {
                    if let Some(done) = run.replace(range.clone()) {
                        visitor.prose(done);
                    }
                }
            }
        } else if let Some(done) = run.take() {
            visitor.prose(done);
        }

        if let Some((_, text, _)) = &mut heading {
            match &event {
                Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
        }

        match &event {
            Event::Start(tag @ Tag::Link { .. } | tag @ Tag::Image { .. })
                if is_wikilink(tag) && !context.in_link() =>
            {
                if let Some(link) = WikiLink::parse(markdown, range.clone()) {
                    visitor.wikilink(link);
                }
            }
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) if !matches!(
                link_type,
                LinkType::WikiLink { .. } | LinkType::Autolink | LinkType::Email
            ) =>
            {
                if let Some(path) = file_link::local_path(dest_url) {
                    visitor.file_link(FileLink {
                        path,
                        image: matches!(event, Event::Start(Tag::Image { .. })),
                        range: range.clone(),
                    });
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((*level as u8, String::new(), range.clone()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, range)) = heading.take() {
                    let end =
                        range.start + markdown.get(range.clone()).unwrap_or("").trim_end().len();
                    visitor.heading(level, text.trim().to_owned(), range.start..end);
                }
            }
            _ => {}
        }
        context.step(&event);
    }
    if let Some(done) = run.take() {
        visitor.prose(done);
    }
}
