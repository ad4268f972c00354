//! The fuzz targets `frames` and `sync_message` (fuzz/), run on stable for
//! a bounded number of cases: arbitrary bytes, and valid frames and sync
//! messages with bytes flipped, cut and spliced. Every input the fuzzer
//! ever crashed on (fuzz/regressions/<target>/) runs first.
//!
//! `LOAM_FUZZ_CASES` sets the number of cases (default 256); proptest
//! prints a failing input, shrunk, and records it in proptest-regressions/.

#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/stable.rs"]
mod stable;

use std::net::SocketAddr;

use automerge::sync::{State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use loam_core::{DocId, GardenId, MemberId, Role};
use loam_sync::fuzzing::{frames, sync_message};
use loam_sync::{
    Bound, Fingerprint, Frame, PROTOCOL_VERSION, PeerHint, Range, RangePayload, RefuseCode,
};
use proptest::prelude::*;

/// One valid frame of each kind (their bodies, without the length prefix).
fn frame_seeds() -> Vec<Vec<u8>> {
    let fp = Fingerprint {
        count: 3,
        hash: [9; 16],
    };
    let doc = DocId::from_bytes([3; 16]);
    [
        Frame::Hello {
            protocol_version: PROTOCOL_VERSION,
            garden: GardenId::from_bytes([1; 16]),
            membership_heads: vec![[2; 32]],
            join: Some(vec![1, 2, 3]),
        },
        Frame::Welcome {
            membership_heads: vec![[4; 32], [5; 32]],
            docs: fp,
            role_of_you: Role::Member,
        },
        Frame::Refuse {
            code: RefuseCode::NotAMember,
            reason: "no".into(),
        },
        Frame::Membership {
            entries: vec![vec![7; 40], vec![]],
            heads: vec![[1; 32]],
        },
        Frame::Ranges {
            ranges: vec![
                Range {
                    upper: Bound::between(1 << 120, 3 << 120),
                    payload: RangePayload::Fingerprint(fp),
                },
                Range {
                    upper: Bound::End,
                    payload: RangePayload::Items(vec![(doc, [6; 16])]),
                },
            ],
        },
        Frame::DocSync {
            doc,
            message: sync_seeds().remove(0),
            signatures: vec![vec![1; 129]],
        },
        Frame::DocRefused {
            doc,
            reason: "reader".into(),
        },
        Frame::Bye {
            reason: "bye".into(),
        },
        Frame::Peers {
            peers: vec![PeerHint {
                member: MemberId::from_bytes([7; 32]),
                direct: vec![SocketAddr::from(([127, 0, 0, 1], 4242))],
                relay: Some("https://relay.example/".into()),
            }],
        },
    ]
    .iter()
    .map(|f| f.encode()[4..].to_vec())
    .collect()
}

/// Sync messages between two replicas of a small document: the first
/// (heads and a Bloom filter), and one carrying changes.
fn sync_seeds() -> Vec<Vec<u8>> {
    let mut a = AutoCommit::new();
    a.put(ROOT, "title", "Soil").unwrap();
    a.commit();
    let mut b = AutoCommit::new();
    b.put(ROOT, "kind", "note").unwrap();
    b.commit();
    let (mut sa, mut sb) = (State::new(), State::new());
    let mut out = Vec::new();
    for _ in 0..4 {
        if let Some(m) = a.sync().generate_sync_message(&mut sa) {
            out.push(m.clone().encode());
            b.sync().receive_sync_message(&mut sb, m).unwrap();
        }
        if let Some(m) = b.sync().generate_sync_message(&mut sb) {
            out.push(m.clone().encode());
            a.sync().receive_sync_message(&mut sa, m).unwrap();
        }
    }
    out
}

/// A seed with bytes flipped, then cut, then something spliced in.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|(mut bytes, flips, cut, splice)| {
            if !bytes.is_empty() {
                for (at, x) in flips {
                    let i = at.index(bytes.len());
                    bytes[i] ^= x;
                }
                let at = cut.index(bytes.len() + 1);
                bytes.splice(at..at.min(bytes.len()), splice);
            }
            bytes
        })
}

#[test]
fn regressions_and_seeds_pass() {
    for (name, bytes) in stable::regressions("frames") {
        println!("frames regression {name}");
        frames(&bytes);
    }
    for (name, bytes) in stable::regressions("sync_message") {
        println!("sync_message regression {name}");
        sync_message(&bytes);
    }
    for seed in frame_seeds() {
        frames(&seed);
        let mut stream = (seed.len() as u32).to_be_bytes().to_vec();
        stream.extend(&seed);
        frames(&stream);
    }
    for seed in sync_seeds() {
        sync_message(&seed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: stable::cases(256), ..ProptestConfig::default() })]

    #[test]
    fn frames_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        frames(&bytes);
    }

    #[test]
    fn frames_on_mutated_frames(bytes in mutated(frame_seeds())) {
        frames(&bytes);
        let mut stream = (bytes.len() as u32).to_be_bytes().to_vec();
        stream.extend(&bytes);
        frames(&stream);
    }

    #[test]
    fn sync_message_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        sync_message(&bytes);
    }

    #[test]
    fn sync_message_on_mutated_messages(bytes in mutated(sync_seeds())) {
        sync_message(&bytes);
    }
}
