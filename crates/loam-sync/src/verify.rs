//! Checking a document's sync message before it reaches storage: it decodes
//! within bounds, every change it carries is named, and every change is
//! covered by a valid signature of a current writer.
//!
//! Automerge's own decoder trusts its input in two ways a peer could abuse:
//! a Bloom filter may ask for billions of probes per hash, or for none at
//! all (a division by zero). Both are refused here first.

use std::collections::{HashMap, HashSet};

use automerge::sync::Message;
use automerge::{AutoCommit, Change, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode};
use loam_core::{DocId, GardenId, MemberId, SignedChanges};

use crate::limits::Limits;
use crate::session::SessionError;
use crate::store::SyncStore;

/// What to do with an incoming message.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Hand it to the store with these (verified, relevant) batches.
    Accept {
        message: Message,
        signatures: Vec<SignedChanges>,
        changes: usize,
        /// The document, when the message is one whole document (loaded
        /// here to read its changes).
        loaded: Option<Box<AutoCommit>>,
    },
    /// Signed, but not by someone who may write: refuse the document.
    Refuse { reason: String },
}

/// What can be checked of a document's sync message without the store:
/// it decodes within bounds, its changes are read (a whole document is
/// loaded, its hashes verified) and the signature batches that cover them
/// decode and verify. This is most of the work of receiving a document,
/// and needs nothing but the message, so [`Session::precheck`] does it for
/// a read's messages on several threads at once.
///
/// [`Session::precheck`]: crate::Session::precheck
#[derive(Debug)]
pub struct Prechecked {
    doc: DocId,
    result: Result<Decoded, SessionError>,
}

/// A message that decoded, with its verified batches.
#[derive(Debug)]
struct Decoded {
    message: Message,
    graph: ChangeGraph,
    /// The hashes of `graph`.
    wanted: HashSet<ChangeHash>,
    loaded: Option<Box<AutoCommit>>,
    /// The batches that cover any of the message's changes, each with a
    /// valid signature (of whoever: who may write is asked of the store).
    batches: Vec<SignedChanges>,
}

/// Check what needs no store of `doc`'s message `bytes` and its
/// `signatures`.
pub(crate) fn precheck(
    garden: GardenId,
    doc: DocId,
    bytes: &[u8],
    signatures: &[Vec<u8>],
    limits: &Limits,
) -> Prechecked {
    Prechecked {
        doc,
        result: decode_and_verify(garden, doc, bytes, signatures, limits),
    }
}

fn decode_and_verify(
    garden: GardenId,
    doc: DocId,
    bytes: &[u8],
    signatures: &[Vec<u8>],
    limits: &Limits,
) -> Result<Decoded, SessionError> {
    let bad = |reason: String| SessionError::BadSyncMessage { doc, reason };
    let message = Message::decode(bytes).map_err(|e| bad(e.to_string()))?;
    check_blooms(&message, limits).map_err(bad)?;
    let Changes { graph, loaded } = read_changes(&message, limits).map_err(bad)?;
    let wanted: HashSet<ChangeHash> = graph.iter().map(|(h, _)| *h).collect();
    let mut batches = Vec::new();
    if !wanted.is_empty() {
        for encoded in signatures {
            let batch = SignedChanges::decode(encoded)
                .map_err(|error| SessionError::BadSignature { doc, error })?;
            if !batch.changes().iter().any(|h| wanted.contains(h)) {
                continue;
            }
            batch
                .verify(garden, doc)
                .map_err(|error| SessionError::BadSignature { doc, error })?;
            batches.push(batch);
        }
    }
    Ok(Decoded {
        message,
        graph,
        wanted,
        loaded,
        batches,
    })
}

/// Decide on a prechecked message: every change must be covered by a
/// signature, and accepted ([`endorsed`]) by someone who may write it.
pub(crate) fn check_incoming(
    checked: Prechecked,
    store: &mut impl SyncStore,
) -> Result<Verdict, SessionError> {
    let doc = checked.doc;
    let Decoded {
        message,
        graph,
        wanted,
        loaded,
        batches,
    } = checked.result?;
    if graph.is_empty() {
        return Ok(Verdict::Accept {
            message,
            signatures: Vec::new(),
            changes: 0,
            loaded,
        });
    }
    let hashes: Vec<ChangeHash> = graph.iter().map(|(h, _)| *h).collect();
    let policy = store.write_policy(doc).map_err(SessionError::Store)?;
    // Signer → whether they may write this document, asked once per signer.
    let mut writers: HashMap<MemberId, bool> = HashMap::new();
    // Change → whether a writer's batch covers it, and a signer.
    let mut covered: HashMap<ChangeHash, (bool, MemberId)> = HashMap::new();
    for batch in &batches {
        let signer = batch.signer();
        let writer = match writers.get(&signer) {
            Some(w) => *w,
            None => {
                let role = store.role(signer).map_err(SessionError::Store)?;
                let w = policy.allows(signer, role);
                writers.insert(signer, w);
                w
            }
        };
        for hash in batch.changes() {
            if wanted.contains(hash) {
                let entry = covered.entry(*hash).or_insert((writer, signer));
                if writer && !entry.0 {
                    *entry = (true, signer);
                }
            }
        }
    }
    if let Some(hash) = hashes.iter().find(|h| !covered.contains_key(h)) {
        return Err(SessionError::Unsigned { doc, change: *hash });
    }
    let accepted = endorsed(&graph, &covered);
    if let Some(hash) = hashes.iter().find(|h| !accepted.contains(h)) {
        let signer = covered
            .get(hash)
            .map_or_else(String::new, |(_, s)| s.short());
        return Ok(Verdict::Refuse {
            reason: format!(
                "change {hash} is signed by {signer}, who may not write this document ({})",
                policy.describe()
            ),
        });
    }
    let relevant = batches
        .into_iter()
        .filter(|b| b.changes().iter().any(|h| accepted.contains(h)))
        .collect();
    Ok(Verdict::Accept {
        message,
        signatures: relevant,
        changes: hashes.len(),
        loaded,
    })
}

/// The changes of a message that may be applied: those signed by someone
/// who may write the document now, and those such a change builds on (its
/// ancestors among the message's changes).
///
/// A writer's Loam only ever builds on changes it accepted itself, so a
/// change a current writer built on was accepted when it was made, even if
/// its signer has since been removed or demoted (a former facilitator's
/// curation, a removed member's old edits): without this, a newcomer, who
/// receives a document whole, would refuse its history. A change signed
/// after its author lost the right is built on by no current writer, and
/// stays refused.
fn endorsed(
    graph: &[(ChangeHash, Vec<ChangeHash>)],
    covered: &HashMap<ChangeHash, (bool, MemberId)>,
) -> HashSet<ChangeHash> {
    let deps: HashMap<ChangeHash, &[ChangeHash]> =
        graph.iter().map(|(h, d)| (*h, d.as_slice())).collect();
    let mut accepted: HashSet<ChangeHash> = HashSet::new();
    let mut stack: Vec<ChangeHash> = graph
        .iter()
        .filter(|(h, _)| covered.get(h).is_some_and(|(w, _)| *w))
        .map(|(h, _)| *h)
        .collect();
    // Each change is pushed at most once more than it is accepted: bounded
    // by the message's changes and their dependencies.
    while let Some(hash) = stack.pop() {
        if !accepted.insert(hash) {
            continue;
        }
        if let Some(ds) = deps.get(&hash) {
            stack.extend(
                ds.iter()
                    .filter(|d| deps.contains_key(d) && !accepted.contains(d)),
            );
        }
    }
    accepted
}

/// The batches among `batches` that cover `hashes`, or the first change
/// none covers.
pub(crate) fn cover(
    hashes: &[ChangeHash],
    batches: Vec<SignedChanges>,
) -> Result<Vec<SignedChanges>, ChangeHash> {
    let wanted: HashSet<ChangeHash> = hashes.iter().copied().collect();
    let mut covered = HashSet::new();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for batch in batches {
        let useful = batch.changes().iter().any(|h| wanted.contains(h));
        if useful && seen.insert(batch.encode()) {
            covered.extend(
                batch
                    .changes()
                    .iter()
                    .filter(|h| wanted.contains(h))
                    .copied(),
            );
            out.push(batch);
        }
    }
    match hashes.iter().find(|h| !covered.contains(h)) {
        Some(missing) => Err(*missing),
        None => Ok(out),
    }
}

/// The hashes of every change a message carries: each change chunk, and
/// every change of a whole-document chunk (Automerge sends a whole document
/// when the peer has little of it, followed by any changes it holds whose
/// dependencies it lacks).
pub(crate) fn change_hashes(message: &Message, limits: &Limits) -> Result<Vec<ChangeHash>, String> {
    Ok(read_changes(message, limits)?
        .graph
        .into_iter()
        .map(|(hash, _)| hash)
        .collect())
}

/// Each change's hash, with the changes it depends on.
type ChangeGraph = Vec<(ChangeHash, Vec<ChangeHash>)>;

/// What a message's changes are.
struct Changes {
    graph: ChangeGraph,
    /// The document, when the message is exactly one whole-document chunk.
    loaded: Option<Box<AutoCommit>>,
}

/// [`change_hashes`], each with the changes it depends on.
fn read_changes(message: &Message, limits: &Limits) -> Result<Changes, String> {
    let mut hashes = Vec::new();
    let mut chunks = 0usize;
    let mut documents = Vec::new();
    for entry in message.changes.iter() {
        for chunk in split_chunks(entry)? {
            chunks += 1;
            if chunks > limits.max_message_changes {
                return Err(format!(
                    "more changes than the limit of {}",
                    limits.max_message_changes
                ));
            }
            match chunk.kind {
                CHUNK_DOCUMENT => {
                    let (graph, doc) = load_document(chunk.bytes, limits)?;
                    hashes.extend(graph);
                    documents.push(doc);
                }
                CHUNK_CHANGE | CHUNK_COMPRESSED => {
                    if chunk.kind == CHUNK_COMPRESSED {
                        check_inflated_size(chunk.body, limits.max_doc_bytes)?;
                    }
                    let change = Change::try_from(chunk.bytes)
                        .map_err(|e| format!("a change does not decode: {e}"))?;
                    hashes.push((change.hash(), change.deps().to_vec()));
                }
                other => return Err(format!("a chunk of unsupported type {other}")),
            }
            if hashes.len() > limits.max_message_changes {
                return Err(format!(
                    "more changes than the limit of {}",
                    limits.max_message_changes
                ));
            }
        }
    }
    let loaded = match (chunks, documents.pop()) {
        (1, Some(doc)) => Some(Box::new(doc)),
        _ => None,
    };
    Ok(Changes {
        graph: hashes,
        loaded,
    })
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_DOCUMENT: u8 = 0;
const CHUNK_CHANGE: u8 = 1;
const CHUNK_COMPRESSED: u8 = 2;

/// One Automerge storage chunk: magic (4) ++ checksum (4) ++ type (1) ++
/// length (uLEB128) ++ body.
struct Chunk<'a> {
    kind: u8,
    bytes: &'a [u8],
    body: &'a [u8],
}

/// Cut concatenated Automerge chunks apart by their headers.
fn split_chunks(mut bytes: &[u8]) -> Result<Vec<Chunk<'_>>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if bytes.len() < 10 || bytes[..4] != MAGIC {
            return Err("a chunk without automerge's header".into());
        }
        let kind = bytes[8];
        let mut rest = &bytes[9..];
        let before = rest.len();
        let len = leb128_u64(&mut rest).ok_or("a chunk length does not decode")?;
        let header = 9 + (before - rest.len());
        let total = usize::try_from(len)
            .ok()
            .and_then(|len| header.checked_add(len))
            .filter(|total| *total <= bytes.len())
            .ok_or("a chunk is truncated")?;
        out.push(Chunk {
            kind,
            bytes: &bytes[..total],
            body: &bytes[header..total],
        });
        bytes = &bytes[total..];
    }
    Ok(out)
}

/// Refuse a compressed change that inflates past `limit` bytes before
/// Automerge inflates it without a bound.
fn check_inflated_size(body: &[u8], limit: usize) -> Result<(), String> {
    use std::io::Read;
    let mut inflated = flate2::read::DeflateDecoder::new(body).take(limit as u64 + 1);
    let n = std::io::copy(&mut inflated, &mut std::io::sink())
        .map_err(|_| "a compressed change does not inflate".to_owned())?;
    if n > limit as u64 {
        return Err(format!("a compressed change inflates past {limit} bytes"));
    }
    Ok(())
}

/// The changes of a whole-document chunk. It must load completely, its
/// hashes verified. (Its columns are inflated by Automerge without a bound
/// of ours: the chunk's size is bounded, its inflated size is not checked.)
fn load_document(chunk: &[u8], limits: &Limits) -> Result<(ChangeGraph, AutoCommit), String> {
    if chunk.len() > limits.max_doc_bytes {
        return Err(format!(
            "a document of {} bytes, over the limit of {}",
            chunk.len(),
            limits.max_doc_bytes
        ));
    }
    let mut doc = AutoCommit::load_with_options(
        chunk,
        LoadOptions::new()
            .on_partial_load(OnPartialLoad::Error)
            .verification_mode(VerificationMode::Check),
    )
    .map_err(|e| format!("a document does not load: {e}"))?;
    let graph = doc
        .document()
        .get_changes_meta(&[])
        .into_iter()
        .map(|m| (m.hash, m.deps))
        .collect();
    Ok((graph, doc))
}

/// Refuse Bloom filters Automerge would choke on.
pub(crate) fn check_blooms(message: &Message, limits: &Limits) -> Result<(), String> {
    for have in &message.have {
        let bytes = have.bloom.to_bytes();
        if bytes.is_empty() {
            continue;
        }
        let mut rest = bytes.as_slice();
        let entries = leb128_u32(&mut rest).ok_or("a bloom filter does not decode")?;
        let bits_per_entry = leb128_u32(&mut rest).ok_or("a bloom filter does not decode")?;
        let probes = leb128_u32(&mut rest).ok_or("a bloom filter does not decode")?;
        if !(1..=64).contains(&bits_per_entry) || !(1..=limits.max_bloom_probes).contains(&probes) {
            return Err(format!(
                "a bloom filter with {bits_per_entry} bits per entry and {probes} probes"
            ));
        }
        if u64::from(entries) * u64::from(bits_per_entry) >= 1 << 32 {
            return Err("a bloom filter too large to probe".into());
        }
    }
    Ok(())
}

fn leb128_u32(bytes: &mut &[u8]) -> Option<u32> {
    leb128_u64(bytes).and_then(|v| u32::try_from(v).ok())
}

fn leb128_u64(bytes: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        let bits = u64::from(byte & 0x7f);
        if i == 9 && bits > 1 {
            return None;
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}
