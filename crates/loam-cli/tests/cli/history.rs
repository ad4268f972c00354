//! History: `whoami`, `history`, `show --at`, `diff`, `restore --at`, `adopt`.

use crate::support::{Dir, Run};

/// Run `loam` with times shown in UTC.
fn run(dir: &Dir, args: &[&str]) -> Run {
    let output = dir.loam().env("TZ", "UTC").args(args).output().unwrap();
    Run {
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// A garden with one note edited twice: three changes in one session.
fn plan() -> (Dir, Vec<String>) {
    let dir = Dir::garden();
    run(&dir, &["whoami", "--set-name", "Ana"]).ok();
    run(&dir, &["new", "Plan", "--body", "one\ntwo\nthree\n"]).ok();
    run(&dir, &["edit", "Plan", "--text", "ONE\ntwo\nthree\n"]).ok();
    run(&dir, &["edit", "Plan", "--text", "ONE\ntwo\nthree\nfour\n"]).ok();
    let changes = run(&dir, &["--json", "history", "Plan", "--changes"]).json();
    let hashes = changes
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|c| c["hash"].as_str().unwrap().to_owned())
        .collect();
    (dir, hashes)
}

#[test]
fn whoami_shows_and_sets_the_name() {
    let dir = Dir::garden();
    let out = run(&dir, &["whoami"]).ok();
    assert!(
        out.contains("no name: set one with `loam whoami --set-name NAME`"),
        "{out}"
    );
    let me = run(&dir, &["--json", "whoami", "--set-name", "Ana"]).json();
    assert_eq!(me["name"], "Ana");
    let id = me["member_id"].as_str().unwrap();
    assert_eq!(id.len(), 64);
    assert_eq!(me["short"].as_str().unwrap(), &id[..8]);
    let key = std::path::PathBuf::from(me["key_file"].as_str().unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(run(&dir, &["whoami"]).ok().contains("name       Ana"));
    assert_eq!(run(&dir, &["--json", "whoami"]).json()["member_id"], id);
    let out = run(&dir, &["whoami", "--set-name", ""]).ok();
    assert!(out.contains("no name"), "{out}");

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = run(&dir, &["ls"]).fails(78);
    assert!(err.contains("can be read by other users"), "{err}");
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn history_lists_sessions_and_changes() {
    let (dir, hashes) = plan();
    let out = run(&dir, &["history", "plan"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Plan: 3 changes in 1 session, newest first");
    assert!(lines[2].starts_with("#   WHEN"), "{out}");
    assert!(lines[3].starts_with("#1  20"), "{out}");
    assert!(lines[3].contains("Ana (you)  3        +22 −3"), "{out}");

    let out = run(&dir, &["history", "Plan", "--changes"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with(&hashes[2][..8]), "newest first: {out}");
    assert!(lines[1].ends_with("Ana (you)  +5 −0"), "{out}");
    assert!(lines[3].ends_with("Ana (you)  +14 −0"), "{out}");

    let json = run(&dir, &["--json", "history", "Plan"]).json();
    assert_eq!(json["changes"], 3);
    let session = &json["sessions"][0];
    assert_eq!(session["number"], 1);
    assert_eq!(session["author"]["name"], "Ana");
    assert_eq!(session["author"]["you"], true);
    assert_eq!(
        (session["inserted"].as_u64(), session["deleted"].as_u64()),
        (Some(22), Some(3))
    );
    assert!(session["start_iso"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        run(&dir, &["--json", "history", "Plan", "--changes", "-n", "1"]).json()[0]["hash"],
        hashes[2].as_str()
    );
}

#[test]
fn show_diff_and_restore_old_versions() {
    let (dir, hashes) = plan();
    // A change hash prefix, any case.
    let first = hashes[0][..6].to_uppercase();
    assert_eq!(
        run(&dir, &["show", "Plan", "--at", &first]).ok(),
        "one\ntwo\nthree\n"
    );
    assert_eq!(
        run(&dir, &["show", "Plan", "--at", &hashes[1][..8]]).ok(),
        "ONE\ntwo\nthree\n"
    );
    assert_eq!(run(&dir, &["show", "Plan"]).ok(), "ONE\ntwo\nthree\nfour\n");
    assert_eq!(
        run(&dir, &["show", "Plan", "--at", "#1"]).ok(),
        "ONE\ntwo\nthree\nfour\n"
    );
    assert_eq!(
        run(&dir, &["show", "Plan", "--at", "2999-01-01"]).ok(),
        "ONE\ntwo\nthree\nfour\n"
    );
    let shown = run(&dir, &["--json", "show", "Plan", "--at", &hashes[0][..8]]).json();
    assert_eq!(shown["text"], "one\ntwo\nthree\n");
    assert_eq!(shown["at"]["current"], false);
    assert_eq!(shown["at"]["heads"][0], hashes[0].as_str());

    let diff = run(&dir, &["diff", "Plan", "--from", &hashes[0][..8]]).ok();
    let expected = format!(
        "--- Plan @ change {}\n+++ Plan @ now\n@@ -1,3 +1,4 @@\n-one\n+ONE\n two\n three\n+four\n",
        &hashes[0][..8]
    );
    assert_eq!(diff, expected);
    let diff = run(
        &dir,
        &[
            "diff",
            "Plan",
            "--from",
            &hashes[0][..8],
            "--to",
            &hashes[1][..8],
        ],
    )
    .ok();
    assert!(diff.contains("-one\n+ONE\n two\n three\n"), "{diff}");
    assert!(!diff.contains("four"), "{diff}");
    let same = run(&dir, &["diff", "Plan", "--from", "now"]).ok();
    assert_eq!(same, "No differences between now and now.\n");
    let colour = dir
        .loam()
        .args([
            "--color",
            "always",
            "diff",
            "Plan",
            "--from",
            &hashes[0][..8],
        ])
        .output()
        .unwrap();
    let colour = String::from_utf8(colour.stdout).unwrap();
    assert!(colour.contains("\x1b[32m+ONE\x1b[0m"), "{colour:?}");
    assert!(colour.contains("\x1b[31m-one\x1b[0m"), "{colour:?}");
    assert_eq!(
        run(&dir, &["--json", "diff", "Plan", "--from", &hashes[0][..8]]).json()["diff"],
        expected.as_str()
    );

    // Restore: the old text as a new change; nothing is lost.
    let out = run(&dir, &["restore", "Plan", "--at", &hashes[0][..8]]).ok();
    assert!(
        out.starts_with("Restored the text of Plan as of change"),
        "{out}"
    );
    assert_eq!(run(&dir, &["cat", "Plan"]).ok(), "one\ntwo\nthree\n");
    let again = run(&dir, &["restore", "Plan", "--at", &hashes[0][..8]]).ok();
    assert!(again.contains("already has the text of change"), "{again}");
    assert_eq!(
        run(&dir, &["--json", "history", "Plan"]).json()["changes"],
        4
    );
    assert_eq!(
        run(&dir, &["show", "Plan", "--at", &hashes[2][..8]]).ok(),
        "ONE\ntwo\nthree\nfour\n"
    );
    let restored = run(
        &dir,
        &["--json", "restore", "Plan", "--at", &hashes[2][..8]],
    )
    .json();
    assert_eq!(restored["changed"], true);
    assert_eq!(run(&dir, &["cat", "Plan"]).ok(), "ONE\ntwo\nthree\nfour\n");
    assert!(run(&dir, &["check"]).ok().contains("sound"));
}

#[test]
fn restore_without_at_still_unarchives_and_with_at_keeps_the_archive() {
    let (dir, hashes) = plan();
    run(&dir, &["archive", "Plan"]).ok();
    run(&dir, &["restore", "Plan", "--at", &hashes[0][..8]]).ok();
    assert!(run(&dir, &["ls", "--archived"]).ok().contains("Plan"));
    assert!(!run(&dir, &["ls"]).ok().contains("Plan"));
    assert!(run(&dir, &["history", "Plan"]).ok().contains("5 changes"));
    assert!(
        run(&dir, &["restore", "Plan"])
            .ok()
            .contains("Restored Plan.")
    );
    assert_eq!(run(&dir, &["cat", "Plan"]).ok(), "one\ntwo\nthree\n");
}

#[test]
fn bad_versions_say_what_is_wrong() {
    let (dir, _) = plan();
    let check = |at: &str, code: i32, expected: &str| {
        let err = run(&dir, &["show", "Plan", "--at", at]).fails(code);
        assert!(err.contains(expected), "{at}: {err}");
    };
    check(
        "abc",
        65,
        "a change hash prefix needs at least 4 hex digits",
    );
    check(
        "yesterday",
        65,
        "expected a change hash prefix (4+ hex digits), a session number",
    );
    check("#7", 66, "there is no session #7: the note's history has 1");
    check("#0", 65, "from 1 up");
    check("2001-01-01", 66, "the note did not exist yet at 2001-01-01");
    let unknown = run(&dir, &["show", "Plan", "--at", "fffffff0"]);
    if unknown.code != 0 {
        assert!(
            unknown
                .fails(66)
                .contains("no change of this note has a hash starting with `fffffff0`")
        );
    }
    let err = run(&dir, &["diff", "Plan"]).fails(2);
    assert!(err.contains("--from"), "{err}");
    let err = run(&dir, &["history", "Plam"]).fails(66);
    assert!(
        err.contains("no note or page called `Plam`; did you mean `Plan`?"),
        "an unknown title is not called archived: {err}"
    );
}

#[test]
fn a_foreign_automerge_document_is_adopted_with_its_history() {
    let dir = Dir::garden();
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/traces/text-doc.amrg"
    );
    let adopted = run(&dir, &["--json", "adopt", file, "--title", "The paper"]).json();
    assert_eq!(adopted["changes"], 259_780);
    let out = run(&dir, &["history", "The paper"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "The paper: 259,780 changes in 2 sessions, newest first"
    );
    assert!(lines[3].starts_with("#2 "), "{out}");
    assert!(lines[3].contains("you"), "{out}");
    assert!(
        lines[4].starts_with("#1  2021-09-16 11:10–11:18  f615b269 (outside Loam)  259,779"),
        "{out}"
    );
    let text = run(&dir, &["cat", "The paper"]).ok();
    assert_eq!(run(&dir, &["show", "The paper", "--at", "#1"]).ok(), text);
    let early = run(&dir, &["show", "The paper", "--at", "2021-09-16T11:14:00Z"]).ok();
    assert!(
        !early.is_empty() && early.len() < text.len(),
        "{} bytes",
        early.len()
    );

    let err = run(&dir, &["adopt", "no-such-file.amrg", "--title", "x"]).fails(74);
    assert!(err.contains("cannot read no-such-file.amrg"), "{err}");
    let not_automerge = dir.path().with_file_name("x.amrg");
    std::fs::write(&not_automerge, b"not automerge").unwrap();
    let err = run(
        &dir,
        &["adopt", not_automerge.to_str().unwrap(), "--title", "x"],
    )
    .fails(65);
    assert!(err.contains("cannot be adopted"), "{err}");
}
