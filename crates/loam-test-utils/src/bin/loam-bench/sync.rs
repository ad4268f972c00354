//! The `sync` section: two real nodes (separate data directories, each
//! with its own `loam_node::network::Network` on `NetConfig::loopback()`)
//! syncing a generated garden over iroh on 127.0.0.1, beside plain
//! Automerge sync of the same documents over the same transport
//! (`loam_test_utils::plain_sync`).
//!
//! Order: B joins A's empty garden; A plants the notes; B syncs them all
//! (initial sync), syncs again with nothing changed (no-op, several times),
//! syncs after 1% of the notes changed on A; then B stays connected and A
//! makes edits one by one, each timed until B has stored it (live).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use loam_node::network::{NetConfig, Network, PeerSync, invite_ticket};
use loam_node::{
    DocId, Event, Garden, ListQuery, Node, Role, TextEdit, automerge_load_count, human_size,
};
use loam_test_utils::corpus::Corpus;
use loam_test_utils::plain_sync::{self, DocKey, Loads, PlainDocs, PlainServer};
use tokio::sync::broadcast;

use crate::{Figure, percentile, plant, ratio, secs};

/// How long one sync may take before the benchmark gives up.
const SYNC_TIMEOUT: Duration = Duration::from_secs(600);
/// No-op re-syncs timed (the median is reported).
const NOOP_RUNS: usize = 5;
/// The baseline's no-op runs (each loads every document twice: slow).
const PLAIN_NOOP_RUNS: usize = 1;
/// How long one live edit may take to arrive.
const EDIT_TIMEOUT: Duration = Duration::from_secs(10);

struct Member {
    node: Arc<Node>,
    net: Network,
}

fn member(dir: &Path, name: &str) -> Result<Member> {
    let node = Arc::new(Node::open(dir)?);
    node.set_display_name(name)?;
    let net = Network::start(node.clone(), NetConfig::loopback())?;
    Ok(Member { node, net })
}

/// B's one sync with A, checked.
fn sync_once(b: &Member) -> Result<PeerSync> {
    let mut report = b.net.sync_once(SYNC_TIMEOUT)?;
    ensure!(report.len() == 1, "expected one peer, got {report:?}");
    let peer = report.remove(0);
    ensure!(peer.ok, "the sync failed: {}", peer.detail);
    Ok(peer)
}

fn sync_time(peer: &PeerSync) -> Result<Duration> {
    let ms = peer.sync_ms.context("the session never became idle")?;
    Ok(Duration::from_secs_f64(ms / 1e3))
}

fn frames(peer: &PeerSync) -> u64 {
    peer.bytes_in + peer.bytes_out
}

fn wire(peer: &PeerSync) -> u64 {
    peer.wire.sent + peer.wire.received
}

fn key(id: DocId) -> DocKey {
    *id.as_bytes()
}

fn mb(bytes: u64) -> String {
    human_size(bytes)
}

pub(crate) fn sync(notes: usize, edits: usize, seed: u64, work: &Path) -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()?;
    let dir = work.join("sync");
    let a = member(&dir.join("a"), "Ada")?;
    let b = member(&dir.join("b"), "Bo")?;
    let garden = a.node.create_garden("Sync")?;
    let invite = garden.invite(Role::Member, None, 1)?;
    let ticket = invite_ticket(&garden, &invite, a.net.addr()?);
    b.net.join(&ticket, SYNC_TIMEOUT)?;

    eprintln!("sync: planting {notes} notes on A...");
    let corpus = Corpus::new(seed, notes, 2_048);
    plant(&garden, &corpus, 0, notes)?;
    garden.flush()?;
    let ids: Vec<DocId> = garden.doc_heads()?.into_iter().map(|(id, _)| id).collect();
    ensure!(ids.len() == notes, "planted {} of {notes} notes", ids.len());
    let mut server_docs = PlainDocs::default();
    let mut saved = 0u64;
    for id in &ids {
        let bytes = garden.document_bytes(*id)?;
        saved += bytes.len() as u64;
        server_docs.saved.insert(key(*id), bytes);
    }
    let keys: Vec<DocKey> = ids.iter().map(|id| key(*id)).collect();

    // The baseline's two endpoints.
    let loads = Arc::new(Loads::default());
    let server = PlainServer::new(server_docs, loads.clone());
    let (plain_server, plain_client) = rt.block_on(async {
        let s = loam_net::Network::bind([0x5a; 32], NetConfig::loopback(), server.clone()).await?;
        let c = loam_net::Network::bind(
            [0xc1; 32],
            NetConfig::loopback(),
            PlainServer::new(PlainDocs::default(), Arc::new(Loads::default())),
        )
        .await?;
        anyhow::Ok((s, c))
    })?;
    let server_addr = plain_server.addr();
    let mut client_docs = PlainDocs::default();
    let plain = |docs: &mut PlainDocs| -> Result<(plain_sync::PlainReport, u64)> {
        let before = loads.get();
        let report = rt.block_on(plain_sync::sync_all(
            &plain_client,
            &server_addr,
            &keys,
            docs,
            &loads,
        ))?;
        Ok((report, loads.get() - before))
    };
    let mut figures = Vec::new();

    // Initial sync.
    eprintln!("sync: initial sync of {notes} notes, loam...");
    let before = automerge_load_count();
    let initial = sync_once(&b)?;
    let initial_loads = automerge_load_count() - before;
    let b_garden = b.node.garden_by_id(garden.id())?;
    let held = b_garden.count(&ListQuery::default())?;
    ensure!(held == notes as u64, "B holds {held} of {notes} notes");
    eprintln!("sync: initial sync, plain automerge...");
    let (plain_initial, _) = plain(&mut client_docs)?;
    ensure!(
        plain_initial.docs_changed == notes as u64,
        "plain sync brought {} of {notes} documents",
        plain_initial.docs_changed
    );
    let took = sync_time(&initial)?;
    let bytes_ratio = wire(&initial) as f64 / saved as f64;
    figures.push(Figure {
        name: format!("initial sync, {notes} notes ({initial_loads} loads)"),
        loam: secs(took),
        baseline: format!("{} plain automerge", secs(plain_initial.elapsed)),
        ratio: Some(ratio(took, plain_initial.elapsed)),
        target: "≤ 15 s".into(),
        ok: Some(took <= Duration::from_secs(15)),
    });
    figures.push(Figure {
        name: format!(
            "initial sync: wire bytes vs saved ({} in frames)",
            mb(frames(&initial))
        ),
        loam: mb(wire(&initial)),
        baseline: format!(
            "{} saved; plain {} ({} frames)",
            mb(saved),
            mb(plain_initial.wire.sent + plain_initial.wire.received),
            mb(plain_initial.bytes)
        ),
        ratio: Some(bytes_ratio),
        target: "≤ 1.3× saved".into(),
        ok: Some(bytes_ratio <= 1.3),
    });

    // No-op re-sync.
    eprintln!("sync: no-op re-sync ×{NOOP_RUNS}...");
    let mut times = Vec::new();
    let mut last = None;
    let before = automerge_load_count();
    for _ in 0..NOOP_RUNS {
        let peer = sync_once(&b)?;
        times.push(sync_time(&peer)?);
        last = Some(peer);
    }
    let noop_loads = automerge_load_count() - before;
    let noop = last.context("no no-op run")?;
    let noop_time = crate::median(times);
    let mut plain_times = Vec::new();
    let mut plain_noop = None;
    let mut plain_noop_loads = 0;
    for _ in 0..PLAIN_NOOP_RUNS {
        let (report, loads) = plain(&mut client_docs)?;
        plain_times.push(report.elapsed);
        plain_noop_loads = loads;
        plain_noop = Some(report);
    }
    let plain_noop = plain_noop.context("no plain no-op run")?;
    let plain_noop_time = crate::median(plain_times);
    figures.push(Figure {
        name: "no-op re-sync: round trips".into(),
        loam: noop.round_trips.to_string(),
        baseline: format!("{} per document, plain", plain_noop.round_trips),
        ratio: None,
        target: "1".into(),
        ok: Some(noop.round_trips == 1),
    });
    let noop_bytes = frames(&noop);
    figures.push(Figure {
        name: format!("no-op re-sync: frame bytes (wire {})", mb(wire(&noop))),
        loam: format!("{noop_bytes} B"),
        baseline: format!(
            "{} plain ({} wire)",
            mb(plain_noop.bytes),
            mb(plain_noop.wire.sent + plain_noop.wire.received)
        ),
        ratio: Some(noop_bytes as f64 / plain_noop.bytes.max(1) as f64),
        target: "≤ 2 KB".into(),
        ok: Some(noop_bytes <= 2_048),
    });
    figures.push(Figure {
        name: format!("no-op re-sync: time, median of {NOOP_RUNS} (dial to idle)"),
        loam: secs(noop_time),
        baseline: format!(
            "{} plain automerge ({PLAIN_NOOP_RUNS} run)",
            secs(plain_noop_time)
        ),
        ratio: Some(ratio(noop_time, plain_noop_time)),
        target: "≤ 100 ms".into(),
        ok: Some(noop_time <= Duration::from_millis(100)),
    });
    figures.push(Figure {
        name: format!("no-op re-sync: documents loaded, {NOOP_RUNS} runs"),
        loam: noop_loads.to_string(),
        baseline: format!("{} plain, per run", plain_noop_loads),
        ratio: None,
        target: "0".into(),
        ok: Some(noop_loads == 0),
    });

    // 1% changed on A.
    let changed: Vec<DocId> = ids.iter().copied().step_by(100).collect();
    eprintln!("sync: {} notes change on A...", changed.len());
    for id in &changed {
        let text = garden.note(*id)?.text;
        garden.replace_text(*id, &format!("{text}\nEdited on A."))?;
        edit_plain(&server, key(*id))?;
    }
    let before = automerge_load_count();
    let one = sync_once(&b)?;
    let one_loads = automerge_load_count() - before;
    let (plain_one, plain_one_loads) = plain(&mut client_docs)?;
    let one_time = sync_time(&one)?;
    let n = changed.len() as u64;
    figures.push(Figure {
        name: format!("1% changed ({n} notes): time ({} synced)", one.docs_synced),
        loam: secs(one_time),
        baseline: format!("{} plain automerge", secs(plain_one.elapsed)),
        ratio: Some(ratio(one_time, plain_one.elapsed)),
        target: "(info)".into(),
        ok: None,
    });
    let one_bytes = frames(&one);
    let budget = frames(&initial) * 2 * n / notes as u64;
    figures.push(Figure {
        name: format!("1% changed: frame bytes (wire {})", mb(wire(&one))),
        loam: mb(one_bytes),
        baseline: format!("{} plain", mb(plain_one.bytes)),
        ratio: Some(one_bytes as f64 / plain_one.bytes.max(1) as f64),
        target: "≤ 2% of initial".into(),
        ok: Some(one_bytes <= budget),
    });
    figures.push(Figure {
        name: "1% changed: documents loaded (both sides)".into(),
        loam: one_loads.to_string(),
        baseline: format!("{plain_one_loads} plain"),
        ratio: Some(one_loads as f64 / plain_one_loads.max(1) as f64),
        target: format!("≤ {}", 2 * n),
        ok: Some(one_loads <= 2 * n && one.docs_synced == n),
    });

    // Live edits.
    eprintln!("sync: {edits} live edits A → B...");
    let live = live_latencies(&rt, &a, &b, &garden, ids[0], edits)?;
    let plain_live = {
        let mut applied = server.watch_applied();
        rt.block_on(plain_sync::live(
            &plain_client,
            &server_addr,
            &mut applied,
            key(ids[0]),
            &client_docs,
            edits,
        ))?
    };
    for (p, label) in [(0.5, "p50"), (0.99, "p99")] {
        let mut ours = live.clone();
        let mut theirs = plain_live.clone();
        let l = percentile(&mut ours, p);
        let base = percentile(&mut theirs, p);
        figures.push(Figure {
            name: format!("live edit A→B stored, {label} of {edits}"),
            loam: secs(l),
            baseline: format!("{} plain (in memory)", secs(base)),
            ratio: Some(ratio(l, base)),
            target: "≤ 50 ms".into(),
            ok: Some(l <= Duration::from_millis(50)),
        });
    }
    rt.block_on(async {
        plain_client.shutdown().await;
        plain_server.shutdown().await;
    });
    Ok(figures)
}

/// The same edit as A's on the baseline server's copy of `id`.
fn edit_plain(server: &PlainServer, id: DocKey) -> Result<()> {
    let docs = server.docs();
    let mut docs = docs
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let bytes = docs.saved.get(&id).context("a note the baseline lacks")?;
    let mut doc = AutoCommit::load(bytes)?;
    let body = match doc.get(ROOT, "body")? {
        Some((_, body)) => body,
        None => doc.put_object(ROOT, "body", ObjType::Text)?,
    };
    let end = doc.length(&body);
    doc.splice_text(&body, end, 0, "\nEdited on A.")?;
    doc.commit();
    docs.saved.insert(id, doc.save());
    Ok(())
}

/// B stays connected to A; A makes `edits` edits to `doc` one by one (each
/// stored before it returns, so pushed at once): the time from starting
/// each edit to B having stored it (B's event carrying A's new heads).
fn live_latencies(
    rt: &tokio::runtime::Runtime,
    a: &Member,
    b: &Member,
    garden: &Garden,
    doc: DocId,
    edits: usize,
) -> Result<Vec<Duration>> {
    let mut on_a = a.node.subscribe();
    let mut on_b = b.node.subscribe();
    b.net.keep_connected()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !b
        .net
        .peers()
        .iter()
        .any(|p| p.garden == Some(garden.id()) && p.in_sync)
    {
        ensure!(Instant::now() < deadline, "B did not connect to A");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut latencies = Vec::with_capacity(edits);
    for i in 0..edits {
        let len = garden.note(doc)?.text.chars().count();
        let started = Instant::now();
        garden.edit(
            doc,
            &[TextEdit {
                pos: len,
                delete: 0,
                insert: format!(" w{i}"),
            }],
        )?;
        let heads = own_heads(&mut on_a, doc)?;
        let arrived = rt.block_on(async {
            tokio::time::timeout(EDIT_TIMEOUT, async {
                loop {
                    match on_b.recv().await {
                        Ok(Event::DocChanged {
                            doc: d, heads: h, ..
                        }) if d == doc && h == heads => {
                            return Ok(Instant::now());
                        }
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => bail!("B's events ended"),
                    }
                }
            })
            .await
        });
        let at = arrived.map_err(|_| anyhow::anyhow!("edit {i} did not reach B in time"))??;
        latencies.push(at - started);
    }
    Ok(latencies)
}

/// The heads A announced for its own edit of `doc` (sent before the edit
/// returned).
fn own_heads(events: &mut broadcast::Receiver<Event>, doc: DocId) -> Result<Vec<String>> {
    let mut heads = None;
    loop {
        match events.try_recv() {
            Ok(Event::DocChanged {
                doc: d, heads: h, ..
            }) if d == doc => heads = Some(h),
            Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(_) => break,
        }
    }
    heads.context("A announced no change for its edit")
}
