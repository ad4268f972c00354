//! A document's bytes: appended chunks, compaction, and the statistics that
//! decide when to compact.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_core::{NewDoc, NoteDoc};
use loam_store::{ChunkStats, Store, StoreError};
use support::{ME, T0, doc_id, note};

/// The chunks of doc 0 as `seq:bytes` pairs.
fn chunks(store: &Store) -> String {
    let chunks = store.load_chunks(doc_id(0)).unwrap();
    chunks
        .iter()
        .map(|c| format!("{}:{}", c.seq, String::from_utf8_lossy(&c.bytes)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn append(store: &mut Store, bytes: &str) -> ChunkStats {
    store
        .write_doc(doc_id(0), &note("n", bytes), bytes.as_bytes())
        .unwrap()
}

#[test]
fn chunks_append_in_order_with_their_statistics() {
    let mut store = Store::temporary().unwrap();
    assert_eq!(chunks(&store), "");
    assert_eq!(
        append(&mut store, "a"),
        ChunkStats {
            chunks: 1,
            bytes: 1,
            last_seq: 1
        }
    );
    append(&mut store, "bb");
    assert_eq!(
        append(&mut store, "ccc"),
        ChunkStats {
            chunks: 3,
            bytes: 6,
            last_seq: 3
        }
    );
    assert_eq!(chunks(&store), "1:a 2:bb 3:ccc");
    // An empty chunk rewrites the row only.
    assert_eq!(
        append(&mut store, ""),
        ChunkStats {
            chunks: 3,
            bytes: 6,
            last_seq: 3
        }
    );
    assert_eq!(
        store.chunk_stats(doc_id(0)).unwrap(),
        Some(ChunkStats {
            chunks: 3,
            bytes: 6,
            last_seq: 3
        })
    );
    assert_eq!(store.chunk_stats(doc_id(1)).unwrap(), None);
}

#[test]
fn compaction_replaces_the_prefix_and_keeps_later_chunks() {
    let mut store = Store::temporary().unwrap();
    for bytes in ["a", "b", "c", "d"] {
        append(&mut store, bytes);
    }
    // The compactor read chunks 1..=3; "d" arrived meanwhile.
    store.compact_doc(doc_id(0), b"ABC", 3).unwrap();
    assert_eq!(chunks(&store), "3:ABC 4:d");
    assert_eq!(
        store.chunk_stats(doc_id(0)).unwrap(),
        Some(ChunkStats {
            chunks: 2,
            bytes: 4,
            last_seq: 4
        })
    );
    assert_eq!(
        append(&mut store, "e"),
        ChunkStats {
            chunks: 3,
            bytes: 5,
            last_seq: 5
        }
    );
    store.compact_doc(doc_id(0), b"ABCDE", 5).unwrap();
    assert_eq!(chunks(&store), "5:ABCDE");
    assert_eq!(append(&mut store, "f").last_seq, 6);
}

#[test]
fn compaction_refuses_unknown_documents_and_empty_saves() {
    let mut store = Store::temporary().unwrap();
    append(&mut store, "a");
    let err = store.compact_doc(doc_id(5), b"x", 1).unwrap_err();
    assert!(matches!(err, StoreError::UnknownDoc { .. }), "{err}");
    let err = store.compact_doc(doc_id(0), b"", 1).unwrap_err();
    assert!(matches!(err, StoreError::EmptySave { .. }), "{err}");
    assert_eq!(chunks(&store), "1:a");
}

#[test]
fn candidates_are_documents_with_many_chunks() {
    let mut store = Store::temporary().unwrap();
    for (i, n) in [3, 1, 5].into_iter().enumerate() {
        for _ in 0..n {
            store.write_doc(doc_id(i), &note("n", ""), b"x").unwrap();
        }
    }
    assert_eq!(
        store.compaction_candidates(3).unwrap(),
        [doc_id(2), doc_id(0)]
    );
    assert_eq!(store.compaction_candidates(6).unwrap(), []);
    store.compact_doc(doc_id(2), b"save", 5).unwrap();
    assert_eq!(store.compaction_candidates(3).unwrap(), [doc_id(0)]);
}

#[test]
fn real_automerge_chunks_load_back_after_compaction() {
    let mut store = Store::temporary().unwrap();
    let id = doc_id(0);
    let mut doc = NoteDoc::create(&NewDoc::note("Diary", "day 1"), ME, T0).unwrap();
    store
        .write_doc(
            id,
            &doc.snapshot().unwrap(),
            &doc.save_incremental().unwrap(),
        )
        .unwrap();
    for day in 2..=5 {
        let len = doc.len_chars();
        doc.splice(len, 0, &format!(", day {day}")).unwrap();
        doc.commit(T0 + day, None);
        store
            .write_doc(
                id,
                &doc.snapshot().unwrap(),
                &doc.save_incremental().unwrap(),
            )
            .unwrap();
    }
    let load = |store: &Store| {
        let chunks = store.load_chunks(id).unwrap();
        NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), ME)
            .unwrap()
            .text()
            .unwrap()
    };
    assert_eq!(load(&store), "day 1, day 2, day 3, day 4, day 5");
    let upto = store.load_chunks(id).unwrap()[3].seq;
    let mut partial = NoteDoc::load_chunks(
        store.load_chunks(id).unwrap()[..4]
            .iter()
            .map(|c| c.bytes.as_slice()),
        ME,
    )
    .unwrap();
    store
        .compact_doc(id, &partial.save().unwrap(), upto)
        .unwrap();
    assert_eq!(store.load_chunks(id).unwrap().len(), 2);
    assert_eq!(load(&store), "day 1, day 2, day 3, day 4, day 5");
}
