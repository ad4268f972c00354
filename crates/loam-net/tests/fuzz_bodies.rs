//! The fuzz target `ticket` (fuzz/), run on stable for a bounded number of
//! cases: arbitrary bytes and text, and valid tickets (binary, `loam1…`
//! text, QR text) with bytes flipped, cut and spliced. Every input the
//! fuzzer ever crashed on (fuzz/regressions/ticket/) runs first.
//!
//! `LOAM_FUZZ_CASES` sets the number of cases (default 256).

#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/stable.rs"]
mod stable;

use loam_net::fuzzing::ticket;
use loam_net::{GardenId, InviteTicket, MemberId, PeerAddr};
use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    let member = MemberId::from_bytes(*iroh::SecretKey::from_bytes(&[1; 32]).public().as_bytes());
    let t = InviteTicket {
        garden: GardenId::from_bytes([0x11; 16]),
        garden_name: "Allotment Society".to_owned(),
        inviter: PeerAddr {
            member,
            direct: vec![
                "127.0.0.1:4433".parse().unwrap(),
                "[::1]:9".parse().unwrap(),
            ],
            relay: Some("https://relay.example.org./".to_owned()),
        },
        secret: [0x22; 32],
        role: "member".to_owned(),
        expires_ms: Some(1_790_000_000_000),
        invite_entry: Some([5; 32]),
    };
    vec![
        t.to_bytes(),
        t.to_string().into_bytes(),
        t.to_qr_string().into_bytes(),
    ]
}

fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|(mut bytes, flips, cut, splice)| {
            for (at, x) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= x;
            }
            let at = cut.index(bytes.len() + 1);
            bytes.splice(at..at.min(bytes.len()), splice);
            bytes
        })
}

#[test]
fn regressions_and_seeds_pass() {
    for (name, bytes) in stable::regressions("ticket") {
        println!("ticket regression {name}");
        ticket(&bytes);
    }
    for seed in seeds() {
        ticket(&seed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: stable::cases(256), ..ProptestConfig::default() })]

    #[test]
    fn ticket_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        ticket(&bytes);
    }

    #[test]
    fn ticket_on_arbitrary_text(text in "(loam1|LOAM1)?[a-zA-Z2-7]{0,300}") {
        ticket(text.as_bytes());
    }

    #[test]
    fn ticket_on_mutated_tickets(bytes in mutated(seeds())) {
        ticket(&bytes);
    }
}
