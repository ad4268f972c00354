//! Importing a folder of markdown files (an Obsidian vault, or any folder)
//! into a garden: [`Garden::import`].
//!
//! - Every `.md` file becomes a document: its folder path is the document's
//!   folder (`a/b`), its file name without `.md` the title (see
//!   [`loam_core::vault::title_from_file_stem`] for names a title cannot
//!   hold), and its text, byte for byte, the body (frontmatter, BOM, line
//!   endings and a missing final newline included). The document keeps the
//!   file's path, so that an export writes the same file.
//! - Pages and notes: the vault is a wiki, so every file becomes a page,
//!   except where a file name repeats (ignoring case) in other folders: then
//!   the one nearest the root (fewest folders, then the shortest path) is
//!   the page and the others are notes, kept apart by their folders. A bare
//!   `[[Name]]` then resolves to the page, and `[[folder/Name]]` to the note
//!   in that folder. A file whose title is taken by a page already in the
//!   garden becomes a note too. Frontmatter `loam-kind: note` (or `page`)
//!   overrides the rule.
//! - Every other file is an attachment, stored by the hash of its bytes
//!   (the same bytes once) with its path; those no note links to are
//!   imported too (Obsidian keeps them) and reported.
//! - Importing again is idempotent: a file whose bytes did not change since
//!   the last import changes nothing; a changed file becomes an edit of the
//!   text the last import wrote, merged with edits made in Loam since; new
//!   files are added; files are matched to documents by their path, never
//!   duplicated. Documents whose file is gone are reported, not deleted.
//! - Bad input is reported and skipped, never fatal: see [`SkipReason`].
//!
//! Writes go in batches of [`BATCH`] documents per transaction, without a
//! sync per file; each file is read and parsed once here (the store analyses
//! the text again for its index as it writes it).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use loam_core::vault::{self, markdown_stem, split_path, title_from_file_stem};
use loam_core::{ChangeHash, ContentHash, DocId, DocKind, NewDoc, normalise_title};
use loam_store::{ArchivedFilter, AttachmentWrite, AttachmentWritten, ImportedDoc, ListQuery};
use serde::Serialize;

use crate::attachments::{Candidate, file_link_paths};
use crate::garden::{ImportUpdate, UpdateOutcome};
use crate::vault_scan::{self, FoundFile, SkipReason, Skipped};
use crate::{Garden, NodeError, time};

/// Documents per transaction.
const BATCH: usize = 500;

/// Attachment bytes per transaction.
const ATTACHMENT_BATCH_BYTES: usize = 64 << 20;

/// The default size limit of an imported file: 50 MB.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 50_000_000;

/// How to import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOptions {
    /// Files larger than this many bytes are skipped and reported
    /// (attachments and notes alike).
    pub max_attachment_bytes: u64,
    /// Import notes that are not valid UTF-8 with U+FFFD (`�`) in place of
    /// the bad bytes, instead of skipping them.
    pub lossy: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            max_attachment_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            lossy: false,
        }
    }
}

/// What an import is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    /// Walking the folder; `done` counts files found.
    Scanning,
    /// Reading files and storing attachments; `done` of `total` files.
    Reading,
    /// Writing notes and pages; `done` of `total` notes and pages.
    Writing,
}

/// Progress, reported as the import goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportProgress {
    /// What it is doing.
    pub phase: ImportPhase,
    /// How far it is in this phase.
    pub done: usize,
    /// Out of how many (0 while scanning).
    pub total: usize,
    /// Notes and pages read so far.
    pub docs: usize,
    /// Attachments read so far.
    pub attachments: usize,
    /// Files and folders skipped so far.
    pub skipped: usize,
}

/// Why an imported file became a note rather than a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoteReason {
    /// Its file name repeats in another folder, and that file is the page.
    NameRepeats {
        /// The path of the file that is the page.
        page: String,
    },
    /// A page of the same title is in the garden already.
    PageExists {
        /// The page.
        page: DocId,
    },
    /// Its frontmatter says `loam-kind: note`.
    Frontmatter,
}

impl std::fmt::Display for NoteReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NameRepeats { page } => write!(f, "its name repeats; {page} is the page"),
            Self::PageExists { page } => write!(f, "a page of that title exists ({page})"),
            Self::Frontmatter => write!(f, "its frontmatter says `loam-kind: note`"),
        }
    }
}

/// A file imported as a note, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedAsNote {
    /// The file.
    pub path: String,
    /// Why it is not a page.
    pub reason: NoteReason,
}

/// A file whose title differs from its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenamedTitle {
    /// The file (its name is kept for export).
    pub path: String,
    /// The title shown.
    pub title: String,
}

/// A link in an imported note that resolves to nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedLink {
    /// The note's file.
    pub path: String,
    /// The note.
    pub doc: DocId,
    /// The link as written, e.g. `[[Missing#Part|alias]]`.
    pub link: String,
    /// What it names.
    pub target: String,
}

/// A document whose file is no longer in the folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFile {
    /// The path it was imported from.
    pub path: String,
    /// The document, kept.
    pub doc: DocId,
}

/// How many notes and pages an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocCounts {
    /// New documents.
    pub created: usize,
    /// Documents whose file changed: written as edits.
    pub updated: usize,
    /// Of the updated: documents edited in Loam since the last import, whose
    /// edits were merged with the file's.
    pub merged: usize,
    /// Files that changed nothing.
    pub unchanged: usize,
}

/// How many attachments an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AttachmentCounts {
    /// Attachments in the folder (imported).
    pub total: usize,
    /// Paths not stored before.
    pub new: usize,
    /// Stored paths whose bytes changed.
    pub updated: usize,
    /// Stored paths with the same bytes.
    pub unchanged: usize,
    /// New or updated attachments whose bytes were stored already (under
    /// another path): not stored again.
    pub deduplicated: usize,
    /// Bytes of attachments in the folder.
    pub bytes: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The folder imported.
    pub source: PathBuf,
    /// Notes among the imported markdown files.
    pub notes: usize,
    /// Pages among them.
    pub pages: usize,
    /// What was written.
    pub docs: DocCounts,
    /// Attachments.
    pub attachments: AttachmentCounts,
    /// Wikilinks and embeds in the imported notes and pages.
    pub links: usize,
    /// Of those, the ones that resolve to nothing, by note.
    pub unresolved: Vec<UnresolvedLink>,
    /// Attachments no note links to (imported all the same).
    pub unreferenced: Vec<String>,
    /// Files and folders left out, each with the reason.
    pub skipped: Vec<Skipped>,
    /// Files imported as notes rather than pages, and why.
    pub as_notes: Vec<ImportedAsNote>,
    /// Files whose title differs from their name (characters a title cannot
    /// hold); the name is kept for export.
    pub renamed: Vec<RenamedTitle>,
    /// Groups of paths that differ only in case (all imported).
    pub case_clashes: Vec<Vec<String>>,
    /// Notes that are not valid UTF-8, imported with `�` (lossy import).
    pub lossy: Vec<String>,
    /// Documents imported before whose file is gone: kept, not deleted.
    pub missing: Vec<MissingFile>,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
}

/// A markdown file, read.
struct NoteFile {
    path: String,
    title: String,
    text: String,
    hash: ContentHash,
    links: usize,
    kind_override: Option<DocKind>,
    /// The document that holds it already, if any.
    existing: Option<Existing>,
    /// Decided before writing (new documents only).
    kind: DocKind,
}

struct Existing {
    id: DocId,
    base: Option<Vec<ChangeHash>>,
    base_hash: Option<ContentHash>,
    /// Matched by the path it is exported to: give it the file's path.
    set_path: bool,
}

/// Attachments read and waiting to be stored.
#[derive(Default)]
struct AttachmentBatch {
    files: Vec<(String, ContentHash, Vec<u8>)>,
    bytes: usize,
}

/// The attachments found, by path and by link key.
#[derive(Default)]
struct AttachmentIndex {
    paths: HashSet<String>,
    /// Key → path, nearest the root first (then the first by path), as the
    /// store resolves them.
    keys: HashMap<String, String>,
}

impl Garden {
    /// Import the folder at `source` (see the module docs), reporting
    /// progress as it goes. Fails only when `source` is not a readable
    /// folder or the garden cannot be written; everything wrong with single
    /// files is in the report.
    pub fn import(
        &self,
        source: &Path,
        options: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport, NodeError> {
        let started = Instant::now();
        let mut report = ImportReport {
            source: source.to_owned(),
            ..ImportReport::default()
        };
        let mut tick = ImportProgress {
            phase: ImportPhase::Scanning,
            done: 0,
            total: 0,
            docs: 0,
            attachments: 0,
            skipped: 0,
        };
        let scan = vault_scan::scan(source, &mut |found| {
            progress(ImportProgress {
                done: found,
                ..tick
            })
        })?;
        report.skipped = scan.skipped;
        report.case_clashes = case_clashes(&scan.files);
        let known = self.lock().store.imported_docs()?;
        let attachment_index = index_attachments(&scan.files);

        // Read every file once: attachments are stored as they come, notes
        // are kept to decide pages and notes before writing.
        tick.phase = ImportPhase::Reading;
        tick.total = scan.files.len();
        tick.skipped = report.skipped.len();
        let mut notes: Vec<NoteFile> = Vec::new();
        let mut referenced: HashSet<String> = HashSet::new();
        let mut batch = AttachmentBatch::default();
        let mut attachment_paths: Vec<String> = Vec::new();
        for (i, file) in scan.files.iter().enumerate() {
            match read_file(file, options) {
                Err(reason) => report.skipped.push(Skipped {
                    path: file.path.clone(),
                    reason,
                }),
                Ok(bytes) if file.markdown => {
                    match self.read_note(file, bytes, options, &known, &mut report)? {
                        Ok((note, analysis)) => {
                            mark_referenced(&note, &analysis, &attachment_index, &mut referenced);
                            report.links += note.links;
                            notes.push(note);
                        }
                        Err(reason) => report.skipped.push(Skipped {
                            path: file.path.clone(),
                            reason,
                        }),
                    }
                }
                Ok(bytes) => {
                    let hash = ContentHash::of(&bytes);
                    report.attachments.total += 1;
                    report.attachments.bytes += bytes.len() as u64;
                    attachment_paths.push(file.path.clone());
                    batch.bytes += bytes.len();
                    batch.files.push((file.path.clone(), hash, bytes));
                    if batch.bytes >= ATTACHMENT_BATCH_BYTES {
                        self.store_attachments(std::mem::take(&mut batch), &mut report)?;
                    }
                }
            }
            tick.done = i + 1;
            tick.docs = notes.len();
            tick.attachments = report.attachments.total;
            tick.skipped = report.skipped.len();
            progress(tick);
        }
        self.store_attachments(batch, &mut report)?;

        self.decide_kinds(&mut notes, &mut report)?;
        for note in &notes {
            if note.title != file_stem(&note.path) {
                report.renamed.push(RenamedTitle {
                    path: note.path.clone(),
                    title: note.title.clone(),
                });
            }
        }

        tick.phase = ImportPhase::Writing;
        tick.total = notes.len();
        tick.done = 0;
        progress(tick);
        let ids = self.write_notes(&mut notes, &mut report, &mut |done| {
            progress(ImportProgress { done, ..tick })
        })?;

        // What the imported notes link to, now that all are stored.
        let by_id: HashMap<DocId, &str> = notes
            .iter()
            .zip(&ids)
            .map(|(note, id)| (*id, note.path.as_str()))
            .collect();
        for broken in self.lock().store.broken_links()? {
            if let Some(path) = by_id.get(&broken.source.id) {
                report.unresolved.push(UnresolvedLink {
                    path: (*path).to_owned(),
                    doc: broken.source.id,
                    link: written_link(&broken.link),
                    target: broken.link.target.clone(),
                });
            }
        }
        report.unresolved.sort_by(|a, b| a.path.cmp(&b.path));
        report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        report.unreferenced = attachment_paths
            .into_iter()
            .filter(|p| !referenced.contains(p))
            .collect();
        let seen: HashSet<&str> = scan
            .files
            .iter()
            .map(|f| f.path.as_str())
            .chain(report.skipped.iter().map(|s| s.path.as_str()))
            .collect();
        let mut missing: Vec<MissingFile> = known
            .iter()
            .filter(|(path, doc)| !seen.contains(path.as_str()) && doc.base.is_some())
            .map(|(path, doc)| MissingFile {
                path: path.clone(),
                doc: doc.id,
            })
            .collect();
        missing.sort_by(|a, b| a.path.cmp(&b.path));
        report.missing = missing;
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// Read one markdown file's text: `Err` with the reason to skip it.
    #[allow(clippy::type_complexity)]
    fn read_note(
        &self,
        file: &FoundFile,
        bytes: Vec<u8>,
        options: &ImportOptions,
        known: &HashMap<String, ImportedDoc>,
        report: &mut ImportReport,
    ) -> Result<Result<(NoteFile, loam_markdown::Analysis), SkipReason>, NodeError> {
        let hash = ContentHash::of(&bytes);
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) if options.lossy => {
                report.lossy.push(file.path.clone());
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
            Err(_) => return Ok(Err(SkipReason::NotUtf8)),
        };
        let analysis = loam_markdown::analyse(&text);
        let kind_override = analysis
            .frontmatter
            .as_ref()
            .and_then(|fm| text.get(fm.range.clone()))
            .and_then(kind_in_frontmatter);
        let existing = match known.get(&file.path) {
            Some(doc) => Some(Existing {
                id: doc.id,
                base: doc.base.as_ref().and_then(|b| parse_heads(&b.heads)),
                base_hash: doc.base.as_ref().map(|b| b.hash),
                set_path: false,
            }),
            None => self
                .lock()
                .store
                .docs_exported_as(&file.path)?
                .first()
                .map(|id| Existing {
                    id: *id,
                    base: None,
                    base_hash: None,
                    set_path: true,
                }),
        };
        let title = title_from_file_stem(file_stem(&file.path));
        Ok(Ok((
            NoteFile {
                path: file.path.clone(),
                title,
                text,
                hash,
                links: analysis.links.len(),
                kind_override,
                existing,
                kind: DocKind::Page,
            },
            analysis,
        )))
    }

    /// Store a batch of attachments, counting what happened.
    fn store_attachments(
        &self,
        batch: AttachmentBatch,
        report: &mut ImportReport,
    ) -> Result<(), NodeError> {
        if batch.files.is_empty() {
            return Ok(());
        }
        let now = time::now();
        let mut state = self.lock();
        // Bytes stored before this batch, or earlier in it, are not stored
        // again.
        let mut seen: HashSet<ContentHash> = HashSet::new();
        let mut stored_before = Vec::with_capacity(batch.files.len());
        for (_, hash, _) in &batch.files {
            stored_before.push(seen.contains(hash) || state.store.has_blob(*hash)?);
            seen.insert(*hash);
        }
        let writes: Vec<AttachmentWrite<'_>> = batch
            .files
            .iter()
            .map(|(path, hash, bytes)| AttachmentWrite {
                path,
                hash: *hash,
                bytes,
                now,
            })
            .collect();
        let outcomes = state.store.write_attachments(&writes)?;
        let counts = &mut report.attachments;
        for (outcome, before) in outcomes.into_iter().zip(stored_before) {
            match outcome {
                AttachmentWritten::New => counts.new += 1,
                AttachmentWritten::Updated => counts.updated += 1,
                AttachmentWritten::Unchanged => counts.unchanged += 1,
            }
            if before && outcome != AttachmentWritten::Unchanged {
                counts.deduplicated += 1;
            }
        }
        Ok(())
    }

    /// Decide which new documents are pages (see the module docs).
    fn decide_kinds(
        &self,
        notes: &mut [NoteFile],
        report: &mut ImportReport,
    ) -> Result<(), NodeError> {
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, note) in notes.iter().enumerate() {
            groups
                .entry(normalise_title(&note.title))
                .or_default()
                .push(i);
        }
        let mut keys: Vec<&String> = groups.keys().collect();
        keys.sort();
        for key in keys {
            let mut group = groups[key].clone();
            if group.iter().all(|&i| notes[i].existing.is_some()) {
                continue;
            }
            // Explicit pages first, then nearest the root.
            let rank = |n: &NoteFile| {
                (
                    n.kind_override != Some(DocKind::Page),
                    n.path.matches('/').count(),
                    n.path.len(),
                    n.path.clone(),
                )
            };
            group.sort_by_key(|&i| rank(&notes[i]));
            let existing_page = self
                .lock()
                .store
                .pages_titled(&notes[group[0]].title)?
                .into_iter()
                .next();
            let in_group = |id: DocId| {
                group
                    .iter()
                    .any(|&i| notes[i].existing.as_ref().map(|e| e.id) == Some(id))
            };
            // A page of this name among the files imported before, or
            // elsewhere in the garden.
            let mut page: Option<String> = None;
            let mut other_page: Option<DocId> = None;
            if let Some(row) = &existing_page {
                if in_group(row.id) {
                    page = Some(row.path.clone());
                } else {
                    other_page = Some(row.id);
                }
            }
            for i in group {
                let note = &mut notes[i];
                if note.existing.is_some() {
                    continue;
                }
                let reason = if note.kind_override == Some(DocKind::Note) {
                    Some(NoteReason::Frontmatter)
                } else if let Some(page) = other_page {
                    Some(NoteReason::PageExists { page })
                } else {
                    page.clone().map(|page| NoteReason::NameRepeats { page })
                };
                match reason {
                    Some(reason) => {
                        note.kind = DocKind::Note;
                        report.as_notes.push(ImportedAsNote {
                            path: note.path.clone(),
                            reason,
                        });
                    }
                    None => {
                        note.kind = DocKind::Page;
                        page = Some(note.path.clone());
                    }
                }
            }
        }
        report.as_notes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(())
    }

    /// Write the notes: known ones updated, new ones created, in batches.
    /// Returns each note's document, in order.
    fn write_notes(
        &self,
        notes: &mut [NoteFile],
        report: &mut ImportReport,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<DocId>, NodeError> {
        let mut ids: Vec<Option<DocId>> = vec![None; notes.len()];
        let mut done = 0;
        let known: Vec<usize> = (0..notes.len())
            .filter(|&i| notes[i].existing.is_some())
            .collect();
        for chunk in known.chunks(BATCH) {
            let mut writes = Vec::new();
            for &i in chunk {
                let note = &notes[i];
                let Some(existing) = &note.existing else {
                    continue;
                };
                ids[i] = Some(existing.id);
                if existing.base_hash == Some(note.hash) {
                    report.docs.unchanged += 1;
                    continue;
                }
                writes.push(ImportUpdate {
                    id: existing.id,
                    text: note.text.clone(),
                    hash: note.hash,
                    base: existing.base.clone(),
                    path: existing.set_path.then(|| note.path.clone()),
                });
            }
            if !writes.is_empty() {
                for outcome in self.import_updates(&writes)? {
                    match outcome {
                        UpdateOutcome::Unchanged => report.docs.unchanged += 1,
                        UpdateOutcome::Updated { merged } => {
                            report.docs.updated += 1;
                            report.docs.merged += usize::from(merged);
                        }
                    }
                }
            }
            done += chunk.len();
            progress(done);
        }
        let new: Vec<usize> = (0..notes.len())
            .filter(|&i| notes[i].existing.is_none())
            .collect();
        for chunk in new.chunks(BATCH) {
            let mut docs = Vec::with_capacity(chunk.len());
            let mut hashes = Vec::with_capacity(chunk.len());
            for &i in chunk {
                let note = &mut notes[i];
                let (folder, _) = split_path(&note.path);
                docs.push(NewDoc {
                    kind: note.kind,
                    title: note.title.clone(),
                    body: std::mem::take(&mut note.text),
                    tags: Vec::new(),
                    folder: folder.to_owned(),
                    path: note.path.clone(),
                });
                hashes.push(note.hash);
            }
            let created = self.create_docs(docs, &hashes)?;
            for (&i, id) in chunk.iter().zip(created) {
                ids[i] = Some(id);
            }
            report.docs.created += chunk.len();
            done += chunk.len();
            progress(done);
        }
        let ids: Vec<DocId> = ids.into_iter().flatten().collect();
        // Count kinds as they are in the garden now.
        let everything = ListQuery {
            archived: ArchivedFilter::Include,
            ..ListQuery::default()
        };
        let kinds: HashMap<DocId, DocKind> = self
            .list(&everything)?
            .into_iter()
            .map(|row| (row.id, row.kind))
            .collect();
        for id in &ids {
            match kinds.get(id) {
                Some(DocKind::Page) => report.pages += 1,
                Some(DocKind::Note) => report.notes += 1,
                None => {}
            }
        }
        Ok(ids)
    }
}

/// Read `file`'s bytes, or the reason to skip it.
fn read_file(file: &FoundFile, options: &ImportOptions) -> Result<Vec<u8>, SkipReason> {
    let limit = options.max_attachment_bytes;
    let too_large = |size: u64| SkipReason::TooLarge { size, limit };
    if file.size > limit {
        return Err(too_large(file.size));
    }
    let bytes = std::fs::read(&file.full).map_err(|e| SkipReason::Unreadable {
        error: e.to_string(),
    })?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The file name of `path` without `.md`.
fn file_stem(path: &str) -> &str {
    let (_, name) = split_path(path);
    markdown_stem(name).unwrap_or(name)
}

fn parse_heads(heads: &[String]) -> Option<Vec<ChangeHash>> {
    heads.iter().map(|h| h.parse().ok()).collect()
}

/// `loam-kind: note` or `page` in a frontmatter block, if there.
fn kind_in_frontmatter(block: &str) -> Option<DocKind> {
    block.lines().find_map(|line| {
        let value = line.trim().strip_prefix("loam-kind:")?;
        DocKind::parse(
            value
                .trim()
                .trim_matches(['"', '\''])
                .to_lowercase()
                .as_str(),
        )
    })
}

/// The link as it would be written: `![[target#heading|alias]]`.
fn written_link(link: &loam_store::LinkRow) -> String {
    let mut out = String::from(if link.embed { "![[" } else { "[[" });
    out.push_str(&link.target);
    if let Some(heading) = &link.heading {
        out.push('#');
        out.push_str(heading);
    }
    if let Some(alias) = &link.alias {
        out.push('|');
        out.push_str(alias);
    }
    out.push_str("]]");
    out
}

/// Groups of found paths that differ only in case.
fn case_clashes(files: &[FoundFile]) -> Vec<Vec<String>> {
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    for file in files {
        by_key
            .entry(file.path.to_lowercase())
            .or_default()
            .push(file.path.clone());
    }
    let mut clashes: Vec<Vec<String>> = by_key.into_values().filter(|g| g.len() > 1).collect();
    for group in &mut clashes {
        group.sort();
    }
    clashes.sort();
    clashes
}

/// The attachments found, with their link keys.
fn index_attachments(files: &[FoundFile]) -> AttachmentIndex {
    let mut index = AttachmentIndex::default();
    let rank = |p: &str| (p.matches('/').count(), p.to_owned());
    for file in files.iter().filter(|f| !f.markdown) {
        index.paths.insert(file.path.clone());
        for key in vault::path_keys(&file.path) {
            let better = index
                .keys
                .get(&key)
                .is_none_or(|current| rank(&file.path) < rank(current));
            if better {
                index.keys.insert(key, file.path.clone());
            }
        }
    }
    index
}

/// Mark the attachments `note` links to, by wikilink or markdown link.
fn mark_referenced(
    note: &NoteFile,
    analysis: &loam_markdown::Analysis,
    index: &AttachmentIndex,
    referenced: &mut HashSet<String>,
) {
    for link in &analysis.links {
        if let Some(path) = index.keys.get(&normalise_title(&link.target)) {
            referenced.insert(path.clone());
        }
    }
    let (folder, _) = split_path(&note.path);
    for link in &analysis.file_links {
        let found = file_link_paths(folder, &link.path)
            .into_iter()
            .find_map(|candidate| match candidate {
                Candidate::Exact(path) => index.paths.contains(&path).then_some(path),
                Candidate::Key(key) => index.keys.get(&key).cloned(),
            });
        if let Some(path) = found {
            referenced.insert(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_in_frontmatter() {
        let check = |block: &str, kind: Option<DocKind>| {
            assert_eq!(kind_in_frontmatter(block), kind, "{block}");
        };
        check("---\nloam-kind: note\n---\n", Some(DocKind::Note));
        check(
            "---\ntags: [a]\nloam-kind: \"Page\"\n---\n",
            Some(DocKind::Page),
        );
        check("---\nloam-kind: other\n---\n", None);
        check("---\ntitle: x\n---\n", None);
    }

    #[test]
    fn links_as_written() {
        let link = loam_store::LinkRow {
            target: "Note".into(),
            heading: Some("Part".into()),
            alias: Some("see".into()),
            embed: true,
            start: 0,
            end: 0,
        };
        assert_eq!(written_link(&link), "![[Note#Part|see]]");
    }
}
