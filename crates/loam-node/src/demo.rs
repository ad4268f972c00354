//! The demo garden: a small garden, written for Loam, that explains gardens,
//! notes and pages, links, tags and search by being an example of each, and
//! shows the community layer from the first minute: a curated index with a
//! featured page, guidelines, a reading path and an open question.

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

/// The curated index: sections of titles, in order.
const INDEX: &[(&str, &[&str])] = &[
    ("Start here", &[WELCOME]),
    (
        "How Loam works",
        &[
            "Notes and pages",
            "Links and backlinks",
            "Tags",
            "Finding things",
        ],
    ),
    (
        "From the workshop",
        &["Workshop ideas", "Compost heap", "Reading list"],
    ),
];

/// The featured entry and the reason everyone sees.
const FEATURED: (&str, &str) = (
    WELCOME,
    "the map of this garden: read it first, then follow the reading path",
);

/// The reading path for newcomers: its title and pages, in order.
const PATH: (&str, &[&str]) = (
    "First steps",
    &[
        WELCOME,
        "Notes and pages",
        "Links and backlinks",
        "Tags",
        "Finding things",
    ],
);

/// The open question: on which document, its subject and text.
const QUESTION: (&str, &str, &str) = (
    "Compost heap",
    "Does lime belong in the heap?",
    "The note says no, because lime drives off nitrogen. Has anyone tried it either way? \
     Answer with a link to a note about what you saw.",
);

/// Fill `garden` with the demo documents, its index, guidelines (already
/// acknowledged by the member who planted them), reading path and question.
pub(crate) fn plant(garden: &Garden) -> Result<(), NodeError> {
    let mut ids = std::collections::HashMap::new();
    for (kind, title, folder, body) in DOCS {
        let id = garden.create(NewDoc {
            kind: *kind,
            title: (*title).to_owned(),
            body: (*body).to_owned(),
            tags: Vec::new(),
            folder: (*folder).to_owned(),
            path: String::new(),
        })?;
        ids.insert(*title, id);
    }
    // A title below that is not one of DOCS is this file's mistake, said as
    // a missing note rather than a panic.
    let id = |title: &str| {
        ids.get(title).copied().ok_or_else(|| NodeError::NotFound {
            reference: title.to_owned(),
            suggestions: Vec::new(),
        })
    };
    for (section, titles) in INDEX {
        let section = garden.add_section(section, None)?;
        for title in *titles {
            garden.add_to_index(&section, id(title)?, None)?;
        }
    }
    garden.feature(id(FEATURED.0)?, Some(FEATURED.1))?;
    garden.set_guidelines(GUIDELINES)?;
    garden.acknowledge_guidelines()?;
    let (path, titles) = PATH;
    let pages = titles
        .iter()
        .map(|t| id(t))
        .collect::<Result<Vec<_>, _>>()?;
    garden.add_path(path, &pages)?;
    let (on, subject, text) = QUESTION;
    garden.open_thread(id(on)?, subject, text, true)?;
    Ok(())
}

/// The garden's guidelines.
const GUIDELINES: &str = include_str!("demo/guidelines.md");
