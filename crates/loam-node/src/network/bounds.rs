//! How long and how many: the bounds a node keeps towards its peers, so
//! that a peer that stalls, trickles or floods costs a bounded amount of
//! time, memory and connections (frame sizes are loam-sync's [`Limits`]).
//!
//! [`Limits`]: loam_sync::Limits

use std::time::Duration;

/// The network's bounds on peers. The defaults suit real networks; tests
/// shorten the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Bounds {
    /// From an incoming connection to its `Hello`: a peer that opens no
    /// stream, or sends no complete hello in this time, is closed.
    pub hello_timeout: Duration,
    /// How long a peer may make no progress while this side waits for it
    /// (a reply, or the rest of a frame): progress is a whole frame, or
    /// [`Bounds::progress_bytes`] of one, so trickling a byte at a time
    /// does not keep a connection alive.
    pub reply_timeout: Duration,
    /// How many bytes of a frame count as progress.
    pub progress_bytes: usize,
    /// How long a session with something in flight may hear no frame
    /// before its stalled documents are reset (loam-sync's `on_silence`).
    pub silence: Duration,
    /// Incoming sessions from one member at once; more are closed at once.
    pub max_sessions_per_peer: usize,
    /// Incoming sessions from everyone together at once.
    pub max_incoming_sessions: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            hello_timeout: Duration::from_secs(10),
            reply_timeout: Duration::from_secs(30),
            progress_bytes: 16 * 1024,
            silence: Duration::from_secs(2),
            max_sessions_per_peer: 4,
            max_incoming_sessions: 64,
        }
    }
}
