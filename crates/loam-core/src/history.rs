//! Who changed a document, when, and by how much: the summary of each
//! Automerge change, and the rule that groups changes into edit sessions.
//!
//! Authorship comes from the actor id: every replica Loam opens writes as
//! `member id (32 bytes) ++ 8 random bytes` ([`actor_for`]), so the member
//! can be read back from any change ([`author_of`]). A change made outside
//! Loam (another Automerge application) has a foreign actor and is shown by
//! that actor id instead. The actor prefix is only a claim: once changes are
//! signed (the sync issue), authorship comes from the signatures instead.
//!
//! Times are milliseconds since the Unix epoch. Some Automerge applications
//! write seconds; [`change_time`] reads any value below 10^11 (a date in
//! 1973 in milliseconds, in 5138 in seconds) as seconds.

use automerge::legacy::{ObjectId, OpId, OpType};
use automerge::{ActorId, Change, ChangeHash, ObjId, ScalarValue};
use serde::Serialize;

use crate::doc::Timestamp;
use crate::ids::MemberId;

/// How many random bytes follow the member id in an actor id: a fresh
/// suffix per loaded replica, so that two processes of the same member never
/// reuse a sequence number.
const ACTOR_SUFFIX: usize = 8;

/// Changes by one author less than this far apart (10 minutes) belong to
/// the same edit session.
pub const SESSION_GAP: Timestamp = 10 * 60 * 1000;

/// Raw change times below this are seconds, not milliseconds.
const SECONDS_BELOW: i64 = 100_000_000_000;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAuthor {
    /// A Loam member (from the change's actor id).
    Member(MemberId),
    /// A change made outside Loam: its Automerge actor id's bytes.
    Actor(#[serde(serialize_with = "hex")] Vec<u8>),
}

fn hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&ActorId::from(bytes))
}

impl ChangeAuthor {
    /// The author of changes made by `actor`.
    pub fn of(actor: &ActorId) -> Self {
        match author_of(actor) {
            Some(member) => Self::Member(member),
            None => Self::Actor(actor.to_bytes().to_vec()),
        }
    }

    /// The member, if the author is one.
    pub fn member(&self) -> Option<MemberId> {
        match self {
            Self::Member(m) => Some(*m),
            Self::Actor(_) => None,
        }
    }

    /// The first 8 hex digits of the member or actor id.
    pub fn short(&self) -> String {
        match self {
            Self::Member(m) => m.short(),
            Self::Actor(a) => {
                let mut s = ActorId::from(a.as_slice()).to_hex_string();
                s.truncate(MemberId::SHORT_DIGITS);
                s
            }
        }
    }
}

impl std::fmt::Display for ChangeAuthor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Member(m) => write!(f, "{m}"),
            Self::Actor(a) => write!(f, "{}", ActorId::from(a.as_slice())),
        }
    }
}

/// A new actor id for a replica `member` writes with: the member id and
/// 8 random bytes.
///
/// # Panics
/// Never in practice: only if the OS has no entropy source at all.
#[allow(clippy::expect_used)]
pub fn actor_for(member: MemberId) -> ActorId {
    let mut bytes = [0u8; 32 + ACTOR_SUFFIX];
    bytes[..32].copy_from_slice(member.as_bytes());
    getrandom::fill(&mut bytes[32..]).expect("the operating system has no random source");
    ActorId::from(bytes.as_slice())
}

/// The member whose replica wrote as `actor` ([`actor_for`]), `None` for an
/// actor made outside Loam.
pub fn author_of(actor: &ActorId) -> Option<MemberId> {
    let bytes = actor.to_bytes();
    if bytes.len() != 32 + ACTOR_SUFFIX {
        return None;
    }
    MemberId::from_slice(&bytes[..32])
}

/// A change's time in milliseconds: Loam writes milliseconds, some other
/// applications seconds (any value below 10^11 is read as seconds).
pub fn change_time(raw: i64) -> Timestamp {
    if (0..SECONDS_BELOW).contains(&raw) {
        raw * 1000
    } else {
        raw
    }
}

/// One change, as history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeSummary {
    /// The change.
    pub hash: ChangeHash,
    /// Who made it.
    pub author: ChangeAuthor,
    /// Its number among its actor's changes (1, 2, ...): orders one
    /// replica's changes made in the same millisecond (or, for times in
    /// seconds, the same second).
    pub seq: u64,
    /// When, in milliseconds ([`change_time`]).
    pub time: Timestamp,
    /// Characters (code points) it inserted into the body.
    pub inserted: u64,
    /// Characters it deleted from the body.
    pub deleted: u64,
}

/// How a change edited the body: characters inserted and deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BodyEdits {
    pub(crate) inserted: u64,
    pub(crate) deleted: u64,
}

impl ChangeSummary {
    /// The summary of `change`, whose body edits are `edits` when known
    /// (counted as the edits were made) or else read from its operations on
    /// the text object `body`.
    pub(crate) fn of(change: &Change, body: &ObjId, edits: Option<BodyEdits>) -> Self {
        let edits = edits.unwrap_or_else(|| body_edits(change, body));
        Self {
            hash: change.hash(),
            author: ChangeAuthor::of(change.actor_id()),
            seq: change.seq(),
            time: change_time(change.timestamp()),
            inserted: edits.inserted,
            deleted: edits.deleted,
        }
    }
}

/// Count the text insertions and deletions `change` makes in `body`.
pub(crate) fn body_edits(change: &Change, body: &ObjId) -> BodyEdits {
    let ObjId::Id(counter, actor, _) = body else {
        return BodyEdits::default();
    };
    let body = ObjectId::Id(OpId(*counter, actor.clone()));
    let mut edits = BodyEdits::default();
    for op in change.decode().operations {
        if op.obj != body {
            continue;
        }
        match &op.action {
            OpType::Put(ScalarValue::Str(s)) if op.insert => {
                edits.inserted += s.chars().count() as u64;
            }
            OpType::Delete => edits.deleted += 1,
            _ => {}
        }
    }
    edits
}

/// An edit session: one author's changes, each less than [`SESSION_GAP`]
/// after the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    /// Who made the changes.
    pub author: ChangeAuthor,
    /// The time of the first change.
    pub start: Timestamp,
    /// The time of the last change.
    pub end: Timestamp,
    /// How many changes.
    pub changes: u64,
    /// Characters inserted into the body, in all.
    pub inserted: u64,
    /// Characters deleted from the body, in all.
    pub deleted: u64,
}

/// The edit sessions of `changes` (in any order), oldest first (by start,
/// then author).
///
/// The rule: take each author's changes by time; a change less than
/// [`SESSION_GAP`] after the previous one joins its session, otherwise it
/// starts a new one. Sessions of different authors may overlap (two members
/// writing at the same time). The result does not depend on the order the
/// changes arrive in, so the store can keep sessions up to date one change
/// at a time, as changes arrive by sync in any order.
pub fn sessions(changes: &[ChangeSummary]) -> Vec<Session> {
    let mut sorted: Vec<&ChangeSummary> = changes.iter().collect();
    sorted.sort_by(|a, b| (&a.author, a.time).cmp(&(&b.author, b.time)));
    let mut out: Vec<Session> = Vec::new();
    for change in sorted {
        match out.last_mut() {
            Some(last) if last.author == change.author && change.time - last.end < SESSION_GAP => {
                last.end = change.time;
                last.changes += 1;
                last.inserted += change.inserted;
                last.deleted += change.deleted;
            }
            _ => out.push(Session {
                author: change.author.clone(),
                start: change.time,
                end: change.time,
                changes: 1,
                inserted: change.inserted,
                deleted: change.deleted,
            }),
        }
    }
    out.sort_by(|a, b| (a.start, &a.author).cmp(&(b.start, &b.author)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Timestamp = 60_000;

    /// Changes in a compact notation: `a0 a3 b4+5-2` is author `a` at
    /// minute 0 and 3, author `b` at minute 4 inserting 5 and deleting 2
    /// characters. Sessions print as `a 0-3 x2 +0-0`.
    fn changes(notation: &str) -> Vec<ChangeSummary> {
        notation
            .split_whitespace()
            .enumerate()
            .map(|(i, item)| {
                let author = item.as_bytes()[0];
                let rest = &item[1..];
                let (minute, edits) = rest.split_once('+').unwrap_or((rest, "0-0"));
                let (inserted, deleted) = edits.split_once('-').unwrap();
                ChangeSummary {
                    hash: ChangeHash([u8::try_from(i).unwrap(); 32]),
                    author: ChangeAuthor::Member(MemberId::from_bytes([author; 32])),
                    seq: i as u64 + 1,
                    time: minute.parse::<Timestamp>().unwrap() * MINUTE,
                    inserted: inserted.parse().unwrap(),
                    deleted: deleted.parse().unwrap(),
                }
            })
            .collect()
    }

    fn show(sessions: &[Session]) -> String {
        sessions
            .iter()
            .map(|s| {
                let author = char::from(s.author.member().unwrap().as_bytes()[0]);
                format!(
                    "{author} {}-{} x{} +{}-{}",
                    s.start / MINUTE,
                    s.end / MINUTE,
                    s.changes,
                    s.inserted,
                    s.deleted
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn sessions_group_each_authors_changes_by_gaps() {
        let check = |input: &str, expected: &str| {
            let mut input = changes(input);
            assert_eq!(show(&sessions(&input)), expected, "{input:?}");
            input.reverse();
            assert_eq!(show(&sessions(&input)), expected, "reversed");
        };
        check("", "");
        check("a0", "a 0-0 x1 +0-0");
        check("a0 a9 a18 a27", "a 0-27 x4 +0-0");
        check("a0 a10", "a 0-0 x1 +0-0, a 10-10 x1 +0-0");
        check("a0+5-0 a3+2-1 a30+1-1", "a 0-3 x2 +7-1, a 30-30 x1 +1-1");
        // Two members at once: overlapping sessions, neither splits the other.
        check("a0 b1 a2 b3 a4", "a 0-4 x3 +0-0, b 1-3 x2 +0-0");
        // A change arriving late (sync) bridges two sessions into one.
        check("a0 a15 a8", "a 0-15 x3 +0-0");
        // Same start: ordered by author.
        check("b5 a5", "a 5-5 x1 +0-0, b 5-5 x1 +0-0");
    }

    #[test]
    fn times_in_seconds_become_milliseconds() {
        let check = |raw: i64, expected: Timestamp| assert_eq!(change_time(raw), expected);
        check(0, 0);
        check(1_631_790_616, 1_631_790_616_000);
        check(99_999_999_999, 99_999_999_999_000);
        check(100_000_000_000, 100_000_000_000);
        check(1_763_600_000_000, 1_763_600_000_000);
        check(-5, -5);
    }

    #[test]
    fn actors_carry_their_member() {
        let member = MemberId::from_bytes([7; 32]);
        let a = actor_for(member);
        let b = actor_for(member);
        assert_ne!(a, b, "a fresh suffix per replica");
        assert_eq!(author_of(&a), Some(member));
        assert_eq!(ChangeAuthor::of(&a), ChangeAuthor::Member(member));
        let foreign = ActorId::from(&[0xf6_u8; 16][..]);
        assert_eq!(author_of(&foreign), None);
        assert_eq!(ChangeAuthor::of(&foreign).short(), "f6f6f6f6");
        assert_eq!(
            ChangeAuthor::of(&foreign).to_string(),
            "f6".repeat(16),
            "shown as the actor's hex"
        );
    }
}
