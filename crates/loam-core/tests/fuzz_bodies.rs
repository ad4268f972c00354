//! The fuzz targets `membership_entries` and `saved_document` (fuzz/), run
//! on stable for a bounded number of cases: arbitrary bytes, and valid
//! entries and saved notes with bytes flipped, cut and spliced. Every input
//! the fuzzer ever crashed on (fuzz/regressions/<target>/) runs first.
//!
//! `LOAM_FUZZ_CASES` sets the number of cases (default 64 for membership,
//! whose scripts sign and verify dozens of entries, 256 otherwise);
//! proptest prints a failing input, shrunk.

#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/stable.rs"]
mod stable;

use loam_core::fuzzing::{membership_entries, saved_document};
use loam_core::{Action, MemberKey, MembershipLog, NewDoc, NoteDoc, Role};
use proptest::prelude::*;

/// Encoded entries of a small garden: genesis, add, invite, set-name.
fn entry_seeds() -> Vec<Vec<u8>> {
    let founder = MemberKey::from_seed(&[1; 32]);
    let (mut log, genesis) = MembershipLog::found(&founder, "Commons", "Ada", 1, [3; 16]).unwrap();
    let bo = MemberKey::from_seed(&[2; 32]);
    let mut out = vec![genesis.encoded().to_vec()];
    for action in [
        Action::Add {
            member: bo.member(),
            role: Role::Member,
            name: "Bo".into(),
        },
        Action::Invite {
            invite_key: MemberKey::from_seed(&[9; 32]).member(),
            role: Role::Reader,
            expires_ms: Some(10),
            uses: 2,
        },
        Action::SetName {
            name: "Ada L".into(),
        },
    ] {
        out.push(log.append(&founder, action, 2).unwrap().encoded().to_vec());
    }
    out
}

/// A saved note, its save after an edit, and the edit's chunk alone.
fn doc_seeds() -> Vec<Vec<u8>> {
    let author = MemberKey::from_seed(&[1; 32]).member();
    let mut doc =
        NoteDoc::create(&NewDoc::note("Soil", "Loam is [[soil]]. #earth"), author, 1).unwrap();
    let first = doc.save().unwrap();
    doc.splice(4, 0, " rich").unwrap();
    doc.commit(2, Some("edit")).unwrap();
    let chunk = doc.save_incremental().unwrap();
    let second = doc.save().unwrap();
    vec![first, second, chunk]
}

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
    for (name, bytes) in stable::regressions("membership_entries") {
        println!("membership_entries regression {name}");
        membership_entries(&bytes);
    }
    for (name, bytes) in stable::regressions("saved_document") {
        println!("saved_document regression {name}");
        saved_document(&bytes);
    }
    for seed in entry_seeds() {
        membership_entries(&seed);
    }
    for seed in doc_seeds() {
        saved_document(&seed);
    }
    // A script that removes, re-adds and demotes concurrently.
    membership_entries(&[0, 1, 2, 0, 9, 0, 1, 5, 1, 4, 9, 2, 0, 8, 1, 1, 2, 2]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: stable::cases(64), ..ProptestConfig::default() })]

    #[test]
    fn membership_on_arbitrary_scripts(bytes in prop::collection::vec(any::<u8>(), 0..72)) {
        membership_entries(&bytes);
    }

    #[test]
    fn membership_on_mutated_entries(bytes in mutated(entry_seeds())) {
        membership_entries(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: stable::cases(256), ..ProptestConfig::default() })]

    #[test]
    fn saved_document_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        saved_document(&bytes);
    }

    #[test]
    fn saved_document_on_mutated_saves(bytes in mutated(doc_seeds())) {
        saved_document(&bytes);
    }
}
