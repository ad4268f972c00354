//! The Automerge sync sessions of one connection: one per document that
//! differs or changes, at most [`Limits::max_docs_in_flight`] started by this
//! side at once (the rest wait in a queue), each with stall detection.
//!
//! A document's session is *active* while messages are in flight, *idle*
//! once both sides' heads agree (its `sync::State` is kept, so a later local
//! change is pushed in one message), and *stopped* when it was refused or
//! gave up: stopped documents are not synced again on this connection.
//!
//! Quiet loops: Automerge answers every message while the two sides' heads
//! differ, even when its answer says nothing new (a change it already sent
//! is still on its way, or was lost). A message with no changes that is
//! identical to the last one sent, while the peer's heads have not moved,
//! is not sent again, so two peers never ping-pong empty messages.
//!
//! Whole documents: a document reconciliation found the peer holds none of
//! is sent in one message straight from storage ([`SyncStore::whole_doc`]:
//! no document is loaded to send it), with the Automerge state that
//! Automerge itself would have after sending it whole. When the peer
//! answers with exactly those heads, the session ends without loading the
//! document either; its state is dropped, so a later change to it starts
//! a fresh Automerge sync. Any other answer (the peer got the document
//! elsewhere meanwhile) continues as an ordinary Automerge sync.
//!
//! Answers: a side whose Automerge state says it agrees with the peer
//! has nothing to send, but the peer may be waiting to hear that: it sent
//! changes and waits for them to be acknowledged, or it lost its state
//! (a reset) and asks afresh. Such a message is answered once with this
//! side's heads even when Automerge would stay silent, or the waiting
//! side would reset it again and again and finally give up on a document
//! both sides agree on.
//!
//! Stall detection: with repeats suppressed, a sync that makes no progress
//! goes quiet instead of looping. A session that hears nothing between two
//! calls of [`Session::on_silence`](crate::Session::on_silence) (the
//! transport's timer) is reset to a fresh `sync::State`; after
//! [`Limits::max_resets`] resets it is stopped (and counted in
//! [`SyncStats::docs_stalled`]). (Counting messages without progress does
//! not work: a peer catching up on a backlog legitimately answers many
//! stale messages in a row.)

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use automerge::ChangeHash;
use automerge::sync::{Capability, ChunkList, Have, Message, MessageFlags, MessageVersion, State};
use loam_core::{DocId, GardenId};

use crate::frame::Frame;
use crate::limits::Limits;
use crate::session::{SessionError, SyncStats};
use crate::store::{StoreError, SyncStore, WholeDoc};
use crate::verify::{Prechecked, Verdict, change_hashes, check_incoming, cover, precheck};

/// What doc sessions need from their connection for one call.
pub(crate) struct Ctx<'a, S> {
    pub store: &'a mut S,
    pub garden: GardenId,
    pub limits: &'a Limits,
    pub stats: &'a mut SyncStats,
    pub out: &'a mut Vec<Frame>,
}

#[derive(Debug)]
struct DocSession {
    state: State,
    /// Started by this side (counts against `max_docs_in_flight`).
    ours: bool,
    resets: u32,
    /// The last message sent, when it carried no changes, and the peer's
    /// heads when it was sent: an identical one is not sent again.
    last_empty: Option<(Message, Option<Vec<ChangeHash>>)>,
    /// A message arrived since the last silence.
    heard: bool,
    /// Started by sending the document whole, from storage: its size.
    whole: Option<usize>,
}

impl DocSession {
    fn new(state: State, ours: bool) -> Self {
        Self {
            state,
            ours,
            resets: 0,
            last_empty: None,
            heard: true,
            whole: None,
        }
    }
}

/// The Automerge state of a document for a peer that holds none of it, as
/// if it had said so: the next message sends the document whole.
fn empty_peer() -> State {
    let mut state = State::new();
    state.their_heads = Some(Vec::new());
    state.their_need = Some(Vec::new());
    state.their_have = Some(Vec::new());
    state.their_capabilities = Some(vec![Capability::MessageV2]);
    state
}

/// The message that sends `whole` to a peer that holds none of it, and
/// the state Automerge would be in after sending it.
fn whole_message(whole: WholeDoc) -> (Message, State) {
    let mut state = empty_peer();
    state.have_responded = true;
    state.in_flight = true;
    state.last_sent_heads.clone_from(&whole.heads);
    state.sent_hashes.extend(whole.changes.iter().copied());
    let mut flags = MessageFlags::new();
    flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
    let message = Message {
        heads: whole.heads,
        need: Vec::new(),
        have: Vec::<Have>::new(),
        changes: ChunkList::from(whole.bytes),
        flags: Some(flags),
        version: MessageVersion::V2,
    };
    (message, state)
}

#[derive(Debug, Default)]
pub(crate) struct DocSessions {
    active: BTreeMap<DocId, DocSession>,
    idle: HashMap<DocId, State>,
    queue: VecDeque<DocId>,
    queued: HashSet<DocId>,
    stopped: HashSet<DocId>,
    /// Documents found to be missing on the peer, not started yet.
    missing_there: HashSet<DocId>,
    /// Documents that have reached agreement at least once, so that
    /// [`SyncStats::docs_synced`] counts each once (a document both sides
    /// started syncing, or that a late message reopened, finishes twice).
    synced: HashSet<DocId>,
}

impl DocSessions {
    /// Whether nothing is in flight or waiting.
    pub fn is_idle(&self) -> bool {
        self.active.is_empty() && self.queue.is_empty()
    }

    /// How many documents are active, and how many wait.
    pub fn counts(&self) -> (usize, usize) {
        (self.active.len(), self.queue.len())
    }

    /// Documents this side started and is syncing the ordinary way.
    fn ours_active(&self) -> usize {
        self.active
            .values()
            .filter(|s| s.ours && s.whole.is_none())
            .count()
    }

    /// Documents sent whole and not acknowledged yet, and their bytes.
    fn whole_active(&self) -> (usize, usize) {
        self.active
            .values()
            .filter_map(|s| s.whole)
            .fold((0, 0), |(n, bytes), b| (n + 1, bytes + b))
    }

    /// Whether another document may be sent whole now.
    fn room_for_whole(&self, limits: &Limits) -> bool {
        let (n, bytes) = self.whole_active();
        n == 0 || (n < limits.max_whole_in_flight && bytes < limits.max_whole_bytes_in_flight)
    }

    /// Sync `doc` (found to differ): queue it unless it is already going.
    pub fn enqueue(&mut self, doc: DocId) {
        if self.stopped.contains(&doc) || self.active.contains_key(&doc) {
            return;
        }
        if self.queued.insert(doc) {
            self.queue.push_back(doc);
        }
    }

    /// Sync `doc`, which the peer holds none of: it is sent whole.
    pub fn enqueue_missing(&mut self, doc: DocId) {
        if self.stopped.contains(&doc) || self.active.contains_key(&doc) {
            return;
        }
        self.missing_there.insert(doc);
        self.enqueue(doc);
    }

    /// `doc` changed here: push the change now if its session is going,
    /// else queue it.
    pub fn local_change<S: SyncStore>(
        &mut self,
        doc: DocId,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<(), SessionError> {
        if self.stopped.contains(&doc) {
            return Ok(());
        }
        if self.active.contains_key(&doc) {
            self.send_next(doc, ctx)?;
        } else {
            self.enqueue(doc);
        }
        self.pump(ctx)
    }

    /// Start queued documents while there is room.
    pub fn pump<S: SyncStore>(&mut self, ctx: &mut Ctx<'_, S>) -> Result<(), SessionError> {
        // Whole documents started by one call: the first frames go out
        // soon, and the rest follow as the peer acknowledges them.
        let mut budget = ctx.limits.max_docs_in_flight;
        while let Some(&doc) = self.queue.front() {
            let whole = self.missing_there.contains(&doc) && !self.idle.contains_key(&doc);
            let room = if whole {
                budget > 0 && self.room_for_whole(ctx.limits)
            } else {
                self.ours_active() < ctx.limits.max_docs_in_flight
            };
            if !room {
                break;
            }
            self.queue.pop_front();
            self.queued.remove(&doc);
            if self.stopped.contains(&doc) {
                continue;
            }
            if !self.active.contains_key(&doc) {
                let idle = self.idle.remove(&doc);
                let missing = self.missing_there.remove(&doc) && idle.is_none();
                if missing && self.send_whole(doc, ctx)? {
                    budget -= 1;
                    continue;
                }
                let state = match idle {
                    Some(state) => state,
                    None if missing => empty_peer(),
                    None => State::new(),
                };
                self.active.insert(doc, DocSession::new(state, true));
            }
            self.send_next(doc, ctx)?;
        }
        Ok(())
    }

    /// Send `doc` whole from storage to a peer that holds none of it;
    /// false when the store cannot, or the message would not do (too
    /// large, a change without a signature): the ordinary sync then
    /// handles it, and says why if it fails.
    fn send_whole<S: SyncStore>(
        &mut self,
        doc: DocId,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<bool, SessionError> {
        let Some(whole) = ctx.store.whole_doc(doc)? else {
            return Ok(false);
        };
        let changes = whole.changes.len();
        let Ok(batches) = cover(&whole.changes, whole.signatures.clone()) else {
            return Ok(false);
        };
        let size = whole.bytes.len();
        let (message, state) = whole_message(whole);
        let frame = Frame::DocSync {
            doc,
            message: message.encode(),
            signatures: batches.iter().map(|b| b.encode()).collect(),
        };
        if frame.encoded_len() > ctx.limits.max_frame {
            return Ok(false);
        }
        ctx.stats.changes_sent += changes as u64;
        ctx.stats.docs_sent_whole += 1;
        ctx.out.push(frame);
        let mut session = DocSession::new(state, true);
        session.whole = Some(size);
        self.active.insert(doc, session);
        Ok(true)
    }

    /// The peer stopped syncing `doc`.
    pub fn peer_refused<S: SyncStore>(
        &mut self,
        doc: DocId,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<(), SessionError> {
        self.missing_there.remove(&doc);
        self.active.remove(&doc);
        self.idle.remove(&doc);
        if self.queued.remove(&doc) {
            self.queue.retain(|d| *d != doc);
        }
        if self.stopped.insert(doc) {
            ctx.stats.docs_refused_by_peer += 1;
        }
        self.pump(ctx)
    }

    /// Stop syncing `doc` on this connection and tell the peer why.
    fn stop<S: SyncStore>(&mut self, doc: DocId, reason: String, ctx: &mut Ctx<'_, S>) {
        self.missing_there.remove(&doc);
        self.active.remove(&doc);
        self.idle.remove(&doc);
        if self.queued.remove(&doc) {
            self.queue.retain(|d| *d != doc);
        }
        if self.stopped.insert(doc) {
            ctx.out.push(Frame::DocRefused { doc, reason });
        }
    }

    /// A sync message of `doc` from the peer, with its signatures; its
    /// store-free checks when they were done ahead.
    pub fn receive<S: SyncStore>(
        &mut self,
        doc: DocId,
        (message, signatures): (&[u8], &[Vec<u8>]),
        checked: Option<Prechecked>,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<(), SessionError> {
        if self.stopped.contains(&doc) {
            ctx.stats.frames_ignored += 1;
            return Ok(());
        }
        let checked =
            checked.unwrap_or_else(|| precheck(ctx.garden, doc, message, signatures, ctx.limits));
        let verdict = check_incoming(checked, ctx.store)?;
        let (message, signatures, changes, loaded) = match verdict {
            Verdict::Refuse { reason } => {
                ctx.stats.docs_refused += 1;
                self.stop(doc, reason, ctx);
                return self.pump(ctx);
            }
            Verdict::Accept {
                message,
                signatures,
                changes,
                loaded,
            } => (message, signatures, changes, loaded),
        };
        if !self.active.contains_key(&doc) {
            let theirs = self.active.values().filter(|s| !s.ours).count();
            if theirs >= ctx.limits.max_peer_docs_in_flight {
                return Err(SessionError::Limit {
                    what: "documents in flight",
                    limit: ctx.limits.max_peer_docs_in_flight,
                });
            }
            if self.queued.remove(&doc) {
                self.queue.retain(|d| *d != doc);
            }
            let state = self.idle.remove(&doc).unwrap_or_default();
            self.active.insert(doc, DocSession::new(state, false));
        }
        let Some(session) = self.active.get_mut(&doc) else {
            return Ok(());
        };
        session.heard = true;
        let expects_answer = !message.changes.is_empty()
            || (!message.heads.is_empty()
                && message.have.first().is_some_and(|h| h.last_sync.is_empty()));
        if session.whole.is_some()
            && message.changes.is_empty()
            && message.need.is_empty()
            && message.heads == session.state.last_sent_heads
        {
            // The peer holds the document as sent: nothing to load here.
            self.finish(doc, ctx);
            self.idle.remove(&doc);
            return self.pump(ctx);
        }
        match loaded {
            Some(loaded) => ctx.store.receive_whole_doc(
                doc,
                &mut session.state,
                message,
                *loaded,
                signatures,
            )?,
            None => ctx
                .store
                .receive_sync_message(doc, &mut session.state, message, signatures)?,
        }
        ctx.stats.changes_received += changes as u64;
        self.send(doc, expects_answer, ctx)?;
        self.pump(ctx)
    }

    /// The connection was silent for a while: every session that heard
    /// nothing since the last silence is stalled.
    pub fn on_silence<S: SyncStore>(&mut self, ctx: &mut Ctx<'_, S>) -> Result<(), SessionError> {
        let mut stalled = Vec::new();
        for (doc, session) in &mut self.active {
            if !std::mem::replace(&mut session.heard, false) {
                stalled.push(*doc);
            }
        }
        for doc in stalled {
            self.reset(doc, ctx)?;
        }
        self.pump(ctx)
    }

    /// Start `doc`'s sync afresh, or give up on it after too many resets.
    fn reset<S: SyncStore>(
        &mut self,
        doc: DocId,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<(), SessionError> {
        let Some(session) = self.active.get_mut(&doc) else {
            return Ok(());
        };
        session.resets += 1;
        ctx.stats.doc_resets += 1;
        if session.resets > ctx.limits.max_resets {
            ctx.stats.docs_stalled += 1;
            self.stop(doc, "sync of this document made no progress".into(), ctx);
            return Ok(());
        }
        session.state = State::new();
        session.last_empty = None;
        session.heard = true;
        self.send_next(doc, ctx)
    }

    /// Generate and send `doc`'s next message; finish the session when
    /// there is none and both sides agree.
    fn send_next<S: SyncStore>(
        &mut self,
        doc: DocId,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<(), SessionError> {
        self.send(doc, false, ctx)
    }

    /// [`Self::send_next`]; when `answer`, the peer waits to hear from
    /// this side, so a message goes out even if Automerge has nothing new
    /// to say: one with this side's heads.
    fn send<S: SyncStore>(
        &mut self,
        doc: DocId,
        answer: bool,
        ctx: &mut Ctx<'_, S>,
    ) -> Result<(), SessionError> {
        let Some(session) = self.active.get_mut(&doc) else {
            return Ok(());
        };
        let mut generated = ctx.store.generate_sync_message(doc, &mut session.state)?;
        if generated.is_none() && answer {
            // Automerge stays silent once it has answered and its heads
            // have not moved since; asked afresh, it answers again.
            session.state.have_responded = false;
            generated = ctx.store.generate_sync_message(doc, &mut session.state)?;
        }
        let Some(message) = generated else {
            if session.state.their_heads.as_ref() == Some(&session.state.last_sent_heads) {
                self.finish(doc, ctx);
            }
            return Ok(());
        };
        if message.changes.is_empty()
            && session.last_empty.as_ref().is_some_and(|(last, theirs)| {
                *last == message && *theirs == session.state.their_heads
            })
        {
            ctx.stats.messages_suppressed += 1;
            return Ok(());
        }
        let hashes = change_hashes(&message, ctx.limits).map_err(|reason| {
            SessionError::Store(StoreError::new(format!(
                "the sync message made for document {doc} is invalid: {reason}"
            )))
        })?;
        let batches = if hashes.is_empty() {
            Vec::new()
        } else {
            ctx.store.signatures_for(doc, &hashes)?
        };
        let batches = match cover(&hashes, batches) {
            Ok(batches) => batches,
            Err(missing) => {
                ctx.stats.docs_unsigned += 1;
                self.stop(
                    doc,
                    format!("change {missing} has no signature on the sending side"),
                    ctx,
                );
                return Ok(());
            }
        };
        session.last_empty = message
            .changes
            .is_empty()
            .then(|| (message.clone(), session.state.their_heads.clone()));
        let frame = Frame::DocSync {
            doc,
            message: message.encode(),
            signatures: batches.iter().map(|b| b.encode()).collect(),
        };
        if frame.encoded_len() > ctx.limits.max_frame {
            ctx.stats.docs_too_large += 1;
            self.stop(
                doc,
                format!(
                    "its sync message is larger than the frame limit of {} bytes",
                    ctx.limits.max_frame
                ),
                ctx,
            );
            return Ok(());
        }
        ctx.stats.changes_sent += hashes.len() as u64;
        ctx.out.push(frame);
        // A message that only tells the peer we now have its heads needs
        // no answer: Automerge's peer will have nothing to say back.
        if let Some(session) = self.active.get(&doc)
            && hashes.is_empty()
            && session.state.their_heads.as_ref() == Some(&session.state.last_sent_heads)
            && session
                .state
                .their_need
                .as_ref()
                .is_none_or(|need| need.is_empty())
        {
            self.finish(doc, ctx);
        }
        Ok(())
    }

    /// Both sides agree on `doc`: keep its state for later changes.
    fn finish<S: SyncStore>(&mut self, doc: DocId, ctx: &mut Ctx<'_, S>) {
        if let Some(session) = self.active.remove(&doc) {
            if self.synced.insert(doc) {
                ctx.stats.docs_synced += 1;
            }
            self.idle.insert(doc, session.state);
        }
    }
}
