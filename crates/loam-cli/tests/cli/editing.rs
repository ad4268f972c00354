//! `loam edit`: through `$EDITOR` (a shell script here), `--text` and
//! `--stdin`.

use crate::support::Dir;

/// A garden with one note, "Draft", whose text is "old text".
fn draft() -> Dir {
    let dir = Dir::garden();
    dir.run(&["new", "Draft", "--body", "old text"]).ok();
    dir
}

#[test]
fn the_editor_changes_the_text() {
    let dir = draft();
    // Saves by writing a new file and renaming it, as many editors do.
    let script = r#"sed 's/old/new/' "$1" > "$1.tmp" && mv "$1.tmp" "$1""#;
    let out = dir.run_with_editor(&["edit", "draft"], script).ok();
    assert!(out.contains("Saved Draft"), "{out}");
    assert_eq!(dir.run(&["cat", "Draft"]).ok(), "new text\n");
}

#[test]
fn the_editor_gets_a_markdown_file_and_its_arguments() {
    let dir = draft();
    let editor = dir.script("ed.sh", r#"[ "$1" = "--wait" ] || exit 3; case "$2" in *.md) ;; *) exit 4;; esac; echo "more" >> "$2""#);
    let out = dir
        .loam()
        .env("EDITOR", format!("{} --wait", editor.display()))
        .args(["edit", "Draft"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(dir.run(&["cat", "Draft"]).ok(), "old text\nmore\n");
}

#[test]
fn an_unchanged_file_changes_nothing() {
    let dir = draft();
    let out = dir.run_with_editor(&["edit", "Draft"], "true").ok();
    assert!(out.contains("No changes to Draft"), "{out}");
    let edited = dir
        .run_with_editor(&["--json", "edit", "Draft"], "true")
        .json();
    assert_eq!(edited["changed"], false);
}

#[test]
fn a_failing_editor_changes_nothing() {
    let dir = draft();
    let err = dir
        .run_with_editor(&["edit", "Draft"], r#"echo "half-written" > "$1"; exit 1"#)
        .fails(1);
    assert!(
        err.contains("the editor `")
            && err.contains("editor.sh` exited with status 1; nothing was changed"),
        "{err}"
    );
    assert_eq!(dir.run(&["cat", "Draft"]).ok(), "old text\n");

    let err = dir
        .loam()
        .env("EDITOR", "/nonexistent/editor")
        .args(["edit", "Draft"])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(69));
    let stderr = String::from_utf8(err.stderr).unwrap();
    assert!(
        stderr.contains("cannot start the editor `/nonexistent/editor`"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: set $EDITOR"), "{stderr}");
}

#[test]
fn a_change_made_while_editing_is_kept() {
    let dir = Dir::garden();
    dir.run(&["new", "Shared", "--body", "base"]).ok();
    // While "our" editor is open, another loam prepends a line; then we
    // append one. Both stay.
    let data = dir.path();
    let script = format!(
        r#""$LOAM_BIN" --data-dir '{}' edit Shared --text "$(printf 'their line\nbase')" >/dev/null || exit 9
printf 'base\nour line\n' > "$1""#,
        data.display()
    );
    let out = dir.run_with_editor(&["edit", "Shared"], &script).ok();
    assert!(out.contains("both changes were kept"), "{out}");
    assert_eq!(
        dir.run(&["cat", "Shared"]).ok(),
        "their line\nbase\nour line\n"
    );
}

#[test]
fn text_and_stdin_replace_the_text() {
    let dir = draft();
    dir.run(&["edit", "Draft", "--text", "from --text"]).ok();
    assert_eq!(dir.run(&["cat", "Draft"]).ok(), "from --text\n");
    dir.run_with_stdin(&["edit", "Draft", "--stdin"], "from stdin\n")
        .ok();
    assert_eq!(dir.run(&["cat", "Draft"]).ok(), "from stdin\n");
    let edited = dir
        .run(&["--json", "edit", "Draft", "--text", "again"])
        .json();
    assert_eq!(edited["changed"], true);
}

#[test]
fn new_without_a_body_opens_the_editor_on_a_terminal_only() {
    // Standard input is not a terminal in tests, so `new` reads it.
    let dir = Dir::garden();
    dir.run_with_stdin(&["new", "From stdin"], "piped").ok();
    assert_eq!(dir.run(&["cat", "From stdin"]).ok(), "piped\n");
}
