//! Editing text in the member's own editor: `$VISUAL`, else `$EDITOR`, else
//! `vi`, on a temporary `.md` file named after the note.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::errors::{Exit, Failure};

/// The editor command line from the environment, split on whitespace so
/// that `EDITOR="code --wait"` works.
pub fn command_line() -> Vec<String> {
    let from_env = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|value| !value.trim().is_empty());
    match from_env {
        Some(value) => value.split_whitespace().map(str::to_owned).collect(),
        None => vec!["vi".to_owned()],
    }
}

/// Let the member edit `text` in their editor; `title` names the file.
/// Returns the text as saved. When the editor exits with an error, this
/// fails with a message ending in `outcome` ("nothing was changed").
pub fn edit(title: &str, text: &str, outcome: &str) -> anyhow::Result<String> {
    let file = tempfile::Builder::new()
        .prefix(&format!("{}-", file_stem(title)))
        .suffix(".md")
        .tempfile()
        .context("cannot create a temporary file for the editor")?;
    // Editors add a final line break; give them one so that an unchanged
    // text comes back unchanged, and take it off again below.
    let added_newline = !text.is_empty() && !text.ends_with('\n');
    let written = if added_newline {
        format!("{text}\n")
    } else {
        text.to_owned()
    };
    std::fs::write(file.path(), written)
        .with_context(|| format!("cannot write the temporary file {}", file.path().display()))?;

    if let Some(status) = run(file.path())? {
        let editor = command_line().join(" ");
        let how = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was stopped by a signal".to_owned(),
        };
        let message = format!("the editor `{editor}` {how}; {outcome}");
        return Err(Failure::new(message, Exit::Failure).into());
    }

    // Read by path: many editors save by writing a new file and renaming it.
    let bytes = std::fs::read(file.path()).with_context(|| {
        format!(
            "cannot read back the temporary file {}",
            file.path().display()
        )
    })?;
    let mut saved = String::from_utf8(bytes).map_err(|_| {
        Failure::new(
            "the edited text is not valid UTF-8; nothing was changed",
            Exit::DataErr,
        )
    })?;
    if added_newline && saved.ends_with('\n') {
        saved.pop();
        if saved.ends_with('\r') {
            saved.pop();
        }
    }
    Ok(saved)
}

/// Run the editor on `path`. `Ok(Some(status))` when it exited with an error.
fn run(path: &Path) -> anyhow::Result<Option<std::process::ExitStatus>> {
    let line = command_line();
    let (program, args) = line
        .split_first()
        .map_or(("vi", &[][..]), |(p, a)| (p.as_str(), a));
    let status = Command::new(program).args(args).arg(path).status().map_err(|e| {
        Failure::new(format!("cannot start the editor `{}`: {e}", line.join(" ")), Exit::Unavailable)
            .with_hint("set $EDITOR (or $VISUAL) to your editor, e.g. `export EDITOR=nano`, or pass the text with --stdin")
    })?;
    Ok((!status.success()).then_some(status))
}

/// A file name from a title: letters, digits, `-` and `_`, at most 40 of them.
fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "note".to_owned()
    } else {
        stem.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems() {
        let check = |title: &str, expected: &str| assert_eq!(file_stem(title), expected);
        check("Compost heap", "Compost-heap");
        check("../etc/passwd", "etc-passwd");
        check("???", "note");
        check("Ünïcode", "Ünïcode");
    }
}
