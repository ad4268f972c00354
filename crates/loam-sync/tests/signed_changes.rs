//! Every change travels with its author's signature; a receiver applies
//! only changes signed by a current writer, and disconnects peers that
//! forge signatures or send garbage.

#![allow(clippy::unwrap_used)]

mod support;

use automerge::sync::{Have, Message, MessageVersion};
use loam_core::{Role, SignedChanges};
use loam_sync::{Frame, SessionError};
use support::{Dir, GARDEN, Link, MemoryStore, doc, key};

/// A facilitator (0), a member (1), a reader (2), all with documents 0..3.
fn garden() -> Vec<MemoryStore> {
    let members = [
        (key(1).member(), Role::Facilitator),
        (key(2).member(), Role::Member),
        (key(3).member(), Role::Reader),
    ];
    let mut peers: Vec<MemoryStore> = (1..=3)
        .map(|n| MemoryStore::new(GARDEN, key(n), &members))
        .collect();
    for i in 0..3 {
        peers[0].create(doc(i), &format!("doc {i}"));
    }
    let (first, rest) = peers.split_at_mut(1);
    for p in rest {
        p.copy_docs_from(&mut first[0]);
    }
    peers
}

#[test]
fn a_readers_changes_are_refused_and_the_rest_syncs() {
    let mut peers = garden();
    // The reader edits doc 0 locally; the facilitator writes doc 5.
    peers[2].splice(doc(0), 0, 0, "vandalism ");
    peers[0].create(doc(5), "new from the facilitator");
    let before = peers[0].heads(doc(0));

    let mut link = Link::connect(&mut peers, 2, 0, None);
    link.run(&mut peers);
    assert!(link.error.is_none(), "{:?}", link.error);
    assert!(link.is_quiet());
    assert_eq!(
        peers[0].heads(doc(0)),
        before,
        "nothing of the reader's applied"
    );
    assert_eq!(peers[0].text(doc(0)).unwrap(), "doc 0");
    assert_eq!(link.sb.stats().docs_refused, 1);
    assert_eq!(link.sa.stats().docs_refused_by_peer, 1);
    // The rest of the garden still reaches the reader.
    assert_eq!(
        peers[2].text(doc(5)).as_deref(),
        Some("new from the facilitator")
    );
}

#[test]
fn a_removed_members_later_changes_are_refused() {
    let mut peers = garden();
    peers[1].splice(doc(1), 0, 0, "written after removal ");
    peers[0].set_role(key(2).member(), None);
    peers[2].set_role(key(2).member(), None);
    // The reader, who relays, got the removed member's change somehow.
    let mut relay = Link::connect(&mut peers, 1, 2, None);
    relay.run(&mut peers);
    assert!(
        relay
            .sb
            .closed()
            .unwrap()
            .contains("was removed from this garden")
    );
    // Signature batches are checked against the current log even when a
    // third member forwards them: peer 0 refuses what peer 1 wrote.
    let mut peers2 = garden();
    peers2[1].splice(doc(1), 0, 0, "written after removal ");
    let m = key(2).member();
    peers2[0].set_role(m, None);
    // Peer 2 (still thinking 1 is a member) learns the change first.
    peers2[2].set_role(key(3).member(), Some(Role::Member));
    peers2[0].set_role(key(3).member(), Some(Role::Member));
    let mut l12 = Link::connect(&mut peers2, 1, 2, None);
    l12.run(&mut peers2);
    assert!(
        peers2[2]
            .text(doc(1))
            .unwrap()
            .starts_with("written after removal")
    );
    let mut l20 = Link::connect(&mut peers2, 2, 0, None);
    l20.run(&mut peers2);
    // The membership logs merged first, so peer 2 now knows 1 was removed,
    // and peer 0 refuses the document.
    assert_eq!(peers2[0].text(doc(1)).unwrap(), "doc 1");
    assert_eq!(l20.sb.stats().docs_refused, 1, "{:?}", l20.sb.stats());
}

#[test]
fn a_forged_signature_disconnects() {
    let mut peers = garden();
    peers[1].splice(doc(2), 0, 0, "forged ");
    // Peer 1 claims the facilitator signed its change.
    let new: Vec<_> = peers[1].heads(doc(2)).unwrap();
    let genuine = SignedChanges::sign(&key(2), GARDEN, doc(2), &new).remove(0);
    let mut bytes = genuine.encode();
    bytes[1..33].copy_from_slice(key(1).member().as_bytes());
    let forged = SignedChanges::decode(&bytes).unwrap();
    let mut all: Vec<_> = Vec::new();
    // Keep the original history's batches (by the facilitator), forge the new one.
    let history = peers[0].heads(doc(2)).unwrap();
    all.extend(SignedChanges::sign(&key(1), GARDEN, doc(2), &history));
    all.push(forged);
    peers[1].replace_batches(doc(2), all);

    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    let err = link.error.clone().unwrap();
    assert!(err.contains("invalid change signature"), "{err}");
    assert_eq!(peers[0].text(doc(2)).unwrap(), "doc 2");
}

/// Open a link from peer 1 to peer 0 and run it to quiet, then inject a
/// frame from peer 1 as if it sent it.
fn inject(message: Vec<u8>, signatures: Vec<Vec<u8>>) -> (Vec<MemoryStore>, Link) {
    let mut peers = garden();
    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    assert!(link.is_quiet());
    link.send(
        Dir::AtoB,
        vec![Frame::DocSync {
            doc: doc(0),
            message,
            signatures,
        }],
    );
    link.run(&mut peers);
    (peers, link)
}

fn message_with(changes: Vec<Vec<u8>>, have: Vec<Have>) -> Vec<u8> {
    Message {
        heads: vec![],
        need: vec![],
        have,
        changes: changes.into(),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

#[test]
fn garbage_automerge_disconnects_and_the_honest_peer_goes_on() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not a message", vec![0x42, 0xff, 0xff, 0xff]),
        ("empty", vec![]),
        (
            "a garbage change",
            message_with(vec![vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]], vec![]),
        ),
        (
            "a bloom filter with no bits",
            message_with(
                vec![],
                vec![Have {
                    last_sync: vec![],
                    bloom: automerge::sync::BloomFilter::try_from(&[1u8, 0, 7][..]).unwrap(),
                }],
            ),
        ),
        (
            "a bloom filter with a billion probes",
            message_with(
                vec![],
                vec![Have {
                    last_sync: vec![],
                    bloom: automerge::sync::BloomFilter::try_from(
                        &[1u8, 10, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0, 0][..],
                    )
                    .unwrap(),
                }],
            ),
        ),
    ];
    for (what, bytes) in cases {
        let (mut peers, link) = inject(bytes, vec![]);
        let err = link.error.clone().unwrap_or_default();
        assert!(err.contains("invalid sync message"), "{what}: {err:?}");
        // The honest peer (the reader, 2) still syncs with peer 0.
        peers[0].create(doc(9), "honest");
        let mut honest = Link::connect(&mut peers, 2, 0, None);
        honest.run(&mut peers);
        assert!(honest.is_quiet(), "{what}");
        assert_eq!(peers[2].text(doc(9)).as_deref(), Some("honest"));
    }
}

#[test]
fn unsigned_changes_disconnect() {
    let mut peers = garden();
    peers[1].splice(doc(0), 0, 0, "unsigned ");
    let change = peers[1].automerge(doc(0)).get_last_local_change().unwrap();
    let (_, link) = inject(
        message_with(vec![change.raw_bytes().to_vec()], vec![]),
        vec![],
    );
    let err = link.error.unwrap();
    assert!(err.contains("without a signature"), "{err}");
}

#[test]
fn session_errors_name_the_peers_fault() {
    let err = SessionError::Protocol("x");
    assert_eq!(err.to_string(), "protocol violation: x");
}

/// The garden of [`garden`] where doc 0 is facilitators only (a manifest)
/// and doc 7, which the member (peer 1) made, belongs to them alone (their
/// journal), on every peer.
fn garden_with_policies() -> Vec<MemoryStore> {
    use loam_core::community::WritePolicy;
    let mut peers = garden();
    peers[1].create(doc(7), "journal");
    let (first, rest) = peers.split_at_mut(1);
    let (member, reader) = rest.split_at_mut(1);
    first[0].copy_docs_from(&mut member[0]);
    reader[0].copy_docs_from(&mut member[0]);
    for p in &mut peers {
        p.policies.insert(doc(0), WritePolicy::Facilitators);
        p.policies
            .insert(doc(7), WritePolicy::Owner(key(2).member()));
    }
    peers
}

#[test]
fn a_members_change_to_a_facilitators_only_document_is_refused() {
    let mut peers = garden_with_policies();
    // The member (1) edits the manifest-like doc 0 and their own doc 7.
    peers[1].splice(doc(0), 0, 0, "hostile curation ");
    peers[1].splice(doc(7), 0, 0, "my ");
    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    assert!(link.error.is_none(), "{:?}", link.error);
    assert_eq!(peers[0].text(doc(0)).unwrap(), "doc 0", "refused");
    assert_eq!(
        peers[0].text(doc(7)).unwrap(),
        "my journal",
        "the owner's own document syncs"
    );
    assert_eq!(link.sb.stats().docs_refused, 1);
}

#[test]
fn only_the_owner_writes_a_journal_even_a_facilitator_is_refused() {
    let mut peers = garden_with_policies();
    peers[0].splice(doc(7), 0, 0, "facilitator rewrites ");
    peers[0].splice(doc(0), 0, 0, "curated ");
    let mut link = Link::connect(&mut peers, 0, 1, None);
    link.run(&mut peers);
    assert!(link.error.is_none(), "{:?}", link.error);
    assert_eq!(peers[1].text(doc(7)).unwrap(), "journal");
    assert_eq!(peers[1].text(doc(0)).unwrap(), "curated doc 0");
    assert_eq!(link.sb.stats().docs_refused, 1);
}

#[test]
fn a_demoted_facilitators_curation_reaches_a_newcomer_once_a_facilitator_built_on_it() {
    use loam_core::community::WritePolicy;
    let mut peers = garden();
    for p in &mut peers {
        p.policies.insert(doc(0), WritePolicy::Facilitators);
    }
    // Ada (0) curates; Bo (1) becomes a facilitator, receives it and
    // curates on top; then Ada steps down to member, everywhere.
    peers[0].splice(doc(0), 0, 0, "curated by Ada ");
    for p in &mut peers {
        p.set_role(key(2).member(), Some(Role::Facilitator));
    }
    let mut link = Link::connect(&mut peers, 0, 1, None);
    link.run(&mut peers);
    assert_eq!(peers[1].text(doc(0)).unwrap(), "curated by Ada doc 0");
    peers[1].splice(doc(0), 0, 0, "and Bo: ");
    for p in &mut peers {
        p.set_role(key(1).member(), Some(Role::Member));
    }
    // Ada, now a member, tries once more: nobody builds on that.
    peers[0].splice(doc(0), 0, 0, "sneaky ");

    // A newcomer holding no document gets the manifest whole from Bo:
    // Ada's old curation comes with Bo's, endorsed by it.
    let members = [
        (key(1).member(), Role::Member),
        (key(2).member(), Role::Facilitator),
        (key(3).member(), Role::Reader),
        (key(4).member(), Role::Member),
    ];
    let mut newcomer = MemoryStore::new(GARDEN, key(4), &members);
    newcomer.policies.insert(doc(0), WritePolicy::Facilitators);
    peers.push(newcomer);
    let mut link = Link::connect(&mut peers, 1, 3, None);
    link.run(&mut peers);
    assert!(link.error.is_none(), "{:?}", link.error);
    assert_eq!(
        peers[3].text(doc(0)).as_deref(),
        Some("and Bo: curated by Ada doc 0")
    );
    // Ada's change after her demotion is refused.
    let mut link = Link::connect(&mut peers, 0, 3, None);
    link.run(&mut peers);
    assert_eq!(
        peers[3].text(doc(0)).as_deref(),
        Some("and Bo: curated by Ada doc 0")
    );
    assert_eq!(link.sb.stats().docs_refused, 1);
}
