//! How a document maps to a file in a markdown folder (an Obsidian vault),
//! and back.
//!
//! An imported document keeps the file's path relative to the vault
//! (`API/space.md`, `/`-separated) in its `path` field, so that an export
//! writes the very same file name. Its title is the file name without the
//! `.md` extension, except that the characters a title cannot hold (`[`,
//! `]`, `|`, `#`, which would break a `[[link]]`, and control characters) are
//! shown as look-alikes ([`title_from_file_stem`]).
//!
//! [`file_path`] gives the path a document is exported to: its stored path
//! while that still agrees with its folder and title (a document renamed or
//! moved in Loam gets a new file name), else `<folder>/<title>.md` made safe
//! for every common file system ([`safe_file_name`]).
//!
//! Links name files the way Obsidian reads them: by file name without the
//! extension (the title), or by the end of the path (`[[API/space]]`,
//! `[[space.md]]`, `![[img/pic.png]]`). [`path_keys`] lists those other
//! names, normalised like titles, for the index.

use crate::normalise_title;

/// The extension of markdown files, compared ignoring case.
pub const MARKDOWN_EXTENSION: &str = "md";

/// The longest title a file name becomes, in characters.
const MAX_TITLE_CHARS: usize = 300;

/// The longest file name [`safe_file_name`] makes, in bytes (most file
/// systems allow 255; room is left for ` (2)` and the extension).
const MAX_FILE_NAME_BYTES: usize = 200;

/// The title shown for an empty file name.
pub const UNTITLED: &str = "Untitled";

/// Whether `name` (a file name) is a markdown file: it ends in `.md`, any
/// case, and has a name before it.
pub fn is_markdown_file(name: &str) -> bool {
    markdown_stem(name).is_some()
}

/// `name` without its `.md` extension, if it is a markdown file name.
pub fn markdown_stem(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (ext.eq_ignore_ascii_case(MARKDOWN_EXTENSION) && !stem.is_empty()).then_some(stem)
}

/// The title of a document imported from a file named `stem` + `.md`: the
/// name itself, with the characters a title cannot hold replaced by
/// look-alikes: `[` `]` `|` `#` by their full-width forms `［` `］` `｜` `＃`,
/// control characters by `�`. An empty (or blank) name is [`UNTITLED`]; a
/// very long one is cut at 300 characters.
pub fn title_from_file_stem(stem: &str) -> String {
    let mut title: String = stem
        .chars()
        .take(MAX_TITLE_CHARS)
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            '|' => '｜',
            '#' => '＃',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect();
    if title.trim().is_empty() {
        title = UNTITLED.to_owned();
    }
    title
}

/// Whether [`title_from_file_stem`] changes `stem` (the title shown differs
/// from the file name).
pub fn title_differs_from_file_stem(stem: &str) -> bool {
    title_from_file_stem(stem) != stem
}

/// A file name (without extension) for `title` that every common file
/// system accepts and that is not hidden: `/ \ : * ? " < > |` and control
/// characters become `-`, a leading `.` becomes `_`, trailing dots and
/// spaces go (Windows drops them), names Windows reserves (`CON`, `NUL`,
/// `COM1`, ...) get a `_`, and the name is cut at 200 bytes. Never empty.
pub fn safe_file_name(title: &str) -> String {
    let mut name: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .collect();
    let kept = name.trim_end_matches(['.', ' ']).len();
    name.truncate(kept);
    let trimmed = name.trim_start();
    if trimmed.len() != name.len() {
        name = trimmed.to_owned();
    }
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.len() > MAX_FILE_NAME_BYTES {
        let mut cut = MAX_FILE_NAME_BYTES;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
        let kept = name.trim_end_matches(['.', ' ']).len();
        name.truncate(kept);
    }
    if name.is_empty() {
        return UNTITLED.to_owned();
    }
    let base = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (base.len() == 4
            && (base.starts_with("COM") || base.starts_with("LPT"))
            && base.as_bytes()[3].is_ascii_digit());
    if reserved {
        name.push('_');
    }
    name
}

/// Whether `path` is a relative, `/`-separated path that stays inside the
/// folder it is relative to: no empty, `.` or `..` segment, no `\`, no NUL,
/// no drive letter. A stored path comes from other members' documents, so
/// an export writes only paths that pass this.
pub fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(['\\', '\0', ':'])
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// The folder part of a `/`-separated path (`""` at the root) and its file
/// name.
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((folder, name)) => (folder, name),
        None => ("", path),
    }
}

/// The path a document with this folder, title and stored path is exported
/// to (see the module docs): the stored path if it is safe and still agrees
/// with the folder and title, else `<folder>/<title>.md` with each segment
/// made safe by [`safe_file_name`].
pub fn file_path(folder: &str, title: &str, stored: &str) -> String {
    if is_safe_relative_path(stored) {
        let (stored_folder, name) = split_path(stored);
        if stored_folder == folder.trim_matches('/')
            && markdown_stem(name).is_some_and(|stem| title_from_file_stem(stem) == title)
        {
            return stored.to_owned();
        }
    }
    let mut path = String::new();
    for segment in folder.split('/').filter(|s| !s.trim().is_empty()) {
        path.push_str(&safe_file_name(segment));
        path.push('/');
    }
    path.push_str(&safe_file_name(title));
    path.push('.');
    path.push_str(MARKDOWN_EXTENSION);
    path
}

/// The names other than its title by which a link may reach the file at
/// `path`, normalised like titles ([`normalise_title`]), longest last:
/// every ending of the path that starts at a folder boundary, with and
/// (for a markdown file) without the extension. `API/space.md` gives
/// `space.md`, `api/space`, `api/space.md`; the bare `space` is the title's
/// key and not repeated here. An attachment `img/pic.png` gives `pic.png`,
/// `img/pic.png`.
pub fn path_keys(path: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let stem = {
        let (_, name) = split_path(path);
        markdown_stem(name).map(|stem| path.len() - name.len() + stem.len())
    };
    let mut push = |key: String| {
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    };
    let starts = std::iter::once(0).chain(path.match_indices('/').map(|(i, _)| i + 1));
    let mut starts: Vec<usize> = starts.collect();
    starts.reverse();
    for (i, start) in starts.into_iter().enumerate() {
        if let Some(stem_end) = stem
            && i > 0
        {
            push(normalise_title(&path[start..stem_end]));
        }
        push(normalise_title(&path[start..]));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_file_names() {
        let check = |stem: &str, title: &str| assert_eq!(title_from_file_stem(stem), title);
        check("Getting Started", "Getting Started");
        check("C# [draft] | v2", "C＃ ［draft］ ｜ v2");
        check("tab\there", "tab\u{FFFD}here");
        check("  ", UNTITLED);
        check(&"x".repeat(400), &"x".repeat(300));
        assert!(!title_differs_from_file_stem("plain"));
        assert!(title_differs_from_file_stem("a#b"));
    }

    #[test]
    fn safe_file_names() {
        let check = |title: &str, name: &str| assert_eq!(safe_file_name(title), name);
        check("Getting Started", "Getting Started");
        check("a/b: c?", "a-b- c-");
        check(".hidden", "_hidden");
        check("trailing. ", "trailing");
        check("  ", UNTITLED);
        check("con", "con_");
        check("COM1.txt", "COM1.txt_");
        check("Company", "Company");
        check(&"é".repeat(150), &"é".repeat(100));
    }

    #[test]
    fn markdown_files() {
        assert_eq!(markdown_stem("Note.md"), Some("Note"));
        assert_eq!(markdown_stem("Note.MD"), Some("Note"));
        assert_eq!(markdown_stem("a.b.md"), Some("a.b"));
        assert_eq!(markdown_stem(".md"), None);
        assert_eq!(markdown_stem("pic.png"), None);
        assert_eq!(markdown_stem("md"), None);
    }

    #[test]
    fn safe_relative_paths() {
        for ok in ["a.md", "a/b/c.md", "a b/c.md"] {
            assert!(is_safe_relative_path(ok), "{ok}");
        }
        for bad in [
            "", "/a.md", "a//b.md", "../a.md", "a/./b.md", "a\\b.md", "C:x.md", "a/",
        ] {
            assert!(!is_safe_relative_path(bad), "{bad}");
        }
    }

    #[test]
    fn export_paths() {
        let check = |folder: &str, title: &str, stored: &str, expected: &str| {
            assert_eq!(file_path(folder, title, stored), expected, "{stored}");
        };
        check("API", "space", "API/space.md", "API/space.md");
        check("", "C＃ notes", "C# notes.md", "C# notes.md");
        check("", "Note", "Note.MD", "Note.MD");
        // Renamed or moved in Loam: a new name.
        check("", "Renamed", "Old.md", "Renamed.md");
        check("Elsewhere", "space", "API/space.md", "Elsewhere/space.md");
        // Created in Loam, or a stored path that would leave the folder.
        check("a/b", "What? Why", "", "a/b/What- Why.md");
        check("", "x", "../x.md", "x.md");
    }

    #[test]
    fn keys_of_paths() {
        let check = |path: &str, keys: &[&str]| assert_eq!(path_keys(path), keys, "{path}");
        check("index.md", &["index.md"]);
        check("API/space.md", &["space.md", "api/space", "api/space.md"]);
        check(
            "a/b/Note.md",
            &["note.md", "b/note", "b/note.md", "a/b/note", "a/b/note.md"],
        );
        check("img/Pic.PNG", &["pic.png", "img/pic.png"]);
    }
}
