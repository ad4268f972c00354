//! [`crate::rewrite_links`]: pointing links at a renamed note, the way
//! Obsidian does on rename. Only the title inside each link changes; the
//! heading, the alias, the `!` of an embed, spacing and everything outside
//! the links stay byte for byte.

use std::ops::Range;

use loam_core::normalise_title;

use crate::walk::{self, Visitor};
use crate::wikilink::WikiLink;

pub(crate) fn rewrite_links(markdown: &str, old: &str, new: &str) -> Option<String> {
    let old = normalise_title(old);
    if old.is_empty() {
        return None;
    }
    let mut finder = Targets {
        source: markdown,
        old: &old,
        found: Vec::new(),
    };
    walk::walk(markdown, walk::body_start(markdown), &mut finder);
    if finder.found.is_empty() {
        return None;
    }

    let mut out = String::with_capacity(markdown.len() + finder.found.len() * new.len());
    let mut cursor = 0;
    for target in finder.found {
        out.push_str(markdown.get(cursor..target.start)?);
        out.push_str(new);
        cursor = target.end;
    }
    out.push_str(markdown.get(cursor..)?);
    (out != markdown).then_some(out)
}

/// Collects the title ranges of links to `old`.
struct Targets<'a> {
    source: &'a str,
    old: &'a str,
    found: Vec<Range<usize>>,
}

impl Visitor for Targets<'_> {
    fn wikilink(&mut self, link: WikiLink) {
        if !link.is_same_note() && normalise_title(link.target(self.source)) == self.old {
            self.found.push(link.target);
        }
    }
}
