//! Loam's pure core.
//!
//! This crate owns the vocabulary every other crate speaks: identifiers
//! ([`GardenId`], [`DocId`], the [`ContentHash`] attachments are stored by), title normalisation (how "Wiki Page" and
//! "wiki  page" become the same key), and the schema of a note or wiki page as
//! an Automerge document ([`NoteDoc`]), and how a document maps to a file in
//! a markdown folder ([`vault`]).
//!
//! It is pure: no I/O, no clock, no threads. Callers pass the current time in
//! (as a [`Timestamp`]) so that every change carries a real time while this
//! crate stays deterministic and testable.

mod content_hash;
mod doc;
mod ids;
mod title;
pub mod vault;

pub use content_hash::{ContentHash, HashParseError};
pub use doc::{
    DocError, DocKind, DocSnapshot, NewDoc, NoteDoc, TextEdit, Timestamp, automerge_load_count,
};
pub use ids::{DocId, GardenId, IdParseError, MemberId};
pub use title::{normalise_tag, normalise_title};

/// Re-exported so that crates above can name change hashes without their own
/// dependency on automerge.
pub use automerge::ChangeHash;
