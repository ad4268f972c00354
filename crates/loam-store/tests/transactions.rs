//! Every write is one transaction: when any part of it fails, nothing of it
//! is left — no chunk, no row, no index entry.
//!
//! Failures are injected with a trigger added through a second connection
//! to the same file: inserting the tag `boom` aborts the statement, which
//! happens after the chunk, row and text of the document were written.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_store::{DocWrite, ListQuery, SearchQuery, Store, StoreError};
use support::{Garden, doc_id, note, titles};

fn garden_with_trap() -> (tempfile::TempDir, Garden) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let garden = Garden::in_store(
        Store::open(&path).unwrap(),
        "note Seeds #botany | seeds sprout",
    );
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER trap BEFORE INSERT ON tags WHEN NEW.tag = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    (dir, garden)
}

/// Everything a reader could see of the garden.
fn state(store: &Store) -> String {
    let ids = store.all_doc_ids().unwrap();
    let mut out = format!(
        "docs: {}",
        titles(
            &store
                .list(&ListQuery {
                    archived: loam_store::ArchivedFilter::Include,
                    ..Default::default()
                })
                .unwrap()
        )
    );
    for id in ids {
        let row = store.doc(id).unwrap().unwrap();
        out.push_str(&format!(
            "\n{}: text={:?} tags={:?} chunks={} stats={:?}",
            row.title,
            store.text(id).unwrap().unwrap(),
            row.tags,
            store.load_chunks(id).unwrap().len(),
            store.chunk_stats(id).unwrap().unwrap()
        ));
    }
    for word in ["sprout", "wilt", "bloom"] {
        let hits = store.search(&SearchQuery::new(word)).unwrap();
        out.push_str(&format!(
            "\nsearch {word}: {}",
            titles(hits.iter().map(|h| &h.row))
        ));
    }
    let tags: Vec<String> = store
        .tags()
        .unwrap()
        .into_iter()
        .map(|t| format!("{}={}", t.tag, t.count))
        .collect();
    out.push_str(&format!("\ntags: {}", tags.join(" ")));
    out
}

#[test]
fn a_failed_write_changes_nothing() {
    let (_dir, mut garden) = garden_with_trap();
    let before = state(&garden.store);
    let mut snapshot = garden.snapshot("Seeds");
    snapshot.body = "seeds wilt".into();
    snapshot.title = "Wilted".into();
    snapshot.tags = vec!["boom".into()];
    let err = garden
        .store
        .write_doc(garden.id("Seeds"), &snapshot, b"change")
        .unwrap_err();
    assert!(matches!(err, StoreError::Sqlite { .. }), "{err}");
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(state(&garden.store), before);
    assert!(garden.store.integrity_check().unwrap().is_empty());
}

/// The full-text entry is written in the transaction too, however long the
/// body: a failure after it leaves the index as it was, entry for entry.
#[test]
fn a_failed_write_of_a_long_body_leaves_the_full_text_index_as_it_was() {
    let (dir, mut garden) = garden_with_trap();
    let path = dir.path().join("garden.sqlite");
    let long: String = (0..12_000).map(|i| format!("stalk{i} ")).collect();
    garden.edit("Seeds", 5, |s| s.body = format!("{long} sprout"));
    let index = |store: &Store| {
        let entries: (i64, i64) = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT (SELECT count(*) FROM fts_docsize), (SELECT count(*) FROM docs)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let found: Vec<usize> = ["stalk6000", "stalk11999", "bloom"]
            .iter()
            .map(|w| store.search(&SearchQuery::new(*w)).unwrap().len())
            .collect();
        (entries, found)
    };
    let before = (state(&garden.store), index(&garden.store));
    assert_eq!(before.1, ((1, 1), vec![1, 1, 0]));
    let mut snapshot = garden.snapshot("Seeds");
    snapshot.body = format!("{} bloom", long.replacen("stalk6000 ", "", 1));
    snapshot.tags = vec!["boom".into()];
    let new = note("New", &long);
    let writes = [
        DocWrite {
            id: doc_id(1),
            snapshot: &new,
            chunk: b"new",
            imported: None,
            changes: &[],
            signatures: &[],
        },
        DocWrite {
            id: garden.id("Seeds"),
            snapshot: &snapshot,
            chunk: b"edit",
            imported: None,
            changes: &[],
            signatures: &[],
        },
    ];
    assert!(garden.store.write_docs(&writes).is_err());
    assert_eq!((state(&garden.store), index(&garden.store)), before);
    assert!(garden.store.integrity_check().unwrap().is_empty());
}

#[test]
fn a_failed_batch_writes_none_of_its_documents() {
    let (_dir, garden) = garden_with_trap();
    let mut store = garden.store;
    let before = state(&store);
    let mut edited = note("Seeds", "seeds bloom");
    edited.tags = vec!["botany".into(), "flowers".into()];
    let mut bad = note("Bad", "bloom wilt");
    bad.tags = vec!["boom".into()];
    let fine = note("Fine", "bloom");
    let writes = [
        DocWrite {
            id: doc_id(0),
            snapshot: &edited,
            chunk: b"edit",
            imported: None,
            changes: &[],
            signatures: &[],
        },
        DocWrite {
            id: doc_id(1),
            snapshot: &fine,
            chunk: b"new",
            imported: None,
            changes: &[],
            signatures: &[],
        },
        DocWrite {
            id: doc_id(2),
            snapshot: &bad,
            chunk: b"new",
            imported: None,
            changes: &[],
            signatures: &[],
        },
    ];
    assert!(store.write_docs(&writes).is_err());
    assert_eq!(state(&store), before);
    assert!(store.integrity_check().unwrap().is_empty());
    // Without the bad one, the batch goes through as a whole.
    let stats = store.write_docs(&writes[..2]).unwrap();
    assert_eq!(stats.iter().map(|s| s.chunks).collect::<Vec<_>>(), [2, 1]);
    let after = state(&store);
    assert!(after.contains("search bloom: Fine, Seeds"), "{after}");
    assert!(after.contains("tags: botany=1 flowers=1"), "{after}");
}

#[test]
fn a_write_after_a_failed_one_works() {
    let (_dir, mut garden) = garden_with_trap();
    let mut snapshot = garden.snapshot("Seeds");
    snapshot.tags = vec!["boom".into()];
    assert!(
        garden
            .store
            .write_doc(garden.id("Seeds"), &snapshot, b"x")
            .is_err()
    );
    garden.edit("Seeds", 9, |s| s.body = "seeds bloom".into());
    let state = state(&garden.store);
    assert!(
        state.contains("search bloom: Seeds") && state.contains("chunks=2"),
        "{state}"
    );
}

/// Two processes writing one document: a write made from a snapshot that
/// misses a chunk another connection appended meanwhile is refused whole,
/// so the text and index never fall behind the chunks.
#[test]
fn a_write_after_a_stale_look_at_the_chunks_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let mut mine = Store::open(&path).unwrap();
    let mut other = Store::open(&path).unwrap();
    let id = doc_id(1);
    fn write<'a>(
        id: loam_core::DocId,
        snapshot: &'a loam_core::DocSnapshot,
        chunk: &'a [u8],
    ) -> DocWrite<'a> {
        DocWrite {
            id,
            snapshot,
            chunk,
            imported: None,
            changes: &[],
            signatures: &[],
        }
    }
    let first = note("Seeds", "seeds sprout");
    let seen = mine
        .write_docs_after(&[write(id, &first, b"one")], &[0])
        .unwrap();
    assert_eq!(seen.unwrap()[0].last_seq, 1);
    // The other process appends chunk 2; this one still believes 1 is last.
    let theirs = note("Seeds", "seeds sprout and bloom");
    other.write_doc(id, &theirs, b"two").unwrap();
    let stale = note("Seeds", "seeds wilt");
    assert!(
        mine.write_docs_after(&[write(id, &stale, b"three")], &[1])
            .unwrap()
            .is_none()
    );
    assert_eq!(mine.text(id).unwrap().unwrap(), "seeds sprout and bloom");
    assert_eq!(mine.load_chunks(id).unwrap().len(), 2);
    // Having merged chunk 2, the write goes through.
    let merged = note("Seeds", "seeds wilt and bloom");
    let stats = mine
        .write_docs_after(&[write(id, &merged, b"three")], &[2])
        .unwrap()
        .unwrap();
    assert_eq!(stats[0].last_seq, 3);
}
