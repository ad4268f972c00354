//! `MemoryStore`: a garden in memory for protocol tests.
//!
//! Documents are Automerge documents holding one text object (`text`),
//! kept saved (bytes plus an index of heads) until a sync message needs one,
//! so that a test can count how many documents a sync loaded. Membership is
//! a set of opaque entries `b'M' ++ member (32) ++ role (1; 255 = removed)
//! ++ counter (8, BE)`; a member's role is that of their entry with the
//! highest counter.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};

use automerge::sync::{Message, State, SyncDoc};
use automerge::transaction::{Transactable, Transaction};
use automerge::{ActorId, Automerge, ChangeHash, ObjType, PatchLog, ROOT, ReadDoc};
use loam_core::community::WritePolicy;
use loam_core::{DocId, GardenId, MemberId, MemberKey, Role, SignedChanges};
use loam_sync::{
    EntryHash, HeadsDigest, MembershipError, PeerHint, Refusal, RefuseCode, StoreError, SyncStore,
    WholeDoc, heads_digest,
};
use sha2::{Digest, Sha256};

/// How often the session called into the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Calls {
    pub digests: u64,
    pub fingerprint: u64,
    pub generate: u64,
    pub receive: u64,
    pub signatures: u64,
    /// Documents handed out whole, from their saved bytes.
    pub whole: u64,
    /// Documents loaded from their saved bytes.
    pub loads: u64,
}

impl Calls {
    /// Calls that read or write a document or list the documents.
    pub fn document_calls(&self) -> u64 {
        self.digests + self.fingerprint + self.generate + self.receive + self.signatures
    }
}

#[derive(Debug, Default)]
struct StoredDoc {
    saved: Option<Vec<u8>>,
    heads: Vec<ChangeHash>,
    batches: Vec<SignedChanges>,
    by_hash: HashMap<ChangeHash, usize>,
}

#[derive(Debug)]
pub struct MemoryStore {
    pub garden: GardenId,
    pub key: MemberKey,
    docs: BTreeMap<DocId, StoredDoc>,
    loaded: HashMap<DocId, Automerge>,
    entries: BTreeMap<EntryHash, Vec<u8>>,
    roles: BTreeMap<MemberId, Role>,
    invites: HashMap<Vec<u8>, Role>,
    actor_counter: u64,
    pub calls: Calls,
    /// Documents whose incoming changes this store drops (a broken store,
    /// to provoke a stall).
    pub drop_changes_of: Option<DocId>,
    /// Who may write which document (the rest: any writer).
    pub policies: HashMap<DocId, WritePolicy>,
    /// The addresses this store tells peers.
    pub hints: Vec<PeerHint>,
    /// The addresses peers told this store, and who told.
    pub heard: Vec<(MemberId, Vec<PeerHint>)>,
}

pub fn member_entry(member: MemberId, role: Option<Role>, counter: u64) -> Vec<u8> {
    let mut out = vec![b'M'];
    out.extend_from_slice(member.as_bytes());
    out.push(match role {
        Some(Role::Reader) => 0,
        Some(Role::Member) => 1,
        Some(Role::Facilitator) => 2,
        None => 255,
    });
    out.extend_from_slice(&counter.to_be_bytes());
    out
}

fn parse_entry(bytes: &[u8]) -> Option<(MemberId, Option<Role>, u64)> {
    if bytes.len() != 42 || bytes[0] != b'M' {
        return None;
    }
    let member = MemberId::from_slice(&bytes[1..33])?;
    let role = match bytes[33] {
        0 => Some(Role::Reader),
        1 => Some(Role::Member),
        2 => Some(Role::Facilitator),
        255 => None,
        _ => return None,
    };
    let counter = u64::from_be_bytes(bytes[34..42].try_into().ok()?);
    Some((member, role, counter))
}

impl MemoryStore {
    /// A store for `key`'s replica of `garden`, with these members.
    pub fn new(garden: GardenId, key: MemberKey, members: &[(MemberId, Role)]) -> Self {
        let mut store = Self {
            garden,
            key,
            docs: BTreeMap::new(),
            loaded: HashMap::new(),
            entries: BTreeMap::new(),
            roles: BTreeMap::new(),
            invites: HashMap::new(),
            actor_counter: 0,
            calls: Calls::default(),
            drop_changes_of: None,
            policies: HashMap::new(),
            hints: Vec::new(),
            heard: Vec::new(),
        };
        for (i, (member, role)) in members.iter().enumerate() {
            store.insert_entry(member_entry(*member, Some(*role), i as u64));
        }
        store.fold();
        store
    }

    pub fn member(&self) -> MemberId {
        self.key.member()
    }

    fn insert_entry(&mut self, bytes: Vec<u8>) {
        let hash: EntryHash = Sha256::digest(&bytes).into();
        self.entries.insert(hash, bytes);
    }

    fn fold(&mut self) {
        let mut best: BTreeMap<MemberId, (u64, Option<Role>)> = BTreeMap::new();
        for bytes in self.entries.values() {
            if let Some((member, role, counter)) = parse_entry(bytes) {
                let e = best.entry(member).or_insert((counter, role));
                if (counter, role) > *e {
                    *e = (counter, role);
                }
            }
        }
        self.roles = best
            .into_iter()
            .filter_map(|(m, (_, r))| r.map(|r| (m, r)))
            .collect();
    }

    fn next_counter(&self) -> u64 {
        self.entries
            .values()
            .filter_map(|b| parse_entry(b))
            .map(|(_, _, c)| c + 1)
            .max()
            .unwrap_or(0)
    }

    /// A facilitator here sets `member`'s role (`None` removes them).
    pub fn set_role(&mut self, member: MemberId, role: Option<Role>) {
        let counter = self.next_counter();
        self.insert_entry(member_entry(member, role, counter));
        self.fold();
    }

    pub fn current_role(&self, member: MemberId) -> Option<Role> {
        self.roles.get(&member).copied()
    }

    /// Accept `redeem` once as a join with `role`.
    pub fn add_invite(&mut self, redeem: Vec<u8>, role: Role) {
        self.invites.insert(redeem, role);
    }

    fn new_actor(&mut self) -> ActorId {
        self.actor_counter += 1;
        let mut bytes = self.member().as_bytes().to_vec();
        bytes.extend_from_slice(&self.actor_counter.to_be_bytes());
        ActorId::from(bytes)
    }

    /// The document, loaded (counted) if it was only saved.
    fn doc_mut(&mut self, doc: DocId) -> Option<&mut Automerge> {
        if !self.loaded.contains_key(&doc) {
            let saved = self.docs.get(&doc)?.saved.as_ref()?;
            self.calls.loads += 1;
            let mut am = Automerge::load(saved).ok()?;
            am.set_actor(self.new_actor());
            self.loaded.insert(doc, am);
        }
        self.loaded.get_mut(&doc)
    }

    /// Create `doc` holding `text`, signed by this store's member.
    pub fn create(&mut self, doc: DocId, text: &str) {
        let mut am = Automerge::new().with_actor(self.new_actor());
        let mut tx = am.transaction();
        let t = tx.put_object(ROOT, "text", ObjType::Text).unwrap();
        tx.splice_text(&t, 0, 0, text).unwrap();
        tx.commit();
        self.loaded.insert(doc, am);
        self.docs.entry(doc).or_default();
        self.after_local_change(doc, &[]);
    }

    /// Splice the text of `doc` (clamped to its length).
    pub fn splice(&mut self, doc: DocId, pos: usize, del: usize, insert: &str) {
        self.edit(doc, |tx| {
            let (_, t) = tx.get(ROOT, "text").unwrap().unwrap();
            let len = tx.length(&t);
            let pos = pos.min(len);
            let del = del.min(len - pos);
            tx.splice_text(&t, pos, del as isize, insert).unwrap();
        });
    }

    /// Edit `doc` with `f` and commit, signed by this store's member.
    pub fn edit(&mut self, doc: DocId, f: impl FnOnce(&mut Transaction<'_>)) {
        let before = self
            .docs
            .get(&doc)
            .map(|d| d.heads.clone())
            .unwrap_or_default();
        let am = self.doc_mut(doc).expect("edit of an unknown document");
        let mut tx = am.transaction();
        f(&mut tx);
        tx.commit();
        self.after_local_change(doc, &before);
    }

    /// Edit `doc` as it was at `heads` (concurrently with whatever came
    /// after them), commit, sign; the new change's hash.
    pub fn edit_at(
        &mut self,
        doc: DocId,
        heads: &[ChangeHash],
        f: impl FnOnce(&mut Transaction<'_>),
    ) -> ChangeHash {
        let before = self
            .docs
            .get(&doc)
            .map(|d| d.heads.clone())
            .unwrap_or_default();
        let am = self.doc_mut(doc).unwrap();
        let mut tx = am.transaction_at(PatchLog::inactive(), heads).unwrap();
        f(&mut tx);
        let (hash, _) = tx.commit();
        self.after_local_change(doc, &before);
        hash.unwrap()
    }

    /// Whether `doc` holds the change `hash`.
    pub fn has_change(&mut self, doc: DocId, hash: &ChangeHash) -> bool {
        self.doc_mut(doc)
            .is_some_and(|am| am.get_change_meta_by_hash(hash).is_some())
    }

    fn after_local_change(&mut self, doc: DocId, before: &[ChangeHash]) {
        let garden = self.garden;
        let key = self.key.clone();
        let am = self.loaded.get_mut(&doc).unwrap();
        let new: Vec<ChangeHash> = am.get_changes(before).iter().map(|c| c.hash()).collect();
        let heads = am.get_heads();
        let batches = SignedChanges::sign(&key, garden, doc, &new);
        let stored = self.docs.entry(doc).or_default();
        stored.heads = heads;
        for batch in batches {
            stored.add_batch(batch);
        }
    }

    /// Replace the signature batches of `doc` (for forgery tests).
    pub fn replace_batches(&mut self, doc: DocId, batches: Vec<SignedChanges>) {
        let stored = self.docs.entry(doc).or_default();
        stored.batches.clear();
        stored.by_hash.clear();
        for batch in batches {
            stored.add_batch(batch);
        }
    }

    /// Add a signature batch as if it had arrived (for forgery tests).
    pub fn add_batch(&mut self, doc: DocId, batch: SignedChanges) {
        self.docs.entry(doc).or_default().add_batch(batch);
    }

    pub fn text(&mut self, doc: DocId) -> Option<String> {
        let am = self.doc_mut(doc)?;
        let (_, t) = am.get(ROOT, "text").ok()??;
        am.text(&t).ok()
    }

    pub fn heads(&self, doc: DocId) -> Option<Vec<ChangeHash>> {
        self.docs.get(&doc).map(|d| {
            let mut h = d.heads.clone();
            h.sort();
            h
        })
    }

    pub fn doc_ids(&self) -> Vec<DocId> {
        self.docs.keys().copied().collect()
    }

    pub fn has(&self, doc: DocId) -> bool {
        self.docs.contains_key(&doc)
    }

    /// Save every loaded document and forget it, so the next sync has to
    /// load what it touches.
    pub fn unload_all(&mut self) {
        for (doc, am) in self.loaded.drain() {
            if let Some(stored) = self.docs.get_mut(&doc) {
                stored.saved = Some(am.save());
            }
        }
    }

    /// Copy every document (with its signatures) of `other` into this
    /// store, saved, as if synced earlier.
    pub fn copy_docs_from(&mut self, other: &mut MemoryStore) {
        other.unload_all();
        for (doc, stored) in &other.docs {
            let copy = StoredDoc {
                saved: stored.saved.clone(),
                heads: stored.heads.clone(),
                batches: stored.batches.clone(),
                by_hash: stored.by_hash.clone(),
            };
            self.docs.insert(*doc, copy);
        }
    }

    /// The automerge document itself (loading it), for tests that forge.
    pub fn automerge(&mut self, doc: DocId) -> &mut Automerge {
        self.doc_mut(doc).unwrap()
    }

    /// Every document's (sorted heads, text), for comparing replicas.
    pub fn snapshot(&mut self) -> BTreeMap<DocId, (Vec<ChangeHash>, String)> {
        self.doc_ids()
            .into_iter()
            .map(|d| {
                (
                    d,
                    (self.heads(d).unwrap(), self.text(d).unwrap_or_default()),
                )
            })
            .collect()
    }
}

impl StoredDoc {
    fn add_batch(&mut self, batch: SignedChanges) {
        if batch.changes().iter().all(|h| self.by_hash.contains_key(h)) {
            return;
        }
        let i = self.batches.len();
        for h in batch.changes() {
            self.by_hash.entry(*h).or_insert(i);
        }
        self.batches.push(batch);
    }
}

impl SyncStore for MemoryStore {
    fn garden(&self) -> GardenId {
        self.garden
    }

    fn doc_digests(&mut self) -> Result<Vec<(DocId, HeadsDigest)>, StoreError> {
        self.calls.digests += 1;
        Ok(self
            .docs
            .iter()
            .map(|(d, s)| (*d, heads_digest(&s.heads)))
            .collect())
    }

    fn docs_fingerprint(&mut self) -> Result<loam_sync::Fingerprint, StoreError> {
        self.calls.fingerprint += 1;
        let digests: Vec<_> = self
            .docs
            .iter()
            .map(|(d, s)| (*d, heads_digest(&s.heads)))
            .collect();
        Ok(loam_sync::fingerprint_of(&digests))
    }

    fn membership_heads(&mut self) -> Result<Vec<EntryHash>, StoreError> {
        Ok(self.entries.keys().copied().collect())
    }

    fn membership_entries_for(
        &mut self,
        their_heads: &[EntryHash],
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out: Vec<(u64, Vec<u8>)> = self
            .entries
            .iter()
            .filter(|(h, _)| !their_heads.contains(h))
            .map(|(_, b)| (parse_entry(b).map_or(0, |e| e.2), b.clone()))
            .collect();
        out.sort();
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    fn add_membership_entries(&mut self, entries: &[Vec<u8>]) -> Result<(), MembershipError> {
        for e in entries {
            if parse_entry(e).is_none() {
                return Err(MembershipError::Invalid("not a membership entry".into()));
            }
        }
        for e in entries {
            self.insert_entry(e.clone());
        }
        self.fold();
        Ok(())
    }

    fn role(&mut self, member: MemberId) -> Result<Option<Role>, StoreError> {
        Ok(self.roles.get(&member).copied())
    }

    fn was_member(&mut self, member: MemberId) -> Result<bool, StoreError> {
        Ok(!self.roles.contains_key(&member)
            && self
                .entries
                .values()
                .filter_map(|b| parse_entry(b))
                .any(|(m, role, _)| m == member && role.is_some()))
    }

    fn peer_hints(&mut self, _peer: MemberId) -> Result<Vec<PeerHint>, StoreError> {
        Ok(self.hints.clone())
    }

    fn add_peer_hints(&mut self, from: MemberId, hints: Vec<PeerHint>) -> Result<(), StoreError> {
        self.heard.push((from, hints));
        Ok(())
    }

    fn write_policy(&mut self, doc: DocId) -> Result<WritePolicy, StoreError> {
        Ok(self
            .policies
            .get(&doc)
            .copied()
            .unwrap_or(WritePolicy::Writers))
    }

    fn admit_join(&mut self, remote: MemberId, redeem: &[u8]) -> Result<Role, Refusal> {
        let role = self.invites.remove(redeem).ok_or_else(|| {
            Refusal::new(
                RefuseCode::InviteRefused,
                "the invite is unknown, used up or expired",
            )
        })?;
        self.set_role(remote, Some(role));
        Ok(role)
    }

    fn generate_sync_message(
        &mut self,
        doc: DocId,
        state: &mut State,
    ) -> Result<Option<Message>, StoreError> {
        self.calls.generate += 1;
        match self.doc_mut(doc) {
            Some(am) => Ok(am.generate_sync_message(state)),
            None => Ok(Automerge::new().generate_sync_message(state)),
        }
    }

    fn whole_doc(&mut self, doc: DocId) -> Result<Option<WholeDoc>, StoreError> {
        // Saved bytes are current only while the document is not loaded.
        if self.loaded.contains_key(&doc) {
            return Ok(None);
        }
        let Some(stored) = self.docs.get(&doc) else {
            return Ok(None);
        };
        let Some(bytes) = stored.saved.clone() else {
            return Ok(None);
        };
        self.calls.whole += 1;
        Ok(Some(WholeDoc {
            bytes,
            heads: stored.heads.clone(),
            changes: stored.by_hash.keys().copied().collect(),
            signatures: stored.batches.clone(),
        }))
    }

    fn signatures_for(
        &mut self,
        doc: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, StoreError> {
        self.calls.signatures += 1;
        let Some(stored) = self.docs.get(&doc) else {
            return Ok(Vec::new());
        };
        let mut idx: Vec<usize> = changes
            .iter()
            .filter_map(|h| stored.by_hash.get(h).copied())
            .collect();
        idx.sort_unstable();
        idx.dedup();
        Ok(idx.into_iter().map(|i| stored.batches[i].clone()).collect())
    }

    fn receive_sync_message(
        &mut self,
        doc: DocId,
        state: &mut State,
        mut message: Message,
        signatures: Vec<SignedChanges>,
    ) -> Result<(), StoreError> {
        self.calls.receive += 1;
        if self.drop_changes_of == Some(doc) {
            message.changes = Vec::<Vec<u8>>::new().into();
        }
        if self.doc_mut(doc).is_none() {
            let am = Automerge::new().with_actor(self.new_actor());
            self.loaded.insert(doc, am);
        }
        let am = self.loaded.get_mut(&doc).unwrap();
        am.receive_sync_message(state, message)
            .map_err(|e| StoreError::with_source("automerge refused a sync message", e))?;
        let heads = am.get_heads();
        if heads.is_empty() {
            return Ok(());
        }
        let stored = self.docs.entry(doc).or_default();
        stored.heads = heads;
        for batch in signatures {
            stored.add_batch(batch);
        }
        Ok(())
    }
}
