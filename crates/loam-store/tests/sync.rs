//! What sync keeps in the store: membership entries, change signatures
//! written with their changes (and the authorship history takes from them),
//! the peers' address book, and every document's heads.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_core::{
    ChangeAuthor, ChangeHash, ChangeSummary, EntryHash, GardenId, MemberId, MemberKey,
    SignedChanges,
};
use loam_store::{DocWrite, PeerRow, Store};
use support::{T0, doc_id, note};

const GARDEN: GardenId = GardenId::from_bytes([7; 16]);

fn summary(hash: ChangeHash, actor_member: u8) -> ChangeSummary {
    ChangeSummary {
        hash,
        author: ChangeAuthor::Member(MemberId::from_bytes([actor_member; 32])),
        seq: 1,
        time: T0,
        inserted: 1,
        deleted: 0,
    }
}

#[test]
fn membership_entries_are_kept_once_in_the_order_added() {
    let mut store = Store::temporary().unwrap();
    assert!(store.membership_entries().unwrap().is_empty());
    let a = (EntryHash::from_bytes([2; 32]), b"second".as_slice());
    let b = (EntryHash::from_bytes([1; 32]), b"first".as_slice());
    assert_eq!(store.add_membership_entries(&[a, b]).unwrap(), 2);
    assert_eq!(store.add_membership_entries(&[b]).unwrap(), 0);
    let stored = store.membership_entries().unwrap();
    assert_eq!(
        stored,
        [(a.0, b"second".to_vec()), (b.0, b"first".to_vec())]
    );
    assert_eq!(store.membership_count().unwrap(), 2);
}

#[test]
fn a_log_is_founded_once() {
    let mut store = Store::temporary().unwrap();
    let first = EntryHash::from_bytes([1; 32]);
    assert!(store.found_membership(first, b"genesis").unwrap());
    assert!(
        !store
            .found_membership(EntryHash::from_bytes([2; 32]), b"other")
            .unwrap()
    );
    assert_eq!(
        store.membership_entries().unwrap(),
        [(first, b"genesis".to_vec())]
    );
}

#[test]
fn signatures_are_written_with_their_changes_and_name_the_author() {
    let mut store = Store::temporary().unwrap();
    let id = doc_id(0);
    let (h1, h2, h3) = (
        ChangeHash([1; 32]),
        ChangeHash([2; 32]),
        ChangeHash([3; 32]),
    );
    let signer = MemberKey::from_seed(&[5; 32]);
    let first = SignedChanges::sign(&signer, GARDEN, id, &[h1, h2]);
    let snapshot = note("Plan", "x");
    // The actor ids claim member 9; the signature says member `signer`.
    store
        .write_docs(&[DocWrite {
            id,
            snapshot: &snapshot,
            chunk: b"chunk 1",
            imported: None,
            changes: &[summary(h1, 9), summary(h2, 9)],
            signatures: &first,
        }])
        .unwrap();
    // A second batch: the new change, and one signed already (kept once).
    let other = MemberKey::from_seed(&[6; 32]);
    let second = SignedChanges::sign(&other, GARDEN, id, &[h2, h3]);
    store
        .write_docs(&[DocWrite {
            id,
            snapshot: &snapshot,
            chunk: b"chunk 2",
            imported: None,
            changes: &[summary(h3, 9)],
            signatures: &second,
        }])
        .unwrap();
    // Written again: nothing new.
    store
        .write_docs(&[DocWrite {
            id,
            snapshot: &snapshot,
            chunk: b"",
            imported: None,
            changes: &[],
            signatures: &second,
        }])
        .unwrap();

    let signers = store.change_signers(id).unwrap();
    assert_eq!(signers.len(), 3);
    assert_eq!(signers[&h1], signer.member());
    assert_eq!(signers[&h2], signer.member(), "the first signature stays");
    assert_eq!(signers[&h3], other.member());

    assert_eq!(store.signatures_for(id, &[h1]).unwrap(), first);
    let both = store.signatures_for(id, &[h3, h1, h2]).unwrap();
    assert_eq!(both, [first[0].clone(), second[0].clone()]);
    assert!(both.iter().all(|b| b.verify(GARDEN, id).is_ok()));
    assert!(
        store
            .signatures_for(id, &[ChangeHash([9; 32])])
            .unwrap()
            .is_empty()
    );
    assert!(store.signatures_for(doc_id(5), &[h1]).unwrap().is_empty());

    let authors: Vec<Option<MemberId>> = store
        .changes(id)
        .unwrap()
        .iter()
        .map(|c| c.author.member())
        .collect();
    assert_eq!(
        authors,
        [
            Some(signer.member()),
            Some(signer.member()),
            Some(other.member())
        ]
    );
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn a_failed_write_keeps_no_signature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let mut store = Store::open(&path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER trap BEFORE INSERT ON tags WHEN NEW.tag = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let id = doc_id(0);
    let snapshot = note("Plan", "x");
    let mut boom = note("Other", "y");
    boom.tags = vec!["boom".into()];
    let key = MemberKey::from_seed(&[5; 32]);
    let batch = SignedChanges::sign(&key, GARDEN, id, &[ChangeHash([1; 32])]);
    let writes = [
        DocWrite {
            id,
            snapshot: &snapshot,
            chunk: b"chunk",
            imported: None,
            changes: &[],
            signatures: &batch,
        },
        DocWrite {
            id: doc_id(1),
            snapshot: &boom,
            chunk: b"chunk",
            imported: None,
            changes: &[],
            signatures: &[],
        },
    ];
    assert!(store.write_docs(&writes).is_err());
    assert!(store.change_signers(id).unwrap().is_empty());
    assert!(store.write_docs(&writes[..1]).is_ok());
    assert_eq!(store.change_signers(id).unwrap().len(), 1);
}

#[test]
fn peers_are_upserted_keeping_known_times() {
    let mut store = Store::temporary().unwrap();
    let a = MemberId::from_bytes([1; 32]);
    let b = MemberId::from_bytes([2; 32]);
    let peer = |member, addr: &str, seen, sync| PeerRow {
        member,
        addr: addr.into(),
        last_seen: seen,
        last_sync: sync,
    };
    store
        .upsert_peer(&peer(b, "{\"b\":1}", Some(T0), None))
        .unwrap();
    store
        .upsert_peer(&peer(a, "{\"a\":1}", None, Some(T0)))
        .unwrap();
    store
        .upsert_peer(&peer(b, "{\"b\":2}", None, Some(T0 + 5)))
        .unwrap();
    assert_eq!(
        store.peers().unwrap(),
        [
            peer(a, "{\"a\":1}", None, Some(T0)),
            peer(b, "{\"b\":2}", Some(T0), Some(T0 + 5)),
        ]
    );
    assert_eq!(store.peer(a).unwrap().unwrap().addr, "{\"a\":1}");
    assert!(store.remove_peer(a).unwrap());
    assert!(!store.remove_peer(a).unwrap());
    assert_eq!(store.peer(a).unwrap(), None);
}

#[test]
fn doc_heads_come_from_the_rows_sorted_by_id() {
    let mut store = Store::temporary().unwrap();
    let mut snapshot = note("B", "x");
    snapshot.heads = vec![ChangeHash([0xbb; 32]), ChangeHash([0xaa; 32])];
    store.write_doc(doc_id(1), &snapshot, b"x").unwrap();
    let mut first = note("A", "y");
    first.heads = vec![ChangeHash([0xcc; 32])];
    store.write_doc(doc_id(0), &first, b"y").unwrap();
    let loads = loam_core::automerge_load_count();
    assert_eq!(
        store.doc_heads().unwrap(),
        [
            (doc_id(0), vec![ChangeHash([0xcc; 32])]),
            (
                doc_id(1),
                vec![ChangeHash([0xbb; 32]), ChangeHash([0xaa; 32])]
            ),
        ]
    );
    assert_eq!(loam_core::automerge_load_count(), loads);
}
