//! `loam check`: the database is sound, every document loads, the index
//! says what the documents say, and every attachment's bytes match their
//! hash.

use std::path::PathBuf;

use loam_core::{DocId, NoteDoc, check_chunk, normalise_tag, normalise_title, salvage_chunks};
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
    /// Documents with damaged chunks and what `repair` saved of each.
    pub salvaged: Vec<Salvaged>,
}

/// What `repair` saved of a document whose stored chunks do not all load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Salvaged {
    /// The document.
    pub doc: DocId,
    /// Its title, as the index has it.
    pub title: String,
    /// Chunks that loaded and were kept (merged into one save).
    pub kept: usize,
    /// Sequence numbers of the damaged chunks, dropped from the database.
    pub dropped: Vec<i64>,
    /// Copies of the dropped chunks (`quarantine/` beside the database).
    pub quarantined: Vec<PathBuf>,
    /// Changes lost because they build on a change only a damaged chunk held.
    pub stranded: usize,
    /// Whether the document loads again (else it is left as it was and its
    /// last indexed text is still readable).
    pub recovered: bool,
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
        let mut salvaged: Vec<Salvaged> = Vec::new();
        let mut done: Vec<(DocId, bool)> = Vec::new();
        for problem in &first.problems {
            if let CheckProblem::Unloadable { doc, .. } = problem {
                salvaged.push(self.salvage(*doc)?);
                continue;
            }
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
        report.salvaged = salvaged;
        Ok(report)
    }

    /// Save what loads of `id`'s chunks: copy each damaged chunk into
    /// `quarantine/` beside the database, then replace the chunks by one
    /// save of the rest and rewrite the index and history from it. A
    /// document of which nothing with Loam's fields loads is left as it was.
    fn salvage(&self, id: DocId) -> Result<Salvaged, NodeError> {
        let (chunks, member, title, dir) = {
            let state = self.lock();
            (
                state.store.load_chunks(id)?,
                state.member,
                state.store.doc(id)?.map(|r| r.title).unwrap_or_default(),
                state
                    .store
                    .path()
                    .and_then(|p| p.parent())
                    .map(|p| p.join("quarantine")),
            )
        };
        let salvage = salvage_chunks(chunks.iter().map(|c| c.bytes.as_slice()));
        let mut outcome = Salvaged {
            doc: id,
            title,
            kept: salvage.kept.len(),
            dropped: salvage
                .dropped
                .iter()
                .map(|(i, _)| chunks[*i].seq)
                .collect(),
            quarantined: Vec::new(),
            stranded: salvage.stranded,
            recovered: false,
        };
        if let Some(dir) = dir {
            for (i, _) in &salvage.dropped {
                let path = dir.join(format!("{id}-{}.chunk", chunks[*i].seq));
                std::fs::create_dir_all(&dir)
                    .and_then(|()| std::fs::write(&path, &chunks[*i].bytes))
                    .map_err(|source| NodeError::DataDir {
                        path: path.clone(),
                        source,
                    })?;
                outcome.quarantined.push(path);
            }
        }
        if salvage.save.is_empty() {
            return Ok(outcome);
        }
        let Ok(mut doc) = NoteDoc::load_chunks([salvage.save.as_slice()], member) else {
            return Ok(outcome);
        };
        let snapshot = doc.snapshot().map_err(NodeError::doc(id))?;
        {
            let mut state = self.lock();
            state.forget(&[id]);
            state.store.replace_chunks(id, &salvage.save, &snapshot)?;
        }
        self.rebuild_history(id)?;
        outcome.recovered = true;
        Ok(outcome)
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
            let damaged = chunks
                .iter()
                .find_map(|c| check_chunk(&c.bytes).err().map(|why| (c.seq, why)));
            if let Some((seq, why)) = damaged {
                report.problems.push(CheckProblem::Unloadable {
                    doc: id,
                    message: format!("its chunk {seq} is damaged: {why}"),
                });
                continue;
            }
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
