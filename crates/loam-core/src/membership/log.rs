//! A garden's membership log: the entries known here, the ones waiting for
//! their parents, the heads, and the cached fold.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};

use super::entry::garden_of;
use super::{
    Action, Entry, EntryHash, MAX_PARENTS, Membership, MembershipError, NoEffect, Role, fold_class,
};
use crate::signature::MemberKey;
use crate::{GardenId, MemberId};

/// The most entries that may wait for missing parents.
pub const MAX_PENDING: usize = 4096;

/// What [`MembershipLog::insert`] did with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// The entry is in the log now, and with it these entries (its own hash
    /// first, then the waiting entries it completed), in causal order.
    Added(Vec<EntryHash>),
    /// The log had it already.
    Known,
    /// Some of its parents are missing: it waits for them.
    Pending,
}

/// A garden's membership log and its fold.
#[derive(Debug, Clone)]
pub struct MembershipLog {
    garden: GardenId,
    genesis: EntryHash,
    entries: HashMap<EntryHash, Entry>,
    children: HashMap<EntryHash, Vec<EntryHash>>,
    heads: BTreeSet<EntryHash>,
    /// Entries waiting for parents, and by which missing parent.
    pending: HashMap<EntryHash, Entry>,
    waiting: HashMap<EntryHash, Vec<EntryHash>>,
    /// The fold order (see the module's fold rule).
    order: Vec<EntryHash>,
    state: Membership,
}

impl MembershipLog {
    /// Found a garden: a log holding its genesis entry by `key` (who becomes
    /// its facilitator). `nonce` should be random.
    pub fn found(
        key: &MemberKey,
        garden_name: &str,
        founder_name: &str,
        now: i64,
        nonce: [u8; 16],
    ) -> Result<(Self, Entry), MembershipError> {
        let genesis = Entry::sign(
            key,
            Vec::new(),
            now,
            Action::Genesis {
                garden_name: garden_name.to_owned(),
                founder_name: founder_name.to_owned(),
                nonce,
            },
        )?;
        Ok((Self::with_genesis(genesis.clone()), genesis))
    }

    fn with_genesis(genesis: Entry) -> Self {
        let hash = genesis.hash();
        let mut state = Membership::default();
        state.apply(&genesis);
        Self {
            garden: garden_of(hash),
            genesis: hash,
            entries: HashMap::from([(hash, genesis)]),
            children: HashMap::new(),
            heads: BTreeSet::from([hash]),
            pending: HashMap::new(),
            waiting: HashMap::new(),
            order: vec![hash],
            state,
        }
    }

    /// The log made of `entries` (in any order): exactly one genesis and
    /// entries of its garden. Every signature is checked; entries whose
    /// parents are missing wait, as in [`MembershipLog::insert`].
    pub fn from_entries(entries: Vec<Entry>) -> Result<Self, MembershipError> {
        let (genesis, rest): (Vec<Entry>, Vec<Entry>) = entries
            .into_iter()
            .partition(|e| matches!(e.action(), Action::Genesis { .. }));
        let mut genesis = genesis.into_iter();
        let first = genesis.next().ok_or(MembershipError::NoGenesis)?;
        first.verify_signature()?;
        let mut log = Self::with_genesis(first);
        for other in genesis.chain(rest) {
            log.insert_unfolded(other)?;
        }
        log.refold();
        Ok(log)
    }

    /// The garden: the first 16 bytes of the genesis entry's hash.
    pub fn garden(&self) -> GardenId {
        self.garden
    }

    /// The genesis entry's hash.
    pub fn genesis(&self) -> EntryHash {
        self.genesis
    }

    /// The membership the log folds to.
    pub fn state(&self) -> &Membership {
        &self.state
    }

    /// The entries no other entry names as parent, sorted.
    pub fn heads(&self) -> Vec<EntryHash> {
        self.heads.iter().copied().collect()
    }

    /// Whether the log holds this entry (not counting waiting ones).
    pub fn contains(&self, hash: &EntryHash) -> bool {
        self.entries.contains_key(hash)
    }

    /// The entry with this hash, if in the log.
    pub fn get(&self, hash: &EntryHash) -> Option<&Entry> {
        self.entries.get(hash)
    }

    /// How many entries the log holds (not counting waiting ones).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Never: a log holds at least its genesis.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many entries wait for missing parents.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Every entry, in fold order (parents before children).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.order.iter().filter_map(|h| self.entries.get(h))
    }

    /// What a peer whose log heads are `their_heads` lacks: the entries not
    /// in the causal past of those of their heads this log knows, in causal
    /// order.
    pub fn entries_missing_from(&self, their_heads: &[EntryHash]) -> Vec<&Entry> {
        let mut theirs: HashSet<EntryHash> = HashSet::new();
        let mut stack: Vec<EntryHash> = their_heads
            .iter()
            .filter(|h| self.entries.contains_key(h))
            .copied()
            .collect();
        while let Some(hash) = stack.pop() {
            if !theirs.insert(hash) {
                continue;
            }
            if let Some(entry) = self.entries.get(&hash) {
                stack.extend(entry.parents().iter().filter(|p| !theirs.contains(p)));
            }
        }
        self.entries()
            .filter(|e| !theirs.contains(&e.hash()))
            .collect()
    }

    /// Add `entry` (from a peer or the store). Its signature is checked,
    /// and a redeem's invite proof; a genesis or redeem of another garden is
    /// refused. An entry whose parents are not all here waits for them
    /// (bounded by [`MAX_PENDING`]) and is added when they arrive.
    pub fn insert(&mut self, entry: Entry) -> Result<Inserted, MembershipError> {
        let fast = entry.parents().iter().copied().collect::<BTreeSet<_>>() == self.heads;
        let inserted = self.insert_unfolded(entry)?;
        if let Inserted::Added(added) = &inserted {
            match added.as_slice() {
                // After every entry there is: last in fold order.
                [one] if fast => {
                    if let Some(entry) = self.entries.get(one) {
                        self.state.apply(entry);
                        self.order.push(*one);
                    }
                }
                _ => self.refold(),
            }
        }
        Ok(inserted)
    }

    /// [`MembershipLog::insert`] for several entries, folding once. One
    /// result per entry.
    pub fn insert_many(&mut self, entries: Vec<Entry>) -> Vec<Result<Inserted, MembershipError>> {
        let results: Vec<_> = entries
            .into_iter()
            .map(|e| self.insert_unfolded(e))
            .collect();
        if results.iter().any(|r| matches!(r, Ok(Inserted::Added(_)))) {
            self.refold();
        }
        results
    }

    fn insert_unfolded(&mut self, entry: Entry) -> Result<Inserted, MembershipError> {
        let hash = entry.hash();
        if self.entries.contains_key(&hash) {
            return Ok(Inserted::Known);
        }
        if self.pending.contains_key(&hash) {
            return Ok(Inserted::Pending);
        }
        if let Some(theirs) = entry.founds() {
            return Err(MembershipError::OtherGarden {
                ours: self.garden,
                theirs,
            });
        }
        entry.verify_signature()?;
        if !entry.verify_proof(self.garden) {
            return Err(MembershipError::BadProof(entry.author()));
        }
        let missing: Vec<EntryHash> = entry
            .parents()
            .iter()
            .filter(|p| !self.entries.contains_key(p))
            .copied()
            .collect();
        if !missing.is_empty() {
            if self.pending.len() >= MAX_PENDING {
                return Err(MembershipError::TooManyPending);
            }
            for parent in missing {
                self.waiting.entry(parent).or_default().push(hash);
            }
            self.pending.insert(hash, entry);
            return Ok(Inserted::Pending);
        }
        let mut added = Vec::new();
        let mut ready = vec![entry];
        while let Some(entry) = ready.pop() {
            let hash = entry.hash();
            for parent in entry.parents() {
                self.heads.remove(parent);
                self.children.entry(*parent).or_default().push(hash);
            }
            self.heads.insert(hash);
            self.entries.insert(hash, entry);
            added.push(hash);
            for child in self.waiting.remove(&hash).unwrap_or_default() {
                let complete = self
                    .pending
                    .get(&child)
                    .is_some_and(|c| c.parents().iter().all(|p| self.entries.contains_key(p)));
                if complete && let Some(child) = self.pending.remove(&child) {
                    ready.push(child);
                }
            }
        }
        Ok(Inserted::Added(added))
    }

    /// Fold every entry again (see the module's fold rule).
    fn refold(&mut self) {
        let mut missing_parents: HashMap<EntryHash, usize> = self
            .entries
            .iter()
            .map(|(h, e)| (*h, e.parents().len()))
            .collect();
        let mut ready: BinaryHeap<Reverse<(u8, EntryHash)>> = BinaryHeap::new();
        ready.push(Reverse((0, self.genesis)));
        let mut state = Membership::default();
        let mut order = Vec::with_capacity(self.entries.len());
        while let Some(Reverse((_, hash))) = ready.pop() {
            let Some(entry) = self.entries.get(&hash) else {
                continue;
            };
            state.apply(entry);
            order.push(hash);
            for child in self.children.get(&hash).into_iter().flatten() {
                if let Some(n) = missing_parents.get_mut(child) {
                    *n -= 1;
                    if *n == 0
                        && let Some(c) = self.entries.get(child)
                    {
                        ready.push(Reverse((fold_class(c.action()), *child)));
                    }
                }
            }
        }
        self.state = state;
        self.order = order;
    }

    /// Write a new entry by `key` on this log's heads, at `now`, and add
    /// it. Refused, and nothing added, when it would have no effect (a
    /// member inviting, removing someone who is not a member, ...): the
    /// error says why.
    pub fn append(
        &mut self,
        key: &MemberKey,
        action: Action,
        now: i64,
    ) -> Result<Entry, MembershipError> {
        if matches!(action, Action::Genesis { .. }) {
            return Err(MembershipError::Refused(NoEffect::SecondGenesis));
        }
        let parents: Vec<EntryHash> = self.heads.iter().take(MAX_PARENTS).copied().collect();
        let entry = Entry::sign(key, parents, now, action)?;
        let mut trial = self.clone();
        trial.insert(entry.clone())?;
        let line = trial
            .state
            .log
            .iter()
            .rev()
            .find(|l| l.hash == entry.hash());
        if let Some(reason) = line.and_then(|l| l.ignored) {
            return Err(MembershipError::Refused(reason));
        }
        *self = trial;
        Ok(entry)
    }

    /// Whether `entry` is a redeem this log admits at `now` by the
    /// admitting member's clock: a valid signature and proof, a live invite
    /// with uses left, a joiner who is not a member yet. The role it gives.
    pub fn check_redeem(&self, entry: &Entry, now: i64) -> Result<Role, MembershipError> {
        let Action::Redeem { invite_key, .. } = entry.action() else {
            return Err(MembershipError::NotARedeem(entry.action().kind()));
        };
        entry.verify_signature()?;
        if !entry.verify_proof(self.garden) {
            return Err(MembershipError::BadProof(entry.author()));
        }
        if self.state.role(entry.author()).is_some() {
            return Err(MembershipError::Refused(NoEffect::AlreadyMember(
                entry.author(),
            )));
        }
        self.state
            .check_invite(*invite_key, now)
            .map_err(|r| MembershipError::Refused(NoEffect::Invite(r)))
    }

    /// The role of `member` now, `None` when not a member.
    pub fn role(&self, member: MemberId) -> Option<Role> {
        self.state.role(member)
    }
}
