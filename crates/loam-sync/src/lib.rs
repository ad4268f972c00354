//! Loam's sync protocol, sans IO: a state machine over frames.
//!
//! A [`Session`] is one connection between two peers about one garden. The
//! transport (iroh, in loam-net; an in-memory pipe in tests) reads bytes,
//! cuts them into [`Frame`]s with a [`FrameDecoder`], hands each to
//! [`Session::handle`] and writes back the frames it returns. The session
//! reads and writes the garden through the [`SyncStore`] trait, which
//! loam-node implements. Nothing here does I/O, spawns a task or reads a
//! clock, so every step is deterministic and testable by passing frames
//! between peers in a loop.
//!
//! The protocol (see [`session`](Session) for the sequence):
//! 1. **Authorise before data**: the acceptor decides on the `Hello` alone
//!    (a member of the garden, or a valid invite); a stranger gets `Refuse`
//!    and no document byte.
//! 2. **Membership**: logs are exchanged as opaque entries until both have
//!    the same heads; each side then checks the other is a member.
//! 3. **Reconcile** the set of `(doc → heads digest)` ([`reconcile`
//!    module](crate#reconciliation)): one [`Fingerprint`] of the whole
//!    garden first, range-based set reconciliation where it differs.
//! 4. **Sync** each differing document with Automerge's sync protocol, many
//!    at once; every change travels with a signature of its author, checked
//!    before the store sees it ([`SignedChanges`](loam_core::SignedChanges)).
//! 5. **Live**: [`Session::local_change`] pushes a change as it is made;
//!    [`Session::membership_changed`] propagates membership and closes the
//!    session of a removed member.
//!
//! # Reconciliation
//! Documents are items `(DocId, HeadsDigest)` sorted by id. A range is
//! described by its count and a digest of the sum of its items' SHA-256
//! hashes (see [`fingerprint_of`] for why a sum, and its weakness).
//! Differing ranges are split in [`Limits::split`] parts until they hold at
//! most [`Limits::items_below`] documents, which are then listed.
//!
//! # Bounds
//! Every frame is length-prefixed and at most [`Limits::max_frame`] bytes;
//! every list is bounded; Automerge messages are bounded in changes,
//! document size and Bloom filter work before Automerge decodes them. A
//! peer that breaks a bound gets a [`SessionError`] and is disconnected.

mod codec;
mod doc_sessions;
mod fingerprint;
mod frame;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod limits;
mod reconcile;
mod session;
mod store;
mod verify;

pub use fingerprint::{
    Accumulator, Fingerprint, HeadsDigest, fingerprint_of, heads_digest, item_hash,
};
pub use frame::{
    Bound, EntryHash, FRAME_VERSION, Frame, FrameDecoder, FrameError, LENGTH_PREFIX, MAX_RELAY_URL,
    PROTOCOL_VERSION, PeerHint, Range, RangePayload, RefuseCode, ShortDigest,
};
pub use limits::Limits;
pub use session::{Received, Session, SessionError, SyncStats};
pub use store::{MembershipError, Refusal, StoreError, SyncStore, WholeDoc};
pub use verify::Prechecked;

/// Re-exported so that a store can name Automerge's sync types without its
/// own dependency.
pub use automerge::sync::{Message as SyncMessage, State as SyncState};
