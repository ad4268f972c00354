//! `loam check`: the database is sound, every document loads, the index
//! says what the documents say, and every attachment's bytes match their
//! hash.

use loam_core::{DocId, NoteDoc, normalise_tag, normalise_title};
use serde::Serialize;

use crate::{Garden, NodeError};

/// One thing `check` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckProblem {
    /// SQLite's own checks failed.
    Database {
        /// What SQLite said.
        message: String,
    },
    /// A document's stored bytes do not load.
    Unloadable {
        /// The document.
        doc: DocId,
        /// Why.
        message: String,
    },
    /// An attachment's stored bytes do not match their hash.
    Attachment {
        /// What is wrong, naming the attachment.
        message: String,
    },
    /// The index disagrees with the document.
    IndexMismatch {
        /// The document.
        doc: DocId,
        /// Which field disagrees.
        field: String,
    },
}

impl std::fmt::Display for CheckProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Database { message } => write!(f, "database: {message}"),
            Self::Attachment { message } => write!(f, "{message}"),
            Self::Unloadable { doc, message } => {
                write!(f, "document {doc} does not load: {message}")
            }
            Self::IndexMismatch { doc, field } => write!(
                f,
                "document {doc}: the index's {field} disagrees with the document"
            ),
        }
    }
}

/// What `check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Documents checked.
    pub docs: usize,
    /// Attachments checked (their bytes against their hash).
    pub attachments: usize,
    /// Problems found; empty when all is well.
    pub problems: Vec<CheckProblem>,
    /// Documents whose index rows `repair` rewrote from the document.
    pub repaired: Vec<DocId>,
}

/// The field name of a history index that disagrees with its document.
const HISTORY: &str = "history";

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Garden {
    /// [`Garden::check`], then rewrite the index rows of every document
    /// whose index disagrees with it, from the document itself, and check
    /// again. Documents that do not load are reported, not touched.
    pub fn repair(&self) -> Result<CheckReport, NodeError> {
        let first = self.check()?;
        let mut repaired: Vec<DocId> = Vec::new();
        let mut done: Vec<(DocId, bool)> = Vec::new();
        for problem in &first.problems {
            let CheckProblem::IndexMismatch { doc, field } = problem else {
                continue;
            };
            let history = field == HISTORY;
            if done.contains(&(*doc, history)) {
                continue;
            }
            done.push((*doc, history));
            if history {
                self.rebuild_history(*doc)?;
            } else {
                let snapshot = self.load_document(*doc)?;
                self.lock().store.write_doc(*doc, &snapshot, &[])?;
            }
            if !repaired.contains(doc) {
                repaired.push(*doc);
            }
        }
        let mut report = self.check()?;
        report.repaired = repaired;
        Ok(report)
    }

    /// Rewrite `id`'s history rows from the document.
    fn rebuild_history(&self, id: DocId) -> Result<(), NodeError> {
        let (chunks, member) = {
            let state = self.lock();
            (state.store.load_chunks(id)?, state.member)
        };
        let upto = chunks.last().map_or(0, |c| c.seq);
        let mut doc = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), member)
            .map_err(NodeError::doc(id))?;
        let changes = doc.history().map_err(NodeError::doc(id))?;
        self.lock().store.replace_history(id, &changes, upto)?;
        Ok(())
    }

    /// Check the database, load every document, and compare each with its
    /// index rows (and its history rows with its changes). Reads
    /// everything; meant for `loam check`, not start-up.
    pub fn check(&self) -> Result<CheckReport, NodeError> {
        let ids = {
            let state = self.lock();
            let mut report = CheckReport::default();
            for message in state.store.integrity_check()? {
                report.problems.push(CheckProblem::Database { message });
            }
            if !report.is_ok() {
                return Ok(report);
            }
            state.store.all_doc_ids()?
        };
        let mut report = CheckReport {
            docs: ids.len(),
            ..CheckReport::default()
        };
        {
            let state = self.lock();
            report.attachments = state.store.attachments()?.len();
            for message in state.store.check_attachments()? {
                report.problems.push(CheckProblem::Attachment { message });
            }
        }
        for id in ids {
            // One document at a time, so that the garden stays usable.
            let state = self.lock();
            let member = state.member;
            let chunks = state.store.load_chunks(id)?;
            let Some(rows) = state.store.index_rows(id)? else {
                continue;
            };
            drop(state);
            let loaded = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), member);
            let mut doc = match loaded {
                Ok(doc) => doc,
                Err(e) => {
                    report.problems.push(CheckProblem::Unloadable {
                        doc: id,
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let snap = doc.snapshot().map_err(NodeError::doc(id))?;
            let stored_text = self.lock().store.text(id)?.unwrap_or_default();
            if !self.history_agrees(id, &mut doc)? {
                report.problems.push(CheckProblem::IndexMismatch {
                    doc: id,
                    field: HISTORY.to_owned(),
                });
            }
            let analysis = loam_markdown::analyse(&snap.body);
            let mut tags: Vec<String> = snap
                .tags
                .iter()
                .chain(analysis.frontmatter.iter().flat_map(|f| f.tags.iter()))
                .chain(analysis.tags.iter())
                .map(|t| normalise_tag(t))
                .filter(|t| !t.is_empty())
                .collect();
            tags.sort();
            tags.dedup();
            let mut stored_tags = rows.tags.clone();
            stored_tags.sort();
            stored_tags.dedup();
            let links: Vec<(String, usize)> = analysis
                .links
                .iter()
                .map(|l| (normalise_title(&l.target), l.range.start))
                .collect();
            let stored_links: Vec<(String, usize)> = rows
                .links
                .iter()
                .map(|l| (normalise_title(&l.target), l.start))
                .collect();
            let row = &rows.row;
            let fields = [
                ("title", row.title == snap.title),
                ("kind", row.kind == snap.kind),
                ("folder", row.folder == snap.folder),
                ("path", row.path == snap.path),
                ("archived", row.archived == snap.archived),
                ("text", stored_text == snap.body),
                ("updated time", row.updated == snap.updated),
                ("tags", stored_tags == tags),
                ("links", stored_links == links),
            ];
            for (field, agrees) in fields {
                if !agrees {
                    report.problems.push(CheckProblem::IndexMismatch {
                        doc: id,
                        field: field.to_owned(),
                    });
                }
            }
        }
        Ok(report)
    }

    /// Whether `id`'s history rows (if complete: a document still waiting
    /// for them is not wrong) are its changes and their sessions.
    fn history_agrees(&self, id: DocId, doc: &mut NoteDoc) -> Result<bool, NodeError> {
        let (complete, mut stored, sessions) = {
            let state = self.lock();
            (
                state.store.history_complete(id)?,
                state.store.changes(id)?,
                state.store.sessions(id)?,
            )
        };
        if !complete {
            return Ok(true);
        }
        let mut changes = doc.history().map_err(NodeError::doc(id))?;
        let expected_sessions = loam_core::sessions(&changes);
        changes.sort_by_key(|c| c.hash);
        stored.sort_by_key(|c| c.hash);
        Ok(changes == stored && sessions == expected_sessions)
    }
}
