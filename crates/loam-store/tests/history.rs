//! The history index: change rows and edit sessions written with the chunks,
//! kept up to date whatever the order and grouping changes arrive in; the
//! backlog of documents whose history must be rebuilt; look-ups by hash
//! prefix.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_core::{ChangeAuthor, ChangeHash, ChangeSummary, DocId, MemberId, Session, sessions};
use loam_store::{DocWrite, Store};
use support::{Garden, T0, note};

const MINUTE: i64 = 60_000;

/// Changes in a compact notation, written in batches: `a0 a3 | b4+5-2`
/// writes author `a`'s changes at minutes 0 and 3 in one write, then author
/// `b`'s change at minute 4 (inserting 5 and deleting 2 characters) in
/// another. An author `x` is a foreign actor rather than a member. Change
/// `i` (counting across batches) has the hash `[i + 1; 32]`.
fn batches(notation: &str) -> Vec<Vec<ChangeSummary>> {
    let mut i = 0u8;
    notation
        .split('|')
        .map(|batch| {
            batch
                .split_whitespace()
                .map(|item| {
                    i += 1;
                    change(item, ChangeHash([i; 32]))
                })
                .collect()
        })
        .collect()
}

fn change(item: &str, hash: ChangeHash) -> ChangeSummary {
    let seq = u64::from(hash.0[0]);
    let letter = item.as_bytes()[0];
    let rest = &item[1..];
    let (minute, edits) = rest.split_once('+').unwrap_or((rest, "0-0"));
    let (inserted, deleted) = edits.split_once('-').unwrap();
    ChangeSummary {
        hash,
        author: author(letter),
        seq,
        time: T0 + minute.parse::<i64>().unwrap() * MINUTE,
        inserted: inserted.parse().unwrap(),
        deleted: deleted.parse().unwrap(),
    }
}

fn author(letter: u8) -> ChangeAuthor {
    if letter == b'x' {
        ChangeAuthor::Actor(vec![letter; 16])
    } else {
        ChangeAuthor::Member(MemberId::from_bytes([letter; 32]))
    }
}

/// Sessions as `a 0-3 x2 +7-1`: author, start and end minute, changes,
/// characters inserted and deleted.
fn show(sessions: &[Session]) -> String {
    sessions
        .iter()
        .map(|s| {
            let letter = match &s.author {
                ChangeAuthor::Member(m) => m.as_bytes()[0],
                ChangeAuthor::Actor(a) => a[0],
            };
            format!(
                "{} {}-{} x{} +{}-{}",
                char::from(letter),
                (s.start - T0) / MINUTE,
                (s.end - T0) / MINUTE,
                s.changes,
                s.inserted,
                s.deleted
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A store holding one note with complete (empty) history, and its id.
fn store_with_note() -> (Store, DocId) {
    let garden = Garden::new("note Plan | the plan");
    let id = garden.id("Plan");
    let mut store = garden.store;
    assert!(store.replace_history(id, &[], 1).unwrap());
    (store, id)
}

fn write(store: &mut Store, id: DocId, changes: &[ChangeSummary]) {
    let snapshot = note("Plan", "the plan");
    store
        .write_docs(&[DocWrite {
            id,
            snapshot: &snapshot,
            chunk: b"a chunk",
            imported: None,
            changes,
            signatures: &[],
        }])
        .unwrap();
}

/// Write the batches of `notation` in order and compare the stored
/// sessions with `expected`, and with what `loam_core::sessions` makes of
/// all the changes at once.
#[track_caller]
fn check(notation: &str, expected: &str) {
    let (mut store, id) = store_with_note();
    let batches = batches(notation);
    for batch in &batches {
        write(&mut store, id, batch);
    }
    let stored = store.sessions(id).unwrap();
    assert_eq!(show(&stored), expected, "{notation}");
    let all: Vec<ChangeSummary> = batches.concat();
    assert_eq!(stored, sessions(&all), "the store agrees with loam_core");
    assert_eq!(store.changes(id).unwrap().len(), all.len());
}

#[test]
fn sessions_are_kept_up_to_date_as_changes_arrive() {
    check("a0", "a 0-0 x1 +0-0");
    check("a0 a9 | a18 | a27+3-1", "a 0-27 x4 +3-1");
    check("a0 | a10", "a 0-0 x1 +0-0, a 10-10 x1 +0-0");
    check("a0 a3+2-0 a30", "a 0-3 x2 +2-0, a 30-30 x1 +0-0");
    // Two members writing at once: overlapping sessions.
    check("a0 | b1 | a2 | b3 | a4", "a 0-4 x3 +0-0, b 1-3 x2 +0-0");
    // A change arriving late (from sync) joins two sessions into one.
    check("a0 | a15 | a8", "a 0-15 x3 +0-0");
    check("a0 | a40 | a15 a24 | a8 a32", "a 0-40 x6 +0-0");
    check(
        "a0 | a40 | a15 a25 | a8 a32",
        "a 0-15 x3 +0-0, a 25-40 x3 +0-0",
    );
    // ...and an early one extends a session backwards.
    check("a20 | a12", "a 12-20 x2 +0-0");
    // A change made outside Loam: its own author.
    check("x0 x1 | a2", "x 0-1 x2 +0-0, a 2-2 x1 +0-0");
    // Same start: members before foreign actors, then by id.
    check(
        "b5 | x5 | a5",
        "a 5-5 x1 +0-0, b 5-5 x1 +0-0, x 5-5 x1 +0-0",
    );
}

#[test]
fn sessions_do_not_depend_on_the_order_changes_arrive_in() {
    let seed: u64 = std::env::var("LOAM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("seed: {seed} (LOAM_TEST_SEED={seed} replays it)");
    let mut state = seed | 1;
    let mut next = move |n: u64| {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for round in 0..50 {
        let count = 1 + next(40);
        let mut all: Vec<ChangeSummary> = (0..count)
            .map(|i| {
                let letter = [b'a', b'b', b'x'][next(3) as usize];
                let item = format!("{}{}+{}-{}", char::from(letter), next(90), next(5), next(3));
                change(&item, ChangeHash([u8::try_from(i).unwrap() + 1; 32]))
            })
            .collect();
        let expected = sessions(&all);
        // Shuffle, then write in random batches, some changes twice.
        for i in (1..all.len()).rev() {
            all.swap(i, next(i as u64 + 1) as usize);
        }
        let (mut store, id) = store_with_note();
        let mut rest = all.as_slice();
        while !rest.is_empty() {
            let take = 1 + next(rest.len() as u64) as usize;
            write(&mut store, id, &rest[..take]);
            if next(4) == 0 {
                write(&mut store, id, &rest[..take]);
            }
            rest = &rest[take..];
        }
        assert_eq!(
            show(&store.sessions(id).unwrap()),
            show(&expected),
            "round {round}, seed {seed}"
        );
    }
}

#[test]
fn a_change_written_twice_counts_once() {
    let (mut store, id) = store_with_note();
    let changes = batches("a0+4-0 a1+1-1").concat();
    write(&mut store, id, &changes);
    write(&mut store, id, &changes[1..]);
    assert_eq!(show(&store.sessions(id).unwrap()), "a 0-1 x2 +5-1");
    assert_eq!(store.changes(id).unwrap(), changes);
}

#[test]
fn changes_of_a_session_and_by_hash_prefix() {
    let (mut store, id) = store_with_note();
    let mut changes = batches("a0 b1 a2 a30").concat();
    changes[0].hash = ChangeHash([0xab; 32]);
    changes[1].hash = ChangeHash([0xac; 32]);
    changes[2].hash = ChangeHash([0xab; 32]);
    changes[2].hash.0[1] = 0xcd;
    write(&mut store, id, &changes);
    let sessions = store.sessions(id).unwrap();
    assert_eq!(
        show(&sessions),
        "a 0-2 x2 +0-0, b 1-1 x1 +0-0, a 30-30 x1 +0-0"
    );
    let first = store.session_changes(id, &sessions[0]).unwrap();
    assert_eq!(first, vec![changes[0].clone(), changes[2].clone()]);

    let by_prefix = |prefix: &str| -> Vec<u8> {
        store
            .changes_by_prefix(id, prefix, 10)
            .unwrap()
            .iter()
            .map(|c| c.hash.0[1])
            .collect()
    };
    assert_eq!(by_prefix("abab"), vec![0xab]);
    assert_eq!(by_prefix("ABCD"), vec![0xcd]);
    assert_eq!(by_prefix("ab"), vec![0xab, 0xcd]);
    assert_eq!(by_prefix("a"), vec![0xab, 0xcd, 0xac]);
    assert_eq!(by_prefix("abc"), vec![0xcd]);
    assert_eq!(by_prefix("ff"), Vec::<u8>::new());
    assert_eq!(by_prefix("not hex"), Vec::<u8>::new());
    assert_eq!(store.changes_by_prefix(id, "a", 2).unwrap().len(), 2);
}

#[test]
fn a_chunk_without_summaries_puts_the_document_on_the_backlog() {
    let garden = Garden::new("note Plan | the plan\nnote Other | other");
    let (plan, other) = (garden.id("Plan"), garden.id("Other"));
    let mut store = garden.store;
    assert!(!store.history_complete(plan).unwrap());
    assert!(!store.history_complete(DocId::from_bytes([9; 16])).unwrap());
    let rebuilt = batches("a0 a1").concat();
    assert!(store.replace_history(plan, &rebuilt, 1).unwrap());
    assert!(store.history_complete(plan).unwrap());
    assert_eq!(show(&store.sessions(plan).unwrap()), "a 0-1 x2 +0-0");
    // Rebuilding replaces what was there.
    assert!(store.replace_history(plan, &rebuilt[..1], 1).unwrap());
    assert_eq!(show(&store.sessions(plan).unwrap()), "a 0-0 x1 +0-0");
    // Rewriting the row alone (no chunk) keeps the history complete...
    store.write_doc(plan, &note("Plan", "x"), &[]).unwrap();
    assert!(store.history_complete(plan).unwrap());
    // ...a chunk without its summaries does not.
    store.write_doc(plan, &note("Plan", "y"), b"chunk").unwrap();
    assert!(!store.history_complete(plan).unwrap());
    // A history read from fewer chunks than there are is refused.
    assert!(!store.replace_history(plan, &rebuilt, 1).unwrap());
    assert!(!store.history_complete(plan).unwrap());
    assert!(store.replace_history(plan, &rebuilt, 2).unwrap());
    assert!(!store.history_complete(other).unwrap());
    assert!(matches!(
        store.replace_history(DocId::from_bytes([9; 16]), &rebuilt, 1),
        Err(loam_store::StoreError::UnknownDoc { .. })
    ));
}

#[test]
fn a_failed_write_records_no_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let garden = Garden::in_store(Store::open(&path).unwrap(), "note Plan | the plan");
    let id = garden.id("Plan");
    let mut store = garden.store;
    assert!(store.replace_history(id, &[], 1).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER trap BEFORE INSERT ON sessions
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let snapshot = note("Plan", "changed");
    let changes = batches("a0 a1").concat();
    let failed = store.write_docs(&[DocWrite {
        id,
        snapshot: &snapshot,
        chunk: b"a chunk",
        imported: None,
        changes: &changes,
        signatures: &[],
    }]);
    assert!(failed.is_err());
    // The change rows were written before the failure, and rolled back.
    assert!(store.changes(id).unwrap().is_empty());
    assert_eq!(store.text(id).unwrap().unwrap(), "the plan");
    assert!(store.sessions(id).unwrap().is_empty());
}
