//! Adopting a real Automerge document (text-doc.amrg: the editing trace of
//! the automerge paper, 259,779 changes by one actor, times in seconds):
//! its whole history is kept and indexed, and reading that history after a
//! cold start loads no document. (Its own test binary: the load counter is
//! process-wide.)

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use automerge::{AutoCommit, ROOT, ReadDoc};
use loam_node::{Node, automerge_load_count};

const CHANGES: u64 = 259_779;
const FIRST: i64 = 1_631_790_616_000;
const LAST: i64 = 1_631_791_102_000;

#[test]
fn text_doc_is_adopted_with_its_whole_history() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/traces/text-doc.amrg"
    );
    let bytes = std::fs::read(path).unwrap();
    let expected = {
        let doc = AutoCommit::load(&bytes).unwrap();
        let (_, text) = doc.get(ROOT, "text").unwrap().unwrap();
        doc.text(&text).unwrap()
    };

    let dir = tempfile::tempdir().unwrap();
    let (id, me) = {
        let node = Node::open(dir.path()).unwrap();
        let garden = node.create_garden("Paper").unwrap();
        let id = garden.adopt(&bytes, "The paper").unwrap();
        assert_eq!(garden.note(id).unwrap().text, expected);
        (id, node.member_id())
    };

    let loads = automerge_load_count();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.default_garden().unwrap();
    let history = garden
        .history(garden.resolve("the paper").unwrap())
        .unwrap();
    assert_eq!(automerge_load_count(), loads, "history loads no document");
    assert_eq!(history.changes, CHANGES + 1);
    let sessions: Vec<(usize, Option<loam_node::MemberId>, i64, i64, u64)> = history
        .sessions
        .iter()
        .map(|s| (s.number, s.author.member, s.start, s.end, s.changes))
        .collect();
    assert_eq!(sessions[0], (1, None, FIRST, LAST, CHANGES));
    assert_eq!(
        sessions[1].1,
        Some(me),
        "the adopting change is the member's"
    );
    assert_eq!(sessions.len(), 2);
    let paper = &history.sessions[0];
    assert_eq!(paper.author.id, "f615b269e7f745c39333abbf2d4b1c43");
    assert_eq!(paper.author.short, "f615b269");
    // Every character of the text was inserted by some change, and the
    // ones deleted since are the difference.
    let chars = expected.chars().count() as u64;
    assert_eq!(paper.inserted - paper.deleted, chars);
    assert_eq!(garden.note(id).unwrap().text, expected);
}
