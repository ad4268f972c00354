//! Markdown to sanitised HTML.
//!
//! One pulldown-cmark pass; the events are rewritten where Loam's markdown
//! differs from CommonMark, then written by pulldown-cmark's HTML writer and
//! cleaned by [`crate::sanitise`]. What the rewriting produces:
//!
//! - `[[Title#Heading|alias]]`:
//!   `<a class="wikilink resolved" href="{resolver href}#heading" data-target="Title">alias</a>`;
//!   the text is the alias (with its inline markup), else `Title > Heading`,
//!   else `Title`. When the resolver does not know the title:
//!   `<a class="wikilink unresolved" href="loam://new/Title" data-target="Title">`
//!   (the title percent-encoded), so that following it can offer to create
//!   the note. `[[#Heading]]` is
//!   `<a class="wikilink resolved heading-link" href="#heading">Heading</a>`.
//! - `![[pic.png]]` with an image extension and a resolved href:
//!   `<img class="embed image" src="{href}" alt="pic.png" data-target="pic.png">`
//!   (`![[pic.png|100]]` / `|100x80` set width / height, other aliases the alt).
//!   Any other embed is a wikilink inside a marker the app fills in:
//!   `<span class="embed resolved|unresolved" data-target="Title"><a class="wikilink ...">Title</a></span>`.
//! - `[text](dest)` and `![alt](dest)` to a local file (see
//!   [`crate::file_link`]): the href [`LinkResolver::resolve_file`] gives, or
//!   `dest` as written when it gives none.
//! - `#tag`: `<a class="tag" href="loam://tag/{normalised, percent-encoded}" data-tag="tag">#tag</a>`.
//! - Callouts (`> [!type] Title`): `<div class="callout" data-callout="type">`
//!   with `<div class="callout-title">` and `<div class="callout-content">`;
//!   foldable ones (`[!type]-`, `[!type]+`) are `<details class="callout">`
//!   (`open` for `+`) with a `<summary class="callout-title">`.
//! - Headings get unique ids from their text (see [`crate::slug`]); footnotes
//!   are numbered in order of first use, with ids `fn-1`, `fn-2`, ...
//! - A valid frontmatter block is not rendered; an invalid one is shown as
//!   `<pre class="frontmatter-invalid"><code>...</code></pre>`.
//!
//! Wikilinks inside markdown link text are rendered as their text, so links
//! never nest.

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use crate::callout::{self, Callout};
use crate::slug::{Slugs, slug};
use crate::walk::{self, Context};
use crate::wikilink::WikiLink;
use crate::{LinkResolver, frontmatter, sanitise, tags};
use crate::{escape, file_link};

/// File extensions `![[...]]` shows as an image.
const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "svg", "ico", "tif", "tiff",
];

pub(crate) fn render_html(markdown: &str, resolver: &dyn LinkResolver) -> String {
    let mut out = Vec::new();
    let mut body_start = 0;
    if let Some(block) = frontmatter::split(markdown) {
        body_start = block.body_start;
        if frontmatter::parse(markdown, &block).is_err() {
            out.push(Event::Html(
                format!(
                    "<pre class=\"frontmatter-invalid\"><code>{}</code></pre>\n",
                    escape::html(markdown.get(block.range).unwrap_or(""))
                )
                .into(),
            ));
        }
    }
    let events: Vec<_> = walk::events(markdown, body_start).collect();
    let heading_ids = heading_ids(&events);
    let mut renderer = Renderer {
        source: markdown,
        resolver,
        events,
        out,
        context: Context::default(),
        heading_ids: heading_ids.into_iter(),
        quotes: Vec::new(),
        footnotes: HashMap::new(),
    };
    renderer.run();

    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, renderer.out.into_iter());
    sanitise::clean(&html)
}

/// Unique ids for the headings, in order.
fn heading_ids(events: &[(Event<'_>, Range<usize>)]) -> Vec<String> {
    let mut slugs = Slugs::default();
    let mut ids = Vec::new();
    let mut text: Option<String> = None;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { .. }) => text = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = text.take() {
                    ids.push(slugs.unique(&text));
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some(text) = &mut text {
                    text.push_str(t);
                }
            }
            _ => {}
        }
    }
    ids
}

struct Renderer<'a, 'r> {
    source: &'a str,
    resolver: &'r dyn LinkResolver,
    /// Taken one by one (replaced by a placeholder) as they are rendered.
    events: Vec<(Event<'a>, Range<usize>)>,
    out: Vec<Event<'a>>,
    context: Context,
    heading_ids: std::vec::IntoIter<String>,
    /// Open blockquotes: `None` for a plain one, `Some(fold)` for a callout.
    quotes: Vec<Option<Option<bool>>>,
    /// Footnote label → number, in order of first appearance.
    footnotes: HashMap<String, usize>,
}

impl<'a> Renderer<'a, '_> {
    fn run(&mut self) {
        let mut i = 0;
        while i < self.events.len() {
            i = self.step(i);
        }
    }

    /// Render the event at `i` (and whatever belongs with it); returns the
    /// index of the next event to render.
    fn step(&mut self, i: usize) -> usize {
        match &self.events[i].0 {
            Event::Start(tag) if walk::is_wikilink(tag) => return self.wikilink(i),
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.file_link(i),
            Event::Text(_) if self.context.is_prose() => return self.prose(i),
            Event::Start(Tag::BlockQuote(_)) => {
                if let Some(callout) = callout::detect(self.source, &self.events, i) {
                    return self.callout(i, callout);
                }
                self.quotes.push(None);
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if let Some(Some(fold)) = self.quotes.pop() {
                    let close = if fold.is_some() {
                        "</div></details>\n"
                    } else {
                        "</div></div>\n"
                    };
                    self.out.push(Event::Html(close.into()));
                    return i + 1;
                }
            }
            Event::Start(Tag::Heading { .. }) => {
                let id = self.heading_ids.next();
                if let Event::Start(Tag::Heading { id: slot, .. }) = &mut self.events[i].0 {
                    *slot = id.map(CowStr::from);
                }
            }
            Event::FootnoteReference(label) => {
                let label = label.to_string();
                let number = self.footnote_number(&label);
                self.out.push(Event::InlineHtml(
                    format!(
                        "<sup class=\"footnote-reference\"><a href=\"#fn-{number}\">{number}</a></sup>"
                    )
                    .into(),
                ));
                return i + 1;
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let label = label.to_string();
                let number = self.footnote_number(&label);
                self.out.push(Event::Html(
                    format!(
                        "<div class=\"footnote-definition\" id=\"fn-{number}\"><sup class=\"footnote-definition-label\">{number}</sup>"
                    )
                    .into(),
                ));
                return i + 1;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.out.push(Event::Html("</div>\n".into()));
                return i + 1;
            }
            _ => {}
        }
        let event = self.take(i);
        self.context.step(&event);
        self.out.push(event);
        i + 1
    }

    fn take(&mut self, i: usize) -> Event<'a> {
        std::mem::replace(&mut self.events[i].0, Event::SoftBreak)
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(label.to_owned()).or_insert(next)
    }

    /// The index of the `End` matching the link or image `Start` at `start`.
    fn matching_end(&self, start: usize) -> usize {
        let mut depth = 0usize;
        for (j, (event, _)) in self.events.iter().enumerate().skip(start) {
            match event {
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Link | TagEnd::Image) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j;
                    }
                }
                _ => {}
            }
        }
        self.events.len().saturating_sub(1)
    }

    /// A wikilink or embed: its events from `start` to the matching end are
    /// replaced by Loam's HTML.
    fn wikilink(&mut self, start: usize) -> usize {
        let end = self.matching_end(start);
        let range = self.events[start].1.clone();
        let source = self.source;
        let Some(link) = WikiLink::parse(source, range.clone()) else {
            let raw = source.get(range).unwrap_or("");
            self.out.push(Event::Text(raw.into()));
            return end + 1;
        };
        if self.context.in_link() {
            self.out.push(Event::Text(link.display(source).into()));
            return end + 1;
        }
        let target = link.target(source);
        let href = if link.is_same_note() {
            None
        } else {
            self.resolver.resolve(target)
        };
        if link.embed {
            let html = self.embed(&link, href);
            self.out.push(Event::InlineHtml(html.into()));
            return end + 1;
        }
        self.out.push(Event::InlineHtml(
            anchor(&link, source, href.as_deref()).into(),
        ));
        if link.alias.is_some() {
            // The alias keeps its inline markup: render the link's children.
            for j in start + 1..end {
                let event = self.take(j);
                self.out.push(event);
            }
        } else {
            self.out.push(Event::Text(link.display(source).into()));
        }
        self.out.push(Event::InlineHtml("</a>".into()));
        end + 1
    }

    fn embed(&self, link: &WikiLink, href: Option<String>) -> String {
        let source = self.source;
        let target = link.target(source);
        if let Some(src) = href.as_deref().filter(|_| is_image(target)) {
            let (alt, size) = image_alias(link.alias(source));
            let mut html = format!(
                "<img class=\"embed image\" src=\"{}\" alt=\"{}\" data-target=\"{}\"",
                escape::html(src),
                escape::html(alt.unwrap_or(target)),
                escape::html(target),
            );
            if let Some((width, height)) = size {
                let _ = write!(html, " width=\"{width}\"");
                if let Some(height) = height {
                    let _ = write!(html, " height=\"{height}\"");
                }
            }
            html.push('>');
            return html;
        }
        let state = if href.is_some() || link.is_same_note() {
            "resolved"
        } else {
            "unresolved"
        };
        let mut html = format!("<span class=\"embed {state}\"");
        if !link.is_same_note() {
            let _ = write!(html, " data-target=\"{}\"", escape::html(target));
        }
        let _ = write!(
            html,
            ">{}{}</a></span>",
            anchor(link, source, href.as_deref()),
            escape::html(&link.display(source)),
        );
        html
    }

    /// A markdown link or image at `i` to a local file gets the href the
    /// resolver gives for it, if any.
    fn file_link(&mut self, i: usize) {
        let (
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
            ),
            _,
        ) = &mut self.events[i]
        else {
            return;
        };
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            return;
        }
        let href = file_link::local_path(dest_url).and_then(|p| self.resolver.resolve_file(&p));
        if let Some(href) = href {
            *dest_url = CowStr::from(href);
        }
    }

    /// A run of contiguous prose text events starting at `start`: `#tags`
    /// become tag links.
    fn prose(&mut self, start: usize) -> usize {
        let source = self.source;
        let mut end = start + 1;
        let mut run = self.events[start].1.clone();
        while let Some((Event::Text(_), range)) = self.events.get(end) {
            if range.start != run.end {
                break;
            }
            run.end = range.end;
            end += 1;
        }
        let mut found = Vec::new();
        tags::scan(source, run.clone(), |range| found.push(range));
        if found.is_empty() {
            for i in start..end {
                let event = self.take(i);
                self.out.push(event);
            }
            return end;
        }

        let mut cursor = run.start;
        for tag in found {
            self.text_between(start..end, cursor..tag.start);
            let written = source.get(tag.start + 1..tag.end).unwrap_or("");
            self.out.push(Event::InlineHtml(
                format!(
                    "<a class=\"tag\" href=\"loam://tag/{}\" data-tag=\"{}\">#{}</a>",
                    escape::url_segment(&loam_core::normalise_tag(written)),
                    escape::html(written),
                    escape::html(written),
                )
                .into(),
            ));
            cursor = tag.end;
        }
        self.text_between(start..end, cursor..run.end);
        end
    }

    /// The text of events `events` that lies in source `span`. Text that is
    /// the source verbatim is cut at the span's edges; a decoded entity is
    /// kept whole (tags never cut one).
    fn text_between(&mut self, events: Range<usize>, span: Range<usize>) {
        if span.start >= span.end {
            return;
        }
        for i in events {
            let range = self.events[i].1.clone();
            if range.end <= span.start || range.start >= span.end {
                continue;
            }
            let Event::Text(text) = &self.events[i].0 else {
                continue;
            };
            let verbatim = self.source.get(range.clone()) == Some(text.as_ref());
            if verbatim {
                let from = range.start.max(span.start);
                let to = range.end.min(span.end);
                if let Some(piece) = self.source.get(from..to) {
                    self.out.push(Event::Text(piece.into()));
                }
            } else if range.start >= span.start {
                let text = text.clone();
                self.out.push(Event::Text(text));
            }
        }
    }

    /// A callout instead of the blockquote at `quote`. The title keeps its
    /// inline markup (links, tags, emphasis) by rendering its events.
    fn callout(&mut self, quote: usize, callout: Callout) -> usize {
        let kind = escape::html(&callout.kind);
        let open = match callout.fold {
            None => format!(
                "<div class=\"callout\" data-callout=\"{kind}\">\n<div class=\"callout-title\">"
            ),
            Some(open) => format!(
                "<details class=\"callout\" data-callout=\"{kind}\"{}>\n<summary class=\"callout-title\">",
                if open { " open" } else { "" }
            ),
        };
        self.out.push(Event::Html(open.into()));
        match callout.title_start {
            Some(title_start) if !callout.title_events.is_empty() => {
                self.cut_before(callout.title_events.start, title_start);
                let mut i = callout.title_events.start;
                while i < callout.title_events.end {
                    i = self.step(i);
                }
            }
            _ => self.out.push(Event::Text(callout.default_title().into())),
        }
        let close_title = if callout.fold.is_some() {
            "</summary>"
        } else {
            "</div>"
        };
        self.out.push(Event::Html(
            format!("{close_title}\n<div class=\"callout-content\">\n").into(),
        ));
        self.quotes.push(Some(callout.fold));
        if callout.keep_paragraph {
            let paragraph = self.take(quote + 1);
            self.out.push(paragraph);
        }
        callout.resume
    }

    /// Make the text event at `i` start at byte `at` (it holds the end of a
    /// callout marker and the start of the title).
    fn cut_before(&mut self, i: usize, at: usize) {
        let (event, range) = &mut self.events[i];
        if range.start >= at {
            return;
        }
        let cut = match event {
            Event::Text(_) => self.source.get(at..range.end).unwrap_or(""),
            _ => "",
        };
        *event = Event::Text(cut.into());
        range.start = at.min(range.end);
    }
}

/// The opening `<a>` of a wikilink.
fn anchor(link: &WikiLink, source: &str, href: Option<&str>) -> String {
    let fragment = link
        .heading(source)
        .map(|heading| format!("#{}", slug(heading)))
        .unwrap_or_default();
    if link.is_same_note() {
        return format!(
            "<a class=\"wikilink resolved heading-link\" href=\"{}\">",
            escape::html(&fragment)
        );
    }
    let target = escape::html(link.target(source));
    match href {
        Some(href) => format!(
            "<a class=\"wikilink resolved\" href=\"{}\" data-target=\"{target}\">",
            escape::html(&format!("{href}{fragment}")),
        ),
        None => format!(
            "<a class=\"wikilink unresolved\" href=\"loam://new/{}\" data-target=\"{target}\">",
            escape::url_segment(link.target(source)),
        ),
    }
}

fn is_image(target: &str) -> bool {
    target.rsplit_once('.').is_some_and(|(_, ext)| {
        IMAGE_EXTENSIONS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(ext))
    })
}

/// Obsidian's image alias: `alt`, `100`, `100x80` or `alt|100x80`.
fn image_alias(alias: Option<&str>) -> (Option<&str>, Option<(u32, Option<u32>)>) {
    let Some(alias) = alias else {
        return (None, None);
    };
    let (alt, last) = match alias.rsplit_once('|') {
        Some((alt, last)) => (Some(alt.trim()), last.trim()),
        None => (None, alias),
    };
    let size = match last.split_once('x') {
        Some((w, h)) => w.parse().ok().zip(h.parse().ok().map(Some)),
        None => last.parse().ok().map(|w| (w, None)),
    };
    match size {
        Some(size) => (alt.filter(|a| !a.is_empty()), Some(size)),
        None => (Some(alias), None),
    }
}
