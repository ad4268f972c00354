//! The community commands: `index`, `guidelines`, `thread`, `kudos`,
//! `path`, `who`, `flag`, `moderation` and `stats`, with their errors and
//! exit codes.

use crate::support::Dir;

const BO: &str = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

fn garden_with_pages() -> Dir {
    let dir = Dir::empty();
    dir.run(&["whoami", "--set-name", "Ada"]).ok();
    dir.run(&["init"]).ok();
    for (title, body) in [
        ("Soil", "Loam is soil. See [[Clay]]. #ground"),
        ("Water", "Wet."),
        ("Clay", "Sticky."),
    ] {
        dir.run(&["new", "--page", title, "--body", body]).ok();
    }
    dir.run(&["new", "Stray thought", "--body", "alone"]).ok();
    dir
}

#[test]
fn a_facilitator_curates_the_index_and_everyone_reads_it() {
    let dir = garden_with_pages();
    let out = dir.run(&["index"]).ok();
    assert!(out.starts_with("The index is empty."), "{out}");
    dir.run(&["index", "section", "add", "Start here"]).ok();
    dir.run(&["index", "add", "start here", "Water"]).ok();
    dir.run(&["index", "add", "Start here", "Soil", "--at", "1"])
        .ok();
    dir.run(&["index", "move", "Start here", "Soil", "2"]).ok();
    let out = dir
        .run(&["index", "feature", "Soil", "--reason", "the clearest intro"])
        .ok();
    assert_eq!(out, "Featured Soil: the clearest intro\n");
    let out = dir.run(&["index"]).ok();
    let lines: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "  1.   Water",
            "  2. ★ Soil",
            "       featured: the clearest intro"
        ],
        "{out}"
    );
    let json = dir.run(&["--json", "index"]).json();
    assert_eq!(
        json["sections"][0]["entries"][1]["featured"],
        "the clearest intro"
    );

    let err = dir.run(&["index", "add", "Nowhere", "Soil"]).fails(66);
    assert!(
        err.contains("no section `Nowhere`; there are: Start here"),
        "{err}"
    );
    let err = dir.run(&["index", "add", "Start here", "Soil"]).fails(65);
    assert!(err.contains("is in this section already"), "{err}");
    let err = dir
        .run(&["index", "feature", "Clay", "--reason", "x"])
        .fails(65);
    assert!(err.contains("add it to a section first"), "{err}");
}

#[test]
fn a_reader_cannot_change_the_index_and_is_told_why() {
    let dir = garden_with_pages();
    dir.run(&["index", "section", "add", "Start here"]).ok();
    // Another facilitator, then Ada steps down to reader.
    dir.run(&["member", "add", BO, "--name", "Bo", "--role", "facilitator"])
        .ok();
    let me = dir.run(&["id"]).ok();
    dir.run(&["member", "set-role", me.trim(), "reader"]).ok();
    let err = dir.run(&["index", "add", "Start here", "Soil"]).fails(77);
    assert!(
        err.contains("only facilitators can change the index; you are a reader (facilitators: Bo)"),
        "{err}"
    );
    let err = dir
        .run(&["thread", "open", "Soil", "--title", "Hi"])
        .fails(77);
    assert!(
        err.contains("only members and facilitators can open a thread"),
        "{err}"
    );
    // Reading is fine, and so is marking a page read.
    dir.run(&["index"]).ok();
    dir.run(&["path", "read", "Soil"]).ok();
}

#[test]
fn guidelines_threads_kudos_paths_and_the_directory() {
    let dir = garden_with_pages();
    dir.run(&["guidelines", "set", "--text", "Be kind.\n"]).ok();
    let out = dir.run(&["guidelines"]).ok();
    assert!(
        out.contains("Be kind.") && out.contains("loam guidelines ack"),
        "{out}"
    );
    dir.run(&["guidelines", "ack"]).ok();
    dir.run(&["guidelines", "set", "--stdin"]).ok();
    let out = dir
        .run_with_stdin(&["guidelines", "set", "--stdin"], "Be kind.\nCite.\n")
        .ok();
    assert!(out.contains("version 3"), "{out}");
    let out = dir.run(&["guidelines"]).ok();
    assert!(out.contains("Changed since version 1"), "{out}");
    assert!(out.contains("+Cite."), "{out}");

    let json = dir
        .run(&[
            "--json",
            "thread",
            "open",
            "Soil",
            "--title",
            "Sources?",
            "--question",
        ])
        .json();
    let thread = json["thread"].as_str().unwrap().to_owned();
    dir.run(&["thread", "comment", &thread, "from the archive"])
        .ok();
    let out = dir.run(&["thread", "list", "--unanswered"]).ok();
    assert!(
        out.contains("Sources?") && out.contains("unanswered"),
        "{out}"
    );
    dir.run(&["thread", "answer", &thread, "Clay"]).ok();
    assert_eq!(
        dir.run(&["thread", "list", "--unanswered"]).ok(),
        "No threads.\n"
    );
    let out = dir.run(&["thread", "show", &thread]).ok();
    assert!(
        out.contains("from the archive") && out.contains("Answer by Ada: Clay"),
        "{out}"
    );
    let err = dir.run(&["thread", "show", "zzzz"]).fails(66);
    assert!(err.contains("no thread `zzzz`"), "{err}");

    let err = dir.run(&["kudos", "give", "Soil"]).fails(65);
    assert!(err.contains("kudos are for others"), "{err}");

    dir.run(&["path", "new", "Newcomers", "Soil", "Water"]).ok();
    dir.run(&["path", "read", "Water"]).ok();
    let out = dir.run(&["path", "show", "newcomers"]).ok();
    assert_eq!(out, "Newcomers  1/2 read\n    1. Soil\n  ✓ 2. Water\n");

    let out = dir.run(&["who", "Ada"]).ok();
    assert!(out.contains("Knows about: #ground"), "{out}");
    assert!(out.contains("Pages started: Clay, Soil, Water"), "{out}");
    let json = dir.run(&["--json", "who", "--tag", "ground"]).json();
    assert_eq!(json[0]["name"], "Ada");
}

#[test]
fn stats_print_the_dashboard_as_json_and_csv() {
    let dir = garden_with_pages();
    let json = dir.run(&["--json", "stats"]).json();
    assert_eq!(json["contributors"], 1);
    assert_eq!(json["contributions"], 4);
    assert_eq!(json["by_kind"]["page"], 3);
    assert_eq!(json["by_kind"]["note"], 1);
    // The stray note is an orphan; Clay is linked from Soil.
    assert_eq!(json["orphan_notes"].as_array().unwrap().len(), 1);
    assert_eq!(json["reuse"]["links"], 1);
    assert_eq!(json["reuse"]["cross_member"], 0);
    let csv = dir.run(&["stats", "--csv"]).ok();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "week,note,page,thread,question,comment,answer,kudos,suggestion,total,active_contributors,top10_share,questions_opened,questions_answered"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",1,3,0,0,0,0,0,0,4,1,1,0,0"),
        "{csv}"
    );
    let out = dir.run(&["stats"]).ok();
    assert!(
        out.contains("Orphan notes (no page links to them): 1"),
        "{out}"
    );
}

#[test]
fn flags_and_moderation() {
    let dir = garden_with_pages();
    let out = dir.run(&["flag", "Water", "--reason", "too short"]).ok();
    let flag = out
        .trim()
        .trim_start_matches("Flagged for the facilitators (")
        .trim_end_matches(").")
        .to_owned();
    let out = dir.run(&["moderation", "flags"]).ok();
    assert!(out.contains("Ada flagged Water: too short"), "{out}");
    dir.run(&["moderation", "dismiss", &flag, "--note", "fine"])
        .ok();
    assert_eq!(dir.run(&["moderation", "flags"]).ok(), "No open flags.\n");
    dir.run(&["moderation", "archive", "Water", "--reason", "duplicate"])
        .ok();
    let out = dir.run(&["moderation", "log"]).ok();
    assert!(out.contains("Ada dismiss-flag"), "{out}");
    assert!(out.contains("Ada archive Water: duplicate"), "{out}");
    let err = dir.run(&["flag", "Soil", "--reason", " "]).fails(65);
    assert!(err.contains("say why"), "{err}");
}
