//! Hostile peers against a real node over iroh on loopback.
//!
//! A test peer speaks loam-sync frames over a real loam-net connection to a
//! real loam-node `Network` (Ada's, the facilitator's) and misbehaves, one
//! way per case: malformed and oversized frames, garbage Automerge, forged
//! and missing change signatures, a replayed invite, a poisoned Bloom
//! filter, stalls (no stream, half a frame, a trickle) and floods of
//! connections. For each: the offender is disconnected within [`BOUND`],
//! nothing of it is stored, Ada's node says why in a `NetEvent`, and Bo, an
//! honest member syncing with Ada at the same time, finishes with the
//! right content.
//!
//! Ada runs with short [`Bounds`] (a hello within 1 s, progress within
//! 2 s) so that the stall cases take seconds.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::sync::{BloomFilter, Have, Message, MessageVersion};
use automerge::transaction::Transactable;
use loam_core::{DocId, Entry, EntryHash, GardenId, MemberId, MemberKey, Role, SignedChanges};
use loam_net::{
    BoxFuture, CLOSE_NOT_ADMITTED, CloseReason, Connection, ConnectionHandler, StreamReader,
    StreamWriter,
};
use loam_node::network::{Bounds, CLOSE_BUSY, NetConfig, NetEvent, Network, invite_ticket};
use loam_node::{Garden, NewDoc, Node};
use loam_sync::{Frame, FrameDecoder, Limits, PROTOCOL_VERSION, RefuseCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast;

/// Every offender is disconnected within this (after its last byte).
const BOUND: Duration = Duration::from_secs(5);

/// Every honest step is bounded by this.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Ada's bounds: short, so that stalls are cut quickly.
fn bounds() -> Bounds {
    let mut b = Bounds::default();
    b.hello_timeout = Duration::from_secs(1);
    b.reply_timeout = Duration::from_secs(2);
    b.silence = Duration::from_millis(250);
    b
}

struct Member {
    _dir: tempfile::TempDir,
    node: Arc<Node>,
    net: Network,
}

fn member(name: &str, bounds: Bounds) -> Member {
    let dir = tempfile::tempdir().unwrap();
    let node = Arc::new(Node::open(dir.path().join("data")).unwrap());
    node.set_display_name(name).unwrap();
    let net = Network::start_bounded(node.clone(), NetConfig::loopback(), bounds).unwrap();
    Member {
        _dir: dir,
        node,
        net,
    }
}

/// Ada (facilitator, bounded), Bo (an honest member who joined by invite)
/// and Mallory's key (a member, added by Ada, who will misbehave).
struct World {
    ada: Member,
    garden: Arc<Garden>,
    events: broadcast::Receiver<NetEvent>,
    bo: Member,
    mallory: MemberKey,
    /// The invite Bo used up: its seed and entry.
    used_invite: ([u8; 32], EntryHash),
    hostile: Hostile,
}

impl World {
    fn new() -> Self {
        let ada = member("Ada", bounds());
        let garden = ada.node.create_garden("Commons").unwrap();
        garden
            .create(NewDoc::note("Soil", "Loam is soil."))
            .unwrap();
        garden.flush().unwrap();
        let invite = garden.invite(Role::Member, None, 1).unwrap();
        let ticket = invite_ticket(&garden, &invite, ada.net.addr().unwrap());

        let bo = member("Bo", Bounds::default());
        let joined = bo.net.join(&ticket, TIMEOUT).unwrap();
        assert_eq!(joined.role, Role::Member);

        let mallory = MemberKey::from_seed(&[0x66; 32]);
        garden
            .add_member(mallory.member(), Role::Member, "Mallory")
            .unwrap();
        let events = ada.net.subscribe();
        let hostile = Hostile::new(&mallory);
        Self {
            ada,
            garden,
            events,
            bo,
            mallory,
            used_invite: (invite.seed, invite.entry.hash()),
            hostile,
        }
    }

    /// Run `attack` while Bo syncs with Ada: a note Ada writes just before
    /// must reach Bo. The attack's result is returned.
    fn while_bo_syncs<T>(&self, case: &str, attack: impl FnOnce(&Hostile) -> T) -> T {
        let title = format!("During {case}");
        let text = format!("Written while {case} went on.");
        self.garden
            .create(NewDoc::note(title.clone(), text.clone()))
            .unwrap();
        self.garden.flush().unwrap();
        let bo = &self.bo;
        let hostile = &self.hostile;
        let (result, synced) = std::thread::scope(|s| {
            let honest = s.spawn(|| bo.net.sync_once(TIMEOUT));
            let result = attack(hostile);
            (result, honest.join().unwrap())
        });
        let synced = synced.unwrap();
        assert!(
            !synced.is_empty() && synced.iter().all(|p| p.ok),
            "{case}: {synced:?}"
        );
        let bo_garden = self.bo.node.garden_by_id(self.garden.id()).unwrap();
        let id = bo_garden.resolve(&title).unwrap();
        assert_eq!(bo_garden.note(id).unwrap().text, text, "{case}");
        result
    }

    /// The reason Ada's node gave for ending a session with `member`,
    /// waiting up to [`BOUND`] for it.
    fn disconnect_reason(&mut self, member: MemberId) -> String {
        self.disconnect_reasons(member, 1).remove(0)
    }

    /// The reasons Ada's node gave for ending `n` sessions with `member`,
    /// waiting up to [`BOUND`] for them. (A session leaves Ada's live map
    /// before its end is announced: after this, its slot is free.)
    fn disconnect_reasons(&mut self, member: MemberId, n: usize) -> Vec<String> {
        let deadline = Instant::now() + BOUND;
        let mut reasons = Vec::new();
        while reasons.len() < n && Instant::now() < deadline {
            match self.events.try_recv() {
                Ok(NetEvent::Disconnected {
                    member: m, reason, ..
                }) if m == member => reasons.push(reason),
                Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        assert_eq!(
            reasons.len(),
            n,
            "disconnects of {member} logged within {BOUND:?}: {reasons:?}"
        );
        reasons
    }

    /// Every event Ada's node logged so far.
    fn drain_events(&mut self) -> Vec<NetEvent> {
        let mut out = Vec::new();
        while let Ok(e) = self.events.try_recv() {
            out.push(e);
        }
        out
    }

    /// A hello from a member whose log equals Ada's: admitted at once.
    fn hello(&self, join: Option<Vec<u8>>) -> Frame {
        Frame::Hello {
            protocol_version: PROTOCOL_VERSION,
            garden: self.garden.id(),
            membership_heads: self
                .garden
                .membership_heads()
                .unwrap()
                .iter()
                .map(|h| *h.as_bytes())
                .collect(),
            join,
        }
    }

    fn stored(&self, doc: DocId) -> bool {
        self.garden
            .doc_heads()
            .unwrap()
            .iter()
            .any(|(d, _)| *d == doc)
    }
}

/// The test peer's handler: it serves nobody.
struct Nobody;

impl ConnectionHandler for Nobody {
    fn admit_key(&self, _: MemberId) -> bool {
        false
    }

    fn accept(&self, _: Connection) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// Misbehaving peers: a runtime of their own, Mallory's endpoint, and
/// more endpoints on demand, speaking raw frames.
struct Hostile {
    rt: tokio::runtime::Runtime,
    net: Arc<loam_net::Network>,
}

impl Hostile {
    fn new(key: &MemberKey) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let net = endpoint(&rt, key);
        Self { rt, net }
    }

    /// Another endpoint, keyed by `key`.
    fn endpoint(&self, key: &MemberKey) -> Arc<loam_net::Network> {
        endpoint(&self.rt, key)
    }

    fn run<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt
            .block_on(async { tokio::time::timeout(TIMEOUT, f).await.unwrap() })
    }
}

fn endpoint(rt: &tokio::runtime::Runtime, key: &MemberKey) -> Arc<loam_net::Network> {
    let net = rt
        .block_on(loam_net::Network::bind(
            key.seed(),
            NetConfig::loopback(),
            Arc::new(Nobody),
        ))
        .unwrap();
    Arc::new(net)
}

/// One raw stream to Ada.
struct Raw {
    conn: Connection,
    writer: StreamWriter,
    reader: StreamReader,
    decoder: FrameDecoder,
}

impl Raw {
    async fn open(net: &loam_net::Network, to: &loam_net::PeerAddr) -> Self {
        let conn = net.connect(to).await.unwrap();
        let (writer, reader) = conn.open_bi().await.unwrap().into_split();
        Self {
            conn,
            writer,
            reader,
            decoder: FrameDecoder::new(Limits::default()),
        }
    }

    async fn send(&mut self, frames: &[Frame]) {
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        self.bytes(&bytes).await;
    }

    /// Write `bytes` (a closed stream is not an error: Ada may have cut
    /// us off already).
    async fn bytes(&mut self, bytes: &[u8]) {
        if self.writer.write_all(bytes).await.is_ok() {
            let _ = self.writer.flush().await;
        }
    }

    /// The next frame, or `None` when the stream ends.
    async fn frame(&mut self) -> Option<Frame> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = self.decoder.next_frame().unwrap() {
                return Some(frame);
            }
            match self.reader.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.decoder.push(&buf[..n]),
            }
        }
    }

    /// Say hello as a member and read the welcome.
    async fn handshake(&mut self, hello: Frame) {
        self.send(&[hello]).await;
        match self.frame().await {
            Some(Frame::Welcome { .. }) => {}
            other => panic!("expected a welcome, got {other:?}"),
        }
    }

    /// Read until Ada ends the stream: the frames she sent, and how long
    /// it took.
    async fn until_closed(&mut self) -> (Vec<Frame>, Duration) {
        let start = Instant::now();
        let mut frames = Vec::new();
        let ended = tokio::time::timeout(BOUND, async {
            while let Some(frame) = self.frame().await {
                frames.push(frame);
            }
        })
        .await;
        assert!(ended.is_ok(), "still open after {BOUND:?}: {frames:?}");
        (frames, start.elapsed())
    }
}

/// One connection of a flood: welcomed (and held), or closed, and why.
async fn flood_one(
    net: &loam_net::Network,
    to: &loam_net::PeerAddr,
    hello: Frame,
) -> Result<Raw, CloseReason> {
    let conn = net.connect(to).await.unwrap();
    let reason =
        |conn: Connection| async move { tokio::time::timeout(BOUND, conn.closed()).await.unwrap() };
    let Ok(stream) = conn.open_bi().await else {
        return Err(reason(conn).await);
    };
    let (writer, reader) = stream.into_split();
    let mut raw = Raw {
        conn,
        writer,
        reader,
        decoder: FrameDecoder::new(Limits::default()),
    };
    raw.send(&[hello]).await;
    match raw.frame().await {
        Some(Frame::Welcome { .. }) => Ok(raw),
        None => Err(reason(raw.conn).await),
        Some(other) => panic!("a flooding connection got {other:?}"),
    }
}

fn bye_reason(frames: &[Frame]) -> String {
    match frames.last() {
        Some(Frame::Bye { reason }) => reason.clone(),
        other => panic!("expected a goodbye, got {other:?}"),
    }
}

/// A change to a document nobody has, made outside Loam: its bytes, hash
/// and document id.
fn stray_change() -> (Vec<u8>, automerge::ChangeHash, DocId) {
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "title", "Planted").unwrap();
    doc.commit();
    let change = doc.get_changes(&[]).into_iter().next().unwrap().clone();
    let doc_id = DocId::from_bytes([0x5a; 16]);
    (change.raw_bytes().to_vec(), change.hash(), doc_id)
}

fn message(changes: Vec<Vec<u8>>, have: Vec<Have>) -> Vec<u8> {
    Message {
        heads: vec![],
        need: vec![],
        have,
        changes: changes.into(),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

/// Every case against one node, in order (one world: setting up three
/// members and a join costs more than the cases).
#[test]
fn hostile_peers_are_cut_off_and_the_honest_member_finishes() {
    let mut w = World::new();
    let ada_addr = w.ada.net.addr().unwrap();
    let mallory = w.mallory.member();
    let docs_before = w.garden.doc_heads().unwrap().len();

    // 1. A malformed frame (an unknown kind) after the welcome.
    let hello = w.hello(None);
    let (frames, took) = w.while_bo_syncs("a malformed frame", |h| {
        h.run(async {
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.handshake(hello).await;
            raw.bytes(&[0, 0, 0, 3, 1, 99, 0]).await;
            raw.until_closed().await
        })
    });
    println!("malformed frame: cut after {took:?}");
    assert!(bye_reason(&frames).contains("unknown frame kind 99"));
    let reason = w.disconnect_reason(mallory);
    assert!(reason.contains("bad frame"), "{reason}");

    // 2. Oversized frames: a length prefix of 4 GiB after the welcome, and
    // one over the (smaller) hello limit before it. Refused on the prefix:
    // nothing of the body is awaited or buffered.
    let hello = w.hello(None);
    let (after, before) = w.while_bo_syncs("oversized frames", |h| {
        h.run(async {
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.handshake(hello).await;
            raw.bytes(&u32::MAX.to_be_bytes()).await;
            let after = raw.until_closed().await;
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.bytes(&(100 * 1024u32).to_be_bytes()).await;
            let before = raw.until_closed().await;
            (after, before)
        })
    });
    println!(
        "oversized frames: cut after {:?} and {:?}",
        after.1, before.1
    );
    let limits = Limits::default();
    assert!(
        bye_reason(&after.0).contains(&format!(
            "frame of 4294967295 bytes is over the limit of {}",
            limits.max_frame
        )),
        "{:?}",
        after.0
    );
    assert!(
        bye_reason(&before.0).contains(&format!(
            "frame of 102400 bytes is over the limit of {}",
            limits.max_hello_frame
        )),
        "{:?}",
        before.0
    );
    for _ in 0..2 {
        let reason = w.disconnect_reason(mallory);
        assert!(reason.contains("over the limit"), "{reason}");
    }

    // 3. Garbage Automerge in a DocSync.
    let hello = w.hello(None);
    let (planted_bytes, planted_hash, planted) = stray_change();
    let (frames, took) = w.while_bo_syncs("garbage automerge", |h| {
        h.run(async {
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.handshake(hello).await;
            raw.send(&[Frame::DocSync {
                doc: planted,
                message: vec![0x42, 0xff, 0xff, 0xff, 0x00],
                signatures: vec![],
            }])
            .await;
            raw.until_closed().await
        })
    });
    println!("garbage automerge: cut after {took:?}");
    assert!(bye_reason(&frames).contains("invalid sync message"));
    let reason = w.disconnect_reason(mallory);
    assert!(reason.contains("invalid sync message"), "{reason}");

    // 4. A change with a forged signature: made by Mallory, claimed to be
    // signed by Ada.
    let garden_id: GardenId = w.garden.id();
    let mut forged = SignedChanges::sign(&w.mallory, garden_id, planted, &[planted_hash])
        .remove(0)
        .encode();
    forged[1..33].copy_from_slice(w.ada.node.member_id().as_bytes());
    let hello = w.hello(None);
    let sync = message(vec![planted_bytes.clone()], vec![]);
    let (frames, took) = w.while_bo_syncs("a forged signature", |h| {
        h.run(async {
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.handshake(hello).await;
            raw.send(&[Frame::DocSync {
                doc: planted,
                message: sync,
                signatures: vec![forged],
            }])
            .await;
            raw.until_closed().await
        })
    });
    println!("a forged signature: cut after {took:?}");
    assert!(bye_reason(&frames).contains("invalid change signature"));
    let reason = w.disconnect_reason(mallory);
    assert!(reason.contains("invalid change signature"), "{reason}");
    assert!(!w.stored(planted), "the forged change was stored");

    // 5. The same change with no signature at all.
    let hello = w.hello(None);
    let sync = message(vec![planted_bytes], vec![]);
    let (frames, took) = w.while_bo_syncs("a missing signature", |h| {
        h.run(async {
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.handshake(hello).await;
            raw.send(&[Frame::DocSync {
                doc: planted,
                message: sync,
                signatures: vec![],
            }])
            .await;
            raw.until_closed().await
        })
    });
    println!("a missing signature: cut after {took:?}");
    assert!(bye_reason(&frames).contains("without a signature"));
    let reason = w.disconnect_reason(mallory);
    assert!(reason.contains("without a signature"), "{reason}");
    assert!(!w.stored(planted), "the unsigned change was stored");

    // 6. A Bloom filter asking for a billion probes per hash.
    let hello = w.hello(None);
    let poisoned = message(
        vec![],
        vec![Have {
            last_sync: vec![],
            bloom: BloomFilter::try_from(&[1u8, 10, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0, 0][..])
                .unwrap(),
        }],
    );
    let soil = w.garden.resolve("Soil").unwrap();
    let (frames, took) = w.while_bo_syncs("a poisoned bloom filter", |h| {
        h.run(async {
            let mut raw = Raw::open(&h.net, &ada_addr).await;
            raw.handshake(hello).await;
            raw.send(&[Frame::DocSync {
                doc: soil,
                message: poisoned,
                signatures: vec![],
            }])
            .await;
            raw.until_closed().await
        })
    });
    println!("poisoned bloom filter: cut after {took:?}");
    assert!(bye_reason(&frames).contains("bloom filter"), "{frames:?}");
    let reason = w.disconnect_reason(mallory);
    assert!(reason.contains("bloom filter"), "{reason}");

    // 7. A replayed invite: the one Bo used up. With no invite open, a
    // stranger's key is refused right after the TLS handshake; with
    // another invite open it gets as far as a hello, which is refused.
    let eve = MemberKey::from_seed(&[0xee; 32]);
    let (seed, entry) = w.used_invite;
    let redeem = Entry::redeem(&eve, &seed, garden_id, vec![entry], "Eve", 1)
        .unwrap()
        .encoded()
        .to_vec();
    let eve_net = w.hostile.endpoint(&eve);
    let refused = w.hostile.run(async {
        match eve_net.connect(&ada_addr).await {
            Err(e) => e.to_string(),
            Ok(conn) => {
                let reason = tokio::time::timeout(BOUND, conn.closed()).await.unwrap();
                match reason {
                    CloseReason::ByPeer { code, reason } => {
                        assert_eq!(code, u64::from(CLOSE_NOT_ADMITTED));
                        reason
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    });
    println!("replayed invite, none open: {refused}");
    let open = w.garden.invite(Role::Reader, None, 1).unwrap();
    let hello = w.hello(Some(redeem));
    let (frames, took) = w.while_bo_syncs("a replayed invite", |h| {
        h.run(async {
            let mut raw = Raw::open(&eve_net, &ada_addr).await;
            raw.send(&[hello]).await;
            raw.until_closed().await
        })
    });
    println!("replayed invite: refused after {took:?}");
    match frames.first() {
        Some(Frame::Refuse { code, reason }) => {
            assert_eq!(*code, RefuseCode::InviteRefused, "{reason}");
            println!("replayed invite refused: {reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(w.garden.role_of(eve.member()).unwrap(), None);
    w.garden
        .revoke_invite(match open.entry.action() {
            loam_core::Action::Invite { invite_key, .. } => *invite_key,
            _ => unreachable!(),
        })
        .unwrap();
    let _ = w.drain_events();

    // 8. Stalls: a connection that opens no stream; a stream with half a
    // hello; a member who sends half a frame after the welcome; a member
    // who trickles a frame a byte at a time.
    let hello = w.hello(None);
    let hello_bytes = hello.encode();
    let (silent, half_hello, half_frame, trickle) = w.while_bo_syncs("stalls", |h| {
        h.run(async {
            let silent = async {
                let conn = h.net.connect(&ada_addr).await.unwrap();
                let start = Instant::now();
                let reason = tokio::time::timeout(BOUND, conn.closed()).await.unwrap();
                (reason, start.elapsed())
            };
            let half_hello = async {
                let mut raw = Raw::open(&h.net, &ada_addr).await;
                raw.bytes(&hello_bytes[..hello_bytes.len() / 2]).await;
                raw.until_closed().await
            };
            let half_frame = async {
                let mut raw = Raw::open(&h.net, &ada_addr).await;
                raw.handshake(hello.clone()).await;
                raw.bytes(&[0, 0, 1, 0, 1, 8]).await;
                raw.until_closed().await
            };
            let trickle = async {
                let mut raw = Raw::open(&h.net, &ada_addr).await;
                raw.handshake(hello.clone()).await;
                let frame = Frame::Bye {
                    reason: "x".repeat(200),
                }
                .encode();
                let start = Instant::now();
                for byte in &frame[..frame.len() - 1] {
                    if raw.writer.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    let _ = raw.writer.flush().await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if start.elapsed() > BOUND {
                        break;
                    }
                }
                let (frames, _) = raw.until_closed().await;
                // From the first byte: the trickle itself is the stall.
                (frames, start.elapsed())
            };
            tokio::join!(silent, half_hello, half_frame, trickle)
        })
    });
    println!(
        "stalls cut after: no stream {:?}, half a hello {:?}, half a frame {:?}, a trickle {:?}",
        silent.1, half_hello.1, half_frame.1, trickle.1
    );
    let b = bounds();
    // Each is cut once its bound has passed (plus a tick), not before.
    for (what, took, bound) in [
        ("no stream", silent.1, b.hello_timeout),
        ("half a hello", half_hello.1, b.hello_timeout),
        ("half a frame", half_frame.1, b.reply_timeout),
        ("a trickle", trickle.1, b.reply_timeout),
    ] {
        assert!(
            took + Duration::from_millis(100) >= bound
                && took < bound + b.silence + Duration::from_secs(2),
            "{what}: cut after {took:?}, bound {bound:?}"
        );
    }
    assert!(
        bye_reason(&half_hello.0).contains("no hello in time"),
        "{half_hello:?}"
    );
    assert!(
        bye_reason(&half_frame.0).contains("no reply in time"),
        "{half_frame:?}"
    );
    assert!(
        bye_reason(&trickle.0).contains("no reply in time"),
        "{trickle:?}"
    );
    let reasons = w.disconnect_reasons(mallory, 4);
    for expected in [
        "opened no stream",
        "sent no hello",
        "stopped answering (6 bytes of a frame waiting)",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(expected)),
            "{expected:?} not in {reasons:?}"
        );
    }

    // 9. Floods: a member opening 24 connections at once (each says hello
    // and holds on), and 12 strangers connecting at once.
    let hello = w.hello(None);
    let strangers: Vec<Arc<loam_net::Network>> = (0..12u8)
        .map(|i| w.hostile.endpoint(&MemberKey::from_seed(&[0x80 + i; 32])))
        .collect();
    let (welcomed, busy, strangers_refused, held_peers) = w.while_bo_syncs("a flood", |h| {
        let ada = &w.ada;
        h.run(async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..24 {
                let net = h.net.clone();
                let hello = hello.clone();
                let addr = ada_addr.clone();
                set.spawn(async move { flood_one(&net, &addr, hello).await });
            }
            let mut welcomed = Vec::new();
            let mut busy = 0;
            while let Some(joined) = set.join_next().await {
                match joined.unwrap() {
                    Ok(raw) => welcomed.push(raw),
                    Err(CloseReason::ByPeer { code, .. }) if code == u64::from(CLOSE_BUSY) => {
                        busy += 1;
                    }
                    Err(other) => panic!("a flooding connection ended with {other}"),
                }
            }
            let held_peers = ada
                .net
                .peers()
                .iter()
                .filter(|p| p.member == mallory)
                .count();
            let mut refused = 0;
            let mut attempts = tokio::task::JoinSet::new();
            for stranger in &strangers {
                let stranger = stranger.clone();
                let addr = ada_addr.clone();
                attempts.spawn(async move {
                    match stranger.connect(&addr).await {
                        Err(_) => true,
                        Ok(conn) => matches!(
                            tokio::time::timeout(BOUND, conn.closed()).await,
                            Ok(CloseReason::ByPeer { code, .. }) if code == u64::from(CLOSE_NOT_ADMITTED)
                        ),
                    }
                });
            }
            while let Some(ok) = attempts.join_next().await {
                refused += usize::from(ok.unwrap());
            }
            let count = welcomed.len();
            drop(welcomed);
            (count, busy, refused, held_peers)
        })
    });
    println!(
        "flood: {welcomed} of 24 welcomed, {busy} closed busy, {held_peers} held; {strangers_refused} of 12 strangers refused"
    );
    assert_eq!(welcomed, bounds().max_sessions_per_peer);
    assert_eq!(busy, 24 - welcomed);
    assert!(held_peers <= bounds().max_sessions_per_peer, "{held_peers}");
    assert_eq!(strangers_refused, 12);
    let refusals = w
        .drain_events()
        .into_iter()
        .filter(|e| matches!(e, NetEvent::Refused { member, reason } if *member == mallory && reason.contains("too many connections")))
        .count();
    assert_eq!(refusals, 24 - welcomed);

    // Nothing any of them sent was stored; Bo has everything.
    assert!(!w.stored(planted));
    let docs_after = w.garden.doc_heads().unwrap().len();
    assert_eq!(docs_after, docs_before + 9, "one note per case");
}
