//! A document whose sync makes no progress is reset, then given up on for
//! the connection, while the other documents sync.

#![allow(clippy::unwrap_used)]

mod support;

use loam_core::Role;
use support::{Dir, GARDEN, Link, MemoryStore, doc, key, two_members};

#[test]
fn a_stalled_document_is_reset_then_abandoned_and_the_rest_syncs() {
    let members = [
        (key(1).member(), Role::Member),
        (key(2).member(), Role::Member),
    ];
    let mut a = MemoryStore::new(GARDEN, key(1), &members);
    let b = MemoryStore::new(GARDEN, key(2), &members);
    for i in 0..5 {
        a.create(doc(i), &format!("doc {i}"));
    }
    let mut peers = vec![a, b];
    // A broken store: b never applies what arrives for doc 2.
    peers[1].drop_changes_of = Some(doc(2));

    let mut link = Link::connect(&mut peers, 0, 1, None);
    let trips = link.run(&mut peers);
    // The empty answers are not repeated: the exchange goes quiet instead
    // of looping.
    assert!(trips < 20, "{trips} round trips");
    assert!(!link.is_quiet());
    assert_eq!(link.sa.docs_in_flight().0 + link.sb.docs_in_flight().0, 2);

    // The transport notices the silence a few times.
    for _ in 0..10 {
        for dir in [Dir::AtoB, Dir::BtoA] {
            let (session, peer) = match dir {
                Dir::AtoB => (&mut link.sa, 0),
                Dir::BtoA => (&mut link.sb, 1),
            };
            let out = session.on_silence(&mut peers[peer]).unwrap();
            link.send(dir, out);
        }
        link.run(&mut peers);
        if link.is_quiet() {
            break;
        }
    }
    assert!(link.is_quiet());
    let (sa, sb) = (link.sa.stats(), link.sb.stats());
    println!("stall: a {sa:?}\nb {sb:?}");
    assert!(sa.doc_resets + sb.doc_resets >= 3);
    // Both sides noticed (they hear the same silence), or one did and told
    // the other.
    assert!(sa.docs_stalled + sb.docs_stalled >= 1);
    assert_eq!(
        sa.docs_stalled + sa.docs_refused_by_peer,
        1,
        "a stopped the document once"
    );
    assert_eq!(sb.docs_stalled + sb.docs_refused_by_peer, 1);
    assert!(!peers[1].has(doc(2)));
    for i in [0, 1, 3, 4] {
        assert_eq!(peers[1].text(doc(i)).unwrap(), format!("doc {i}"));
    }
}

#[test]
fn silence_does_not_reset_a_document_that_is_progressing() {
    let mut peers = two_members();
    peers[0].create(doc(0), "x");
    let mut link = Link::connect(&mut peers, 0, 1, None);
    // Deliver step by step, noticing silence between steps: every doc
    // session heard something since the last call, so none is reset.
    for _ in 0..50 {
        let moved =
            link.deliver_one(&mut peers, Dir::AtoB) | link.deliver_one(&mut peers, Dir::BtoA);
        let out = link.sa.on_silence(&mut peers[0]).unwrap();
        link.send(Dir::AtoB, out);
        if !moved {
            break;
        }
    }
    assert!(link.is_quiet());
    assert_eq!(link.sa.stats().doc_resets, 0);
    assert_eq!(peers[1].text(doc(0)).as_deref(), Some("x"));
}

#[test]
fn a_lost_acknowledgement_is_recovered_by_one_reset() {
    let mut peers = two_members();
    peers[0].create(doc(0), "soil");
    let mut link = Link::connect(&mut peers, 0, 1, None);
    link.run(&mut peers);
    assert!(link.is_quiet());

    // a changes the document; b takes the change in and acknowledges it,
    // and the acknowledgement is lost.
    peers[0].splice(doc(0), 4, 0, " and roots");
    link.local_change(&mut peers, 0, doc(0));
    link.deliver_batch(&mut peers, Dir::AtoB);
    assert_eq!(peers[1].text(doc(0)).as_deref(), Some("soil and roots"));
    assert!(link.sb.is_quiescent(), "b agrees and is done");
    link.to_a.clear();
    assert!(!link.sa.is_quiescent(), "a waits for the acknowledgement");

    // The silence resets a's sync of the document; b, which agrees and
    // had said so, answers the fresh start, and a is done too.
    for _ in 0..2 {
        let out = link.sa.on_silence(&mut peers[0]).unwrap();
        link.send(Dir::AtoB, out);
        link.run(&mut peers);
    }
    assert!(link.is_quiet());
    let (sa, sb) = (link.sa.stats(), link.sb.stats());
    assert_eq!(sa.doc_resets, 1, "{sa:?}");
    assert_eq!(sa.docs_stalled + sb.docs_stalled, 0, "a {sa:?}\nb {sb:?}");
    assert_eq!(sa.docs_refused_by_peer + sb.docs_refused_by_peer, 0);
}
