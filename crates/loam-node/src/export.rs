//! Exporting a garden as a folder of markdown files that Obsidian opens as
//! a vault: [`Garden::export`].
//!
//! - An imported document is written to the path it came from, byte for
//!   byte as its text is now: an import followed by an export gives back
//!   every file unchanged (frontmatter, wikilinks, line endings included).
//!   A document renamed or moved in Loam since goes to its new place.
//! - A document created in Loam is written as `<folder>/<title>.md`, the
//!   name made safe for every common file system
//!   ([`loam_core::vault::safe_file_name`]); tags set on it in Loam (not in
//!   its text) become a frontmatter `tags:` list when the text has no
//!   frontmatter of its own (otherwise they are reported, not written).
//! - Two documents that would share a file get ` (2)`, ` (3)`, ... before
//!   the extension, imported ones keeping their own names first.
//! - Attachments go back to the paths they were imported from.
//! - Archived documents are left out unless asked for.
//!
//! The target folder must be empty or new, unless overwriting is allowed:
//! then files of the same name are overwritten and the others left alone.
//! Everything is read from the index and the stored text: an export loads
//! no Automerge document. Files are not synced to disk one by one.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use loam_core::vault::{self, is_safe_relative_path};
use loam_core::{DocId, DocKind};
use loam_store::{ArchivedFilter, DocRow, ListQuery, Sort};
use serde::Serialize;

use crate::{Garden, NodeError};

/// How to export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportOptions {
    /// Write into a folder that is not empty (files of the same name are
    /// overwritten, the others left alone).
    pub force: bool,
    /// Export archived documents too.
    pub archived: bool,
}

/// A document written differently from how it is shown in Loam.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedAs {
    /// The document.
    pub doc: DocId,
    /// Its title.
    pub title: String,
    /// The file written, relative to the target folder.
    pub path: String,
    /// What differs.
    pub reason: ExportNote,
}

/// How an exported file differs from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExportNote {
    /// The title holds characters a file name cannot: the name differs.
    UnsafeTitle,
    /// Another document has that file name: a number was added.
    NameTaken,
    /// Tags set in Loam are not written (the text has frontmatter of its
    /// own).
    TagsNotWritten,
}

impl std::fmt::Display for ExportNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::UnsafeTitle => "its title holds characters a file name cannot",
            Self::NameTaken => "another note has that file name",
            Self::TagsNotWritten => {
                "its tags set in Loam are not written: its frontmatter is its own"
            }
        })
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// The folder written.
    pub target: PathBuf,
    /// Notes written.
    pub notes: usize,
    /// Pages written.
    pub pages: usize,
    /// Attachments written.
    pub attachments: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Documents written differently from how Loam shows them, and how.
    pub renamed: Vec<ExportedAs>,
    /// Attachments not written: an unsafe stored path, or one taken.
    pub skipped_attachments: Vec<String>,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
}

impl Garden {
    /// Write the garden into the folder `target` (see the module docs).
    pub fn export(
        &self,
        target: &Path,
        options: &ExportOptions,
    ) -> Result<ExportReport, NodeError> {
        let started = Instant::now();
        prepare_target(target, options.force)?;
        let mut report = ExportReport {
            target: target.to_owned(),
            ..ExportReport::default()
        };
        let rows = self.list(&ListQuery {
            archived: if options.archived {
                ArchivedFilter::Include
            } else {
                ArchivedFilter::Exclude
            },
            sort: Sort::Created,
            ..ListQuery::default()
        })?;
        // Imported documents keep their own names first.
        let (own, made): (Vec<DocRow>, Vec<DocRow>) = rows
            .into_iter()
            .partition(|row| vault::file_path(&row.folder, &row.title, &row.path) == row.path);
        let mut used: HashSet<String> = HashSet::new();
        let mut writer = Writer::new(target);
        for row in own.iter().chain(&made) {
            let wanted = vault::file_path(&row.folder, &row.title, &row.path);
            let path = free_name(&wanted, &mut used);
            let Some(mut text) = self.lock().store.text(row.id)? else {
                continue;
            };
            let mut note = None;
            if path != wanted {
                note = Some(ExportNote::NameTaken);
            } else if row.path.is_empty() && !title_is_file_name(&path, &row.title) {
                note = Some(ExportNote::UnsafeTitle);
            }
            let own_tags = tags_set_in_loam(row, &text);
            if !own_tags.is_empty() {
                match with_tags(&text, &own_tags) {
                    Some(tagged) => text = tagged,
                    None => note = Some(ExportNote::TagsNotWritten),
                }
            }
            if let Some(reason) = note {
                report.renamed.push(ExportedAs {
                    doc: row.id,
                    title: row.title.clone(),
                    path: path.clone(),
                    reason,
                });
            }
            writer.write(&path, text.as_bytes())?;
            report.bytes += text.len() as u64;
            match row.kind {
                DocKind::Page => report.pages += 1,
                DocKind::Note => report.notes += 1,
            }
        }
        for attachment in self.attachments()? {
            if !is_safe_relative_path(&attachment.path) || !used.insert(attachment.path.clone()) {
                report.skipped_attachments.push(attachment.path);
                continue;
            }
            let Some(bytes) = self.attachment(attachment.hash)? else {
                report.skipped_attachments.push(attachment.path);
                continue;
            };
            writer.write(&attachment.path, &bytes)?;
            report.bytes += bytes.len() as u64;
            report.attachments += 1;
        }
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }
}

/// The tags set on the document in Loam, not written in its text: the
/// index's tags (which merge both) minus those of the text.
fn tags_set_in_loam(row: &DocRow, text: &str) -> Vec<String> {
    if row.tags.is_empty() {
        return Vec::new();
    }
    let in_text: HashSet<String> = loam_markdown::analyse(text)
        .all_tags()
        .iter()
        .map(|t| loam_core::normalise_tag(t))
        .collect();
    row.tags
        .iter()
        .filter(|t| !in_text.contains(*t))
        .cloned()
        .collect()
}

/// Make sure `target` is a folder Loam may write into.
fn prepare_target(target: &Path, force: bool) -> Result<(), NodeError> {
    let io = |source| NodeError::Export {
        path: target.to_owned(),
        source,
    };
    match fs::read_dir(target) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(NodeError::ExportNotEmpty {
                    path: target.to_owned(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(target).map_err(io)
        }
        Err(e) => Err(io(e)),
    }
}

/// `wanted`, or `wanted` with ` (2)`, ` (3)`, ... before its extension if
/// taken; marked as taken.
fn free_name(wanted: &str, used: &mut HashSet<String>) -> String {
    if used.insert(wanted.to_owned()) {
        return wanted.to_owned();
    }
    let (_, name) = vault::split_path(wanted);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            (&wanted[..wanted.len() - ext.len() - 1], format!(".{ext}"))
        }
        _ => (wanted, String::new()),
    };
    let mut n = 2;
    loop {
        let candidate = format!("{stem} ({n}){ext}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// Whether the file at `path` is named exactly `title` + `.md`.
fn title_is_file_name(path: &str, title: &str) -> bool {
    let (_, name) = vault::split_path(path);
    vault::markdown_stem(name) == Some(title)
}

/// `text` with a frontmatter block listing `tags` in front, or `None` when
/// it starts with a frontmatter block of its own.
fn with_tags(text: &str, tags: &[String]) -> Option<String> {
    if text.starts_with("---") {
        return None;
    }
    let mut out = String::from("---\ntags:\n");
    for tag in tags {
        out.push_str("  - ");
        out.push_str(&yaml_scalar(tag));
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(text);
    Some(out)
}

/// A tag as a YAML scalar: quoted unless it is plainly a word.
fn yaml_scalar(tag: &str) -> String {
    let plain = !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/'));
    if plain {
        tag.to_owned()
    } else {
        format!("\"{}\"", tag.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Writes files under the target folder, creating each folder once.
struct Writer {
    root: PathBuf,
    made: HashSet<String>,
}

impl Writer {
    fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            made: HashSet::new(),
        }
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), NodeError> {
        let (folder, _) = vault::split_path(path);
        if !folder.is_empty() && !self.made.contains(folder) {
            let dir = self.root.join(folder);
            fs::create_dir_all(&dir).map_err(|source| NodeError::Export { path: dir, source })?;
            self.made.insert(folder.to_owned());
        }
        let full = self.root.join(path);
        fs::write(&full, bytes).map_err(|source| NodeError::Export { path: full, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_names_get_a_number() {
        let mut used = HashSet::new();
        let mut check = |wanted: &str, expected: &str| {
            assert_eq!(free_name(wanted, &mut used), expected);
        };
        check("a/Idea.md", "a/Idea.md");
        check("a/Idea.md", "a/Idea (2).md");
        check("a/Idea.md", "a/Idea (3).md");
        check("v1.0/README", "v1.0/README");
        check("v1.0/README", "v1.0/README (2)");
    }

    #[test]
    fn tags_set_in_loam_become_frontmatter() {
        assert_eq!(
            with_tags("Body\n", &["soil".into(), "a b".into()]).unwrap(),
            "---\ntags:\n  - soil\n  - \"a b\"\n---\nBody\n"
        );
        assert_eq!(
            with_tags("---\ntitle: x\n---\nBody", &["soil".into()]),
            None
        );
    }
}
