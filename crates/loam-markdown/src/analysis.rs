//! [`crate::analyse`]: what the index needs from one note, in one pass.

use std::collections::HashSet;
use std::ops::Range;

use crate::walk::{self, Visitor};
use crate::wikilink::WikiLink;
use crate::{Analysis, FileLink, Heading, frontmatter, tags};

pub(crate) fn analyse(markdown: &str) -> Analysis {
    let mut analysis = Analysis::default();
    let mut body_start = 0;
    if let Some(block) = frontmatter::split(markdown) {
        body_start = block.body_start;
        match frontmatter::parse(markdown, &block) {
            Ok(frontmatter) => analysis.frontmatter = Some(frontmatter),
            Err(warning) => analysis.warnings.push(warning),
        }
    }
    let mut collector = Collector {
        source: markdown,
        analysis,
        seen_tags: HashSet::new(),
    };
    walk::walk(markdown, body_start, &mut collector);
    collector.analysis
}

struct Collector<'a> {
    source: &'a str,
    analysis: Analysis,
    /// Normalised tags already in `analysis.tags`.
    seen_tags: HashSet<String>,
}

impl Visitor for Collector<'_> {
    fn wikilink(&mut self, link: WikiLink) {
        if let Some(link) = link.to_link(self.source) {
            self.analysis.links.push(link);
        }
    }

    fn file_link(&mut self, link: FileLink) {
        self.analysis.file_links.push(link);
    }

    fn prose(&mut self, range: Range<usize>) {
        let source = self.source;
        tags::scan(source, range, |tag| {
            let written = source.get(tag.start + 1..tag.end).unwrap_or("");
            if self.seen_tags.insert(loam_core::normalise_tag(written)) {
                self.analysis.tags.push(written.to_owned());
            }
        });
    }

    fn heading(&mut self, level: u8, text: String, range: Range<usize>) {
        self.analysis.headings.push(Heading { level, text, range });
    }
}
