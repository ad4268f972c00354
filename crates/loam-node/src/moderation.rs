//! Moderation: what facilitators do to keep the garden's culture safe, and
//! how anyone asks them to.
//!
//! Facilitators archive (hide) a page or note and restore it, hide a thread
//! or comment (it stays in its author's journal; everyone's front end shows
//! that it was hidden and why), and revert one member's changes to a page
//! as a new change (their insertions still present are deleted, their
//! deletions put back; everyone else's edits stay). Each action is written
//! to the moderation log in the manifest. Any member flags a page, note,
//! thread or comment with a reason; flags are listed until a facilitator
//! dismisses them.

use loam_core::community::{CommunityKind, Flag, ModerationRecord};
use loam_core::{DocId, MemberId};
use serde::Serialize;

use crate::{Garden, NodeError};

/// What a flag or a hide is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum ModerationTarget {
    /// A page or note.
    Doc(DocId),
    /// A thread (a reference).
    Thread(String),
    /// A comment (a reference).
    Comment(String),
}

impl ModerationTarget {
    /// As stored (`doc:<id>`, `thread:<ref>`, `comment:<ref>`).
    pub fn encode(&self) -> String {
        match self {
            Self::Doc(d) => format!("doc:{d}"),
            Self::Thread(r) => format!("thread:{r}"),
            Self::Comment(r) => format!("comment:{r}"),
        }
    }
}

/// What reverting a member's changes did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevertReport {
    /// The member's changes found in the document.
    pub changes: usize,
    /// Characters taken out.
    pub deleted: usize,
    /// Characters put back.
    pub inserted: usize,
}

impl Garden {
    /// The thread or comment `reference` names, as a moderation target.
    pub fn item_target(&self, reference: &str) -> Result<ModerationTarget, NodeError> {
        let community = self.community()?;
        if let Some((_, c)) = community.comment(reference) {
            return Ok(ModerationTarget::Comment(c.id.encode()));
        }
        let t = self.thread(reference)?;
        Ok(ModerationTarget::Thread(t.id.encode()))
    }

    fn log(
        &self,
        action: &str,
        target: String,
        member: Option<MemberId>,
        reason: &str,
    ) -> Result<(), NodeError> {
        let action = action.to_owned();
        let reason = reason.trim().to_owned();
        self.write_community_manifest("moderate", move |m, me, now| {
            m.log_moderation(&ModerationRecord {
                action,
                target,
                member,
                reason,
                by: Some(me),
                time: now,
            })
        })
    }

    /// Archive `doc` as moderation (hidden from lists, search and links;
    /// kept in full) and log why. Facilitators only.
    pub fn moderate_archive(&self, doc: DocId, reason: &str) -> Result<bool, NodeError> {
        self.check_facilitator("archive as moderation")?;
        let changed = self.archive(doc)?;
        self.log("archive", doc.to_string(), None, reason)?;
        Ok(changed)
    }

    /// Bring a document archived by moderation back, and log why.
    /// Facilitators only.
    pub fn moderate_restore(&self, doc: DocId, reason: &str) -> Result<bool, NodeError> {
        self.check_facilitator("restore as moderation")?;
        let changed = self.restore(doc)?;
        self.log("restore", doc.to_string(), None, reason)?;
        Ok(changed)
    }

    /// Hide a thread or comment for `reason`, or show it again (`None`).
    /// Facilitators only.
    pub fn hide(&self, target: &ModerationTarget, reason: Option<&str>) -> Result<(), NodeError> {
        if let ModerationTarget::Doc(_) = target {
            return Err(loam_core::community::CommunityError::Invalid(
                "pages and notes are archived, not hidden: use archive".into(),
            )
            .into());
        }
        if reason.is_some_and(|r| r.trim().is_empty()) {
            return Err(loam_core::community::CommunityError::Invalid(
                "say why it is hidden".into(),
            )
            .into());
        }
        let key = target.encode();
        let action = if reason.is_some() { "hide" } else { "unhide" };
        let logged = ModerationRecord {
            action: action.to_owned(),
            target: key.clone(),
            member: None,
            reason: reason.unwrap_or_default().trim().to_owned(),
            by: None,
            time: 0,
        };
        self.write_community_manifest("moderate", move |m, me, now| {
            m.set_hidden(&key, reason, me, now)?;
            m.log_moderation(&ModerationRecord {
                by: Some(me),
                time: now,
                ..logged
            })
        })
    }

    /// Revert every change `member` made to `doc`'s text, as one new change
    /// by this facilitator, and log it. Facilitators only.
    pub fn revert_member(
        &self,
        doc: DocId,
        member: MemberId,
        reason: &str,
    ) -> Result<RevertReport, NodeError> {
        self.check_facilitator("revert a member's changes")?;
        let report = {
            let mut state = self.lock();
            state.check_writer()?;
            self.shared().store_own_first(&mut state, doc)?;
            state.catch_up(doc)?;
            let signers = state.store.change_signers(doc)?;
            let mut changes: Vec<loam_core::ChangeHash> = signers
                .into_iter()
                .filter(|(_, m)| *m == member)
                .map(|(h, _)| h)
                .collect();
            changes.sort();
            if changes.is_empty() {
                return Ok(RevertReport {
                    changes: 0,
                    deleted: 0,
                    inserted: 0,
                });
            }
            let (deleted, inserted) = state
                .doc(doc)?
                .revert_changes(&changes)
                .map_err(NodeError::doc(doc))?;
            let message = format!("revert the changes of {}", member.short());
            self.shared()
                .commit_and_store(&mut state, &[doc], Some(&message))?;
            RevertReport {
                changes: changes.len(),
                deleted,
                inserted,
            }
        };
        self.log("revert", doc.to_string(), Some(member), reason)?;
        Ok(report)
    }

    /// Flag `target` for facilitators with `reason`. Members and
    /// facilitators. The flag's id.
    pub fn flag(&self, target: &ModerationTarget, reason: &str) -> Result<String, NodeError> {
        if reason.trim().is_empty() {
            return Err(loam_core::community::CommunityError::Invalid(
                "say why you flag it: facilitators read the reason".into(),
            )
            .into());
        }
        if let ModerationTarget::Doc(d) = target
            && self.lock().store.doc(*d)?.is_none()
        {
            return Err(NodeError::UnknownDoc(*d));
        }
        let encoded = target.encode();
        self.write_journal_as_writer("flag", move |j, _, now| j.flag(&encoded, reason, now))
    }

    /// Flags no facilitator dismissed, oldest first.
    pub fn open_flags(&self) -> Result<Vec<Flag>, NodeError> {
        let community = self.community()?;
        let dismissed: Vec<String> = community
            .manifest
            .moderation
            .iter()
            .filter(|r| r.action == "dismiss-flag")
            .map(|r| r.target.clone())
            .collect();
        Ok(community
            .flags
            .into_iter()
            .filter(|f| !dismissed.contains(&f.id.encode()))
            .collect())
    }

    /// Dismiss a flag (dealt with, or not a problem), saying why.
    /// Facilitators only.
    pub fn dismiss_flag(&self, reference: &str, note: &str) -> Result<(), NodeError> {
        let flags = self.open_flags()?;
        let found: Vec<&Flag> = flags
            .iter()
            .filter(|f| {
                f.id.id == reference
                    || f.id.encode() == reference
                    || (reference.len() >= 4 && f.id.id.starts_with(reference))
            })
            .collect();
        let flag = match found.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(NodeError::UnknownItem {
                    what: "open flag",
                    reference: reference.to_owned(),
                    known: flags.iter().map(|f| f.id.id.clone()).collect(),
                });
            }
            many => {
                return Err(NodeError::AmbiguousItem {
                    what: "flag",
                    reference: reference.to_owned(),
                    candidates: many.iter().map(|f| f.id.id.clone()).collect(),
                });
            }
        };
        self.check_facilitator("dismiss a flag")?;
        self.log("dismiss-flag", flag.id.encode(), Some(flag.author), note)
    }

    /// The moderation log, oldest first.
    pub fn moderation_log(&self) -> Result<Vec<ModerationRecord>, NodeError> {
        Ok(self.community()?.manifest.moderation)
    }

    fn check_facilitator(&self, action: &str) -> Result<(), NodeError> {
        let mut state = self.lock();
        state.refresh_log()?;
        state.check_need(crate::community::Need::Facilitator, action)
    }

    fn write_community_manifest<T>(
        &self,
        action: &str,
        f: impl FnOnce(
            &mut loam_core::community::CommunityDoc,
            MemberId,
            i64,
        ) -> Result<T, loam_core::community::CommunityError>,
    ) -> Result<T, NodeError> {
        self.write_community(
            CommunityKind::Manifest,
            crate::community::Need::Facilitator,
            action,
            f,
        )
    }
}
