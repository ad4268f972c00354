//! Loam's pure core.
//!
//! This crate owns the vocabulary every other crate speaks: identifiers
//! ([`GardenId`], [`DocId`], the [`ContentHash`] attachments are stored by), title normalisation (how "Wiki Page" and
//! "wiki  page" become the same key), and the schema of a note or wiki page as
//! an Automerge document ([`NoteDoc`]), and how a document maps to a file in
//! a markdown folder ([`vault`]).
//!
//! Every change carries its author and time: [`history`](ChangeSummary)
//! reads them back and groups changes into edit [`sessions`].
//!
//! Members sign what they write ([`SignedChanges`], by their [`MemberKey`])
//! and hold a [`Role`] in each garden, decided by the garden's signed
//! [`MembershipLog`] (its fold, [`Membership`], is the allowlist every peer
//! computes alike).
//!
//! The community layer's documents (the garden manifest facilitators
//! curate and each member's journal), who may write them, how they fold into
//! threads, kudos and the index, and the dashboard's figures live in
//! [`community`].
//!
//! It is pure: no I/O, no clock, no threads. Callers pass the current time in
//! (as a [`Timestamp`]) so that every change carries a real time while this
//! crate stays deterministic and testable.

pub mod community;
mod content_hash;
mod doc;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod history;
mod ids;
mod membership;
mod salvage;
mod signature;
mod title;
pub mod vault;

pub use content_hash::{ContentHash, HashParseError};
pub use doc::{
    DocError, DocKind, DocSnapshot, NewDoc, NoteDoc, TextEdit, Timestamp, Unsaved,
    automerge_load_count,
};
pub use history::{
    ChangeAuthor, ChangeSummary, SESSION_GAP, Session, actor_for, author_of, change_time, sessions,
};
pub use ids::{DocId, GardenId, IdParseError, MemberId};
pub use membership::{
    Action, Entry, EntryHash, Inserted, InviteInfo, InviteKey, InviteRefusal, Joined, LogLine,
    MAX_ENTRY_BYTES, MAX_NAME_BYTES, MAX_PARENTS, MAX_PENDING, MemberInfo, Membership,
    MembershipError, MembershipLog, NoEffect, RemovedInfo, Role, check_name,
};
pub use salvage::{Salvage, check_chunk, salvage_chunks};
pub use signature::{MAX_SIGNED_CHANGES, MemberKey, SignatureError, SignedChanges, verify};
pub use title::{normalise_tag, normalise_title};

/// Re-exported so that crates above can name change hashes without their own
/// dependency on automerge.
pub use automerge::ChangeHash;
