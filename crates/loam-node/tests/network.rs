//! Nodes syncing over iroh on loopback (127.0.0.1 only, no relay, no DNS,
//! no mDNS): invites, joins, offline edits merging, readers and removed
//! members refused.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use loam_core::Role;
use loam_node::network::{InviteTicket, NetConfig, Network, invite_ticket};
use loam_node::{NewDoc, Node};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Peer {
    _dir: tempfile::TempDir,
    node: Arc<Node>,
    net: Network,
}

fn peer(name: &str) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let node = Arc::new(Node::open(dir.path().join("data")).unwrap());
    node.set_display_name(name).unwrap();
    let net = Network::start(node.clone(), NetConfig::loopback()).unwrap();
    Peer {
        _dir: dir,
        node,
        net,
    }
}

fn ticket(founder: &Peer, role: Role, expires: Option<Duration>) -> InviteTicket {
    let garden = founder.node.default_garden().unwrap();
    let invite = garden.invite(role, expires, 1).unwrap();
    let text = invite_ticket(&garden, &invite, founder.net.addr().unwrap()).to_string();
    text.parse().unwrap()
}

fn body(peer: &Peer, title: &str) -> String {
    let garden = peer.node.default_garden().unwrap();
    let id = garden.resolve(title).unwrap();
    garden.note(id).unwrap().text
}

#[test]
fn a_joiner_receives_the_garden_and_offline_edits_merge_both_ways() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Commons").unwrap();
    let note = garden
        .create(NewDoc::note("Soil", "Loam is soil."))
        .unwrap();
    garden.flush().unwrap();

    let bo = peer("Bo");
    let report = bo
        .net
        .join(&ticket(&ada, Role::Member, None), TIMEOUT)
        .unwrap();
    assert_eq!(report.garden, garden.id());
    assert_eq!(report.role, Role::Member);
    assert_eq!(body(&bo, "Soil"), "Loam is soil.");

    // Both edit the same note while apart, then sync.
    let bo_garden = bo.node.garden_by_id(garden.id()).unwrap();
    bo_garden
        .replace_text(note, "Loam is soil. Bo was here.")
        .unwrap();
    garden
        .replace_text(note, "Ada says: Loam is soil.")
        .unwrap();
    let synced = bo.net.sync_once(TIMEOUT).unwrap();
    assert!(synced.iter().all(|p| p.ok), "{synced:?}");
    assert_eq!(body(&bo, "Soil"), "Ada says: Loam is soil. Bo was here.");
    assert_eq!(body(&ada, "Soil"), "Ada says: Loam is soil. Bo was here.");

    // Authorship comes from signatures on both sides.
    let history = bo_garden.history(note).unwrap();
    let authors: Vec<_> = history.sessions.iter().map(|s| s.author.member).collect();
    assert!(authors.contains(&Some(ada.node.member_id())), "{authors:?}");
    assert!(authors.contains(&Some(bo.node.member_id())), "{authors:?}");
}

/// `sync --once` says how many documents it exchanged: one note is one,
/// though storing it here announces a change the session also hears.
#[test]
fn one_new_note_counts_as_one_document() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Commons").unwrap();
    let bo = peer("Bo");
    bo.net
        .join(&ticket(&ada, Role::Member, None), TIMEOUT)
        .unwrap();
    garden
        .create(NewDoc::note("Compost", "Turn it weekly."))
        .unwrap();
    let synced = bo.net.sync_once(TIMEOUT).unwrap();
    assert_eq!(synced.len(), 1, "{synced:?}");
    assert!(synced[0].ok, "{synced:?}");
    assert_eq!(synced[0].docs_synced, 1, "{synced:?}");
    assert!(synced[0].sync_ms.is_some(), "{synced:?}");
    assert!(synced[0].wire.received > synced[0].bytes_in, "{synced:?}");
    assert_eq!(body(&bo, "Compost"), "Turn it weekly.");
}

/// A member who holds none of a garden's notes gets them all in one sync,
/// each sent whole; their history (authorship from signatures) is read
/// from the documents afterwards, when asked.
#[test]
fn an_empty_member_gets_every_note_whole_in_one_sync() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Commons").unwrap();
    let bo = peer("Bo");
    bo.net
        .join(&ticket(&ada, Role::Member, None), TIMEOUT)
        .unwrap();
    let count: usize = std::env::var("LOAM_TEST_NOTES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let notes: Vec<NewDoc> = (0..count)
        .map(|i| NewDoc::note(format!("Note {i}"), format!("Body of note {i}.")))
        .collect();
    let ids = garden.create_many(notes).unwrap();
    garden.flush().unwrap();

    let synced = bo.net.sync_once(TIMEOUT).unwrap();
    assert!(synced.iter().all(|p| p.ok), "{synced:?}");
    let bo_garden = bo.node.garden_by_id(garden.id()).unwrap();
    assert_eq!(
        bo_garden.count(&loam_node::ListQuery::default()).unwrap(),
        count as u64,
        "{synced:?}"
    );
    for i in [0, 150, 299] {
        assert_eq!(
            body(&bo, &format!("Note {i}")),
            format!("Body of note {i}.")
        );
    }
    let history = bo_garden.history(ids[7]).unwrap();
    let authors: Vec<_> = history.sessions.iter().map(|s| s.author.member).collect();
    assert_eq!(authors, [Some(ada.node.member_id())]);
    assert_eq!(bo_garden.stats().unwrap(), garden.stats().unwrap());
}

/// Joiners learn only the founder's address from their ticket; members
/// tell each other the rest, so two who met only through her sync
/// directly when she is away.
#[test]
fn members_who_met_through_the_founder_sync_without_her() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Commons").unwrap();
    let bo = peer("Bo");
    bo.net
        .join(&ticket(&ada, Role::Member, None), TIMEOUT)
        .unwrap();
    let cy = peer("Cy");
    cy.net
        .join(&ticket(&ada, Role::Member, None), TIMEOUT)
        .unwrap();
    // Cy heard of Bo when she joined; Bo hears of Cy on his next sync.
    let known = |p: &Peer| -> Vec<_> {
        let g = p.node.garden_by_id(garden.id()).unwrap();
        g.peer_list()
            .unwrap()
            .into_iter()
            .map(|k| k.member)
            .collect()
    };
    assert!(
        known(&cy).contains(&bo.node.member_id()),
        "{:?}",
        known(&cy)
    );
    bo.net.sync_once(TIMEOUT).unwrap();
    assert!(
        known(&bo).contains(&cy.node.member_id()),
        "{:?}",
        known(&bo)
    );

    drop(ada);
    let cy_garden = cy.node.garden_by_id(garden.id()).unwrap();
    cy_garden
        .create(NewDoc::note("Mulch", "Keeps the soil moist."))
        .unwrap();
    let synced = bo.net.sync_once(TIMEOUT).unwrap();
    let with_cy = synced
        .iter()
        .find(|p| p.member == cy.node.member_id())
        .unwrap();
    assert!(with_cy.ok, "{synced:?}");
    assert_eq!(body(&bo, "Mulch"), "Keeps the soil moist.");
}

/// A ticket already used is refused in words whichever way the inviter
/// turns it away: at the handshake, when it holds no open invite (its
/// close says only that the key is not admitted), or in the session, when
/// another invite is open.
#[test]
fn a_used_ticket_is_refused_in_words() {
    let ada = peer("Ada");
    ada.node.create_garden("Commons").unwrap();
    let used = ticket(&ada, Role::Member, None);
    let bo = peer("Bo");
    bo.net.join(&used, TIMEOUT).unwrap();

    let dee = peer("Dee");
    let refused = dee.net.join(&used, TIMEOUT).unwrap_err().to_string();
    assert!(
        refused.contains("no open invite") && refused.contains("used up or revoked"),
        "{refused}"
    );
    assert!(!refused.contains("connection lost"), "{refused}");

    let _open = ticket(&ada, Role::Reader, None);
    let refused = dee.net.join(&used, TIMEOUT).unwrap_err().to_string();
    assert_eq!(
        refused,
        "the invite was refused: this invite has been used up (it was good for 1 use)"
    );
    assert!(dee.node.garden_by_id(used.garden).is_err());
}
