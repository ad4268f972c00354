//! Importing folders of markdown and exporting gardens back as folders:
//! the shared SilverBullet vault with exact counts, the byte-for-byte round
//! trip, idempotent re-imports that merge with edits made in Loam, and every
//! kind of bad input.
//!
//! Small vaults are written with [`Vault::new`] from `(path, content)`
//! pairs; a content of [`FIFO`], [`DANGLING`] or a `link:` prefix makes a
//! named pipe, a link to nothing or a symbolic link instead of a file.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use loam_node::{
    ExportOptions, Garden, ImportOptions, ImportPhase, ImportReport, ListQuery, Node, NodeError,
};
use loam_store::Store;

/// The shared test vault (tests/data/vaults/silverbullet-docs).
fn shared_vault() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/vaults/silverbullet-docs")
}

/// A named pipe in a [`Vault`] spec.
const FIFO: &[u8] = b"\0fifo";
/// A symbolic link to a file that does not exist.
const DANGLING: &[u8] = b"\0dangling";

/// A data directory with one garden, and folders to import and export.
struct Fixture {
    dir: tempfile::TempDir,
    node: Node,
    garden: Arc<Garden>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let node = Node::open(dir.path().join("data")).unwrap();
        let garden = node.create_garden("Vault").unwrap();
        Self { dir, node, garden }
    }

    fn import(&self, source: &Path) -> ImportReport {
        self.import_with(source, &ImportOptions::default())
    }

    fn import_with(&self, source: &Path, options: &ImportOptions) -> ImportReport {
        self.garden.import(source, options, &mut |_| {}).unwrap()
    }

    /// A folder beside the data directory.
    fn folder(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The text of the document imported from `path`.
    fn text(&self, path: &str) -> String {
        let id = self.id(path);
        self.garden.note(id).unwrap().text
    }

    fn id(&self, path: &str) -> loam_node::DocId {
        let rows = self.garden.list(&ListQuery::default()).unwrap();
        rows.iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("no document from {path}"))
            .id
    }

    /// Every document's heads and chunk count, by path, read from the
    /// database itself.
    fn stored_state(&self) -> BTreeMap<String, (Vec<String>, u64)> {
        let db = self
            .node
            .data_dir()
            .join("gardens")
            .join(self.garden.id().to_string())
            .join("garden.db");
        self.garden.flush().unwrap();
        let store = Store::open_read_only(&db).unwrap();
        let query = ListQuery {
            archived: loam_node::ArchivedFilter::Include,
            ..ListQuery::default()
        };
        store
            .list(&query)
            .unwrap()
            .into_iter()
            .map(|row| {
                let chunks = store.chunk_stats(row.id).unwrap().unwrap().chunks;
                (format!("{}|{}", row.path, row.id), (row.heads, chunks))
            })
            .collect()
    }
}

/// A folder of files to import.
struct Vault {
    root: PathBuf,
}

impl Vault {
    fn new(root: PathBuf, files: &[(&str, &[u8])]) -> Self {
        let vault = Self { root };
        std::fs::create_dir_all(&vault.root).unwrap();
        for (path, content) in files {
            vault.write(path, content);
        }
        vault
    }

    fn write(&self, path: &str, content: &[u8]) {
        let full = self.root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        if content == FIFO {
            let status = std::process::Command::new("mkfifo")
                .arg(&full)
                .status()
                .unwrap();
            assert!(status.success());
        } else if content == DANGLING {
            std::os::unix::fs::symlink(self.root.join("nowhere.md"), &full).unwrap();
        } else if let Some(target) = content.strip_prefix(b"link:") {
            std::os::unix::fs::symlink(std::str::from_utf8(target).unwrap(), &full).unwrap();
        } else {
            std::fs::write(full, content).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by `/`-separated relative path.
fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(key, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn skipped(report: &ImportReport) -> Vec<String> {
    report
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.path, s.reason))
        .collect()
}

#[test]
fn the_shared_vault_imports_with_exact_counts() {
    let fixture = Fixture::new();
    let mut phases = Vec::new();
    let report = fixture
        .garden
        .import(&shared_vault(), &ImportOptions::default(), &mut |p| {
            if phases.last() != Some(&p.phase) {
                phases.push(p.phase);
            }
        })
        .unwrap();
    assert_eq!(
        phases,
        [
            ImportPhase::Scanning,
            ImportPhase::Reading,
            ImportPhase::Writing
        ]
    );
    // 223 markdown files: a page each, except the 33 whose name repeats in a
    // folder nearer the root (API/command.md beside Command.md, ...).
    assert_eq!((report.pages, report.notes), (190, 33));
    assert_eq!(report.docs.created, 223);
    assert_eq!(report.as_notes.len(), 33);
    let command = report
        .as_notes
        .iter()
        .find(|n| n.path == "API/command.md")
        .unwrap();
    assert_eq!(
        command.reason.to_string(),
        "its name repeats; Command.md is the page"
    );
    // Three screenshots; only one is embedded anywhere.
    assert_eq!((report.attachments.total, report.attachments.new), (3, 3));
    assert_eq!(report.attachments.bytes, 62_023 + 103_286 + 623_312);
    assert_eq!(
        report.unreferenced,
        ["demo-video-screenshot.png", "ios-app-screenshot.png"]
    );
    // Wikilinks and embeds outside code (1283), of which 102 resolve to
    // nothing: SilverBullet's virtual pages (`[[^Library/Std/...]]`),
    // position links (`[[CHANGELOG@123]]`), Lua queries written inside
    // `[[...]]`, and pages that do not exist.
    assert_eq!(report.links, 1283);
    assert_eq!(report.unresolved.len(), 102);
    let unresolved: Vec<(&str, &str)> = report
        .unresolved
        .iter()
        .map(|u| (u.path.as_str(), u.link.as_str()))
        .collect();
    for expected in [
        ("Link.md", "[[CHANGELOG@123]]"),
        ("Object/relation.md", "[[Angela]]"),
        ("CONFIG.md", "[[^Library/Std/Config]]"),
        ("Library.md", "[[^Library/Std/Widgets/Widgets|Widgets]]"),
    ] {
        assert!(unresolved.contains(&expected), "{expected:?}");
    }
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.case_clashes.is_empty() && report.renamed.is_empty());

    // Obsidian's resolution: by name ignoring case, the page where names
    // repeat, by the end of the path, through frontmatter aliases.
    let garden = &fixture.garden;
    let outgoing = |path: &str| -> Vec<(String, Option<String>)> {
        garden
            .outgoing(fixture.id(path))
            .unwrap()
            .into_iter()
            .map(|o| {
                let to = o
                    .resolved
                    .map(|id| garden.note(id).unwrap().row.path)
                    .or(o.attachment);
                (o.link.target, to)
            })
            .collect()
    };
    let lua = outgoing("Space Lua/Standard Library.md");
    assert!(lua.contains(&("API/global".into(), Some("API/global.md".into()))));
    assert!(lua.contains(&("API/table".into(), Some("API/table.md".into()))));
    let browser = outgoing("Browser.md");
    assert!(browser.contains(&(
        "pwa-screenshot.png".into(),
        Some("pwa-screenshot.png".into())
    )));
    assert_eq!(
        garden.resolve("command").unwrap(),
        fixture.id("Command.md"),
        "a bare name is the page's"
    );
    assert_eq!(
        garden.resolve("API/command").unwrap(),
        fixture.id("API/command.md")
    );
    assert!(garden.check().unwrap().is_ok());
    assert_eq!(garden.check().unwrap().attachments, 3);
}

#[test]
fn an_export_gives_back_every_file_byte_for_byte() {
    let fixture = Fixture::new();
    fixture.import(&shared_vault());
    let out = fixture.folder("export");
    let report = fixture
        .garden
        .export(&out, &ExportOptions::default())
        .unwrap();
    assert_eq!(
        (report.pages, report.notes, report.attachments),
        (190, 33, 3)
    );
    assert!(report.renamed.is_empty(), "{:?}", report.renamed);
    let original = files_in(&shared_vault());
    let exported = files_in(&out);
    assert_eq!(original.len(), 226);
    assert_eq!(
        original.keys().collect::<Vec<_>>(),
        exported.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &original {
        assert!(exported[path] == *bytes, "{path} differs");
    }
}

#[test]
fn a_second_import_changes_nothing() {
    let fixture = Fixture::new();
    fixture.import(&shared_vault());
    let before = fixture.stored_state();
    let again = fixture.import(&shared_vault());
    assert_eq!(again.docs.unchanged, 223);
    assert_eq!((again.docs.created, again.docs.updated), (0, 0));
    assert_eq!((again.attachments.unchanged, again.attachments.new), (3, 0));
    assert_eq!((again.pages, again.notes), (190, 33));
    assert!(again.missing.is_empty());
    assert_eq!(
        fixture.stored_state(),
        before,
        "no new change, no new chunk"
    );
}

#[test]
fn a_changed_file_is_an_edit_that_merges_with_edits_made_in_loam() {
    let fixture = Fixture::new();
    let vault = Vault::new(
        fixture.folder("vault"),
        &[("Notes/Plan.md", b"one\ntwo\nthree\n"), ("Other.md", b"x")],
    );
    fixture.import(&vault.root);
    let id = fixture.id("Notes/Plan.md");
    // Made in Loam meanwhile: the first line.
    fixture
        .garden
        .replace_text(id, "ONE\ntwo\nthree\n")
        .unwrap();
    let before = fixture.stored_state();
    // Changed in the folder: the last line.
    vault.write("Notes/Plan.md", b"one\ntwo\nTHREE\n");
    let report = fixture.import(&vault.root);
    assert_eq!(
        (
            report.docs.updated,
            report.docs.merged,
            report.docs.unchanged
        ),
        (1, 1, 1)
    );
    assert_eq!(fixture.text("Notes/Plan.md"), "ONE\ntwo\nTHREE\n");
    let after = fixture.stored_state();
    let key = format!("Notes/Plan.md|{id}");
    assert_eq!(after[&key].1, before[&key].1 + 1, "one new chunk: one edit");
    assert_eq!(after.len(), 2, "nothing duplicated");

    // The same file again: nothing to do, the edit made in Loam stays.
    let report = fixture.import(&vault.root);
    assert_eq!(report.docs.unchanged, 2);
    assert_eq!(fixture.text("Notes/Plan.md"), "ONE\ntwo\nTHREE\n");
    // A later change of the file is diffed against what the last import
    // wrote, so the edit made in Loam still stays.
    vault.write("Notes/Plan.md", b"one\n2\nTHREE\n");
    fixture.import(&vault.root);
    assert_eq!(fixture.text("Notes/Plan.md"), "ONE\n2\nTHREE\n");
}

#[test]
fn new_files_are_added_and_gone_files_reported_not_deleted() {
    let fixture = Fixture::new();
    let vault = Vault::new(
        fixture.folder("vault"),
        &[("Keep.md", b"keep"), ("Gone.md", b"[[Keep]]")],
    );
    fixture.import(&vault.root);
    std::fs::remove_file(vault.root.join("Gone.md")).unwrap();
    vault.write("New.md", b"new [[Keep]]");
    let report = fixture.import(&vault.root);
    assert_eq!((report.docs.created, report.docs.unchanged), (1, 1));
    let missing: Vec<&str> = report.missing.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(missing, ["Gone.md"]);
    assert_eq!(fixture.text("Gone.md"), "[[Keep]]", "kept");
    assert_eq!(fixture.garden.count(&ListQuery::default()).unwrap(), 3);
}

#[test]
fn bad_input_is_reported_and_the_rest_imported() {
    let fixture = Fixture::new();
    let big = vec![b'x'; 2_000];
    let vault = Vault::new(
        fixture.folder("vault"),
        &[
            (".obsidian/app.json", b"{}"),
            (".git/HEAD", b"ref"),
            (".trash/Old.md", b"old"),
            (".hidden.md", b"hidden"),
            ("Notes/.draft.md", b"draft"),
            ("Latin-1.md", b"caf\xe9"),
            ("big.png", &big),
            ("Big note.md", &big),
            ("pipe.md", FIFO),
            ("Gone.md", DANGLING),
            ("Loop/back", b"link:.."),
            ("Loop/Inside.md", b"inside"),
            ("Folder.md/Child.md", b"a folder named like a note"),
            ("Note.md", b"upper"),
            ("note.md", b"lower"),
            ("C# [draft] | v2.md", b"odd name"),
            (
                "Windows.md",
                b"\xef\xbb\xbfline\r\nline\r\nno final newline",
            ),
            ("Fine.md", b"fine ![[small.png]]"),
            ("small.png", b"png"),
        ],
    );
    let options = ImportOptions {
        max_attachment_bytes: 1_000,
        lossy: false,
    };
    let report = fixture.import_with(&vault.root, &options);
    let vault_path = vault.root.canonicalize().unwrap();
    assert_eq!(
        skipped(&report),
        [
            ".git: a git repository's data".to_owned(),
            ".hidden.md: a hidden file".to_owned(),
            ".obsidian: Obsidian's settings folder".to_owned(),
            ".trash: Obsidian's trash".to_owned(),
            "Big note.md: 2 KB is over the 1 KB limit".to_owned(),
            format!(
                "Gone.md: cannot be read: a link to {}, which does not exist",
                vault.root.join("nowhere.md").display()
            ),
            "Latin-1.md: not valid UTF-8 text; a lossy import keeps it with � in place of the bad bytes"
                .to_owned(),
            format!(
                "Loop/back: a link to a folder imported already ({})",
                vault_path.display()
            ),
            "Notes/.draft.md: a hidden file".to_owned(),
            "big.png: 2 KB is over the 1 KB limit".to_owned(),
            "pipe.md: not a file (a named pipe, socket or device)".to_owned(),
        ]
    );
    // Everything else came in.
    assert_eq!(report.docs.created, 7);
    assert_eq!(report.attachments.total, 1);
    assert_eq!(
        report.case_clashes,
        [vec!["Note.md".to_owned(), "note.md".to_owned()]]
    );
    assert_eq!(fixture.text("Note.md"), "upper");
    assert_eq!(fixture.text("note.md"), "lower");
    assert_eq!(
        fixture.text("Folder.md/Child.md"),
        "a folder named like a note"
    );
    assert_eq!(fixture.text("Loop/Inside.md"), "inside");
    let renamed: Vec<(&str, &str)> = report
        .renamed
        .iter()
        .map(|r| (r.path.as_str(), r.title.as_str()))
        .collect();
    assert_eq!(renamed, [("C# [draft] | v2.md", "C＃ ［draft］ ｜ v2")]);
    assert_eq!(
        fixture.text("Windows.md"),
        "\u{feff}line\r\nline\r\nno final newline"
    );

    // What came in goes back out as it was.
    let out = fixture.folder("out");
    fixture
        .garden
        .export(&out, &ExportOptions::default())
        .unwrap();
    let exported = files_in(&out);
    for path in [
        "C# [draft] | v2.md",
        "Windows.md",
        "Note.md",
        "note.md",
        "Folder.md/Child.md",
        "Loop/Inside.md",
        "small.png",
    ] {
        assert_eq!(
            exported[path],
            std::fs::read(vault.root.join(path)).unwrap(),
            "{path}"
        );
    }
    assert_eq!(exported.len(), 8);

    // With --lossy the Latin-1 note comes in, its bad byte replaced.
    let lossy = ImportOptions {
        lossy: true,
        ..options
    };
    let report = fixture.import_with(&vault.root, &lossy);
    assert_eq!(report.lossy, ["Latin-1.md"]);
    assert_eq!(report.docs.created, 1);
    assert_eq!(fixture.text("Latin-1.md"), "caf\u{fffd}");
}

#[test]
fn a_folder_that_cannot_be_imported_is_an_error() {
    let fixture = Fixture::new();
    let missing = fixture.folder("missing");
    let err = fixture
        .garden
        .import(&missing, &ImportOptions::default(), &mut |_| {})
        .unwrap_err();
    assert!(matches!(err, NodeError::ImportSource { .. }), "{err}");
    let file = fixture.folder("file.md");
    std::fs::write(&file, "x").unwrap();
    let err = fixture
        .garden
        .import(&file, &ImportOptions::default(), &mut |_| {})
        .unwrap_err();
    assert!(err.to_string().ends_with("file.md: not a folder"), "{err}");
}

#[test]
fn pages_and_notes_follow_the_nearest_file_to_the_root() {
    let fixture = Fixture::new();
    fixture
        .garden
        .create(loam_node::NewDoc::page("Taken", "made in Loam"))
        .unwrap();
    let vault = Vault::new(
        fixture.folder("vault"),
        &[
            ("deep/er/Topic.md", b"deepest"),
            ("a/Topic.md", b"nearer"),
            ("b/topic.md", b"as near, longer path"),
            ("Forced.md", b"---\nloam-kind: note\n---\nforced"),
            ("x/Chosen.md", b"---\nloam-kind: page\n---\nchosen"),
            ("Chosen.md", b"at the root"),
            ("sub/Taken.md", b"a page of this title exists"),
        ],
    );
    let report = fixture.import(&vault.root);
    let reasons: Vec<String> = report
        .as_notes
        .iter()
        .map(|n| format!("{}: {}", n.path, n.reason))
        .collect();
    let taken = fixture.garden.resolve("Taken").unwrap();
    assert_eq!(
        reasons,
        [
            "Chosen.md: its name repeats; x/Chosen.md is the page".to_owned(),
            "Forced.md: its frontmatter says `loam-kind: note`".to_owned(),
            "b/topic.md: its name repeats; a/Topic.md is the page".to_owned(),
            "deep/er/Topic.md: its name repeats; a/Topic.md is the page".to_owned(),
            format!("sub/Taken.md: a page of that title exists ({taken})"),
        ]
    );
    assert_eq!((report.pages, report.notes), (2, 5));
}

#[test]
fn attachments_are_deduplicated_and_shown_in_previews() {
    let fixture = Fixture::new();
    let vault = Vault::new(
        fixture.folder("vault"),
        &[
            ("img/pic.png", b"the same bytes"),
            ("copy/pic copy.png", b"the same bytes"),
            ("doc.pdf", b"%PDF"),
            (
                "Notes/Show.md",
                b"![[pic.png]] ![alt](../img/pic.png) [the pdf](../doc.pdf)",
            ),
        ],
    );
    let report = fixture.import(&vault.root);
    assert_eq!(
        (report.attachments.total, report.attachments.deduplicated),
        (3, 1)
    );
    assert_eq!(report.unreferenced, ["copy/pic copy.png"]);
    let rows = fixture.garden.attachments().unwrap();
    let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["copy/pic copy.png", "doc.pdf", "img/pic.png"]);
    assert_eq!(rows[0].hash, rows[2].hash, "the same bytes, stored once");
    let hash = loam_node::ContentHash::of(b"the same bytes");
    let html = fixture.garden.render(fixture.id("Notes/Show.md")).unwrap();
    let url = loam_node::attachment_url(hash);
    assert!(
        html.contains(&format!(
            r#"<img class="embed image" src="{url}" alt="pic.png" data-target="pic.png">"#
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<img src="{url}" alt="alt">"#)),
        "{html}"
    );
    let pdf = loam_node::attachment_url(loam_node::ContentHash::of(b"%PDF"));
    assert!(html.contains(&format!(r#"<a href="{pdf}""#)), "{html}");
    assert_eq!(
        fixture.garden.attachment(hash).unwrap().unwrap(),
        b"the same bytes"
    );
}

#[test]
fn an_export_refuses_a_folder_that_is_not_empty() {
    let fixture = Fixture::new();
    let out = fixture.folder("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep me").unwrap();
    let err = fixture
        .garden
        .export(&out, &ExportOptions::default())
        .unwrap_err();
    assert!(matches!(err, NodeError::ExportNotEmpty { .. }), "{err}");
    fixture
        .garden
        .create(loam_node::NewDoc::note("Soil", "loam"))
        .unwrap();
    let forced = ExportOptions {
        force: true,
        ..ExportOptions::default()
    };
    fixture.garden.export(&out, &forced).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("mine.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("Soil.md")).unwrap(),
        "loam"
    );
}

#[test]
fn documents_made_in_loam_get_safe_file_names() {
    let fixture = Fixture::new();
    let garden = &fixture.garden;
    let new = |title: &str, folder: &str, body: &str, tags: &[&str]| loam_node::NewDoc {
        folder: folder.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..loam_node::NewDoc::note(title, body)
    };
    garden.create(new("Idea", "", "first", &[])).unwrap();
    garden.create(new("Idea", "", "second", &[])).unwrap();
    garden
        .create(new("What? Why", "Lab/2026", "q", &[]))
        .unwrap();
    garden
        .create(new("Tagged", "", "body", &["soil", "a b"]))
        .unwrap();
    let archived = garden.create(new("Old", "", "old", &[])).unwrap();
    garden.archive(archived).unwrap();
    let out = fixture.folder("out");
    let report = garden.export(&out, &ExportOptions::default()).unwrap();
    let files = files_in(&out);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Idea (2).md",
            "Idea.md",
            "Lab/2026/What- Why.md",
            "Tagged.md"
        ]
    );
    assert_eq!(files["Idea.md"], b"first");
    assert_eq!(
        files["Tagged.md"],
        b"---\ntags:\n  - \"a b\"\n  - soil\n---\nbody"
    );
    let reasons: Vec<String> = report
        .renamed
        .iter()
        .map(|r| format!("{} -> {}: {}", r.title, r.path, r.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            "Idea -> Idea (2).md: another note has that file name",
            "What? Why -> Lab/2026/What- Why.md: its title holds characters a file name cannot",
        ]
    );
    let with_archived = ExportOptions {
        archived: true,
        force: true,
    };
    garden.export(&out, &with_archived).unwrap();
    assert!(out.join("Old.md").exists());

    // Importing the export into the same garden finds each document by the
    // file it was exported to: the text unchanged, or (tags written into
    // frontmatter) an edit. Only the renamed twin is new.
    let report = fixture.import(&out);
    assert_eq!(
        (
            report.docs.created,
            report.docs.updated,
            report.docs.unchanged
        ),
        (1, 1, 3),
        "{report:?}"
    );
    assert_eq!(garden.count(&ListQuery::default()).unwrap(), 5);
}
