//! What a session needs from the garden it syncs: the seam between the
//! protocol and storage. Defined here, where it is used; loam-node
//! implements it over its SQLite store and membership log.
//!
//! The methods split along what they may cost. Listing digests, heads and
//! roles must load no Automerge document (they come from an index). Only
//! [`SyncStore::generate_sync_message`], [`SyncStore::signatures_for`] and
//! [`SyncStore::receive_sync_message`] touch documents, and a session calls
//! them only for documents that differ from the peer's (or that changed
//! while connected).

use automerge::sync::{Message, State};
use automerge::{AutoCommit, ChangeHash};
use loam_core::community::WritePolicy;
use loam_core::{DocId, GardenId, MemberId, Role, SignedChanges};

use crate::fingerprint::{Fingerprint, HeadsDigest, fingerprint_of};
use crate::frame::{EntryHash, PeerHint, RefuseCode};

/// A failure of the store itself (disk, database, a broken document):
/// the session ends, and it is this side's problem, not the peer's.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StoreError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error saying `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// Why a peer may not in: sent to it in a `Refuse` frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    /// Why, for programs.
    pub code: RefuseCode,
    /// Why, for people ("the invite expired on 2026-11-30").
    pub reason: String,
}

impl Refusal {
    /// A refusal with this code and reason.
    pub fn new(code: RefuseCode, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }
}

/// Why membership entries from a peer were not added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MembershipError {
    /// The entries are invalid: bad encoding, bad signature, an author who
    /// may not make them. The peer is hostile or broken.
    #[error("invalid membership entries: {0}")]
    Invalid(String),
    /// This side failed to store valid entries.
    #[error("cannot store membership entries: {0}")]
    Store(String),
}

/// A document as stored, for a peer that holds none of it: sent in one
/// message without loading it (see [`SyncStore::whole_doc`]).
#[derive(Debug, Clone)]
pub struct WholeDoc {
    /// Its stored Automerge bytes (saves and incremental saves, one after
    /// the other), as `Automerge::load` reads them.
    pub bytes: Vec<u8>,
    /// Its heads.
    pub heads: Vec<ChangeHash>,
    /// The hash of every change in `bytes`.
    pub changes: Vec<ChangeHash>,
    /// Signature batches covering every one of `changes`.
    pub signatures: Vec<SignedChanges>,
}

/// One garden's storage, as a sync session sees it.
pub trait SyncStore {
    /// The garden this store holds.
    fn garden(&self) -> GardenId;

    /// Every document with its heads digest, sorted by document id. Loads
    /// no document.
    fn doc_digests(&mut self) -> Result<Vec<(DocId, HeadsDigest)>, StoreError>;

    /// The fingerprint of [`SyncStore::doc_digests`]. A store that keeps it
    /// up to date as documents change (see [`crate::Accumulator`])
    /// overrides this so that an equal garden costs no listing at all.
    fn docs_fingerprint(&mut self) -> Result<Fingerprint, StoreError> {
        Ok(fingerprint_of(&self.doc_digests()?))
    }

    /// The heads of the membership log.
    fn membership_heads(&mut self) -> Result<Vec<EntryHash>, StoreError>;

    /// The entries a peer whose heads are `their_heads` lacks, oldest first
    /// (every entry not in the past of those of their heads this side
    /// knows; heads it does not know are ignored).
    fn membership_entries_for(
        &mut self,
        their_heads: &[EntryHash],
    ) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Verify and append entries from a peer (oldest first; ones already
    /// held are skipped).
    fn add_membership_entries(&mut self, entries: &[Vec<u8>]) -> Result<(), MembershipError>;

    /// The current role of `member`, `None` for a stranger or a removed
    /// member.
    fn role(&mut self, member: MemberId) -> Result<Option<Role>, StoreError>;

    /// Whether `member` was a member and was removed: such a peer is sent
    /// the entries it lacks (the one that removed it among them) before it
    /// is refused, so that its own log says it is no longer a member.
    fn was_member(&mut self, member: MemberId) -> Result<bool, StoreError> {
        let _ = member;
        Ok(false)
    }

    /// Who may sign changes to `doc` (see `loam_core::community`): a
    /// note or page takes changes from any writer, the garden manifest only
    /// from facilitators, a member's journal only from that member. Decided
    /// from the document id and the membership alone (loads no document),
    /// and asked before anything of an incoming message is applied.
    fn write_policy(&mut self, doc: DocId) -> Result<WritePolicy, StoreError> {
        let _ = doc;
        Ok(WritePolicy::Writers)
    }

    /// Where members of the garden can be reached, for a `Peers` frame to
    /// `peer`: this side's own address first, then other current members'
    /// it knows (not `peer`'s). The session sends at most
    /// [`crate::Limits::max_peer_hints`] of them. By default none: nothing
    /// is sent.
    fn peer_hints(&mut self, peer: MemberId) -> Result<Vec<PeerHint>, StoreError> {
        let _ = peer;
        Ok(Vec::new())
    }

    /// Addresses `from`, a member the session has checked, sent in a
    /// `Peers` frame (bounded by the frame's limits). `from`'s own hint is
    /// its word about itself; the others are hearsay. The store keeps what
    /// it chooses to (only current members'); by default nothing.
    fn add_peer_hints(&mut self, from: MemberId, hints: Vec<PeerHint>) -> Result<(), StoreError> {
        let _ = (from, hints);
        Ok(())
    }

    /// Admit `remote`, who presents an encoded Redeem entry in its `Hello`:
    /// verify it against the log (invite live, not expired, uses left, not
    /// revoked, proof by the invite key, signed by `remote`), append it, and
    /// say which role `remote` now holds.
    fn admit_join(&mut self, remote: MemberId, redeem: &[u8]) -> Result<Role, Refusal>;

    /// The next Automerge sync message of `doc` for the peer whose state is
    /// `state`, `None` when there is nothing to say. A document this store
    /// does not hold is treated as empty (it is not created).
    fn generate_sync_message(
        &mut self,
        doc: DocId,
        state: &mut State,
    ) -> Result<Option<Message>, StoreError>;

    /// Signature batches covering the changes `changes` of `doc` (every one
    /// of them if the store can; the session refuses to send changes it
    /// cannot cover).
    fn signatures_for(
        &mut self,
        doc: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, StoreError>;

    /// `doc` as stored, for a peer that holds none of it, read without
    /// loading the document; `None` when the store cannot say that cheaply
    /// (the session then syncs it with Automerge as usual, starting from
    /// the peer's empty heads).
    fn whole_doc(&mut self, doc: DocId) -> Result<Option<WholeDoc>, StoreError> {
        let _ = doc;
        Ok(None)
    }

    /// [`SyncStore::receive_sync_message`] of a message that carries one
    /// whole document, which verification has loaded as `loaded`: a store
    /// that does not hold `doc` yet may adopt `loaded` rather than load the
    /// same bytes again.
    fn receive_whole_doc(
        &mut self,
        doc: DocId,
        state: &mut State,
        message: Message,
        loaded: AutoCommit,
        signatures: Vec<SignedChanges>,
    ) -> Result<(), StoreError> {
        drop(loaded);
        self.receive_sync_message(doc, state, message, signatures)
    }

    /// Write what arrived and is not written yet: a store may hold
    /// documents that arrived whole back, to write many in one
    /// transaction. The transport calls this ([`Session::commit`](crate::Session::commit))
    /// after handling the frames of one read and before sending what the
    /// session said in answer, so nothing is acknowledged before it is
    /// stored. Until then the store answers for those documents itself.
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Apply a sync message whose changes the session has verified are
    /// covered by `signatures` (each verified; each change by someone the
    /// document's [`WritePolicy`] allows now, or built on by such a change),
    /// and keep those signatures with the changes. An unknown document is
    /// created from what arrives.
    fn receive_sync_message(
        &mut self,
        doc: DocId,
        state: &mut State,
        message: Message,
        signatures: Vec<SignedChanges>,
    ) -> Result<(), StoreError>;
}
