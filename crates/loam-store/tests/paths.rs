//! Links by file path (`[[API/space]]`, `[[space.md]]`), as an imported
//! vault writes them, and links to attachments.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_core::ContentHash;
use loam_store::{AttachmentWrite, AttachmentWritten, Store};
use support::{Garden, T0, titles};

/// A vault where names repeat: the file nearest the root is the page.
const VAULT: &str = r"
    page Command                          path=Command.md   | root [[Space]]
    note command  folder=API              path=API/command.md | api
    page Space                                               | loam-made, no path
    note space    folder=API                                 | loam-made in a folder
    note Reader                                              | [[Command]] [[API/command]] [[command.md]] [[api/COMMAND.md]] [[API/space]] [[Space]] [[Nope/space]] ![[pic.png]] ![[img/pic.png]] [[other/pic.png]]
";

fn outgoing(garden: &Garden, title: &str) -> Vec<String> {
    garden
        .store
        .outgoing(garden.id(title))
        .unwrap()
        .iter()
        .map(|o| {
            let to = match (o.resolved, &o.attachment) {
                (Some(id), _) => {
                    let row = garden.store.doc(id).unwrap().unwrap();
                    format!("{}/{}", row.folder, row.title)
                }
                (None, Some(path)) => format!("attachment {path}"),
                (None, None) => "none".to_owned(),
            };
            format!("{} -> {to}", o.link.target)
        })
        .collect()
}

fn pic(store: &mut Store, path: &str, bytes: &[u8]) -> AttachmentWritten {
    store
        .write_attachments(&[AttachmentWrite {
            path,
            hash: ContentHash::of(bytes),
            bytes,
            now: T0,
        }])
        .unwrap()[0]
}

#[test]
fn links_resolve_by_the_end_of_a_path_after_titles() {
    let mut garden = Garden::new(VAULT);
    pic(&mut garden.store, "img/pic.png", b"png bytes");
    assert_eq!(
        outgoing(&garden, "Reader"),
        [
            "Command -> /Command",
            "API/command -> API/command",
            "command.md -> /Command",
            "api/COMMAND.md -> API/command",
            "API/space -> API/space",
            "Space -> /Space",
            "Nope/space -> none",
            "pic.png -> attachment img/pic.png",
            "img/pic.png -> attachment img/pic.png",
            "other/pic.png -> none",
        ]
    );
    let broken: Vec<String> = garden
        .store
        .broken_links()
        .unwrap()
        .iter()
        .map(|b| b.link.target.clone())
        .collect();
    assert_eq!(broken, ["Nope/space", "other/pic.png"]);
}

#[test]
fn backlinks_are_the_links_that_resolve_to_the_document() {
    let garden = Garden::new(VAULT);
    let links = |title: &str| -> Vec<String> {
        garden
            .store
            .backlinks(garden.id(title))
            .unwrap()
            .iter()
            .flat_map(|b| {
                b.links
                    .iter()
                    .map(|l| format!("{}: {}", b.source.title, l.target))
            })
            .collect()
    };
    assert_eq!(links("Command"), ["Reader: Command", "Reader: command.md"]);
    assert_eq!(
        links("command"),
        ["Reader: API/command", "Reader: api/COMMAND.md"],
        "[[Command]] is the page's, not this note's"
    );
    assert_eq!(links("space"), ["Reader: API/space"]);
    assert_eq!(links("Space"), ["Command: Space", "Reader: Space"]);
}

#[test]
fn titles_can_be_looked_up_by_path() {
    let garden = Garden::new(VAULT);
    let found = |title: &str| titles(&garden.store.find_by_title(title, false).unwrap());
    assert_eq!(found("API/space"), "space");
    assert_eq!(found("api/command.md"), "command");
    assert_eq!(
        found("command"),
        "Command, command",
        "titles first, the page first"
    );
    assert_eq!(
        found("command.md"),
        "Command, command",
        "nearest the root first"
    );
    assert_eq!(found("Nope/space"), "");
}

#[test]
fn a_rename_or_move_changes_the_paths_a_document_answers_to() {
    let mut garden = Garden::new(VAULT);
    garden.edit("space", 10, |s| s.title = "orbit".into());
    garden.edit("command", 11, |s| s.folder = "Old".into());
    let found = |title: &str| titles(&garden.store.find_by_title(title, false).unwrap());
    assert_eq!(found("API/space"), "");
    assert_eq!(found("API/orbit"), "orbit");
    assert_eq!(found("API/command"), "", "the stored path no longer agrees");
    assert_eq!(found("Old/command"), "command");
    assert!(garden.store.integrity_check().unwrap().is_empty());
}

#[test]
fn attachments_are_stored_once_per_content() {
    let mut store = Store::temporary().unwrap();
    assert_eq!(pic(&mut store, "img/a.png", b"one"), AttachmentWritten::New);
    assert_eq!(
        pic(&mut store, "img/a.png", b"one"),
        AttachmentWritten::Unchanged
    );
    assert_eq!(
        pic(&mut store, "copy/a.png", b"one"),
        AttachmentWritten::New
    );
    assert!(store.has_blob(ContentHash::of(b"one")).unwrap());
    let rows = store.attachments().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].hash, rows[1].hash, "the same bytes once");
    assert_eq!((rows[0].path.as_str(), rows[0].size), ("copy/a.png", 3));

    assert_eq!(
        pic(&mut store, "img/a.png", b"two"),
        AttachmentWritten::Updated
    );
    assert_eq!(
        store.blob(ContentHash::of(b"two")).unwrap().unwrap(),
        b"two"
    );
    assert!(
        store.has_blob(ContentHash::of(b"one")).unwrap(),
        "still used by copy/a.png"
    );
    assert_eq!(
        pic(&mut store, "copy/a.png", b"three"),
        AttachmentWritten::Updated
    );
    assert!(
        !store.has_blob(ContentHash::of(b"one")).unwrap(),
        "bytes no attachment uses are dropped"
    );
    assert_eq!(
        store.find_attachment("A.PNG").unwrap().unwrap().path,
        "copy/a.png",
        "the first by path among equally deep ones"
    );
    assert_eq!(
        store.find_attachment("img/a.png").unwrap().unwrap().path,
        "img/a.png"
    );
    assert_eq!(store.attachment("img/A.png").unwrap(), None, "exact paths");
    assert!(store.check_attachments().unwrap().is_empty());
}

#[test]
fn damaged_attachment_bytes_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.db");
    let mut store = Store::open(&path).unwrap();
    pic(&mut store, "img/a.png", b"one");
    pic(&mut store, "b.pdf", b"two");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let changed = conn
        .execute(
            "UPDATE blobs SET bytes = x'00' WHERE hash = ?1",
            [ContentHash::of(b"two").as_bytes().as_slice()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let problems = store.check_attachments().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!(
            "attachment b.pdf ({}): its stored bytes do not match",
            ContentHash::of(b"two")
        )),
        "{problems:?}"
    );
}

#[test]
fn imports_remember_what_they_wrote() {
    let mut store = Store::temporary().unwrap();
    let mut imported = support::note("space", "from the file");
    imported.folder = "API".into();
    imported.path = "API/space.md".into();
    let made = support::note("Made here", "");
    let hash = ContentHash::of(b"from the file");
    let base = loam_store::ImportBase {
        heads: vec![loam_core::ChangeHash([1; 32]).to_string()],
        hash,
    };
    store
        .write_docs(&[
            loam_store::DocWrite {
                id: support::doc_id(0),
                snapshot: &imported,
                chunk: b"c",
                imported: Some(&base),
                changes: &[],
                signatures: &[],
            },
            loam_store::DocWrite {
                id: support::doc_id(1),
                snapshot: &made,
                chunk: b"c",
                imported: None,
                changes: &[],
                signatures: &[],
            },
        ])
        .unwrap();
    let docs = store.imported_docs().unwrap();
    assert_eq!(docs.len(), 1);
    let doc = &docs["API/space.md"];
    assert_eq!(doc.id, support::doc_id(0));
    let base = doc.base.as_ref().unwrap();
    assert_eq!(base.hash, hash);
    assert_eq!(base.heads, [loam_core::ChangeHash([1; 32]).to_string()]);
    assert_eq!(
        store.docs_exported_as("made here.md").unwrap(),
        [support::doc_id(1)]
    );
    assert_eq!(store.docs_exported_as("API/space.md").unwrap(), []);
}

/// The whole-garden link pairs (the dashboard's and the graph's) resolve
/// every target as one link does: titles, aliases, pages first, paths,
/// archived documents left out on both ends.
#[test]
fn link_pairs_resolve_as_each_link_does() {
    let spec = format!(
        "{VAULT}
    page Soil                                                | ---\\naliases: [Dirt, Command.md]\\n---\\nabout soil
    note Soil                                                | a note sharing the page's title
    note Old [archived]                                      | [[Soil]]
    note Loose                                               | [[Dirt]] [[Soil]] [[Old]] [[Command.md]] [[Loose]] [[soil]] [[Nowhere]]
"
    );
    let garden = Garden::new(&spec);
    let rows = garden
        .store
        .list(&loam_store::ListQuery::default())
        .unwrap();
    let mut expected = Vec::new();
    for row in &rows {
        for out in garden.store.outgoing(row.id).unwrap() {
            if let Some(to) = out.resolved
                && !out.link.target.is_empty()
                && !expected.contains(&(row.id, to))
            {
                expected.push((row.id, to));
            }
        }
    }
    let mut pairs = garden.store.link_pairs().unwrap();
    pairs.sort();
    expected.sort();
    assert_eq!(pairs, expected);
    let named = |pair: &(loam_core::DocId, loam_core::DocId)| {
        format!("{} -> {}", garden.title(pair.0), garden.title(pair.1))
    };
    let mut from_loose: Vec<String> = pairs
        .iter()
        .filter(|p| garden.title(p.0) == "Loose")
        .map(named)
        .collect();
    from_loose.sort();
    // Dirt (an alias), Soil and soil: the page; Command.md: the page's alias
    // before the file's path; Old is archived; Nowhere is nothing.
    assert_eq!(from_loose, ["Loose -> Loose", "Loose -> Soil"]);
}
