//! Writing: `new`, `cat`, `rename`, `archive`, `restore`.

use crate::support::Dir;

#[test]
fn new_prints_the_id_and_cat_prints_the_text() {
    let dir = Dir::garden();
    let id = dir
        .run(&[
            "new",
            "Soil test",
            "--body",
            "pH 6.5, [[Compost heap]] #soil",
            "--folder",
            "Lab/",
            "--tag",
            "Lab",
        ])
        .ok();
    let id = id.trim();
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        dir.run(&["cat", "soil TEST"]).ok(),
        "pH 6.5, [[Compost heap]] #soil\n"
    );
    assert_eq!(
        dir.run(&["cat", id]).ok(),
        "pH 6.5, [[Compost heap]] #soil\n"
    );
    assert_eq!(
        dir.run(&["cat", &id[..8]]).ok(),
        "pH 6.5, [[Compost heap]] #soil\n"
    );

    let view = dir.run(&["--json", "cat", "Soil test"]).json();
    assert_eq!(view["title"], "Soil test");
    assert_eq!(view["kind"], "note");
    assert_eq!(view["folder"], "Lab");
    assert_eq!(view["text"], "pH 6.5, [[Compost heap]] #soil");
    assert!(view["updated_iso"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn new_reads_standard_input() {
    let dir = Dir::garden();
    dir.run_with_stdin(&["new", "Piped"], "from a pipe\n").ok();
    assert_eq!(dir.run(&["cat", "Piped"]).ok(), "from a pipe\n");
    dir.run_with_stdin(&["new", "Explicit", "--stdin", "--page"], "# Heading\n")
        .ok();
    assert_eq!(dir.run(&["cat", "Explicit"]).ok(), "# Heading\n");
}

#[test]
fn page_titles_are_unique_note_titles_are_not() {
    let dir = Dir::garden();
    dir.run(&["new", "Glossary", "--page", "--body", ""]).ok();
    let err = dir
        .run(&["new", "glossary", "--page", "--body", ""])
        .fails(73);
    assert!(
        err.contains("a page titled `glossary` exists already"),
        "{err}"
    );
    dir.run(&["new", "Idea", "--body", "one"]).ok();
    dir.run(&["new", "Idea", "--body", "two"]).ok();
}

#[test]
fn invalid_titles_are_refused() {
    let dir = Dir::garden();
    let err = dir.run(&["new", "a [[link]]", "--body", ""]).fails(65);
    assert!(err.contains("cannot be a title"), "{err}");
    dir.run(&["new", "   ", "--body", ""]).fails(65);
}

#[test]
fn cat_html_is_rendered() {
    let dir = Dir::demo();
    let html = dir.run(&["cat", "Links and backlinks", "--html"]).ok();
    assert!(html.contains("<strong>Backlinks</strong>"), "{html}");
    let view = dir.run(&["--json", "cat", "Tags", "--html"]).json();
    assert!(view["html"].as_str().unwrap().contains("<p>"));
}

#[test]
fn rename_rewrites_links() {
    let dir = Dir::demo();
    let out = dir.run(&["rename", "Tags", "Tagging"]).ok();
    assert!(out.contains("Renamed Tags to Tagging."), "{out}");
    assert!(out.contains("Links rewritten in"), "{out}");
    assert!(out.contains("Welcome to Loam"), "{out}");
    assert!(
        dir.run(&["cat", "Welcome to Loam"])
            .ok()
            .contains("[[Tagging]]")
    );
    assert!(
        dir.run(&["cat", "Tagging"])
            .ok()
            .contains("A tag is a word")
    );

    let renamed = dir.run(&["--json", "rename", "Tagging", "Tags"]).json();
    assert_eq!(renamed["from"], "Tagging");
    assert_eq!(renamed["to"], "Tags");
    assert!(
        renamed["rewritten"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["title"] == "Welcome to Loam")
    );
}

#[test]
fn archive_hides_and_restore_brings_back() {
    let dir = Dir::demo();
    let out = dir.run(&["archive", "Compost heap"]).ok();
    assert!(out.contains("Archived Compost heap"), "{out}");
    assert!(!dir.run(&["ls"]).ok().contains("Compost heap"));
    assert!(dir.run(&["ls", "--archived"]).ok().contains("Compost heap"));
    assert!(
        dir.run(&["archive", "Compost heap"])
            .fails(66)
            .contains("loam restore \"Compost heap\"")
    );

    let out = dir.run(&["restore", "compost heap"]).ok();
    assert!(out.contains("Restored Compost heap"), "{out}");
    assert!(dir.run(&["ls"]).ok().contains("Compost heap"));
    assert!(
        dir.run(&["restore", "Compost heap"])
            .ok()
            .contains("is not archived")
    );
    dir.run(&["restore", "Nothing like it"]).fails(66);

    let done = dir.run(&["--json", "archive", "Reading list"]).json();
    assert_eq!(
        (done["archived"].as_bool(), done["changed"].as_bool()),
        (Some(true), Some(true))
    );
}
