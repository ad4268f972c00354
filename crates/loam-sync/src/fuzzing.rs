//! Fuzz target bodies (feature `fuzzing`): each takes arbitrary bytes and
//! panics only when an invariant breaks. The cargo-fuzz targets in `fuzz/`
//! and this crate's stable test (`tests/fuzz_bodies.rs`) call these same
//! functions.

// A fuzz body's job is to panic when an invariant breaks.
#![allow(clippy::expect_used)]

use automerge::Automerge;
use automerge::sync::{Message, State, SyncDoc};

use crate::frame::{Frame, FrameDecoder, LENGTH_PREFIX};
use crate::limits::Limits;
use crate::verify::{change_hashes, check_blooms};

/// Inputs longer than this are cut.
pub const MAX_INPUT: usize = 256 * 1024;

/// Small limits, so that the fuzzer reaches every bound.
fn limits() -> Limits {
    Limits {
        max_frame: 64 * 1024,
        max_hello_frame: 1024,
        max_heads: 16,
        max_entries: 64,
        max_ranges: 64,
        max_items: 256,
        max_message_changes: 256,
        max_doc_bytes: 64 * 1024,
        max_signature_batches: 64,
        ..Limits::default()
    }
}

/// Wire frames: `data` as one frame body, and as a byte stream cut into
/// pieces (of sizes the first byte picks) through a [`FrameDecoder`]. A
/// frame that decodes re-encodes to the size it says and decodes back to
/// itself; the decoder never buffers past the frame limit.
pub fn frames(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let limits = limits();
    if let Ok(frame) = Frame::decode(data, &limits) {
        round_trip(&frame, &limits);
    }
    let step = usize::from(data.first().copied().unwrap_or(0) % 13) + 1;
    for before_hello in [false, true] {
        let mut decoder = if before_hello {
            FrameDecoder::before_hello(limits.clone())
        } else {
            FrameDecoder::new(limits.clone())
        };
        'stream: for piece in data.chunks(step) {
            decoder.push(piece);
            // Each frame takes at least 6 bytes: this loop is bounded.
            for _ in 0..=data.len() / 6 {
                match decoder.next_frame() {
                    Ok(Some(frame)) => round_trip(&frame, &limits),
                    Ok(None) => break,
                    Err(_) => break 'stream,
                }
            }
            assert!(
                decoder.buffered() <= decoder.max_frame() + LENGTH_PREFIX + step,
                "the decoder buffered {} bytes past its limit",
                decoder.buffered()
            );
        }
        let _ = decoder.finish();
    }
}

fn round_trip(frame: &Frame, limits: &Limits) {
    let bytes = frame.encode();
    assert_eq!(bytes.len(), frame.encoded_len(), "{frame:?}");
    let again = Frame::decode(&bytes[LENGTH_PREFIX..], limits).expect("a decoded frame re-decodes");
    assert_eq!(&again, frame);
}

/// The sync message of a `DocSync`: decoded, its Bloom filters and changes
/// checked as a session checks them before the store sees them, then
/// received by an empty document and answered (as a member's signed but
/// malicious message would be). Nothing may panic or run away.
pub fn sync_message(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let limits = limits();
    let Ok(message) = Message::decode(data) else {
        return;
    };
    if check_blooms(&message, &limits).is_err() {
        return;
    }
    if change_hashes(&message, &limits).is_err() {
        return;
    }
    let mut doc = Automerge::new();
    let mut state = State::new();
    if doc.receive_sync_message(&mut state, message).is_ok() {
        let _ = doc.generate_sync_message(&mut state);
    }
}
