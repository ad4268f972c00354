//! The community layer's documents: the garden manifest and each member's
//! journal, and the rule that says who may write which.
//!
//! # Documents
//!
//! Two kinds of Automerge document, besides notes and pages, sync with a
//! garden. Their ids are derived, not random, so every peer knows what a
//! document is from its id alone, before a byte of it arrives:
//!
//! - **The manifest** ([`manifest_id`]: SHA-256 of `loam/manifest`, the
//!   garden id), one per garden. It holds what facilitators curate: the
//!   index (sections of ordered entries, each maybe featured with a
//!   reason), the guidelines (text, version and every earlier version),
//!   reading paths (ordered pages), the verdicts on members' suggestions,
//!   hidden comments and the moderation log. **Only facilitators write it.**
//! - **A member's journal** ([`journal_id`]: SHA-256 of `loam/journal`, the
//!   garden id, the member id), one per member. It holds everything that
//!   member says or does in the community layer: threads and questions
//!   they open, comments and replies, answers (a link to a note), kudos,
//!   suggestions for the index, flags, resolutions, guideline
//!   acknowledgements and read marks. **Only its owner writes it.**
//!
//! Discussion, kudos and read marks are keyed by page *inside* the
//! journals (a thread names its document; a read mark is a document id),
//! and the node's fold gathers them per page. Splitting by author rather
//! than by page means authorship needs no per-object bookkeeping: the
//! journal's owner is the author of everything in it, and the sync layer
//! refuses any change to it not signed by that owner, so no member can
//! write, edit or delete another's comment.
//!
//! # Who may write ([`WritePolicy`])
//!
//! | document            | signer must be                          |
//! |---------------------|-----------------------------------------|
//! | note or page        | a current member or facilitator         |
//! | manifest            | a current facilitator                   |
//! | journal of member M | M, while M belongs to the garden        |
//!
//! The same rule refuses a local write (the node checks before it writes)
//! and a peer's change (loam-sync asks the store for the document's policy
//! before applying anything; a change signed by someone the policy does
//! not allow gets the whole document refused).
//!
//! A reader owns a journal too, but what counts from it is only what
//! concerns the reader: read marks and guideline acknowledgements. Threads,
//! comments, answers, kudos, suggestions and flags from a journal count
//! only while its owner may write (see [`fold`]): readers read.

mod fold;
mod journal;
mod manifest;
mod revert;
mod stats;
mod value;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, ROOT};
use sha2::{Digest, Sha256};

pub use fold::{
    Answer, Comment, Community, Flag, Kudos, KudosTarget, Suggestion, SuggestionStatus, Thread,
    fold,
};
pub use journal::{
    AnswerItem, CommentItem, FlagItem, Journal, JournalItems, KudosItem, Resolution,
    SuggestionItem, ThreadItem,
};
pub use manifest::{
    Entry as IndexEntry, Guidelines, GuidelinesVersion, Manifest, ModerationRecord, Path, Section,
    Verdict,
};
pub use revert::{RevertEdit, revert_edits};
pub use stats::{
    Contribution, ContributionKind, GardenStats, LinkFact, NewcomerStat, NoteFact, QuestionFact,
    ReuseStats, StatsInput, WeekStats, compute_stats, median, week_start,
};

use crate::history::actor_for;
use crate::ids::{DocId, GardenId, MemberId};
use crate::membership::Role;

/// What goes wrong with a community document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommunityError {
    /// The bytes are not an Automerge document.
    #[error("the community document does not load: {0}")]
    Decode(String),
    /// Automerge refused an operation.
    #[error("automerge refused the change: {0}")]
    Automerge(String),
    /// Something named by id is not there (a section, a path, an entry).
    #[error("no {what} `{id}`")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A request that cannot be met as asked.
    #[error("{0}")]
    Invalid(String),
}

impl From<automerge::AutomergeError> for CommunityError {
    fn from(e: automerge::AutomergeError) -> Self {
        Self::Automerge(e.to_string())
    }
}

/// The id of the garden's manifest.
pub fn manifest_id(garden: GardenId) -> DocId {
    derived(&[b"loam/manifest", garden.as_bytes()])
}

/// The id of `member`'s journal in the garden.
pub fn journal_id(garden: GardenId, member: MemberId) -> DocId {
    derived(&[b"loam/journal", garden.as_bytes(), member.as_bytes()])
}

fn derived(parts: &[&[u8]]) -> DocId {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    DocId::from_bytes(id)
}

/// Which community document a document id is, given the garden and its
/// members (the journals of others are not documents of this garden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommunityKind {
    /// The garden's manifest.
    Manifest,
    /// The journal of this member.
    Journal(MemberId),
}

impl CommunityKind {
    /// The kind of `doc`: the manifest, the journal of one of `members`, or
    /// `None` (a note or page).
    pub fn of(
        doc: DocId,
        garden: GardenId,
        members: impl IntoIterator<Item = MemberId>,
    ) -> Option<Self> {
        if doc == manifest_id(garden) {
            return Some(Self::Manifest);
        }
        members
            .into_iter()
            .find(|m| journal_id(garden, *m) == doc)
            .map(Self::Journal)
    }

    /// Its document id.
    pub fn doc_id(self, garden: GardenId) -> DocId {
        match self {
            Self::Manifest => manifest_id(garden),
            Self::Journal(m) => journal_id(garden, m),
        }
    }

    /// Who may write it.
    pub fn policy(self) -> WritePolicy {
        match self {
            Self::Manifest => WritePolicy::Facilitators,
            Self::Journal(m) => WritePolicy::Owner(m),
        }
    }

    /// `manifest` or `journal`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manifest => "manifest",
            Self::Journal(_) => "journal",
        }
    }
}

/// Who may sign changes to a document (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WritePolicy {
    /// Members and facilitators: notes and pages.
    Writers,
    /// Facilitators only: the manifest.
    Facilitators,
    /// Only this member, whatever their role, while they belong to the
    /// garden: their journal.
    Owner(MemberId),
}

impl WritePolicy {
    /// Whether `signer`, whose current role is `role` (`None`: not a
    /// member), may write.
    pub fn allows(self, signer: MemberId, role: Option<Role>) -> bool {
        match self {
            Self::Writers => role.is_some_and(Role::can_write),
            Self::Facilitators => role == Some(Role::Facilitator),
            Self::Owner(owner) => signer == owner && role.is_some(),
        }
    }

    /// Who may write, in words ("facilitators only").
    pub fn describe(self) -> String {
        match self {
            Self::Writers => "members and facilitators".into(),
            Self::Facilitators => "facilitators only".into(),
            Self::Owner(m) => format!("only its owner {}", m.short()),
        }
    }
}

/// A new random id for an item (a section, a thread, a comment...): 12 hex
/// digits, unique among its author's items.
pub fn new_item_id() -> Result<String, CommunityError> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| CommunityError::Invalid(format!("no random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A global reference to an item in a journal: its author and its id there,
/// written `<author hex>:<item id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ItemRef {
    /// Whose journal holds it.
    pub author: MemberId,
    /// Its id in that journal.
    pub id: String,
}

impl ItemRef {
    /// The reference as stored.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.author, self.id)
    }

    /// The reference stored as `s`, if it is one.
    pub fn decode(s: &str) -> Option<Self> {
        let (author, id) = s.split_once(':')?;
        let author = author.parse().ok()?;
        if id.is_empty() || id.len() > 64 {
            return None;
        }
        Some(Self {
            author,
            id: id.to_owned(),
        })
    }
}

impl std::fmt::Display for ItemRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

/// One community document (manifest or journal) as an Automerge replica.
#[derive(Debug)]
pub struct CommunityDoc {
    kind: CommunityKind,
    doc: AutoCommit,
}

impl CommunityDoc {
    /// A new, empty document of `kind`, written as `author`.
    pub fn new(kind: CommunityKind, author: MemberId) -> Self {
        let doc = AutoCommit::new().with_actor(actor_for(author));
        Self { kind, doc }
    }

    /// The document saved as `bytes` (a save, or chunks one after another).
    pub fn load(
        kind: CommunityKind,
        bytes: &[u8],
        author: MemberId,
    ) -> Result<Self, CommunityError> {
        let doc = AutoCommit::load(bytes)
            .map_err(|e| CommunityError::Decode(e.to_string()))?
            .with_actor(actor_for(author));
        Ok(Self { kind, doc })
    }

    /// A document built up by sync, to be written as `author`.
    pub fn from_received(kind: CommunityKind, doc: AutoCommit, author: MemberId) -> Self {
        Self {
            kind,
            doc: doc.with_actor(actor_for(author)),
        }
    }

    /// Which document this is.
    pub fn kind(&self) -> CommunityKind {
        self.kind
    }

    /// The replica, for sync.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Its heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The whole document, saved.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Commit what was written since the last commit as one change made at
    /// `now`; `None` when nothing was.
    pub fn commit(&mut self, now: i64, message: &str) -> Option<ChangeHash> {
        if self.doc.pending_ops() == 0 {
            return None;
        }
        self.doc.commit_with(
            CommitOptions::default()
                .with_time(now)
                .with_message(message.to_owned()),
        )
    }

    /// An empty change on top of every head, made at `now`: a current
    /// writer vouching for the document's history, so that changes by
    /// someone who has since lost the right still reach newcomers (see
    /// loam-sync's rule on changes a current writer built on).
    pub fn endorse(&mut self, now: i64) -> ChangeHash {
        self.doc.empty_change(
            CommitOptions::default()
                .with_time(now)
                .with_message("endorse".to_owned()),
        )
    }

    /// Drop what was written since the last commit.
    pub fn rollback(&mut self) {
        self.doc.rollback();
    }

    /// The document as JSON (what the store keeps beside the bytes, and
    /// what [`Manifest::from_json`] and [`Journal::from_json`] read).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(automerge::AutoSerde::from(&self.doc))
            .unwrap_or(serde_json::Value::Null)
    }

    fn stamp(&mut self, schema: &str) -> Result<(), CommunityError> {
        if value::get_str(&self.doc, &ROOT, "schema").is_none() {
            self.doc.put(ROOT, "schema", schema)?;
        }
        Ok(())
    }
}
