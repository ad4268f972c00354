//! Editor sessions: the webview holds an Automerge replica of the open
//! document and keeps it in step with the node's over a channel, by the
//! Automerge sync protocol (only sync messages cross, never text positions).
//!
//! A session is one (document, webview replica) pair with its own sync
//! state. Messages from the webview arrive through the `editor_sync`
//! command, in order (the UI sends one at a time); messages to it go down
//! the session's channel as raw bytes, after every message received and
//! every change the node stores for the document (another window, a
//! restore, a peer).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use loam_node::{DocId, Garden, ReplicaSync};
use tauri::ipc::{Channel, InvokeResponseBody};

use crate::dto::{CommandError, ErrorKind};

/// The open editor sessions.
#[derive(Debug, Default)]
pub struct Editors {
    next: AtomicU32,
    sessions: Mutex<HashMap<u32, Arc<Mutex<Session>>>>,
}

struct Session {
    doc: DocId,
    garden: Arc<Garden>,
    sync: ReplicaSync,
    channel: Channel<InvokeResponseBody>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("doc", &self.doc)
            .field("channel", &self.channel.id())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Send the webview what it lacks, if anything.
    fn pump(&mut self) -> Result<(), CommandError> {
        if let Some(message) = self.garden.replica_message_for(self.doc, &mut self.sync)? {
            self.channel
                .send(InvokeResponseBody::Raw(message))
                .map_err(|e| {
                    CommandError::new(ErrorKind::Internal, format!("cannot reach the editor: {e}"))
                })?;
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Editors {
    /// Open a session on `doc`; its messages go to `channel`.
    pub fn open(
        &self,
        garden: Arc<Garden>,
        doc: DocId,
        channel: Channel<InvokeResponseBody>,
    ) -> u32 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let session = Session {
            doc,
            garden,
            sync: ReplicaSync::new(),
            channel,
        };
        lock(&self.sessions).insert(id, Arc::new(Mutex::new(session)));
        id
    }

    fn session(&self, id: u32) -> Result<Arc<Mutex<Session>>, CommandError> {
        lock(&self.sessions).get(&id).cloned().ok_or_else(|| {
            CommandError::new(
                ErrorKind::NotFound,
                format!("editor session {id} is closed: open the note again"),
            )
        })
    }

    /// The document's stored bytes, for the webview to load its replica from.
    pub fn load(&self, id: u32) -> Result<Vec<u8>, CommandError> {
        let session = self.session(id)?;
        let session = lock(&session);
        Ok(session.garden.document_bytes(session.doc)?)
    }

    /// A sync message from the webview: store what it brings, answer.
    pub fn receive(&self, id: u32, message: &[u8]) -> Result<(), CommandError> {
        let session = self.session(id)?;
        let mut session = lock(&session);
        let Session {
            doc, garden, sync, ..
        } = &mut *session;
        garden.receive_replica_message(*doc, sync, message)?;
        session.pump()
    }

    /// The node stored a change of `doc`: tell every session on it.
    /// Sessions whose webview is gone are closed.
    pub fn changed(&self, doc: DocId) {
        let sessions: Vec<(u32, Arc<Mutex<Session>>)> = lock(&self.sessions)
            .iter()
            .map(|(id, s)| (*id, s.clone()))
            .collect();
        for (id, session) in sessions {
            let mut session = lock(&session);
            if session.doc == doc && session.pump().is_err() {
                drop(session);
                self.close(id);
            }
        }
    }

    /// End a session.
    pub fn close(&self, id: u32) {
        lock(&self.sessions).remove(&id);
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// Whether no session is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
