//! The wire types of the community layer: what a role allows (and why
//! not), the curated index, discussion, guidelines, the member directory,
//! reading paths, moderation, the dashboard's figures and the link graph.
//!
//! Members travel as [`MemberRef`]s (id, name, whether it is you), so the UI
//! never looks a name up; references to threads, comments, suggestions and
//! flags travel as the node's encoded references (`<author>:<id>`), which
//! the commands pass back unchanged. Requests that change something are
//! tagged enums (`op`), one command per area.

use std::collections::HashMap;

use loam_node::{
    Comment, ContributionKind, DiffLine, DocId, DocMention, EntryView, GardenStats, GuidelinesView,
    IndexView, Kudos, KudosReceived, KudosTarget, MemberId, MemberProfile, Membership,
    ModerationRecord, PathView, Permissions, Role, Suggestion, Thread,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{NoteKind, RoleDto};

/// A member as the community views name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    /// Their member id (64 hex digits).
    pub id: String,
    /// Their name in the garden (a short id when unknown).
    pub name: String,
    /// This install's member.
    pub you: bool,
}

/// Names of the garden's members (current and removed), for turning ids
/// into [`MemberRef`]s.
#[derive(Debug, Clone, Default)]
pub struct Names {
    names: HashMap<MemberId, String>,
    me: Option<MemberId>,
}

impl Names {
    /// The names in `membership`, as seen by `me`.
    pub fn new(membership: &Membership, me: MemberId) -> Self {
        let names = membership
            .members()
            .map(|m| (m.id, m.name.clone()))
            .chain(membership.removed().map(|r| (r.id, r.name.clone())))
            .collect();
        Self {
            names,
            me: Some(me),
        }
    }

    /// `member` as a reference.
    pub fn of(&self, member: MemberId) -> MemberRef {
        MemberRef {
            id: member.to_string(),
            name: self
                .names
                .get(&member)
                .cloned()
                .unwrap_or_else(|| member.short()),
            you: self.me == Some(member),
        }
    }
}

/// What this member may do in the community, and why not when not: the UI
/// shows a disabled control with the reason rather than hiding it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PermissionsDto {
    /// Their role, `None` when not (or no longer) a member.
    pub role: Option<RoleDto>,
    /// Write notes and pages.
    pub edit_notes: bool,
    /// Curate: the index, guidelines, reading paths, moderation.
    pub curate: bool,
    /// Speak: threads, comments, answers, kudos, suggestions, flags.
    pub discuss: bool,
    /// Mark pages read and acknowledge the guidelines.
    pub mark_read: bool,
    /// Why notes cannot be edited, when they cannot.
    pub read_only: Option<String>,
    /// Why this member cannot curate, when they cannot.
    pub curate_why: Option<String>,
    /// Why this member cannot discuss, when they cannot.
    pub discuss_why: Option<String>,
    /// Why this member cannot mark pages read, when they cannot.
    pub mark_read_why: Option<String>,
    /// The names of the garden's facilitators (whom to ask).
    pub facilitators: Vec<String>,
}

/// "Only `allowed` can `action`; you are a reader (facilitators: Ana)".
fn why_not(allowed: &str, action: &str, role: Option<Role>, facilitators: &[String]) -> String {
    let who = match role {
        Some(role) => format!("you are a {role}"),
        None => "you are not a member of this garden".to_owned(),
    };
    let ask = match facilitators {
        [] => String::new(),
        names => format!(" (facilitators: {})", names.join(", ")),
    };
    format!("only {allowed} can {action}; {who}{ask}")
}

impl From<Permissions> for PermissionsDto {
    fn from(p: Permissions) -> Self {
        let unless = |ok: bool, allowed: &str, action: &str| {
            (!ok).then(|| why_not(allowed, action, p.role, &p.facilitators))
        };
        Self {
            role: p.role.map(Into::into),
            edit_notes: p.edit_notes,
            curate: p.curate,
            discuss: p.discuss,
            mark_read: p.mark_read,
            read_only: p.read_only_reason.clone(),
            curate_why: unless(
                p.curate,
                "facilitators",
                "arrange the index, write the guidelines, make reading paths and moderate",
            ),
            discuss_why: unless(
                p.discuss,
                "members and facilitators",
                "discuss, give kudos, suggest and flag",
            ),
            mark_read_why: unless(
                p.mark_read,
                "members of the garden",
                "mark pages read and acknowledge the guidelines",
            ),
            facilitators: p.facilitators,
        }
    }
}

// ---- the curated index -----------------------------------------------------

/// The curated index: the garden's home.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IndexDto {
    /// Its sections, in order.
    pub sections: Vec<SectionDto>,
    /// Suggestions waiting for a facilitator, oldest first.
    pub suggestions: Vec<SuggestionDto>,
}

/// A section of the index.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SectionDto {
    /// Its id.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Its entries, in order.
    pub entries: Vec<EntryDto>,
}

/// An entry of the index.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EntryDto {
    /// The page or note.
    pub doc: String,
    /// Its title (`(not synced yet)` when the document is not here yet).
    pub title: String,
    /// Note or page, `None` when the document is not here yet.
    pub kind: Option<NoteKind>,
    /// Archived.
    pub archived: bool,
    /// Why it is featured, shown to everyone; `None` when it is not.
    pub featured: Option<String>,
    /// Who added it.
    pub added_by: Option<MemberRef>,
}

impl EntryDto {
    fn new(e: EntryView, names: &Names) -> Self {
        Self {
            doc: e.doc.to_string(),
            title: e.title,
            kind: e.kind.map(Into::into),
            archived: e.archived,
            featured: e.featured,
            added_by: e.added_by.map(|m| names.of(m)),
        }
    }
}

/// A member's suggestion for the index.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionDto {
    /// Its reference (pass it back to accept or decline).
    pub id: String,
    /// Who suggested it.
    pub by: MemberRef,
    /// The page or note.
    pub doc: String,
    /// Its title.
    pub title: String,
    /// The section asked for (an id), `""` for any.
    pub section: String,
    /// Why.
    pub reason: String,
    /// When, ms since the epoch.
    #[ts(type = "number")]
    pub created: i64,
}

impl IndexDto {
    /// The node's index, with titles for suggested documents from `title`.
    pub fn new(view: IndexView, names: &Names, title: impl Fn(DocId) -> String) -> Self {
        let suggestions = view
            .open_suggestions
            .into_iter()
            .map(|s: Suggestion| SuggestionDto {
                id: s.id.encode(),
                by: names.of(s.author),
                doc: s.doc.to_string(),
                title: title(s.doc),
                section: s.section,
                reason: s.reason,
                created: s.created,
            })
            .collect();
        Self {
            sections: view
                .sections
                .into_iter()
                .map(|s| SectionDto {
                    id: s.id,
                    title: s.title,
                    entries: s
                        .entries
                        .into_iter()
                        .map(|e| EntryDto::new(e, names))
                        .collect(),
                })
                .collect(),
            suggestions,
        }
    }
}

/// A change to the index. Sections are named by id; positions count from
/// 0.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum IndexEdit {
    /// Add a section at the end (facilitators).
    AddSection {
        /// Its heading.
        title: String,
    },
    /// Rename a section (facilitators).
    RenameSection {
        /// The section.
        section: String,
        /// Its new heading.
        title: String,
    },
    /// Remove a section and its entries (facilitators).
    RemoveSection {
        /// The section.
        section: String,
    },
    /// Add a document to a section, at the end or at `at` (facilitators).
    AddEntry {
        /// The section.
        section: String,
        /// The document.
        doc: String,
        /// Where.
        at: Option<u32>,
    },
    /// Take a document out of a section (facilitators).
    RemoveEntry {
        /// The section.
        section: String,
        /// The document.
        doc: String,
    },
    /// Move a document to position `to` of its section: drag and drop, or
    /// the keyboard's move up and down (facilitators).
    MoveEntry {
        /// The section.
        section: String,
        /// The document.
        doc: String,
        /// Its new position.
        to: u32,
    },
    /// Feature a document with a reason shown to everyone, or stop
    /// (`reason` null) (facilitators).
    Feature {
        /// The document.
        doc: String,
        /// Why.
        reason: Option<String>,
    },
    /// Suggest a document for the index (members and facilitators).
    Suggest {
        /// The document.
        doc: String,
        /// The section, or any.
        section: Option<String>,
        /// Why.
        reason: String,
    },
    /// Accept a suggestion into its section, or `section` (facilitators).
    Accept {
        /// The suggestion's reference.
        suggestion: String,
        /// The section, when it asked for none.
        section: Option<String>,
    },
    /// Decline a suggestion, saying why (facilitators).
    Decline {
        /// The suggestion's reference.
        suggestion: String,
        /// Why.
        note: String,
    },
}

// ---- discussion --------------------------------------------------------------

/// Kudos given.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KudosDto {
    /// Who gave it.
    pub from: MemberRef,
    /// Their message, maybe empty.
    pub message: String,
    /// When.
    #[ts(type = "number")]
    pub created: i64,
}

impl KudosDto {
    fn new(k: &Kudos, names: &Names) -> Self {
        Self {
            from: names.of(k.from),
            message: k.message.clone(),
            created: k.created,
        }
    }
}

/// A comment or reply.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommentDto {
    /// Its reference.
    pub id: String,
    /// Who wrote it.
    pub author: MemberRef,
    /// The comment it replies to (a reference), if any.
    pub reply_to: Option<String>,
    /// Its text (plain; shown as text, never as HTML).
    pub text: String,
    /// When.
    #[ts(type = "number")]
    pub created: i64,
    /// Who it @mentions.
    pub mentions: Vec<MemberRef>,
    /// Why a facilitator hid it, if they did.
    pub hidden: Option<String>,
    /// Kudos for it.
    pub kudos: Vec<KudosDto>,
}

/// An answer to a question: a note.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnswerDto {
    /// Its reference.
    pub id: String,
    /// Who answered.
    pub author: MemberRef,
    /// The note that answers.
    pub note: String,
    /// Its title.
    pub note_title: String,
    /// What they said with it.
    pub text: String,
    /// When.
    #[ts(type = "number")]
    pub created: i64,
}

/// A thread or question on a page or note.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThreadDto {
    /// Its reference.
    pub id: String,
    /// The page or note it is about.
    pub doc: String,
    /// That document's title.
    pub doc_title: String,
    /// Its subject.
    pub title: String,
    /// Its opening text.
    pub text: String,
    /// A question (answered by linking a note).
    pub question: bool,
    /// Who opened it.
    pub author: MemberRef,
    /// When.
    #[ts(type = "number")]
    pub created: i64,
    /// Who the opening text @mentions.
    pub mentions: Vec<MemberRef>,
    /// Its comments and replies, oldest first.
    pub comments: Vec<CommentDto>,
    /// Answers (questions), oldest first.
    pub answers: Vec<AnswerDto>,
    /// Who resolved it, if resolved.
    pub resolved_by: Option<MemberRef>,
    /// Why a facilitator hid it, if they did.
    pub hidden: Option<String>,
    /// Whether this member may resolve it (its author or a facilitator).
    pub can_resolve: bool,
}

/// Builds [`ThreadDto`]s: names, titles and kudos at hand.
pub struct ThreadViews<'a> {
    /// Member names.
    pub names: &'a Names,
    /// Every kudos of the garden.
    pub kudos: &'a [Kudos],
    /// Titles of documents.
    pub title: &'a dyn Fn(DocId) -> String,
    /// This member is a facilitator.
    pub facilitator: bool,
}

impl std::fmt::Debug for ThreadViews<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadViews")
            .field("kudos", &self.kudos.len())
            .field("facilitator", &self.facilitator)
            .finish_non_exhaustive()
    }
}

impl ThreadViews<'_> {
    fn comment(&self, c: &Comment) -> CommentDto {
        CommentDto {
            id: c.id.encode(),
            author: self.names.of(c.author),
            reply_to: c.reply_to.as_ref().map(|r| r.encode()),
            text: c.text.clone(),
            created: c.created,
            mentions: c.mentions.iter().map(|m| self.names.of(*m)).collect(),
            hidden: c.hidden.clone(),
            kudos: self
                .kudos
                .iter()
                .filter(|k| matches!(&k.target, KudosTarget::Comment(r) if *r == c.id))
                .map(|k| KudosDto::new(k, self.names))
                .collect(),
        }
    }

    /// `t` for the wire.
    pub fn thread(&self, t: &Thread) -> ThreadDto {
        let me = self.names.me;
        ThreadDto {
            id: t.id.encode(),
            doc: t.doc.to_string(),
            doc_title: (self.title)(t.doc),
            title: t.title.clone(),
            text: t.text.clone(),
            question: t.question,
            author: self.names.of(t.author),
            created: t.created,
            mentions: t.mentions.iter().map(|m| self.names.of(*m)).collect(),
            comments: t.comments.iter().map(|c| self.comment(c)).collect(),
            answers: t
                .answers
                .iter()
                .map(|a| AnswerDto {
                    id: a.id.encode(),
                    author: self.names.of(a.author),
                    note: a.note.to_string(),
                    note_title: (self.title)(a.note),
                    text: a.text.clone(),
                    created: a.created,
                })
                .collect(),
            resolved_by: t.resolved.map(|(m, _)| self.names.of(m)),
            hidden: t.hidden.clone(),
            can_resolve: self.facilitator || Some(t.author) == me,
        }
    }

    /// Kudos given to document `doc`.
    pub fn doc_kudos(&self, doc: DocId) -> Vec<KudosDto> {
        self.kudos
            .iter()
            .filter(|k| k.target == KudosTarget::Doc(doc))
            .map(|k| KudosDto::new(k, self.names))
            .collect()
    }
}

/// The discussion of one page or note.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiscussionDto {
    /// The document.
    pub doc: String,
    /// Its threads and questions, oldest first.
    pub threads: Vec<ThreadDto>,
    /// Kudos given to the document.
    pub kudos: Vec<KudosDto>,
}

/// What is waiting for someone: threads not resolved, questions not
/// answered (across the garden).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenThreadsDto {
    /// Threads not resolved (questions included), oldest first.
    pub unresolved: Vec<ThreadDto>,
    /// Questions with no answer yet, oldest first.
    pub unanswered: Vec<ThreadDto>,
}

/// What kudos are for.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum KudosFor {
    /// A page or note.
    Doc {
        /// The document.
        id: String,
    },
    /// A comment (its reference).
    Comment {
        /// The comment.
        id: String,
    },
}

/// Something said in a discussion.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum DiscussionWrite {
    /// Open a thread (or a question) on a document.
    Open {
        /// The document.
        doc: String,
        /// Its subject.
        title: String,
        /// Its text (@name mentions a member).
        text: String,
        /// A question, answered by linking a note.
        question: bool,
    },
    /// Comment on a thread, or reply to one of its comments.
    Comment {
        /// The thread.
        thread: String,
        /// The text.
        text: String,
        /// The comment replied to.
        reply: Option<String>,
    },
    /// Resolve (or reopen) a thread.
    Resolve {
        /// The thread.
        thread: String,
        /// Resolved or reopened.
        resolved: bool,
    },
    /// Answer a question with a note.
    Answer {
        /// The question.
        question: String,
        /// The note.
        note: String,
        /// What to say with it.
        text: String,
    },
    /// Give kudos, with an optional message.
    Kudos {
        /// To what.
        target: KudosFor,
        /// The message, maybe empty.
        message: String,
    },
}

// ---- guidelines ----------------------------------------------------------------

/// One line of what changed in the guidelines.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffLineDto {
    /// `+` added, `-` removed, ` ` unchanged.
    pub tag: String,
    /// The line.
    pub text: String,
}

impl From<DiffLine> for DiffLineDto {
    fn from(d: DiffLine) -> Self {
        Self {
            tag: d.tag.to_string(),
            text: d.text,
        }
    }
}

/// A member's latest acknowledgement.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AckDto {
    /// The member.
    pub member: MemberRef,
    /// The latest version they acknowledged, `None` for none.
    #[ts(type = "number | null")]
    pub version: Option<u64>,
}

/// The guidelines as this member sees them.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuidelinesDto {
    /// The current version (0: none written yet).
    #[ts(type = "number")]
    pub version: u64,
    /// The text (plain; shown as text).
    pub text: String,
    /// When it was written.
    #[ts(type = "number")]
    pub updated: i64,
    /// Who wrote it.
    pub by: Option<MemberRef>,
    /// The latest version this member acknowledged.
    #[ts(type = "number | null")]
    pub acknowledged: Option<u64>,
    /// A version they have not acknowledged yet: show it to them.
    pub needs_ack: bool,
    /// What changed since the version they acknowledged.
    pub changes: Vec<DiffLineDto>,
    /// Who acknowledged which version (every current member).
    pub acks: Vec<AckDto>,
}

impl GuidelinesDto {
    /// The node's view, with every member's acknowledgement.
    pub fn new(
        g: GuidelinesView,
        acks: Vec<(MemberId, String, Option<u64>)>,
        names: &Names,
    ) -> Self {
        Self {
            version: g.version,
            text: g.text,
            updated: g.updated,
            by: g.by.map(|m| names.of(m)),
            acknowledged: g.acknowledged,
            needs_ack: g.needs_ack,
            changes: g.changes.into_iter().map(Into::into).collect(),
            acks: acks
                .into_iter()
                .map(|(m, _, version)| AckDto {
                    member: names.of(m),
                    version,
                })
                .collect(),
        }
    }
}

// ---- the directory and reading paths ---------------------------------------------

/// A document named in a profile.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocMentionDto {
    /// The document.
    pub doc: String,
    /// Its title.
    pub title: String,
    /// Note or page.
    pub kind: NoteKind,
    /// The member's edit sessions on it.
    #[ts(type = "number")]
    pub sessions: u64,
}

impl From<DocMention> for DocMentionDto {
    fn from(d: DocMention) -> Self {
        Self {
            doc: d.doc.to_string(),
            title: d.title,
            kind: d.kind.into(),
            sessions: d.sessions,
        }
    }
}

/// A count with a label (a contribution kind, a tag).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CountDto {
    /// What.
    pub label: String,
    /// How many.
    #[ts(type = "number")]
    pub count: u64,
}

/// Kudos a member received.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KudosReceivedDto {
    /// Who gave it.
    pub from: MemberRef,
    /// For what, in words (a title, or "a comment").
    pub what: String,
    /// The document it was for, when it was for one.
    pub doc: Option<String>,
    /// The message.
    pub message: String,
    /// When.
    #[ts(type = "number")]
    pub created: i64,
}

/// A member's profile: contributions, what they know, what they were
/// thanked for.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDto {
    /// The member.
    pub member: MemberRef,
    /// Their role, `None` when removed.
    pub role: Option<RoleDto>,
    /// Contributions by kind (kinds with none left out).
    pub contributions: Vec<CountDto>,
    /// All contributions.
    #[ts(type = "number")]
    pub total: u64,
    /// Pages they started.
    pub pages_started: Vec<DocMentionDto>,
    /// The tags they worked on most (weight: edit sessions).
    pub top_tags: Vec<CountDto>,
    /// The documents they worked on most.
    pub top_docs: Vec<DocMentionDto>,
    /// Kudos received, newest first.
    pub kudos_received: Vec<KudosReceivedDto>,
    /// Kudos given.
    #[ts(type = "number")]
    pub kudos_given: u64,
}

impl ProfileDto {
    /// `p` for the wire; comments' kudos are named as such, documents by
    /// `title`.
    pub fn new(p: MemberProfile, names: &Names, title: &dyn Fn(DocId) -> String) -> Self {
        let kudos = |k: KudosReceived| {
            let (what, doc) = match &k.target {
                KudosTarget::Doc(d) => (title(*d), Some(d.to_string())),
                KudosTarget::Comment(_) => ("a comment".to_owned(), None),
            };
            KudosReceivedDto {
                from: names.of(k.from),
                what,
                doc,
                message: k.message,
                created: k.created,
            }
        };
        Self {
            member: names.of(p.member),
            role: p.role.map(Into::into),
            contributions: p
                .contributions
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(kind, count)| CountDto {
                    label: kind.as_str().to_owned(),
                    count,
                })
                .collect(),
            total: p.total,
            pages_started: p.pages_started.into_iter().map(Into::into).collect(),
            top_tags: p
                .top_tags
                .into_iter()
                .map(|(label, count)| CountDto { label, count })
                .collect(),
            top_docs: p.top_docs.into_iter().map(Into::into).collect(),
            kudos_received: p.kudos_received.into_iter().map(kudos).collect(),
            kudos_given: p.kudos_given,
        }
    }
}

/// A page of a reading path.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathPageDto {
    /// The page.
    pub doc: String,
    /// Its title.
    pub title: String,
    /// Whether this member marked it read.
    pub read: bool,
}

/// A reading path with this member's progress.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathDto {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Its pages in order.
    pub pages: Vec<PathPageDto>,
    /// Pages read.
    pub read: u32,
    /// Pages in all.
    pub total: u32,
}

impl From<PathView> for PathDto {
    fn from(p: PathView) -> Self {
        Self {
            id: p.id,
            title: p.title,
            read: u32::try_from(p.read).unwrap_or(u32::MAX),
            total: u32::try_from(p.total).unwrap_or(u32::MAX),
            pages: p
                .pages
                .into_iter()
                .map(|pg| PathPageDto {
                    doc: pg.doc.to_string(),
                    title: pg.title,
                    read: pg.read.is_some(),
                })
                .collect(),
        }
    }
}

/// A change to the reading paths (facilitators).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum PathEdit {
    /// A new path of `pages`, in order.
    Add {
        /// Its name.
        title: String,
        /// Its pages.
        pages: Vec<String>,
    },
    /// Replace a path's pages.
    SetPages {
        /// The path.
        path: String,
        /// Its pages.
        pages: Vec<String>,
    },
    /// Remove a path.
    Remove {
        /// The path.
        path: String,
    },
}

// ---- moderation ------------------------------------------------------------------

/// What a flag, a hide or a log record is about.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TargetDto {
    /// A page or note.
    Doc {
        /// The document.
        id: String,
    },
    /// A thread (its reference).
    Thread {
        /// The thread.
        id: String,
    },
    /// A comment (its reference).
    Comment {
        /// The comment.
        id: String,
    },
}

/// An open flag.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FlagDto {
    /// Its reference (pass it back to dismiss it).
    pub id: String,
    /// Who raised it.
    pub by: MemberRef,
    /// What it is about, in words.
    pub what: String,
    /// The document it is about (or whose discussion it is in).
    pub doc: Option<String>,
    /// Why.
    pub reason: String,
    /// When.
    #[ts(type = "number")]
    pub created: i64,
}

/// A record of the moderation log.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModerationLogDto {
    /// `archive`, `restore`, `hide`, `unhide`, `revert`, `dismiss-flag`.
    pub action: String,
    /// What it was done to, in words.
    pub what: String,
    /// The member concerned (whose changes were reverted, whose flag).
    pub member: Option<MemberRef>,
    /// Why.
    pub reason: String,
    /// The facilitator.
    pub by: Option<MemberRef>,
    /// When.
    #[ts(type = "number")]
    pub time: i64,
}

impl ModerationLogDto {
    /// `r` for the wire; `what` names its target.
    pub fn new(r: ModerationRecord, names: &Names, what: String) -> Self {
        Self {
            action: r.action,
            what,
            member: r.member.map(|m| names.of(m)),
            reason: r.reason,
            by: r.by.map(|m| names.of(m)),
            time: r.time,
        }
    }
}

/// What facilitators watch: open flags and the log.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModerationDto {
    /// Flags no facilitator dismissed, oldest first.
    pub flags: Vec<FlagDto>,
    /// The moderation log, newest first.
    pub log: Vec<ModerationLogDto>,
}

/// A moderation action, or a flag.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum ModerationAct {
    /// Flag something for facilitators (members and facilitators).
    Flag {
        /// What.
        target: TargetDto,
        /// Why.
        reason: String,
    },
    /// Archive a page or note as moderation (facilitators).
    Archive {
        /// The document.
        doc: String,
        /// Why.
        reason: String,
    },
    /// Bring it back (facilitators).
    Restore {
        /// The document.
        doc: String,
        /// Why.
        reason: String,
    },
    /// Hide a thread or comment, or show it again (`reason` null)
    /// (facilitators).
    Hide {
        /// What.
        target: TargetDto,
        /// Why, or null to show it again.
        reason: Option<String>,
    },
    /// Revert every change one member made to a page, as a new change
    /// (facilitators).
    Revert {
        /// The page or note.
        doc: String,
        /// The member (id).
        member: String,
        /// Why.
        reason: String,
    },
    /// Dismiss a flag, saying why (facilitators).
    Dismiss {
        /// The flag's reference.
        flag: String,
        /// Why.
        note: String,
    },
}

// ---- the dashboard -----------------------------------------------------------------

/// One week of the dashboard.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WeekDto {
    /// Its Monday, `YYYY-MM-DD` (UTC).
    pub week: String,
    /// Contributions by kind, in the order of [`StatsDto::kinds`].
    #[ts(type = "number[]")]
    pub by_kind: Vec<u64>,
    /// All contributions.
    #[ts(type = "number")]
    pub total: u64,
    /// Distinct contributors.
    #[ts(type = "number")]
    pub active: u64,
    /// Share of the week's contributions by its top 10% of contributors.
    pub top10_share: f64,
    /// Questions asked.
    #[ts(type = "number")]
    pub questions_opened: u64,
    /// Questions first answered.
    #[ts(type = "number")]
    pub questions_answered: u64,
}

/// A document named by the dashboard.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocRefDto {
    /// The document.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A newcomer's start.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewcomerDto {
    /// Who.
    pub member: MemberRef,
    /// When they were let in.
    #[ts(type = "number")]
    pub joined: i64,
    /// From joining to their first contribution, ms; `None`: none yet.
    #[ts(type = "number | null")]
    pub ms_to_first: Option<i64>,
}

/// The knowledge-creation dashboard: every figure of `loam stats`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatsDto {
    /// The contribution kinds, in the order every `by_kind` uses.
    pub kinds: Vec<String>,
    /// Week by week, oldest first.
    pub weeks: Vec<WeekDto>,
    /// All contributions.
    #[ts(type = "number")]
    pub contributions: u64,
    /// Distinct contributors.
    #[ts(type = "number")]
    pub contributors: u64,
    /// Contributions by kind, overall.
    #[ts(type = "number[]")]
    pub by_kind: Vec<u64>,
    /// Share of all contributions by the top 10% of contributors.
    pub top10_share: f64,
    /// Links between documents whose creators are known.
    #[ts(type = "number")]
    pub reuse_links: u64,
    /// Of those, links between different members' documents (citations).
    #[ts(type = "number")]
    pub reuse_cross: u64,
    /// `reuse_cross / reuse_links`.
    pub reuse_share: f64,
    /// Questions asked.
    #[ts(type = "number")]
    pub questions_opened: u64,
    /// Questions answered.
    #[ts(type = "number")]
    pub questions_answered: u64,
    /// Median time from a question to its first answer, ms.
    #[ts(type = "number | null")]
    pub median_ms_to_answer: Option<i64>,
    /// Notes no page links to, waiting to be combined into pages.
    pub orphan_notes: Vec<DocRefDto>,
    /// Members added after the founding.
    pub newcomers: Vec<NewcomerDto>,
    /// Median time from joining to a first contribution, ms.
    #[ts(type = "number | null")]
    pub median_ms_to_first: Option<i64>,
}

impl StatsDto {
    /// The node's figures for the wire.
    pub fn new(s: GardenStats, names: &Names, title: &dyn Fn(DocId) -> String) -> Self {
        let kinds = ContributionKind::ALL;
        let by = |m: &std::collections::BTreeMap<ContributionKind, u64>| -> Vec<u64> {
            kinds
                .iter()
                .map(|k| m.get(k).copied().unwrap_or(0))
                .collect()
        };
        Self {
            kinds: kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            weeks: s
                .weeks
                .iter()
                .map(|w| WeekDto {
                    week: w.week.clone(),
                    by_kind: by(&w.by_kind),
                    total: w.total,
                    active: w.active_contributors,
                    top10_share: w.top10_share,
                    questions_opened: w.questions_opened,
                    questions_answered: w.questions_answered,
                })
                .collect(),
            contributions: s.contributions,
            contributors: s.contributors,
            by_kind: by(&s.by_kind),
            top10_share: s.top10_share,
            reuse_links: s.reuse.links,
            reuse_cross: s.reuse.cross_member,
            reuse_share: s.reuse.share,
            questions_opened: s.questions_opened,
            questions_answered: s.questions_answered,
            median_ms_to_answer: s.median_ms_to_answer,
            orphan_notes: s
                .orphan_notes
                .iter()
                .map(|d| DocRefDto {
                    id: d.to_string(),
                    title: title(*d),
                })
                .collect(),
            newcomers: s
                .newcomers
                .iter()
                .map(|n| NewcomerDto {
                    member: names.of(n.member),
                    joined: n.joined,
                    ms_to_first: n.ms_to_first,
                })
                .collect(),
            median_ms_to_first: s.median_ms_to_first_contribution,
        }
    }
}

// ---- the link graph ----------------------------------------------------------------

/// A document in the link graph.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GraphNodeDto {
    /// The document.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Note or page.
    pub kind: NoteKind,
    /// Its tags.
    pub tags: Vec<String>,
    /// The member who started it, when known: a position in
    /// [`GraphDto::members`].
    pub creator: Option<u32>,
}

/// The garden's link graph (archived documents left out). Links and
/// creators are positions, not ids, so a garden of 10,000 notes crosses
/// IPC in a third of the bytes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GraphDto {
    /// The documents.
    pub nodes: Vec<GraphNodeDto>,
    /// Links, `[from, to]`, as positions in `nodes`.
    pub edges: Vec<(u32, u32)>,
    /// The members who started any listed document.
    pub members: Vec<MemberRef>,
}

/// The TypeScript declarations of this module's types.
pub fn decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        MemberRef::decl(cfg),
        PermissionsDto::decl(cfg),
        IndexDto::decl(cfg),
        SectionDto::decl(cfg),
        EntryDto::decl(cfg),
        SuggestionDto::decl(cfg),
        IndexEdit::decl(cfg),
        KudosDto::decl(cfg),
        CommentDto::decl(cfg),
        AnswerDto::decl(cfg),
        ThreadDto::decl(cfg),
        DiscussionDto::decl(cfg),
        OpenThreadsDto::decl(cfg),
        KudosFor::decl(cfg),
        DiscussionWrite::decl(cfg),
        DiffLineDto::decl(cfg),
        AckDto::decl(cfg),
        GuidelinesDto::decl(cfg),
        DocMentionDto::decl(cfg),
        CountDto::decl(cfg),
        KudosReceivedDto::decl(cfg),
        ProfileDto::decl(cfg),
        PathPageDto::decl(cfg),
        PathDto::decl(cfg),
        PathEdit::decl(cfg),
        TargetDto::decl(cfg),
        FlagDto::decl(cfg),
        ModerationLogDto::decl(cfg),
        ModerationDto::decl(cfg),
        ModerationAct::decl(cfg),
        WeekDto::decl(cfg),
        DocRefDto::decl(cfg),
        NewcomerDto::decl(cfg),
        StatsDto::decl(cfg),
        GraphNodeDto::decl(cfg),
        GraphDto::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_not_names_role_and_whom_to_ask() {
        let check = |role: Option<Role>, facilitators: &[&str], expected: &str| {
            let f: Vec<String> = facilitators.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(why_not("facilitators", "curate", role, &f), expected);
        };
        check(
            Some(Role::Reader),
            &["Ana"],
            "only facilitators can curate; you are a reader (facilitators: Ana)",
        );
        check(
            None,
            &[],
            "only facilitators can curate; you are not a member of this garden",
        );
    }
}
