//! Another replica of a note (the desktop editor's, in the webview) kept in
//! step with the garden by the Automerge sync protocol: its edits are stored
//! with their author, the garden's edits reach it, and a lossy, duplicating
//! transport still converges.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use std::sync::Arc;

use automerge::sync::SyncDoc;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
use loam_node::{DocId, Garden, NewDoc, Node, NodeError, ReplicaSync};

struct Fixture {
    _dir: tempfile::TempDir,
    node: Node,
    garden: Arc<Garden>,
    id: DocId,
}

fn fixture(body: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.create_garden("Editor").unwrap();
    let id = garden.create(NewDoc::note("Plan", body)).unwrap();
    Fixture {
        _dir: dir,
        node,
        garden,
        id,
    }
}

/// The editor's replica: the stored bytes, loaded, writing as the actor the
/// garden hands out.
struct Editor {
    doc: AutoCommit,
    sync: automerge::sync::State,
}

impl Editor {
    fn open(f: &Fixture) -> Self {
        let mut doc = AutoCommit::load(&f.garden.document_bytes(f.id).unwrap()).unwrap();
        doc.set_actor(ActorId::from(hex(&f.garden.replica_actor())));
        Self {
            doc,
            sync: automerge::sync::State::new(),
        }
    }

    fn body(&self) -> automerge::ObjId {
        match self.doc.get(ROOT, "body").unwrap() {
            Some((automerge::Value::Object(ObjType::Text), id)) => id,
            other => panic!("no body: {other:?}"),
        }
    }

    fn text(&self) -> String {
        self.doc.text(self.body()).unwrap()
    }

    fn type_at(&mut self, pos: usize, text: &str) {
        let body = self.body();
        self.doc.splice_text(&body, pos, 0, text).unwrap();
        self.doc.commit();
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Exchange messages until neither side has anything to say. `deliver(n)`
/// decides whether the n-th message arrives (false: dropped) and how often
/// (a duplicate is delivered twice). Bounded: panics if it does not settle.
fn settle(f: &Fixture, editor: &mut Editor, node: &mut ReplicaSync, deliver: impl Fn(u32) -> u32) {
    let mut n = 0;
    for _ in 0..100 {
        let to_node = editor.doc.sync().generate_sync_message(&mut editor.sync);
        let to_editor = f.garden.replica_message_for(f.id, node).unwrap();
        if to_node.is_none() && to_editor.is_none() {
            return;
        }
        if let Some(m) = to_node {
            n += 1;
            for _ in 0..deliver(n) {
                f.garden
                    .receive_replica_message(f.id, node, &m.clone().encode())
                    .unwrap();
            }
        }
        if let Some(m) = to_editor {
            n += 1;
            for _ in 0..deliver(n) {
                let message = automerge::sync::Message::decode(&m).unwrap();
                editor
                    .doc
                    .sync()
                    .receive_sync_message(&mut editor.sync, message)
                    .unwrap();
            }
        }
    }
    panic!("the replicas did not settle in 100 rounds");
}

#[test]
fn editor_changes_are_stored_with_their_author() {
    let f = fixture("Greens and browns.\n");
    let mut editor = Editor::open(&f);
    let mut node = ReplicaSync::new();
    settle(&f, &mut editor, &mut node, |_| 1);
    editor.type_at(0, "Compost: ");
    editor.type_at(editor.text().chars().count(), "See [[Soil]].\n");
    settle(&f, &mut editor, &mut node, |_| 1);

    let expected = "Compost: Greens and browns.\nSee [[Soil]].\n";
    assert_eq!(f.garden.note(f.id).unwrap().text, expected);
    // Indexed: the link is there, and search finds the new word.
    let out = f.garden.outgoing(f.id).unwrap();
    assert_eq!(out.len(), 1, "{out:?}");
    // Two changes by this member, after the one that created the note.
    let changes = f.garden.history_changes(f.id).unwrap();
    assert_eq!(changes.len(), 3);
    assert!(changes.iter().all(|c| c.author.you), "{changes:?}");
    assert_eq!(f.node.member_id(), changes[2].author.member.unwrap());
}

#[test]
fn garden_changes_reach_the_editor() {
    let f = fixture("one\n");
    let mut editor = Editor::open(&f);
    let mut node = ReplicaSync::new();
    settle(&f, &mut editor, &mut node, |_| 1);
    f.garden.replace_text(f.id, "one\ntwo\n").unwrap();
    // Concurrently, the editor types at the start.
    editor.type_at(0, "zero\n");
    settle(&f, &mut editor, &mut node, |_| 1);
    assert_eq!(editor.text(), "zero\none\ntwo\n");
    assert_eq!(f.garden.note(f.id).unwrap().text, "zero\none\ntwo\n");
}

#[test]
fn pending_splices_travel_as_one_change() {
    let f = fixture("");
    let mut editor = Editor::open(&f);
    let mut node = ReplicaSync::new();
    for (i, c) in "abc".chars().enumerate() {
        f.garden.splice(f.id, i, 0, &c.to_string()).unwrap();
    }
    settle(&f, &mut editor, &mut node, |_| 1);
    assert_eq!(editor.text(), "abc");
    // Committed for the message, stored by group commit (or now, by flush).
    f.garden.flush().unwrap();
    assert_eq!(f.garden.history_changes(f.id).unwrap().len(), 2);
}

#[test]
fn a_lossy_duplicating_transport_converges_after_a_reset() {
    // Seeded: which messages drop and which repeat.
    let seed: u32 = std::env::var("LOAM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    println!("LOAM_TEST_SEED={seed}");
    let f = fixture("start\n");
    let mut editor = Editor::open(&f);
    let mut node = ReplicaSync::new();
    for round in 0..5u32 {
        editor.type_at(0, &format!("e{round} "));
        f.garden.splice(f.id, 0, 0, &format!("g{round} ")).unwrap();
        let mix = seed.wrapping_mul(2_654_435_761).wrapping_add(round);
        settle(&f, &mut editor, &mut node, |n| {
            (mix.wrapping_add(n.wrapping_mul(40_503)) >> 3) % 3
        });
    }
    // A dropped message can leave both sides waiting: a reconnect (fresh
    // states on both sides) always finishes the job.
    editor.sync = automerge::sync::State::new();
    let mut node = ReplicaSync::new();
    settle(&f, &mut editor, &mut node, |_| 1);
    let stored = f.garden.note(f.id).unwrap().text;
    assert_eq!(editor.text(), stored);
    for round in 0..5 {
        assert!(stored.contains(&format!("e{round} ")), "{stored}");
        assert!(stored.contains(&format!("g{round} ")), "{stored}");
    }
}

#[test]
fn damaged_messages_are_refused_in_words() {
    let f = fixture("x");
    let mut node = ReplicaSync::new();
    let err = f
        .garden
        .receive_replica_message(f.id, &mut node, b"\x42not a sync message")
        .unwrap_err();
    assert!(matches!(err, NodeError::BadSyncMessage(_)), "{err:?}");
    assert!(err.to_string().starts_with("a sync message"), "{err}");
    // The note is untouched and still syncs.
    assert_eq!(f.garden.note(f.id).unwrap().text, "x");
    let mut editor = Editor::open(&f);
    settle(&f, &mut editor, &mut node, |_| 1);
}
