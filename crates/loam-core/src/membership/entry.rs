//! One membership log entry: what it says, its bytes, its hash and its
//! signature, and the one-time keys invites are made of.
//!
//! An entry is encoded by hand, compactly and canonically (one encoding per
//! entry, so that its hash names it):
//!
//! ```text
//! version (1) = 1
//! author (32)
//! time_ms (i64 BE)
//! parent count (u8, ≤ 64), parents (32 each, strictly ascending)
//! action tag (u8), action fields
//! signature (64): the author's, over "loam/membership/v1\0" ++ every byte before it
//! ```
//!
//! Strings are a u16 BE length and UTF-8 (1 to 200 bytes, no control
//! characters); an optional time is a flag byte (0 or 1) and an i64 BE; a
//! role is a byte (0 reader, 1 member, 2 facilitator). Only the genesis has
//! no parents. An entry is at most [`MAX_ENTRY_BYTES`]. [`Entry::decode`]
//! refuses anything else (trailing bytes included) and never panics.

use std::fmt;

use sha2::{Digest, Sha256};

use super::{MembershipError, Role};
use crate::signature::{self, MemberKey};
use crate::{GardenId, MemberId};

/// The most bytes an encoded entry may have.
pub const MAX_ENTRY_BYTES: usize = 4096;
/// The most parents an entry may have.
pub const MAX_PARENTS: usize = 64;
/// The longest name (of a garden or a member), in bytes of UTF-8.
pub const MAX_NAME_BYTES: usize = 200;

/// What an entry's signature is over, before its bytes.
const DOMAIN: &[u8] = b"loam/membership/v1\0";
/// What an invite key's redeem proof is over, before the garden and joiner.
const REDEEM_DOMAIN: &[u8] = b"loam/redeem/v1\0";
/// The encoding's version byte.
const VERSION: u8 = 1;
/// Bytes of a signature.
const SIGNATURE_LEN: usize = 64;

pub use crate::ids::EntryHash;

impl EntryHash {
    fn of(bytes: &[u8]) -> Self {
        Self::from_bytes(Sha256::digest(bytes).into())
    }
}

/// What an entry does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// The first entry: its author founds the garden and is its first
    /// facilitator. The garden's id is derived from this entry's hash.
    Genesis {
        /// The garden's name.
        garden_name: String,
        /// The founder's name.
        founder_name: String,
        /// Random bytes, so that two gardens founded alike differ.
        #[serde(skip)]
        nonce: [u8; 16],
    },
    /// A facilitator invites: whoever holds the secret seed of
    /// `invite_key` (from the ticket) may join with `role`.
    Invite {
        /// The public key of the invite's one-time key pair.
        invite_key: MemberId,
        /// The role the invite gives.
        role: Role,
        /// After this time (ms since the epoch) the invite is refused.
        expires_ms: Option<i64>,
        /// How many members may join with it.
        uses: u32,
    },
    /// A facilitator revokes an invite.
    Revoke {
        /// The invite.
        invite_key: MemberId,
    },
    /// A new member joins with an invite (the entry's author is the new
    /// member).
    Redeem {
        /// The invite.
        invite_key: MemberId,
        /// The new member's name.
        name: String,
        /// The invite key's signature over the garden and the new member
        /// (see [`InviteKey::sign_redeem`]): proof of holding the ticket.
        #[serde(skip)]
        proof: [u8; 64],
    },
    /// A facilitator adds a member directly.
    Add {
        /// The new member.
        member: MemberId,
        /// Their role.
        role: Role,
        /// Their name.
        name: String,
    },
    /// A facilitator changes a member's role.
    SetRole {
        /// The member.
        member: MemberId,
        /// The new role.
        role: Role,
    },
    /// A facilitator removes a member.
    Remove {
        /// The member.
        member: MemberId,
    },
    /// A member changes their own name.
    SetName {
        /// The new name.
        name: String,
    },
}

impl Action {
    fn tag(&self) -> u8 {
        match self {
            Action::Genesis { .. } => 0,
            Action::Invite { .. } => 1,
            Action::Revoke { .. } => 2,
            Action::Redeem { .. } => 3,
            Action::Add { .. } => 4,
            Action::SetRole { .. } => 5,
            Action::Remove { .. } => 6,
            Action::SetName { .. } => 7,
        }
    }

    /// The action's name, as the log shows it (`invite`, `set-role`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Genesis { .. } => "genesis",
            Action::Invite { .. } => "invite",
            Action::Revoke { .. } => "revoke",
            Action::Redeem { .. } => "redeem",
            Action::Add { .. } => "add",
            Action::SetRole { .. } => "set-role",
            Action::Remove { .. } => "remove",
            Action::SetName { .. } => "set-name",
        }
    }

    /// The names the action carries, each checked by [`check_name`].
    fn names(&self) -> Vec<&str> {
        match self {
            Action::Genesis {
                garden_name,
                founder_name,
                ..
            } => vec![garden_name, founder_name],
            Action::Redeem { name, .. } | Action::Add { name, .. } | Action::SetName { name } => {
                vec![name]
            }
            _ => Vec::new(),
        }
    }
}

/// Whether `name` may be a garden's or member's name: 1 to
/// [`MAX_NAME_BYTES`] bytes, not blank, no control characters.
pub fn check_name(name: &str) -> Result<(), MembershipError> {
    let reason = if name.trim().is_empty() {
        "a name cannot be empty"
    } else if name.len() > MAX_NAME_BYTES {
        "a name can be at most 200 bytes of UTF-8"
    } else if name.chars().any(char::is_control) {
        "a name is one line without control characters"
    } else {
        return Ok(());
    };
    Err(MembershipError::InvalidName {
        name: name.chars().take(40).collect(),
        reason,
    })
}

/// One signed entry of a garden's membership log.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    author: MemberId,
    parents: Vec<EntryHash>,
    time_ms: i64,
    action: Action,
    signature: [u8; 64],
    /// The encoded entry, signature included.
    bytes: Vec<u8>,
    hash: EntryHash,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("hash", &self.hash)
            .field("author", &self.author)
            .field("parents", &self.parents)
            .field("time_ms", &self.time_ms)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// A new entry by `key` on `parents` (sorted here; empty only for a
    /// genesis), signed. Checks every bound the decoder checks, so that
    /// what is made here always decodes.
    pub fn sign(
        key: &MemberKey,
        mut parents: Vec<EntryHash>,
        time_ms: i64,
        action: Action,
    ) -> Result<Self, MembershipError> {
        parents.sort_unstable();
        parents.dedup();
        for name in action.names() {
            check_name(name)?;
        }
        if parents.len() > MAX_PARENTS {
            return Err(MembershipError::Malformed("more than 64 parents"));
        }
        if parents.is_empty() != matches!(action, Action::Genesis { .. }) {
            return Err(MembershipError::Malformed(
                "only a genesis entry has no parents",
            ));
        }
        let author = key.member();
        let mut bytes = encode_body(author, &parents, time_ms, &action);
        let signature = key.sign(&signed_bytes(&bytes));
        bytes.extend_from_slice(&signature);
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(MembershipError::TooLarge(bytes.len()));
        }
        Ok(Self {
            hash: EntryHash::of(&bytes),
            author,
            parents,
            time_ms,
            action,
            signature,
            bytes,
        })
    }

    /// The entry by which `joiner` joins `garden` with the invite whose
    /// secret seed (from the ticket) is `invite_seed`. `parents` are the
    /// entries the joiner knows of the garden's log: at least the invite
    /// entry (its hash travels in the ticket), so that the redeem comes
    /// after the invite.
    pub fn redeem(
        joiner: &MemberKey,
        invite_seed: &[u8; 32],
        garden: GardenId,
        parents: Vec<EntryHash>,
        name: &str,
        time_ms: i64,
    ) -> Result<Self, MembershipError> {
        let invite = InviteKey::from_seed(invite_seed);
        let proof = invite.sign_redeem(garden, joiner.member());
        Self::sign(
            joiner,
            parents,
            time_ms,
            Action::Redeem {
                invite_key: invite.public(),
                name: name.to_owned(),
                proof,
            },
        )
    }

    /// Who wrote and signed it.
    pub fn author(&self) -> MemberId {
        self.author
    }

    /// The heads of the log its author knew, sorted.
    pub fn parents(&self) -> &[EntryHash] {
        &self.parents
    }

    /// When its author wrote it, by their clock (ms since the epoch).
    pub fn time_ms(&self) -> i64 {
        self.time_ms
    }

    /// What it does.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The author's signature.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    /// Its hash: the SHA-256 of [`Entry::encoded`].
    pub fn hash(&self) -> EntryHash {
        self.hash
    }

    /// The encoded entry (what is stored and sent).
    pub fn encoded(&self) -> &[u8] {
        &self.bytes
    }

    /// The garden a genesis entry founds (`None` for other entries): the
    /// first 16 bytes of its hash.
    pub fn founds(&self) -> Option<GardenId> {
        matches!(self.action, Action::Genesis { .. }).then(|| garden_of(self.hash))
    }

    /// Whether the author's signature is valid.
    pub fn verify_signature(&self) -> Result<(), MembershipError> {
        let body = &self.bytes[..self.bytes.len() - SIGNATURE_LEN];
        if signature::verify(self.author, &signed_bytes(body), &self.signature) {
            Ok(())
        } else {
            Err(MembershipError::BadSignature(self.author))
        }
    }

    /// Whether a redeem entry's proof is the invite key's for `garden` and
    /// this author (true for other entries).
    pub fn verify_proof(&self, garden: GardenId) -> bool {
        match &self.action {
            Action::Redeem {
                invite_key, proof, ..
            } => signature::verify(*invite_key, &redeem_bytes(garden, self.author), proof),
            _ => true,
        }
    }

    /// An entry from [`Entry::encoded`]'s bytes. Checks the shape and
    /// every bound, not the signature ([`Entry::verify_signature`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, MembershipError> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(MembershipError::TooLarge(bytes.len()));
        }
        let mut r = Reader { rest: bytes };
        let version = r.u8()?;
        if version != VERSION {
            return Err(MembershipError::UnknownVersion(version));
        }
        let author = MemberId::from_bytes(r.array()?);
        let time_ms = i64::from_be_bytes(r.array()?);
        let count = usize::from(r.u8()?);
        if count > MAX_PARENTS {
            return Err(MembershipError::Malformed("more than 64 parents"));
        }
        let mut parents = Vec::with_capacity(count);
        for _ in 0..count {
            let parent = EntryHash::from_bytes(r.array()?);
            if parents.last().is_some_and(|last| *last >= parent) {
                return Err(MembershipError::Malformed(
                    "parents are not strictly ascending",
                ));
            }
            parents.push(parent);
        }
        let action = match r.u8()? {
            0 => Action::Genesis {
                garden_name: r.name()?,
                founder_name: r.name()?,
                nonce: r.array()?,
            },
            1 => Action::Invite {
                invite_key: MemberId::from_bytes(r.array()?),
                role: r.role()?,
                expires_ms: match r.u8()? {
                    0 => None,
                    1 => Some(i64::from_be_bytes(r.array()?)),
                    _ => return Err(MembershipError::Malformed("bad expiry flag")),
                },
                uses: u32::from_be_bytes(r.array()?),
            },
            2 => Action::Revoke {
                invite_key: MemberId::from_bytes(r.array()?),
            },
            3 => Action::Redeem {
                invite_key: MemberId::from_bytes(r.array()?),
                name: r.name()?,
                proof: r.array()?,
            },
            4 => Action::Add {
                member: MemberId::from_bytes(r.array()?),
                role: r.role()?,
                name: r.name()?,
            },
            5 => Action::SetRole {
                member: MemberId::from_bytes(r.array()?),
                role: r.role()?,
            },
            6 => Action::Remove {
                member: MemberId::from_bytes(r.array()?),
            },
            7 => Action::SetName { name: r.name()? },
            _ => return Err(MembershipError::Malformed("unknown action")),
        };
        if parents.is_empty() != matches!(action, Action::Genesis { .. }) {
            return Err(MembershipError::Malformed(
                "only a genesis entry has no parents",
            ));
        }
        let signature: [u8; 64] = r.array()?;
        if !r.rest.is_empty() {
            return Err(MembershipError::Malformed("trailing bytes"));
        }
        Ok(Self {
            hash: EntryHash::of(bytes),
            author,
            parents,
            time_ms,
            action,
            signature,
            bytes: bytes.to_vec(),
        })
    }
}

/// The garden a genesis entry with this hash founds.
pub(crate) fn garden_of(genesis: EntryHash) -> GardenId {
    let mut id = [0u8; 16];
    id.copy_from_slice(&genesis.as_bytes()[..16]);
    GardenId::from_bytes(id)
}

/// The encoding of everything but the signature.
fn encode_body(author: MemberId, parents: &[EntryHash], time_ms: i64, action: &Action) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + 32 * parents.len());
    out.push(VERSION);
    out.extend_from_slice(author.as_bytes());
    out.extend_from_slice(&time_ms.to_be_bytes());
    // At most MAX_PARENTS, checked by the caller.
    out.push(u8::try_from(parents.len()).unwrap_or(u8::MAX));
    for parent in parents {
        out.extend_from_slice(parent.as_bytes());
    }
    out.push(action.tag());
    let name = |out: &mut Vec<u8>, name: &str| {
        // At most MAX_NAME_BYTES, checked by the caller.
        out.extend_from_slice(&u16::try_from(name.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
    };
    let role = |role: Role| match role {
        Role::Reader => 0u8,
        Role::Member => 1,
        Role::Facilitator => 2,
    };
    match action {
        Action::Genesis {
            garden_name,
            founder_name,
            nonce,
        } => {
            name(&mut out, garden_name);
            name(&mut out, founder_name);
            out.extend_from_slice(nonce);
        }
        Action::Invite {
            invite_key,
            role: r,
            expires_ms,
            uses,
        } => {
            out.extend_from_slice(invite_key.as_bytes());
            out.push(role(*r));
            match expires_ms {
                None => out.push(0),
                Some(t) => {
                    out.push(1);
                    out.extend_from_slice(&t.to_be_bytes());
                }
            }
            out.extend_from_slice(&uses.to_be_bytes());
        }
        Action::Revoke { invite_key } => out.extend_from_slice(invite_key.as_bytes()),
        Action::Redeem {
            invite_key,
            name: n,
            proof,
        } => {
            out.extend_from_slice(invite_key.as_bytes());
            name(&mut out, n);
            out.extend_from_slice(proof);
        }
        Action::Add {
            member,
            role: r,
            name: n,
        } => {
            out.extend_from_slice(member.as_bytes());
            out.push(role(*r));
            name(&mut out, n);
        }
        Action::SetRole { member, role: r } => {
            out.extend_from_slice(member.as_bytes());
            out.push(role(*r));
        }
        Action::Remove { member } => out.extend_from_slice(member.as_bytes()),
        Action::SetName { name: n } => name(&mut out, n),
    }
    out
}

fn signed_bytes(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(DOMAIN.len() + body.len());
    out.extend_from_slice(DOMAIN);
    out.extend_from_slice(body);
    out
}

fn redeem_bytes(garden: GardenId, joiner: MemberId) -> Vec<u8> {
    let mut out = Vec::with_capacity(REDEEM_DOMAIN.len() + 48);
    out.extend_from_slice(REDEEM_DOMAIN);
    out.extend_from_slice(garden.as_bytes());
    out.extend_from_slice(joiner.as_bytes());
    out
}

/// Reads an encoded entry front to back; every read is bounds-checked.
struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], MembershipError> {
        if self.rest.len() < n {
            return Err(MembershipError::Malformed("too short"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, MembershipError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], MembershipError> {
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| MembershipError::Malformed("too short"))
    }

    fn name(&mut self) -> Result<String, MembershipError> {
        let len = usize::from(u16::from_be_bytes(self.array()?));
        if len > MAX_NAME_BYTES {
            return Err(MembershipError::Malformed(
                "a name is longer than 200 bytes",
            ));
        }
        let name = std::str::from_utf8(self.take(len)?)
            .map_err(|_| MembershipError::Malformed("a name is not UTF-8"))?;
        check_name(name).map_err(|_| MembershipError::Malformed("a name is not valid"))?;
        Ok(name.to_owned())
    }

    fn role(&mut self) -> Result<Role, MembershipError> {
        match self.u8()? {
            0 => Ok(Role::Reader),
            1 => Ok(Role::Member),
            2 => Ok(Role::Facilitator),
            _ => Err(MembershipError::Malformed("unknown role")),
        }
    }
}

/// The one-time key pair of an invite: its secret seed travels in the
/// ticket, its public key in the log's invite entry.
#[derive(Clone)]
pub struct InviteKey {
    key: MemberKey,
}

impl fmt::Debug for InviteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InviteKey({})", self.public())
    }
}

impl InviteKey {
    /// A fresh random invite key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        MemberKey::generate().map(|key| Self { key })
    }

    /// The invite key with this secret seed (from a ticket).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: MemberKey::from_seed(seed),
        }
    }

    /// The secret seed, for the ticket.
    pub fn seed(&self) -> [u8; 32] {
        self.key.seed()
    }

    /// The public key, as the invite entry names it.
    pub fn public(&self) -> MemberId {
        self.key.member()
    }

    /// The proof that `joiner` holds this invite for `garden`: a signature
    /// over `"loam/redeem/v1\0" ++ garden id ++ joiner id`.
    pub fn sign_redeem(&self, garden: GardenId, joiner: MemberId) -> [u8; 64] {
        self.key.sign(&redeem_bytes(garden, joiner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> MemberKey {
        MemberKey::from_seed(&[n; 32])
    }

    fn genesis() -> Entry {
        Entry::sign(
            &key(1),
            Vec::new(),
            1_000,
            Action::Genesis {
                garden_name: "Workshop".into(),
                founder_name: "Ada".into(),
                nonce: [3; 16],
            },
        )
        .unwrap()
    }

    #[test]
    fn every_action_round_trips_through_its_bytes() {
        let g = genesis();
        let parents = vec![g.hash()];
        let invite = InviteKey::from_seed(&[9; 32]);
        let garden = g.founds().unwrap();
        let actions = [
            Action::Invite {
                invite_key: invite.public(),
                role: Role::Reader,
                expires_ms: Some(-5),
                uses: 3,
            },
            Action::Invite {
                invite_key: invite.public(),
                role: Role::Facilitator,
                expires_ms: None,
                uses: u32::MAX,
            },
            Action::Revoke {
                invite_key: invite.public(),
            },
            Action::Add {
                member: key(2).member(),
                role: Role::Member,
                name: "Bo — ünïcode".into(),
            },
            Action::SetRole {
                member: key(2).member(),
                role: Role::Facilitator,
            },
            Action::Remove {
                member: key(2).member(),
            },
            Action::SetName {
                name: "Ada L".into(),
            },
        ];
        assert_eq!(Entry::decode(g.encoded()).unwrap(), g);
        assert!(g.verify_signature().is_ok());
        for action in actions {
            let e = Entry::sign(&key(1), parents.clone(), 2_000, action).unwrap();
            let back = Entry::decode(e.encoded()).unwrap();
            assert_eq!(back, e);
            assert!(back.verify_signature().is_ok());
        }
        let redeem = Entry::redeem(&key(3), &[9; 32], garden, parents, "Cy", 5).unwrap();
        assert_eq!(Entry::decode(redeem.encoded()).unwrap(), redeem);
        assert!(redeem.verify_proof(garden));
        assert!(!redeem.verify_proof(GardenId::from_bytes([0; 16])));
        assert_eq!(redeem.author(), key(3).member());
    }

    #[test]
    fn tampering_breaks_the_signature_and_changes_the_hash() {
        let g = genesis();
        let mut bytes = g.encoded().to_vec();
        // The last byte of the nonce.
        let at = bytes.len() - 65;
        bytes[at] ^= 1;
        let tampered = Entry::decode(&bytes).unwrap();
        assert_ne!(tampered.hash(), g.hash());
        assert_eq!(
            tampered.verify_signature(),
            Err(MembershipError::BadSignature(key(1).member()))
        );
    }

    #[test]
    fn malformed_entries_are_refused() {
        let g = genesis();
        let good = g.encoded().to_vec();
        for len in 0..good.len() {
            assert!(Entry::decode(&good[..len]).is_err(), "prefix of {len}");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(
            Entry::decode(&longer),
            Err(MembershipError::Malformed("trailing bytes"))
        );
        let mut newer = good.clone();
        newer[0] = 2;
        assert_eq!(
            Entry::decode(&newer),
            Err(MembershipError::UnknownVersion(2))
        );
        assert_eq!(
            Entry::decode(&vec![1; MAX_ENTRY_BYTES + 1]),
            Err(MembershipError::TooLarge(MAX_ENTRY_BYTES + 1))
        );
        // A genesis needs no parents, every other entry some.
        let no_parents = Entry::sign(&key(1), Vec::new(), 0, Action::SetName { name: "x".into() });
        assert!(no_parents.is_err());
    }

    #[test]
    fn names_are_bounded() {
        let check = |name: &str, ok: bool| assert_eq!(check_name(name).is_ok(), ok, "{name:?}");
        check("Ada", true);
        check(&"é".repeat(100), true);
        check(&"é".repeat(101), false);
        check("", false);
        check("  ", false);
        check("two\nlines", false);
        let err = check_name("").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`` cannot be a name: a name cannot be empty"
        );
    }

    #[test]
    fn the_garden_id_is_the_start_of_the_genesis_hash() {
        let g = genesis();
        assert_eq!(
            g.founds().unwrap().as_bytes()[..],
            g.hash().as_bytes()[..16]
        );
        assert_eq!(g.hash().to_string().parse::<EntryHash>().unwrap(), g.hash());
    }
}
