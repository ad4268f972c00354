//! Attachments as the app sees them: their bytes by hash (what the desktop
//! shell serves for a `loam://attachment/<hash>` URL), and how a markdown
//! link in a note (`![](img/pic.png)`) finds one.
//!
//! A markdown link's destination is tried the way Obsidian tries it:
//! relative to the note's folder, then from the root of the imported
//! folder, then as a file name or path ending anywhere (nearest the root
//! first), ignoring case.

use loam_core::ContentHash;
use loam_store::{AttachmentRow, Store};

use crate::{Garden, NodeError};

/// The start of the URL previews use for an attachment:
/// `loam://attachment/<sha-256 hex>`.
pub const ATTACHMENT_URL_PREFIX: &str = "loam://attachment/";

/// The URL of the attachment with this hash.
pub fn attachment_url(hash: ContentHash) -> String {
    format!("{ATTACHMENT_URL_PREFIX}{hash}")
}

/// Where to look for the file a markdown link names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Candidate {
    /// Exactly this path.
    Exact(String),
    /// A file whose name or path ending is this key (normalised).
    Key(String),
}

/// The places to look for `dest` (decoded, as in
/// [`loam_markdown::FileLink::path`]) linked from a note in `folder`, in
/// order.
pub(crate) fn file_link_paths(folder: &str, dest: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    let relative = if folder.is_empty() {
        dest.to_owned()
    } else {
        format!("{folder}/{dest}")
    };
    for path in [relative.as_str(), dest.trim_start_matches('/')] {
        if let Some(path) = normalise_path(path) {
            let candidate = Candidate::Exact(path);
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    let tail: Vec<&str> = dest
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    if !tail.is_empty() {
        out.push(Candidate::Key(loam_core::normalise_title(&tail.join("/"))));
    }
    out
}

/// `path` with `.` and `..` segments resolved; `None` if it leaves the root.
fn normalise_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The attachment a markdown link to `dest` from a note in `folder` names.
pub(crate) fn find_for_file_link(
    store: &Store,
    folder: &str,
    dest: &str,
) -> Result<Option<AttachmentRow>, NodeError> {
    for candidate in file_link_paths(folder, dest) {
        let found = match candidate {
            Candidate::Exact(path) => store.attachment(&path)?,
            Candidate::Key(key) => store.find_attachment(&key)?,
        };
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

impl Garden {
    /// The bytes of the attachment with this hash, `None` if none is stored.
    pub fn attachment(&self, hash: ContentHash) -> Result<Option<Vec<u8>>, NodeError> {
        Ok(self.lock().store.blob(hash)?)
    }

    /// Every attachment (without its bytes), by path.
    pub fn attachments(&self) -> Result<Vec<AttachmentRow>, NodeError> {
        Ok(self.lock().store.attachments()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_a_markdown_link_looks() {
        let check = |folder: &str, dest: &str, expected: &[&str]| {
            let shown: Vec<String> = file_link_paths(folder, dest)
                .into_iter()
                .map(|c| match c {
                    Candidate::Exact(p) => format!("={p}"),
                    Candidate::Key(k) => format!("~{k}"),
                })
                .collect();
            assert_eq!(shown, expected, "{folder} {dest}");
        };
        check("", "img/Pic.png", &["=img/Pic.png", "~img/pic.png"]);
        check(
            "notes",
            "img/Pic.png",
            &["=notes/img/Pic.png", "=img/Pic.png", "~img/pic.png"],
        );
        check("a/b", "../pic.png", &["=a/pic.png", "~pic.png"]);
        check("", "../outside.png", &["~outside.png"]);
        check("a", "/root.png", &["=a/root.png", "=root.png", "~root.png"]);
    }
}
