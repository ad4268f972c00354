//! Walking a folder to import: which files are notes (`.md`), which are
//! attachments (everything else), and what is left out, and why.
//!
//! Left out, each reported once (a skipped folder is not walked):
//! `.obsidian/` (Obsidian's settings), `.git/`, `.trash/` (Obsidian's
//! trash), any other hidden file or folder (a name starting with `.`),
//! names that are not UTF-8, things that are not files (named pipes,
//! sockets, devices: reading a pipe would wait forever), links to nothing,
//! and links back to a folder already walked.
//!
//! Symbolic links are followed, to files and to folders, also outside the
//! imported folder (whoever put the link there wants what it points at);
//! every folder is walked at most once, by its canonical path, so a link
//! loop ends the first time round. Entries are walked in name order, so
//! two imports of the same folder see the same order.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::NodeError;

/// Folders never imported, with what they are.
const IGNORED_FOLDERS: [(&str, &str); 3] = [
    (".obsidian", "Obsidian's settings folder"),
    (".git", "a git repository's data"),
    (".trash", "Obsidian's trash"),
];

/// A file found to import.
#[derive(Debug, Clone)]
pub(crate) struct FoundFile {
    /// Relative to the imported folder, `/`-separated.
    pub path: String,
    /// Where to read it.
    pub full: PathBuf,
    /// Its size in bytes when found.
    pub size: u64,
    /// A note (`.md`) rather than an attachment.
    pub markdown: bool,
}

/// A file or folder that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Relative to the imported folder, `/`-separated (a name that is not
    /// UTF-8 is shown with `�`).
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why a file or folder was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// `.obsidian/`, `.git/` or `.trash/`.
    Ignored {
        /// What the folder is.
        what: &'static str,
    },
    /// A name starting with `.`.
    Hidden {
        /// A folder rather than a file.
        folder: bool,
    },
    /// A name that is not valid UTF-8.
    NameNotUtf8,
    /// A named pipe, socket or device.
    NotAFile,
    /// A symbolic link to a folder walked already (a loop, or a second
    /// way to the same folder).
    SymlinkLoop {
        /// The folder it leads to.
        target: String,
    },
    /// It could not be read (a link to nothing, no permission, ...).
    Unreadable {
        /// What the system said.
        error: String,
    },
    /// A note that is not valid UTF-8 text (and the import was not lossy).
    NotUtf8,
    /// Larger than the import's size limit.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ignored { what } => write!(f, "{what}"),
            Self::Hidden { folder: true } => write!(f, "a hidden folder"),
            Self::Hidden { folder: false } => write!(f, "a hidden file"),
            Self::NameNotUtf8 => write!(f, "its name is not valid UTF-8"),
            Self::NotAFile => write!(f, "not a file (a named pipe, socket or device)"),
            Self::SymlinkLoop { target } => {
                write!(f, "a link to a folder imported already ({target})")
            }
            Self::Unreadable { error } => write!(f, "cannot be read: {error}"),
            Self::NotUtf8 => write!(
                f,
                "not valid UTF-8 text; a lossy import keeps it with � in place of the bad bytes"
            ),
            Self::TooLarge { size, limit } => write!(
                f,
                "{} is over the {} limit",
                human_size(*size),
                human_size(*limit)
            ),
        }
    }
}

/// `bytes` for people: `73.4 MB`, `512 KB`, `12 bytes` (decimal units, as
/// file managers show them).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let value = bytes as f64 / unit as f64;
            return if value >= 100.0 || value.fract() < 0.05 {
                format!("{value:.0} {name}")
            } else {
                format!("{value:.1} {name}")
            };
        }
    }
    if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Files to import, in walk order.
    pub files: Vec<FoundFile>,
    /// What was left out.
    pub skipped: Vec<Skipped>,
}

/// Walk `root`, calling `found` with the number of files found so far after
/// each folder.
pub(crate) fn scan(root: &Path, found: &mut dyn FnMut(usize)) -> Result<Scan, NodeError> {
    let source_error = |reason: String| NodeError::ImportSource {
        path: root.to_owned(),
        reason,
    };
    let meta = fs::metadata(root).map_err(|e| source_error(e.to_string()))?;
    if !meta.is_dir() {
        return Err(source_error("not a folder".to_owned()));
    }
    let canonical = fs::canonicalize(root).map_err(|e| source_error(e.to_string()))?;
    let mut visited: HashSet<PathBuf> = HashSet::from([canonical]);
    let mut scan = Scan::default();
    // Folders still to walk: (on disk, relative path), popped in name order.
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = match read_sorted(&dir) {
            Ok(entries) => entries,
            Err(error) if prefix.is_empty() => return Err(source_error(error.to_string())),
            Err(error) => {
                scan.skipped.push(Skipped {
                    path: prefix.clone(),
                    reason: SkipReason::Unreadable {
                        error: error.to_string(),
                    },
                });
                continue;
            }
        };
        let mut subfolders = Vec::new();
        for entry in entries {
            let name_os = entry.file_name();
            let shown = name_os.to_string_lossy();
            let path = join(&prefix, &shown);
            let skip = |reason| Skipped {
                path: path.clone(),
                reason,
            };
            let Some(name) = name_os.to_str() else {
                scan.skipped.push(skip(SkipReason::NameNotUtf8));
                continue;
            };
            let full = entry.path();
            let meta = match fs::metadata(&full) {
                Ok(meta) => meta,
                Err(error) => {
                    scan.skipped.push(skip(SkipReason::Unreadable {
                        error: describe(&full, &error),
                    }));
                    continue;
                }
            };
            if name.starts_with('.') {
                let ignored = IGNORED_FOLDERS.iter().find(|(n, _)| *n == name);
                scan.skipped.push(skip(match ignored {
                    Some((_, what)) if meta.is_dir() => SkipReason::Ignored { what },
                    _ => SkipReason::Hidden {
                        folder: meta.is_dir(),
                    },
                }));
                continue;
            }
            if meta.is_dir() {
                let canonical = match fs::canonicalize(&full) {
                    Ok(canonical) => canonical,
                    Err(error) => {
                        scan.skipped.push(skip(SkipReason::Unreadable {
                            error: error.to_string(),
                        }));
                        continue;
                    }
                };
                if visited.contains(&canonical) {
                    scan.skipped.push(skip(SkipReason::SymlinkLoop {
                        target: canonical.display().to_string(),
                    }));
                    continue;
                }
                visited.insert(canonical);
                subfolders.push((full, path));
            } else if meta.is_file() {
                scan.files.push(FoundFile {
                    markdown: loam_core::vault::is_markdown_file(name),
                    path,
                    full,
                    size: meta.len(),
                });
            } else {
                scan.skipped.push(skip(SkipReason::NotAFile));
            }
        }
        // Walked depth first, in name order: push in reverse.
        stack.extend(subfolders.into_iter().rev());
        found(scan.files.len());
    }
    Ok(scan)
}

/// The entries of `dir`, by name.
fn read_sorted(dir: &Path) -> std::io::Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    Ok(entries)
}

/// Why `full` cannot be read, saying so when it is a link to nothing.
fn describe(full: &Path, error: &std::io::Error) -> String {
    match fs::read_link(full) {
        Ok(target) if error.kind() == std::io::ErrorKind::NotFound => {
            format!("a link to {}, which does not exist", target.display())
        }
        _ => error.to_string(),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        let check = |bytes: u64, expected: &str| assert_eq!(human_size(bytes), expected);
        check(0, "0 bytes");
        check(1, "1 byte");
        check(999, "999 bytes");
        check(1_000, "1 KB");
        check(1_500, "1.5 KB");
        check(52_428_800, "52.4 MB");
        check(50_000_000, "50 MB");
        check(73_400_000, "73.4 MB");
        check(250_000_000, "250 MB");
        check(3_000_000_000, "3 GB");
    }
}
