//! Who belongs to a garden and what they may do: roles, the signed
//! membership log, and the fold that turns the log into the garden's
//! allowlist.
//!
//! Membership is an append-only log of signed [`Entry`]s forming a DAG: each
//! entry names as parents the log heads its author knew. The first entry,
//! the genesis, makes its author the first facilitator and names the
//! garden: the [`GardenId`](crate::GardenId) is the first 16 bytes of its
//! hash. Facilitators invite ([`Action::Invite`], a one-time [`InviteKey`]
//! whose secret seed travels in the ticket), revoke invites, add members,
//! change roles and remove members; an invited person joins by a
//! [`Action::Redeem`] entry they sign themselves, carrying the invite key's
//! proof; any member renames themselves.
//!
//! # The fold rule
//!
//! Every peer computes the same [`Membership`] from the same set of entries,
//! whatever order they arrived in:
//!
//! 1. **Linearise** the DAG by Kahn's topological sort: an entry is ready
//!    once all its parents are placed. Among the entries ready at the same
//!    time, **restrictive entries go first**: `Remove` and `Revoke`, then
//!    `SetRole`, then all others; ties are broken by entry hash (lowest
//!    first).
//! 2. **Apply** the entries in that order to a state that starts empty. An
//!    entry takes effect only if, in the state folded so far, its author may
//!    do it:
//!    - `Genesis`: only as the first entry; its author becomes facilitator.
//!    - `Invite`, `Revoke`, `Add`, `SetRole`, `Remove`: the author is a
//!      current facilitator (and the change changes something: a new invite
//!      key with at least one use, an invite not yet revoked, someone not a
//!      member yet, a different role, a current member).
//!    - `Redeem`: the invite exists, is not revoked, has uses left, and the
//!      entry's `time_ms` is not after the invite's expiry; the author is
//!      not a member already. It uses up one use.
//!    - `SetName`: the author is a current member.
//!
//!    An entry that would leave the garden with no facilitator (removing or
//!    demoting the last one) has no effect.
//! 3. An entry without effect stays in the log (it is signed history) and
//!    the fold records why it had none ([`LogLine::ignored`]).
//!
//! Consequences: two facilitators removing each other concurrently remove
//! exactly one of them, the one the lower-hash entry removes (the other
//! entry's author is gone when it comes up); a redeem concurrent with the
//! revoke of its invite has no effect; redeems beyond an invite's uses have
//! none; an entry concurrent with its author's removal has none, nor does
//! anything a removed member writes afterwards.
//!
//! A redeem's `time_ms` is the joiner's claim. The member who admits a
//! joiner checks the invite against their own clock
//! ([`MembershipLog::check_redeem`]) before accepting the entry.

mod entry;
mod log;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

pub use entry::{
    Action, Entry, EntryHash, InviteKey, MAX_ENTRY_BYTES, MAX_NAME_BYTES, MAX_PARENTS, check_name,
};
pub use log::{Inserted, MAX_PENDING, MembershipLog};

use crate::{GardenId, MemberId};

/// What a member may do in a garden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, writes nothing.
    Reader,
    /// Reads and writes notes and pages.
    Member,
    /// A member who also changes membership: invites, roles, removals.
    Facilitator,
}

impl Role {
    /// Every role, least to most powerful.
    pub const ALL: [Role; 3] = [Role::Reader, Role::Member, Role::Facilitator];

    /// Whether this role may change documents.
    pub fn can_write(self) -> bool {
        self >= Role::Member
    }

    /// Whether this role may change membership.
    pub fn can_manage(self) -> bool {
        self == Role::Facilitator
    }

    /// The lowercase name (`facilitator`, `member`, `reader`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Member => "member",
            Role::Facilitator => "facilitator",
        }
    }

    /// The role with this name, in any case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a log entry or operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MembershipError {
    /// The bytes are not an encoded entry.
    #[error("malformed membership entry: {0}")]
    Malformed(&'static str),
    /// The encoding is from a newer Loam.
    #[error("membership entry of unknown version {0}")]
    UnknownVersion(u8),
    /// The entry is larger than [`MAX_ENTRY_BYTES`].
    #[error("a membership entry of {0} bytes is larger than the limit of 4096")]
    TooLarge(usize),
    /// A garden or member name that cannot be used.
    #[error("`{name}` cannot be a name: {reason}")]
    InvalidName {
        /// The name (its first 40 characters).
        name: String,
        /// Why not.
        reason: &'static str,
    },
    /// The author's signature does not match the entry.
    #[error("the membership entry signed by {} has an invalid signature", .0.short())]
    BadSignature(MemberId),
    /// A redeem whose proof is not the invite key's for this garden and
    /// this joiner.
    #[error("the invite proof of {} is not valid for this garden", .0.short())]
    BadProof(MemberId),
    /// The entry belongs to another garden's log.
    #[error("the membership entry belongs to garden {theirs}, not {ours}")]
    OtherGarden {
        /// This log's garden.
        ours: GardenId,
        /// The entry's.
        theirs: GardenId,
    },
    /// Entries to make a log from hold no genesis.
    #[error("the membership log has no genesis entry")]
    NoGenesis,
    /// Too many entries wait for parents that never came.
    #[error("too many membership entries wait for their parents (limit {MAX_PENDING})")]
    TooManyPending,
    /// A redeem was expected.
    #[error("the membership entry is a {0}, not a redeem")]
    NotARedeem(&'static str),
    /// The entry would have no effect (see the fold rule).
    #[error("{0}")]
    Refused(NoEffect),
}

/// Why an invite cannot be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum InviteRefusal {
    /// No invite with this key in the log (or its entry has not arrived).
    #[error("this invite is not known in this garden")]
    Unknown,
    /// The invite's expiry has passed.
    #[error("this invite has expired")]
    Expired {
        /// When it expired (ms since the epoch).
        expires_ms: i64,
    },
    /// Every use of the invite has been redeemed.
    #[error("this invite has been used up (it was good for {uses} use{})", if *.uses == 1 { "" } else { "s" })]
    UsedUp {
        /// How many uses it had.
        uses: u32,
    },
    /// A facilitator revoked the invite.
    #[error("this invite was revoked by a facilitator")]
    Revoked,
}

/// Why an entry had no effect in the fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoEffect {
    /// The author is not a member of the garden.
    #[error("{} is not a member of this garden", .0.short())]
    AuthorNotMember(MemberId),
    /// The author was removed from the garden.
    #[error("{} was removed from this garden", .0.short())]
    AuthorRemoved(MemberId),
    /// Only facilitators may do this.
    #[error("only facilitators can {action}; {} is a {role}", .author.short())]
    NotFacilitator {
        /// What was tried (`invite`, `remove members`, ...).
        action: &'static str,
        /// Who tried.
        author: MemberId,
        /// Their role.
        role: Role,
    },
    /// The invite cannot be redeemed.
    #[error("{0}")]
    Invite(InviteRefusal),
    /// Another invite has the same key.
    #[error("an invite with this key exists already")]
    InviteKeyTaken,
    /// An invite with no uses.
    #[error("an invite must allow at least one use")]
    NoUses,
    /// The invite was revoked already.
    #[error("the invite was revoked already")]
    AlreadyRevoked,
    /// The member is in the garden already.
    #[error("{} is a member already", .0.short())]
    AlreadyMember(MemberId),
    /// The member is not in the garden.
    #[error("{} is not a member of this garden", .0.short())]
    NotAMember(MemberId),
    /// The member has that role already.
    #[error("{} is a {role} already", .member.short())]
    SameRole {
        /// The member.
        member: MemberId,
        /// Their role.
        role: Role,
    },
    /// The name is the member's name already.
    #[error("the name is unchanged")]
    SameName,
    /// The entry would leave the garden without a facilitator.
    #[error("the garden would have no facilitator left; make someone else a facilitator first")]
    LastFacilitator,
    /// A garden has one genesis.
    #[error("a garden has only one genesis entry")]
    SecondGenesis,
}

/// How a member came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Joined {
    /// They founded the garden.
    Founded,
    /// They redeemed an invite.
    Invite {
        /// The invite's key.
        invite_key: MemberId,
        /// The facilitator who made the invite.
        invited_by: MemberId,
    },
    /// A facilitator added them.
    Added {
        /// The facilitator.
        by: MemberId,
    },
}

/// A current member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    /// Their id.
    pub id: MemberId,
    /// Their role.
    pub role: Role,
    /// Their name.
    pub name: String,
    /// When they joined (the entry's time, ms since the epoch).
    pub joined_ms: i64,
    /// How.
    pub joined: Joined,
}

/// A member who was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedInfo {
    /// Their id.
    pub id: MemberId,
    /// Their name.
    pub name: String,
    /// Their role before.
    pub role: Role,
    /// When (the entry's time).
    pub removed_ms: i64,
    /// The facilitator who removed them.
    pub by: MemberId,
}

/// An invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteInfo {
    /// Its public key.
    pub invite_key: MemberId,
    /// The entry that made it.
    pub entry: EntryHash,
    /// The role it gives.
    pub role: Role,
    /// When it expires.
    pub expires_ms: Option<i64>,
    /// How many members may join with it.
    pub uses: u32,
    /// How many more may.
    pub uses_left: u32,
    /// Whether a facilitator revoked it.
    pub revoked: bool,
    /// The facilitator who made it.
    pub by: MemberId,
    /// When it was made.
    pub created_ms: i64,
}

impl InviteInfo {
    /// Whether it can be redeemed at `now`, and with which role.
    pub fn check(&self, now: i64) -> Result<Role, InviteRefusal> {
        if self.revoked {
            Err(InviteRefusal::Revoked)
        } else if self.uses_left == 0 {
            Err(InviteRefusal::UsedUp { uses: self.uses })
        } else if let Some(expires_ms) = self.expires_ms.filter(|&t| now > t) {
            Err(InviteRefusal::Expired { expires_ms })
        } else {
            Ok(self.role)
        }
    }
}

/// One entry of the log in fold order, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// The entry.
    pub hash: EntryHash,
    /// Its author.
    pub author: MemberId,
    /// Its time.
    pub time_ms: i64,
    /// What it asked for.
    pub action: Action,
    /// Why it had no effect; `None` when it took effect.
    #[serde(serialize_with = "display_option")]
    pub ignored: Option<NoEffect>,
}

fn display_option<S: serde::Serializer>(value: &Option<NoEffect>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// The state of a garden's membership: the fold of its log (see the
/// module's fold rule).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Membership {
    garden_name: String,
    members: BTreeMap<MemberId, MemberInfo>,
    removed: BTreeMap<MemberId, RemovedInfo>,
    invites: BTreeMap<MemberId, InviteInfo>,
    log: Vec<LogLine>,
}

/// Restrictive entries go first among those ready at once.
pub(crate) fn fold_class(action: &Action) -> u8 {
    match action {
        Action::Remove { .. } | Action::Revoke { .. } => 0,
        Action::SetRole { .. } => 1,
        _ => 2,
    }
}

impl Membership {
    /// The garden's name (from its genesis).
    pub fn garden_name(&self) -> &str {
        &self.garden_name
    }

    /// The current members, by id.
    pub fn members(&self) -> impl Iterator<Item = &MemberInfo> {
        self.members.values()
    }

    /// A current member.
    pub fn member(&self, member: MemberId) -> Option<&MemberInfo> {
        self.members.get(&member)
    }

    /// The members who were removed (and not admitted again), by id.
    pub fn removed(&self) -> impl Iterator<Item = &RemovedInfo> {
        self.removed.values()
    }

    /// Every invite, by key.
    pub fn invites(&self) -> impl Iterator<Item = &InviteInfo> {
        self.invites.values()
    }

    /// Every entry in fold order, with what it did.
    pub fn log(&self) -> &[LogLine] {
        &self.log
    }

    /// `member`'s role, `None` when not a current member.
    pub fn role(&self, member: MemberId) -> Option<Role> {
        self.members.get(&member).map(|m| m.role)
    }

    /// Whether `member` may change documents now.
    pub fn is_writer(&self, member: MemberId) -> bool {
        self.role(member).is_some_and(Role::can_write)
    }

    /// The current facilitators, by id.
    pub fn facilitators(&self) -> Vec<MemberId> {
        self.members
            .values()
            .filter(|m| m.role.can_manage())
            .map(|m| m.id)
            .collect()
    }

    /// Whether the invite with this key can be redeemed at `now`, and with
    /// which role.
    pub fn check_invite(&self, invite_key: MemberId, now: i64) -> Result<Role, InviteRefusal> {
        self.invites
            .get(&invite_key)
            .ok_or(InviteRefusal::Unknown)?
            .check(now)
    }

    /// Apply `entry` (the next in fold order), recording what it did.
    pub(crate) fn apply(&mut self, entry: &Entry) {
        let ignored = self.effect(entry).err();
        self.log.push(LogLine {
            hash: entry.hash(),
            author: entry.author(),
            time_ms: entry.time_ms(),
            action: entry.action().clone(),
            ignored,
        });
    }

    fn author_role(&self, author: MemberId) -> Result<Role, NoEffect> {
        match self.members.get(&author) {
            Some(m) => Ok(m.role),
            None if self.removed.contains_key(&author) => Err(NoEffect::AuthorRemoved(author)),
            None => Err(NoEffect::AuthorNotMember(author)),
        }
    }

    /// Whether `member` is the only facilitator.
    fn last_facilitator(&self, member: MemberId) -> bool {
        self.facilitators() == [member]
    }

    fn admit(&mut self, info: MemberInfo) {
        self.removed.remove(&info.id);
        self.members.insert(info.id, info);
    }

    /// Apply `entry` if it takes effect; why not otherwise.
    fn effect(&mut self, entry: &Entry) -> Result<(), NoEffect> {
        let author = entry.author();
        let time = entry.time_ms();
        match entry.action() {
            Action::Genesis {
                garden_name,
                founder_name,
                ..
            } => {
                if !self.log.is_empty() {
                    return Err(NoEffect::SecondGenesis);
                }
                self.garden_name.clone_from(garden_name);
                self.admit(MemberInfo {
                    id: author,
                    role: Role::Facilitator,
                    name: founder_name.clone(),
                    joined_ms: time,
                    joined: Joined::Founded,
                });
                Ok(())
            }
            Action::Redeem {
                invite_key, name, ..
            } => {
                if self.members.contains_key(&author) {
                    return Err(NoEffect::AlreadyMember(author));
                }
                let invite = self
                    .invites
                    .get_mut(invite_key)
                    .ok_or(NoEffect::Invite(InviteRefusal::Unknown))?;
                let role = invite.check(time).map_err(NoEffect::Invite)?;
                invite.uses_left -= 1;
                let invited_by = invite.by;
                self.admit(MemberInfo {
                    id: author,
                    role,
                    name: name.clone(),
                    joined_ms: time,
                    joined: Joined::Invite {
                        invite_key: *invite_key,
                        invited_by,
                    },
                });
                Ok(())
            }
            Action::SetName { name } => {
                self.author_role(author)?;
                let member = self
                    .members
                    .get_mut(&author)
                    .ok_or(NoEffect::AuthorNotMember(author))?;
                if member.name == *name {
                    return Err(NoEffect::SameName);
                }
                member.name.clone_from(name);
                Ok(())
            }
            action => {
                let role = self.author_role(author)?;
                if !role.can_manage() {
                    return Err(NoEffect::NotFacilitator {
                        action: match action {
                            Action::Invite { .. } => "invite",
                            Action::Revoke { .. } => "revoke invites",
                            Action::Add { .. } => "add members",
                            Action::SetRole { .. } => "change roles",
                            _ => "remove members",
                        },
                        author,
                        role,
                    });
                }
                self.manage(entry, action)
            }
        }
    }

    /// Apply a facilitator's `action` (the author is one).
    fn manage(&mut self, entry: &Entry, action: &Action) -> Result<(), NoEffect> {
        let author = entry.author();
        let time = entry.time_ms();
        match action {
            Action::Invite {
                invite_key,
                role,
                expires_ms,
                uses,
            } => {
                if self.invites.contains_key(invite_key) {
                    return Err(NoEffect::InviteKeyTaken);
                }
                if *uses == 0 {
                    return Err(NoEffect::NoUses);
                }
                self.invites.insert(
                    *invite_key,
                    InviteInfo {
                        invite_key: *invite_key,
                        entry: entry.hash(),
                        role: *role,
                        expires_ms: *expires_ms,
                        uses: *uses,
                        uses_left: *uses,
                        revoked: false,
                        by: author,
                        created_ms: time,
                    },
                );
                Ok(())
            }
            Action::Revoke { invite_key } => {
                let invite = self
                    .invites
                    .get_mut(invite_key)
                    .ok_or(NoEffect::Invite(InviteRefusal::Unknown))?;
                if invite.revoked {
                    return Err(NoEffect::AlreadyRevoked);
                }
                invite.revoked = true;
                Ok(())
            }
            Action::Add { member, role, name } => {
                if self.members.contains_key(member) {
                    return Err(NoEffect::AlreadyMember(*member));
                }
                self.admit(MemberInfo {
                    id: *member,
                    role: *role,
                    name: name.clone(),
                    joined_ms: time,
                    joined: Joined::Added { by: author },
                });
                Ok(())
            }
            Action::SetRole { member, role } => {
                let current = self
                    .members
                    .get(member)
                    .ok_or(NoEffect::NotAMember(*member))?
                    .role;
                if current == *role {
                    return Err(NoEffect::SameRole {
                        member: *member,
                        role: *role,
                    });
                }
                if current.can_manage() && !role.can_manage() && self.last_facilitator(*member) {
                    return Err(NoEffect::LastFacilitator);
                }
                if let Some(m) = self.members.get_mut(member) {
                    m.role = *role;
                }
                Ok(())
            }
            Action::Remove { member } => {
                let current = self
                    .members
                    .get(member)
                    .ok_or(NoEffect::NotAMember(*member))?;
                if current.role.can_manage() && self.last_facilitator(*member) {
                    return Err(NoEffect::LastFacilitator);
                }
                if let Some(gone) = self.members.remove(member) {
                    self.removed.insert(
                        *member,
                        RemovedInfo {
                            id: *member,
                            name: gone.name,
                            role: gone.role,
                            removed_ms: time,
                            by: author,
                        },
                    );
                }
                Ok(())
            }
            Action::Genesis { .. } => Err(NoEffect::SecondGenesis),
            // Handled by `effect`.
            Action::Redeem { .. } | Action::SetName { .. } => {
                Err(NoEffect::AuthorNotMember(author))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_by_power() {
        assert!(!Role::Reader.can_write());
        assert!(Role::Member.can_write() && !Role::Member.can_manage());
        assert!(Role::Facilitator.can_manage());
        for role in Role::ALL {
            assert_eq!(Role::parse(&role.to_string().to_uppercase()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn refusals_read_well() {
        let check = |e: &dyn std::error::Error, expected: &str| assert_eq!(e.to_string(), expected);
        let ada = MemberId::from_bytes([0xad; 32]);
        check(
            &InviteRefusal::Unknown,
            "this invite is not known in this garden",
        );
        check(
            &InviteRefusal::Expired { expires_ms: 5 },
            "this invite has expired",
        );
        check(
            &InviteRefusal::UsedUp { uses: 1 },
            "this invite has been used up (it was good for 1 use)",
        );
        check(
            &InviteRefusal::UsedUp { uses: 3 },
            "this invite has been used up (it was good for 3 uses)",
        );
        check(
            &InviteRefusal::Revoked,
            "this invite was revoked by a facilitator",
        );
        check(
            &NoEffect::NotFacilitator {
                action: "invite",
                author: ada,
                role: Role::Member,
            },
            "only facilitators can invite; adadadad is a member",
        );
        check(
            &MembershipError::Refused(NoEffect::LastFacilitator),
            "the garden would have no facilitator left; make someone else a facilitator first",
        );
    }
}
