//! A garden's background worker: stores group-committed changes once they
//! have waited [`GROUP_COMMIT`], and compacts documents with many chunks.
//!
//! One thread per open garden. It holds only a weak reference, so it never
//! keeps a garden alive; dropping the [`Worker`] stops it after the job at
//! hand.

use std::sync::Weak;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;

use crate::compaction;
use crate::garden::{GROUP_COMMIT, Shared};

/// The handle of a garden's worker thread.
#[derive(Debug)]
pub(crate) struct Worker {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub(crate) fn spawn(shared: Weak<Shared>) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("loam-garden".into())
            .spawn(move || {
                loop {
                    match stopped.recv_timeout(GROUP_COMMIT / 2) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                    let Some(shared) = shared.upgrade() else {
                        return;
                    };
                    // Failures leave everything as it was; the next round or
                    // the next foreground write retries and reports them.
                    let _ = shared.store_older_than(GROUP_COMMIT);
                    let _ = compaction::compact_queued(&shared);
                }
            })
            .ok();
        Self {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
