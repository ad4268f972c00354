//! Compaction: a document's incremental chunks are replaced by one full save
//! once there are many of them.
//!
//! The chunks are read under the garden's lock, the save is built without
//! holding it (loading a large document takes a while), and the chunks that
//! were read are swapped for the save in one transaction. Chunks written in
//! the meantime have higher sequence numbers and stay.

use loam_core::{DocId, NoteDoc};
use loam_store::ChunkStats;

use crate::NodeError;
use crate::garden::Shared;

/// Compact a document once it has this many chunks...
pub(crate) const COMPACT_AT_CHUNKS: u64 = 64;

/// ...and its chunks take at least twice the size of its last compacted
/// save (`base`, 0 when unknown). Loading a document with a long history is
/// what compaction costs, so it must happen less often as the document
/// grows: this keeps its cost proportional to the bytes written.
pub(crate) fn due(stats: &ChunkStats, base: u64) -> bool {
    stats.chunks >= COMPACT_AT_CHUNKS && stats.bytes >= base.saturating_mul(2)
}

/// Replace `id`'s chunks by one full save. Returns false when there was
/// nothing to compact.
pub(crate) fn compact(shared: &Shared, id: DocId) -> Result<bool, NodeError> {
    let (chunks, member) = {
        let state = shared.lock();
        (state.store.load_chunks(id)?, state.member)
    };
    let Some(upto) = chunks.last().map(|c| c.seq) else {
        return Ok(false);
    };
    if chunks.len() < 2 {
        return Ok(false);
    }
    let mut doc = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), member)
        .map_err(NodeError::doc(id))?;
    let save = doc.save().map_err(NodeError::doc(id))?;
    let mut state = shared.lock();
    state.store.compact_doc(id, &save, upto)?;
    state.compacted.insert(id, save.len() as u64);
    Ok(true)
}

/// Compact the documents queued by recent writes.
pub(crate) fn compact_queued(shared: &Shared) -> Result<(), NodeError> {
    let queued = std::mem::take(&mut shared.lock().to_compact);
    for id in queued {
        compact(shared, id)?;
    }
    Ok(())
}

/// Compact every document that has reached the threshold, now.
pub(crate) fn compact_all(shared: &Shared) -> Result<usize, NodeError> {
    let threshold = usize::try_from(COMPACT_AT_CHUNKS).unwrap_or(usize::MAX);
    let candidates = shared.lock().store.compaction_candidates(threshold)?;
    let mut done = 0;
    for id in candidates {
        if compact(shared, id)? {
            done += 1;
        }
    }
    Ok(done)
}
