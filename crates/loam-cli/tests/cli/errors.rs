//! What goes wrong, said clearly, with the right exit code.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::support::{Dir, binary};

#[test]
fn no_garden_yet_says_to_init() {
    let dir = Dir::empty();
    for args in [
        &["ls"][..],
        &["cat", "x"],
        &["new", "x", "--body", ""],
        &["search", "x"],
        &["check"],
    ] {
        let err = dir.run(args).fails(66);
        assert!(err.contains("loam init"), "{args:?}: {err}");
    }
}

#[test]
fn an_unknown_title_suggests_close_ones() {
    let dir = Dir::demo();
    let err = dir.run(&["cat", "Compost heep"]).fails(66);
    assert!(
        err.contains("no note or page called `Compost heep`; did you mean `Compost heap`?"),
        "{err}"
    );
    for command in ["edit", "links", "backlinks", "archive"] {
        dir.run(&[command, "Compost heep"]).fails(66);
    }
    dir.run(&["rename", "Compost heep", "X"]).fails(66);
}

#[test]
fn an_ambiguous_title_lists_the_ids() {
    let dir = Dir::garden();
    let first = dir.run(&["new", "Idea", "--body", "one"]).ok();
    let second = dir.run(&["new", "idea", "--body", "two"]).ok();
    let err = dir.run(&["cat", "Idea"]).fails(65);
    assert!(
        err.contains(first.trim()) && err.contains(second.trim()),
        "{err}"
    );
    assert!(err.contains("hint: pass an id"), "{err}");
    assert_eq!(dir.run(&["cat", second.trim()]).ok(), "two\n");
}

#[test]
fn an_unknown_garden_lists_the_gardens() {
    let dir = Dir::garden();
    dir.run(&["init", "Allotment"]).ok();
    let err = dir.run(&["--garden", "Orchard", "ls"]).fails(66);
    assert!(err.contains("no garden named `Orchard`"), "{err}");
    assert!(
        err.contains("`Allotment`") && err.contains("`My garden`"),
        "{err}"
    );
    dir.run(&["use", "Orchard"]).fails(66);
}

#[test]
fn a_corrupt_database_names_the_file_and_says_check() {
    let dir = Dir::demo();
    let database = dir.database();
    std::fs::write(
        &database,
        b"this is not a database, just some garbage bytes ".repeat(100),
    )
    .unwrap();
    for file in ["garden.db-wal", "garden.db-shm"] {
        let _ = std::fs::remove_file(database.with_file_name(file));
    }
    let err = dir.run(&["ls"]).fails(65);
    assert!(err.contains(&database.display().to_string()), "{err}");
    assert!(err.contains("loam check"), "{err}");
    let err = dir.run(&["check"]).fails(65);
    assert!(err.contains(&database.display().to_string()), "{err}");
    assert!(err.contains("backup"), "{err}");
}

#[test]
fn a_damaged_settings_file_is_named() {
    let dir = Dir::garden();
    std::fs::write(dir.path().join("settings.json"), "{ not json").unwrap();
    let err = dir.run(&["ls"]).fails(78);
    assert!(err.contains("settings.json"), "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = Dir::demo();
    for args in [
        &["ls"][..],
        &["cat", "Welcome to Loam"],
        &["completions", "bash"],
        &["--json", "ls"],
    ] {
        let mut child = Command::new(binary())
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `loam ls | head -0`: the reader goes away before loam writes.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(stderr, "", "{args:?}");
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
}
