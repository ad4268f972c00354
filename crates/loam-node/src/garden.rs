//! A garden handle: every write to a garden's notes and pages.
//!
//! Edits go to an in-memory Automerge replica of the document. There are two
//! paths to the disk:
//!
//! - The editor path: [`Garden::splice`] many times, then [`Garden::commit`]
//!   to make the pending edits one change. Changes are stored by *group
//!   commit*: at most [`GROUP_COMMIT`] after they were made (by the next
//!   commit or the background worker), or at once by [`Garden::flush`].
//! - Every other write (create, edit, replace, rename, archive, ...) is
//!   stored before the call returns.
//!
//! Storing a document writes its new chunk, its re-materialised text and its
//! index rows in one transaction, then announces the change on the event
//! stream. A power cut can lose at most the last group commit; a crash of the
//! process loses nothing that a call reported as stored.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use loam_core::{
    ChangeHash, ChangeSummary, ContentHash, DocId, DocKind, DocSnapshot, GardenId, MemberId,
    MemberKey, MembershipLog, NewDoc, NoteDoc, SignedChanges, TextEdit, normalise_title,
};
use loam_store::{DocWrite, ImportBase, Store};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::background::Worker;
use crate::events::Event;
use crate::{NodeError, time};

/// Replicas kept in memory after their last use (documents being edited,
/// or synced): more than a sync keeps in flight both ways (64 started by
/// each side, loam-sync's default), so that a document is loaded once per
/// sync rather than at every message (measured: 3 loads per document of an
/// initial sync with 32).
const CACHED_REPLICAS: usize = 160;

/// How long a committed change may wait in memory before it is stored.
pub const GROUP_COMMIT: Duration = Duration::from_millis(100);

/// A garden, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GardenInfo {
    /// Its id.
    pub id: GardenId,
    /// Its name.
    pub name: String,
    /// Notes and pages that are not archived.
    pub docs: u64,
    /// Whether commands use it when no garden is named.
    pub default: bool,
    /// Why the garden cannot be opened, if it cannot (a damaged database);
    /// the other gardens stay usable.
    pub problem: Option<String>,
}

/// What an edit changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditSummary {
    /// False when the new text equalled the old one (no change was made).
    pub changed: bool,
    /// The body's length before, in code points.
    pub chars_before: usize,
    /// The body's length after, in code points.
    pub chars_after: usize,
}

/// What a rename did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameReport {
    /// The title before.
    pub from: String,
    /// The title after.
    pub to: String,
    /// Documents whose `[[links]]` were rewritten to the new title.
    pub rewritten: Vec<(DocId, String)>,
}

/// One garden: its store, the replicas being edited, and its events.
#[derive(Debug)]
pub struct Garden {
    name: String,
    shared: Arc<Shared>,
    _worker: Worker,
}

/// What the garden handle and its background worker share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) id: GardenId,
    pub(crate) state: Mutex<State>,
    pub(crate) events: broadcast::Sender<Event>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) store: Store,
    /// The garden (what change signatures are bound to).
    pub(crate) garden: GardenId,
    /// The member every change made here is attributed to.
    pub(crate) member: MemberId,
    /// Their key, which signs every change made here.
    pub(crate) key: MemberKey,
    /// The garden's membership log (see `members`).
    pub(crate) log: MembershipLog,
    replicas: HashMap<DocId, Replica>,
    tick: u64,
    /// Documents whose stored chunks grew past the compaction threshold.
    pub(crate) to_compact: Vec<DocId>,
    /// The size of each document's last compacted save, in bytes.
    pub(crate) compacted: HashMap<DocId, u64>,
    /// Replicas of the community documents (manifest, journals) in use.
    pub(crate) community: HashMap<DocId, loam_core::community::CommunityDoc>,
}

#[derive(Debug)]
struct Replica {
    doc: NoteDoc,
    last_used: u64,
    /// The last stored chunk this replica has seen.
    seen_seq: i64,
    /// When the oldest committed change not yet stored was made.
    unstored_since: Option<Instant>,
}

/// A document ready to be written: its fields, its new chunk and the
/// summaries of the changes in it.
pub(crate) struct Prepared {
    pub(crate) id: DocId,
    pub(crate) snapshot: DocSnapshot,
    pub(crate) chunk: Vec<u8>,
    pub(crate) changes: Vec<ChangeSummary>,
    /// The member's signatures over the changes made here (none over
    /// changes from elsewhere).
    pub(crate) signatures: Vec<SignedChanges>,
}

impl Prepared {
    /// What the store writes.
    pub(crate) fn write(&self) -> DocWrite<'_> {
        DocWrite {
            id: self.id,
            snapshot: &self.snapshot,
            chunk: &self.chunk,
            imported: None,
            changes: &self.changes,
            signatures: &self.signatures,
        }
    }
}

/// How many times a store merges another process's newer chunks and tries
/// again before giving up with [`NodeError::Busy`].
const MAX_STORE_ROUNDS: u32 = 50;

/// Whose signatures a store writes beside the changes.
enum Signing {
    /// The member's: changes made here.
    Mine,
    /// None: changes from elsewhere whose signatures are already stored.
    None,
    /// These, which came with each document's changes from a peer.
    Given(HashMap<DocId, Vec<SignedChanges>>),
}

/// A document just stored.
pub(crate) struct Stored {
    id: DocId,
    heads: Vec<String>,
}

impl Stored {
    /// The heads announced for `doc` among `stored`, if it is there.
    pub(crate) fn heads_of(stored: &[Stored], doc: DocId) -> Option<Vec<String>> {
        stored.iter().find(|s| s.id == doc).map(|s| s.heads.clone())
    }

    /// The document and the heads announced for it.
    pub(crate) fn announced(&self) -> (DocId, Vec<String>) {
        (self.id, self.heads.clone())
    }
}

impl State {
    /// The replica of `id`, loaded from its stored chunks if not in memory.
    fn replica(&mut self, id: DocId) -> Result<&mut Replica, NodeError> {
        self.tick += 1;
        let tick = self.tick;
        if !self.replicas.contains_key(&id) {
            let chunks = self.store.load_chunks(id)?;
            let Some(seen_seq) = chunks.last().map(|c| c.seq) else {
                return Err(NodeError::UnknownDoc(id));
            };
            let doc = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), self.member)
                .map_err(NodeError::doc(id))?;
            self.evict();
            self.replicas.insert(
                id,
                Replica {
                    doc,
                    last_used: tick,
                    seen_seq,
                    unstored_since: None,
                },
            );
        }
        let replica = self
            .replicas
            .get_mut(&id)
            .ok_or(NodeError::UnknownDoc(id))?;
        replica.last_used = tick;
        Ok(replica)
    }

    pub(crate) fn doc(&mut self, id: DocId) -> Result<&mut NoteDoc, NodeError> {
        Ok(&mut self.replica(id)?.doc)
    }

    /// Drop the least recently used replicas that hold nothing unstored.
    fn evict(&mut self) {
        while self.replicas.len() >= CACHED_REPLICAS {
            let oldest = self
                .replicas
                .iter()
                .filter(|(_, r)| r.unstored_since.is_none() && !r.doc.has_pending())
                .min_by_key(|(_, r)| r.last_used)
                .map(|(id, _)| *id);
            match oldest {
                Some(id) => self.replicas.remove(&id),
                None => break,
            };
        }
    }

    /// Commit `id`'s pending edits as one change, in memory. `None` when
    /// nothing was pending.
    fn commit(
        &mut self,
        id: DocId,
        message: Option<&str>,
    ) -> Result<Option<ChangeHash>, NodeError> {
        let replica = self.replica(id)?;
        let hash = replica.doc.commit(time::now(), message);
        if hash.is_some() && replica.unstored_since.is_none() {
            replica.unstored_since = Some(Instant::now());
        }
        Ok(hash)
    }

    /// Documents with committed changes waiting longer than `age`.
    pub(crate) fn unstored(&self, age: Duration) -> Vec<DocId> {
        let now = Instant::now();
        self.replicas
            .iter()
            .filter(|(_, r)| {
                r.unstored_since
                    .is_some_and(|t| now.duration_since(t) >= age)
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Store the committed changes of `ids` in one transaction. Changes that
    /// another process stored meanwhile are merged in first, so that the
    /// materialised text and index say what the stored chunks say.
    /// The changes made here are signed by the member's key, in the same
    /// transaction.
    pub(crate) fn store(&mut self, ids: &[DocId]) -> Result<Vec<Stored>, NodeError> {
        self.store_imported(ids, &HashMap::new(), Signing::Mine)
    }

    /// [`State::store`] of changes merged from elsewhere: not signed by
    /// this member (their signatures, if any, come with them).
    pub(crate) fn store_merged(&mut self, ids: &[DocId]) -> Result<Vec<Stored>, NodeError> {
        self.store_imported(ids, &HashMap::new(), Signing::None)
    }

    /// [`State::store_merged`] of changes a peer sent to `id`, with the
    /// signatures that came with them (verified by the sync session).
    pub(crate) fn store_received(
        &mut self,
        id: DocId,
        signatures: Vec<SignedChanges>,
    ) -> Result<Vec<Stored>, NodeError> {
        self.store_received_many(HashMap::from([(id, signatures)]))
    }

    /// [`State::store_received`] of several documents, in one transaction.
    pub(crate) fn store_received_many(
        &mut self,
        signatures: HashMap<DocId, Vec<SignedChanges>>,
    ) -> Result<Vec<Stored>, NodeError> {
        let mut ids: Vec<DocId> = signatures.keys().copied().collect();
        ids.sort_unstable();
        self.store_imported(&ids, &HashMap::new(), Signing::Given(signatures))
    }

    /// Keep `doc`, which arrived from a peer and is not stored yet, as the
    /// replica of `id`, to be written by the next store.
    pub(crate) fn insert_received(&mut self, id: DocId, doc: NoteDoc) {
        self.tick += 1;
        self.evict();
        self.replicas.insert(
            id,
            Replica {
                doc,
                last_used: self.tick,
                seen_seq: 0,
                unstored_since: Some(Instant::now()),
            },
        );
    }

    /// Merge into `id`'s replica the chunks other processes stored since it
    /// last saw the store; returns the last chunk it has seen and its
    /// snapshot. Commit first.
    fn merge_stored(&mut self, id: DocId) -> Result<(i64, DocSnapshot), NodeError> {
        let newest = self.store.chunk_stats(id)?.map_or(0, |s| s.last_seq);
        let foreign = if newest > self.replica(id)?.seen_seq {
            self.store.load_chunks(id)?
        } else {
            Vec::new()
        };
        let replica = self.replica(id)?;
        for c in foreign.iter().filter(|c| c.seq > replica.seen_seq) {
            replica
                .doc
                .apply_chunk(&c.bytes)
                .map_err(NodeError::doc(id))?;
        }
        replica.seen_seq = foreign.last().map_or(replica.seen_seq, |c| c.seq);
        let snapshot = replica.doc.snapshot().map_err(NodeError::doc(id))?;
        Ok((replica.seen_seq, snapshot))
    }

    /// Bring `id`'s replica (if in memory) up to what is stored: chunks
    /// another process wrote since it was loaded.
    pub(crate) fn catch_up(&mut self, id: DocId) -> Result<(), NodeError> {
        let Some(seen) = self.replicas.get(&id).map(|r| r.seen_seq) else {
            return Ok(());
        };
        let newest = self.store.chunk_stats(id)?.map_or(0, |s| s.last_seq);
        if newest <= seen {
            return Ok(());
        }
        let chunks = self.store.load_chunks(id)?;
        let replica = self.replica(id)?;
        for c in chunks.iter().filter(|c| c.seq > seen) {
            replica
                .doc
                .apply_chunk(&c.bytes)
                .map_err(NodeError::doc(id))?;
        }
        replica.seen_seq = newest;
        if replica.unstored_since.is_none() {
            let heads = replica.doc.automerge().get_heads();
            replica.doc.mark_saved(heads);
        }
        Ok(())
    }

    /// Whether `id` has a replica in memory or a stored document.
    pub(crate) fn has_doc(&self, id: DocId) -> Result<bool, NodeError> {
        Ok(self.replicas.contains_key(&id) || self.store.doc(id)?.is_some())
    }

    /// The member's signatures over `changes` of `id`.
    pub(crate) fn sign(&self, id: DocId, changes: &[ChangeHash]) -> Vec<SignedChanges> {
        SignedChanges::sign(&self.key, self.garden, id, changes)
    }

    /// Refuse a local edit when the member may not write in this garden
    /// (a reader, or no longer a member).
    pub(crate) fn check_writer(&self) -> Result<(), NodeError> {
        let membership = self.log.state();
        match membership.role(self.member) {
            Some(role) if role.can_write() => Ok(()),
            role => Err(NodeError::ReadOnly {
                role,
                facilitators: membership
                    .facilitators()
                    .into_iter()
                    .filter_map(|f| membership.member(f).map(|m| m.name.clone()))
                    .collect(),
            }),
        }
    }

    /// [`State::store`], remembering for the documents in `imports` what
    /// an import wrote into them (in the same transaction); `sign`: sign the
    /// changes as this member's.
    fn store_imported(
        &mut self,
        ids: &[DocId],
        imports: &HashMap<DocId, ImportBase>,
        mut signing: Signing,
    ) -> Result<Vec<Stored>, NodeError> {
        // What this replica changed, taken before merging anything: the
        // chunk to append (another process's changes are in its own chunks).
        let mut mine: Vec<Prepared> = Vec::with_capacity(ids.len());
        let mut seen: Vec<i64> = Vec::with_capacity(ids.len());
        for &id in ids {
            let replica = self.replica(id)?;
            let unsaved = replica.doc.unsaved().map_err(NodeError::doc(id))?;
            let signatures = match &mut signing {
                Signing::Mine => {
                    let hashes: Vec<ChangeHash> = unsaved.changes.iter().map(|c| c.hash).collect();
                    self.sign(id, &hashes)
                }
                Signing::None => Vec::new(),
                Signing::Given(given) => given.remove(&id).unwrap_or_default(),
            };
            let (last, snapshot) = self.merge_stored(id)?;
            seen.push(last);
            mine.push(Prepared {
                id,
                snapshot,
                chunk: unsaved.bytes,
                changes: unsaved.changes,
                signatures,
            });
        }
        // Write only if no other process appended since the merge (checked
        // inside the write transaction); else merge again. Bounded: a round
        // is lost only to another process's completed write.
        let mut round = 1;
        let stats = loop {
            let writes: Vec<DocWrite<'_>> = mine
                .iter()
                .map(|p| DocWrite {
                    imported: imports.get(&p.id),
                    ..p.write()
                })
                .collect();
            if let Some(stats) = self.store.write_docs_after(&writes, &seen)? {
                break stats;
            }
            if round == MAX_STORE_ROUNDS {
                return Err(NodeError::Busy);
            }
            round += 1;
            for (p, last) in mine.iter_mut().zip(&mut seen) {
                (*last, p.snapshot) = self.merge_stored(p.id)?;
            }
        };
        let prepared = mine;
        let mut stored = Vec::with_capacity(prepared.len());
        for (Prepared { id, snapshot, .. }, stats) in prepared.into_iter().zip(stats) {
            let replica = self.replica(id)?;
            replica.doc.mark_saved(snapshot.heads.clone());
            replica.seen_seq = stats.last_seq;
            replica.unstored_since = None;
            let base = self.compacted.get(&id).copied().unwrap_or(0);
            if crate::compaction::due(&stats, base) && !self.to_compact.contains(&id) {
                self.to_compact.push(id);
            }
            stored.push(Stored {
                id,
                heads: snapshot.heads.iter().map(ToString::to_string).collect(),
            });
        }
        Ok(stored)
    }

    /// Commit `id`'s pending edits, if any (stored by group commit).
    pub(crate) fn commit_pending(&mut self, id: DocId) -> Result<(), NodeError> {
        // Edits are made on a loaded replica, and one with edits pending
        // is never evicted: a document not loaded has none, and is not
        // loaded to find that out.
        if !self.replicas.contains_key(&id) {
            return Ok(());
        }
        self.commit(id, None).map(drop)
    }

    /// Make the next [`State::store`] of `id` write its replica's changes
    /// (changes merged into it rather than committed through it).
    pub(crate) fn mark_unstored(&mut self, id: DocId) {
        if let Some(replica) = self.replicas.get_mut(&id)
            && replica.unstored_since.is_none()
        {
            replica.unstored_since = Some(Instant::now());
        }
    }

    /// Forget replicas whose changes could not be stored: the next use
    /// reloads them from what the store holds.
    pub(crate) fn forget(&mut self, ids: &[DocId]) {
        for id in ids {
            self.replicas.remove(id);
        }
    }
}

impl Shared {
    /// Commit `id`'s pending edits and store this member's changes to it
    /// now (signed as theirs), before changes from elsewhere are applied
    /// to its replica: what follows is not theirs to sign.
    pub(crate) fn store_own_first(&self, state: &mut State, id: DocId) -> Result<(), NodeError> {
        state.commit_pending(id)?;
        if state.unstored(Duration::ZERO).contains(&id) {
            let stored = state.store(&[id]).inspect_err(|_| state.forget(&[id]))?;
            self.announce(stored);
        }
        Ok(())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn announce(&self, stored: Vec<Stored>) {
        for Stored { id, heads } in stored {
            let _ = self.events.send(Event::DocChanged {
                garden: self.id,
                doc: id,
                heads,
            });
        }
    }

    /// Store every change that has waited `age` or longer.
    pub(crate) fn store_older_than(&self, age: Duration) -> Result<(), NodeError> {
        let mut state = self.lock();
        let due = state.unstored(age);
        if due.is_empty() {
            return Ok(());
        }
        let stored = state.store(&due)?;
        drop(state);
        self.announce(stored);
        Ok(())
    }

    /// Commit the given documents' pending edits and store them now, in one
    /// transaction; on failure forget their replicas (what was stored before
    /// stays; the failed change is not kept half-applied).
    pub(crate) fn commit_and_store(
        &self,
        state: &mut State,
        ids: &[DocId],
        message: Option<&str>,
    ) -> Result<(), NodeError> {
        let result = (|| {
            for &id in ids {
                state.commit(id, message)?;
            }
            let unstored: Vec<DocId> = ids
                .iter()
                .copied()
                .filter(|id| {
                    state
                        .replicas
                        .get(id)
                        .is_some_and(|r| r.unstored_since.is_some())
                })
                .collect();
            state.store(&unstored)
        })();
        match result {
            Ok(stored) => {
                self.announce(stored);
                Ok(())
            }
            Err(e) => {
                state.forget(ids);
                Err(e)
            }
        }
    }
}

impl Garden {
    pub(crate) fn new(
        id: GardenId,
        name: String,
        store: Store,
        key: MemberKey,
        log: MembershipLog,
        events: broadcast::Sender<Event>,
    ) -> Self {
        let state = State {
            store,
            garden: id,
            member: key.member(),
            key,
            log,
            replicas: HashMap::new(),
            tick: 0,
            to_compact: Vec::new(),
            compacted: HashMap::new(),
            community: HashMap::new(),
        };
        let shared = Arc::new(Shared {
            id,
            state: Mutex::new(state),
            events,
        });
        let worker = Worker::spawn(Arc::downgrade(&shared));
        Self {
            name,
            shared,
            _worker: worker,
        }
    }

    /// The garden's id.
    pub fn id(&self) -> GardenId {
        self.shared.id
    }

    /// The garden's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The garden as listed.
    pub fn info(&self, default: bool) -> Result<GardenInfo, NodeError> {
        let docs = self.lock().store.count(&loam_store::ListQuery::default())?;
        Ok(GardenInfo {
            problem: None,
            id: self.id(),
            name: self.name.clone(),
            docs,
            default,
        })
    }

    fn send(&self, event: Event) {
        let _ = self.shared.events.send(event);
    }

    /// Create a note or page, stored before this returns. A page's title must
    /// be free in this garden.
    pub fn create(&self, new: NewDoc) -> Result<DocId, NodeError> {
        Ok(self.create_many(vec![new])?.remove(0))
    }

    /// Create several documents in one transaction (all or none).
    pub fn create_many(&self, docs: Vec<NewDoc>) -> Result<Vec<DocId>, NodeError> {
        self.create_docs(docs, &[])
    }

    /// [`Garden::create_many`] for an import: `files[i]` is the hash of the
    /// file `docs[i]` was read from (its import base is remembered).
    pub(crate) fn create_docs(
        &self,
        docs: Vec<NewDoc>,
        files: &[ContentHash],
    ) -> Result<Vec<DocId>, NodeError> {
        for new in &docs {
            check_title(&new.title)?;
        }
        let (key, garden) = {
            let state = self.lock();
            state.check_writer()?;
            (state.key.clone(), state.garden)
        };
        // The Automerge work, outside the lock: most of what creating costs.
        let prepared = prepare_new(&docs, &key, garden, time::now())?;
        let mut state = self.lock();
        let mut page_keys: HashSet<String> = HashSet::new();
        for new in docs.iter().filter(|new| new.kind == DocKind::Page) {
            check_page_title_free(&state.store, &new.title, None)?;
            if !page_keys.insert(normalise_title(&new.title)) {
                return Err(NodeError::DuplicatePageTitle(new.title.clone()));
            }
        }
        // An import remembers what it wrote: the version just made and the
        // hash of the file.
        let bases: Vec<Option<ImportBase>> = prepared
            .iter()
            .enumerate()
            .map(|(i, p)| {
                files.get(i).map(|hash| ImportBase {
                    heads: p.snapshot.heads.iter().map(ToString::to_string).collect(),
                    hash: *hash,
                })
            })
            .collect();
        let writes: Vec<DocWrite<'_>> = prepared
            .iter()
            .zip(&bases)
            .map(|(p, base)| DocWrite {
                imported: base.as_ref(),
                ..p.write()
            })
            .collect();
        state.store.write_docs(&writes)?;
        drop(state);
        let mut ids = Vec::with_capacity(prepared.len());
        for Prepared { id, snapshot, .. } in prepared {
            self.send(Event::DocCreated {
                garden: self.id(),
                doc: id,
                title: snapshot.title.clone(),
            });
            let heads = snapshot.heads.iter().map(ToString::to_string).collect();
            self.send(Event::DocChanged {
                garden: self.id(),
                doc: id,
                heads,
            });
            ids.push(id);
        }
        Ok(ids)
    }

    /// Write imported files into the documents that hold them, all in one
    /// transaction: each becomes an edit of the version the last import
    /// wrote (`base`), merged with what changed in Loam since, or, without
    /// a base, an edit of the current text. A file whose text the base (or
    /// the document) already holds changes nothing.
    pub(crate) fn import_updates(
        &self,
        updates: &[ImportUpdate],
    ) -> Result<Vec<UpdateOutcome>, NodeError> {
        let mut state = self.lock();
        state.check_writer()?;
        let now = time::now();
        let mut imports: HashMap<DocId, ImportBase> = HashMap::new();
        let mut touched: Vec<DocId> = Vec::new();
        let mut outcomes = Vec::with_capacity(updates.len());
        let result = (|| {
            for update in updates {
                let id = update.id;
                touched.push(id);
                state.commit(id, None)?;
                let replica = state.replica(id)?;
                let doc = &mut replica.doc;
                let made = match &update.base {
                    Some(base) => {
                        match doc.replace_text_from(base, &update.text, now, Some("import")) {
                            Ok(made) => made,
                            // The base is not in this document (another
                            // garden's import): diff against what it holds.
                            Err(_) => {
                                replace_current(doc, update, now).map_err(NodeError::doc(id))?
                            }
                        }
                    }
                    None => replace_current(doc, update, now).map_err(NodeError::doc(id))?,
                };
                let Some(made) = made else {
                    outcomes.push(UpdateOutcome::Unchanged);
                    continue;
                };
                let merged = doc.text().map_err(NodeError::doc(id))? != update.text;
                if replica.unstored_since.is_none() {
                    replica.unstored_since = Some(Instant::now());
                }
                imports.insert(
                    id,
                    ImportBase {
                        heads: made.iter().map(ToString::to_string).collect(),
                        hash: update.hash,
                    },
                );
                outcomes.push(UpdateOutcome::Updated { merged });
            }
            let ids: Vec<DocId> = imports.keys().copied().collect();
            state.store_imported(&ids, &imports, Signing::Mine)
        })();
        match result {
            Ok(stored) => {
                drop(state);
                self.shared.announce(stored);
                Ok(outcomes)
            }
            Err(e) => {
                state.forget(&touched);
                Err(e)
            }
        }
    }

    /// Delete `delete` code points at `pos` of `id`'s body and insert `insert`
    /// there. The edit stays pending (in memory) until [`Garden::commit`], so
    /// that an editor groups keystrokes into one change.
    pub fn splice(
        &self,
        id: DocId,
        pos: usize,
        delete: usize,
        insert: &str,
    ) -> Result<(), NodeError> {
        let mut state = self.lock();
        state.check_writer()?;
        state
            .doc(id)?
            .splice(pos, delete, insert)
            .map_err(NodeError::doc(id))
    }

    /// Commit `id`'s pending edits as one change. It is stored by group
    /// commit (within [`GROUP_COMMIT`]) or by [`Garden::flush`]. Returns the
    /// change's hash, or `None` when nothing was pending.
    pub fn commit(&self, id: DocId) -> Result<Option<ChangeHash>, NodeError> {
        let mut state = self.lock();
        let hash = state.commit(id, None)?;
        let due = state.unstored(GROUP_COMMIT);
        if due.is_empty() {
            return Ok(hash);
        }
        let stored = state.store(&due)?;
        drop(state);
        self.shared.announce(stored);
        Ok(hash)
    }

    /// Apply `edits` in order as one change, stored before this returns.
    /// If one does not apply, none is kept.
    pub fn edit(&self, id: DocId, edits: &[TextEdit]) -> Result<(), NodeError> {
        let mut state = self.lock();
        state.check_writer()?;
        for edit in edits {
            if let Err(e) = state.doc(id)?.splice(edit.pos, edit.delete, &edit.insert) {
                state.forget(&[id]);
                return Err(NodeError::doc(id)(e));
            }
        }
        self.shared.commit_and_store(&mut state, &[id], None)
    }

    /// Make `id`'s body `text` by the smallest edits a diff finds, so that a
    /// concurrent edit elsewhere in the text still merges. Stored before this
    /// returns.
    pub fn replace_text(&self, id: DocId, text: &str) -> Result<EditSummary, NodeError> {
        self.replace_text_with_message(id, text, None)
    }

    /// [`Garden::replace_text`], the change carrying `message`.
    pub(crate) fn replace_text_with_message(
        &self,
        id: DocId,
        text: &str,
        message: Option<&str>,
    ) -> Result<EditSummary, NodeError> {
        let mut state = self.lock();
        state.check_writer()?;
        let doc = state.doc(id)?;
        let chars_before = doc.len_chars();
        if doc.text().map_err(NodeError::doc(id))? == text {
            return Ok(EditSummary {
                changed: false,
                chars_before,
                chars_after: chars_before,
            });
        }
        doc.replace_text(text).map_err(NodeError::doc(id))?;
        let chars_after = doc.len_chars();
        self.shared.commit_and_store(&mut state, &[id], message)?;
        Ok(EditSummary {
            changed: true,
            chars_before,
            chars_after,
        })
    }

    /// Make `id`'s body `text` as an edit of the version whose heads were
    /// `base` (as in [`DocRow::heads`](loam_store::DocRow)), merged with
    /// every change made since: what `loam edit` does when the note changed
    /// while the member's editor was open. Stored before this returns.
    pub fn replace_text_since(
        &self,
        id: DocId,
        base: &[String],
        text: &str,
    ) -> Result<EditSummary, NodeError> {
        let base = base
            .iter()
            .map(|h| {
                h.parse::<ChangeHash>()
                    .map_err(|_| NodeError::BadHeads(h.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut state = self.lock();
        state.check_writer()?;
        state.commit(id, None)?;
        let replica = state.replica(id)?;
        let chars_before = replica.doc.len_chars();
        let changed = replica
            .doc
            .replace_text_since(&base, text, time::now())
            .map_err(NodeError::doc(id))?;
        let chars_after = replica.doc.len_chars();
        if changed && replica.unstored_since.is_none() {
            replica.unstored_since = Some(Instant::now());
        }
        let unstored = state.unstored(Duration::ZERO);
        let stored = state
            .store(&unstored)
            .inspect_err(|_| state.forget(&[id]))?;
        drop(state);
        self.shared.announce(stored);
        Ok(EditSummary {
            changed,
            chars_before,
            chars_after,
        })
    }

    /// Rename `id` and rewrite the `[[links]]` to its old title in the
    /// documents that link to it, all in one transaction (as Obsidian does).
    /// Links through an alias keep working and are left alone.
    pub fn rename(&self, id: DocId, title: &str) -> Result<RenameReport, NodeError> {
        check_title(title)?;
        let mut state = self.lock();
        state.check_writer()?;
        let row = state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?;
        if row.kind == DocKind::Page {
            check_page_title_free(&state.store, title, Some(id))?;
        }
        let from = row.title.clone();
        // Rewrite only links that resolve to this document: another note with
        // the same title may be the one they mean.
        let resolves_here = state
            .store
            .find_by_title(&from, false)?
            .first()
            .map(|d| d.id)
            == Some(id);
        let sources: Vec<DocId> =
            if resolves_here && normalise_title(&from) != normalise_title(title) {
                state
                    .store
                    .backlinks(id)?
                    .into_iter()
                    .map(|b| b.source.id)
                    .collect()
            } else {
                Vec::new()
            };
        let mut rewritten = Vec::new();
        let mut touched = vec![id];
        let titles: HashMap<DocId, String> = state
            .store
            .backlinks(id)?
            .into_iter()
            .map(|b| (b.source.id, b.source.title))
            .collect();
        let result = (|| {
            state
                .doc(id)?
                .set_title(title)
                .map_err(NodeError::doc(id))?;
            for &source in &sources {
                let doc = state.doc(source)?;
                let text = doc.text().map_err(NodeError::doc(source))?;
                if let Some(new_text) = loam_markdown::rewrite_links(&text, &from, title) {
                    doc.replace_text(&new_text)
                        .map_err(NodeError::doc(source))?;
                    let source_title = if source == id {
                        title
                    } else {
                        titles.get(&source).map_or("", String::as_str)
                    };
                    rewritten.push((source, source_title.to_owned()));
                    if source != id {
                        touched.push(source);
                    }
                }
            }
            Ok::<(), NodeError>(())
        })();
        if let Err(e) = result {
            state.forget(&touched);
            state.forget(&sources);
            return Err(e);
        }
        self.shared
            .commit_and_store(&mut state, &touched, Some("rename"))?;
        drop(state);
        self.send(Event::DocRenamed {
            garden: self.id(),
            doc: id,
            from: from.clone(),
            to: title.to_owned(),
        });
        Ok(RenameReport {
            from,
            to: title.to_owned(),
            rewritten,
        })
    }

    /// Hide `id` from lists, search and links; kept in full. False when it
    /// was archived already.
    pub fn archive(&self, id: DocId) -> Result<bool, NodeError> {
        self.set_archived(id, true)
    }

    /// Bring an archived document back. False when it was not archived.
    pub fn restore(&self, id: DocId) -> Result<bool, NodeError> {
        self.set_archived(id, false)
    }

    fn set_archived(&self, id: DocId, archived: bool) -> Result<bool, NodeError> {
        let mut state = self.lock();
        state.check_writer()?;
        let row = state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?;
        if row.archived == archived {
            return Ok(false);
        }
        if !archived && row.kind == DocKind::Page {
            check_page_title_free(&state.store, &row.title, Some(id))?;
        }
        state
            .doc(id)?
            .set_archived(archived)
            .map_err(NodeError::doc(id))?;
        self.shared.commit_and_store(
            &mut state,
            &[id],
            Some(if archived { "archive" } else { "restore" }),
        )?;
        drop(state);
        self.send(Event::DocArchived {
            garden: self.id(),
            doc: id,
            archived,
        });
        Ok(true)
    }

    /// Set the tags stored on the document (inline `#tags` stay in the text).
    pub fn set_tags(&self, id: DocId, tags: &[String]) -> Result<(), NodeError> {
        let mut state = self.lock();
        state.check_writer()?;
        state.doc(id)?.set_tags(tags).map_err(NodeError::doc(id))?;
        self.shared.commit_and_store(&mut state, &[id], None)
    }

    /// Commit every pending edit in this garden and store every change now.
    pub fn flush(&self) -> Result<(), NodeError> {
        let mut state = self.lock();
        let pending: Vec<DocId> = state
            .replicas
            .iter()
            .filter(|(_, r)| r.doc.has_pending())
            .map(|(id, _)| *id)
            .collect();
        for id in pending {
            state.commit(id, None)?;
        }
        let due = state.unstored(Duration::ZERO);
        if due.is_empty() {
            return Ok(());
        }
        let stored = state.store(&due)?;
        drop(state);
        self.shared.announce(stored);
        Ok(())
    }

    /// Compact every document with many chunks now, and wait for it.
    pub fn compact_all(&self) -> Result<usize, NodeError> {
        crate::compaction::compact_all(&self.shared)
    }
}

impl Drop for Garden {
    fn drop(&mut self) {
        // Best effort: pending edits are stored when the handle goes away.
        // Callers that must know call `flush` first.
        let _ = self.flush();
    }
}

/// Documents with few enough changes are made on one thread.
const PARALLEL_FROM: usize = 64;

/// Make new documents (Automerge documents, their first chunk and what the
/// store indexes), on every core for a large batch: an import creates
/// thousands, and a document costs Automerge far more than the store.
fn prepare_new(
    docs: &[NewDoc],
    key: &MemberKey,
    garden: GardenId,
    now: loam_core::Timestamp,
) -> Result<Vec<Prepared>, NodeError> {
    let member = key.member();
    let one = |new: &NewDoc| -> Result<Prepared, NodeError> {
        let id = DocId::random();
        let mut doc = NoteDoc::create(new, member, now).map_err(NodeError::doc(id))?;
        let unsaved = doc.unsaved_new().map_err(NodeError::doc(id))?;
        let snapshot = doc.snapshot().map_err(NodeError::doc(id))?;
        let hashes: Vec<ChangeHash> = unsaved.changes.iter().map(|c| c.hash).collect();
        Ok(Prepared {
            id,
            snapshot,
            chunk: unsaved.bytes,
            changes: unsaved.changes,
            signatures: SignedChanges::sign(key, garden, id, &hashes),
        })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || docs.len() < PARALLEL_FROM {
        return docs.iter().map(one).collect();
    }
    let per_thread = docs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = docs
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        let mut prepared = Vec::with_capacity(docs.len());
        for worker in workers {
            match worker.join() {
                Ok(part) => {
                    for doc in part {
                        prepared.push(doc?);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(prepared)
    })
}

/// An imported file to write into the document that holds it.
#[derive(Debug, Clone)]
pub(crate) struct ImportUpdate {
    /// The document.
    pub id: DocId,
    /// The file's text.
    pub text: String,
    /// The hash of the file's bytes.
    pub hash: ContentHash,
    /// The version the last import wrote, if known.
    pub base: Option<Vec<ChangeHash>>,
    /// A path to give the document (one made in Loam, matched by the path it
    /// is exported to).
    pub path: Option<String>,
}

/// What [`Garden::import_updates`] did with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpdateOutcome {
    /// The document already held the file's text.
    Unchanged,
    /// The file's text was written; `merged` when edits made in Loam since
    /// the last import were kept beside it.
    Updated {
        /// Whether the text now differs from the file (edits merged in).
        merged: bool,
    },
}

/// Make `doc`'s text the file's as an edit of its current text (and give it
/// the file's path), committed as one change; the heads of that change, or
/// `None` when it holds the file's text already.
fn replace_current(
    doc: &mut NoteDoc,
    update: &ImportUpdate,
    now: loam_core::Timestamp,
) -> Result<Option<Vec<ChangeHash>>, loam_core::DocError> {
    if doc.text()? == update.text {
        return Ok(None);
    }
    if let Some(path) = &update.path {
        doc.set_path(path)?;
    }
    doc.replace_text(&update.text)?;
    Ok(doc.commit(now, Some("import")).map(|hash| vec![hash]))
}

/// Titles are one line, not empty, and free of the characters that would
/// break a `[[link]]` to them.
pub(crate) fn check_title(title: &str) -> Result<(), NodeError> {
    let reason = if title.trim().is_empty() {
        Some("a title cannot be empty")
    } else if title.chars().any(char::is_control) {
        Some("a title is one line of text")
    } else if title.contains(['[', ']', '|', '#']) {
        Some("a title cannot contain `[`, `]`, `|` or `#`, which would break links to it")
    } else if title.chars().count() > 300 {
        Some("a title can be at most 300 characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(NodeError::InvalidTitle {
            title: title.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

pub(crate) fn check_page_title_free(
    store: &Store,
    title: &str,
    except: Option<DocId>,
) -> Result<(), NodeError> {
    let taken = store
        .pages_titled(title)?
        .into_iter()
        .find(|d| Some(d.id) != except);
    match taken {
        Some(existing) => Err(NodeError::PageTitleTaken {
            title: title.to_owned(),
            existing: existing.id,
        }),
        None => Ok(()),
    }
}
