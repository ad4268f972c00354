//! Who wrote which changes, provable to any peer: ed25519 signatures over
//! Automerge change hashes.
//!
//! A member signs the changes of one store (one group commit, an import, a
//! rename touching several links) as a [`SignedChanges`]: the hashes of the
//! changes to one document, the signer, and one signature over
//!
//! ```text
//! "loam/changes/v1\0" ++ garden id (16) ++ doc id (16) ++ count (u32 BE) ++ hashes (32 each)
//! ```
//!
//! so a signature made for one document or garden proves nothing anywhere
//! else. The batch travels with its changes; a receiver checks the signature
//! and that every change it is about to apply is covered by a batch from a
//! current writer. An Automerge change hash commits to the change's content
//! and its whole causal past, so signing the hash signs the change.
//!
//! Batches are bounded ([`MAX_SIGNED_CHANGES`]): a store of more changes
//! (adopting a long foreign history) is signed as several batches.

use automerge::ChangeHash;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::{DocId, GardenId, MemberId};

/// The most change hashes one batch may cover (2 MiB of hashes).
pub const MAX_SIGNED_CHANGES: usize = 65_536;

/// What the signed bytes start with, so they cannot be mistaken for any
/// other signed message (membership entries have their own prefix).
const DOMAIN: &[u8] = b"loam/changes/v1\0";

/// The encoding's version byte.
const VERSION: u8 = 1;

/// Length of an encoded batch without its hashes: version, signer,
/// signature, count.
const HEADER_LEN: usize = 1 + 32 + 64 + 4;

/// Why a signature batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The bytes are not an encoded batch.
    #[error("malformed change signatures: {0}")]
    Malformed(&'static str),
    /// The encoding is from a newer Loam.
    #[error("change signatures of unknown version {0}")]
    UnknownVersion(u8),
    /// More hashes than one batch may hold.
    #[error("a signature batch covers {0} changes, more than the limit of {MAX_SIGNED_CHANGES}")]
    TooMany(usize),
    /// The signer is not a valid ed25519 public key.
    #[error("the signer {0} is not a valid public key")]
    BadKey(MemberId),
    /// The signature does not match the signer, garden, document and hashes.
    #[error("the signature of {0} over these changes is not valid")]
    Invalid(MemberId),
}

/// A member's signing key: the ed25519 secret whose public key is their
/// [`MemberId`] (and their iroh endpoint id).
#[derive(Clone)]
pub struct MemberKey {
    key: SigningKey,
}

impl std::fmt::Debug for MemberKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MemberKey({})", self.member())
    }
}

impl MemberKey {
    /// The key with this 32-byte secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        Ok(Self::from_seed(&seed))
    }

    /// The secret seed (what the key file holds).
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The public key, as a member id.
    pub fn member(&self) -> MemberId {
        MemberId::from_bytes(self.key.verifying_key().to_bytes())
    }

    /// The signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// Whether `signature` is `member`'s signature of `message` (strict
/// verification: no malleable or small-order keys).
pub fn verify(member: MemberId, message: &[u8], signature: &[u8; 64]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(member.as_bytes()) else {
        return false;
    };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
        .is_ok()
}

/// One member's signature over some changes to one document.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedChanges {
    signer: MemberId,
    changes: Vec<ChangeHash>,
    signature: [u8; 64],
}

impl std::fmt::Debug for SignedChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedChanges")
            .field("signer", &self.signer)
            .field("changes", &self.changes.len())
            .finish_non_exhaustive()
    }
}

impl SignedChanges {
    /// `key`'s signatures over `changes` to `doc` in `garden`: one batch,
    /// or several when there are more than [`MAX_SIGNED_CHANGES`]. No
    /// changes, no batches.
    pub fn sign(
        key: &MemberKey,
        garden: GardenId,
        doc: DocId,
        changes: &[ChangeHash],
    ) -> Vec<Self> {
        changes
            .chunks(MAX_SIGNED_CHANGES)
            .map(|chunk| Self {
                signer: key.member(),
                changes: chunk.to_vec(),
                signature: key.sign(&signed_bytes(garden, doc, chunk)),
            })
            .collect()
    }

    /// Who signed.
    pub fn signer(&self) -> MemberId {
        self.signer
    }

    /// The changes signed.
    pub fn changes(&self) -> &[ChangeHash] {
        &self.changes
    }

    /// Check the signature for `doc` in `garden`.
    pub fn verify(&self, garden: GardenId, doc: DocId) -> Result<(), SignatureError> {
        if VerifyingKey::from_bytes(self.signer.as_bytes()).is_err() {
            return Err(SignatureError::BadKey(self.signer));
        }
        if verify(
            self.signer,
            &signed_bytes(garden, doc, &self.changes),
            &self.signature,
        ) {
            Ok(())
        } else {
            Err(SignatureError::Invalid(self.signer))
        }
    }

    /// The batch as bytes: version, signer, signature, count (u32 BE),
    /// hashes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 32 * self.changes.len());
        out.push(VERSION);
        out.extend_from_slice(self.signer.as_bytes());
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&(self.changes.len() as u32).to_be_bytes());
        for hash in &self.changes {
            out.extend_from_slice(&hash.0);
        }
        out
    }

    /// A batch from [`SignedChanges::encode`]'s bytes. Checks the shape
    /// only; [`SignedChanges::verify`] checks the signature.
    pub fn decode(bytes: &[u8]) -> Result<Self, SignatureError> {
        let (&version, rest) = bytes
            .split_first()
            .ok_or(SignatureError::Malformed("empty"))?;
        if version != VERSION {
            return Err(SignatureError::UnknownVersion(version));
        }
        if bytes.len() < HEADER_LEN {
            return Err(SignatureError::Malformed("too short"));
        }
        let (signer, rest) = rest.split_at(32);
        let (signature, rest) = rest.split_at(64);
        let (count, hashes) = rest.split_at(4);
        let count = u32::from_be_bytes([count[0], count[1], count[2], count[3]]) as usize;
        if count > MAX_SIGNED_CHANGES {
            return Err(SignatureError::TooMany(count));
        }
        if hashes.len() != 32 * count {
            return Err(SignatureError::Malformed("length does not match the count"));
        }
        let signer = MemberId::from_slice(signer).ok_or(SignatureError::Malformed("signer"))?;
        let signature =
            <[u8; 64]>::try_from(signature).map_err(|_| SignatureError::Malformed("signature"))?;
        let changes = hashes
            .chunks_exact(32)
            .map(|h| ChangeHash::try_from(h).map_err(|_| SignatureError::Malformed("hash")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            signer,
            changes,
            signature,
        })
    }
}

/// The bytes a batch's signature is over.
fn signed_bytes(garden: GardenId, doc: DocId, changes: &[ChangeHash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(DOMAIN.len() + 36 + 32 * changes.len());
    out.extend_from_slice(DOMAIN);
    out.extend_from_slice(garden.as_bytes());
    out.extend_from_slice(doc.as_bytes());
    out.extend_from_slice(&(changes.len() as u32).to_be_bytes());
    for hash in changes {
        out.extend_from_slice(&hash.0);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn key(n: u8) -> MemberKey {
        MemberKey::from_seed(&[n; 32])
    }

    fn hashes(n: u8) -> Vec<ChangeHash> {
        (0..n).map(|i| ChangeHash([i; 32])).collect()
    }

    const GARDEN: GardenId = GardenId::from_bytes([7; 16]);
    const DOC: DocId = DocId::from_bytes([9; 16]);

    #[test]
    fn a_batch_verifies_only_for_its_garden_and_document() {
        let batch = SignedChanges::sign(&key(1), GARDEN, DOC, &hashes(3)).remove(0);
        assert_eq!(batch.signer(), key(1).member());
        assert_eq!(batch.verify(GARDEN, DOC), Ok(()));
        let other_doc = DocId::from_bytes([8; 16]);
        assert!(batch.verify(GARDEN, other_doc).is_err());
        assert!(batch.verify(GardenId::from_bytes([6; 16]), DOC).is_err());
    }

    #[test]
    fn encode_decode_round_trips_and_tampering_is_caught() {
        let batch = SignedChanges::sign(&key(2), GARDEN, DOC, &hashes(5)).remove(0);
        let bytes = batch.encode();
        assert_eq!(SignedChanges::decode(&bytes).unwrap(), batch);

        // Another signer's key over the same signature.
        let mut forged = bytes.clone();
        forged[1..33].copy_from_slice(key(3).member().as_bytes());
        let forged = SignedChanges::decode(&forged).unwrap();
        assert_eq!(
            forged.verify(GARDEN, DOC),
            Err(SignatureError::Invalid(key(3).member()))
        );

        // A hash swapped for another.
        let mut swapped = bytes.clone();
        let last = swapped.len() - 1;
        swapped[last] ^= 1;
        assert!(
            SignedChanges::decode(&swapped)
                .unwrap()
                .verify(GARDEN, DOC)
                .is_err()
        );
    }

    #[test]
    fn malformed_bytes_are_refused_not_panicked_on() {
        let good = SignedChanges::sign(&key(2), GARDEN, DOC, &hashes(2))
            .remove(0)
            .encode();
        for len in 0..good.len() {
            assert!(
                SignedChanges::decode(&good[..len]).is_err(),
                "prefix of {len}"
            );
        }
        let mut huge = good.clone();
        huge[97..101].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            SignedChanges::decode(&huge),
            Err(SignatureError::TooMany(u32::MAX as usize))
        );
        let mut newer = good;
        newer[0] = 2;
        assert_eq!(
            SignedChanges::decode(&newer),
            Err(SignatureError::UnknownVersion(2))
        );
    }

    #[test]
    fn long_histories_are_signed_in_bounded_batches() {
        let many: Vec<ChangeHash> = (0..MAX_SIGNED_CHANGES as u32 + 3)
            .map(|i| {
                let mut h = [0u8; 32];
                h[..4].copy_from_slice(&i.to_be_bytes());
                ChangeHash(h)
            })
            .collect();
        let batches = SignedChanges::sign(&key(4), GARDEN, DOC, &many);
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[1].changes().len(), 3);
        assert!(SignedChanges::sign(&key(4), GARDEN, DOC, &[]).is_empty());
    }

    #[test]
    fn the_member_id_is_the_public_key_of_the_seed() {
        let k = key(5);
        assert_eq!(MemberKey::from_seed(&k.seed()).member(), k.member());
        let sig = k.sign(b"hello");
        assert!(verify(k.member(), b"hello", &sig));
        assert!(!verify(k.member(), b"hellO", &sig));
        assert!(!verify(key(6).member(), b"hello", &sig));
    }
}
