//! One sync session: one connection, one garden, two peers.
//!
//! ```text
//! initiator                                   acceptor
//!   Hello(version, garden, heads, join?) ─▶        decides on the Hello alone:
//!                                              ◀─ Welcome(heads, docs, role)  or  Refuse(code, reason)
//!   ◀─ Membership(entries, heads) ─▶            until both logs have the same heads
//!   (each side checks the other is a member)
//!   Ranges ─▶ ◀─ Ranges ─▶ …                     where the doc fingerprints differ
//!   ◀─ DocSync(doc, message, signatures) ─▶     for each differing document, many at once
//!   ◀─ Peers(addresses) ─▶                     once the logs agree, and when they change
//!   … DocSync on every local change (live), Membership on every membership change
//! ```
//!
//! Equal gardens cost `Hello` + `Welcome`: one round trip. The acceptor
//! reads and sends no document (not even the fingerprint) before it has
//! decided the initiator may in, and the `Hello` says nothing about the
//! initiator's documents either (it may have dialled a former member);
//! neither side sends a document before the membership logs agree and the
//! other side is a member in them.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use automerge::ChangeHash;
use loam_core::{DocId, GardenId, MemberId, Role, SignatureError};
use sha2::{Digest, Sha256};

use crate::doc_sessions::{Ctx, DocSessions};
use crate::fingerprint::Fingerprint;
use crate::frame::{
    EntryHash, Frame, MAX_RELAY_URL, PROTOCOL_VERSION, PeerHint, RangePayload, RefuseCode,
};
use crate::limits::Limits;
use crate::reconcile::ItemSet;
use crate::store::{MembershipError, StoreError, SyncStore};
use crate::verify::{Prechecked, precheck};

/// Why a session ended badly: the connection should close (after sending
/// `Frame::Bye { reason: error.to_string() }`). Every variant but
/// [`SessionError::Store`] is the peer's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// A frame that makes no sense at this point of the protocol.
    #[error("unexpected {frame} frame while {state}")]
    Unexpected {
        /// The frame's kind.
        frame: &'static str,
        /// What the session was doing.
        state: &'static str,
    },
    /// A sync message that is not valid Automerge, or breaks a bound.
    #[error("invalid sync message for document {doc}: {reason}")]
    BadSyncMessage {
        /// The document.
        doc: DocId,
        /// What is wrong.
        reason: String,
    },
    /// A signature batch that does not decode or verify (forged).
    #[error("invalid change signature for document {doc}: {error}")]
    BadSignature {
        /// The document.
        doc: DocId,
        /// What is wrong.
        #[source]
        error: SignatureError,
    },
    /// A change no signature covers.
    #[error("change {change} of document {doc} came without a signature")]
    Unsigned {
        /// The document.
        doc: DocId,
        /// The unsigned change.
        change: ChangeHash,
    },
    /// Membership entries the store refused as invalid.
    #[error("invalid membership entries: {0}")]
    BadMembership(String),
    /// Any other broken rule.
    #[error("protocol violation: {0}")]
    Protocol(&'static str),
    /// A bound exceeded.
    #[error("too many {what} (limit {limit})")]
    Limit {
        /// What.
        what: &'static str,
        /// The bound.
        limit: usize,
    },
    /// This side's storage failed.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    /// The session had already ended.
    #[error("the session is closed")]
    Closed,
}

/// What a session has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncStats {
    /// Bytes received (frames with their length prefix).
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Frames received.
    pub frames_in: u64,
    /// Frames sent.
    pub frames_out: u64,
    /// Replies received to frames this side sent: a frame received after
    /// this side sent something since the last one it received.
    pub round_trips: u64,
    /// Membership entries received.
    pub membership_entries_received: u64,
    /// `Ranges` frames received.
    pub reconcile_rounds: u64,
    /// Documents reconciliation found to differ (on this side).
    pub docs_differing: u64,
    /// Documents brought to agreement with the peer, each counted once
    /// however many sync sessions it took.
    pub docs_synced: u64,
    /// Changes received and applied.
    pub changes_received: u64,
    /// Changes sent.
    pub changes_sent: u64,
    /// Documents sent whole from storage to a peer that held none of them.
    pub docs_sent_whole: u64,
    /// Documents refused: changes signed by a reader or a former member.
    pub docs_refused: u64,
    /// Documents the peer refused.
    pub docs_refused_by_peer: u64,
    /// Documents not sent because changes lacked signatures here.
    pub docs_unsigned: u64,
    /// Documents whose sync message exceeded the frame limit.
    pub docs_too_large: u64,
    /// Document sync states reset for lack of progress.
    pub doc_resets: u64,
    /// Documents given up on after repeated resets.
    pub docs_stalled: u64,
    /// Frames about stopped documents, ignored.
    pub frames_ignored: u64,
    /// Sync messages not sent because they repeated the last one.
    pub messages_suppressed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Initiator,
    Acceptor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    AwaitingHello,
    AwaitingWelcome,
    Open,
    Closed,
}

impl Phase {
    fn describe(self) -> &'static str {
        match self {
            Self::AwaitingHello => "waiting for hello",
            Self::AwaitingWelcome => "waiting for welcome",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

#[derive(Debug, Default)]
struct MembershipSync {
    /// The peer's heads, as it last said.
    theirs: Vec<EntryHash>,
    /// Our heads, as we last told the peer.
    told: Vec<EntryHash>,
    /// The logs have agreed at least once.
    settled: bool,
    /// `Membership` frames received since the logs last agreed.
    rounds: usize,
    /// Entries sent on this connection (by SHA-256 of their bytes).
    sent: HashSet<[u8; 32]>,
}

/// The most threads [`Session::precheck`] uses.
const PRECHECK_THREADS: usize = 4;

/// A frame from the peer, with the checks [`Session::precheck`] did of it
/// ahead of handling, if any.
#[derive(Debug)]
pub struct Received {
    frame: Frame,
    checked: Option<Prechecked>,
}

impl From<Frame> for Received {
    fn from(frame: Frame) -> Self {
        Self {
            frame,
            checked: None,
        }
    }
}

impl Received {
    /// The frame.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }
}

/// The sync protocol for one connection and one garden: feed it frames,
/// send what it returns.
#[derive(Debug)]
pub struct Session {
    side: Side,
    remote: MemberId,
    garden: Option<GardenId>,
    limits: Limits,
    phase: Phase,
    my_role: Option<Role>,
    membership: MembershipSync,
    their_docs: Fingerprint,
    docs_open: bool,
    pending_local: BTreeSet<DocId>,
    awaiting_ranges: bool,
    docs: DocSessions,
    stats: SyncStats,
    expecting_reply: bool,
    closed: Option<String>,
    /// Frames received and sent that may be answered (see [`counts`]).
    said_in: u64,
    said_out: u64,
    /// The counts (`said_in`, `said_out`) when this side last sent `Idle`.
    idle_told: Option<(u64, u64)>,
    /// What the peer's last `Idle` said it had handled of ours.
    peer_seen: Option<u64>,
    /// The addresses last sent in a `Peers` frame (sorted).
    hints_told: Option<Vec<PeerHint>>,
    /// Addresses the peer sent before this side had checked it is a
    /// member (the last frame's): handed to the store once it has.
    hints_waiting: Option<Vec<PeerHint>>,
}

impl Session {
    fn new(side: Side, remote: MemberId, limits: Limits, phase: Phase) -> Self {
        Self {
            side,
            remote,
            garden: None,
            limits,
            phase,
            my_role: None,
            membership: MembershipSync::default(),
            their_docs: Fingerprint::default(),
            docs_open: false,
            pending_local: BTreeSet::new(),
            awaiting_ranges: false,
            docs: DocSessions::default(),
            stats: SyncStats::default(),
            expecting_reply: false,
            closed: None,
            said_in: 0,
            said_out: 0,
            idle_told: None,
            peer_seen: None,
            hints_told: None,
            hints_waiting: None,
        }
    }

    /// Open a session to `remote` (a member of `store`'s garden) and say
    /// hello. `join` is an encoded Redeem entry when joining with an
    /// invite.
    pub fn initiate(
        remote: MemberId,
        join: Option<Vec<u8>>,
        limits: Limits,
        store: &mut impl SyncStore,
    ) -> Result<(Self, Vec<Frame>), SessionError> {
        let mut session = Self::new(Side::Initiator, remote, limits, Phase::AwaitingWelcome);
        let garden = store.garden();
        session.garden = Some(garden);
        let heads = sorted(store.membership_heads()?);
        session.membership.told = heads.clone();
        let hello = Frame::Hello {
            protocol_version: PROTOCOL_VERSION,
            garden,
            membership_heads: heads,
            join,
        };
        let out = vec![hello];
        session.count_out(&out);
        Ok((session, out))
    }

    /// A session for a connection from `remote`, whose key the transport
    /// has proven. Its first frame must be a `Hello`, whose garden says
    /// which store to hand to [`Session::handle`].
    pub fn accept(remote: MemberId, limits: Limits) -> Self {
        Self::new(Side::Acceptor, remote, limits, Phase::AwaitingHello)
    }

    /// The peer.
    pub fn remote(&self) -> MemberId {
        self.remote
    }

    /// The garden, once known (the acceptor learns it from the `Hello`).
    pub fn garden(&self) -> Option<GardenId> {
        self.garden
    }

    /// The role the acceptor says this side holds (initiator only).
    pub fn my_role(&self) -> Option<Role> {
        self.my_role
    }

    /// What the session has done so far.
    pub fn stats(&self) -> &SyncStats {
        &self.stats
    }

    /// Why the session ended, once it has.
    pub fn closed(&self) -> Option<&str> {
        self.closed.as_deref()
    }

    /// Documents syncing and waiting.
    pub fn docs_in_flight(&self) -> (usize, usize) {
        self.docs.counts()
    }

    /// Whether this side is waiting for nothing and has nothing to send:
    /// the logs agree, reconciliation is over and no document is in
    /// flight. (Closed sessions are quiescent too.)
    pub fn is_quiescent(&self) -> bool {
        match self.phase {
            Phase::Closed => true,
            Phase::Open => {
                self.membership.settled
                    && self.membership.theirs == self.membership.told
                    && self.docs_open
                    && !self.awaiting_ranges
                    && self.pending_local.is_empty()
                    && self.docs.is_idle()
            }
            _ => false,
        }
    }

    /// Whether the sync is over on both sides: this side is quiescent,
    /// and the peer said it is idle after handling every frame this side
    /// sent (so it is not about to send documents it found this side
    /// lacks, either).
    pub fn is_settled(&self) -> bool {
        self.is_quiescent() && self.peer_seen == Some(self.said_out)
    }

    /// Handle one frame from the peer; the frames to send back. On an
    /// error the session is closed.
    pub fn handle(
        &mut self,
        frame: impl Into<Received>,
        store: &mut impl SyncStore,
    ) -> Result<Vec<Frame>, SessionError> {
        let Received { frame, checked } = frame.into();
        if self.phase == Phase::Closed {
            return Err(SessionError::Closed);
        }
        self.stats.frames_in += 1;
        self.stats.bytes_in += frame.encoded_len() as u64;
        if let Frame::Idle { seen } = frame {
            if seen > self.said_out {
                return Err(self.fail(SessionError::Protocol(
                    "an idle frame counts more frames than were sent",
                )));
            }
            self.peer_seen = Some(seen);
            return Ok(Vec::new());
        }
        if !counts(&frame) {
            let mut out = Vec::new();
            self.run(&mut out, |this, out| {
                this.dispatch(frame, checked, store, out)
            })?;
            return Ok(out);
        }
        self.said_in += 1;
        if self.expecting_reply {
            self.stats.round_trips += 1;
            self.expecting_reply = false;
        }
        let mut out = Vec::new();
        self.run(&mut out, |this, out| {
            this.dispatch(frame, checked, store, out)
        })?;
        Ok(out)
    }

    /// Do the store-free checks of the document messages among `frames`
    /// (one read's, say) ahead of handling them, on as many threads as the
    /// machine has cores (at most four): receiving a document is mostly
    /// loading it and verifying its signatures, which needs no store. Hand
    /// each result to [`Session::handle`], in order. Before the session is
    /// open, or for a lone message, nothing is done ahead: the frames are
    /// checked as they are handled.
    pub fn precheck(&self, frames: Vec<Frame>) -> Vec<Received> {
        let jobs: Vec<usize> = frames
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f, Frame::DocSync { .. }))
            .map(|(i, _)| i)
            .collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(PRECHECK_THREADS)
            .min(jobs.len());
        let garden = self.garden.filter(|_| self.docs_open);
        let (Some(garden), true) = (garden, threads > 1) else {
            return frames.into_iter().map(Received::from).collect();
        };
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            while let Some(&i) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                if let Frame::DocSync {
                    doc,
                    message,
                    signatures,
                } = &frames[i]
                {
                    done.push((i, precheck(garden, *doc, message, signatures, &self.limits)));
                }
            }
            done
        };
        let checked = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
                .collect();
            let mut checked = work();
            // A helper that panicked leaves its frames to be checked when
            // handled.
            for helper in helpers {
                checked.extend(helper.join().unwrap_or_default());
            }
            checked
        });
        let mut slots: Vec<Option<Prechecked>> =
            std::iter::repeat_with(|| None).take(frames.len()).collect();
        for (i, c) in checked {
            slots[i] = Some(c);
        }
        frames
            .into_iter()
            .zip(slots)
            .map(|(frame, checked)| Received { frame, checked })
            .collect()
    }

    /// The frames of one read are handled: have the store write what
    /// arrived ([`SyncStore::commit`]) before what they said is sent. On an
    /// error the session is closed. (A closed session still commits: what
    /// arrived before it closed was verified.)
    pub fn commit(&mut self, store: &mut impl SyncStore) -> Result<(), SessionError> {
        store
            .commit()
            .map_err(|e| self.fail(SessionError::Store(e)))
    }

    /// `doc` changed here: push it to the peer (live sync).
    pub fn local_change(
        &mut self,
        doc: DocId,
        store: &mut impl SyncStore,
    ) -> Result<Vec<Frame>, SessionError> {
        let mut out = Vec::new();
        if self.phase == Phase::Closed {
            return Ok(out);
        }
        if !self.docs_open {
            self.pending_local.insert(doc);
            return Ok(out);
        }
        self.run(&mut out, |this, out| {
            this.with_docs(store, out, |docs, ctx| docs.local_change(doc, ctx))
        })?;
        Ok(out)
    }

    /// The membership log changed here: tell the peer, and end the
    /// session if the peer is no longer a member.
    pub fn membership_changed(
        &mut self,
        store: &mut impl SyncStore,
    ) -> Result<Vec<Frame>, SessionError> {
        let mut out = Vec::new();
        if self.phase != Phase::Open {
            return Ok(out);
        }
        self.run(&mut out, |this, out| {
            if !this.check_peer(store, out)? {
                return Ok(());
            }
            let mine = sorted(store.membership_heads()?);
            if mine != this.membership.told {
                this.send_membership(store, mine, out)?;
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// What this side knows of members' addresses may have changed: tell
    /// the peer if it has (a `Peers` frame), once the session is open.
    pub fn peers_changed(
        &mut self,
        store: &mut impl SyncStore,
    ) -> Result<Vec<Frame>, SessionError> {
        let mut out = Vec::new();
        if self.phase != Phase::Open || !self.docs_open {
            return Ok(out);
        }
        self.run(&mut out, |this, out| this.send_hints(store, out))?;
        Ok(out)
    }

    /// The transport calls this when the connection has been silent for a
    /// while (a few seconds) and the session is not quiescent: document
    /// syncs that heard nothing since the previous call are reset, and
    /// given up on after [`Limits::max_resets`] resets.
    pub fn on_silence(&mut self, store: &mut impl SyncStore) -> Result<Vec<Frame>, SessionError> {
        let mut out = Vec::new();
        if self.phase != Phase::Open || !self.docs_open {
            return Ok(out);
        }
        self.run(&mut out, |this, out| {
            this.with_docs(store, out, |docs, ctx| docs.on_silence(ctx))
        })?;
        Ok(out)
    }

    /// End the session (shutting down): the frame to send.
    pub fn close(&mut self, reason: &str) -> Frame {
        self.phase = Phase::Closed;
        self.closed = Some(reason.to_owned());
        let bye = Frame::Bye {
            reason: reason.to_owned(),
        };
        self.count_out(std::slice::from_ref(&bye));
        bye
    }

    fn run(
        &mut self,
        out: &mut Vec<Frame>,
        f: impl FnOnce(&mut Self, &mut Vec<Frame>) -> Result<(), SessionError>,
    ) -> Result<(), SessionError> {
        match f(self, out) {
            Ok(()) => {
                self.count_out(out);
                self.tell_idle(out);
                Ok(())
            }
            Err(err) => {
                out.clear();
                Err(self.fail(err))
            }
        }
    }

    /// Close the session on `err`.
    fn fail(&mut self, err: SessionError) -> SessionError {
        self.phase = Phase::Closed;
        self.closed = Some(err.to_string());
        err
    }

    /// Append an `Idle` frame when this side is quiescent and has not said
    /// so since it last received or sent anything.
    fn tell_idle(&mut self, out: &mut Vec<Frame>) {
        let now = (self.said_in, self.said_out);
        if self.is_quiescent() && self.phase == Phase::Open && self.idle_told != Some(now) {
            self.idle_told = Some(now);
            let idle = Frame::Idle { seen: self.said_in };
            self.stats.frames_out += 1;
            self.stats.bytes_out += idle.encoded_len() as u64;
            out.push(idle);
        }
    }

    fn count_out(&mut self, out: &[Frame]) {
        for frame in out {
            self.stats.frames_out += 1;
            self.stats.bytes_out += frame.encoded_len() as u64;
            if counts(frame) {
                self.said_out += 1;
                self.expecting_reply = true;
            }
        }
    }

    /// Run `f` over the document sessions with what they need.
    fn with_docs<S: SyncStore>(
        &mut self,
        store: &mut S,
        out: &mut Vec<Frame>,
        f: impl FnOnce(&mut DocSessions, &mut Ctx<'_, S>) -> Result<(), SessionError>,
    ) -> Result<(), SessionError> {
        let garden = self.garden.ok_or(SessionError::Protocol("no garden yet"))?;
        let mut ctx = Ctx {
            store,
            garden,
            limits: &self.limits,
            stats: &mut self.stats,
            out,
        };
        f(&mut self.docs, &mut ctx)
    }

    fn unexpected(&self, frame: &Frame) -> SessionError {
        SessionError::Unexpected {
            frame: frame.kind_name(),
            state: self.phase.describe(),
        }
    }

    fn dispatch(
        &mut self,
        frame: Frame,
        checked: Option<Prechecked>,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        match (self.phase, frame) {
            (_, Frame::Bye { reason }) => {
                self.phase = Phase::Closed;
                self.closed = Some(format!("the peer closed the session: {reason}"));
                Ok(())
            }
            (
                Phase::AwaitingHello,
                Frame::Hello {
                    protocol_version,
                    garden,
                    membership_heads,
                    join,
                },
            ) => self.on_hello(protocol_version, garden, membership_heads, join, store, out),
            (
                Phase::AwaitingWelcome,
                Frame::Welcome {
                    membership_heads,
                    docs,
                    role_of_you,
                },
            ) => {
                self.phase = Phase::Open;
                self.my_role = Some(role_of_you);
                self.their_docs = docs;
                self.membership.theirs = sorted(membership_heads);
                let mine = sorted(store.membership_heads()?);
                if mine == self.membership.theirs {
                    self.settle(store, out)
                } else {
                    self.send_membership(store, mine, out)
                }
            }
            (Phase::AwaitingWelcome, Frame::Membership { entries, .. })
                if !self.membership.told.is_empty() =>
            {
                // Entries before a refusal: this member was removed. The
                // log checks each entry's signature and authority, so who
                // relays them does not matter. (A joiner, with no log yet,
                // takes none: a garden is not created by a refusal.)
                self.take_membership(&entries, store)
            }
            (Phase::AwaitingWelcome, Frame::Refuse { code, reason }) => {
                self.phase = Phase::Closed;
                self.closed = Some(format!("refused ({code:?}): {reason}"));
                Ok(())
            }
            (Phase::Open, Frame::Membership { entries, heads }) => {
                self.on_membership(entries, heads, store, out)
            }
            (Phase::Open, Frame::Ranges { ranges }) if self.docs_open => {
                self.on_ranges(&ranges, store, out)
            }
            (
                Phase::Open,
                Frame::DocSync {
                    doc,
                    message,
                    signatures,
                },
            ) if self.docs_open => self.with_docs(store, out, |docs, ctx| {
                docs.receive(doc, (&message, &signatures), checked, ctx)
            }),
            (Phase::Open, Frame::DocRefused { doc, .. }) if self.docs_open => {
                self.with_docs(store, out, |docs, ctx| docs.peer_refused(doc, ctx))
            }
            (Phase::Open, Frame::Peers { peers }) => {
                if self.docs_open {
                    store.add_peer_hints(self.remote, peers)?;
                } else {
                    self.hints_waiting = Some(peers);
                }
                Ok(())
            }
            (_, frame) => Err(self.unexpected(&frame)),
        }
    }

    fn on_hello(
        &mut self,
        protocol_version: u32,
        garden: GardenId,
        membership_heads: Vec<EntryHash>,
        join: Option<Vec<u8>>,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        if protocol_version != PROTOCOL_VERSION {
            self.refuse(
                RefuseCode::UnsupportedVersion,
                format!(
                    "protocol version {protocol_version} is not supported (this peer speaks {PROTOCOL_VERSION})"
                ),
                out,
            );
            return Ok(());
        }
        if garden != store.garden() {
            self.refuse(
                RefuseCode::UnknownGarden,
                format!("this peer does not hold garden {garden}"),
                out,
            );
            return Ok(());
        }
        let role = match join {
            Some(redeem) => match store.admit_join(self.remote, &redeem) {
                Ok(role) => role,
                Err(refusal) => {
                    self.refuse(refusal.code, refusal.reason, out);
                    return Ok(());
                }
            },
            None => match store.role(self.remote)? {
                Some(role) => role,
                None if store.was_member(self.remote)? => {
                    // Removed: they learn it from the log (the entries
                    // they lack), then are refused.
                    self.membership.theirs = sorted(membership_heads);
                    self.tell_entries_they_lack(store, out)?;
                    self.refuse(
                        RefuseCode::NotAMember,
                        format!("{} was removed from this garden", self.remote),
                        out,
                    );
                    return Ok(());
                }
                None => {
                    self.refuse(
                        RefuseCode::NotAMember,
                        format!("{} is not a member of this garden", self.remote),
                        out,
                    );
                    return Ok(());
                }
            },
        };
        // Admitted: from here on the peer may learn about the garden.
        self.garden = Some(garden);
        self.phase = Phase::Open;
        self.membership.theirs = sorted(membership_heads);
        let mine = sorted(store.membership_heads()?);
        self.membership.told = mine.clone();
        out.push(Frame::Welcome {
            membership_heads: mine.clone(),
            docs: store.docs_fingerprint()?,
            role_of_you: role,
        });
        if mine == self.membership.theirs {
            return self.settle(store, out);
        }
        let entries = self.entries_for_peer(store)?;
        if !entries.is_empty() {
            out.push(Frame::Membership {
                entries,
                heads: mine,
            });
        }
        Ok(())
    }

    fn refuse(&mut self, code: RefuseCode, reason: String, out: &mut Vec<Frame>) {
        self.phase = Phase::Closed;
        self.closed = Some(format!("refused the peer: {reason}"));
        out.push(Frame::Refuse { code, reason });
    }

    fn bye(&mut self, reason: String, out: &mut Vec<Frame>) {
        self.phase = Phase::Closed;
        self.closed = Some(reason.clone());
        out.push(Frame::Bye { reason });
    }

    /// The entries the peer lacks that this connection has not sent yet.
    fn entries_for_peer(
        &mut self,
        store: &mut impl SyncStore,
    ) -> Result<Vec<Vec<u8>>, SessionError> {
        let entries = store.membership_entries_for(&self.membership.theirs)?;
        Ok(entries
            .into_iter()
            .filter(|e| self.membership.sent.insert(Sha256::digest(e).into()))
            .collect())
    }

    fn send_membership(
        &mut self,
        store: &mut impl SyncStore,
        mine: Vec<EntryHash>,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        let entries = self.entries_for_peer(store)?;
        self.membership.told = mine.clone();
        out.push(Frame::Membership {
            entries,
            heads: mine,
        });
        Ok(())
    }

    /// One more `Membership` frame from the peer, within
    /// [`Limits::max_membership_rounds`]: its entries (if any) added to the
    /// log, which checks each one.
    fn take_membership(
        &mut self,
        entries: &[Vec<u8>],
        store: &mut impl SyncStore,
    ) -> Result<(), SessionError> {
        self.membership.rounds += 1;
        if self.membership.rounds > self.limits.max_membership_rounds {
            return Err(SessionError::Limit {
                what: "membership rounds",
                limit: self.limits.max_membership_rounds,
            });
        }
        if entries.is_empty() {
            return Ok(());
        }
        store.add_membership_entries(entries).map_err(|e| match e {
            MembershipError::Invalid(reason) => SessionError::BadMembership(reason),
            MembershipError::Store(reason) => SessionError::Store(StoreError::new(reason)),
        })?;
        self.stats.membership_entries_received += entries.len() as u64;
        Ok(())
    }

    /// Send the peer the log entries it lacks, if any, with this side's
    /// heads: before a refusal, so that a removed member's own log says it
    /// is no longer a member and its app can say so rather than retry.
    fn tell_entries_they_lack(
        &mut self,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        let entries = self.entries_for_peer(store)?;
        if !entries.is_empty() {
            out.push(Frame::Membership {
                entries,
                heads: sorted(store.membership_heads()?),
            });
        }
        Ok(())
    }

    fn on_membership(
        &mut self,
        entries: Vec<Vec<u8>>,
        heads: Vec<EntryHash>,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        self.take_membership(&entries, store)?;
        if !entries.is_empty() && self.membership.settled && !self.check_peer(store, out)? {
            return Ok(());
        }
        self.membership.theirs = sorted(heads);
        let mine = sorted(store.membership_heads()?);
        if mine != self.membership.theirs {
            return self.send_membership(store, mine, out);
        }
        if self.membership.told != mine {
            self.membership.told = mine.clone();
            out.push(Frame::Membership {
                entries: Vec::new(),
                heads: mine,
            });
        }
        self.settle(store, out)
    }

    /// The logs agree: check the peer is (still) a member, and open the
    /// documents the first time.
    fn settle(
        &mut self,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        self.membership.rounds = 0;
        self.membership.settled = true;
        if !self.check_peer(store, out)? || self.docs_open {
            return Ok(());
        }
        self.docs_open = true;
        if let Some(hints) = self.hints_waiting.take() {
            store.add_peer_hints(self.remote, hints)?;
        }
        self.send_hints(store, out)?;
        if self.side == Side::Initiator && store.docs_fingerprint()? != self.their_docs {
            let set = ItemSet::new(store.doc_digests()?);
            let ranges = set.initial(&self.limits);
            self.awaiting_ranges = ranges
                .iter()
                .any(|r| matches!(r.payload, RangePayload::Fingerprint(_)));
            out.push(Frame::Ranges { ranges });
        }
        let pending = std::mem::take(&mut self.pending_local);
        self.with_docs(store, out, |docs, ctx| {
            for doc in pending {
                docs.enqueue(doc);
            }
            docs.pump(ctx)
        })
    }

    /// Send the store's addresses (within the limits) if they differ from
    /// what the peer was last told.
    fn send_hints(
        &mut self,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        let mut hints = store.peer_hints(self.remote)?;
        hints.retain(|h| h.member != self.remote);
        hints.truncate(self.limits.max_peer_hints);
        for hint in &mut hints {
            hint.direct.truncate(self.limits.max_hint_addrs);
            if hint.relay.as_ref().is_some_and(|r| r.len() > MAX_RELAY_URL) {
                hint.relay = None;
            }
        }
        hints.sort();
        if hints.is_empty() || self.hints_told.as_ref() == Some(&hints) {
            return Ok(());
        }
        self.hints_told = Some(hints.clone());
        out.push(Frame::Peers { peers: hints });
        Ok(())
    }

    /// Whether the peer is a member; if not, say goodbye.
    fn check_peer(
        &mut self,
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<bool, SessionError> {
        if store.role(self.remote)?.is_some() {
            return Ok(true);
        }
        // The entries that removed them (and any others they lack) first.
        self.tell_entries_they_lack(store, out)?;
        let reason = match self.side {
            Side::Acceptor => format!("{} is no longer a member of this garden", self.remote),
            Side::Initiator => format!("{} is not a member of this garden", self.remote),
        };
        self.bye(reason, out);
        Ok(false)
    }

    fn on_ranges(
        &mut self,
        ranges: &[crate::frame::Range],
        store: &mut impl SyncStore,
        out: &mut Vec<Frame>,
    ) -> Result<(), SessionError> {
        self.stats.reconcile_rounds += 1;
        if self.stats.reconcile_rounds > self.limits.max_reconcile_rounds as u64 {
            return Err(SessionError::Limit {
                what: "reconciliation rounds",
                limit: self.limits.max_reconcile_rounds,
            });
        }
        let asked = ranges
            .iter()
            .any(|r| matches!(r.payload, RangePayload::Fingerprint(_)));
        let set = ItemSet::new(store.doc_digests()?);
        let reply = set
            .respond(ranges, &self.limits)
            .map_err(SessionError::Protocol)?;
        self.awaiting_ranges = reply.asks();
        self.stats.docs_differing += reply.differing.len() as u64;
        if asked || !reply.ranges.is_empty() {
            out.push(Frame::Ranges {
                ranges: reply.ranges,
            });
        }
        self.with_docs(store, out, |docs, ctx| {
            let missing: HashSet<DocId> = reply.missing_there.into_iter().collect();
            for doc in reply.differing {
                if missing.contains(&doc) {
                    docs.enqueue_missing(doc);
                } else {
                    docs.enqueue(doc);
                }
            }
            docs.pump(ctx)
        })
    }
}

/// Whether `frame` counts in an `Idle`'s `seen` (and as a round trip): not
/// `Idle` or `Peers`, which nobody answers, so that waiting for the peer
/// to have handled them would cost a round trip for nothing.
fn counts(frame: &Frame) -> bool {
    !matches!(frame, Frame::Idle { .. } | Frame::Peers { .. })
}

fn sorted(mut heads: Vec<EntryHash>) -> Vec<EntryHash> {
    heads.sort_unstable();
    heads.dedup();
    heads
}
