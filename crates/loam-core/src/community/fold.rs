//! The community as members see it: the manifest and every journal folded
//! into threads (with their comments, answers and resolution), kudos,
//! suggestions (with their verdicts), flags, read marks and
//! acknowledgements.
//!
//! The fold is a pure function of the documents and the current roles, so
//! every peer holding the same documents shows the same community. Rules:
//!
//! - The author of an item is the owner of the journal it is in.
//! - Threads, comments, answers, kudos, suggestions and flags count unless
//!   their author is currently a reader (readers read; a hostile reader
//!   may write such items into their own journal, and they are ignored).
//!   Read marks and acknowledgements count for everyone.
//! - A resolution counts when made by the thread's author or a current
//!   facilitator; the latest one (by time, then author) wins.
//! - An answer counts only on a question.
//! - Items hidden by a facilitator stay listed, marked hidden with the
//!   reason (front ends show the mark, not the text).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::ItemRef;
use super::journal::Journal;
use super::manifest::Manifest;
use crate::ids::{DocId, MemberId};
use crate::membership::Role;

/// Threads, kudos and the rest, folded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Community {
    /// The manifest.
    pub manifest: Manifest,
    /// Every thread, oldest first.
    pub threads: Vec<Thread>,
    /// Every kudos, oldest first.
    pub kudos: Vec<Kudos>,
    /// Every suggestion, oldest first.
    pub suggestions: Vec<Suggestion>,
    /// Every flag, oldest first.
    pub flags: Vec<Flag>,
    /// Each member's read marks.
    pub reads: BTreeMap<MemberId, BTreeMap<DocId, i64>>,
    /// Each member's guideline acknowledgements (version → when).
    pub acks: BTreeMap<MemberId, BTreeMap<u64, i64>>,
}

/// A thread on a page or note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    /// Its reference.
    pub id: ItemRef,
    /// The page or note.
    pub doc: DocId,
    /// Its subject.
    pub title: String,
    /// Its opening text.
    pub text: String,
    /// Whether it is a question.
    pub question: bool,
    /// Who opened it.
    pub author: MemberId,
    /// When.
    pub created: i64,
    /// Members mentioned in the opening text.
    pub mentions: Vec<MemberId>,
    /// Its comments, oldest first.
    pub comments: Vec<Comment>,
    /// Its answers (questions only), oldest first.
    pub answers: Vec<Answer>,
    /// Who resolved it and when, if it is resolved.
    pub resolved: Option<(MemberId, i64)>,
    /// Why a facilitator hid it, if hidden.
    pub hidden: Option<String>,
}

/// A comment in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Its reference.
    pub id: ItemRef,
    /// Who wrote it.
    pub author: MemberId,
    /// The comment it replies to.
    pub reply_to: Option<ItemRef>,
    /// Its text.
    pub text: String,
    /// When.
    pub created: i64,
    /// Members mentioned.
    pub mentions: Vec<MemberId>,
    /// Why a facilitator hid it, if hidden.
    pub hidden: Option<String>,
}

/// An answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Its reference.
    pub id: ItemRef,
    /// Who answered.
    pub author: MemberId,
    /// The note that answers.
    pub note: DocId,
    /// A word about it.
    pub text: String,
    /// When.
    pub created: i64,
}

/// What kudos are given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum KudosTarget {
    /// A page or note.
    Doc(DocId),
    /// A comment.
    Comment(ItemRef),
}

impl KudosTarget {
    /// The target as stored (`doc:<id>`, `comment:<ref>`).
    pub fn encode(&self) -> String {
        match self {
            Self::Doc(d) => format!("doc:{d}"),
            Self::Comment(c) => format!("comment:{}", c.encode()),
        }
    }

    /// The target stored as `s`.
    pub fn decode(s: &str) -> Option<Self> {
        let (kind, rest) = s.split_once(':')?;
        match kind {
            "doc" => rest.parse().ok().map(Self::Doc),
            "comment" => ItemRef::decode(rest).map(Self::Comment),
            _ => None,
        }
    }
}

/// Kudos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kudos {
    /// Its reference.
    pub id: ItemRef,
    /// Who gave it.
    pub from: MemberId,
    /// To what.
    pub target: KudosTarget,
    /// The message, maybe empty.
    pub message: String,
    /// When.
    pub created: i64,
}

/// Where a suggestion stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum SuggestionStatus {
    /// Waiting for a facilitator.
    Open,
    /// Added to the index.
    Accepted {
        /// By whom.
        by: Option<MemberId>,
        /// When.
        time: i64,
    },
    /// Not added.
    Declined {
        /// By whom.
        by: Option<MemberId>,
        /// When.
        time: i64,
        /// Why.
        note: String,
    },
}

/// A member's suggestion for the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Its reference.
    pub id: ItemRef,
    /// Who suggested.
    pub author: MemberId,
    /// The page or note.
    pub doc: DocId,
    /// The section asked for (an id), `""` for any.
    pub section: String,
    /// Why.
    pub reason: String,
    /// When.
    pub created: i64,
    /// Its verdict.
    pub status: SuggestionStatus,
}

/// A flag raised for facilitators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Its reference.
    pub id: ItemRef,
    /// Who raised it.
    pub author: MemberId,
    /// What (`doc:<id>`, `comment:<ref>`, `thread:<ref>`).
    pub target: String,
    /// Why.
    pub reason: String,
    /// When.
    pub created: i64,
}

/// Fold `manifest` and `journals` (by owner) under the current `roles`
/// (members not listed were removed: their items still count).
pub fn fold(
    manifest: Manifest,
    journals: &BTreeMap<MemberId, Journal>,
    roles: &BTreeMap<MemberId, Role>,
) -> Community {
    let speaks = |m: &MemberId| roles.get(m) != Some(&Role::Reader);
    let facilitators: BTreeSet<MemberId> = roles
        .iter()
        .filter(|(_, r)| **r == Role::Facilitator)
        .map(|(m, _)| *m)
        .collect();
    let hidden = |kind: &str, r: &ItemRef| {
        manifest
            .hidden
            .get(&format!("{kind}:{}", r.encode()))
            .map(|h| h.reason.clone())
    };
    let item = |author: MemberId, id: &str| ItemRef {
        author,
        id: id.to_owned(),
    };

    let mut threads: BTreeMap<String, Thread> = BTreeMap::new();
    for (owner, j) in journals.iter().filter(|(m, _)| speaks(m)) {
        for (id, t) in &j.threads {
            let r = item(*owner, id);
            threads.insert(
                r.encode(),
                Thread {
                    hidden: hidden("thread", &r),
                    id: r,
                    doc: t.doc,
                    title: t.title.clone(),
                    text: t.text.clone(),
                    question: t.question,
                    author: *owner,
                    created: t.created,
                    mentions: t.mentions.clone(),
                    comments: Vec::new(),
                    answers: Vec::new(),
                    resolved: None,
                },
            );
        }
    }
    let mut resolutions: BTreeMap<String, (i64, MemberId, bool)> = BTreeMap::new();
    for (owner, j) in journals {
        if speaks(owner) {
            for (id, c) in &j.comments {
                if let Some(t) = threads.get_mut(&c.thread) {
                    let r = item(*owner, id);
                    t.comments.push(Comment {
                        hidden: hidden("comment", &r),
                        id: r,
                        author: *owner,
                        reply_to: ItemRef::decode(&c.reply_to),
                        text: c.text.clone(),
                        created: c.created,
                        mentions: c.mentions.clone(),
                    });
                }
            }
            for (id, a) in &j.answers {
                if let Some(t) = threads.get_mut(&a.question).filter(|t| t.question) {
                    t.answers.push(Answer {
                        id: item(*owner, id),
                        author: *owner,
                        note: a.note,
                        text: a.text.clone(),
                        created: a.created,
                    });
                }
            }
        }
        for (thread, res) in &j.resolutions {
            let Some(t) = threads.get(thread) else {
                continue;
            };
            if t.author != *owner && !facilitators.contains(owner) {
                continue;
            }
            let candidate = (res.time, *owner, res.resolved);
            let slot = resolutions.entry(thread.clone()).or_insert(candidate);
            if (candidate.0, candidate.1) > (slot.0, slot.1) {
                *slot = candidate;
            }
        }
    }
    for (thread, (time, by, resolved)) in resolutions {
        if let Some(t) = threads.get_mut(&thread) {
            t.resolved = resolved.then_some((by, time));
        }
    }
    let mut threads: Vec<Thread> = threads.into_values().collect();
    for t in &mut threads {
        t.comments
            .sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        t.answers
            .sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    }
    threads.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));

    let mut kudos = Vec::new();
    let mut suggestions = Vec::new();
    let mut flags = Vec::new();
    let mut reads = BTreeMap::new();
    let mut acks = BTreeMap::new();
    for (owner, j) in journals {
        if !j.reads.is_empty() {
            reads.insert(*owner, j.reads.clone());
        }
        if !j.acks.is_empty() {
            acks.insert(*owner, j.acks.clone());
        }
        if !speaks(owner) {
            continue;
        }
        for (id, k) in &j.kudos {
            if let Some(target) = KudosTarget::decode(&k.target) {
                kudos.push(Kudos {
                    id: item(*owner, id),
                    from: *owner,
                    target,
                    message: k.message.clone(),
                    created: k.created,
                });
            }
        }
        for (id, g) in &j.suggestions {
            let r = item(*owner, id);
            let status = match manifest.verdicts.get(&r.encode()) {
                None => SuggestionStatus::Open,
                Some(v) if v.accepted => SuggestionStatus::Accepted {
                    by: v.by,
                    time: v.time,
                },
                Some(v) => SuggestionStatus::Declined {
                    by: v.by,
                    time: v.time,
                    note: v.note.clone(),
                },
            };
            suggestions.push(Suggestion {
                id: r,
                author: *owner,
                doc: g.doc,
                section: g.section.clone(),
                reason: g.reason.clone(),
                created: g.created,
                status,
            });
        }
        for (id, f) in &j.flags {
            flags.push(Flag {
                id: item(*owner, id),
                author: *owner,
                target: f.target.clone(),
                reason: f.reason.clone(),
                created: f.created,
            });
        }
    }
    kudos.sort_by(|a: &Kudos, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    suggestions.sort_by(|a: &Suggestion, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    flags.sort_by(|a: &Flag, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Community {
        manifest,
        threads,
        kudos,
        suggestions,
        flags,
        reads,
        acks,
    }
}

impl Community {
    /// The thread `reference` names: a full reference or an item id (or a
    /// unique prefix of one, at least 4 characters).
    pub fn thread(&self, reference: &str) -> Result<&Thread, Vec<&Thread>> {
        find(&self.threads, reference, |t| &t.id)
    }

    /// The comment `reference` names, with its thread.
    pub fn comment(&self, reference: &str) -> Option<(&Thread, &Comment)> {
        let all: Vec<(&Thread, &Comment)> = self
            .threads
            .iter()
            .flat_map(|t| t.comments.iter().map(move |c| (t, c)))
            .collect();
        let found: Vec<&(&Thread, &Comment)> = all
            .iter()
            .filter(|(_, c)| matches_ref(&c.id, reference))
            .collect();
        match found.as_slice() {
            [one] => Some(**one),
            _ => None,
        }
    }

    /// Unresolved threads (questions included), oldest first.
    pub fn unresolved(&self) -> impl Iterator<Item = &Thread> {
        self.threads.iter().filter(|t| t.resolved.is_none())
    }

    /// Questions without an answer, oldest first.
    pub fn unanswered(&self) -> impl Iterator<Item = &Thread> {
        self.threads
            .iter()
            .filter(|t| t.question && t.answers.is_empty() && t.resolved.is_none())
    }

    /// The suggestion `reference` names.
    pub fn suggestion(&self, reference: &str) -> Result<&Suggestion, Vec<&Suggestion>> {
        find(&self.suggestions, reference, |s| &s.id)
    }
}

fn matches_ref(r: &ItemRef, reference: &str) -> bool {
    let reference = reference.trim();
    r.encode() == reference
        || r.id == reference
        || (reference.len() >= 4 && r.id.starts_with(reference))
}

fn find<'a, T>(
    items: &'a [T],
    reference: &str,
    id: impl Fn(&T) -> &ItemRef,
) -> Result<&'a T, Vec<&'a T>> {
    if let Some(exact) = items.iter().find(|t| {
        let r = id(t);
        r.encode() == reference.trim() || r.id == reference.trim()
    }) {
        return Ok(exact);
    }
    let found: Vec<&T> = items
        .iter()
        .filter(|t| matches_ref(id(t), reference))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        _ => Err(found),
    }
}
