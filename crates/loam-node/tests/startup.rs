//! Opening a garden and answering queries loads no Automerge document.
//! (Its own test binary: the load counter is process-wide.)

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use loam_node::{ListQuery, NewDoc, Node, SearchQuery, automerge_load_count};

#[test]
fn opening_and_querying_loads_no_document() {
    let dir = tempfile::tempdir().unwrap();
    {
        let node = Node::open(dir.path()).unwrap();
        let garden = node.create_garden("G").unwrap();
        for i in 0..20 {
            garden
                .create(NewDoc::note(
                    format!("Note {i}"),
                    format!("links to [[Note {}]] #t{}", i + 1, i % 3),
                ))
                .unwrap();
        }
    }
    let before = automerge_load_count();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.default_garden().unwrap();
    let rows = garden
        .list(&ListQuery {
            limit: Some(100),
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 20);
    let id = garden.resolve("Note 3").unwrap();
    garden.note(id).unwrap();
    garden.backlinks(id).unwrap();
    garden.outgoing(id).unwrap();
    garden
        .search(&SearchQuery {
            text: "links".into(),
            limit: 10,
            include_archived: false,
        })
        .unwrap();
    garden.tags().unwrap();
    garden.render(id).unwrap();
    assert_eq!(automerge_load_count(), before);
}
