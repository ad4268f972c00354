//! The garden manifest: what facilitators curate.
//!
//! ```text
//! ROOT
//!   schema:     "loam/manifest"
//!   sections:   [ { id, title, entries: [ { doc, featured: bool, reason,
//!                                           added, by, suggestion } ] } ]
//!   guidelines: { version: int, text, updated, by,
//!                 versions: { "<n>": { text, updated, by } } }
//!   paths:      [ { id, title, pages: [doc] } ]
//!   verdicts:   { "<suggestion ref>": { accepted: bool, by, time, note } }
//!   hidden:     { "<target>": { reason, by, time } }
//!   moderation: [ { action, target, member, reason, by, time } ]
//! ```
//!
//! Ids and member ids are lowercase hex strings; times are ms since the
//! epoch. Lists keep their order under concurrent edits (Automerge lists);
//! moving an entry is a delete and an insert of a copy, so of two
//! facilitators moving the same entry at once, both copies survive (the
//! node shows an entry once per section, at its first place).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc};
use serde::Serialize;
use serde_json::Value as Json;

use super::value::{arr, b, entries, existing_map, find_by_id, i, object_at, put_strs, s};
use super::{CommunityDoc, CommunityError, CommunityKind, new_item_id};
use crate::ids::{DocId, MemberId};

const SCHEMA: &str = "loam/manifest";

/// The manifest, read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// The curated index, in order.
    pub sections: Vec<Section>,
    /// The garden's guidelines.
    pub guidelines: Guidelines,
    /// Reading paths, in order.
    pub paths: Vec<Path>,
    /// Facilitators' verdicts on suggestions, by suggestion reference.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Hidden items (`comment:<ref>`, `thread:<ref>`), with why.
    pub hidden: BTreeMap<String, ModerationRecord>,
    /// Every moderation action, oldest first.
    pub moderation: Vec<ModerationRecord>,
}

/// A section of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Its id.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Its entries, in order (each document once).
    pub entries: Vec<Entry>,
}

/// An entry of a section: a page or note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The page or note.
    pub doc: DocId,
    /// Why it is featured, when it is.
    pub featured: Option<String>,
    /// When it was added.
    pub added: i64,
    /// The facilitator who added it.
    pub by: Option<MemberId>,
    /// The suggestion it came from, if any (a reference).
    pub suggestion: Option<String>,
}

/// The guidelines: the current text and every version before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Guidelines {
    /// 0 while there are none.
    pub version: u64,
    /// The current text.
    pub text: String,
    /// When it was last changed.
    pub updated: i64,
    /// Who changed it last.
    pub by: Option<MemberId>,
    /// Every version, by number (the current one included).
    pub versions: BTreeMap<u64, GuidelinesVersion>,
}

/// One version of the guidelines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidelinesVersion {
    /// Its text.
    pub text: String,
    /// When it was written.
    pub updated: i64,
    /// By whom.
    pub by: Option<MemberId>,
}

/// A reading path: pages to read in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: String,
    /// The pages, in reading order.
    pub pages: Vec<DocId>,
}

/// A facilitator's verdict on a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Accepted (added to the index) or declined.
    pub accepted: bool,
    /// By whom.
    pub by: Option<MemberId>,
    /// When.
    pub time: i64,
    /// Why, if said.
    pub note: String,
}

/// One moderation action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModerationRecord {
    /// `archive`, `restore`, `hide`, `unhide`, `revert`, `dismiss-flag`...
    pub action: String,
    /// What it was done to (a document id, `comment:<ref>`...).
    pub target: String,
    /// The member concerned (whose changes were reverted), if any.
    pub member: Option<MemberId>,
    /// Why.
    pub reason: String,
    /// The facilitator.
    pub by: Option<MemberId>,
    /// When.
    pub time: i64,
}

fn member(v: &Json, key: &str) -> Option<MemberId> {
    s(v, key).parse().ok()
}

fn record(v: &Json) -> ModerationRecord {
    ModerationRecord {
        action: s(v, "action"),
        target: s(v, "target"),
        member: member(v, "member"),
        reason: s(v, "reason"),
        by: member(v, "by"),
        time: i(v, "time"),
    }
}

impl Manifest {
    /// Read the manifest from its JSON form (see
    /// [`CommunityDoc::to_json`]); malformed parts are skipped.
    pub fn from_json(v: &Json) -> Self {
        let sections = arr(v, "sections")
            .iter()
            .map(|sec| {
                let mut seen = Vec::new();
                let entries = arr(sec, "entries")
                    .iter()
                    .filter_map(|e| {
                        let doc: DocId = s(e, "doc").parse().ok()?;
                        if seen.contains(&doc) {
                            return None;
                        }
                        seen.push(doc);
                        let suggestion = s(e, "suggestion");
                        Some(Entry {
                            doc,
                            featured: b(e, "featured").then(|| s(e, "reason")),
                            added: i(e, "added"),
                            by: member(e, "by"),
                            suggestion: (!suggestion.is_empty()).then_some(suggestion),
                        })
                    })
                    .collect();
                Section {
                    id: s(sec, "id"),
                    title: s(sec, "title"),
                    entries,
                }
            })
            .filter(|sec| !sec.id.is_empty())
            .collect();
        let g = v.get("guidelines").cloned().unwrap_or(Json::Null);
        let versions = entries(&g, "versions")
            .filter_map(|(n, ver)| {
                Some((
                    n.parse::<u64>().ok()?,
                    GuidelinesVersion {
                        text: s(ver, "text"),
                        updated: i(ver, "updated"),
                        by: member(ver, "by"),
                    },
                ))
            })
            .collect();
        let guidelines = Guidelines {
            version: u64::try_from(i(&g, "version")).unwrap_or(0),
            text: s(&g, "text"),
            updated: i(&g, "updated"),
            by: member(&g, "by"),
            versions,
        };
        let paths = arr(v, "paths")
            .iter()
            .map(|p| Path {
                id: s(p, "id"),
                title: s(p, "title"),
                pages: arr(p, "pages")
                    .iter()
                    .filter_map(|d| d.as_str()?.parse().ok())
                    .collect(),
            })
            .filter(|p| !p.id.is_empty())
            .collect();
        let verdicts = entries(v, "verdicts")
            .map(|(k, d)| {
                (
                    k.clone(),
                    Verdict {
                        accepted: b(d, "accepted"),
                        by: member(d, "by"),
                        time: i(d, "time"),
                        note: s(d, "note"),
                    },
                )
            })
            .collect();
        let hidden = entries(v, "hidden")
            .map(|(k, d)| {
                let mut r = record(d);
                r.action = "hide".into();
                r.target = k.clone();
                (k.clone(), r)
            })
            .collect();
        let moderation = arr(v, "moderation").iter().map(record).collect();
        Self {
            sections,
            guidelines,
            paths,
            verdicts,
            hidden,
            moderation,
        }
    }

    /// The section with this id, or whose title is this (ignoring case).
    pub fn section(&self, reference: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.id == reference)
            .or_else(|| {
                self.sections
                    .iter()
                    .find(|s| s.title.eq_ignore_ascii_case(reference.trim()))
            })
    }

    /// The path with this id, or whose title is this (ignoring case).
    pub fn path(&self, reference: &str) -> Option<&Path> {
        self.paths.iter().find(|p| p.id == reference).or_else(|| {
            self.paths
                .iter()
                .find(|p| p.title.eq_ignore_ascii_case(reference.trim()))
        })
    }

    /// Whether `doc` is featured anywhere in the index, and why.
    pub fn featured(&self, doc: DocId) -> Option<&str> {
        self.sections
            .iter()
            .flat_map(|s| &s.entries)
            .find(|e| e.doc == doc)
            .and_then(|e| e.featured.as_deref())
    }
}

/// Writing the manifest: every method checks that this is the manifest,
/// and leaves the change uncommitted (see [`CommunityDoc::commit`]).
impl CommunityDoc {
    fn manifest_root(&mut self) -> Result<(), CommunityError> {
        if self.kind != CommunityKind::Manifest {
            return Err(CommunityError::Invalid("not the manifest".into()));
        }
        self.stamp(SCHEMA)
    }

    fn sections_list(&mut self) -> Result<ObjId, CommunityError> {
        self.manifest_root()?;
        object_at(&mut self.doc, &ROOT, "sections", ObjType::List)
    }

    fn section_obj(&mut self, section: &str) -> Result<ObjId, CommunityError> {
        let list = self.sections_list()?;
        find_by_id(&self.doc, &list, section)
            .map(|(_, o)| o)
            .ok_or_else(|| CommunityError::NotFound {
                what: "section",
                id: section.to_owned(),
            })
    }

    /// Add a section titled `title` at the end (or at `at`); its new id.
    pub fn add_section(
        &mut self,
        title: &str,
        at: Option<usize>,
    ) -> Result<String, CommunityError> {
        let list = self.sections_list()?;
        let id = new_item_id()?;
        let at = at.unwrap_or(usize::MAX).min(self.doc.length(&list));
        let sec = self.doc.insert_object(&list, at, ObjType::Map)?;
        put_strs(&mut self.doc, &sec, &[("id", &id), ("title", title.trim())])?;
        self.doc.put_object(&sec, "entries", ObjType::List)?;
        Ok(id)
    }

    /// Rename a section.
    pub fn rename_section(&mut self, section: &str, title: &str) -> Result<(), CommunityError> {
        let sec = self.section_obj(section)?;
        self.doc.put(&sec, "title", title.trim())?;
        Ok(())
    }

    /// Remove a section and its entries.
    pub fn remove_section(&mut self, section: &str) -> Result<(), CommunityError> {
        let list = self.sections_list()?;
        let (at, _) =
            find_by_id(&self.doc, &list, section).ok_or_else(|| CommunityError::NotFound {
                what: "section",
                id: section.to_owned(),
            })?;
        self.doc.delete(&list, at)?;
        Ok(())
    }

    fn entry_pos(&self, entries: &ObjId, doc: DocId) -> Option<(usize, ObjId)> {
        let key = doc.to_string();
        (0..self.doc.length(entries)).find_map(|i| match self.doc.get(entries, i) {
            Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => {
                (super::value::get_str(&self.doc, &obj, "doc").as_deref() == Some(key.as_str()))
                    .then_some((i, obj))
            }
            _ => None,
        })
    }

    /// Add `doc` to `section` at `at` (default: the end), added by `by`,
    /// maybe from a suggestion. Refused when it is there already.
    pub fn add_entry(
        &mut self,
        section: &str,
        doc: DocId,
        at: Option<usize>,
        by: MemberId,
        now: i64,
        suggestion: Option<&str>,
    ) -> Result<(), CommunityError> {
        let sec = self.section_obj(section)?;
        let entries = object_at(&mut self.doc, &sec, "entries", ObjType::List)?;
        if self.entry_pos(&entries, doc).is_some() {
            return Err(CommunityError::Invalid(format!(
                "{doc} is in this section already"
            )));
        }
        let at = at.unwrap_or(usize::MAX).min(self.doc.length(&entries));
        let e = self.doc.insert_object(&entries, at, ObjType::Map)?;
        put_strs(
            &mut self.doc,
            &e,
            &[
                ("doc", &doc.to_string()),
                ("by", &by.to_string()),
                ("reason", ""),
                ("suggestion", suggestion.unwrap_or_default()),
            ],
        )?;
        self.doc.put(&e, "featured", false)?;
        self.doc.put(&e, "added", now)?;
        Ok(())
    }

    /// Remove `doc` from `section`.
    pub fn remove_entry(&mut self, section: &str, doc: DocId) -> Result<(), CommunityError> {
        let sec = self.section_obj(section)?;
        let entries = object_at(&mut self.doc, &sec, "entries", ObjType::List)?;
        let (at, _) = self
            .entry_pos(&entries, doc)
            .ok_or(CommunityError::NotFound {
                what: "entry",
                id: doc.to_string(),
            })?;
        self.doc.delete(&entries, at)?;
        Ok(())
    }

    /// Move `doc` within `section` to position `to` (0 = first).
    pub fn move_entry(
        &mut self,
        section: &str,
        doc: DocId,
        to: usize,
    ) -> Result<(), CommunityError> {
        let json = self.to_json();
        let sec = self.section_obj(section)?;
        let entries = object_at(&mut self.doc, &sec, "entries", ObjType::List)?;
        let (from, _) = self
            .entry_pos(&entries, doc)
            .ok_or(CommunityError::NotFound {
                what: "entry",
                id: doc.to_string(),
            })?;
        let manifest = Manifest::from_json(&json);
        let old = manifest
            .section(section)
            .and_then(|s| s.entries.iter().find(|e| e.doc == doc))
            .cloned()
            .ok_or(CommunityError::NotFound {
                what: "entry",
                id: doc.to_string(),
            })?;
        self.doc.delete(&entries, from)?;
        let to = to.min(self.doc.length(&entries));
        let e = self.doc.insert_object(&entries, to, ObjType::Map)?;
        put_strs(
            &mut self.doc,
            &e,
            &[
                ("doc", &doc.to_string()),
                ("by", &old.by.map(|m| m.to_string()).unwrap_or_default()),
                ("reason", old.featured.as_deref().unwrap_or_default()),
                ("suggestion", old.suggestion.as_deref().unwrap_or_default()),
            ],
        )?;
        self.doc.put(&e, "featured", old.featured.is_some())?;
        self.doc.put(&e, "added", old.added)?;
        Ok(())
    }

    /// Feature `doc` with `reason` (or stop featuring it, `None`) in every
    /// section it is in. Refused when it is in none.
    pub fn set_featured(&mut self, doc: DocId, reason: Option<&str>) -> Result<(), CommunityError> {
        let list = self.sections_list()?;
        let mut found = false;
        for i in 0..self.doc.length(&list) {
            let Ok(Some((automerge::Value::Object(ObjType::Map), sec))) = self.doc.get(&list, i)
            else {
                continue;
            };
            let entries = object_at(&mut self.doc, &sec, "entries", ObjType::List)?;
            if let Some((_, e)) = self.entry_pos(&entries, doc) {
                found = true;
                self.doc.put(&e, "featured", reason.is_some())?;
                self.doc
                    .put(&e, "reason", reason.unwrap_or_default().trim())?;
            }
        }
        if found {
            Ok(())
        } else {
            Err(CommunityError::Invalid(format!(
                "{doc} is not in the index; add it to a section first"
            )))
        }
    }

    /// Replace the guidelines with `text`: the next version. Its number.
    pub fn set_guidelines(
        &mut self,
        text: &str,
        by: MemberId,
        now: i64,
    ) -> Result<u64, CommunityError> {
        self.manifest_root()?;
        let current = Manifest::from_json(&self.to_json()).guidelines;
        let version = current
            .versions
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(current.version)
            + 1;
        let g = object_at(&mut self.doc, &ROOT, "guidelines", ObjType::Map)?;
        let by = by.to_string();
        self.doc
            .put(&g, "version", i64::try_from(version).unwrap_or(i64::MAX))?;
        put_strs(&mut self.doc, &g, &[("text", text), ("by", &by)])?;
        self.doc.put(&g, "updated", now)?;
        let versions = object_at(&mut self.doc, &g, "versions", ObjType::Map)?;
        let v = self
            .doc
            .put_object(&versions, version.to_string(), ObjType::Map)?;
        put_strs(&mut self.doc, &v, &[("text", text), ("by", &by)])?;
        self.doc.put(&v, "updated", now)?;
        Ok(version)
    }

    fn paths_list(&mut self) -> Result<ObjId, CommunityError> {
        self.manifest_root()?;
        object_at(&mut self.doc, &ROOT, "paths", ObjType::List)
    }

    /// Add a reading path titled `title` with `pages`; its id.
    pub fn add_path(&mut self, title: &str, pages: &[DocId]) -> Result<String, CommunityError> {
        let list = self.paths_list()?;
        let id = new_item_id()?;
        let at = self.doc.length(&list);
        let p = self.doc.insert_object(&list, at, ObjType::Map)?;
        put_strs(&mut self.doc, &p, &[("id", &id), ("title", title.trim())])?;
        let pages_list = self.doc.put_object(&p, "pages", ObjType::List)?;
        for (n, page) in pages.iter().enumerate() {
            self.doc.insert(&pages_list, n, page.to_string())?;
        }
        Ok(id)
    }

    /// Replace the pages of path `path`.
    pub fn set_path_pages(&mut self, path: &str, pages: &[DocId]) -> Result<(), CommunityError> {
        let list = self.paths_list()?;
        let (_, p) =
            find_by_id(&self.doc, &list, path).ok_or_else(|| CommunityError::NotFound {
                what: "reading path",
                id: path.to_owned(),
            })?;
        let pages_list = self.doc.put_object(&p, "pages", ObjType::List)?;
        for (n, page) in pages.iter().enumerate() {
            self.doc.insert(&pages_list, n, page.to_string())?;
        }
        Ok(())
    }

    /// Remove path `path`.
    pub fn remove_path(&mut self, path: &str) -> Result<(), CommunityError> {
        let list = self.paths_list()?;
        let (at, _) =
            find_by_id(&self.doc, &list, path).ok_or_else(|| CommunityError::NotFound {
                what: "reading path",
                id: path.to_owned(),
            })?;
        self.doc.delete(&list, at)?;
        Ok(())
    }

    /// Record a verdict on suggestion `suggestion` (a reference).
    pub fn set_verdict(
        &mut self,
        suggestion: &str,
        accepted: bool,
        by: MemberId,
        now: i64,
        note: &str,
    ) -> Result<(), CommunityError> {
        self.manifest_root()?;
        let verdicts = object_at(&mut self.doc, &ROOT, "verdicts", ObjType::Map)?;
        let v = self.doc.put_object(&verdicts, suggestion, ObjType::Map)?;
        self.doc.put(&v, "accepted", accepted)?;
        put_strs(
            &mut self.doc,
            &v,
            &[("by", &by.to_string()), ("note", note)],
        )?;
        self.doc.put(&v, "time", now)?;
        Ok(())
    }

    /// Hide `target` (`comment:<ref>`, `thread:<ref>`) for `reason`, or
    /// show it again (`reason` `None`).
    pub fn set_hidden(
        &mut self,
        target: &str,
        reason: Option<&str>,
        by: MemberId,
        now: i64,
    ) -> Result<(), CommunityError> {
        self.manifest_root()?;
        let hidden = object_at(&mut self.doc, &ROOT, "hidden", ObjType::Map)?;
        match reason {
            Some(reason) => {
                let h = self.doc.put_object(&hidden, target, ObjType::Map)?;
                put_strs(
                    &mut self.doc,
                    &h,
                    &[("reason", reason), ("by", &by.to_string())],
                )?;
                self.doc.put(&h, "time", now)?;
            }
            None => {
                if existing_map(&self.doc, &hidden, target).is_some() {
                    self.doc.delete(&hidden, target)?;
                }
            }
        }
        Ok(())
    }

    /// Append `record` to the moderation log.
    pub fn log_moderation(&mut self, record: &ModerationRecord) -> Result<(), CommunityError> {
        self.manifest_root()?;
        let list = object_at(&mut self.doc, &ROOT, "moderation", ObjType::List)?;
        let at = self.doc.length(&list);
        let r = self.doc.insert_object(&list, at, ObjType::Map)?;
        put_strs(
            &mut self.doc,
            &r,
            &[
                ("action", &record.action),
                ("target", &record.target),
                (
                    "member",
                    &record.member.map(|m| m.to_string()).unwrap_or_default(),
                ),
                ("reason", &record.reason),
                ("by", &record.by.map(|m| m.to_string()).unwrap_or_default()),
            ],
        )?;
        self.doc.put(&r, "time", record.time)?;
        Ok(())
    }
}
