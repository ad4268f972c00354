//! Reconciling gardens that mostly agree: only what differs is loaded and
//! sent.

#![allow(clippy::unwrap_used)]

mod support;

use loam_core::Role;
use support::{Dir, GARDEN, Link, MemoryStore, doc, key};

#[test]
fn one_percent_of_ten_thousand_loads_and_sends_only_the_changed() {
    let members = [
        (key(1).member(), Role::Member),
        (key(2).member(), Role::Member),
    ];
    let mut a = MemoryStore::new(GARDEN, key(1), &members);
    let mut b = MemoryStore::new(GARDEN, key(2), &members);
    for i in 0..10_000 {
        a.create(doc(i), &format!("note {i}: a few words of text"));
    }
    b.copy_docs_from(&mut a);
    // 100 documents change on a, spread over the id space.
    let changed: Vec<u32> = (0..100).map(|i| i * 100 + 37).collect();
    for &i in &changed {
        a.splice(doc(i), 0, 0, "edited ");
    }
    a.unload_all();
    a.calls = Default::default();
    b.calls = Default::default();
    let mut peers = vec![a, b];

    let mut link = Link::connect(&mut peers, 0, 1, None);
    let trips = link.run(&mut peers);
    assert!(link.is_quiet(), "{:?}", link.error);
    let (out_a, out_b) = link.bytes();
    let ranges_bytes = link.sa.stats().reconcile_rounds + link.sb.stats().reconcile_rounds;
    println!(
        "1% of 10,000 changed: {trips} round trips, {} bytes ({out_a} + {out_b}), \
         {ranges_bytes} ranges frames, loads a={} b={}, stats a={:?} b={:?}",
        out_a + out_b,
        peers[0].calls.loads,
        peers[1].calls.loads,
        link.sa.stats(),
        link.sb.stats()
    );
    assert_eq!(peers[0].calls.loads, 100);
    assert_eq!(peers[1].calls.loads, 100);
    for &i in &changed {
        assert_eq!(peers[1].heads(doc(i)), peers[0].heads(doc(i)));
        assert!(peers[1].text(doc(i)).unwrap().starts_with("edited note"));
    }
    // Bytes grow with the 100 changed documents, not the 10,000.
    assert!(out_a + out_b < 100 * 2_000, "{} bytes", out_a + out_b);
}

/// A peer that holds none of a garden gets every document whole, straight
/// from the sender's storage: the sender loads none, and a later edit of
/// one of them still reaches the peer.
#[test]
fn initial_sync_sends_documents_whole_without_loading_them() {
    let members = [
        (key(1).member(), Role::Member),
        (key(2).member(), Role::Member),
    ];
    let mut a = MemoryStore::new(GARDEN, key(1), &members);
    let b = MemoryStore::new(GARDEN, key(2), &members);
    for i in 0..1_000 {
        a.create(doc(i), &format!("note {i}: a few words of text"));
    }
    a.unload_all();
    a.calls = Default::default();
    let mut peers = vec![a, b];

    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    assert!(link.is_quiet(), "{:?}", link.error);
    let sent_whole = link.sa.stats().docs_sent_whole + link.sb.stats().docs_sent_whole;
    assert_eq!(sent_whole, 1_000);
    assert_eq!(peers[0].calls.whole, 1_000);
    assert_eq!(peers[0].calls.loads, 0, "{:?}", peers[0].calls);
    for i in 0..1_000 {
        assert_eq!(peers[1].heads(doc(i)), peers[0].heads(doc(i)));
        assert_eq!(
            peers[1].text(doc(i)).unwrap(),
            format!("note {i}: a few words of text")
        );
    }

    peers[0].splice(doc(7), 0, 0, "edited ");
    link.local_change(&mut peers, 0, doc(7));
    link.run(&mut peers);
    assert!(link.is_quiet(), "{:?}", link.error);
    assert_eq!(
        peers[1].text(doc(7)).unwrap(),
        "edited note 7: a few words of text"
    );
}

/// `docs_synced` counts documents, not document sync sessions: a document
/// both sides start syncing (each found it differs) still counts once.
#[test]
fn each_differing_document_counts_once() {
    #[derive(Clone, Copy, Debug)]
    enum Change {
        /// The initiator edits an existing document.
        InitiatorEdits,
        /// The acceptor edits an existing document.
        AcceptorEdits,
        /// Both edit the same document.
        BothEdit,
        /// The acceptor creates a document the initiator lacks.
        AcceptorCreates,
        /// The initiator creates a document the acceptor lacks.
        InitiatorCreates,
    }
    fn peers(change: Change) -> Vec<MemoryStore> {
        let members = [
            (key(1).member(), Role::Member),
            (key(2).member(), Role::Member),
        ];
        let mut a = MemoryStore::new(GARDEN, key(1), &members);
        let mut b = MemoryStore::new(GARDEN, key(2), &members);
        for i in 0..20 {
            a.create(doc(i), &format!("note {i}"));
        }
        b.copy_docs_from(&mut a);
        match change {
            Change::InitiatorEdits => a.splice(doc(3), 0, 0, "a "),
            Change::AcceptorEdits => b.splice(doc(3), 0, 0, "b "),
            Change::BothEdit => {
                a.splice(doc(3), 0, 0, "a ");
                b.splice(doc(3), 0, 0, "b ");
            }
            Change::AcceptorCreates => b.create(doc(100), "new on b"),
            Change::InitiatorCreates => a.create(doc(100), "new on a"),
        }
        vec![a, b]
    }
    fn check(change: Change, expected: (u64, u64)) {
        // In lock step (every frame one side has, then the other's), and
        // one frame at a time each way, as a real connection interleaves.
        for one_by_one in [false, true] {
            let mut peers = peers(change);
            let mut link = Link::connect(&mut peers, 0, 1, None);
            if one_by_one {
                for _ in 0..10_000 {
                    let there = link.deliver_one(&mut peers, Dir::AtoB);
                    let back = link.deliver_one(&mut peers, Dir::BtoA);
                    if !there && !back {
                        break;
                    }
                }
            } else {
                link.run(&mut peers);
            }
            assert!(link.is_quiet(), "{change:?}: {:?}", link.error);
            let got = (link.sa.stats().docs_synced, link.sb.stats().docs_synced);
            assert_eq!(got, expected, "{change:?}, one by one: {one_by_one}");
        }
    }
    check(Change::InitiatorEdits, (1, 1));
    check(Change::AcceptorEdits, (1, 1));
    check(Change::BothEdit, (1, 1));
    check(Change::AcceptorCreates, (1, 1));
    check(Change::InitiatorCreates, (1, 1));
}
