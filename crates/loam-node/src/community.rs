//! The community layer in the node: the garden manifest (what facilitators
//! curate) and the members' journals (what each member says and does),
//! stored, signed, synced, and read back as one folded [`Community`].
//!
//! The documents, their schemas and the write rule live in
//! [`loam_core::community`]; this module applies the rule to local writes
//! (a reader changing the index is refused with [`NodeError::NotAllowed`],
//! before anything is written) and serves the front ends:
//!
//! - the curated index: [`Garden::index`], sections, entries, featuring,
//!   suggestions and their acceptance;
//! - the guidelines: [`Garden::guidelines`], update, acknowledge, what
//!   changed since a member's acknowledgement;
//! - discussion: threads and questions on a page, comments, replies,
//!   @mentions, resolution, answers, the unresolved and unanswered lists;
//! - kudos; reading paths with read marks and progress.
//!
//! Moderation is in `moderation`, the dashboard and the member directory in
//! `dashboard`.
//!
//! Every write is one signed change to one document, stored (whole save,
//! JSON form, signature) before the call returns and announced as
//! [`crate::Event::DocChanged`], which live sync sessions push. Reads come
//! from the stored JSON forms: no Automerge document is loaded to list
//! threads or show the index.

use std::collections::BTreeMap;

use automerge::sync::SyncDoc;
use loam_core::community::{
    CommunityDoc, CommunityError, CommunityKind, ItemRef, Journal, KudosTarget, Manifest,
    Suggestion, SuggestionStatus, Thread, WritePolicy, fold, journal_id, manifest_id,
};
use loam_core::{ChangeHash, DocId, DocKind, MemberId, Role, SignedChanges};
use loam_store::CommunityWrite;
use loam_sync::{SyncMessage, SyncState};
use serde::Serialize;

pub use loam_core::community::Community;

use crate::garden::State;
use crate::{Garden, NodeError, time};

/// Who a community write needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// A facilitator (the manifest).
    Facilitator,
    /// A member or facilitator (speaking: threads, comments, kudos...).
    Writer,
    /// Anyone who belongs (their own read marks and acknowledgements).
    Belongs,
}

/// The curated index as front ends show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexView {
    /// Its sections, in order.
    pub sections: Vec<SectionView>,
    /// Suggestions waiting for a facilitator.
    pub open_suggestions: Vec<Suggestion>,
}

/// A section of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionView {
    /// Its id.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Its entries, in order.
    pub entries: Vec<EntryView>,
}

/// An entry of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    /// The page or note.
    pub doc: DocId,
    /// Its title (`(not synced yet)` when the document is not here).
    pub title: String,
    /// Note or page, when the document is here.
    pub kind: Option<DocKind>,
    /// Whether it is archived.
    pub archived: bool,
    /// Why it is featured, if it is.
    pub featured: Option<String>,
    /// Who added it.
    pub added_by: Option<MemberId>,
    /// When.
    pub added: i64,
}

/// The guidelines as one member sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidelinesView {
    /// The current version (0: none written yet).
    pub version: u64,
    /// Its text.
    pub text: String,
    /// When it was written, and by whom.
    pub updated: i64,
    /// Who wrote it.
    pub by: Option<MemberId>,
    /// The latest version this member acknowledged.
    pub acknowledged: Option<u64>,
    /// Whether they should read and acknowledge it (a newer version).
    pub needs_ack: bool,
    /// What changed since the version they acknowledged (empty when none
    /// or when they are up to date), as a line diff.
    pub changes: Vec<DiffLine>,
}

/// One line of a diff between two versions of the guidelines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `+` added, `-` removed, ` ` unchanged.
    pub tag: char,
    /// The line, without its end.
    pub text: String,
}

/// A reading path with one member's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Its pages in order, each with whether the member read it.
    pub pages: Vec<PathPage>,
    /// Pages read.
    pub read: usize,
    /// Pages in all.
    pub total: usize,
}

/// A page of a reading path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathPage {
    /// The page.
    pub doc: DocId,
    /// Its title.
    pub title: String,
    /// When the member marked it read.
    pub read: Option<i64>,
}

/// Somewhere a member was @mentioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentionOf {
    /// The thread.
    pub thread: ItemRef,
    /// The comment, when not the thread's opening text.
    pub comment: Option<ItemRef>,
    /// Who mentioned them.
    pub by: MemberId,
    /// When.
    pub time: i64,
}

/// What this member may do in the garden: for front ends to show what a
/// role allows (a reader sees why an editor is read-only) rather than hide
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permissions {
    /// Their role, `None` when not (or no longer) a member.
    pub role: Option<Role>,
    /// Write notes and pages.
    pub edit_notes: bool,
    /// Curate: the index, guidelines, reading paths, moderation.
    pub curate: bool,
    /// Speak: threads, comments, answers, kudos, suggestions, flags.
    pub discuss: bool,
    /// Mark pages read and acknowledge the guidelines.
    pub mark_read: bool,
    /// Why notes cannot be edited, as the refusal says, when they cannot.
    pub read_only_reason: Option<String>,
    /// The names of the garden's facilitators (whom to ask).
    pub facilitators: Vec<String>,
}

impl State {
    /// Current and removed members: the owners of the garden's journals.
    fn journal_owners(&self) -> Vec<MemberId> {
        let m = self.log.state();
        m.members()
            .map(|i| i.id)
            .chain(m.removed().map(|r| r.id))
            .collect()
    }

    /// Which community document `doc` is, if it is one.
    pub(crate) fn community_kind(&self, doc: DocId) -> Option<CommunityKind> {
        CommunityKind::of(doc, self.garden, self.journal_owners())
    }

    /// The replica of community document `kind`, brought up to what is
    /// stored (another process may have written it); empty when nothing is
    /// stored yet.
    fn community_doc(&mut self, kind: CommunityKind) -> Result<&mut CommunityDoc, NodeError> {
        let id = kind.doc_id(self.garden);
        let stored = self.store.community_doc_bytes(id)?;
        let member = self.member;
        let doc = match self.community.entry(id) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let doc = match &stored {
                    Some(bytes) => CommunityDoc::load(kind, bytes, member)?,
                    None => CommunityDoc::new(kind, member),
                };
                return Ok(v.insert(doc));
            }
        };
        if let Some(bytes) = stored {
            doc.automerge()
                .load_incremental(&bytes)
                .map_err(|e| CommunityError::Decode(e.to_string()))?;
        }
        Ok(doc)
    }

    /// Store community document `kind` as its replica is now, with
    /// `signatures` over its new changes. Its heads.
    fn store_community(
        &mut self,
        kind: CommunityKind,
        signatures: &[SignedChanges],
    ) -> Result<Vec<ChangeHash>, NodeError> {
        let id = kind.doc_id(self.garden);
        let doc = self
            .community
            .get_mut(&id)
            .ok_or(NodeError::UnknownDoc(id))?;
        let heads = doc.heads();
        let bytes = doc.save();
        let state = doc.to_json().to_string();
        let owner = match kind {
            CommunityKind::Journal(m) => Some(m),
            CommunityKind::Manifest => None,
        };
        self.store.write_community_doc(&CommunityWrite {
            id,
            kind: kind.as_str(),
            owner,
            heads: &heads,
            bytes: &bytes,
            state: &state,
            signatures,
            time: time::now(),
        })?;
        Ok(heads)
    }

    /// Refuse when this member may not do what `need` says.
    pub(crate) fn check_need(&self, need: Need, action: &str) -> Result<(), NodeError> {
        let membership = self.log.state();
        let role = membership.role(self.member);
        let (ok, allowed) = match need {
            Need::Facilitator => (role == Some(Role::Facilitator), "facilitators"),
            Need::Writer => (
                role.is_some_and(Role::can_write),
                "members and facilitators",
            ),
            Need::Belongs => (role.is_some(), "members of the garden"),
        };
        if ok {
            return Ok(());
        }
        Err(NodeError::NotAllowed {
            action: action.to_owned(),
            allowed: allowed.to_owned(),
            role,
            facilitators: membership
                .facilitators()
                .into_iter()
                .filter_map(|f| membership.member(f).map(|m| m.name.clone()))
                .collect(),
        })
    }
}

impl Garden {
    /// Change community document `kind` with `f` as one signed change
    /// (message `action`), after checking that this member may (`need`).
    /// Nothing is written when `f` fails or changes nothing.
    pub(crate) fn write_community<T>(
        &self,
        kind: CommunityKind,
        need: Need,
        action: &str,
        f: impl FnOnce(&mut CommunityDoc, MemberId, i64) -> Result<T, CommunityError>,
    ) -> Result<T, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        state.check_need(need, action)?;
        let me = state.member;
        let role = state.log.role(me);
        if !kind.policy().allows(me, role) {
            return Err(NodeError::NotAllowed {
                action: action.to_owned(),
                allowed: kind.policy().describe(),
                role,
                facilitators: Vec::new(),
            });
        }
        let now = time::now();
        let id = kind.doc_id(state.garden);
        let doc = state.community_doc(kind)?;
        let out = match f(doc, me, now) {
            Ok(out) => out,
            Err(e) => {
                doc.rollback();
                return Err(e.into());
            }
        };
        let Some(hash) = doc.commit(now, action) else {
            return Ok(out);
        };
        let signatures = state.sign(id, &[hash]);
        let stored = state.store_community(kind, &signatures);
        let heads = match stored {
            Ok(heads) => heads,
            Err(e) => {
                state.community.remove(&id);
                return Err(e);
            }
        };
        drop(state);
        self.announce_community(id, &heads);
        Ok(out)
    }

    fn announce_community(&self, doc: DocId, heads: &[ChangeHash]) {
        let _ = self.shared().events.send(crate::Event::DocChanged {
            garden: self.id(),
            doc,
            heads: heads.iter().map(ToString::to_string).collect(),
        });
    }

    fn my_journal(&self) -> CommunityKind {
        CommunityKind::Journal(self.lock().member)
    }

    /// Write to this member's journal something only writers may (a
    /// comment, a flag...).
    pub(crate) fn write_journal_as_writer<T>(
        &self,
        action: &str,
        f: impl FnOnce(&mut CommunityDoc, MemberId, i64) -> Result<T, CommunityError>,
    ) -> Result<T, NodeError> {
        let kind = self.my_journal();
        self.write_community(kind, Need::Writer, action, f)
    }

    /// What this member may do here (see [`Permissions`]).
    pub fn permissions(&self) -> Result<Permissions, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        let membership = state.log.state();
        let role = membership.role(state.member);
        let facilitators = membership
            .facilitators()
            .into_iter()
            .filter_map(|f| membership.member(f).map(|m| m.name.clone()))
            .collect();
        Ok(Permissions {
            role,
            edit_notes: role.is_some_and(Role::can_write),
            curate: role == Some(Role::Facilitator),
            discuss: role.is_some_and(Role::can_write),
            mark_read: role.is_some(),
            read_only_reason: state.check_writer().err().map(|e| e.to_string()),
            facilitators,
        })
    }

    /// Whether `doc` is a community document (the manifest, or a member's
    /// journal) rather than a note or page: what a front end checks on a
    /// [`crate::Event::DocChanged`] to refresh its community views.
    pub fn community_document(&self, doc: DocId) -> Result<Option<CommunityKind>, NodeError> {
        self.community_kind_of(doc)
    }

    /// Vouch for the manifest's history with an empty signed change on top
    /// of it, when this member is a facilitator and holds a manifest: done
    /// after a facilitator loses the role, so that what they curated still
    /// reaches newcomers (who accept a former facilitator's changes only
    /// when a current one built on them).
    pub(crate) fn endorse_manifest(&self) -> Result<(), NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        let id = manifest_id(state.garden);
        if state.log.role(state.member) != Some(Role::Facilitator)
            || state.store.community_doc_bytes(id)?.is_none()
        {
            return Ok(());
        }
        let hash = state
            .community_doc(CommunityKind::Manifest)?
            .endorse(time::now());
        let signatures = state.sign(id, &[hash]);
        let heads = match state.store_community(CommunityKind::Manifest, &signatures) {
            Ok(heads) => heads,
            Err(e) => {
                state.community.remove(&id);
                return Err(e);
            }
        };
        drop(state);
        self.announce_community(id, &heads);
        Ok(())
    }

    /// The id of this garden's manifest document.
    pub fn manifest_id(&self) -> DocId {
        manifest_id(self.id())
    }

    /// The id of `member`'s journal in this garden.
    pub fn journal_id(&self, member: MemberId) -> DocId {
        journal_id(self.id(), member)
    }

    /// Who may write `doc`: facilitators for the manifest, its owner for a
    /// journal, members and facilitators for notes and pages.
    pub fn write_policy(&self, doc: DocId) -> Result<WritePolicy, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state
            .community_kind(doc)
            .map_or(WritePolicy::Writers, CommunityKind::policy))
    }

    /// The community now: the manifest and every journal folded under the
    /// current roles (read from the stored JSON forms; no document loaded).
    pub fn community(&self) -> Result<Community, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        let rows = state.store.community_docs()?;
        let roles: BTreeMap<MemberId, Role> = state
            .log
            .state()
            .members()
            .map(|m| (m.id, m.role))
            .collect();
        let owners = state.journal_owners();
        drop(state);
        let mut manifest = Manifest::default();
        let mut journals: BTreeMap<MemberId, Journal> = BTreeMap::new();
        for row in rows {
            let json: serde_json::Value =
                serde_json::from_str(&row.state).unwrap_or(serde_json::Value::Null);
            match CommunityKind::of(row.id, self.id(), owners.iter().copied()) {
                Some(CommunityKind::Manifest) => manifest = Manifest::from_json(&json),
                Some(CommunityKind::Journal(m)) => {
                    journals.insert(m, Journal::from_json(&json));
                }
                None => {}
            }
        }
        Ok(fold(manifest, &journals, &roles))
    }

    // ---- the curated index ------------------------------------------------

    /// The curated index with titles from the docs index, and the open
    /// suggestions.
    pub fn index(&self) -> Result<IndexView, NodeError> {
        let community = self.community()?;
        let state = self.lock();
        let mut sections = Vec::new();
        for s in &community.manifest.sections {
            let mut entries = Vec::new();
            for e in &s.entries {
                let row = state.store.doc(e.doc)?;
                entries.push(EntryView {
                    doc: e.doc,
                    title: row
                        .as_ref()
                        .map_or_else(|| "(not synced yet)".to_owned(), |r| r.title.clone()),
                    kind: row.as_ref().map(|r| r.kind),
                    archived: row.as_ref().is_some_and(|r| r.archived),
                    featured: e.featured.clone(),
                    added_by: e.by,
                    added: e.added,
                });
            }
            sections.push(SectionView {
                id: s.id.clone(),
                title: s.title.clone(),
                entries,
            });
        }
        let open_suggestions = community
            .suggestions
            .into_iter()
            .filter(|s| s.status == SuggestionStatus::Open)
            .collect();
        Ok(IndexView {
            sections,
            open_suggestions,
        })
    }

    /// The id of the section `reference` names (id or title).
    fn section_id(&self, reference: &str) -> Result<String, NodeError> {
        let community = self.community()?;
        community
            .manifest
            .section(reference)
            .map(|s| s.id.clone())
            .ok_or_else(|| NodeError::UnknownItem {
                what: "section",
                reference: reference.to_owned(),
                known: community
                    .manifest
                    .sections
                    .iter()
                    .map(|s| s.title.clone())
                    .collect(),
            })
    }

    /// Add a section to the index (at the end, or at position `at`, 0 =
    /// first); its id. Facilitators only.
    pub fn add_section(&self, title: &str, at: Option<usize>) -> Result<String, NodeError> {
        if title.trim().is_empty() {
            return Err(CommunityError::Invalid("a section needs a title".into()).into());
        }
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |doc, _, _| doc.add_section(title, at),
        )
    }

    /// Rename a section. Facilitators only.
    pub fn rename_section(&self, section: &str, title: &str) -> Result<(), NodeError> {
        let section = self.section_id(section)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |doc, _, _| doc.rename_section(&section, title),
        )
    }

    /// Remove a section and its entries. Facilitators only.
    pub fn remove_section(&self, section: &str) -> Result<(), NodeError> {
        let section = self.section_id(section)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |doc, _, _| doc.remove_section(&section),
        )
    }

    /// Add `doc` to `section` (at the end, or at `at`). Facilitators only.
    pub fn add_to_index(
        &self,
        section: &str,
        doc: DocId,
        at: Option<usize>,
    ) -> Result<(), NodeError> {
        self.check_doc(doc)?;
        let section = self.section_id(section)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |m, me, now| m.add_entry(&section, doc, at, me, now, None),
        )
    }

    /// Take `doc` out of `section`. Facilitators only.
    pub fn remove_from_index(&self, section: &str, doc: DocId) -> Result<(), NodeError> {
        let section = self.section_id(section)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |m, _, _| m.remove_entry(&section, doc),
        )
    }

    /// Move `doc` to position `to` (0 = first) of `section`: what drag and
    /// drop does. Facilitators only.
    pub fn move_in_index(&self, section: &str, doc: DocId, to: usize) -> Result<(), NodeError> {
        let section = self.section_id(section)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |m, _, _| m.move_entry(&section, doc, to),
        )
    }

    /// Feature `doc` (in every section it is in) with `reason`, shown to
    /// everyone; `None` stops featuring it. Facilitators only.
    pub fn feature(&self, doc: DocId, reason: Option<&str>) -> Result<(), NodeError> {
        if reason.is_some_and(|r| r.trim().is_empty()) {
            return Err(CommunityError::Invalid(
                "say why it is featured: the reason is shown to everyone".into(),
            )
            .into());
        }
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the index",
            |m, _, _| m.set_featured(doc, reason),
        )
    }

    /// Suggest `doc` for the index (in `section`, or anywhere) with a
    /// reason. Members and facilitators.
    pub fn suggest(
        &self,
        doc: DocId,
        section: Option<&str>,
        reason: &str,
    ) -> Result<ItemRef, NodeError> {
        self.check_doc(doc)?;
        let section = match section {
            Some(s) => self.section_id(s)?,
            None => String::new(),
        };
        let kind = self.my_journal();
        let id =
            self.write_community(kind, Need::Writer, "suggest an index entry", |j, _, now| {
                j.suggest(doc, &section, reason, now)
            })?;
        Ok(self.item(id))
    }

    /// Every suggestion, with its verdict.
    pub fn suggestions(&self) -> Result<Vec<Suggestion>, NodeError> {
        Ok(self.community()?.suggestions)
    }

    fn find_suggestion(&self, reference: &str) -> Result<Suggestion, NodeError> {
        let community = self.community()?;
        match community.suggestion(reference) {
            Ok(s) => Ok(s.clone()),
            Err(many) if many.is_empty() => Err(NodeError::UnknownItem {
                what: "suggestion",
                reference: reference.to_owned(),
                known: Vec::new(),
            }),
            Err(many) => Err(NodeError::AmbiguousItem {
                what: "suggestion",
                reference: reference.to_owned(),
                candidates: many.iter().map(|s| s.id.id.clone()).collect(),
            }),
        }
    }

    /// Accept a suggestion: its document joins `section` (or the section it
    /// asked for) and the suggestion is marked accepted, in one change.
    /// Facilitators only.
    pub fn accept_suggestion(
        &self,
        reference: &str,
        section: Option<&str>,
    ) -> Result<(), NodeError> {
        let suggestion = self.find_suggestion(reference)?;
        let section = match section {
            Some(s) => self.section_id(s)?,
            None if !suggestion.section.is_empty() => suggestion.section.clone(),
            None => {
                return Err(CommunityError::Invalid(
                    "the suggestion names no section: say which with --section".into(),
                )
                .into());
            }
        };
        let r = suggestion.id.encode();
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "accept a suggestion",
            |m, me, now| {
                match m.add_entry(&section, suggestion.doc, None, me, now, Some(&r)) {
                    Ok(()) | Err(CommunityError::Invalid(_)) => {}
                    Err(e) => return Err(e),
                }
                m.set_verdict(&r, true, me, now, "")
            },
        )
    }

    /// Decline a suggestion, saying why. Facilitators only.
    pub fn decline_suggestion(&self, reference: &str, note: &str) -> Result<(), NodeError> {
        let suggestion = self.find_suggestion(reference)?;
        let r = suggestion.id.encode();
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "decline a suggestion",
            |m, me, now| m.set_verdict(&r, false, me, now, note),
        )
    }

    // ---- guidelines -------------------------------------------------------

    /// The guidelines as this member sees them: the text, whether they
    /// acknowledged this version, and what changed since the one they did.
    pub fn guidelines(&self) -> Result<GuidelinesView, NodeError> {
        let me = self.lock().member;
        let community = self.community()?;
        let g = &community.manifest.guidelines;
        let acknowledged = community
            .acks
            .get(&me)
            .and_then(|a| a.keys().next_back().copied());
        let changes = match acknowledged {
            Some(v) if v < g.version => {
                let old = g.versions.get(&v).map(|v| v.text.as_str()).unwrap_or("");
                line_diff(old, &g.text)
            }
            _ => Vec::new(),
        };
        Ok(GuidelinesView {
            version: g.version,
            text: g.text.clone(),
            updated: g.updated,
            by: g.by,
            acknowledged,
            needs_ack: g.version > 0 && acknowledged.is_none_or(|a| a < g.version),
            changes,
        })
    }

    /// The line diff between two versions of the guidelines.
    pub fn guidelines_diff(&self, from: u64, to: u64) -> Result<Vec<DiffLine>, NodeError> {
        let community = self.community()?;
        let versions = &community.manifest.guidelines.versions;
        let text = |v: u64| {
            if v == 0 {
                return Ok(String::new());
            }
            versions
                .get(&v)
                .map(|v| v.text.clone())
                .ok_or_else(|| NodeError::UnknownItem {
                    what: "guidelines version",
                    reference: v.to_string(),
                    known: versions.keys().map(ToString::to_string).collect(),
                })
        };
        Ok(line_diff(&text(from)?, &text(to)?))
    }

    /// Replace the guidelines: a new version every member is asked to
    /// acknowledge. Its number. Facilitators only.
    pub fn set_guidelines(&self, text: &str) -> Result<u64, NodeError> {
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change the guidelines",
            |m, me, now| m.set_guidelines(text, me, now),
        )
    }

    /// Acknowledge the current guidelines (recorded in this member's
    /// journal, readers included). The version acknowledged.
    pub fn acknowledge_guidelines(&self) -> Result<u64, NodeError> {
        let version = self.community()?.manifest.guidelines.version;
        if version == 0 {
            return Err(CommunityError::Invalid("this garden has no guidelines yet".into()).into());
        }
        let kind = self.my_journal();
        self.write_community(
            kind,
            Need::Belongs,
            "acknowledge the guidelines",
            |j, _, now| j.acknowledge(version, now),
        )?;
        Ok(version)
    }

    /// Who acknowledged which version last: every current member with
    /// their latest acknowledged version (`None`: never).
    pub fn guidelines_acks(&self) -> Result<Vec<(MemberId, String, Option<u64>)>, NodeError> {
        let community = self.community()?;
        let members = self.members()?;
        Ok(members
            .members()
            .map(|m| {
                let v = community
                    .acks
                    .get(&m.id)
                    .and_then(|a| a.keys().next_back().copied());
                (m.id, m.name.clone(), v)
            })
            .collect())
    }

    // ---- discussion -------------------------------------------------------

    fn item(&self, id: String) -> ItemRef {
        ItemRef {
            author: self.lock().member,
            id,
        }
    }

    fn check_doc(&self, doc: DocId) -> Result<(), NodeError> {
        match self.lock().store.doc(doc)? {
            Some(_) => Ok(()),
            None => Err(NodeError::UnknownDoc(doc)),
        }
    }

    /// The members `text` @mentions: `@name` (a member's name, ignoring
    /// case) or `@` and at least 8 digits of a member id.
    pub fn mentions_in(&self, text: &str) -> Result<Vec<MemberId>, NodeError> {
        let membership = self.members()?;
        let lower = text.to_lowercase();
        let mut out = Vec::new();
        for m in membership.members() {
            let name = format!("@{}", m.name.to_lowercase());
            let by_name = lower.match_indices(&name).any(|(at, _)| {
                lower[at + name.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
            });
            let id = m.id.to_string();
            let by_id = lower.split('@').skip(1).any(|rest| {
                let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
                hex.len() >= 8 && id.starts_with(&hex)
            });
            if (by_name || by_id) && !out.contains(&m.id) {
                out.push(m.id);
            }
        }
        Ok(out)
    }

    /// Open a thread on `doc` (a question when `question`): a prompt for
    /// discussion; mentions in `text` are recorded. Members and
    /// facilitators. Its reference.
    pub fn open_thread(
        &self,
        doc: DocId,
        title: &str,
        text: &str,
        question: bool,
    ) -> Result<ItemRef, NodeError> {
        self.check_doc(doc)?;
        if title.trim().is_empty() {
            return Err(CommunityError::Invalid("a thread needs a subject".into()).into());
        }
        let mentions = self.mentions_in(text)?;
        let kind = self.my_journal();
        let id = self.write_community(kind, Need::Writer, "open a thread", |j, _, now| {
            j.open_thread(doc, title, text, question, &mentions, now)
        })?;
        Ok(self.item(id))
    }

    /// The thread `reference` names (an id, a prefix of one, or a full
    /// reference).
    pub fn thread(&self, reference: &str) -> Result<Thread, NodeError> {
        let community = self.community()?;
        match community.thread(reference) {
            Ok(t) => Ok(t.clone()),
            Err(many) if many.is_empty() => Err(NodeError::UnknownItem {
                what: "thread",
                reference: reference.to_owned(),
                known: Vec::new(),
            }),
            Err(many) => Err(NodeError::AmbiguousItem {
                what: "thread",
                reference: reference.to_owned(),
                candidates: many.iter().map(|t| t.id.id.clone()).collect(),
            }),
        }
    }

    /// Threads on `doc` (or every thread), oldest first.
    pub fn threads(&self, doc: Option<DocId>) -> Result<Vec<Thread>, NodeError> {
        Ok(self
            .community()?
            .threads
            .into_iter()
            .filter(|t| doc.is_none_or(|d| t.doc == d))
            .collect())
    }

    /// Threads not resolved (questions included), oldest first.
    pub fn unresolved_threads(&self) -> Result<Vec<Thread>, NodeError> {
        Ok(self.community()?.unresolved().cloned().collect())
    }

    /// Questions with no answer yet (and not resolved), oldest first.
    pub fn unanswered_questions(&self) -> Result<Vec<Thread>, NodeError> {
        Ok(self.community()?.unanswered().cloned().collect())
    }

    /// Comment on thread `thread`, or reply to one of its comments
    /// (`reply_to`). Members and facilitators. Its reference.
    pub fn comment(
        &self,
        thread: &str,
        text: &str,
        reply_to: Option<&str>,
    ) -> Result<ItemRef, NodeError> {
        if text.trim().is_empty() {
            return Err(CommunityError::Invalid("a comment cannot be empty".into()).into());
        }
        let t = self.thread(thread)?;
        let reply_to = match reply_to {
            Some(r) => Some(
                t.comments
                    .iter()
                    .find(|c| {
                        c.id.id == r
                            || c.id.encode() == r
                            || (r.len() >= 4 && c.id.id.starts_with(r))
                    })
                    .map(|c| c.id.encode())
                    .ok_or_else(|| NodeError::UnknownItem {
                        what: "comment in this thread",
                        reference: r.to_owned(),
                        known: t.comments.iter().map(|c| c.id.id.clone()).collect(),
                    })?,
            ),
            None => None,
        };
        let mentions = self.mentions_in(text)?;
        let thread_ref = t.id.encode();
        let kind = self.my_journal();
        let id = self.write_community(kind, Need::Writer, "comment", |j, _, now| {
            j.comment(&thread_ref, reply_to.as_deref(), text, &mentions, now)
        })?;
        Ok(self.item(id))
    }

    /// Resolve a thread (or reopen it, `resolved` false). Its author or a
    /// facilitator.
    pub fn resolve_thread(&self, thread: &str, resolved: bool) -> Result<(), NodeError> {
        let t = self.thread(thread)?;
        let (me, role) = {
            let mut state = self.lock();
            state.refresh_log()?;
            (state.member, state.log.role(state.member))
        };
        if t.author != me && role != Some(Role::Facilitator) {
            let membership = self.members()?;
            return Err(NodeError::NotAllowed {
                action: "resolve a thread someone else opened".into(),
                allowed: "its author and facilitators".into(),
                role,
                facilitators: membership
                    .facilitators()
                    .into_iter()
                    .filter_map(|f| membership.member(f).map(|m| m.name.clone()))
                    .collect(),
            });
        }
        let r = t.id.encode();
        let kind = self.my_journal();
        self.write_community(kind, Need::Writer, "resolve a thread", |j, _, now| {
            j.set_resolved(&r, resolved, now)
        })
    }

    /// Answer question `question` with `note`. Members and facilitators.
    pub fn answer_question(
        &self,
        question: &str,
        note: DocId,
        text: &str,
    ) -> Result<ItemRef, NodeError> {
        self.check_doc(note)?;
        let t = self.thread(question)?;
        if !t.question {
            return Err(CommunityError::Invalid(format!(
                "thread {} is not a question; comment on it instead",
                t.id
            ))
            .into());
        }
        let r = t.id.encode();
        let kind = self.my_journal();
        let id = self.write_community(kind, Need::Writer, "answer a question", |j, _, now| {
            j.answer(&r, note, text, now)
        })?;
        Ok(self.item(id))
    }

    /// Where `member` was @mentioned, newest first.
    pub fn mentions_of(&self, member: MemberId) -> Result<Vec<MentionOf>, NodeError> {
        let mut out = Vec::new();
        for t in self.community()?.threads {
            if t.mentions.contains(&member) {
                out.push(MentionOf {
                    thread: t.id.clone(),
                    comment: None,
                    by: t.author,
                    time: t.created,
                });
            }
            for c in &t.comments {
                if c.mentions.contains(&member) {
                    out.push(MentionOf {
                        thread: t.id.clone(),
                        comment: Some(c.id.clone()),
                        by: c.author,
                        time: c.created,
                    });
                }
            }
        }
        out.sort_by_key(|m| std::cmp::Reverse(m.time));
        Ok(out)
    }

    // ---- kudos ------------------------------------------------------------

    /// Give kudos to a page, a note or a comment, with an optional message.
    /// Not to oneself. Members and facilitators.
    pub fn give_kudos(&self, target: &KudosTarget, message: &str) -> Result<ItemRef, NodeError> {
        let me = self.lock().member;
        match target {
            KudosTarget::Doc(doc) => {
                self.check_doc(*doc)?;
                if self.creator_of(*doc)? == Some(me) {
                    return Err(CommunityError::Invalid(
                        "kudos are for others: you started this page".into(),
                    )
                    .into());
                }
            }
            KudosTarget::Comment(c) => {
                let community = self.community()?;
                let found = community
                    .threads
                    .iter()
                    .flat_map(|t| &t.comments)
                    .any(|x| &x.id == c);
                if !found {
                    return Err(NodeError::UnknownItem {
                        what: "comment",
                        reference: c.id.clone(),
                        known: Vec::new(),
                    });
                }
                if c.author == me {
                    return Err(CommunityError::Invalid(
                        "kudos are for others: this is your comment".into(),
                    )
                    .into());
                }
            }
        }
        let encoded = target.encode();
        let kind = self.my_journal();
        let id = self.write_community(kind, Need::Writer, "give kudos", |j, _, now| {
            j.give_kudos(&encoded, message, now)
        })?;
        Ok(self.item(id))
    }

    /// The comment `reference` names, as a kudos target.
    pub fn comment_target(&self, reference: &str) -> Result<KudosTarget, NodeError> {
        let community = self.community()?;
        community
            .comment(reference)
            .map(|(_, c)| KudosTarget::Comment(c.id.clone()))
            .ok_or_else(|| NodeError::UnknownItem {
                what: "comment",
                reference: reference.to_owned(),
                known: Vec::new(),
            })
    }

    /// The member who created `doc` (made its first signed change).
    pub(crate) fn creator_of(&self, doc: DocId) -> Result<Option<MemberId>, NodeError> {
        self.ensure_history(doc)?;
        let facts = self.lock().store.doc_facts()?;
        Ok(facts
            .into_iter()
            .find(|f| f.doc == doc)
            .and_then(|f| f.creator))
    }

    // ---- reading paths ----------------------------------------------------

    fn path_id(&self, reference: &str) -> Result<String, NodeError> {
        let community = self.community()?;
        community
            .manifest
            .path(reference)
            .map(|p| p.id.clone())
            .ok_or_else(|| NodeError::UnknownItem {
                what: "reading path",
                reference: reference.to_owned(),
                known: community
                    .manifest
                    .paths
                    .iter()
                    .map(|p| p.title.clone())
                    .collect(),
            })
    }

    /// Every reading path with `member`'s progress.
    pub fn paths(&self, member: MemberId) -> Result<Vec<PathView>, NodeError> {
        let community = self.community()?;
        let reads = community.reads.get(&member).cloned().unwrap_or_default();
        let state = self.lock();
        let mut out = Vec::new();
        for p in &community.manifest.paths {
            let mut pages = Vec::new();
            for doc in &p.pages {
                let title = state
                    .store
                    .doc(*doc)?
                    .map_or_else(|| "(not synced yet)".to_owned(), |r| r.title);
                pages.push(PathPage {
                    doc: *doc,
                    title,
                    read: reads.get(doc).copied(),
                });
            }
            out.push(PathView {
                id: p.id.clone(),
                title: p.title.clone(),
                read: pages.iter().filter(|p| p.read.is_some()).count(),
                total: pages.len(),
                pages,
            });
        }
        Ok(out)
    }

    /// The reading path `reference` names, with `member`'s progress.
    pub fn path(&self, reference: &str, member: MemberId) -> Result<PathView, NodeError> {
        let id = self.path_id(reference)?;
        self.paths(member)?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| NodeError::UnknownItem {
                what: "reading path",
                reference: reference.to_owned(),
                known: Vec::new(),
            })
    }

    /// Make a reading path of `pages`, in order; its id. Facilitators only.
    pub fn add_path(&self, title: &str, pages: &[DocId]) -> Result<String, NodeError> {
        if title.trim().is_empty() {
            return Err(CommunityError::Invalid("a reading path needs a title".into()).into());
        }
        for p in pages {
            self.check_doc(*p)?;
        }
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change reading paths",
            |m, _, _| m.add_path(title, pages),
        )
    }

    /// Replace the pages of a reading path. Facilitators only.
    pub fn set_path_pages(&self, path: &str, pages: &[DocId]) -> Result<(), NodeError> {
        for p in pages {
            self.check_doc(*p)?;
        }
        let id = self.path_id(path)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change reading paths",
            |m, _, _| m.set_path_pages(&id, pages),
        )
    }

    /// Remove a reading path. Facilitators only.
    pub fn remove_path(&self, path: &str) -> Result<(), NodeError> {
        let id = self.path_id(path)?;
        self.write_community(
            CommunityKind::Manifest,
            Need::Facilitator,
            "change reading paths",
            |m, _, _| m.remove_path(&id),
        )
    }

    /// Mark `doc` read (or unread) for this member; readers too.
    pub fn mark_read(&self, doc: DocId, read: bool) -> Result<(), NodeError> {
        self.check_doc(doc)?;
        let kind = self.my_journal();
        self.write_community(kind, Need::Belongs, "mark a page read", |j, _, now| {
            j.set_read(doc, read, now)
        })
    }

    // ---- sync -------------------------------------------------------------

    /// The ids of every community document this garden may hold: the
    /// manifest's and every (current or removed) member's journal's.
    pub(crate) fn community_ids(&self) -> Result<std::collections::HashSet<DocId>, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        let garden = state.garden;
        Ok(std::iter::once(manifest_id(garden))
            .chain(
                state
                    .journal_owners()
                    .into_iter()
                    .map(|m| journal_id(garden, m)),
            )
            .collect())
    }

    /// Every community document's heads (for the sync digest).
    pub(crate) fn community_heads(&self) -> Result<Vec<(DocId, Vec<ChangeHash>)>, NodeError> {
        Ok(self.lock().store.community_heads()?)
    }

    /// Which community document `doc` is, if it is one.
    pub(crate) fn community_kind_of(&self, doc: DocId) -> Result<Option<CommunityKind>, NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        Ok(state.community_kind(doc))
    }

    /// The next sync message of community document `kind` for a peer.
    pub(crate) fn community_sync_message(
        &self,
        kind: CommunityKind,
        sync: &mut SyncState,
    ) -> Result<Option<SyncMessage>, NodeError> {
        let mut state = self.lock();
        let doc = state.community_doc(kind)?;
        Ok(doc.automerge().sync().generate_sync_message(sync))
    }

    /// The stored signatures over `changes` of community document `doc`.
    pub(crate) fn community_signatures(
        &self,
        doc: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, NodeError> {
        Ok(self.lock().store.community_signatures_for(doc, changes)?)
    }

    /// Apply a peer's (verified) sync message to community document `kind`
    /// and store what changed with its signatures.
    pub(crate) fn receive_community_message(
        &self,
        kind: CommunityKind,
        sync: &mut SyncState,
        message: SyncMessage,
        signatures: Vec<SignedChanges>,
    ) -> Result<(), NodeError> {
        let mut state = self.lock();
        let id = kind.doc_id(state.garden);
        let doc = state.community_doc(kind)?;
        let before = doc.heads();
        let received = doc
            .automerge()
            .sync()
            .receive_sync_message(sync, message)
            .map_err(|e| e.to_string());
        if let Err(e) = received {
            state.community.remove(&id);
            return Err(CommunityError::Decode(e).into());
        }
        let after = state
            .community
            .get_mut(&id)
            .map(CommunityDoc::heads)
            .unwrap_or_default();
        if after == before {
            return Ok(());
        }
        let heads = match state.store_community(kind, &signatures) {
            Ok(h) => h,
            Err(e) => {
                state.community.remove(&id);
                return Err(e);
            }
        };
        drop(state);
        self.announce_community(id, &heads);
        Ok(())
    }
}

/// The lines of `new` against `old`: unchanged, removed and added.
pub(crate) fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect()
}
