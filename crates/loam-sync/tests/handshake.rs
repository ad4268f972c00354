//! Hello, welcome, refusal and membership: who gets in, and what it costs.

#![allow(clippy::unwrap_used)]

mod support;

use loam_core::Role;
use loam_sync::{Frame, Limits, PeerHint, RefuseCode, Session};
use support::{GARDEN, Link, MemoryStore, doc, key};

/// Two members' stores holding the same `n` documents.
fn twins(n: u32) -> Vec<MemoryStore> {
    let members = [
        (key(1).member(), Role::Facilitator),
        (key(2).member(), Role::Member),
    ];
    let mut a = MemoryStore::new(GARDEN, key(1), &members);
    let mut b = MemoryStore::new(GARDEN, key(2), &members);
    for i in 0..n {
        a.create(doc(i), &format!("note {i}"));
    }
    b.copy_docs_from(&mut a);
    a.calls = Default::default();
    b.calls = Default::default();
    vec![a, b]
}

#[test]
fn equal_gardens_cost_one_round_trip_and_load_nothing() {
    let mut peers = twins(1000);
    let mut link = Link::connect(&mut peers, 0, 1, None);
    let trips = link.run(&mut peers);
    assert!(link.is_quiet(), "{:?}", link.error);
    let (out_a, out_b) = link.bytes();
    println!("equal gardens of 1000 docs: {trips} round trip, {out_a} + {out_b} bytes");
    assert_eq!(trips, 1);
    assert_eq!(link.sa.stats().round_trips, 1);
    // Hello and Welcome, and each side's Idle, which needs no answer.
    assert_eq!(link.sa.stats().frames_out + link.sb.stats().frames_out, 4);
    assert!(link.sa.is_settled() && link.sb.is_settled());
    assert!(out_a + out_b <= 2048, "{out_a} + {out_b} bytes");
    for p in &peers {
        assert_eq!(p.calls.loads, 0);
        assert_eq!(p.calls.generate + p.calls.receive + p.calls.digests, 0);
    }
}

#[test]
fn a_stranger_is_refused_before_any_document_call() {
    let mut peers = twins(10);
    peers[1].calls = Default::default();
    let stranger = MemoryStore::new(GARDEN, key(9), &[(key(9).member(), Role::Facilitator)]);
    peers.push(stranger);
    let mut link = Link::connect(&mut peers, 2, 0, None);
    link.run(&mut peers);
    assert_eq!(
        link.sb.closed(),
        Some(
            format!(
                "refused the peer: {} is not a member of this garden",
                key(9).member()
            )
            .as_str()
        )
    );
    assert!(
        link.sa
            .closed()
            .unwrap()
            .starts_with("refused (NotAMember)")
    );
    assert_eq!(peers[0].calls.document_calls(), 0, "{:?}", peers[0].calls);
    assert_eq!(link.sb.stats().frames_out, 1);
}

#[test]
fn the_wrong_garden_is_refused() {
    let mut peers = twins(1);
    let other = MemoryStore::new(
        loam_core::GardenId::from_bytes([1; 16]),
        key(2),
        &[(key(2).member(), Role::Member)],
    );
    peers[1] = other;
    let mut link = Link::connect(&mut peers, 0, 1, None);
    let hello = link.to_b.front().cloned().unwrap();
    link.run(&mut peers);
    assert!(link.sb.closed().unwrap().contains("does not hold garden"));
    assert_eq!(peers[1].calls.document_calls(), 0);
    assert!(hello.len() < 200);
}

#[test]
fn an_initiator_leaves_an_acceptor_that_is_not_a_member() {
    let mut peers = twins(3);
    // Peer 0 thinks peer 1 was removed; peer 1 does not know yet, and
    // peer 0 talks first.
    peers[0].set_role(key(2).member(), None);
    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    // 0 refuses 1 outright, saying 1 was removed (and 1's log now says so).
    assert!(
        link.sb
            .closed()
            .unwrap()
            .contains("was removed from this garden")
    );
    assert_eq!(peers[1].current_role(key(2).member()), None);
    assert_eq!(peers[0].calls.generate + peers[1].calls.generate, 0);
}

/// What the initiator says before the acceptor has been checked (it may
/// have dialled a former member) tells nothing of its documents: the
/// hello is the same bytes whether the garden holds none or a thousand.
#[test]
fn the_hello_reveals_nothing_of_the_documents() {
    let hello = |n: u32| {
        let mut peers = twins(n);
        let (_, frames) = loam_sync::Session::initiate(
            key(2).member(),
            None,
            loam_sync::Limits::default(),
            &mut peers[0],
        )
        .unwrap();
        assert!(matches!(frames.as_slice(), [Frame::Hello { .. }]));
        (frames[0].encode(), peers[0].calls.clone())
    };
    let (empty, _) = hello(0);
    let (full, calls) = hello(1000);
    assert_eq!(empty, full);
    assert_eq!(calls.document_calls(), 0);
}

#[test]
fn a_joiner_with_a_valid_invite_is_admitted_and_syncs() {
    let mut peers = twins(5);
    peers[0].add_invite(b"redeem-1".to_vec(), Role::Reader);
    let joiner = MemoryStore::new(GARDEN, key(3), &[]);
    peers.push(joiner);
    let mut link = Link::connect(&mut peers, 2, 0, Some(b"redeem-1".to_vec()));
    link.run(&mut peers);
    assert!(link.is_quiet(), "{:?} {:?}", link.error, link.sa.closed());
    assert_eq!(link.sa.my_role(), Some(Role::Reader));
    assert_eq!(peers[2].current_role(key(3).member()), Some(Role::Reader));
    assert_eq!(
        peers[2].current_role(key(1).member()),
        Some(Role::Facilitator)
    );
    assert_eq!(peers[2].snapshot(), peers[0].snapshot());

    // The invite is used up.
    let late = MemoryStore::new(GARDEN, key(4), &[]);
    peers.push(late);
    let mut link = Link::connect(&mut peers, 3, 0, Some(b"redeem-1".to_vec()));
    link.run(&mut peers);
    assert!(link.sa.closed().unwrap().contains("InviteRefused"));
    assert!(peers[3].doc_ids().is_empty());
}

#[test]
fn membership_logs_converge_both_ways_before_documents() {
    let mut peers = twins(2);
    peers[0].set_role(key(5).member(), Some(Role::Reader));
    peers[1].set_role(key(6).member(), Some(Role::Member));
    peers[1].create(doc(100), "only on b");
    let mut link = Link::connect(&mut peers, 0, 1, None);
    link.run(&mut peers);
    assert!(
        link.is_quiet(),
        "{:?}\n{:?} {:?} {:?}\n{:?} {:?} {:?}",
        link.error,
        link.sa.is_quiescent(),
        link.sa.docs_in_flight(),
        link.sa.stats(),
        link.sb.is_quiescent(),
        link.sb.docs_in_flight(),
        link.sb.stats()
    );
    for p in peers.iter_mut() {
        assert_eq!(p.current_role(key(5).member()), Some(Role::Reader));
        assert_eq!(p.current_role(key(6).member()), Some(Role::Member));
    }
    assert_eq!(peers[0].text(doc(100)).as_deref(), Some("only on b"));
}

#[test]
fn removing_a_member_closes_their_session_with_a_reason() {
    let mut peers = twins(2);
    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    assert!(link.is_quiet());
    peers[0].set_role(key(2).member(), None);
    link.membership_changed(&mut peers, 0);
    let said: Vec<Frame> = link
        .to_a
        .iter()
        .map(|bytes| Frame::decode(&bytes[4..], &Default::default()).unwrap())
        .collect();
    // The entry that removes them first, then the goodbye.
    assert!(matches!(&said[0], Frame::Membership { entries, .. } if entries.len() == 1));
    assert!(matches!(&said[1], Frame::Bye { reason } if reason.contains("no longer a member")));
    link.run(&mut peers);
    assert!(link.sa.closed().unwrap().contains("no longer a member"));
    assert!(link.sb.closed().is_some());
    assert_eq!(
        peers[1].current_role(key(2).member()),
        None,
        "the removed member's own log says so"
    );
    // A closed session sends nothing for later changes.
    peers[0].splice(doc(0), 0, 0, "secret ");
    link.local_change(&mut peers, 0, doc(0));
    assert_eq!(link.in_flight(), 0);
    let _ = RefuseCode::NotAMember;
}

#[test]
fn a_member_removed_while_away_learns_it_when_refused() {
    let mut peers = twins(2);
    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    drop(link);
    // Ada removes Bo while they are apart, and writes on.
    peers[0].set_role(key(2).member(), None);
    peers[0].splice(doc(0), 0, 0, "secret ");
    let mut link = Link::connect(&mut peers, 1, 0, None);
    link.run(&mut peers);
    assert!(
        link.sa
            .closed()
            .unwrap()
            .contains("was removed from this garden"),
        "{:?}",
        link.sa.closed()
    );
    assert_eq!(
        peers[1].current_role(key(2).member()),
        None,
        "Bo's log says so"
    );
    assert_ne!(
        peers[1].text(doc(0)).unwrap(),
        peers[0].text(doc(0)).unwrap()
    );
    // A stranger is refused without being told anything of the log.
    let stranger = MemoryStore::new(GARDEN, key(9), &[(key(9).member(), Role::Facilitator)]);
    peers.push(stranger);
    let before = loam_sync::SyncStore::membership_heads(&mut peers[2]).unwrap();
    let mut link = Link::connect(&mut peers, 2, 0, None);
    link.run(&mut peers);
    assert!(link.sa.closed().unwrap().contains("is not a member"));
    assert_eq!(
        loam_sync::SyncStore::membership_heads(&mut peers[2]).unwrap(),
        before
    );
}

#[test]
fn members_pass_on_addresses_once_checked_and_when_they_change() {
    let hint = |n: u8, port: u16| PeerHint {
        member: key(n).member(),
        direct: vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))],
        relay: None,
    };
    let mut peers = twins(3);
    // Ada knows where she is and where Cy is; her peer Bo is left out of
    // what she tells him.
    peers[0].hints = vec![hint(1, 1001), hint(3, 1003), hint(2, 1002)];
    peers[1].hints = vec![hint(2, 1002)];
    let mut link = Link::connect(&mut peers, 0, 1, None);
    let trips = link.run(&mut peers);
    assert!(link.is_quiet(), "{:?}", link.error);
    // Addresses need no answer: equal gardens still cost one round trip,
    // and each side knows the sync is over without waiting for the
    // other to have handled them.
    assert_eq!(trips, 1);
    assert_eq!(link.sa.stats().round_trips + link.sb.stats().round_trips, 1);
    assert!(link.sa.is_settled() && link.sb.is_settled());
    assert_eq!(
        peers[1].heard,
        vec![(key(1).member(), vec![hint(1, 1001), hint(3, 1003)])]
    );
    assert_eq!(
        peers[0].heard,
        vec![(key(2).member(), vec![hint(2, 1002)])],
        "Ada hears where Bo is"
    );

    // Nothing new: nothing sent.
    link.peers_changed(&mut peers, 0);
    assert_eq!(link.in_flight(), 0);
    // Cy moved: Bo hears of it.
    peers[0].hints[1] = hint(3, 2003);
    link.peers_changed(&mut peers, 0);
    link.run(&mut peers);
    assert_eq!(peers[1].heard.len(), 2);
    assert_eq!(peers[1].heard[1].1, vec![hint(1, 1001), hint(3, 2003)]);
}

#[test]
fn addresses_wait_until_the_sender_is_known_to_be_a_member() {
    let mut peers = twins(1);
    let stranger = MemoryStore::new(GARDEN, key(9), &[(key(9).member(), Role::Facilitator)]);
    peers.push(stranger);
    // The stranger tells nothing: it is refused before its logs agree.
    peers[2].hints = vec![PeerHint {
        member: key(9).member(),
        direct: vec![std::net::SocketAddr::from(([10, 0, 0, 9], 9))],
        relay: None,
    }];
    let mut link = Link::connect(&mut peers, 2, 0, None);
    link.run(&mut peers);
    assert!(peers[0].heard.is_empty());
    // Addresses that arrive before the logs agree (so before the sender is
    // checked) are held, and taken in once they agree.
    let bo_heads = loam_sync::SyncStore::membership_heads(&mut peers[1]).unwrap();
    let (mut session, _hello) =
        Session::initiate(key(1).member(), None, Limits::default(), &mut peers[1]).unwrap();
    let welcome = Frame::Welcome {
        membership_heads: vec![[9; 32]],
        docs: loam_sync::Fingerprint::default(),
        role_of_you: Role::Member,
    };
    let early = Frame::Peers {
        peers: vec![PeerHint {
            member: key(1).member(),
            direct: vec![],
            relay: Some("https://relay.example/".into()),
        }],
    };
    session.handle(welcome, &mut peers[1]).unwrap();
    session.handle(early, &mut peers[1]).unwrap();
    assert!(peers[1].heard.is_empty(), "held until the logs agree");
    let agreed = Frame::Membership {
        entries: vec![],
        heads: bo_heads,
    };
    session.handle(agreed, &mut peers[1]).unwrap();
    assert_eq!(peers[1].heard.len(), 1);
    assert_eq!(peers[1].heard[0].0, key(1).member());
}
