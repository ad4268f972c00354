//! Members: a garden's membership log as the node keeps it, signed
//! changes, invites, roles, and what a reader may not do.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use std::sync::Arc;
use std::time::Duration;

use loam_node::{
    Event, Garden, InviteRefusal, MembershipError, NewDoc, NoEffect, Node, NodeError, Role,
};

struct Peer {
    _dir: tempfile::TempDir,
    node: Node,
}

fn peer(name: &str) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open(dir.path()).unwrap();
    node.set_display_name(name).unwrap();
    Peer { _dir: dir, node }
}

/// `to` joins `garden` with everything in its log.
fn sync_log(garden: &Garden, to: &Node) -> Arc<Garden> {
    let entries = garden.membership_entries_missing(&[]).unwrap();
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    to.join_garden(&refs).unwrap()
}

#[test]
fn a_new_garden_is_founded_by_its_creator_and_named_by_its_genesis() {
    let ada = peer("Ada");
    let mut events = ada.node.subscribe();
    let garden = ada.node.create_garden("Workshop").unwrap();
    assert!(garden.shareable());
    let members = garden.members().unwrap();
    assert_eq!(members.garden_name(), "Workshop");
    let me = members.member(ada.node.member_id()).unwrap();
    assert_eq!((me.role, me.name.as_str()), (Role::Facilitator, "Ada"));
    assert_eq!(garden.my_role().unwrap(), Some(Role::Facilitator));
    let heads = garden.membership_heads().unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(
        garden.id().as_bytes()[..],
        heads[0].as_bytes()[..16],
        "the id is derived from the genesis"
    );
    assert!(
        ada.node
            .data_dir()
            .join("gardens")
            .join(garden.id().to_string())
            .is_dir()
    );
    assert!(matches!(
        events.try_recv().unwrap(),
        Event::GardenCreated { .. }
    ));
    // Reopened from disk: the same log.
    let id = garden.id();
    drop(garden);
    let again = Node::open(ada.node.data_dir()).unwrap();
    let garden = again.garden_by_id(id).unwrap();
    assert_eq!(garden.membership_heads().unwrap(), heads);
}

#[test]
fn every_local_change_is_signed_and_history_names_the_signer() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Workshop").unwrap();
    let id = garden
        .create(NewDoc::note("Seeds", "seeds sprout"))
        .unwrap();
    garden.replace_text(id, "seeds sprout in spring").unwrap();
    garden.splice(id, 0, 0, "All ").unwrap();
    garden.commit(id).unwrap();
    garden.flush().unwrap();
    let changes = garden.history_changes(id).unwrap();
    assert_eq!(changes.len(), 3);
    let hashes: Vec<_> = changes.iter().map(|c| c.hash).collect();
    let batches = garden.change_signatures(id, &hashes).unwrap();
    let mut signed: Vec<_> = batches.iter().flat_map(|b| b.changes().to_vec()).collect();
    signed.sort();
    let mut expected = hashes.clone();
    expected.sort();
    assert_eq!(signed, expected);
    for batch in &batches {
        assert_eq!(batch.signer(), ada.node.member_id());
        batch.verify(garden.id(), id).unwrap();
    }
    assert!(
        changes
            .iter()
            .all(|c| c.author.member == Some(ada.node.member_id()))
    );
    let heads = garden.doc_heads().unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].0, id);
}

#[test]
fn changes_merged_from_another_member_are_not_signed_by_this_one() {
    let ada = peer("Ada");
    let bo = peer("Bo");
    let a = ada.node.create_garden("A").unwrap();
    let b = bo.node.create_garden("B").unwrap();
    let id = a.create(NewDoc::note("Seeds", "seeds")).unwrap();
    let report = b.merge_bytes(id, &a.document_bytes(id).unwrap()).unwrap();
    assert!(report.created);
    let changes = b.history_changes(id).unwrap();
    let hashes: Vec<_> = changes.iter().map(|c| c.hash).collect();
    assert!(b.change_signatures(id, &hashes).unwrap().is_empty());
    // Without a signature, the actor id still names Ada.
    assert_eq!(changes[0].author.member, Some(ada.node.member_id()));
}

#[test]
fn an_invite_admits_a_joiner_who_then_writes() {
    let ada = peer("Ada");
    let bo = peer("Bo");
    let garden = ada.node.create_garden("Workshop").unwrap();
    let mut events = ada.node.subscribe();
    let invite = garden
        .invite(Role::Member, Some(Duration::from_secs(3600)), 1)
        .unwrap();
    assert!(matches!(
        events.try_recv().unwrap(),
        Event::MembershipChanged { .. }
    ));
    let redeem = bo
        .node
        .redeem_entry(&invite.seed, invite.garden, vec![invite.entry.hash()])
        .unwrap();
    assert_eq!(garden.redeem_check(&redeem).unwrap(), Role::Member);
    assert_eq!(garden.admit(&redeem).unwrap(), Role::Member);
    assert_eq!(
        garden.role_of(bo.node.member_id()).unwrap(),
        Some(Role::Member)
    );
    // Used up now.
    let cy = peer("Cy");
    let late = cy
        .node
        .redeem_entry(&invite.seed, invite.garden, vec![invite.entry.hash()])
        .unwrap();
    let err = garden.admit(&late).unwrap_err();
    assert!(matches!(
        err,
        NodeError::Membership(MembershipError::Refused(NoEffect::Invite(
            InviteRefusal::UsedUp { uses: 1 }
        )))
    ));
    assert_eq!(
        err.to_string(),
        "this invite has been used up (it was good for 1 use)"
    );

    let joined = sync_log(&garden, &bo.node);
    assert_eq!(joined.id(), garden.id());
    assert!(joined.shareable());
    assert_eq!(joined.name(), "Workshop");
    assert_eq!(joined.my_role().unwrap(), Some(Role::Member));
    joined.create(NewDoc::note("From Bo", "hello")).unwrap();
    // Bo is a member, not a facilitator.
    let err = joined.invite(Role::Reader, None, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "only facilitators can invite; {} is a member",
            bo.node.member_id().short()
        )
    );
}

#[test]
fn a_reader_cannot_write_and_is_told_whom_to_ask() {
    let ada = peer("Ada");
    let bo = peer("Bo");
    let garden = ada.node.create_garden("Workshop").unwrap();
    garden
        .add_member(bo.node.member_id(), Role::Reader, "Bo")
        .unwrap();
    let b = sync_log(&garden, &bo.node);
    assert_eq!(b.my_role().unwrap(), Some(Role::Reader));
    let err = b.create(NewDoc::note("Mine", "x")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "you are a reader in this garden and cannot change it; ask a facilitator (Ada) to make you a member"
    );
    // Promoted: the entry reaches Bo, who may write.
    garden.set_role(bo.node.member_id(), Role::Member).unwrap();
    let missing = garden
        .membership_entries_missing(&b.membership_heads().unwrap())
        .unwrap();
    assert_eq!(missing.len(), 1);
    let refs: Vec<&[u8]> = missing.iter().map(Vec::as_slice).collect();
    let report = b.add_membership_entries(&refs).unwrap();
    assert_eq!((report.added, report.refused.len()), (1, 0));
    let id = b.create(NewDoc::note("Mine", "x")).unwrap();
    // Removed: no more writing.
    garden.remove_member(bo.node.member_id()).unwrap();
    let missing = garden
        .membership_entries_missing(&b.membership_heads().unwrap())
        .unwrap();
    let refs: Vec<&[u8]> = missing.iter().map(Vec::as_slice).collect();
    b.add_membership_entries(&refs).unwrap();
    let err = b.replace_text(id, "y").unwrap_err();
    assert_eq!(
        err.to_string(),
        "you are not a member of this garden and cannot change it; ask a facilitator (Ada) to invite you"
    );
}

#[test]
fn membership_changes_refuse_what_would_do_nothing() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Workshop").unwrap();
    let me = ada.node.member_id();
    let err = garden.remove_member(me).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the garden would have no facilitator left; make someone else a facilitator first"
    );
    let bo = loam_node::MemberKey::from_seed(&[2; 32]).member();
    let err = garden.set_role(bo, Role::Member).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{} is not a member of this garden", bo.short())
    );
    garden.add_member(bo, Role::Member, "Bo").unwrap();
    garden.set_member_name("Ada L").unwrap();
    assert_eq!(garden.members().unwrap().member(me).unwrap().name, "Ada L");
    // Member look-up by name, id prefix, id.
    assert_eq!(garden.find_member("bo").unwrap(), bo);
    assert_eq!(garden.find_member(&bo.short()).unwrap(), bo);
    assert_eq!(garden.find_member(&bo.to_string()).unwrap(), bo);
    assert!(matches!(
        garden.find_member("nobody"),
        Err(NodeError::UnknownMember { .. })
    ));
    let bad = garden.add_membership_entries(&[b"junk"]).unwrap();
    assert_eq!(bad.refused.len(), 1);
}

#[test]
fn a_garden_made_before_membership_gets_a_log_but_cannot_be_shared() {
    let ada = peer("Ada");
    let id = loam_node::GardenId::random();
    let dir = ada.node.data_dir().join("gardens").join(id.to_string());
    std::fs::create_dir_all(&dir).unwrap();
    // As an older Loam left it: a database with no membership log.
    loam_store::Store::open(&dir.join("garden.db"))
        .unwrap()
        .set_meta("name", "Old")
        .unwrap();
    let garden = ada.node.garden_by_id(id).unwrap();
    assert!(!garden.shareable());
    assert_eq!(garden.my_role().unwrap(), Some(Role::Facilitator));
    garden.create(NewDoc::note("Still works", "x")).unwrap();
    let heads = garden.membership_heads().unwrap();
    drop(garden);
    let again = Node::open(ada.node.data_dir()).unwrap();
    assert_eq!(
        again.garden_by_id(id).unwrap().membership_heads().unwrap(),
        heads,
        "founded once"
    );
}
