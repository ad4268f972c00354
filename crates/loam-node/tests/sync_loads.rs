//! An initial sync loads no stored document on either side: the sender
//! sends each one whole as stored, and the receiver keeps the copy it
//! checked. (Alone in its test binary: the count of loads is the
//! process's, and another test running beside it would move it.)

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use loam_core::Role;
use loam_node::network::{InviteTicket, NetConfig, Network, invite_ticket};
use loam_node::{ListQuery, NewDoc, Node, automerge_load_count};

const TIMEOUT: Duration = Duration::from_secs(30);

/// More than a garden keeps loaded, so that most of them are only stored.
const NOTES: usize = 400;

#[test]
fn an_initial_sync_loads_no_stored_document() {
    let dir = tempfile::tempdir().unwrap();
    let ada_data = dir.path().join("ada");
    {
        let ada = Node::open(ada_data.clone()).unwrap();
        ada.set_display_name("Ada").unwrap();
        let garden = ada.create_garden("Commons").unwrap();
        let notes = (0..NOTES)
            .map(|i| NewDoc::note(format!("Note {i}"), format!("Body of note {i}.")))
            .collect();
        garden.create_many(notes).unwrap();
        garden.flush().unwrap();
    }
    // Opened again: nothing is loaded yet.
    let ada = Arc::new(Node::open(ada_data).unwrap());
    let ada_net = Network::start(ada.clone(), NetConfig::loopback()).unwrap();
    let garden = ada.default_garden().unwrap();
    let invite = garden.invite(Role::Member, None, 1).unwrap();
    let ticket: InviteTicket = invite_ticket(&garden, &invite, ada_net.addr().unwrap())
        .to_string()
        .parse()
        .unwrap();

    let bo = Arc::new(Node::open(dir.path().join("bo")).unwrap());
    bo.set_display_name("Bo").unwrap();
    let bo_net = Network::start(bo.clone(), NetConfig::loopback()).unwrap();
    let before = automerge_load_count();
    bo_net.join(&ticket, TIMEOUT).unwrap();
    let synced = bo_net.sync_once(TIMEOUT).unwrap();
    assert!(synced.iter().all(|p| p.ok), "{synced:?}");
    assert_eq!(automerge_load_count() - before, 0, "documents loaded");

    let bo_garden = bo.garden_by_id(garden.id()).unwrap();
    assert_eq!(
        bo_garden.count(&ListQuery::default()).unwrap(),
        NOTES as u64
    );
}
