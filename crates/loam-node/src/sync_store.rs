//! A garden as the sync protocol sees it: loam-sync's [`SyncStore`] over
//! the garden's store, replicas and membership log.
//!
//! One [`GardenSync`] serves one connection. Lists (document heads, the
//! log's heads, roles) come from the index and the log and load no
//! document; a document is loaded only when the session syncs it.
//!
//! A document the peer has and this side does not is built up from
//! nothing by Automerge sync. It is kept here, in memory, until it has
//! Loam's fields (a body, a kind and a title: normally after the first
//! message), and is then stored like any other received change, with the
//! signatures that came with it.
//!
//! Whole documents: a document the peer holds none of is sent as its
//! stored chunks, read without loading it ([`SyncStore::whole_doc`], from
//! the store's history rows and chunks), and one that arrives whole is
//! kept as the replica verification already loaded and stored as the bytes
//! that came, its history rows left to be read from it later (the history
//! backlog; [`Garden::complete_history`]). An initial sync thus loads each
//! document once, on the receiving side, to check its changes' hashes.
//!
//! Community documents (the garden manifest and members' journals, see
//! [`loam_core::community`]) are recognised by their derived ids: they
//! take the community path (no waiting for note fields), and
//! [`SyncStore::write_policy`] tells the session who may sign their
//! changes: facilitators for the manifest, the owner for a journal.
//!
//! Joining: before the garden exists here, the store answers for an empty
//! garden with the ticket's id; the first membership entries the member
//! who admits us sends create the garden ([`Node::join_garden`]).

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};

use automerge::AutoCommit;
use automerge::sync::{ChunkList, SyncDoc};
use loam_core::community::WritePolicy;
use loam_core::{
    ChangeHash, DocId, Entry, EntryHash, GardenId, MemberId, NoteDoc, Role, SignedChanges,
};
use loam_net::PeerAddr;
use loam_sync::{
    HeadsDigest, MembershipError, PeerHint, Refusal, RefuseCode, StoreError, SyncMessage,
    SyncState, SyncStore, WholeDoc, heads_digest,
};

use crate::garden::{State, Stored};
use crate::{Garden, Node, NodeError};

/// One connection's view of one garden.
pub(crate) struct GardenSync {
    node: Arc<Node>,
    garden_id: GardenId,
    garden: Option<Arc<Garden>>,
    /// Documents arriving from nothing, until they have Loam's fields.
    incoming: HashMap<DocId, (AutoCommit, Vec<SignedChanges>)>,
    /// Documents that arrived whole and are new here, written together by
    /// the next [`SyncStore::commit`] (the end of the read they came in).
    arrived: HashMap<DocId, Arrived>,
    /// The heads announced for what this connection received and stored:
    /// the announcement is an echo for this connection's own session (the
    /// peer has those changes, and the sync already answered them).
    echoes: HashMap<DocId, Vec<String>>,
    /// Where this member can be reached now, told to peers first among the
    /// addresses it shares (`None`: shares none).
    own_addr: Option<PeerAddr>,
}

impl std::fmt::Debug for GardenSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GardenSync")
            .field("garden", &self.garden_id)
            .field("incoming", &self.incoming.len())
            .finish_non_exhaustive()
    }
}

/// A document that arrived whole and is new here, not written yet: the
/// document verification loaded, its signatures and the bytes it came as.
pub(crate) struct Arrived {
    received: AutoCommit,
    signatures: Vec<SignedChanges>,
    bytes: Vec<u8>,
}

fn store_error(what: &str) -> impl FnOnce(NodeError) -> StoreError + '_ {
    move |e| StoreError::with_source(format!("cannot {what}"), e)
}

impl GardenSync {
    /// The store of a garden held here.
    pub(crate) fn new(node: Arc<Node>, garden: Arc<Garden>) -> Self {
        Self {
            node,
            garden_id: garden.id(),
            garden: Some(garden),
            incoming: HashMap::new(),
            arrived: HashMap::new(),
            echoes: HashMap::new(),
            own_addr: None,
        }
    }

    /// The store of a garden being joined: empty until the member who
    /// admits us sends its membership log.
    pub(crate) fn joining(node: Arc<Node>, garden: GardenId) -> Self {
        Self {
            node,
            garden_id: garden,
            garden: None,
            incoming: HashMap::new(),
            arrived: HashMap::new(),
            echoes: HashMap::new(),
            own_addr: None,
        }
    }

    /// Share members' addresses with the peer (a `Peers` frame), this
    /// member's own (`own`) among them.
    pub(crate) fn sharing(mut self, own: Option<PeerAddr>) -> Self {
        self.own_addr = own;
        self
    }

    /// Whether a change announced for `doc` with `heads` is what this
    /// connection itself received and stored (nothing to push back).
    pub(crate) fn is_echo(&mut self, doc: DocId, heads: &[String]) -> bool {
        if self.echoes.get(&doc).is_some_and(|h| h == heads) {
            self.echoes.remove(&doc);
            return true;
        }
        false
    }

    /// Write the documents that arrived whole, before anything reads the
    /// garden's documents (they are not in it until written).
    fn write_arrived(&mut self) -> Result<(), StoreError> {
        if self.arrived.is_empty() {
            return Ok(());
        }
        let arrived: Vec<(DocId, Arrived)> = self.arrived.drain().collect();
        let garden = self.held()?.clone();
        let stored = garden
            .receive_new_whole(arrived)
            .map_err(store_error("store received documents"))?;
        self.echoes.extend(stored);
        Ok(())
    }

    /// [`GardenSync::write_arrived`] when `doc` is among what arrived:
    /// before the garden is read or written about it.
    fn write_arrived_with(&mut self, doc: DocId) -> Result<(), StoreError> {
        if self.arrived.contains_key(&doc) {
            self.write_arrived()?;
        }
        Ok(())
    }

    fn held(&self) -> Result<&Arc<Garden>, StoreError> {
        self.garden
            .as_ref()
            .ok_or_else(|| StoreError::new("the garden is not joined yet"))
    }
}

impl Drop for GardenSync {
    fn drop(&mut self) {
        // A connection that ended between a read and its commit: what
        // arrived was verified, so it is kept if it can be (the peer was
        // not told; if it cannot, the next sync brings it again).
        let _ = self.write_arrived();
    }
}

impl SyncStore for GardenSync {
    fn garden(&self) -> GardenId {
        self.garden_id
    }

    fn doc_digests(&mut self) -> Result<Vec<(DocId, HeadsDigest)>, StoreError> {
        self.write_arrived()?;
        let Some(garden) = &self.garden else {
            return Ok(Vec::new());
        };
        let heads = garden.doc_heads().map_err(store_error("list documents"))?;
        Ok(heads
            .into_iter()
            .map(|(id, heads)| (id, heads_digest(&heads)))
            .collect())
    }

    fn membership_heads(&mut self) -> Result<Vec<[u8; 32]>, StoreError> {
        match &self.garden {
            Some(garden) => Ok(garden
                .membership_heads()
                .map_err(store_error("read the membership log"))?
                .iter()
                .map(|h| *h.as_bytes())
                .collect()),
            None => Ok(Vec::new()),
        }
    }

    fn membership_entries_for(
        &mut self,
        their_heads: &[[u8; 32]],
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let their_heads: Vec<EntryHash> = their_heads
            .iter()
            .map(|h| EntryHash::from_bytes(*h))
            .collect();
        match &self.garden {
            Some(garden) => garden
                .membership_entries_missing(&their_heads)
                .map_err(store_error("read the membership log")),
            None => Ok(Vec::new()),
        }
    }

    fn add_membership_entries(&mut self, entries: &[Vec<u8>]) -> Result<(), MembershipError> {
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let garden = match &self.garden {
            Some(garden) => garden.clone(),
            None => {
                // Joining: the log arrives whole, genesis first.
                let garden = self
                    .node
                    .join_garden(&refs)
                    .map_err(|e| MembershipError::Invalid(e.to_string()))?;
                if garden.id() != self.garden_id {
                    return Err(MembershipError::Invalid(format!(
                        "the log is of garden {}, not {}",
                        garden.id(),
                        self.garden_id
                    )));
                }
                self.garden = Some(garden);
                return Ok(());
            }
        };
        let report = garden
            .add_membership_entries(&refs)
            .map_err(|e| MembershipError::Store(e.to_string()))?;
        match report.refused.into_iter().next() {
            Some((_, e)) => Err(MembershipError::Invalid(e.to_string())),
            None => Ok(()),
        }
    }

    fn peer_hints(&mut self, peer: MemberId) -> Result<Vec<PeerHint>, StoreError> {
        let (Some(garden), Some(own)) = (&self.garden, &self.own_addr) else {
            return Ok(Vec::new());
        };
        let addrs = garden
            .addresses_to_share(own, peer)
            .map_err(store_error("list peer addresses"))?;
        Ok(addrs
            .into_iter()
            .map(|a| PeerHint {
                member: a.member,
                direct: a.direct,
                relay: a.relay,
            })
            .collect())
    }

    fn add_peer_hints(&mut self, from: MemberId, hints: Vec<PeerHint>) -> Result<(), StoreError> {
        let (Some(garden), Some(own)) = (&self.garden, &self.own_addr) else {
            return Ok(());
        };
        let addrs = hints.into_iter().map(|h| PeerAddr {
            member: h.member,
            direct: h.direct,
            relay: h.relay,
        });
        garden
            .take_addresses(own.member, from, addrs, crate::time::now())
            .map_err(store_error("record peer addresses"))
    }

    fn role(&mut self, member: MemberId) -> Result<Option<Role>, StoreError> {
        match &self.garden {
            Some(garden) => garden
                .role_of(member)
                .map_err(store_error("read the membership log")),
            None => Ok(None),
        }
    }

    fn was_member(&mut self, member: MemberId) -> Result<bool, StoreError> {
        let Some(garden) = &self.garden else {
            return Ok(false);
        };
        garden
            .was_removed(member)
            .map_err(store_error("read the membership log"))
    }

    fn write_policy(&mut self, doc: DocId) -> Result<WritePolicy, StoreError> {
        match &self.garden {
            Some(garden) => garden
                .write_policy(doc)
                .map_err(store_error("read the membership log")),
            None => Ok(WritePolicy::Writers),
        }
    }

    fn admit_join(&mut self, remote: MemberId, redeem: &[u8]) -> Result<Role, Refusal> {
        let refuse = |reason: String| Refusal::new(RefuseCode::InviteRefused, reason);
        let garden = self
            .garden
            .as_ref()
            .ok_or_else(|| refuse("this garden is not held here".into()))?;
        let entry = Entry::decode(redeem).map_err(|e| refuse(format!("not an invite: {e}")))?;
        if entry.author() != remote {
            return Err(refuse(
                "the invite is redeemed by another key than the one connecting".into(),
            ));
        }
        garden.admit(redeem).map_err(|e| refuse(e.to_string()))
    }

    fn generate_sync_message(
        &mut self,
        doc: DocId,
        state: &mut SyncState,
    ) -> Result<Option<SyncMessage>, StoreError> {
        if let Some((incoming, _)) = self.incoming.get_mut(&doc) {
            return Ok(incoming.sync().generate_sync_message(state));
        }
        if let Some(arrived) = self.arrived.get_mut(&doc) {
            return Ok(arrived.received.sync().generate_sync_message(state));
        }
        let garden = self.held()?;
        if let Some(kind) = garden
            .community_kind_of(doc)
            .map_err(store_error("read the membership log"))?
        {
            return garden
                .community_sync_message(kind, state)
                .map_err(store_error("read a community document"));
        }
        garden
            .sync_message_for(doc, state)
            .map_err(store_error("read a document"))
    }

    fn signatures_for(
        &mut self,
        doc: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, StoreError> {
        self.write_arrived_with(doc)?;
        let garden = self.held()?;
        if garden
            .community_kind_of(doc)
            .map_err(store_error("read the membership log"))?
            .is_some()
        {
            return garden
                .community_signatures(doc, changes)
                .map_err(store_error("read change signatures"));
        }
        garden
            .change_signatures(doc, changes)
            .map_err(store_error("read change signatures"))
    }

    fn whole_doc(&mut self, doc: DocId) -> Result<Option<WholeDoc>, StoreError> {
        self.write_arrived_with(doc)?;
        let garden = self.held()?;
        if garden
            .community_kind_of(doc)
            .map_err(store_error("read the membership log"))?
            .is_some()
        {
            return Ok(None);
        }
        garden
            .whole_doc(doc)
            .map_err(store_error("read a document"))
    }

    fn receive_whole_doc(
        &mut self,
        doc: DocId,
        state: &mut SyncState,
        message: SyncMessage,
        loaded: AutoCommit,
        signatures: Vec<SignedChanges>,
    ) -> Result<(), StoreError> {
        self.write_arrived_with(doc)?;
        let garden = self.held()?.clone();
        let fresh = !self.incoming.contains_key(&doc)
            && garden
                .community_kind_of(doc)
                .map_err(store_error("read the membership log"))?
                .is_none()
            && !garden
                .holds_doc(doc)
                .map_err(store_error("read a document"))?
            && NoteDoc::has_fields(&loaded);
        let bytes = match message.changes.iter().collect::<Vec<_>>().as_slice() {
            [bytes] if fresh => bytes.to_vec(),
            _ => return self.receive_sync_message(doc, state, message, signatures),
        };
        // The document is `loaded` already: Automerge only has to take in
        // the rest of the message (heads, capabilities) for the state.
        let mut incoming = loaded;
        let rest = SyncMessage {
            changes: ChunkList::empty(),
            ..message
        };
        // Taking in a message without changes whose heads equal ours
        // records them as told to the peer. They were not: this side held
        // none of the document, so it still has to say it has it now.
        let told = state.last_sent_heads.clone();
        incoming
            .sync()
            .receive_sync_message(state, rest)
            .map_err(|e| StoreError::with_source("automerge refused a sync message", e))?;
        state.last_sent_heads = told;
        // Written with the rest of the read's by `commit`.
        self.arrived.insert(
            doc,
            Arrived {
                received: incoming,
                signatures,
                bytes,
            },
        );
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.write_arrived()
    }

    fn receive_sync_message(
        &mut self,
        doc: DocId,
        state: &mut SyncState,
        message: SyncMessage,
        signatures: Vec<SignedChanges>,
    ) -> Result<(), StoreError> {
        self.write_arrived_with(doc)?;
        let garden = self.held()?.clone();
        if let Some(kind) = garden
            .community_kind_of(doc)
            .map_err(store_error("read the membership log"))?
        {
            return garden
                .receive_community_message(kind, state, message, signatures)
                .map_err(store_error("store a received community change"));
        }
        let known = garden
            .holds_doc(doc)
            .map_err(store_error("read a document"))?;
        if known {
            let stored = garden
                .receive_sync_message(doc, state, message, signatures)
                .map_err(store_error("store a received change"))?;
            if let Some(heads) = stored {
                self.echoes.insert(doc, heads);
            }
            return Ok(());
        }
        let (mut incoming, mut held) = self.incoming.remove(&doc).unwrap_or_default();
        incoming
            .sync()
            .receive_sync_message(state, message)
            .map_err(|e| StoreError::with_source("automerge refused a sync message", e))?;
        held.extend(signatures);
        if !NoteDoc::has_fields(&incoming) {
            if !incoming.get_heads().is_empty() {
                self.incoming.insert(doc, (incoming, held));
            }
            return Ok(());
        }
        let heads = garden
            .receive_new(doc, incoming, held)
            .map_err(store_error("store a received document"))?;
        if let Some(heads) = heads {
            self.echoes.insert(doc, heads);
        }
        Ok(())
    }
}

impl Garden {
    /// Whether `doc` is held here (stored, or being written).
    pub(crate) fn holds_doc(&self, doc: DocId) -> Result<bool, NodeError> {
        self.lock().has_doc(doc)
    }

    /// The next Automerge sync message of `doc` for a peer in `state`; a
    /// document not held here is treated as empty.
    pub(crate) fn sync_message_for(
        &self,
        doc: DocId,
        state: &mut SyncState,
    ) -> Result<Option<SyncMessage>, NodeError> {
        let mut guard = self.lock();
        if !guard.has_doc(doc)? {
            return Ok(AutoCommit::new().sync().generate_sync_message(state));
        }
        // Edits waiting for group commit are stored first, so the peer
        // gets them (signed) with this message; what another process
        // stored meanwhile is read in.
        self.shared().store_own_first(&mut guard, doc)?;
        guard.catch_up(doc)?;
        Ok(guard
            .doc(doc)?
            .automerge()
            .sync()
            .generate_sync_message(state))
    }

    /// Apply a peer's sync message to `doc` (held here) and store what it
    /// changed, with the signatures that came with it; the heads announced
    /// for it, if it changed.
    pub(crate) fn receive_sync_message(
        &self,
        doc: DocId,
        state: &mut SyncState,
        message: SyncMessage,
        signatures: Vec<SignedChanges>,
    ) -> Result<Option<Vec<String>>, NodeError> {
        let mut guard = self.lock();
        self.shared().store_own_first(&mut guard, doc)?;
        guard.catch_up(doc)?;
        let replica = guard.doc(doc)?;
        let before = replica.automerge().get_heads();
        let received = replica
            .automerge()
            .sync()
            .receive_sync_message(state, message);
        if let Err(e) = received {
            guard.forget(&[doc]);
            return Err(NodeError::doc(doc)(loam_core::DocError::Decode(Box::new(
                e,
            ))));
        }
        if guard.doc(doc)?.automerge().get_heads() == before {
            return Ok(None);
        }
        guard.mark_unstored(doc);
        let stored = guard
            .store_received(doc, signatures)
            .inspect_err(|_| guard.forget(&[doc]))?;
        drop(guard);
        let heads = Stored::heads_of(&stored, doc);
        self.shared().announce(stored);
        Ok(heads)
    }

    /// `doc` as stored, for a peer that holds none of it, without loading
    /// it; `None` when its changes are not all known from the history rows
    /// and signed (it is then synced the ordinary way).
    pub(crate) fn whole_doc(&self, doc: DocId) -> Result<Option<WholeDoc>, NodeError> {
        let mut guard = self.lock();
        if !guard.has_doc(doc)? {
            return Ok(None);
        }
        // Edits waiting for group commit go with it, signed.
        self.shared().store_own_first(&mut guard, doc)?;
        let Some(stored) = guard.store.stored_whole(doc)? else {
            return Ok(None);
        };
        let signatures = guard.store.signatures_for(doc, &stored.changes)?;
        Ok(Some(WholeDoc {
            bytes: stored.bytes,
            heads: stored.heads,
            changes: stored.changes,
            signatures,
        }))
    }

    /// Store documents that arrived whole from a peer, in one transaction,
    /// with their signatures; the heads announced for each. One another
    /// connection stored meanwhile gets the changes it lacks instead.
    pub(crate) fn receive_new_whole(
        &self,
        arrived: Vec<(DocId, Arrived)>,
    ) -> Result<Vec<(DocId, Vec<String>)>, NodeError> {
        let mut guard = self.lock();
        let member = guard.member;
        let mut signatures = HashMap::with_capacity(arrived.len());
        let mut created = Vec::with_capacity(arrived.len());
        for (
            doc,
            Arrived {
                received,
                signatures: signed,
                bytes,
            },
        ) in arrived
        {
            if guard.has_doc(doc)? {
                self.shared().store_own_first(&mut guard, doc)?;
                guard.catch_up(doc)?;
                let replica = guard.doc(doc)?;
                let before = replica.automerge().get_heads();
                replica
                    .automerge()
                    .load_incremental(&bytes)
                    .map_err(|e| NodeError::doc(doc)(loam_core::DocError::Decode(Box::new(e))))?;
                if guard.doc(doc)?.automerge().get_heads() != before {
                    guard.mark_unstored(doc);
                    signatures.insert(doc, signed);
                }
                continue;
            }
            let note = NoteDoc::from_received_whole(received, bytes, member)
                .map_err(NodeError::doc(doc))?;
            guard.insert_received(doc, note);
            signatures.insert(doc, signed);
            created.push(doc);
        }
        let ids: Vec<DocId> = signatures.keys().copied().collect();
        let stored = guard
            .store_received_many(signatures)
            .inspect_err(|_| guard.forget(&ids))?;
        let heads = stored.iter().map(Stored::announced).collect();
        self.tell_received(guard, &created, stored)?;
        Ok(heads)
    }

    /// Say what arrived and was stored: `created`, new here, by title
    /// (read under the lock, which is then let go), and the heads of
    /// everything `stored`.
    fn tell_received(
        &self,
        guard: MutexGuard<'_, State>,
        created: &[DocId],
        stored: Vec<Stored>,
    ) -> Result<(), NodeError> {
        let mut titles = Vec::with_capacity(created.len());
        for &doc in created {
            let title = guard
                .store
                .doc(doc)?
                .map(|row| row.title)
                .unwrap_or_default();
            titles.push((doc, title));
        }
        drop(guard);
        for (doc, title) in titles {
            let _ = self.shared().events.send(crate::Event::DocCreated {
                garden: self.id(),
                doc,
                title,
            });
        }
        self.shared().announce(stored);
        Ok(())
    }

    /// Store `doc`, which arrived from a peer and is new here, with its
    /// signatures; the heads announced for it.
    pub(crate) fn receive_new(
        &self,
        doc: DocId,
        received: AutoCommit,
        signatures: Vec<SignedChanges>,
    ) -> Result<Option<Vec<String>>, NodeError> {
        let mut guard = self.lock();
        let note = NoteDoc::from_received(received, guard.member).map_err(NodeError::doc(doc))?;
        guard.insert_received(doc, note);
        let stored = guard
            .store_received(doc, signatures)
            .inspect_err(|_| guard.forget(&[doc]))?;
        let heads = Stored::heads_of(&stored, doc);
        self.tell_received(guard, &[doc], stored)?;
        Ok(heads)
    }
}
