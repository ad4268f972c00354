//! A member's journal: everything one member says or does in the
//! community layer, written only by them.
//!
//! ```text
//! ROOT
//!   schema:      "loam/journal"
//!   threads:     { id: { doc, title, text, question: bool, created, mentions: [member] } }
//!   comments:    { id: { thread: ref, reply_to: ref | "", text, created, mentions: [member] } }
//!   resolutions: { thread ref: { resolved: bool, time } }
//!   answers:     { id: { question: ref, note: doc, text, created } }
//!   kudos:       { id: { target: "doc:<id>" | "comment:<ref>", message, created } }
//!   suggestions: { id: { doc, section, reason, created } }
//!   flags:       { id: { target: "doc:<id>" | "comment:<ref>" | "thread:<ref>", reason, created } }
//!   reads:       { doc: time }
//!   acks:        { guidelines version: time }
//! ```
//!
//! A *ref* names an item in any journal: `<author member id>:<item id>`
//! ([`super::ItemRef`]).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ScalarValue};
use serde::Serialize;
use serde_json::Value as Json;

use super::value::{arr, b, entries, i, object_at, s};
use super::{CommunityDoc, CommunityError, CommunityKind, new_item_id};
use crate::ids::{DocId, MemberId};

const SCHEMA: &str = "loam/journal";

/// A journal, read. Items by their id in the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Journal {
    /// Threads and questions opened.
    pub threads: BTreeMap<String, ThreadItem>,
    /// Comments and replies.
    pub comments: BTreeMap<String, CommentItem>,
    /// Threads resolved (or reopened), by thread reference.
    pub resolutions: BTreeMap<String, Resolution>,
    /// Answers to questions.
    pub answers: BTreeMap<String, AnswerItem>,
    /// Kudos given.
    pub kudos: BTreeMap<String, KudosItem>,
    /// Suggestions for the index.
    pub suggestions: BTreeMap<String, SuggestionItem>,
    /// Flags raised.
    pub flags: BTreeMap<String, FlagItem>,
    /// Pages and notes read, and when.
    pub reads: BTreeMap<DocId, i64>,
    /// Guidelines versions acknowledged, and when.
    pub acks: BTreeMap<u64, i64>,
}

/// The items of a journal, one kind at a time (see [`Journal`]).
pub type JournalItems<T> = BTreeMap<String, T>;

/// A thread (or question) opened on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadItem {
    /// The page or note it is about.
    pub doc: DocId,
    /// Its subject.
    pub title: String,
    /// Its opening text.
    pub text: String,
    /// A question (a prompt answered by a note).
    pub question: bool,
    /// When it was opened.
    pub created: i64,
    /// Members @mentioned.
    pub mentions: Vec<MemberId>,
}

/// A comment on a thread, maybe a reply to another comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentItem {
    /// The thread (a reference).
    pub thread: String,
    /// The comment it replies to (a reference), `""` for none.
    pub reply_to: String,
    /// Its text.
    pub text: String,
    /// When.
    pub created: i64,
    /// Members @mentioned.
    pub mentions: Vec<MemberId>,
}

/// Whether a thread was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Resolved (true) or reopened.
    pub resolved: bool,
    /// When.
    pub time: i64,
}

/// An answer to a question: a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerItem {
    /// The question (a reference).
    pub question: String,
    /// The note that answers it.
    pub note: DocId,
    /// A word about it.
    pub text: String,
    /// When.
    pub created: i64,
}

/// Kudos on a document or a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KudosItem {
    /// `doc:<id>` or `comment:<ref>`.
    pub target: String,
    /// The message, maybe empty.
    pub message: String,
    /// When.
    pub created: i64,
}

/// A suggestion for the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionItem {
    /// The page or note to add.
    pub doc: DocId,
    /// The section (an id), `""` for any.
    pub section: String,
    /// Why.
    pub reason: String,
    /// When.
    pub created: i64,
}

/// A flag raised for facilitators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagItem {
    /// `doc:<id>`, `comment:<ref>` or `thread:<ref>`.
    pub target: String,
    /// Why.
    pub reason: String,
    /// When.
    pub created: i64,
}

fn mentions(v: &Json) -> Vec<MemberId> {
    arr(v, "mentions")
        .iter()
        .filter_map(|m| m.as_str()?.parse().ok())
        .collect()
}

impl Journal {
    /// Read a journal from its JSON form; malformed items are skipped.
    pub fn from_json(v: &Json) -> Self {
        let threads = entries(v, "threads")
            .filter_map(|(id, t)| {
                Some((
                    id.clone(),
                    ThreadItem {
                        doc: s(t, "doc").parse().ok()?,
                        title: s(t, "title"),
                        text: s(t, "text"),
                        question: b(t, "question"),
                        created: i(t, "created"),
                        mentions: mentions(t),
                    },
                ))
            })
            .collect();
        let comments = entries(v, "comments")
            .map(|(id, c)| {
                (
                    id.clone(),
                    CommentItem {
                        thread: s(c, "thread"),
                        reply_to: s(c, "reply_to"),
                        text: s(c, "text"),
                        created: i(c, "created"),
                        mentions: mentions(c),
                    },
                )
            })
            .collect();
        let resolutions = entries(v, "resolutions")
            .map(|(id, r)| {
                (
                    id.clone(),
                    Resolution {
                        resolved: b(r, "resolved"),
                        time: i(r, "time"),
                    },
                )
            })
            .collect();
        let answers = entries(v, "answers")
            .filter_map(|(id, a)| {
                Some((
                    id.clone(),
                    AnswerItem {
                        question: s(a, "question"),
                        note: s(a, "note").parse().ok()?,
                        text: s(a, "text"),
                        created: i(a, "created"),
                    },
                ))
            })
            .collect();
        let kudos = entries(v, "kudos")
            .map(|(id, k)| {
                (
                    id.clone(),
                    KudosItem {
                        target: s(k, "target"),
                        message: s(k, "message"),
                        created: i(k, "created"),
                    },
                )
            })
            .collect();
        let suggestions = entries(v, "suggestions")
            .filter_map(|(id, g)| {
                Some((
                    id.clone(),
                    SuggestionItem {
                        doc: s(g, "doc").parse().ok()?,
                        section: s(g, "section"),
                        reason: s(g, "reason"),
                        created: i(g, "created"),
                    },
                ))
            })
            .collect();
        let flags = entries(v, "flags")
            .map(|(id, f)| {
                (
                    id.clone(),
                    FlagItem {
                        target: s(f, "target"),
                        reason: s(f, "reason"),
                        created: i(f, "created"),
                    },
                )
            })
            .collect();
        let reads = entries(v, "reads")
            .filter_map(|(doc, t)| Some((doc.parse().ok()?, t.as_i64()?)))
            .collect();
        let acks = entries(v, "acks")
            .filter_map(|(n, t)| Some((n.parse().ok()?, t.as_i64()?)))
            .collect();
        Self {
            threads,
            comments,
            resolutions,
            answers,
            kudos,
            suggestions,
            flags,
            reads,
            acks,
        }
    }
}

/// A field of a new journal item.
#[derive(Debug, Clone)]
pub(crate) enum Field<'a> {
    Str(&'a str),
    Int(i64),
    Bool(bool),
    Members(&'a [MemberId]),
}

/// Writing a journal: every method checks that this is a journal and
/// leaves the change uncommitted (see [`CommunityDoc::commit`]).
impl CommunityDoc {
    fn journal_root(&mut self) -> Result<(), CommunityError> {
        if !matches!(self.kind, CommunityKind::Journal(_)) {
            return Err(CommunityError::Invalid("not a journal".into()));
        }
        self.stamp(SCHEMA)
    }

    /// Put a map under `category` at `key` (a new id when `None`) with
    /// `fields`; its key.
    pub(crate) fn journal_item(
        &mut self,
        category: &str,
        key: Option<&str>,
        fields: &[(&str, Field<'_>)],
    ) -> Result<String, CommunityError> {
        self.journal_root()?;
        let key = match key {
            Some(k) => k.to_owned(),
            None => new_item_id()?,
        };
        let cat = object_at(&mut self.doc, &ROOT, category, ObjType::Map)?;
        let item = self.doc.put_object(&cat, key.as_str(), ObjType::Map)?;
        for (name, value) in fields {
            match value {
                Field::Str(v) => self.doc.put(&item, *name, *v)?,
                Field::Int(v) => self.doc.put(&item, *name, *v)?,
                Field::Bool(v) => self.doc.put(&item, *name, *v)?,
                Field::Members(ms) => {
                    let list = self.doc.put_object(&item, *name, ObjType::List)?;
                    for (n, m) in ms.iter().enumerate() {
                        self.doc.insert(&list, n, m.to_string())?;
                    }
                }
            }
        }
        Ok(key)
    }

    /// Open a thread (or a question) on `doc`; its id.
    pub fn open_thread(
        &mut self,
        doc: DocId,
        title: &str,
        text: &str,
        question: bool,
        mentions: &[MemberId],
        now: i64,
    ) -> Result<String, CommunityError> {
        let doc = doc.to_string();
        self.journal_item(
            "threads",
            None,
            &[
                ("doc", Field::Str(&doc)),
                ("title", Field::Str(title.trim())),
                ("text", Field::Str(text)),
                ("question", Field::Bool(question)),
                ("created", Field::Int(now)),
                ("mentions", Field::Members(mentions)),
            ],
        )
    }

    /// Comment on thread `thread` (a reference), maybe replying to comment
    /// `reply_to`; its id.
    pub fn comment(
        &mut self,
        thread: &str,
        reply_to: Option<&str>,
        text: &str,
        mentions: &[MemberId],
        now: i64,
    ) -> Result<String, CommunityError> {
        self.journal_item(
            "comments",
            None,
            &[
                ("thread", Field::Str(thread)),
                ("reply_to", Field::Str(reply_to.unwrap_or_default())),
                ("text", Field::Str(text)),
                ("created", Field::Int(now)),
                ("mentions", Field::Members(mentions)),
            ],
        )
    }

    /// Resolve (or reopen) thread `thread` (a reference).
    pub fn set_resolved(
        &mut self,
        thread: &str,
        resolved: bool,
        now: i64,
    ) -> Result<(), CommunityError> {
        self.journal_item(
            "resolutions",
            Some(thread),
            &[
                ("resolved", Field::Bool(resolved)),
                ("time", Field::Int(now)),
            ],
        )
        .map(drop)
    }

    /// Answer question `question` (a reference) with `note`; the answer's id.
    pub fn answer(
        &mut self,
        question: &str,
        note: DocId,
        text: &str,
        now: i64,
    ) -> Result<String, CommunityError> {
        let note = note.to_string();
        self.journal_item(
            "answers",
            None,
            &[
                ("question", Field::Str(question)),
                ("note", Field::Str(&note)),
                ("text", Field::Str(text)),
                ("created", Field::Int(now)),
            ],
        )
    }

    /// Give kudos to `target` (`doc:<id>` or `comment:<ref>`); its id.
    pub fn give_kudos(
        &mut self,
        target: &str,
        message: &str,
        now: i64,
    ) -> Result<String, CommunityError> {
        self.journal_item(
            "kudos",
            None,
            &[
                ("target", Field::Str(target)),
                ("message", Field::Str(message.trim())),
                ("created", Field::Int(now)),
            ],
        )
    }

    /// Suggest `doc` for the index (in `section`, an id, or `""`); its id.
    pub fn suggest(
        &mut self,
        doc: DocId,
        section: &str,
        reason: &str,
        now: i64,
    ) -> Result<String, CommunityError> {
        let doc = doc.to_string();
        self.journal_item(
            "suggestions",
            None,
            &[
                ("doc", Field::Str(&doc)),
                ("section", Field::Str(section)),
                ("reason", Field::Str(reason.trim())),
                ("created", Field::Int(now)),
            ],
        )
    }

    /// Flag `target` for facilitators; the flag's id.
    pub fn flag(&mut self, target: &str, reason: &str, now: i64) -> Result<String, CommunityError> {
        self.journal_item(
            "flags",
            None,
            &[
                ("target", Field::Str(target)),
                ("reason", Field::Str(reason.trim())),
                ("created", Field::Int(now)),
            ],
        )
    }

    /// Mark `doc` read at `now` (or unread).
    pub fn set_read(&mut self, doc: DocId, read: bool, now: i64) -> Result<(), CommunityError> {
        self.journal_root()?;
        let reads = object_at(&mut self.doc, &ROOT, "reads", ObjType::Map)?;
        let key = doc.to_string();
        if read {
            self.doc.put(&reads, key.as_str(), ScalarValue::Int(now))?;
        } else if automerge::ReadDoc::get(&self.doc, &reads, key.as_str())?.is_some() {
            self.doc.delete(&reads, key.as_str())?;
        }
        Ok(())
    }

    /// Acknowledge guidelines version `version` at `now`.
    pub fn acknowledge(&mut self, version: u64, now: i64) -> Result<(), CommunityError> {
        self.journal_root()?;
        let acks = object_at(&mut self.doc, &ROOT, "acks", ObjType::Map)?;
        self.doc
            .put(&acks, version.to_string(), ScalarValue::Int(now))?;
        Ok(())
    }
}
