//! The bounds a peer must keep, and the knobs of reconciliation.

/// Every bound the protocol enforces. A peer that breaks one is
/// disconnected with a reason; the defaults suit a garden of tens of
/// thousands of notes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest frame, in bytes (after the 4-byte length prefix).
    pub max_frame: usize,
    /// The largest frame an acceptor reads before it has decided on the
    /// peer's `Hello` (a hello with a redeem entry is a few KiB): a
    /// stranger holding no invite, or anyone while an invite is open,
    /// cannot make it buffer more than this.
    pub max_hello_frame: usize,
    /// Membership heads in one frame.
    pub max_heads: usize,
    /// Membership entries in one frame.
    pub max_entries: usize,
    /// Ranges in one `Ranges` frame.
    pub max_ranges: usize,
    /// Items listed in one `Ranges` frame, all ranges together.
    pub max_items: usize,
    /// Changes in one Automerge sync message (a whole document counts each
    /// of its changes).
    pub max_message_changes: usize,
    /// Bytes of one whole-document chunk inside a sync message.
    pub max_doc_bytes: usize,
    /// Signature batches beside one sync message.
    pub max_signature_batches: usize,
    /// Bloom filter probes per hash a peer may ask for (Automerge uses 7).
    pub max_bloom_probes: u32,
    /// Documents this side syncs at once on one connection; the rest wait.
    pub max_docs_in_flight: usize,
    /// Documents the peer may have in flight towards this side at once.
    pub max_peer_docs_in_flight: usize,
    /// Documents sent whole (to a peer that holds none of them) and not
    /// yet acknowledged, at once: more than `max_docs_in_flight`, since
    /// each costs this side only a read, so that the peer always has the
    /// next ones to store. At most `max_whole_bytes_in_flight` bytes of
    /// them (and at least one).
    pub max_whole_in_flight: usize,
    /// See `max_whole_in_flight`.
    pub max_whole_bytes_in_flight: usize,
    /// `Membership` frames received before the logs must agree.
    pub max_membership_rounds: usize,
    /// `Ranges` frames received in one reconciliation.
    pub max_reconcile_rounds: usize,
    /// Resets of one document's sync before it is given up on for the
    /// connection.
    pub max_resets: u32,
    /// Members' addresses in one `Peers` frame (more are not sent).
    pub max_peer_hints: usize,
    /// Direct addresses of one member in a `Peers` frame.
    pub max_hint_addrs: usize,
    /// How many sub-ranges a differing range is split into.
    pub split: usize,
    /// A differing range holding at most this many documents is answered
    /// with its items instead of being split.
    pub items_below: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame: 16 * 1024 * 1024,
            max_hello_frame: 64 * 1024,
            max_heads: 4096,
            max_entries: 100_000,
            max_ranges: 100_000,
            max_items: 500_000,
            max_message_changes: 1_000_000,
            max_doc_bytes: 16 * 1024 * 1024,
            max_signature_batches: 1_000_000,
            max_bloom_probes: 64,
            max_docs_in_flight: 64,
            max_peer_docs_in_flight: 1024,
            max_whole_in_flight: 512,
            max_whole_bytes_in_flight: 4 * 1024 * 1024,
            max_membership_rounds: 16,
            max_reconcile_rounds: 64,
            max_resets: 3,
            max_peer_hints: 64,
            max_hint_addrs: 8,
            split: 16,
            items_below: 4,
        }
    }
}
