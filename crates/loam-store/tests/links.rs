//! Links, backlinks, broken links, aliases and tags, derived from the
//! markdown by `loam_markdown::analyse` when a document is written.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_store::{LinkRow, Store};
use support::{Garden, titles};

const GARDEN: &str = r"
    page Welcome             | Start at [[Seeds]], dig into [[Roots#Deep|the roots]] and ![[Missing]]. #intro
    note Seeds #botany       | Back to [[welcome]] and [[  WELCOME ]]. #botany/seeds #Intro
    note Roots               | ---\naliases: [Radix, radix, Root system]\ntags: [soil]\n---\nRoots hold [[Seeds]].
    note Old [archived]      | [[Seeds]] [[Gone]] #intro
    note Radical             | [[radix]] and [[root system]] and [[Old]]
";

/// `target` `#heading` `|alias` `!` and where it is, as `[start..end]`.
fn link(l: &LinkRow) -> String {
    let mut out = l.target.clone();
    if let Some(h) = &l.heading {
        out.push_str(&format!("#{h}"));
    }
    if let Some(a) = &l.alias {
        out.push_str(&format!("|{a}"));
    }
    if l.embed {
        out.insert(0, '!');
    }
    out
}

fn outgoing(garden: &Garden, title: &str) -> String {
    let links = garden.store.outgoing(garden.id(title)).unwrap();
    let shown: Vec<String> = links
        .iter()
        .map(|o| {
            format!(
                "{} -> {}",
                link(&o.link),
                o.resolved.map_or("none", |id| garden.title(id))
            )
        })
        .collect();
    shown.join("; ")
}

fn backlinks(garden: &Garden, title: &str) -> String {
    let backlinks = garden.store.backlinks(garden.id(title)).unwrap();
    let shown: Vec<String> = backlinks
        .iter()
        .map(|b| {
            format!(
                "{}: {}",
                b.source.title,
                b.links.iter().map(link).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    shown.join("; ")
}

fn broken(store: &Store) -> String {
    let broken = store.broken_links().unwrap();
    broken
        .iter()
        .map(|b| format!("{} -> {}", b.source.title, link(&b.link)))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn outgoing_links_resolve_by_title_and_alias() {
    let garden = Garden::new(GARDEN);
    assert_eq!(
        outgoing(&garden, "Welcome"),
        "Seeds -> Seeds; Roots#Deep|the roots -> Roots; !Missing -> none"
    );
    assert_eq!(
        outgoing(&garden, "Seeds"),
        "welcome -> Welcome; WELCOME -> Welcome"
    );
    assert_eq!(
        outgoing(&garden, "Radical"),
        "radix -> Roots; root system -> Roots; Old -> none"
    );
    assert_eq!(garden.store.outgoing(support::doc_id(99)).unwrap(), []);
}

#[test]
fn link_positions_are_byte_ranges_of_the_body() {
    let garden = Garden::new(GARDEN);
    let body = garden.store.text(garden.id("Welcome")).unwrap().unwrap();
    let links = garden.store.outgoing(garden.id("Welcome")).unwrap();
    let spans: Vec<&str> = links
        .iter()
        .map(|o| &body[o.link.start..o.link.end])
        .collect();
    assert_eq!(
        spans,
        ["[[Seeds]]", "[[Roots#Deep|the roots]]", "![[Missing]]"]
    );
}

#[test]
fn backlinks_come_from_documents_that_are_not_archived() {
    let garden = Garden::new(GARDEN);
    assert_eq!(backlinks(&garden, "Seeds"), "Roots: Seeds; Welcome: Seeds");
    assert_eq!(backlinks(&garden, "Welcome"), "Seeds: welcome, WELCOME");
    assert_eq!(
        backlinks(&garden, "Roots"),
        "Radical: radix, root system; Welcome: Roots#Deep|the roots"
    );
    assert_eq!(backlinks(&garden, "Radical"), "");
    assert_eq!(
        backlinks(&garden, "Old"),
        "Radical: Old",
        "archived targets still show who links to them"
    );
}

#[test]
fn broken_links_are_links_to_nothing_or_to_archived_documents() {
    let garden = Garden::new(GARDEN);
    assert_eq!(broken(&garden.store), "Radical -> Old; Welcome -> !Missing");
}

#[test]
fn renaming_archiving_and_creating_change_what_links_resolve_to() {
    let mut garden = Garden::new(GARDEN);
    garden.edit("Seeds", 10, |s| s.title = "Sprouts".into());
    assert_eq!(
        outgoing(&garden, "Welcome"),
        "Seeds -> none; Roots#Deep|the roots -> Roots; !Missing -> none"
    );
    assert_eq!(
        broken(&garden.store),
        "Radical -> Old; Roots -> Seeds; Welcome -> Seeds; Welcome -> !Missing"
    );
    garden.edit("Old", 11, |s| {
        s.archived = false;
        s.title = "Missing".into();
    });
    assert_eq!(
        outgoing(&garden, "Welcome"),
        "Seeds -> none; Roots#Deep|the roots -> Roots; !Missing -> Missing"
    );
    assert_eq!(
        broken(&garden.store),
        "Missing -> Seeds; Missing -> Gone; Radical -> Old; Roots -> Seeds; Welcome -> Seeds"
    );
    // A page wins over a note of the same title, whatever was updated last.
    let mut pages = Garden::new(
        "note Topic | mine\npage topic | ours\nnote TOPIC | newest\nnote Reader | [[Topic]]",
    );
    assert_eq!(outgoing(&pages, "Reader"), "Topic -> topic");
    pages.edit("topic", 50, |s| s.archived = true);
    assert_eq!(outgoing(&pages, "Reader"), "Topic -> TOPIC");
}

#[test]
fn aliases_come_from_the_frontmatter() {
    let garden = Garden::new(GARDEN);
    let row = garden.store.doc(garden.id("Roots")).unwrap().unwrap();
    assert_eq!(row.aliases, ["Radix", "Root system"]);
    let found = garden.store.find_by_title("RADIX", false).unwrap();
    assert_eq!(titles(&found), "Roots");
    let entry = garden
        .store
        .all_titles()
        .unwrap()
        .into_iter()
        .find(|e| e.title == "Roots")
        .unwrap();
    assert_eq!(entry.aliases, ["Radix", "Root system"]);
}

#[test]
fn tags_merge_document_frontmatter_and_inline_tags() {
    let garden = Garden::new(GARDEN);
    let row = garden.store.doc(garden.id("Seeds")).unwrap().unwrap();
    assert_eq!(row.tags, ["botany", "botany/seeds", "intro"]);
    assert_eq!(
        garden.store.doc(garden.id("Roots")).unwrap().unwrap().tags,
        ["soil"]
    );
    let counts: Vec<String> = garden
        .store
        .tags()
        .unwrap()
        .iter()
        .map(|t| format!("{}={}", t.tag, t.count))
        .collect();
    assert_eq!(counts, ["intro=2", "botany=1", "botany/seeds=1", "soil=1"]);
}

#[test]
fn index_rows_show_what_was_stored() {
    let garden = Garden::new(GARDEN);
    let rows = garden
        .store
        .index_rows(garden.id("Roots"))
        .unwrap()
        .unwrap();
    assert_eq!(rows.row.title, "Roots");
    assert_eq!(rows.links.iter().map(link).collect::<Vec<_>>(), ["Seeds"]);
    assert_eq!(rows.tags, ["soil"]);
    assert_eq!(rows.aliases, ["Radix", "Root system"]);
    assert_eq!(garden.store.index_rows(support::doc_id(99)).unwrap(), None);
}

#[test]
fn an_edit_rewrites_the_index_rows() {
    let mut garden = Garden::new(GARDEN);
    garden.edit("Welcome", 20, |s| {
        s.body = "Only [[Roots]] now. #welcome".into()
    });
    assert_eq!(outgoing(&garden, "Welcome"), "Roots -> Roots");
    assert_eq!(backlinks(&garden, "Seeds"), "Roots: Seeds");
    assert_eq!(
        garden
            .store
            .doc(garden.id("Welcome"))
            .unwrap()
            .unwrap()
            .tags,
        ["welcome"]
    );
    garden.edit("Roots", 21, |s| s.body = "No frontmatter any more".into());
    assert_eq!(
        outgoing(&garden, "Radical"),
        "radix -> none; root system -> none; Old -> none"
    );
    assert!(
        garden
            .store
            .find_by_title("radix", true)
            .unwrap()
            .is_empty()
    );
    let after = garden.store.integrity_check().unwrap();
    assert!(after.is_empty(), "{after:?}");
}

#[test]
fn link_rows_follow_every_kind_of_edit() {
    let mut garden = Garden::new("note A | [[B]] x [[C]] y [[D|d]]\nnote B |\nnote C |\nnote D |");
    let bodies = [
        "zz [[B]] x [[C]] y [[D|d]]",
        "zz [[B]] x [[C]] y [[D|d]] [[E]]",
        "[[B]] [[E]] y [[D|d]]",
        "[[B]]",
        "",
        "[[C]] [[B]] ![[D#h]] [[B]]",
        "[[C]] [[B]] [[D#h|x]] [[B]]",
    ];
    for (i, body) in bodies.into_iter().enumerate() {
        garden.edit("A", i64::try_from(i).unwrap() + 10, |s| {
            s.body = body.into()
        });
        let stored = garden
            .store
            .index_rows(garden.id("A"))
            .unwrap()
            .unwrap()
            .links;
        let expected: Vec<LinkRow> = loam_markdown::analyse(body)
            .links
            .into_iter()
            .map(|l| LinkRow {
                target: l.target,
                heading: l.heading,
                alias: l.alias,
                embed: l.embed,
                start: l.range.start,
                end: l.range.end,
            })
            .collect();
        assert_eq!(stored, expected, "{body:?}");
        let backlinks = garden.store.backlinks(garden.id("B")).unwrap();
        let to_b = expected.iter().filter(|l| l.target == "B").count();
        assert_eq!(
            backlinks.first().map_or(0, |b| b.links.len()),
            to_b,
            "{body:?}"
        );
    }
}
