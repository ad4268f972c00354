//! The event stream: every change to a garden, announced as it is committed.

use loam_core::{DocId, GardenId};
use serde::Serialize;

/// Something changed. Subscribers (the desktop UI, and sync later) receive
/// every event sent after they subscribed; a slow subscriber that falls more
/// than the channel's capacity behind is told how many it missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A garden was created.
    GardenCreated {
        /// The garden.
        garden: GardenId,
        /// Its name.
        name: String,
    },
    /// A note or page was created.
    DocCreated {
        /// The garden.
        garden: GardenId,
        /// The document.
        doc: DocId,
        /// Its title.
        title: String,
    },
    /// A document's text or fields changed and the change is stored.
    DocChanged {
        /// The garden.
        garden: GardenId,
        /// The document.
        doc: DocId,
        /// The new heads, hex.
        heads: Vec<String>,
    },
    /// A document was renamed.
    DocRenamed {
        /// The garden.
        garden: GardenId,
        /// The document.
        doc: DocId,
        /// The old title.
        from: String,
        /// The new title.
        to: String,
    },
    /// The garden's membership changed: entries were added to its log
    /// (made here or received). Roles may have changed.
    MembershipChanged {
        /// The garden.
        garden: GardenId,
        /// The log's new heads, hex.
        heads: Vec<String>,
    },
    /// A document was archived (hidden) or restored.
    DocArchived {
        /// The garden.
        garden: GardenId,
        /// The document.
        doc: DocId,
        /// True when archived, false when restored.
        archived: bool,
    },
}

/// How many events a subscriber may fall behind before it misses some.
pub(crate) const CAPACITY: usize = 1024;
