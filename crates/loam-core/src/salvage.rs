//! What can be saved of a document some of whose stored chunks are
//! damaged (truncated, bit-flipped): every chunk that still loads, in
//! order, and the changes that depend on nothing lost.
//!
//! Automerge checks each chunk's checksum and format when loading it, so a
//! damaged chunk is refused whole; changes in later chunks that build on a
//! change only the damaged chunk held cannot be applied and are counted as
//! lost. Pure: bytes in, bytes out.

use automerge::{Automerge, LoadOptions, OnPartialLoad, ReadDoc};
use sha2::{Digest, Sha256};

/// The result of [`salvage_chunks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salvage {
    /// One full save of everything that loaded (empty when nothing did).
    pub save: Vec<u8>,
    /// Positions (in the input) of the chunks that loaded.
    pub kept: Vec<usize>,
    /// Positions of the chunks that did not, with why.
    pub dropped: Vec<(usize, String)>,
    /// Changes that arrived but wait for a change no chunk holds any more:
    /// lost with the damaged chunks.
    pub stranded: usize,
}

/// The bytes every Automerge chunk starts with.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Whether `chunk` (a stored save: Automerge chunks one after another) is
/// whole and undamaged. Automerge's own incremental loading stops quietly
/// at a chunk cut short or failing its checksum and keeps what came before,
/// so a damaged chunk would silently lose changes; this walks every chunk
/// header, checks each length and checksum (the first 4 bytes of the
/// SHA-256 of type, length and contents), and loads a document chunk
/// strictly.
pub fn check_chunk(chunk: &[u8]) -> Result<(), String> {
    if chunk.is_empty() {
        return Err("the chunk is empty".to_owned());
    }
    let mut at = 0;
    while at < chunk.len() {
        let rest = &chunk[at..];
        if rest.len() < 9 || rest[..4] != MAGIC {
            return Err(format!("no automerge chunk starts at byte {at}"));
        }
        let kind = rest[8];
        let (len, len_bytes) =
            uleb128(&rest[9..]).ok_or_else(|| format!("bad chunk length at byte {at}"))?;
        let header = 9 + len_bytes;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| header.checked_add(len))
            .filter(|&end| end <= rest.len())
            .ok_or_else(|| {
                format!(
                    "cut short: the chunk at byte {at} needs {len} bytes, {} are left",
                    rest.len() - header.min(rest.len())
                )
            })?;
        let digest = Sha256::digest(&rest[8..end]);
        if digest[..4] != rest[4..8] {
            return Err(format!("the chunk at byte {at} fails its checksum"));
        }
        if kind == 0 {
            let strict = LoadOptions::new().on_partial_load(OnPartialLoad::Error);
            Automerge::load_with_options(&rest[..end], strict).map_err(|e| e.to_string())?;
        }
        at += end;
    }
    Ok(())
}

/// An unsigned LEB128 number at the start of `bytes`, and its length.
fn uleb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Load `chunks` in order, skipping each one that does not load (on a copy,
/// so a chunk that fails halfway leaves nothing behind), and save what
/// loaded as one document.
pub fn salvage_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Salvage {
    let mut doc = Automerge::new();
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        if let Err(why) = check_chunk(chunk) {
            dropped.push((i, why));
            continue;
        }
        let mut trial = doc.clone();
        match trial.load_incremental(chunk) {
            Ok(_) => {
                doc = trial;
                kept.push(i);
            }
            Err(e) => dropped.push((i, e.to_string())),
        }
    }
    let stranded = doc.get_missing_deps(&[]).len();
    let save = if doc.get_heads().is_empty() {
        Vec::new()
    } else {
        doc.save()
    };
    Salvage {
        save,
        kept,
        dropped,
        stranded,
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    use super::*;

    /// A document saved as a full save and two incremental chunks.
    fn chunks() -> Vec<Vec<u8>> {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        let first = doc.save();
        doc.put(ROOT, "b", 2).unwrap();
        let second = doc.save_incremental();
        doc.put(ROOT, "c", 3).unwrap();
        let third = doc.save_incremental();
        vec![first, second, third]
    }

    fn keys(save: &[u8]) -> Vec<String> {
        let doc = Automerge::load(save).unwrap();
        doc.keys(ROOT).collect()
    }

    fn check(damage: impl Fn(&mut Vec<Vec<u8>>), kept: &[usize], left: &[&str], stranded: usize) {
        let mut chunks = chunks();
        damage(&mut chunks);
        let salvage = salvage_chunks(chunks.iter().map(Vec::as_slice));
        assert_eq!(salvage.kept, kept);
        assert_eq!(salvage.stranded, stranded);
        if left.is_empty() {
            assert!(salvage.save.is_empty());
        } else {
            assert_eq!(keys(&salvage.save), left);
        }
    }

    #[test]
    fn damaged_chunks_are_dropped_and_the_rest_kept() {
        check(|_| {}, &[0, 1, 2], &["a", "b", "c"], 0);
        // The last chunk truncated: its change is gone, nothing else.
        check(
            |c| {
                let half = c[2].len() / 2;
                c[2].truncate(half);
            },
            &[0, 1],
            &["a", "b"],
            0,
        );
        // A bit flipped in the middle chunk: the change after it builds on
        // it and is stranded.
        check(
            |c| {
                let at = c[1].len() - 3;
                c[1][at] ^= 0x10;
            },
            &[0, 2],
            &["a"],
            1,
        );
        // The first save emptied: nothing loads on its own.
        check(|c| c[0].clear(), &[1, 2], &[], 1);
        // A byte flipped in the first save.
        check(|c| c[0][20] ^= 1, &[1, 2], &[], 1);
    }
}
