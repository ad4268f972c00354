//! The service as the CLI and the desktop app use it.
//!
//! Gardens are written in a compact notation: each document starts with a
//! line `== page: Title` or `== note: Title`, followed by its body.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use std::collections::HashMap;
use std::sync::Arc;

use loam_node::{
    ArchivedFilter, DocId, DocKind, Event, Garden, ListQuery, NewDoc, Node, NodeError, SearchQuery,
    Sort, TextEdit,
};

struct Fixture {
    _dir: tempfile::TempDir,
    node: Node,
    garden: Arc<Garden>,
    ids: HashMap<String, DocId>,
}

impl Fixture {
    fn id(&self, title: &str) -> DocId {
        self.ids[title]
    }

    fn text(&self, title: &str) -> String {
        self.garden.note(self.id(title)).unwrap().text
    }

    fn titles(&self, rows: impl IntoIterator<Item = loam_node::DocRow>) -> Vec<String> {
        rows.into_iter().map(|r| r.title).collect()
    }
}

fn garden(spec: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.create_garden("Test").unwrap();
    let mut ids = HashMap::new();
    for block in spec.split("== ").filter(|b| !b.trim().is_empty()) {
        let (head, body) = block.split_once('\n').unwrap_or((block, ""));
        let (kind, title) = head.split_once(": ").unwrap();
        let kind = if kind == "page" {
            DocKind::Page
        } else {
            DocKind::Note
        };
        let new = NewDoc {
            kind,
            title: title.trim().to_owned(),
            body: body.to_owned(),
            tags: vec![],
            folder: String::new(),
            path: String::new(),
        };
        let id = garden.create(new).unwrap();
        ids.insert(title.trim().to_owned(), id);
    }
    Fixture {
        _dir: dir,
        node,
        garden,
        ids,
    }
}

#[test]
fn create_and_read_back() {
    let f = garden("== page: Welcome\nHello [[Notes]] #intro\n== note: Notes\nsome notes\n");
    let view = f.garden.note(f.id("Welcome")).unwrap();
    assert_eq!(view.text, "Hello [[Notes]] #intro\n");
    assert_eq!(view.row.kind, DocKind::Page);
    assert_eq!(view.row.tags, vec!["intro".to_owned()]);
    assert!(view.row.created > 1_700_000_000_000, "a real timestamp");
    assert_eq!(f.garden.resolve("welcome").unwrap(), f.id("Welcome"));
    assert_eq!(
        f.garden.resolve(&f.id("Notes").to_string()).unwrap(),
        f.id("Notes")
    );
    assert_eq!(
        f.garden.resolve(&f.id("Notes").to_string()[..8]).unwrap(),
        f.id("Notes")
    );
}

#[test]
fn page_titles_are_unique_ignoring_case_but_notes_may_repeat() {
    let f = garden("== page: Soil\n\n== note: Idea\n\n");
    let err = f.garden.create(NewDoc::page("soil", "")).unwrap_err();
    assert!(
        matches!(err, NodeError::PageTitleTaken { existing, .. } if existing == f.id("Soil")),
        "{err}"
    );
    let second = f.garden.create(NewDoc::note("Idea", "another")).unwrap();
    let err = f.garden.resolve("idea").unwrap_err();
    assert!(
        matches!(err, NodeError::Ambiguous { ref candidates, .. } if candidates.len() == 2),
        "{err}"
    );
    assert_eq!(f.garden.resolve(&second.to_string()).unwrap(), second);
    // A page and a note may share a title; the page wins.
    f.garden.create(NewDoc::note("Soil", "")).unwrap();
    assert_eq!(f.garden.resolve("SOIL").unwrap(), f.id("Soil"));
    let err = f.garden.rename(f.id("Soil"), "Idea").map(|_| ());
    assert!(err.is_ok(), "a page may take a note's title");
}

#[test]
fn bad_titles_are_refused() {
    let f = garden("");
    for bad in ["", "  ", "a\nb", "[[x]]", "a|b", "C#"] {
        let err = f.garden.create(NewDoc::note(bad, "")).unwrap_err();
        assert!(
            matches!(err, NodeError::InvalidTitle { .. }),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn unknown_titles_suggest_the_closest() {
    let f = garden("== page: Welcome to Loam\n\n== page: Compost\n\n");
    let err = f.garden.resolve("compst").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no note or page called `compst`; did you mean `Compost`?"
    );
}

#[test]
fn splices_group_into_one_change_and_survive_reopening() {
    let f = garden("== note: Draft\nab\n");
    let id = f.id("Draft");
    for (i, c) in "cdef".chars().enumerate() {
        f.garden.splice(id, 2 + i, 0, &c.to_string()).unwrap();
    }
    assert_eq!(
        f.text("Draft"),
        "ab\n",
        "uncommitted edits are not stored yet"
    );
    assert!(f.garden.commit(id).unwrap().is_some());
    assert_eq!(f.garden.commit(id).unwrap(), None, "nothing pending");
    f.garden
        .edit(
            id,
            &[TextEdit {
                pos: 0,
                delete: 1,
                insert: "A".into(),
            }],
        )
        .unwrap();
    assert_eq!(f.text("Draft"), "Abcdef\n");

    let dir = f.node.data_dir().to_owned();
    drop(f.garden);
    drop(f.node);
    let node = Node::open(&dir).unwrap();
    let garden = node.default_garden().unwrap();
    assert_eq!(garden.note(id).unwrap().text, "Abcdef\n");
    let report = garden.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}

#[test]
fn out_of_range_edits_are_errors_and_change_nothing() {
    let f = garden("== note: N\nabc\n");
    let id = f.id("N");
    let err = f.garden.edit(
        id,
        &[
            TextEdit {
                pos: 2,
                delete: 0,
                insert: "x".into(),
            },
            TextEdit {
                pos: 99,
                delete: 1,
                insert: String::new(),
            },
        ],
    );
    assert!(err.is_err());
    assert_eq!(f.text("N"), "abc\n");
    f.garden
        .edit(
            id,
            &[TextEdit {
                pos: 3,
                delete: 0,
                insert: "d".into(),
            }],
        )
        .unwrap();
    assert_eq!(
        f.text("N"),
        "abcd\n",
        "the failed edit left nothing pending"
    );
}

#[test]
fn replace_text_is_a_diff_that_merges_with_pending_edits() {
    let f = garden("== note: N\none two three\n");
    let id = f.id("N");
    let summary = f.garden.replace_text(id, "one 2 three\n").unwrap();
    assert!(summary.changed);
    assert!(
        !f.garden.replace_text(id, "one 2 three\n").unwrap().changed,
        "same text, no change"
    );
    assert_eq!(f.text("N"), "one 2 three\n");
}

#[test]
fn rename_rewrites_links_to_the_old_title() {
    let f = garden(
        "== page: Soil\nabout soil\n\
         == note: A\nsee [[Soil]] and [[soil#Layers|the layers]] and ![[Soil]]\n\
         == note: B\nno link to Soil here, but `[[Soil]]` in code\n\
         == note: C\n[[Other]]\n",
    );
    let report = f.garden.rename(f.id("Soil"), "Living soil").unwrap();
    assert_eq!(report.from, "Soil");
    assert_eq!(
        report
            .rewritten
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>(),
        ["A"]
    );
    assert_eq!(
        f.text("A"),
        "see [[Living soil]] and [[Living soil#Layers|the layers]] and ![[Living soil]]\n"
    );
    assert_eq!(
        f.text("B"),
        "no link to Soil here, but `[[Soil]]` in code\n"
    );
    let backlinks = f.garden.backlinks(f.id("Soil")).unwrap();
    assert_eq!(f.titles(backlinks.into_iter().map(|b| b.source)), ["A"]);
    assert!(
        f.garden
            .broken_links()
            .unwrap()
            .iter()
            .all(|b| b.link.target != "Soil")
    );
}

#[test]
fn rename_leaves_links_that_mean_another_note() {
    let f = garden("== note: Idea\nfirst\n== note: Idea\nsecond\n== note: A\n[[Idea]]\n");
    let ids: Vec<DocId> = f
        .garden
        .list(&ListQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.title == "Idea")
        .map(|r| r.id)
        .collect();
    let meant = f.garden.outgoing(f.id("A")).unwrap()[0].resolved.unwrap();
    let other = ids.into_iter().find(|id| *id != meant).unwrap();
    let report = f.garden.rename(other, "Idea two").unwrap();
    assert!(
        report.rewritten.is_empty(),
        "[[Idea]] still names the other note"
    );
    assert_eq!(f.text("A"), "[[Idea]]\n");
}

#[test]
fn archived_documents_leave_lists_search_and_links() {
    let f = garden("== page: Compost\nturn the heap\n== note: A\n[[Compost]]\n");
    let id = f.id("Compost");
    assert!(f.garden.archive(id).unwrap());
    assert!(!f.garden.archive(id).unwrap(), "already archived");
    assert_eq!(
        f.titles(f.garden.list(&ListQuery::default()).unwrap()),
        ["A"]
    );
    let only = ListQuery {
        archived: ArchivedFilter::Only,
        ..ListQuery::default()
    };
    assert_eq!(f.titles(f.garden.list(&only).unwrap()), ["Compost"]);
    let search = SearchQuery {
        text: "heap".into(),
        limit: 10,
        include_archived: false,
    };
    assert!(f.garden.search(&search).unwrap().is_empty());
    assert_eq!(
        f.garden.broken_links().unwrap().len(),
        1,
        "a link to an archived page is unresolved"
    );
    // The archived page still holds its title.
    assert!(matches!(
        f.garden.create(NewDoc::page("compost", "")),
        Err(NodeError::PageTitleTaken { .. })
    ));
    assert!(f.garden.restore(id).unwrap());
    assert_eq!(f.garden.search(&search).unwrap().len(), 1);
    assert!(f.garden.broken_links().unwrap().is_empty());
}

#[test]
fn queries_answer_from_the_index() {
    let f = garden(
        "== page: Compost\nGreens and browns. #garden/soil\n\
         == note: Heap log\nTurned the compost heap. [[Compost]] [[Missing page]] #garden\n\
         == note: Tea\nCompost tea is mentioned here without a link.\n",
    );
    let hits = f
        .garden
        .search(&SearchQuery {
            text: "compost".into(),
            limit: 10,
            include_archived: false,
        })
        .unwrap();
    assert_eq!(hits[0].row.title, "Compost", "a title match ranks first");
    assert_eq!(hits.len(), 3);
    let tagged = ListQuery {
        tag: Some("garden".into()),
        sort: Sort::Title,
        ..ListQuery::default()
    };
    assert_eq!(
        f.titles(f.garden.list(&tagged).unwrap()),
        ["Compost", "Heap log"],
        "nested tags count"
    );
    let out = f.garden.outgoing(f.id("Heap log")).unwrap();
    let resolved: Vec<(String, Option<DocId>)> = out
        .into_iter()
        .map(|o| (o.link.target, o.resolved))
        .collect();
    assert_eq!(
        resolved,
        [
            ("Compost".to_owned(), Some(f.id("Compost"))),
            ("Missing page".to_owned(), None)
        ]
    );
    let mentions = f.garden.unlinked_mentions(f.id("Compost")).unwrap();
    assert_eq!(f.titles(mentions.iter().map(|m| m.source.clone())), ["Tea"]);
    assert_eq!(&mentions[0].context[mentions[0].range.clone()], "Compost");
    let tags: Vec<(String, u64)> = f
        .garden
        .tags()
        .unwrap()
        .into_iter()
        .map(|t| (t.tag, t.count))
        .collect();
    assert_eq!(
        tags,
        [("garden".to_owned(), 1), ("garden/soil".to_owned(), 1)]
    );
    let html = f.garden.render(f.id("Heap log")).unwrap();
    assert!(html.contains("unresolved"), "{html}");
}

#[test]
fn events_announce_every_change() {
    let f = garden("");
    let mut events = f.node.subscribe();
    let id = f.garden.create(NewDoc::note("N", "x")).unwrap();
    f.garden.replace_text(id, "y").unwrap();
    f.garden.rename(id, "M").unwrap();
    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        kinds.push(match event {
            Event::DocCreated { doc, .. } => format!("created {}", doc == id),
            Event::DocChanged { doc, .. } => format!("changed {}", doc == id),
            Event::DocRenamed { from, to, .. } => format!("renamed {from}->{to}"),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(
        kinds,
        [
            "created true",
            "changed true",
            "changed true",
            "changed true",
            "renamed N->M"
        ]
    );
}

#[test]
fn compaction_keeps_the_document() {
    let f = garden("== note: Long\n\n");
    let id = f.id("Long");
    for i in 0..100 {
        f.garden
            .edit(
                id,
                &[TextEdit {
                    pos: i,
                    delete: 0,
                    insert: "x".into(),
                }],
            )
            .unwrap();
    }
    f.garden.compact_all().unwrap();
    assert_eq!(f.text("Long"), format!("{}\n", "x".repeat(100)));
    assert!(f.garden.check().unwrap().is_ok());
}

#[test]
fn two_nodes_on_one_data_dir_merge_their_edits() {
    // The desktop app and a `loam edit` in a terminal share a data directory.
    let f = garden("== note: Shared\none two three\n");
    let id = f.id("Shared");
    let other = Node::open(f.node.data_dir()).unwrap();
    let other_garden = other.default_garden().unwrap();
    f.garden.splice(id, 0, 3, "ONE").unwrap();
    other_garden.replace_text(id, "one two THREE\n").unwrap();
    f.garden.commit(id).unwrap();
    f.garden.flush().unwrap();
    assert_eq!(f.text("Shared"), "ONE two THREE\n");
    assert!(f.garden.check().unwrap().is_ok());
}

#[test]
fn gardens_are_listed_and_chosen_by_name() {
    let f = garden("");
    f.node.create_garden("Second").unwrap();
    let names: Vec<String> = f
        .node
        .gardens()
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["Second", "Test"]);
    assert_eq!(f.node.garden("second").unwrap().name(), "Second");
    assert_eq!(
        f.node.default_garden().unwrap().name(),
        "Test",
        "the first garden is the default"
    );
    assert!(matches!(
        f.node.create_garden("test"),
        Err(NodeError::GardenExists(_))
    ));
    let err = f.node.garden("nope").unwrap_err();
    assert!(err.to_string().contains("`Second`"), "{err}");
}

#[test]
fn the_demo_garden_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.create_demo_garden("Demo").unwrap();
    assert!(garden.count(&ListQuery::default()).unwrap() >= 6);
    let welcome = garden.resolve(loam_node::demo::WELCOME).unwrap();
    assert!(!garden.outgoing(welcome).unwrap().is_empty());
    let broken: Vec<String> = garden
        .broken_links()
        .unwrap()
        .into_iter()
        .map(|b| b.link.target)
        .collect();
    assert!(
        broken.iter().all(|t| t == "Facilitation handbook"),
        "only the deliberate one: {broken:?}"
    );
    assert!(garden.check().unwrap().is_ok());

    // The community layer, there from the start: the index with a featured
    // page and its reason, guidelines the planter already acknowledged, a
    // reading path and an unanswered question.
    let index = garden.index().unwrap();
    let sections: Vec<(String, Vec<String>)> = index
        .sections
        .iter()
        .map(|s| {
            let entries = s
                .entries
                .iter()
                .map(|e| format!("{}{}", e.title, if e.featured.is_some() { "*" } else { "" }))
                .collect();
            (s.title.clone(), entries)
        })
        .collect();
    let section = |t: &str, e: &[&str]| (t.to_owned(), e.iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(
        sections,
        [
            section("Start here", &["Welcome to Loam*"]),
            section(
                "How Loam works",
                &[
                    "Notes and pages",
                    "Links and backlinks",
                    "Tags",
                    "Finding things"
                ]
            ),
            section(
                "From the workshop",
                &["Workshop ideas", "Compost heap", "Reading list"]
            ),
        ]
    );
    assert!(
        index.sections[0].entries[0]
            .featured
            .as_deref()
            .is_some_and(|r| r.contains("read it first"))
    );
    let guidelines = garden.guidelines().unwrap();
    assert_eq!((guidelines.version, guidelines.needs_ack), (1, false));
    assert!(guidelines.text.contains("Be kind"));
    let paths = garden.paths(node.member_id()).unwrap();
    let titles: Vec<&str> = paths[0].pages.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        (
            paths.len(),
            paths[0].title.as_str(),
            titles.len(),
            titles[0]
        ),
        (1, "First steps", 5, "Welcome to Loam")
    );
    let questions = garden.unanswered_questions().unwrap();
    assert_eq!(questions.len(), 1);
    assert_eq!(questions[0].title, "Does lime belong in the heap?");
    assert_eq!(questions[0].doc, garden.resolve("Compost heap").unwrap());
}

#[test]
fn an_edit_of_an_old_copy_keeps_what_changed_since() {
    // `loam edit`: the member edits a copy while someone else edits the note.
    let f = garden("== note: N\none two three\n");
    let id = f.id("N");
    let base = f.garden.note(id).unwrap().row.heads;
    f.garden.replace_text(id, "ONE two three\n").unwrap();
    let summary = f
        .garden
        .replace_text_since(id, &base, "one two THREE\n")
        .unwrap();
    assert!(summary.changed);
    assert_eq!(f.text("N"), "ONE two THREE\n");
    let err = f
        .garden
        .replace_text_since(id, &["zz".to_owned()], "x")
        .unwrap_err();
    assert!(matches!(err, NodeError::BadHeads(_)), "{err}");
    assert!(f.garden.check().unwrap().is_ok());
}

#[test]
fn repair_rewrites_an_index_that_disagrees() {
    let f = garden("== page: Soil\nabout [[Compost]]\n");
    let id = f.id("Soil");
    // Another connection writes rows that no longer match the document.
    let db = f
        .node
        .data_dir()
        .join("gardens")
        .join(f.garden.id().to_string())
        .join("garden.db");
    let mut store = loam_store::Store::open(&db).unwrap();
    let mut wrong = f.garden.load_document(id).unwrap();
    wrong.body = "something else".into();
    store.write_doc(id, &wrong, &[]).unwrap();
    let report = f.garden.check().unwrap();
    let fields: Vec<String> = report
        .problems
        .iter()
        .map(|p| match p {
            loam_node::CheckProblem::IndexMismatch { field, .. } => field.clone(),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(fields, ["text", "links"]);
    let repaired = f.garden.repair().unwrap();
    assert!(repaired.is_ok(), "{:?}", repaired.problems);
    assert_eq!(repaired.repaired, [id]);
    assert_eq!(f.text("Soil"), "about [[Compost]]\n");
}

#[test]
fn archived_documents_are_found_for_restore() {
    let f = garden("== note: Old idea\nx\n");
    let id = f.id("Old idea");
    f.garden.archive(id).unwrap();
    assert!(f.garden.resolve("old idea").is_err());
    assert_eq!(f.garden.resolve_archived("old idea").unwrap(), id);
    let err = f.garden.resolve_archived("old ide").unwrap_err();
    assert!(err.to_string().contains("did you mean `Old idea`"), "{err}");
}

#[test]
fn a_damaged_garden_does_not_hide_the_others() {
    let f = garden("== note: N\nx\n");
    let db = {
        let node = Node::open(f.node.data_dir()).unwrap();
        let other = node.create_garden("Broken").unwrap();
        node.data_dir()
            .join("gardens")
            .join(other.id().to_string())
            .join("garden.db")
    };
    std::fs::write(&db, b"this is not a database, just some bytes to break it").unwrap();
    let node = Node::open(f.node.data_dir()).unwrap();
    let gardens = node.gardens().unwrap();
    assert_eq!(gardens.len(), 2);
    assert!(gardens.iter().any(|g| g.problem.is_some()));
    assert_eq!(node.garden("Test").unwrap().name(), "Test");
}
