//! Digests of documents and of sets of documents.
//!
//! A document's state is named by its [`HeadsDigest`]: SHA-256 of its sorted
//! Automerge heads. A set of documents is the set of items
//! `(DocId, HeadsDigest)`; each item hashes to
//! `SHA-256("loam/item/v1\0" ++ doc id ++ heads digest)`, and a set's
//! [`Fingerprint`] is its item count with a digest of the **sum** of its item
//! hashes, read as 256-bit little-endian numbers, modulo 2^256.
//!
//! Why a sum: it does not depend on the order of the items and is
//! incremental (a store can keep the sum of its whole garden up to date by
//! subtracting a document's old item and adding its new one, without
//! reading the others), so the first comparison of a sync costs nothing
//! however large the garden is.
//!
//! Its weakness: a sum is not a cryptographic commitment to a set. Someone
//! who chooses many items can search for a different set with the same sum
//! (a generalised birthday attack, far cheaper than a hash collision; XOR,
//! the other obvious choice, is worse: linear algebra over GF(2) finds such a
//! set directly). Only members take part in a sync, and an item's digest
//! depends on change hashes its author signed, so a member who did this would
//! only hide their own documents from a peer. The count and the 256-bit width
//! make accidental equality negligible.

use automerge::ChangeHash;
use loam_core::DocId;
use sha2::{Digest, Sha256};

/// SHA-256 of a document's sorted heads: equal digests, equal documents.
pub type HeadsDigest = [u8; 32];

/// The digest of `heads` in any order.
pub fn heads_digest(heads: &[ChangeHash]) -> HeadsDigest {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for head in sorted {
        hasher.update(head.0);
    }
    hasher.finalize().into()
}

/// The hash of one `(doc, heads digest)` item.
pub fn item_hash(doc: DocId, digest: &HeadsDigest) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"loam/item/v1\0");
    hasher.update(doc.as_bytes());
    hasher.update(digest);
    hasher.finalize().into()
}

/// How a set of documents is compared without listing it: how many items,
/// and 16 bytes of SHA-256 over the sum of their hashes and the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Fingerprint {
    /// How many documents.
    pub count: u64,
    /// The digest of the sum of their item hashes.
    pub hash: [u8; 16],
}

/// A running sum of item hashes (the 32-byte, order-independent state a
/// [`Fingerprint`] is made from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accumulator {
    sum: [u64; 4],
    count: u64,
}

impl Accumulator {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one item's hash.
    pub fn add(&mut self, item: &[u8; 32]) {
        let mut carry = false;
        for (i, limb) in self.sum.iter_mut().enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&item[8 * i..8 * i + 8]);
            let (s1, c1) = limb.overflowing_add(u64::from_le_bytes(word));
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *limb = s2;
            carry = c1 || c2;
        }
        self.count = self.count.wrapping_add(1);
    }

    /// Remove one item's hash (added before).
    pub fn remove(&mut self, item: &[u8; 32]) {
        let mut borrow = false;
        for (i, limb) in self.sum.iter_mut().enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&item[8 * i..8 * i + 8]);
            let (s1, b1) = limb.overflowing_sub(u64::from_le_bytes(word));
            let (s2, b2) = s1.overflowing_sub(u64::from(borrow));
            *limb = s2;
            borrow = b1 || b2;
        }
        self.count = self.count.wrapping_sub(1);
    }

    /// The fingerprint of the items added.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut hasher = Sha256::new();
        hasher.update(b"loam/docs/v1\0");
        for limb in self.sum {
            hasher.update(limb.to_le_bytes());
        }
        hasher.update(self.count.to_le_bytes());
        let full: [u8; 32] = hasher.finalize().into();
        let mut hash = [0u8; 16];
        hash.copy_from_slice(&full[..16]);
        Fingerprint {
            count: self.count,
            hash,
        }
    }
}

/// The fingerprint of a list of `(doc, heads digest)` items.
pub fn fingerprint_of<'a>(
    items: impl IntoIterator<Item = &'a (DocId, HeadsDigest)>,
) -> Fingerprint {
    let mut acc = Accumulator::new();
    for (doc, digest) in items {
        acc.add(&item_hash(*doc, digest));
    }
    acc.fingerprint()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u8) -> (DocId, HeadsDigest) {
        (DocId::from_bytes([n; 16]), [n.wrapping_mul(3); 32])
    }

    #[test]
    fn the_fingerprint_ignores_order_and_sees_every_item() {
        let a = [item(1), item(2), item(3)];
        let b = [item(3), item(1), item(2)];
        assert_eq!(fingerprint_of(&a), fingerprint_of(&b));
        assert_eq!(fingerprint_of(&a).count, 3);
        assert_ne!(fingerprint_of(&a), fingerprint_of(&a[..2]));
        let changed = [item(1), item(2), (item(3).0, [0; 32])];
        assert_ne!(fingerprint_of(&a), fingerprint_of(&changed));
        assert_eq!(fingerprint_of(&[]), Accumulator::new().fingerprint());
    }

    #[test]
    fn removing_an_item_undoes_adding_it() {
        let mut acc = Accumulator::new();
        let hashes: Vec<[u8; 32]> = (0..50u8)
            .map(|n| item_hash(item(n).0, &item(n).1))
            .collect();
        for h in &hashes {
            acc.add(h);
        }
        let all = acc.fingerprint();
        acc.add(&[0xff; 32]);
        acc.remove(&[0xff; 32]);
        assert_eq!(acc.fingerprint(), all);
        for h in &hashes {
            acc.remove(h);
        }
        assert_eq!(acc, Accumulator::new());
    }

    #[test]
    fn heads_digest_sorts_the_heads() {
        let a = ChangeHash([1; 32]);
        let b = ChangeHash([2; 32]);
        assert_eq!(heads_digest(&[a, b]), heads_digest(&[b, a]));
        assert_ne!(heads_digest(&[a]), heads_digest(&[a, b]));
    }
}
