//! `import` and `export`: the shared vault in and out again, the summary
//! for people and for scripts, progress on standard error, and the options
//! for bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::Dir;

fn shared_vault() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/vaults/silverbullet-docs")
}

fn vault() -> String {
    shared_vault().display().to_string()
}

/// Every file under `dir` with its bytes, by relative path.
fn files_in(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(dir).unwrap().to_owned(), bytes);
            }
        }
    }
    out
}

#[test]
fn import_summarises_what_came_in() {
    let dir = Dir::garden();
    let run = dir.run(&["import", &vault()]);
    let stderr = run.stderr.clone();
    let out = run.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!("Imported {} into My garden in ", vault())),
        "{out}"
    );
    assert_eq!(
        lines[1..4],
        [
            "  223 notes and pages: 190 pages, 33 notes (223 new, 0 changed, 0 unchanged)",
            "  3 attachments, 789 KB: 3 new, 0 changed, 0 unchanged, 0 deduplicated",
            "  1283 links, 102 unresolved; 0 skipped",
        ]
    );
    assert_eq!(lines[4], "Unresolved links (102):");
    assert!(out.contains("\n  Link.md: [[CHANGELOG@123]]\n"), "{out}");
    assert!(out.contains("Notes rather than pages (33):\n"), "{out}");
    assert!(
        out.contains("\n  API/command.md: its name repeats; Command.md is the page\n"),
        "{out}"
    );
    assert!(out.contains(
        "Attachments no note links to (imported all the same) (2):\n  demo-video-screenshot.png\n  ios-app-screenshot.png\n"
    ));
    // Not a terminal: a plain progress line now and then, not one per file.
    let progress: Vec<&str> = stderr.lines().collect();
    assert!(
        progress.contains(
            &"reading: 226/226 files (100%), 223 notes and pages, 3 attachments, 0 skipped"
        ),
        "{stderr}"
    );
    assert!(progress.len() <= 30, "{stderr}");

    // Again: nothing changes.
    let again = dir.run(&["import", &vault()]).ok();
    assert!(
        again.contains("(0 new, 0 changed, 223 unchanged)"),
        "{again}"
    );
    assert!(again.contains("3 attachments, 789 KB: 0 new, 0 changed, 3 unchanged"));
    let listed = dir.run(&["--json", "ls"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 223);
}

#[test]
fn import_json_is_one_value_and_no_progress() {
    let dir = Dir::garden();
    let run = dir.run(&["--json", "import", &vault()]);
    assert_eq!(run.stderr, "");
    let report = run.json();
    assert_eq!(report["garden"]["name"], "My garden");
    assert_eq!(report["pages"], 190);
    assert_eq!(report["notes"], 33);
    assert_eq!(report["docs"]["created"], 223);
    assert_eq!(report["attachments"]["total"], 3);
    assert_eq!(report["links"], 1283);
    assert_eq!(report["unresolved"].as_array().unwrap().len(), 102);
    let first = &report["unresolved"][0];
    assert_eq!(first["path"], "ADR.md");
    assert_eq!(first["link"], "[[^Library/Page Templates/ADR]]");
    assert_eq!(report["skipped"], serde_json::json!([]));
}

#[test]
fn export_writes_the_vault_back_byte_for_byte() {
    let dir = Dir::garden();
    dir.run(&["import", &vault()]).ok();
    let out = dir.path().with_file_name("exported");
    let target = out.display().to_string();
    let said = dir.run(&["export", &target]).ok();
    assert_eq!(
        said,
        format!(
            "Exported My garden to {target}: 190 pages, 33 notes, 3 attachments (1.3 MB) in {}",
            said.split(" in ").last().unwrap()
        )
    );
    assert!(files_in(&out) == files_in(&shared_vault()), "files differ");

    let err = dir.run(&["export", &target]).fails(73);
    assert!(err.contains("is not empty"), "{err}");
    assert!(err.contains("hint: pass --force"), "{err}");
    dir.run(&["export", &target, "--force"]).ok();
    assert!(files_in(&out) == files_in(&shared_vault()), "files differ");
}

#[test]
fn cat_html_shows_embedded_images_from_the_garden() {
    let dir = Dir::garden();
    dir.run(&["import", &vault()]).ok();
    let html = dir.run(&["cat", "Browser", "--html"]).ok();
    let start = html
        .find("<img class=\"embed image\" src=\"loam://attachment/")
        .unwrap();
    let hash: String = html[start..]
        .split("loam://attachment/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(hash.len(), 64, "{html}");
    let links = dir.run(&["links", "Browser"]).ok();
    assert!(
        links.contains("![[pwa-screenshot.png]]  pwa-screenshot.png (attachment)"),
        "{links}"
    );
    let check = dir.run(&["check"]).ok();
    assert_eq!(
        check,
        "Checked My garden: the database, 223 documents and 3 attachments are sound.\n"
    );
}

#[test]
fn bad_input_is_reported_with_the_option_that_brings_it_in() {
    let dir = Dir::garden();
    let folder = dir.path().with_file_name("vault");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("big.png"), vec![0u8; 2_500]).unwrap();
    std::fs::write(folder.join("Latin-1.md"), b"caf\xe9").unwrap();
    std::fs::write(folder.join("Fine.md"), "fine").unwrap();
    let source = folder.display().to_string();
    let out = dir
        .run(&["import", &source, "--max-attachment-size", "1K"])
        .ok();
    assert!(
        out.contains(
            "Skipped (2):\n  Latin-1.md: not valid UTF-8 text; --lossy imports it with � in place of the bad bytes\n  big.png: 2.5 KB is over the 1 KB limit; raise it with --max-attachment-size\n"
        ),
        "{out}"
    );
    let out = dir
        .run(&["import", &source, "--lossy", "--max-attachment-size", "3K"])
        .ok();
    assert!(out.contains("(1 new, 0 changed, 1 unchanged)"), "{out}");
    assert!(
        out.contains("Imported with � in place of bytes that are not UTF-8 (1):\n  Latin-1.md\n"),
        "{out}"
    );
    assert_eq!(dir.run(&["cat", "Latin-1"]).ok(), "caf\u{fffd}\n");

    let err = dir.run(&["import", "/no/such/folder"]).fails(66);
    assert!(
        err.starts_with("error: cannot import /no/such/folder: "),
        "{err}"
    );
    let err = dir
        .run(&["import", &source, "--max-attachment-size", "lots"])
        .fails(2);
    assert!(err.contains("`lots` is not a size"), "{err}");
}
