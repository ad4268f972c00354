//! The wire format under proptest: every frame round-trips through any
//! chunking, and no bytes at all make the decoder panic or allocate past
//! its limit.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use loam_core::{DocId, GardenId, MemberId, Role};
use loam_sync::{
    Bound, Fingerprint, Frame, FrameDecoder, FrameError, Limits, PROTOCOL_VERSION, PeerHint, Range,
    RangePayload, RefuseCode,
};
use proptest::prelude::*;

fn fingerprint() -> impl Strategy<Value = Fingerprint> {
    (any::<u64>(), any::<[u8; 16]>()).prop_map(|(count, hash)| Fingerprint { count, hash })
}

fn heads() -> impl Strategy<Value = Vec<[u8; 32]>> {
    prop::collection::vec(any::<[u8; 32]>(), 0..4)
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

fn doc() -> impl Strategy<Value = DocId> {
    any::<[u8; 16]>().prop_map(DocId::from_bytes)
}

fn bound() -> impl Strategy<Value = Bound> {
    prop_oneof![
        Just(Bound::End),
        (0u8..=16, any::<u128>()).prop_map(|(len, v)| {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - 8 * u32::from(len))
            };
            Bound::Below {
                value: v & mask,
                len,
            }
        }),
    ]
}

fn payload() -> impl Strategy<Value = RangePayload> {
    prop_oneof![
        Just(RangePayload::Skip),
        fingerprint().prop_map(RangePayload::Fingerprint),
        prop::collection::vec((doc(), any::<[u8; 16]>()), 0..4).prop_map(RangePayload::Items),
    ]
}

fn hint() -> impl Strategy<Value = PeerHint> {
    (
        any::<[u8; 32]>(),
        prop::collection::vec(
            prop_oneof![
                (any::<[u8; 4]>(), any::<u16>())
                    .prop_map(|(ip, port)| SocketAddr::from((ip, port))),
                (any::<[u8; 16]>(), any::<u16>())
                    .prop_map(|(ip, port)| SocketAddr::from((ip, port))),
            ],
            0..4,
        ),
        prop::option::of("[a-z:/.]{0,64}"),
    )
        .prop_map(|(member, direct, relay)| PeerHint {
            member: MemberId::from_bytes(member),
            direct,
            relay,
        })
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        (
            any::<u32>(),
            any::<[u8; 16]>(),
            heads(),
            prop::option::of(bytes())
        )
            .prop_map(|(v, g, h, join)| Frame::Hello {
                protocol_version: v,
                garden: GardenId::from_bytes(g),
                membership_heads: h,
                join,
            }),
        (heads(), fingerprint(), role()).prop_map(|(h, docs, r)| Frame::Welcome {
            membership_heads: h,
            docs,
            role_of_you: r,
        }),
        (
            prop::sample::select(vec![
                RefuseCode::NotAMember,
                RefuseCode::UnknownGarden,
                RefuseCode::InviteRefused,
                RefuseCode::UnsupportedVersion,
                RefuseCode::Other
            ]),
            ".*"
        )
            .prop_map(|(code, reason)| Frame::Refuse { code, reason }),
        (prop::collection::vec(bytes(), 0..4), heads())
            .prop_map(|(entries, heads)| Frame::Membership { entries, heads }),
        prop::collection::vec(
            (bound(), payload()).prop_map(|(upper, payload)| Range { upper, payload }),
            0..6
        )
        .prop_map(|ranges| Frame::Ranges { ranges }),
        (doc(), bytes(), prop::collection::vec(bytes(), 0..3)).prop_map(
            |(doc, message, signatures)| Frame::DocSync {
                doc,
                message,
                signatures,
            }
        ),
        (doc(), ".*").prop_map(|(doc, reason)| Frame::DocRefused { doc, reason }),
        ".*".prop_map(|reason| Frame::Bye { reason }),
        prop::collection::vec(hint(), 0..4).prop_map(|peers| Frame::Peers { peers }),
    ]
}

proptest! {
    #[test]
    fn frames_round_trip_through_any_chunking(
        frames in prop::collection::vec(frame(), 1..5),
        cuts in prop::collection::vec(1usize..50, 0..20),
    ) {
        let mut stream = Vec::new();
        for f in &frames {
            let bytes = f.encode();
            prop_assert_eq!(bytes.len(), f.encoded_len());
            stream.extend(bytes);
        }
        let mut decoder = FrameDecoder::new(Limits::default());
        let mut got = Vec::new();
        let mut rest = stream.as_slice();
        let mut cuts = cuts.into_iter();
        while !rest.is_empty() {
            let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
            decoder.push(&rest[..n]);
            rest = &rest[n..];
            while let Some(f) = decoder.next_frame().unwrap() {
                got.push(f);
            }
        }
        decoder.finish().unwrap();
        prop_assert_eq!(got, frames);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let limits = Limits::default();
        let _ = Frame::decode(&bytes, &limits);
        let mut decoder = FrameDecoder::new(limits);
        decoder.push(&bytes);
        for _ in 0..bytes.len() + 1 {
            match decoder.next_frame() {
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn mutated_frames_never_panic(f in frame(), flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut bytes = f.encode();
        for (at, x) in flips {
            let i = at % bytes.len();
            bytes[i] ^= x;
        }
        let mut decoder = FrameDecoder::new(Limits::default());
        decoder.push(&bytes);
        let _ = decoder.next_frame();
        let _ = Frame::decode(&bytes[4..], &Limits::default());
    }

    #[test]
    fn an_oversized_length_prefix_is_refused_before_buffering(len in 1025u32.., junk in bytes()) {
        let mut limits = Limits::default();
        limits.max_frame = 1024;
        let mut decoder = FrameDecoder::new(limits);
        decoder.push(&len.to_be_bytes());
        decoder.push(&junk);
        let err = decoder.next_frame().unwrap_err();
        prop_assert_eq!(err, FrameError::TooLarge { len: len as usize, limit: 1024 });
        prop_assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn a_list_count_past_the_bytes_left_allocates_nothing(count in 1_000_000u64..u64::MAX / 2) {
        // A Membership frame claiming `count` entries in a few bytes.
        let mut body = vec![1u8, 4];
        let mut c = count;
        loop {
            let b = (c & 0x7f) as u8;
            c >>= 7;
            if c == 0 { body.push(b); break; }
            body.push(b | 0x80);
        }
        let err = Frame::decode(&body, &Limits::default()).unwrap_err();
        prop_assert!(matches!(err, FrameError::TooMany { .. } | FrameError::Truncated), "{err:?}");
    }
}

#[test]
fn hello_is_small() {
    let hello = Frame::Hello {
        protocol_version: PROTOCOL_VERSION,
        garden: GardenId::from_bytes([1; 16]),
        membership_heads: vec![[0; 32]],
        join: None,
    };
    assert_eq!(hello.encoded_len(), 4 + 2 + 1 + 16 + 1 + 32 + 1);
}
