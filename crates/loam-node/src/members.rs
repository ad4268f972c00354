//! A garden's members: its signed membership log (see
//! [`loam_core::MembershipLog`] for the entries and the fold rule), kept in
//! the garden's database and in memory, and the operations on it.
//!
//! A garden made by [`crate::Node::create_garden`] is founded with a
//! genesis entry by this member, and its id is derived from that entry. A
//! garden made by a Loam from before membership existed has no log: on
//! first open, its log is founded by the member who opens it (whoever holds
//! the database held the garden), so that it keeps working as before. Its
//! id, chosen at random back then, cannot be derived from that log, so it
//! cannot be shared ([`Garden::shareable`] is false): export it and import
//! it into a new garden to share it.
//!
//! Every entry in memory is in the database (written before the in-memory
//! log changes), so the database holds at least what memory does; entries
//! another process added are read in when the counts differ.

use std::time::Duration;

use loam_core::{
    Action, Entry, EntryHash, GardenId, Inserted, InviteKey, MemberId, MemberKey, Membership,
    MembershipError, MembershipLog, Role, check_name,
};
use loam_store::Store;
use serde::Serialize;

use crate::events::Event;
use crate::garden::State;
use crate::{Garden, NodeError, time};

/// A new invite: what goes into the ticket.
#[derive(Debug, Clone)]
pub struct Invite {
    /// The garden.
    pub garden: GardenId,
    /// The secret seed of the invite's one-time key: whoever holds it may
    /// join. Keep it out of logs.
    pub seed: [u8; 32],
    /// The invite entry (its hash goes in the ticket too: the joiner's
    /// redeem names it as parent).
    pub entry: Entry,
}

/// What [`Garden::add_membership_entries`] did with each entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntriesAdded {
    /// Entries new to the log (with the waiting ones they completed).
    pub added: usize,
    /// Entries waiting for parents not received yet.
    pub pending: usize,
    /// Entries known already.
    pub known: usize,
    /// Entries refused, by position in the input, and why.
    #[serde(skip)]
    pub refused: Vec<(usize, MembershipError)>,
}

/// The log of the garden `garden` in `store`, founded for a garden made
/// before membership existed (see the module docs).
pub(crate) fn load_log(
    store: &mut Store,
    garden: GardenId,
    name: &str,
    key: &MemberKey,
    founder_name: &str,
) -> Result<MembershipLog, NodeError> {
    if store.membership_count()? == 0 {
        let garden_name = if check_name(name).is_ok() {
            name
        } else {
            "Garden"
        };
        let (_, genesis) = MembershipLog::found(
            key,
            garden_name,
            founder_name,
            time::now(),
            random_nonce(garden)?,
        )?;
        store.found_membership(genesis.hash(), genesis.encoded())?;
    }
    read_log(store, garden)
}

/// The log as the store holds it.
fn read_log(store: &Store, garden: GardenId) -> Result<MembershipLog, NodeError> {
    let damaged = |reason: String| NodeError::MembershipDamaged { garden, reason };
    let entries = store
        .membership_entries()?
        .into_iter()
        .map(|(_, bytes)| Entry::decode(&bytes))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| damaged(e.to_string()))?;
    MembershipLog::from_entries(entries).map_err(|e| damaged(e.to_string()))
}

pub(crate) fn random_nonce(garden: GardenId) -> Result<[u8; 16], NodeError> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| NodeError::MembershipDamaged {
        garden,
        reason: format!("no random source: {e}"),
    })?;
    Ok(nonce)
}

/// The name a member is shown by when they set none: their short id.
pub(crate) fn member_name(display_name: Option<String>, member: MemberId) -> String {
    display_name
        .filter(|n| check_name(n).is_ok())
        .unwrap_or_else(|| member.short())
}

impl State {
    /// Read in entries another process added to the database.
    pub(crate) fn refresh_log(&mut self) -> Result<(), NodeError> {
        if self.store.membership_count()? == self.log.len() {
            return Ok(());
        }
        self.log = read_log(&self.store, self.garden)?;
        Ok(())
    }

    /// Write `entries` (new to the log) to the database.
    fn persist(&mut self, entries: &[&Entry]) -> Result<(), NodeError> {
        let rows: Vec<(EntryHash, &[u8])> =
            entries.iter().map(|e| (e.hash(), e.encoded())).collect();
        self.store.add_membership_entries(&rows)?;
        Ok(())
    }
}

impl Garden {
    fn membership_changed(&self, heads: &[EntryHash]) {
        let _ = self.shared().events.send(Event::MembershipChanged {
            garden: self.id(),
            heads: heads.iter().map(ToString::to_string).collect(),
        });
    }

    /// Author `action` as this member, store it and announce it. Refused
    /// (nothing written) when it would have no effect.
    fn append(&self, action: Action) -> Result<Entry, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        let mut log = state.log.clone();
        let entry = log.append(&state.key.clone(), action, time::now())?;
        state.persist(&[&entry])?;
        state.log = log;
        let heads = state.log.heads();
        drop(state);
        self.membership_changed(&heads);
        Ok(entry)
    }

    /// The garden's membership now: members, removed members, invites and
    /// the log with what each entry did.
    pub fn members(&self) -> Result<Membership, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state.log.state().clone())
    }

    /// Refuse, with who to ask, when this member may not change the
    /// garden (a reader, or no longer a member): for front ends to check
    /// before opening an editor.
    pub fn check_can_write(&self) -> Result<(), NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        state.check_writer()
    }

    /// This member's role here, `None` when not (or no longer) a member.
    pub fn my_role(&self) -> Result<Option<Role>, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state.log.role(state.member))
    }

    /// Whether `member` was a member here and was removed (is not one now).
    pub fn was_removed(&self, member: MemberId) -> Result<bool, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        let log = state.log.state();
        Ok(log.role(member).is_none() && log.removed().any(|r| r.id == member))
    }

    /// `member`'s role here, `None` when not a member.
    pub fn role_of(&self, member: MemberId) -> Result<Option<Role>, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state.log.role(member))
    }

    /// Whether the garden can be shared: false for a garden made before
    /// membership existed, whose id is not derived from its log (see the
    /// module docs).
    pub fn shareable(&self) -> bool {
        self.lock().log.garden() == self.id()
    }

    /// Invite someone with `role`: a new one-time invite key, good for
    /// `uses` members until `expires` from now (or forever). Facilitators
    /// only.
    pub fn invite(
        &self,
        role: Role,
        expires: Option<Duration>,
        uses: u32,
    ) -> Result<Invite, NodeError> {
        let key = InviteKey::generate().map_err(|e| NodeError::MembershipDamaged {
            garden: self.id(),
            reason: format!("no random source: {e}"),
        })?;
        let expires_ms = expires
            .map(|d| time::now().saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)));
        let entry = self.append(Action::Invite {
            invite_key: key.public(),
            role,
            expires_ms,
            uses,
        })?;
        Ok(Invite {
            garden: self.id(),
            seed: key.seed(),
            entry,
        })
    }

    /// Revoke the invite with this public key. Facilitators only.
    pub fn revoke_invite(&self, invite_key: MemberId) -> Result<Entry, NodeError> {
        self.append(Action::Revoke { invite_key })
    }

    /// Add `member` directly with `role`. Facilitators only.
    pub fn add_member(&self, member: MemberId, role: Role, name: &str) -> Result<Entry, NodeError> {
        self.append(Action::Add {
            member,
            role,
            name: name.to_owned(),
        })
    }

    /// Change `member`'s role. Facilitators only; the last facilitator
    /// cannot step down. A facilitator who steps down leaves their curation vouched for by
    /// this one (see `Garden::endorse_manifest`).
    pub fn set_role(&self, member: MemberId, role: Role) -> Result<Entry, NodeError> {
        let was = self.role_of(member)?;
        let entry = self.append(Action::SetRole { member, role })?;
        if was == Some(Role::Facilitator) && role != Role::Facilitator {
            // The role change stands either way; a failure here only means
            // newcomers wait for the next curation to see the old one.
            let _ = self.endorse_manifest();
        }
        Ok(entry)
    }

    /// Remove `member`. Facilitators only; the last facilitator cannot be
    /// removed.
    pub fn remove_member(&self, member: MemberId) -> Result<Entry, NodeError> {
        let was = self.role_of(member)?;
        let entry = self.append(Action::Remove { member })?;
        if was == Some(Role::Facilitator) {
            let _ = self.endorse_manifest();
        }
        Ok(entry)
    }

    /// Change the name this member is shown by in this garden.
    pub fn set_member_name(&self, name: &str) -> Result<Entry, NodeError> {
        self.append(Action::SetName {
            name: name.trim().to_owned(),
        })
    }

    /// Add entries received from a peer (encoded), in one fold. Each is
    /// checked (signature, garden, invite proof); refused ones are listed,
    /// the others added (or kept waiting for their parents).
    pub fn add_membership_entries(&self, entries: &[&[u8]]) -> Result<EntriesAdded, NodeError> {
        let mut report = EntriesAdded {
            added: 0,
            pending: 0,
            known: 0,
            refused: Vec::new(),
        };
        let mut decoded = Vec::with_capacity(entries.len());
        let mut positions = Vec::with_capacity(entries.len());
        for (i, bytes) in entries.iter().enumerate() {
            match Entry::decode(bytes) {
                Ok(entry) => {
                    decoded.push(entry);
                    positions.push(i);
                }
                Err(e) => report.refused.push((i, e)),
            }
        }
        let mut state = self.lock();
        state.refresh_log()?;
        let mut log = state.log.clone();
        let results = log.insert_many(decoded);
        let mut new: Vec<EntryHash> = Vec::new();
        for (result, i) in results.into_iter().zip(positions) {
            match result {
                Ok(Inserted::Added(hashes)) => {
                    report.added += hashes.len();
                    new.extend(hashes);
                }
                Ok(Inserted::Known) => report.known += 1,
                Ok(Inserted::Pending) => report.pending += 1,
                Err(e) => report.refused.push((i, e)),
            }
        }
        report.refused.sort_by_key(|(i, _)| *i);
        if new.is_empty() {
            // Pending entries live in memory only.
            state.log = log;
            return Ok(report);
        }
        let added: Vec<&Entry> = new.iter().filter_map(|h| log.get(h)).collect();
        let rows: Vec<(EntryHash, &[u8])> = added.iter().map(|e| (e.hash(), e.encoded())).collect();
        state.store.add_membership_entries(&rows)?;
        state.log = log;
        let heads = state.log.heads();
        drop(state);
        self.membership_changed(&heads);
        Ok(report)
    }

    /// The heads of the garden's membership log.
    pub fn membership_heads(&self) -> Result<Vec<EntryHash>, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state.log.heads())
    }

    /// The encoded entries a peer whose heads are `their_heads` lacks, in
    /// causal order.
    pub fn membership_entries_missing(
        &self,
        their_heads: &[EntryHash],
    ) -> Result<Vec<Vec<u8>>, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state
            .log
            .entries_missing_from(their_heads)
            .into_iter()
            .map(|e| e.encoded().to_vec())
            .collect())
    }

    /// Whether the redeem entry `bytes` (a joiner's, sent with their
    /// hello) would admit them now, by this machine's clock, and with which
    /// role. Adds nothing.
    pub fn redeem_check(&self, bytes: &[u8]) -> Result<Role, NodeError> {
        let entry = Entry::decode(bytes)?;
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state.log.check_redeem(&entry, time::now())?)
    }

    /// Admit the joiner of the redeem entry `bytes`: checked as by
    /// [`Garden::redeem_check`], then added to the log. Their role.
    pub fn admit(&self, bytes: &[u8]) -> Result<Role, NodeError> {
        let role = self.redeem_check(bytes)?;
        let report = self.add_membership_entries(&[bytes])?;
        if let Some((_, e)) = report.refused.into_iter().next() {
            return Err(e.into());
        }
        Ok(role)
    }

    /// The member `reference` names: a member id, a prefix of one (at
    /// least 4 digits) or a name (ignoring case), among current and removed
    /// members and the log's authors.
    pub fn find_member(&self, reference: &str) -> Result<MemberId, NodeError> {
        let membership = self.members()?;
        let reference = reference.trim();
        let mut known: Vec<(MemberId, String)> = membership
            .members()
            .map(|m| (m.id, m.name.clone()))
            .chain(membership.removed().map(|m| (m.id, m.name.clone())))
            .collect();
        known.sort();
        known.dedup_by_key(|(id, _)| *id);
        if let Ok(id) = reference.parse::<MemberId>() {
            return Ok(id);
        }
        let by_name: Vec<&(MemberId, String)> = known
            .iter()
            .filter(|(_, name)| name.eq_ignore_ascii_case(reference))
            .collect();
        let lower = reference.to_ascii_lowercase();
        let by_prefix: Vec<&(MemberId, String)> = known
            .iter()
            .filter(|(id, _)| lower.len() >= 4 && id.to_string().starts_with(&lower))
            .collect();
        let found = if by_name.is_empty() {
            by_prefix
        } else {
            by_name
        };
        match found.as_slice() {
            [] => Err(NodeError::UnknownMember {
                reference: reference.to_owned(),
            }),
            [(id, _)] => Ok(*id),
            many => Err(NodeError::AmbiguousMember {
                reference: reference.to_owned(),
                candidates: many.iter().map(|(id, n)| (*id, n.clone())).collect(),
            }),
        }
    }
}
