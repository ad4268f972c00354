//! A note's history: its edit sessions and changes (read from the history
//! index, no document load), old versions named by [`When`], and restoring
//! one as a new change. Also the ways documents come from elsewhere with
//! their history: [`Garden::merge_bytes`] (another replica's changes) and
//! [`Garden::adopt`] (a document another Automerge application made).
//!
//! History is never rewritten: restoring an old version makes its text
//! current by a new change, which history then shows like any other.

use std::collections::HashMap;

use loam_core::{
    ChangeAuthor, ChangeHash, ChangeSummary, DocId, DocKind, MemberId, NoteDoc, Session,
    SignedChanges, Timestamp,
};
use serde::Serialize;

use crate::events::Event;
use crate::garden::{Prepared, check_page_title_free, check_title};
use crate::when::{self, When};
use crate::{EditSummary, Garden, NodeError, time};

/// How many candidates an ambiguous hash prefix lists.
const CANDIDATES: usize = 5;

/// Who made changes, as history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    /// The member id, or for a change made outside Loam the Automerge
    /// actor id, as hex.
    pub id: String,
    /// Its first 8 hex digits.
    pub short: String,
    /// The member; `None` for a change made outside Loam.
    pub member: Option<MemberId>,
    /// Whether it is this install's member (whose display name is
    /// [`crate::Node::display_name`]).
    pub you: bool,
}

impl Author {
    fn of(author: &ChangeAuthor, me: MemberId) -> Self {
        Self {
            id: author.to_string(),
            short: author.short(),
            member: author.member(),
            you: author.member() == Some(me),
        }
    }
}

/// An edit session: one author's changes, each less than ten minutes after
/// the one before (see [`loam_core::sessions`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// Its number: 1 is the oldest session. Numbers stay as they are when
    /// new sessions are added (unless a change arriving from elsewhere is
    /// older than the sessions after it).
    pub number: usize,
    /// Who made the changes.
    pub author: Author,
    /// The time of its first change (ms since the epoch).
    pub start: Timestamp,
    /// The time of its last change.
    pub end: Timestamp,
    /// How many changes.
    pub changes: u64,
    /// Characters inserted into the body.
    pub inserted: u64,
    /// Characters deleted from the body.
    pub deleted: u64,
}

/// One change, as history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeInfo {
    /// Its hash.
    pub hash: ChangeHash,
    /// The number of the session it belongs to.
    pub session: usize,
    /// Who made it.
    pub author: Author,
    /// When (ms since the epoch).
    pub time: Timestamp,
    /// Characters inserted into the body.
    pub inserted: u64,
    /// Characters deleted from the body.
    pub deleted: u64,
}

/// A note's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// The note.
    pub id: DocId,
    /// Its sessions, oldest first (number 1 first).
    pub sessions: Vec<SessionInfo>,
    /// How many changes in all.
    pub changes: u64,
}

/// A version of a note: the heads to read it at, and how to name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The Automerge heads of the version.
    pub heads: Vec<ChangeHash>,
    /// How a person would name it: `session #3 (2026-11-20 14:05)`,
    /// `change 1a2b3c4d`, `2026-11-20 14:05`, `now`.
    pub label: String,
    /// Whether it is the current version.
    pub current: bool,
}

/// What [`Garden::merge_bytes`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// The document was new here.
    pub created: bool,
    /// The bytes held changes this garden did not have.
    pub changed: bool,
}

impl Garden {
    /// The history index of `id` filled in, from the document itself when
    /// it was stored before the index existed (one load, once).
    pub(crate) fn ensure_history(&self, id: DocId) -> Result<(), NodeError> {
        // The document is read without holding the garden's lock (a long
        // document takes a while to load). Chunks stored meanwhile by this
        // process come with their summaries; if another process stored
        // some, the store refuses the rows and the document is read again.
        for _ in 0..3 {
            let (chunks, member) = {
                let state = self.lock();
                if state.store.history_complete(id)? {
                    return Ok(());
                }
                (state.store.load_chunks(id)?, state.member)
            };
            let Some(upto) = chunks.last().map(|c| c.seq) else {
                return Err(NodeError::UnknownDoc(id));
            };
            let mut doc = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), member)
                .map_err(NodeError::doc(id))?;
            let changes = doc.history().map_err(NodeError::doc(id))?;
            if self.lock().store.replace_history(id, &changes, upto)? {
                return Ok(());
            }
        }
        let state = self.lock();
        Err(NodeError::Store(loam_store::StoreError::Locked {
            path: state.store.path().map(Into::into).unwrap_or_default(),
        }))
    }

    /// Fill in the history index of every document stored without it
    /// (documents that arrived whole from a peer, or were stored before
    /// the index existed), each loaded once. Figures read from the index
    /// (the dashboard, profiles, who started a page) call this first, so
    /// that they count every change.
    pub fn complete_history(&self) -> Result<usize, NodeError> {
        const BATCH: usize = 256;
        let mut done = 0;
        let mut last = Vec::new();
        loop {
            let backlog = self.lock().store.history_backlog(BATCH)?;
            // Each round takes its documents off the backlog; one that
            // stays would be read again forever.
            if backlog.is_empty() || backlog == last {
                return Ok(done);
            }
            for id in &backlog {
                self.ensure_history(*id)?;
            }
            done += backlog.len();
            last = backlog;
        }
    }

    /// `id`'s edit sessions, oldest first. Reads the history index only (a
    /// few rows), except the first time for a document stored before the
    /// index existed.
    pub fn history(&self, id: DocId) -> Result<History, NodeError> {
        self.ensure_history(id)?;
        let state = self.lock();
        let me = state.member;
        let sessions = state.store.sessions(id)?;
        let changes = sessions.iter().map(|s| s.changes).sum();
        Ok(History {
            id,
            sessions: sessions
                .iter()
                .enumerate()
                .map(|(i, s)| session_info(i + 1, s, me))
                .collect(),
            changes,
        })
    }

    /// Every change of `id`, by time, each with its session's number.
    pub fn history_changes(&self, id: DocId) -> Result<Vec<ChangeInfo>, NodeError> {
        self.ensure_history(id)?;
        let state = self.lock();
        let me = state.member;
        let sessions = state.store.sessions(id)?;
        let numbering = SessionNumbers::new(&sessions);
        let mut authors: HashMap<ChangeAuthor, Author> = HashMap::new();
        Ok(state
            .store
            .changes(id)?
            .into_iter()
            .map(|c| {
                let author = authors
                    .entry(c.author.clone())
                    .or_insert_with(|| Author::of(&c.author, me))
                    .clone();
                ChangeInfo {
                    hash: c.hash,
                    session: numbering.of(&c),
                    author,
                    time: c.time,
                    inserted: c.inserted,
                    deleted: c.deleted,
                }
            })
            .collect())
    }

    /// The version of `id` that `when` names. A change hash prefix and a
    /// session number are looked up in the history index; a time needs the
    /// document (loaded, or the replica in memory).
    pub fn version_at(&self, id: DocId, when: &When) -> Result<Version, NodeError> {
        self.ensure_history(id)?;
        match when {
            When::Now => self.current_version(id),
            When::Session(n) => self.session_version(id, *n),
            When::Change(prefix) => {
                let found = self
                    .lock()
                    .store
                    .changes_by_prefix(id, prefix, CANDIDATES)?;
                match found.as_slice() {
                    [] => Err(NodeError::UnknownChange {
                        prefix: prefix.clone(),
                    }),
                    [one] => Ok(self.change_version(id, one)?),
                    many => Err(NodeError::AmbiguousChange {
                        prefix: prefix.clone(),
                        candidates: many.iter().map(describe_change).collect(),
                    }),
                }
            }
            When::SessionOrChange(digits) => {
                let sessions = self.lock().store.sessions(id)?.len();
                let session = digits
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=sessions).contains(n));
                let changes = self
                    .lock()
                    .store
                    .changes_by_prefix(id, digits, CANDIDATES)?;
                match (session, changes.as_slice()) {
                    (Some(n), []) => self.session_version(id, n),
                    (None, [one]) => self.change_version(id, one),
                    (None, []) => Err(NodeError::UnknownChange {
                        prefix: digits.clone(),
                    }),
                    (session, many) => Err(NodeError::AmbiguousChange {
                        prefix: digits.clone(),
                        candidates: session
                            .map(|n| format!("session #{n}"))
                            .into_iter()
                            .chain(many.iter().map(describe_change))
                            .collect(),
                    }),
                }
            }
            When::Time { at, input } => {
                let mut state = self.lock();
                let current =
                    parse_heads(&state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?.heads)?;
                state.commit_pending(id)?;
                let doc = state.doc(id)?;
                let heads = doc.heads_at(*at).map_err(NodeError::doc(id))?;
                if heads.is_empty() {
                    let first = doc
                        .history()
                        .map_err(NodeError::doc(id))?
                        .iter()
                        .map(|c| c.time)
                        .min()
                        .unwrap_or_default();
                    return Err(NodeError::NotYetCreated {
                        when: input.clone(),
                        first: when::local_minute(first),
                    });
                }
                Ok(Version {
                    current: heads == current,
                    heads,
                    label: input.clone(),
                })
            }
        }
    }

    fn current_version(&self, id: DocId) -> Result<Version, NodeError> {
        let state = self.lock();
        let row = state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?;
        Ok(Version {
            heads: parse_heads(&row.heads)?,
            label: "now".into(),
            current: true,
        })
    }

    /// Session `n`'s version: the note as of the session's last change.
    fn session_version(&self, id: DocId, n: usize) -> Result<Version, NodeError> {
        let sessions = self.lock().store.sessions(id)?;
        let Some(session) = n.checked_sub(1).and_then(|i| sessions.get(i)) else {
            return Err(NodeError::UnknownSession {
                number: n,
                sessions: sessions.len(),
            });
        };
        let mut version = self.version_at(
            id,
            &When::Time {
                at: session.end,
                input: String::new(),
            },
        )?;
        version.label = format!("session #{n} ({})", when::local_minute(session.end));
        Ok(version)
    }

    fn change_version(&self, id: DocId, change: &ChangeSummary) -> Result<Version, NodeError> {
        let current = self.current_version(id)?;
        let heads = vec![change.hash];
        Ok(Version {
            current: heads == current.heads,
            label: format!("change {}", short_hash(&change.hash)),
            heads,
        })
    }

    /// `id`'s text at `version`. The current version is read from the
    /// index; an old one from the document (loaded if not in memory).
    pub fn text_at(&self, id: DocId, version: &Version) -> Result<String, NodeError> {
        let mut state = self.lock();
        let row = state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?;
        // The index holds the text at the heads it was written at.
        if parse_heads(&row.heads)? == version.heads {
            return Ok(state.store.text(id)?.unwrap_or_default());
        }
        state.commit_pending(id)?;
        state
            .doc(id)?
            .text_at(&version.heads)
            .map_err(NodeError::doc(id))
    }

    /// Make `version`'s text current again, as a new change (the smallest
    /// edits a diff finds, so concurrent edits elsewhere still merge).
    /// Title, tags and the other fields stay as they are. Stored before
    /// this returns.
    pub fn restore_version(&self, id: DocId, version: &Version) -> Result<EditSummary, NodeError> {
        let text = self.text_at(id, version)?;
        let message = format!("restore {}", version.label);
        self.replace_text_with_message(id, &text, Some(&message))
    }

    /// `id`'s Automerge bytes as stored (every chunk, in order): what
    /// another replica merges with [`Garden::merge_bytes`]. Stores pending
    /// changes first.
    pub fn document_bytes(&self, id: DocId) -> Result<Vec<u8>, NodeError> {
        self.flush()?;
        let chunks = self.lock().store.load_chunks(id)?;
        if chunks.is_empty() {
            return Err(NodeError::UnknownDoc(id));
        }
        Ok(chunks.into_iter().flat_map(|c| c.bytes).collect())
    }

    /// Merge Automerge bytes from another replica of `id` (a save, or
    /// chunks): the changes this garden lacks are stored, with their
    /// history, and announced. A document this garden does not have yet is
    /// added (its bytes must make a Loam note). What the sync protocol will
    /// call for each document it receives.
    pub fn merge_bytes(&self, id: DocId, bytes: &[u8]) -> Result<MergeReport, NodeError> {
        let mut state = self.lock();
        if state.store.doc(id)?.is_none() {
            let mut doc = NoteDoc::load(bytes, state.member).map_err(NodeError::doc(id))?;
            let snapshot = doc.snapshot().map_err(NodeError::doc(id))?;
            check_title(&snapshot.title)?;
            if snapshot.kind == DocKind::Page {
                check_page_title_free(&state.store, &snapshot.title, None)?;
            }
            // Changes from elsewhere: their signatures come with them.
            let prepared = Prepared {
                id,
                chunk: doc.save().map_err(NodeError::doc(id))?,
                changes: doc.history().map_err(NodeError::doc(id))?,
                snapshot,
                signatures: Vec::new(),
            };
            state.store.write_docs(&[prepared.write()])?;
            drop(state);
            self.announce_new(&prepared);
            return Ok(MergeReport {
                created: true,
                changed: true,
            });
        }
        self.shared().store_own_first(&mut state, id)?;
        let replica = state.doc(id)?;
        let before = replica.automerge().get_heads();
        if let Err(e) = replica.apply_chunk(bytes) {
            state.forget(&[id]);
            return Err(NodeError::doc(id)(e));
        }
        let changed = state.doc(id)?.automerge().get_heads() != before;
        if changed {
            state.mark_unstored(id);
            let stored = state
                .store_merged(&[id])
                .inspect_err(|_| state.forget(&[id]))?;
            drop(state);
            self.shared().announce(stored);
        }
        Ok(MergeReport {
            created: false,
            changed,
        })
    }

    /// Adopt a document another Automerge application made (its text at
    /// `body` or `text`) as a note titled `title`, keeping its whole
    /// history: one new change adds Loam's fields. Its history rows (one
    /// per change) are written with it, in one transaction.
    pub fn adopt(&self, bytes: &[u8], title: &str) -> Result<DocId, NodeError> {
        check_title(title)?;
        let id = DocId::random();
        let (key, garden) = {
            let state = self.lock();
            state.check_writer()?;
            (state.key.clone(), state.garden)
        };
        // The load and the history are built without holding the lock.
        let mut doc = NoteDoc::adopt(bytes, title, DocKind::Note, key.member(), time::now())
            .map_err(NodeError::doc(id))?;
        let snapshot = doc.snapshot().map_err(NodeError::doc(id))?;
        // Only the change adopting made (the one head) is this member's:
        // the foreign history keeps its actors as authors.
        let prepared = Prepared {
            id,
            chunk: doc.save().map_err(NodeError::doc(id))?,
            changes: doc.history().map_err(NodeError::doc(id))?,
            signatures: SignedChanges::sign(&key, garden, id, &snapshot.heads),
            snapshot,
        };
        self.lock().store.write_docs(&[prepared.write()])?;
        self.announce_new(&prepared);
        Ok(id)
    }

    /// The stored signatures covering `changes` of `id` (what travels
    /// with them to a peer).
    pub fn change_signatures(
        &self,
        id: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, NodeError> {
        self.flush()?;
        Ok(self.lock().store.signatures_for(id, changes)?)
    }

    /// Every document's heads (notes and pages, and the community
    /// documents: manifest and journals), sorted by id, from the index (no
    /// document loaded): what sync compares with a peer's.
    ///
    /// A note stored under a community document's id (a peer made one up
    /// before the member it belongs to joined) is left out: that id is the
    /// community document's.
    pub fn doc_heads(&self) -> Result<Vec<(DocId, Vec<ChangeHash>)>, NodeError> {
        let reserved = self.community_ids()?;
        let mut heads = self.lock().store.doc_heads()?;
        heads.retain(|(id, _)| !reserved.contains(id));
        heads.extend(self.community_heads()?);
        heads.sort_by_key(|(id, _)| *id);
        Ok(heads)
    }

    fn announce_new(&self, prepared: &Prepared) {
        let _ = self.shared().events.send(Event::DocCreated {
            garden: self.id(),
            doc: prepared.id,
            title: prepared.snapshot.title.clone(),
        });
        let _ = self.shared().events.send(Event::DocChanged {
            garden: self.id(),
            doc: prepared.id,
            heads: prepared
                .snapshot
                .heads
                .iter()
                .map(ToString::to_string)
                .collect(),
        });
    }
}

fn session_info(number: usize, s: &Session, me: MemberId) -> SessionInfo {
    SessionInfo {
        number,
        author: Author::of(&s.author, me),
        start: s.start,
        end: s.end,
        changes: s.changes,
        inserted: s.inserted,
        deleted: s.deleted,
    }
}

/// Which session a change belongs to: its author's session whose time
/// span holds the change's time.
struct SessionNumbers<'a> {
    by_author: HashMap<&'a ChangeAuthor, Vec<(Timestamp, Timestamp, usize)>>,
}

impl<'a> SessionNumbers<'a> {
    fn new(sessions: &'a [Session]) -> Self {
        let mut by_author: HashMap<&ChangeAuthor, Vec<(Timestamp, Timestamp, usize)>> =
            HashMap::new();
        for (i, s) in sessions.iter().enumerate() {
            by_author
                .entry(&s.author)
                .or_default()
                .push((s.start, s.end, i + 1));
        }
        Self { by_author }
    }

    fn of(&self, change: &ChangeSummary) -> usize {
        let Some(spans) = self.by_author.get(&change.author) else {
            return 0;
        };
        // Spans of one author are disjoint and sorted by start.
        let after = spans.partition_point(|(start, _, _)| *start <= change.time);
        after
            .checked_sub(1)
            .and_then(|i| spans.get(i))
            .filter(|(_, end, _)| change.time <= *end)
            .map_or(0, |(_, _, n)| *n)
    }
}

/// The first 8 hex digits of a change hash.
pub fn short_hash(hash: &ChangeHash) -> String {
    let mut s = hash.to_string();
    s.truncate(8);
    s
}

fn describe_change(c: &ChangeSummary) -> String {
    let mut hash = c.hash.to_string();
    hash.truncate(12);
    format!("change {hash} ({})", when::local_second(c.time))
}

fn parse_heads(heads: &[String]) -> Result<Vec<ChangeHash>, NodeError> {
    heads
        .iter()
        .map(|h| {
            h.parse::<ChangeHash>()
                .map_err(|_| NodeError::BadHeads(h.clone()))
        })
        .collect()
}
