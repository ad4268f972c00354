//! Reading: `ls`, `search`, `links`, `backlinks`, `tags`, `check`, and
//! `--json` on each.

use crate::support::Dir;

fn titles(json: &serde_json::Value) -> Vec<String> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|row| row["title"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn ls_filters_and_sorts() {
    let dir = Dir::demo();
    let out = dir.run(&["ls"]).ok();
    let header = out.lines().next().unwrap();
    assert!(
        header.starts_with("TITLE") && header.contains("UPDATED"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 9, "{out}");

    let pages = dir
        .run(&["--json", "ls", "--kind", "page", "--sort", "title"])
        .json();
    assert_eq!(
        titles(&pages),
        [
            "Finding things",
            "Links and backlinks",
            "Notes and pages",
            "Tags",
            "Welcome to Loam"
        ]
    );
    let reversed = dir
        .run(&[
            "--json",
            "ls",
            "--kind",
            "page",
            "--sort",
            "title",
            "--reverse",
        ])
        .json();
    assert_eq!(
        titles(&reversed).first().map(String::as_str),
        Some("Welcome to Loam")
    );
    let workshop = dir
        .run(&["--json", "ls", "--folder", "Workshop", "--sort", "title"])
        .json();
    assert_eq!(
        titles(&workshop),
        ["Compost heap", "Reading list", "Workshop ideas"]
    );
    let compost = dir
        .run(&["--json", "ls", "--tag", "compost", "--sort", "title"])
        .json();
    assert_eq!(titles(&compost), ["Compost heap", "Workshop ideas"]);

    let out = dir.run(&["ls", "--limit", "2"]).ok();
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.ends_with("… and 6 more\n"), "{out}");
}

#[test]
fn search_ranks_and_highlights() {
    let dir = Dir::demo();
    let out = dir.run(&["search", "compost"]).ok();
    assert!(out.contains("Compost heap"), "{out}");
    assert!(!out.contains('\x1b'), "{out:?}");
    let colored = dir.run(&["--color", "always", "search", "compost"]).ok();
    assert!(colored.contains("\x1b["), "{colored:?}");

    let hits = dir.run(&["--json", "search", "compost"]).json();
    assert_eq!(hits[0]["row"]["title"], "Compost heap");
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("compost"),
        "{hits}"
    );
    let hit_titles = |hits: serde_json::Value| -> Vec<String> {
        hits.as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["row"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    // The shell eats the quotes: an argument with a space is a phrase.
    let phrase = hit_titles(dir.run(&["--json", "search", "reading list"]).json());
    assert_eq!(
        phrase.first().map(String::as_str),
        Some("Reading list"),
        "{phrase:?}"
    );
    let tagged = hit_titles(
        dir.run(&["--json", "search", "tag:workshop", "ideas"])
            .json(),
    );
    assert_eq!(tagged, ["Workshop ideas"]);
    let pages = hit_titles(
        dir.run(&["--json", "search", "kind:page", "compost"])
            .json(),
    );
    // The welcome page names the note Compost heap (its open question).
    assert_eq!(
        pages,
        ["Finding things", "Links and backlinks", "Welcome to Loam"]
    );
    let without = hit_titles(
        dir.run(&["--json", "search", "--", "compost", "-lime"])
            .json(),
    );
    assert!(!without.contains(&"Compost heap".to_owned()), "{without:?}");
    let limited = dir
        .run(&["--json", "search", "compost", "--limit", "1"])
        .json();
    assert_eq!(limited.as_array().unwrap().len(), 1);
    let out = dir.run(&["search", "xylophone"]).ok();
    assert!(out.contains("No matches"), "{out}");
}

#[test]
fn links_backlinks_and_broken_links() {
    let dir = Dir::demo();
    let out = dir.run(&["links", "Workshop ideas"]).ok();
    assert!(
        out.contains("Compost heap") && out.contains("Reading list"),
        "{out}"
    );
    let broken = dir.run(&["links", "--broken"]).ok();
    assert!(broken.contains("Facilitation handbook"), "{broken}");
    assert!(broken.contains("Reading list"), "{broken}");

    let out = dir.run(&["backlinks", "Links and backlinks"]).ok();
    assert!(
        out.contains("Notes and pages") && out.contains("Welcome to Loam"),
        "{out}"
    );
    let out = dir.run(&["backlinks", "Tags", "--mentions"]).ok();
    assert!(out.contains("Unlinked mentions"), "{out}");
    // "Links and backlinks" mentions Tags too, but links to it already.
    assert!(
        out.contains("Finding things\n    - `tag:` narrows to a tag (nested tags included)"),
        "{out}"
    );

    for args in [
        &["links", "Workshop ideas"][..],
        &["links", "--broken"],
        &["backlinks", "Tags", "--mentions"],
    ] {
        let mut args = args.to_vec();
        args.insert(0, "--json");
        dir.run(&args).json();
    }
    assert_eq!(
        dir.run(&["links"]).code,
        2,
        "links wants a title or --broken"
    );
}

#[test]
fn tags_as_a_tree() {
    let dir = Dir::demo();
    let out = dir.run(&["tags"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    let loam = lines.iter().position(|l| l.starts_with("loam")).unwrap();
    assert!(lines[loam + 1].starts_with("  help"), "{out}");
    let tags = dir.run(&["--json", "tags"]).json();
    assert!(
        tags.as_array()
            .unwrap()
            .iter()
            .any(|t| t["tag"] == "loam/help" && t["count"] == 5),
        "{tags}"
    );
    assert!(dir.run(&["tags", "--flat"]).ok().contains("loam/help"));
}

#[test]
fn check_a_sound_garden() {
    let dir = Dir::demo();
    let out = dir.run(&["check"]).ok();
    assert!(out.contains("8 documents are sound"), "{out}");
    let report = dir.run(&["--json", "check"]).json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["docs"], 8);
    let repaired = dir.run(&["--json", "check", "--repair"]).json();
    assert_eq!(repaired["ok"], true);
    assert_eq!(repaired["repaired"].as_array().map(Vec::len), Some(0));
}

#[test]
fn human_output_is_not_json() {
    let dir = Dir::demo();
    for args in [
        &["ls"][..],
        &["tags"],
        &["gardens"],
        &["search", "compost"],
        &["links", "--broken"],
    ] {
        let out = dir.run(args).ok();
        assert!(
            serde_json::from_str::<serde_json::Value>(&out).is_err(),
            "{args:?}: {out}"
        );
    }
}
