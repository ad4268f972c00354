//! A real two-writer session replayed as two peers syncing live: Joseph
//! Gentle's `friendsforever` concurrent trace (two people typing into one
//! document with a second of latency). Each peer types its agent's
//! keystrokes on the version the trace says they saw (Automerge's
//! `isolate`), pushes each change with `local_change`, and receives the
//! other's when the network delivers them. Both end with the trace's text
//! (the whole trace is an ignored test for its running time; by default a
//! prefix is replayed and checked against the same prefix typed into one
//! document).

#![allow(clippy::unwrap_used)]

mod support;

use std::io::BufReader;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ROOT, ReadDoc};
use flate2::read::GzDecoder;
use loam_core::Role;
use serde::Deserialize;
use support::{Dir, GARDEN, Link, MemoryStore, Rng, doc, key, seed, two_members};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConcurrentTrace {
    end_content: String,
    num_agents: usize,
    txns: Vec<Txn>,
}

#[derive(Deserialize)]
struct Txn {
    parents: Vec<usize>,
    agent: usize,
    patches: Vec<(usize, usize, String)>,
}

fn load() -> ConcurrentTrace {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/traces/friendsforever.json.gz"
    );
    let file = std::fs::File::open(path).unwrap();
    serde_json::from_reader(BufReader::new(GzDecoder::new(BufReader::new(file)))).unwrap()
}

/// The first keystrokes replayed by default: the cost of every Automerge
/// sync message grows with the document's history, so the whole trace takes
/// minutes in a debug build.
const PREFIX: usize = 6_000;

#[test]
fn two_peers_typing_concurrently_converge_live() {
    let trace = load();
    let (a, b) = replay_live(&trace, PREFIX);
    assert!(a == b, "the peers' texts differ");
    assert!(
        a == replay_alone(&trace, PREFIX),
        "the synced text differs from a replay in one document"
    );
}

#[test]
#[ignore = "the whole trace: about 2.5 minutes in a debug build (run with --ignored)"]
fn two_peers_typing_concurrently_end_with_the_traces_text() {
    let trace = load();
    let (a, b) = replay_live(&trace, trace.txns.len());
    assert!(
        a == trace.end_content,
        "peer a's text differs from the trace's end"
    );
    assert!(
        b == trace.end_content,
        "peer b's text differs from the trace's end"
    );
}

/// The text after the first `n` transactions, typed into one document.
fn replay_alone(trace: &ConcurrentTrace, n: usize) -> String {
    let members = [(key(1).member(), Role::Member)];
    let mut store = MemoryStore::new(GARDEN, key(1), &members);
    let d = doc(0);
    store.create(d, "");
    let base = store.heads(d).unwrap();
    let mut after: Vec<Vec<ChangeHash>> = Vec::with_capacity(n);
    for txn in trace.txns.iter().take(n) {
        let parents = parents_of(txn, &after, &base);
        if txn.patches.is_empty() {
            after.push(parents);
            continue;
        }
        after.push(vec![type_txn(&mut store, txn, &parents)]);
    }
    store.text(d).unwrap()
}

fn parents_of(txn: &Txn, after: &[Vec<ChangeHash>], base: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut parents: Vec<ChangeHash> = if txn.parents.is_empty() {
        base.to_vec()
    } else {
        txn.parents
            .iter()
            .flat_map(|&i| after[i].iter().copied())
            .collect()
    };
    parents.sort();
    parents.dedup();
    parents
}

fn type_txn(store: &mut MemoryStore, txn: &Txn, parents: &[ChangeHash]) -> ChangeHash {
    store.edit_at(doc(0), parents, |tx| {
        let (_, text) = tx.get(ROOT, "text").unwrap().unwrap();
        for (pos, del, ins) in &txn.patches {
            tx.splice_text(&text, *pos, *del as isize, ins).unwrap();
        }
    })
}

/// Replay the first `n` transactions on two peers syncing live; their
/// texts at the end.
fn replay_live(trace: &ConcurrentTrace, n: usize) -> (String, String) {
    assert_eq!(trace.num_agents, 2);
    let mut rng = Rng::new(seed("friendsforever"));
    let mut peers = two_members();
    let d = doc(0);
    peers[0].create(d, "");
    let mut link = Link::connect(&mut peers, 0, 1, None);
    link.run(&mut peers);
    assert!(link.is_quiet());
    let base = peers[0].heads(d).unwrap();

    // The heads of the document after each transaction.
    let mut after: Vec<Vec<ChangeHash>> = Vec::with_capacity(n);
    let mut pumped = 0usize;
    let mut dirty = [false; 2];
    for txn in trace.txns.iter().take(n) {
        let p = txn.agent;
        let parents = parents_of(txn, &after, &base);
        // Wait for the network to bring what this keystroke was typed on
        // (the other peer commits what it typed first).
        if dirty[1 - p] && !parents.iter().all(|h| peers[p].has_change(d, h)) {
            link.local_change(&mut peers, 1 - p, d);
            dirty[1 - p] = false;
        }
        while !parents.iter().all(|h| peers[p].has_change(d, h)) {
            let dir = if p == 1 { Dir::AtoB } else { Dir::BtoA };
            if !link.deliver_one(&mut peers, dir) && !link.deliver_one(&mut peers, reverse(dir)) {
                panic!("the network is quiet but a parent is missing");
            }
            pumped += 1;
        }
        if txn.patches.is_empty() {
            after.push(parents);
            continue;
        }
        after.push(vec![type_txn(&mut peers[p], txn, &parents)]);
        dirty[p] = true;
        // A group commit now and then pushes what was typed (the node
        // commits every 100 ms), and the network delivers a few frames.
        if rng.percent(25) {
            for (q, is_dirty) in dirty.iter_mut().enumerate() {
                if std::mem::take(is_dirty) {
                    link.local_change(&mut peers, q, d);
                }
            }
            for _ in 0..rng.below(4) {
                let dir = if rng.percent(50) {
                    Dir::AtoB
                } else {
                    Dir::BtoA
                };
                link.deliver_one(&mut peers, dir);
                pumped += 1;
            }
        }
        assert!(link.error.is_none(), "{:?}", link.error);
    }
    for (q, is_dirty) in dirty.iter().enumerate() {
        if *is_dirty {
            link.local_change(&mut peers, q, d);
        }
    }
    link.run(&mut peers);
    assert!(link.is_quiet(), "{:?}", link.error);
    assert_eq!(peers[0].heads(d), peers[1].heads(d));
    let (sa, sb) = (link.sa.stats(), link.sb.stats());
    println!(
        "friendsforever: {n} keystrokes, {pumped} deliveries, bytes {} + {}, frames {} + {}, \
         changes sent {} + {}",
        sa.bytes_out, sb.bytes_out, sa.frames_out, sb.frames_out, sa.changes_sent, sb.changes_sent
    );
    (peers[0].text(d).unwrap(), peers[1].text(d).unwrap())
}

fn reverse(dir: Dir) -> Dir {
    match dir {
        Dir::AtoB => Dir::BtoA,
        Dir::BtoA => Dir::AtoB,
    }
}
