//! History across members: two nodes (two data directories, so two member
//! identities) edit the same note concurrently and exchange their bytes;
//! history, old versions and restore then work on the merged note.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use std::sync::Arc;
use std::time::Duration;

use loam_node::{DocId, Garden, NewDoc, Node, NodeError, When};

struct Member {
    _dir: tempfile::TempDir,
    node: Node,
    garden: Arc<Garden>,
}

fn member() -> Member {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.create_garden("Shared").unwrap();
    Member {
        _dir: dir,
        node,
        garden,
    }
}

/// Send `from`'s stored bytes of `id` to `to`.
fn send(from: &Member, to: &Member, id: DocId) -> loam_node::MergeReport {
    let bytes = from.garden.document_bytes(id).unwrap();
    to.garden.merge_bytes(id, &bytes).unwrap()
}

fn text_at(m: &Member, id: DocId, when: &str) -> String {
    let version = m
        .garden
        .version_at(id, &When::parse(when).unwrap())
        .unwrap();
    m.garden.text_at(id, &version).unwrap()
}

/// Let the clock move on, so that changes made one after the other have
/// different times.
fn tick() {
    std::thread::sleep(Duration::from_millis(3));
}

#[test]
fn two_members_edit_concurrently_and_history_shows_both() {
    let (ana, ben) = (member(), member());
    let id = ana
        .garden
        .create(NewDoc::note("Plan", "one\ntwo\nthree\n"))
        .unwrap();
    let created = send(&ana, &ben, id);
    assert!(created.created && created.changed);
    assert_eq!(ben.garden.note(id).unwrap().text, "one\ntwo\nthree\n");
    tick();
    // Concurrent edits: neither has seen the other's.
    ana.garden.replace_text(id, "ONE\ntwo\nthree\n").unwrap();
    tick();
    ben.garden.replace_text(id, "one\ntwo\nTHREE\n").unwrap();
    send(&ben, &ana, id);
    send(&ana, &ben, id);
    for m in [&ana, &ben] {
        assert_eq!(m.garden.note(id).unwrap().text, "ONE\ntwo\nTHREE\n");
    }
    assert!(!send(&ana, &ben, id).changed, "nothing new the second time");

    // Both see the same history: Ana's session (create, edit), then Ben's.
    let history = ana.garden.history(id).unwrap();
    assert_eq!(history.changes, 3);
    let sessions: Vec<(usize, bool, Option<loam_node::MemberId>, u64)> = history
        .sessions
        .iter()
        .map(|s| (s.number, s.author.you, s.author.member, s.changes))
        .collect();
    assert_eq!(
        sessions,
        vec![
            (1, true, Some(ana.node.member_id()), 2),
            (2, false, Some(ben.node.member_id()), 1)
        ]
    );
    assert_eq!(
        history.sessions[1].author.short,
        ben.node.member_id().short()
    );
    let from_ben = ben.garden.history(id).unwrap();
    assert_eq!(from_ben.sessions.len(), 2);
    assert!(!from_ben.sessions[0].author.you && from_ben.sessions[1].author.you);

    let changes = ana.garden.history_changes(id).unwrap();
    let summary: Vec<(usize, bool, u64, u64)> = changes
        .iter()
        .map(|c| (c.session, c.author.you, c.inserted, c.deleted))
        .collect();
    assert_eq!(
        summary,
        vec![(1, true, 14, 0), (1, true, 3, 3), (2, false, 5, 5)]
    );

    // Old versions, by change hash prefix, session number and time.
    let prefix = |i: usize| changes[i].hash.to_string()[..8].to_owned();
    assert_eq!(text_at(&ana, id, &prefix(0)), "one\ntwo\nthree\n");
    assert_eq!(text_at(&ana, id, &prefix(1)), "ONE\ntwo\nthree\n");
    assert_eq!(
        text_at(&ben, id, &prefix(2)),
        "one\ntwo\nTHREE\n",
        "a change is the version its author saw"
    );
    assert_eq!(text_at(&ana, id, "#1"), "ONE\ntwo\nthree\n");
    assert_eq!(
        text_at(&ben, id, "2"),
        "ONE\ntwo\nTHREE\n",
        "a session is the note as of its end"
    );
    assert_eq!(text_at(&ana, id, "now"), "ONE\ntwo\nTHREE\n");
    assert!(ana.garden.version_at(id, &When::Now).unwrap().current);
    // A moment as RFC 3339 (UTC), the time zone given.
    let rfc3339 = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
    assert_eq!(
        text_at(&ana, id, &rfc3339(changes[1].time)),
        "ONE\ntwo\nthree\n"
    );
    let before = rfc3339(changes[0].time - 1);
    let err = ana
        .garden
        .version_at(id, &When::parse(&before).unwrap())
        .unwrap_err();
    assert!(matches!(err, NodeError::NotYetCreated { .. }), "{err}");
    assert!(err.to_string().contains("did not exist yet"), "{err}");

    // Errors that say what was wrong.
    let err = ana.garden.version_at(id, &When::Session(9)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no session #9: the note's history has 2 (see `loam history`)"
    );
    let unknown = if prefix(0).starts_with("ffff") {
        "eeee"
    } else {
        "ffff"
    };
    let unknown = if changes
        .iter()
        .any(|c| c.hash.to_string().starts_with(unknown))
    {
        "fffe"
    } else {
        unknown
    };
    let err = ana
        .garden
        .version_at(id, &When::Change(unknown.into()))
        .unwrap_err();
    assert!(matches!(err, NodeError::UnknownChange { .. }), "{err}");

    // Restore the first version: a new change by Ana, history kept.
    let first = ana.garden.version_at(id, &When::Change(prefix(0))).unwrap();
    assert!(!first.current);
    tick();
    let restored = ana.garden.restore_version(id, &first).unwrap();
    assert!(restored.changed);
    assert_eq!(ana.garden.note(id).unwrap().text, "one\ntwo\nthree\n");
    assert!(!ana.garden.restore_version(id, &first).unwrap().changed);
    send(&ana, &ben, id);
    assert_eq!(ben.garden.note(id).unwrap().text, "one\ntwo\nthree\n");
    let history = ben.garden.history(id).unwrap();
    assert_eq!(history.changes, 4);
    assert_eq!(history.sessions.len(), 2, "the restore joins Ana's session");
    assert_eq!(history.sessions[0].changes, 3);
    // An old version can still be read after the restore.
    assert_eq!(text_at(&ben, id, &prefix(2)), "one\ntwo\nTHREE\n");

    for m in [&ana, &ben] {
        let report = m.garden.check().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    }
}

#[test]
fn a_number_is_a_session_or_a_change_whichever_the_note_has() {
    let ana = member();
    let id = ana.garden.create(NewDoc::note("Log", "0")).unwrap();
    // Make changes until one has a hash prefix of digits only.
    let mut digits = None;
    for i in 1..200 {
        ana.garden.replace_text(id, &i.to_string()).unwrap();
        digits = ana
            .garden
            .history_changes(id)
            .unwrap()
            .iter()
            .map(|c| c.hash.to_string()[..6].to_owned())
            .find(|p| p.chars().all(|c| c.is_ascii_digit()));
        if digits.is_some() {
            break;
        }
    }
    let digits = digits.expect("some hash starts with 6 decimal digits");
    let when = When::parse(&digits).unwrap();
    assert_eq!(when, When::SessionOrChange(digits.clone()));
    let version = ana.garden.version_at(id, &when).unwrap();
    assert!(version.label.starts_with("change "), "{}", version.label);
    let one = ana
        .garden
        .version_at(id, &When::parse("1").unwrap())
        .unwrap();
    assert!(one.label.starts_with("session #1"), "{}", one.label);
}

#[test]
fn history_of_a_document_stored_before_the_index_is_built_from_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let (id, db, expected) = {
        let node = Node::open(dir.path()).unwrap();
        let garden = node.create_garden("Old").unwrap();
        let id = garden.create(NewDoc::note("Old note", "a")).unwrap();
        garden.replace_text(id, "ab").unwrap();
        garden.replace_text(id, "abc").unwrap();
        let expected = garden.history_changes(id).unwrap();
        let db = dir
            .path()
            .join("gardens")
            .join(garden.id().to_string())
            .join("garden.db");
        (id, db, expected)
    };
    {
        // A chunk written without change summaries, as by an older Loam:
        // the document's history is on the backlog.
        let mut store = loam_store::Store::open(&db).unwrap();
        let chunks = store.load_chunks(id).unwrap();
        let row = store.doc(id).unwrap().unwrap();
        let snapshot = loam_node::DocSnapshot {
            kind: row.kind,
            title: row.title,
            folder: row.folder,
            path: row.path,
            body: store.text(id).unwrap().unwrap(),
            tags: Vec::new(),
            created: row.created,
            updated: row.updated,
            archived: row.archived,
            heads: row.heads.iter().map(|h| h.parse().unwrap()).collect(),
        };
        store.write_doc(id, &snapshot, &chunks[0].bytes).unwrap();
        assert!(!store.history_complete(id).unwrap());
    }
    let node = Node::open(dir.path()).unwrap();
    let garden = node.default_garden().unwrap();
    assert_eq!(garden.history_changes(id).unwrap(), expected);
    assert_eq!(garden.history(id).unwrap().changes, 3);
    assert!(garden.check().unwrap().is_ok());
    drop(garden);
    drop(node);

    // History rows that disagree with the document: check finds them,
    // repair rebuilds them.
    {
        let mut store = loam_store::Store::open(&db).unwrap();
        let mut wrong = store.changes(id).unwrap();
        wrong[1].inserted += 1;
        wrong.pop();
        let upto = store.chunk_stats(id).unwrap().unwrap().last_seq;
        assert!(store.replace_history(id, &wrong, upto).unwrap());
    }
    let node = Node::open(dir.path()).unwrap();
    let garden = node.default_garden().unwrap();
    let report = garden.check().unwrap();
    assert_eq!(
        report.problems,
        vec![loam_node::CheckProblem::IndexMismatch {
            doc: id,
            field: "history".into()
        }]
    );
    let repaired = garden.repair().unwrap();
    assert!(repaired.is_ok(), "{:?}", repaired.problems);
    assert_eq!(repaired.repaired, vec![id]);
    assert_eq!(garden.history_changes(id).unwrap(), expected);
}
