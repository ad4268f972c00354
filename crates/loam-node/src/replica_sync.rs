//! Keeping another replica of one document in step with the garden's, by
//! the Automerge sync protocol: what the desktop app's editor (an Automerge
//! replica in the webview) runs over its channel to the node.
//!
//! The protocol is a state machine over messages: each side keeps a
//! [`ReplicaSync`] per peer, generates a message after every change and
//! every message received, and stops when neither has anything to send. The
//! transport is the caller's; it must deliver messages in order (reset the
//! state on reconnect). Text positions never cross: only changes do, so the
//! webview may count UTF-16 units while Rust counts code points.
//!
//! What arrives is stored like any other change (chunk, text, index and
//! history in one transaction) and announced on the event stream.

use automerge::sync::SyncDoc;
use loam_core::{DocId, actor_for};

use crate::{Garden, NodeError};

/// Longest accepted sync message: far more than any edit, small enough that
/// a bad peer cannot make the node decode gigabytes.
pub const MAX_SYNC_MESSAGE: usize = 64 * 1024 * 1024;

/// The sync protocol's state for one (document, peer) pair: what the peer
/// is known to have. Start a fresh one for every new connection.
#[derive(Debug, Default)]
pub struct ReplicaSync {
    state: automerge::sync::State,
}

impl ReplicaSync {
    /// A state for a peer nothing is known of yet.
    pub fn new() -> Self {
        Self::default()
    }
}

/// What receiving a sync message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncReceived {
    /// The message carried changes the garden did not have (now stored).
    pub changed: bool,
}

impl Garden {
    /// A fresh Automerge actor id (hex) for a replica this member edits
    /// elsewhere, such as the webview's: the member id and 8 random bytes,
    /// so that history attributes its changes to the member.
    pub fn replica_actor(&self) -> String {
        actor_for(self.lock().member).to_hex_string()
    }

    /// The next sync message for the peer whose state is `sync`, or `None`
    /// when the peer has everything. Commits pending edits first, so that
    /// they travel as one change.
    pub fn replica_message_for(
        &self,
        id: DocId,
        sync: &mut ReplicaSync,
    ) -> Result<Option<Vec<u8>>, NodeError> {
        let mut state = self.lock();
        self.shared().store_own_first(&mut state, id)?;
        state.catch_up(id)?;
        let message = state
            .doc(id)?
            .automerge()
            .sync()
            .generate_sync_message(&mut sync.state);
        Ok(message.map(automerge::sync::Message::encode))
    }

    /// Apply a sync message from the peer whose state is `sync`. Changes it
    /// brings are stored with their history before this returns, and
    /// announced. Call [`Garden::replica_message_for`] afterwards for the reply.
    pub fn receive_replica_message(
        &self,
        id: DocId,
        sync: &mut ReplicaSync,
        message: &[u8],
    ) -> Result<SyncReceived, NodeError> {
        if message.len() > MAX_SYNC_MESSAGE {
            return Err(NodeError::BadSyncMessage(format!(
                "{} bytes is more than the {MAX_SYNC_MESSAGE} a message may have",
                message.len()
            )));
        }
        let message = automerge::sync::Message::decode(message)
            .map_err(|e| NodeError::BadSyncMessage(e.to_string()))?;
        let mut state = self.lock();
        self.shared().store_own_first(&mut state, id)?;
        state.catch_up(id)?;
        let doc = state.doc(id)?.automerge();
        let before = doc.get_heads();
        let received = doc.sync().receive_sync_message(&mut sync.state, message);
        if let Err(e) = received {
            // Nothing half-applied stays: the next use reloads what is stored.
            state.forget(&[id]);
            return Err(NodeError::doc(id)(e.into()));
        }
        let changed = state.doc(id)?.automerge().get_heads() != before;
        if changed {
            state.mark_unstored(id);
            let stored = state.store(&[id]).inspect_err(|_| state.forget(&[id]))?;
            drop(state);
            self.shared().announce(stored);
        }
        Ok(SyncReceived { changed })
    }
}
