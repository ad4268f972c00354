//! Property test: 3 to 5 peers edit at random while frames are dropped,
//! duplicated, reordered and split into odd chunks, links break
//! (partitions) and come back as new sessions (heals). After a clean phase
//! every peer holds the same documents with the same heads and text.
//!
//! `LOAM_SYNC_SEED=<n>` replays one run; `LOAM_SYNC_RUNS=<n>` sets how many
//! seeds a run tries.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;

use loam_core::Role;
use support::{Dir, GARDEN, Link, MemoryStore, Rng, doc, key, seed};

const DOCS: u32 = 6;
const WORDS: [&str; 8] = [
    "moss",
    "fern",
    "loam",
    "root ",
    "🌱",
    "é",
    "\n",
    "garden path ",
];

#[test]
fn peers_converge_despite_faults_partitions_and_heals() {
    let runs: u64 = std::env::var("LOAM_SYNC_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let replay = std::env::var("LOAM_SYNC_SEED").is_ok();
    let first = seed("peers_converge");
    for run in 0..if replay { 1 } else { runs } {
        let s = first.wrapping_add(run);
        if run > 0 {
            println!("peers_converge: seed {s} (replay with LOAM_SYNC_SEED={s})");
        }
        one_run(s);
    }
}

fn one_run(seed: u64) {
    let mut rng = Rng::new(seed);
    let n = 3 + rng.below(3);
    let members: Vec<_> = (0..n)
        .map(|i| {
            let role = if i == 0 {
                Role::Facilitator
            } else {
                Role::Member
            };
            (key(i as u8 + 1).member(), role)
        })
        .collect();
    let mut peers: Vec<MemoryStore> = (0..n)
        .map(|i| MemoryStore::new(GARDEN, key(i as u8 + 1), &members))
        .collect();
    peers[0].create(doc(0), "the first note");

    let mut links: BTreeMap<(usize, usize), Link> = BTreeMap::new();
    for a in 0..n {
        for b in a + 1..n {
            links.insert((a, b), Link::connect(&mut peers, a, b, None));
        }
    }
    let mut stats = Counts::default();
    for _ in 0..1500 {
        let roll = rng.below(100);
        if roll < 20 {
            edit(&mut rng, &mut peers, &mut links, n);
            stats.edits += 1;
        } else if roll < 22 {
            // A facilitator admits a new reader somewhere.
            let p = rng.below(n);
            let newcomer = key(100 + rng.below(50) as u8).member();
            peers[p].set_role(newcomer, Some(Role::Reader));
            for link in links.values_mut().filter(|l| l.a == p || l.b == p) {
                link.membership_changed(&mut peers, p);
            }
        } else if roll < 24 {
            // Partition: a link drops.
            if let Some(k) = pick_key(&mut rng, &links) {
                let link = links.remove(&k).unwrap();
                stats.note_error(&link, seed);
                stats.partitions += 1;
            }
        } else if roll < 30 {
            // Heal: a missing or broken link reconnects (a fresh session).
            let a = rng.below(n);
            let b = rng.below(n);
            if a != b {
                let k = (a.min(b), a.max(b));
                let dead = links.get(&k).is_none_or(|l| l.is_broken());
                if dead {
                    if let Some(old) = links.get(&k) {
                        stats.note_error(old, seed);
                    }
                    let (i, j) = if rng.percent(50) { k } else { (k.1, k.0) };
                    links.insert(k, Link::connect(&mut peers, i, j, None));
                    stats.heals += 1;
                }
            }
        } else {
            deliver(&mut rng, &mut peers, &mut links, &mut stats);
        }
    }
    for link in links.values() {
        stats.note_error(link, seed);
    }

    // Clean phase: every pair reconnects, reliable and in order, twice
    // round so that changes travel through the middle.
    drop(links);
    for _ in 0..2 {
        for a in 0..n {
            for b in a + 1..n {
                let mut link = Link::connect(&mut peers, a, b, None);
                link.run(&mut peers);
                assert!(link.error.is_none(), "seed {seed}: {:?}", link.error);
                assert!(
                    link.sa.closed().is_none(),
                    "seed {seed}: {:?}",
                    link.sa.closed()
                );
                assert!(link.is_quiet(), "seed {seed}: link {a}-{b} not quiet");
            }
        }
    }
    let expected = peers[0].snapshot();
    for (i, p) in peers.iter_mut().enumerate() {
        assert_eq!(
            p.snapshot(),
            expected,
            "seed {seed}: peer {i} differs from peer 0"
        );
        for m in 0..n {
            assert!(p.current_role(key(m as u8 + 1).member()).is_some());
        }
    }
    println!("seed {seed}: {n} peers, {} docs, {stats:?}", expected.len());
}

#[derive(Debug, Default)]
struct Counts {
    edits: usize,
    delivered: usize,
    dropped: usize,
    duplicated: usize,
    reordered: usize,
    partitions: usize,
    heals: usize,
    broken: usize,
}

impl Counts {
    /// Count a broken link; faults may break a session, but never through
    /// a failure of this side's own store (that would be a bug here).
    fn note_error(&mut self, link: &Link, seed: u64) {
        if let Some(err) = &link.error {
            self.broken += 1;
            assert!(!err.starts_with("storage failed"), "seed {seed}: {err}");
        }
    }
}

fn pick_key(rng: &mut Rng, links: &BTreeMap<(usize, usize), Link>) -> Option<(usize, usize)> {
    if links.is_empty() {
        return None;
    }
    links.keys().nth(rng.below(links.len())).copied()
}

fn edit(
    rng: &mut Rng,
    peers: &mut [MemoryStore],
    links: &mut BTreeMap<(usize, usize), Link>,
    n: usize,
) {
    let p = rng.below(n);
    let d = doc(rng.below(DOCS as usize) as u32);
    let word = WORDS[rng.below(WORDS.len())];
    if peers[p].has(d) {
        let len = peers[p].text(d).unwrap().chars().count();
        let pos = rng.below(len + 1);
        let del = if rng.percent(30) { rng.below(4) } else { 0 };
        peers[p].splice(d, pos, del, word);
    } else {
        peers[p].create(d, word);
    }
    for link in links.values_mut().filter(|l| l.a == p || l.b == p) {
        link.local_change(peers, p, d);
    }
}

fn deliver(
    rng: &mut Rng,
    peers: &mut [MemoryStore],
    links: &mut BTreeMap<(usize, usize), Link>,
    stats: &mut Counts,
) {
    let busy: Vec<(usize, usize)> = links
        .iter()
        .filter(|(_, l)| l.in_flight() > 0)
        .map(|(k, _)| *k)
        .collect();
    if busy.is_empty() {
        return;
    }
    let link = links.get_mut(&busy[rng.below(busy.len())]).unwrap();
    let dir = match (link.to_b.is_empty(), link.to_a.is_empty()) {
        (false, false) if rng.percent(50) => Dir::BtoA,
        (false, _) => Dir::AtoB,
        _ => Dir::BtoA,
    };
    let queue = match dir {
        Dir::AtoB => &mut link.to_b,
        Dir::BtoA => &mut link.to_a,
    };
    let fault = rng.below(100);
    if fault < 2 {
        queue.pop_front();
        stats.dropped += 1;
        return;
    }
    if fault < 4 && queue.len() > 1 {
        let j = 1 + rng.below(queue.len() - 1);
        queue.swap(0, j);
        stats.reordered += 1;
    }
    let Some(bytes) = queue.pop_front() else {
        return;
    };
    if (4..6).contains(&fault) {
        queue.push_front(bytes.clone());
        stats.duplicated += 1;
    }
    // Deliver in random chunks, as a stream would.
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let take = 1 + rng.below(rest.len().min(64));
        let (chunk, tail) = rest.split_at(if rng.percent(70) { rest.len() } else { take });
        link.deliver_bytes(peers, dir, chunk);
        rest = tail;
    }
    stats.delivered += 1;
}
