//! `init`, `gardens`, `use`, `--garden`, help and completions.

use crate::support::Dir;

#[test]
fn init_creates_the_default_garden() {
    let dir = Dir::empty();
    let out = dir.run(&["init"]).ok();
    assert!(out.contains("Created My garden"), "{out}");
    let out = dir.run(&["gardens"]).ok();
    assert!(
        out.lines().nth(1).unwrap().starts_with("*  My garden  0"),
        "{out}"
    );
    let out = dir.run(&["ls"]).ok();
    assert!(out.contains("No notes or pages yet"), "{out}");
}

#[test]
fn init_demo_plants_the_demo_and_gives_a_tour() {
    let dir = Dir::empty();
    let out = dir.run(&["init", "--demo"]).ok();
    for expected in [
        "Demo garden",
        "Welcome to Loam",
        "Workshop/",
        "Try these",
        "loam search compost",
        "loam links --broken",
        "loam index",
    ] {
        assert!(out.contains(expected), "no {expected:?} in {out}");
    }
    assert!(
        !out.contains('\x1b'),
        "escape codes when not a terminal: {out:?}"
    );
    let titles = dir.run(&["--json", "ls"]).json();
    assert_eq!(titles.as_array().unwrap().len(), 8);
    // The tour's community commands show the demo's index and question.
    let index = dir.run(&["index"]).ok();
    assert!(
        index.contains("Start here") && index.contains("read it first"),
        "{index}"
    );
    let open = dir.run(&["thread", "list", "--unanswered"]).ok();
    assert!(open.contains("Does lime belong in the heap?"), "{open}");
}

#[test]
fn the_latest_garden_becomes_the_default_and_use_switches() {
    let dir = Dir::garden();
    let out = dir.run(&["init", "Second"]).ok();
    assert!(
        out.contains("`loam use \"My garden\"` switches back"),
        "{out}"
    );
    dir.run(&["new", "Only in second", "--body", "x"]).ok();
    assert!(dir.run(&["ls"]).ok().contains("Only in second"));
    assert!(
        !dir.run(&["--garden", "my garden", "ls"])
            .ok()
            .contains("Only in second")
    );

    dir.run(&["use", "My garden"]).ok();
    assert!(!dir.run(&["ls"]).ok().contains("Only in second"));
    let gardens = dir.run(&["--json", "gardens"]).json();
    let default: Vec<&str> = gardens
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["default"] == true)
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(default, ["My garden"]);
    // The environment picks a garden too.
    let out = dir
        .loam()
        .env("LOAM_GARDEN", "second")
        .arg("ls")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("Only in second")
    );
}

#[test]
fn a_garden_name_is_taken_once() {
    let dir = Dir::garden();
    let err = dir.run(&["init", "my garden"]).fails(73);
    assert!(
        err.contains("a garden named `my garden` exists already"),
        "{err}"
    );
}

#[test]
fn help_documents_exit_codes_and_environment() {
    let out = Dir::empty().run(&["--help"]).ok();
    for expected in [
        "Exit codes:",
        "66",
        "75",
        "LOAM_DATA_DIR",
        "LOAM_GARDEN",
        "EDITOR",
    ] {
        assert!(out.contains(expected), "no {expected:?} in --help");
    }
    let out = Dir::empty().run(&["search", "--help"]).ok();
    assert!(
        out.contains("tag:"),
        "search --help explains the query syntax: {out}"
    );
}

#[test]
fn completions_for_every_shell() {
    let dir = Dir::empty();
    let bash = dir.run(&["completions", "bash"]).ok();
    assert!(
        bash.contains("_loam()") && bash.contains("backlinks"),
        "{bash}"
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(!dir.run(&["completions", shell]).ok().is_empty(), "{shell}");
    }
    // Completions need no garden.
    assert!(!dir.path().join("gardens").exists());
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = Dir::empty();
    assert_eq!(dir.run(&["frobnicate"]).code, 2);
    assert_eq!(dir.run(&["ls", "--kind", "poem"]).code, 2);
    assert_eq!(dir.run(&["rename", "only-one-title"]).code, 2);
}
