//! The demo garden: a small garden, written for Loam, that explains gardens,
//! notes and pages, links, tags and search by being an example of each.

use loam_core::{DocKind, NewDoc};

use crate::{Garden, NodeError};

/// The demo's documents: kind, title, folder, tags, body.
const DOCS: &[(DocKind, &str, &str, &str)] = &[
    (
        DocKind::Page,
        "Welcome to Loam",
        "",
        include_str!("demo/welcome.md"),
    ),
    (
        DocKind::Page,
        "Notes and pages",
        "Guide",
        include_str!("demo/notes-and-pages.md"),
    ),
    (
        DocKind::Page,
        "Links and backlinks",
        "Guide",
        include_str!("demo/links.md"),
    ),
    (DocKind::Page, "Tags", "Guide", include_str!("demo/tags.md")),
    (
        DocKind::Page,
        "Finding things",
        "Guide",
        include_str!("demo/finding.md"),
    ),
    (
        DocKind::Note,
        "Workshop ideas",
        "Workshop",
        include_str!("demo/workshop-ideas.md"),
    ),
    (
        DocKind::Note,
        "Compost heap",
        "Workshop",
        include_str!("demo/compost-heap.md"),
    ),
    (
        DocKind::Note,
        "Reading list",
        "Workshop",
        include_str!("demo/reading-list.md"),
    ),
];

/// The title of the page to open first.
pub const WELCOME: &str = "Welcome to Loam";

/// Fill `garden` with the demo documents.
pub(crate) fn plant(garden: &Garden) -> Result<(), NodeError> {
    for (kind, title, folder, body) in DOCS {
        garden.create(NewDoc {
            kind: *kind,
            title: (*title).to_owned(),
            body: (*body).to_owned(),
            tags: Vec::new(),
            folder: (*folder).to_owned(),
            path: String::new(),
        })?;
    }
    Ok(())
}
