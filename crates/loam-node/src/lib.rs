//! Loam's application service.
//!
//! A [`Node`] is one install's view of its data directory: the gardens it
//! holds, the member's settings, and the [`Event`] stream that announces every
//! change. A [`Garden`] handle writes notes and pages (create, splice, replace,
//! rename, archive, restore) and answers the queries the CLI and the desktop
//! app need (lists, search, links, tags), all from the index: opening a garden
//! or listing it loads no Automerge document.
//!
//! The node holds the member's identity ([`identity`]: an ed25519 key in the
//! data directory, whose public key is the [`MemberId`] every change is
//! attributed to). Every change stored here is signed with it
//! ([`SignedChanges`], written with the change), and each garden keeps its
//! signed membership log ([`Garden::members`], [`Garden::invite`],
//! [`Garden::set_role`], ...): a reader's edit is refused. A garden keeps
//! each note's history ([`Garden::history`], edit sessions read from an
//! index) and reads and restores old versions named by a [`When`].
//!
//! A garden imports a folder of markdown files, an Obsidian vault
//! ([`Garden::import`]: notes, pages and content-addressed attachments,
//! again and again without duplicating anything) and exports itself back as
//! one ([`Garden::export`], imported files byte for byte).
//!
//! The community layer ([`Garden::index`], [`Garden::guidelines`],
//! [`Garden::open_thread`], [`Garden::give_kudos`], [`Garden::paths`],
//! [`Garden::directory`], [`Garden::revert_member`], [`Garden::stats`], ...)
//! reads and writes the garden manifest and the members' journals, with each
//! write checked against the member's role.
//!
//! This is the only crate that talks to the clock and spawns background work
//! (compaction). The CLI and the desktop shell depend on this crate alone, so
//! it re-exports the types they need from the crates below.

mod attachments;
mod background;
mod check;
mod community;
mod compaction;
mod config;
mod dashboard;
pub mod demo;
mod error;
mod events;
mod export;
mod garden;
mod history;
pub mod identity;
mod import;
mod link_mention;
mod members;
mod moderation;
pub mod network;
mod node;
mod queries;
mod replica_sync;
mod sync_store;
mod time;
mod vault_scan;
mod when;

pub use attachments::{ATTACHMENT_URL_PREFIX, attachment_url};
pub use check::{CheckProblem, CheckReport, Salvaged};
pub use community::{
    Community, DiffLine, EntryView, GuidelinesView, IndexView, MentionOf, PathPage, PathView,
    Permissions, SectionView,
};
pub use dashboard::{DocMention, KudosReceived, MemberProfile};
pub use error::NodeError;
pub use events::Event;
pub use export::{ExportNote, ExportOptions, ExportReport, ExportedAs};
pub use garden::{EditSummary, GROUP_COMMIT, Garden, GardenInfo, RenameReport};
pub use history::{Author, ChangeInfo, History, MergeReport, SessionInfo, Version, short_hash};
pub use import::{
    AttachmentCounts, DEFAULT_MAX_ATTACHMENT_BYTES, DocCounts, ImportOptions, ImportPhase,
    ImportProgress, ImportReport, ImportedAsNote, MissingFile, NoteReason, RenamedTitle,
    UnresolvedLink,
};
pub use loam_core::community::{
    Answer, Comment, CommunityError, CommunityKind, ContributionKind, Flag, GardenStats, ItemRef,
    Kudos, KudosTarget, ModerationRecord, NewcomerStat, ReuseStats, StatsInput, Suggestion,
    SuggestionStatus, Thread, WeekStats, WritePolicy,
};
pub use loam_core::{
    Action, ChangeAuthor, ChangeHash, ContentHash, DocId, DocKind, DocSnapshot, Entry, EntryHash,
    GardenId, Inserted, InviteInfo, InviteKey, InviteRefusal, Joined, LogLine, MemberId,
    MemberInfo, MemberKey, Membership, MembershipError, NewDoc, NoEffect, RemovedInfo, Role,
    SignedChanges, TextEdit, Timestamp, automerge_load_count,
};
pub use loam_store::{
    ArchivedFilter, AttachmentRow, Backlink, BrokenLink, DocRow, LinkRow, ListQuery, OutLink,
    PeerRow, SearchHit, SearchQuery, Sort, StoreError, TagCount, TitleEntry,
};
pub use members::{EntriesAdded, Invite};
pub use moderation::{ModerationTarget, RevertReport};
pub use node::Node;
pub use queries::{Mention, NoteView};
pub use replica_sync::{MAX_SYNC_MESSAGE, ReplicaSync, SyncReceived};
pub use vault_scan::{SkipReason, Skipped, human_size};
pub use when::{MIN_HASH_PREFIX, WHEN_FORMS, When, local_minute, local_second, local_zone_name};
