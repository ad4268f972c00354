//! Shared by the integration tests: an in-memory store and network.

#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

pub mod net;
pub mod store;

use loam_core::{DocId, GardenId, MemberKey, Role};

pub use net::{Dir, Link, Rng, seed};
pub use store::MemoryStore;

pub const GARDEN: GardenId = GardenId::from_bytes([0x6a; 16]);

/// The key of test member `n`.
pub fn key(n: u8) -> MemberKey {
    MemberKey::from_seed(&[n; 32])
}

/// Document `n`, its id spread over the id space.
pub fn doc(n: u32) -> DocId {
    let mut bytes = [0u8; 16];
    let spread = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    bytes[..8].copy_from_slice(&spread.to_be_bytes());
    bytes[12..].copy_from_slice(&n.to_be_bytes());
    DocId::from_bytes(bytes)
}

/// The empty stores of members 1 and 2, both plain members.
pub fn two_members() -> Vec<MemoryStore> {
    let members = [
        (key(1).member(), Role::Member),
        (key(2).member(), Role::Member),
    ];
    vec![
        MemoryStore::new(GARDEN, key(1), &members),
        MemoryStore::new(GARDEN, key(2), &members),
    ]
}
