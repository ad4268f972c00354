//! Sync over the network: the node's gardens kept in step with other
//! members' machines over iroh (loam-net), speaking loam-sync's protocol.
//!
//! [`Network::start`] opens the member's endpoint (keyed by their identity,
//! so the endpoint id is the member id) on a runtime of its own and starts
//! accepting. Every connection carries one session about one garden:
//!
//! - **Incoming**: a key that is neither a member of a garden held here nor
//!   possibly holding an invite (no garden here has a live invite) is
//!   refused right after the TLS handshake, before any stream opens. An
//!   admitted key's hello names a garden; the session decides on the hello
//!   alone (member, or a valid invite) before any document byte moves.
//! - **Outgoing**: [`Network::sync_once`] dials every known peer of every
//!   garden and returns when each session has nothing left to do;
//!   [`Network::keep_connected`] keeps sessions up, redialling with backoff
//!   after a drop. [`Network::join`] redeems an invite ticket.
//! - **Live**: a session pushes every change committed here as it is
//!   stored (the garden's event stream), and closes when membership says
//!   the peer was removed.
//!
//! - **LAN**: with mDNS on, an endpoint announcing itself on the LAN that
//!   is a member of a garden held here has its address remembered, and is
//!   dialled at once while sessions are kept up: members on one LAN find
//!   each other with no ticket but the first invite.
//!
//! - **Test hook**: on a loopback-only network with `LOAM_TEST_BLOCKLIST`
//!   set (tests only), members listed in that file are treated as
//!   unreachable ([`BLOCKLIST_VAR`], `blocklist.rs`): the partition tests
//!   cut links with it.
//!
//! Peers' addresses are kept per garden (the store's `peers` table, as
//! loam-net's `PeerAddr` in JSON): the inviter's from the ticket, every
//! peer dialled successfully, members found on the LAN, and what members
//! tell each other once a session is open (`addresses.rs`: each its own
//! address, and those of other current members it knows), so that members
//! who met only through a third reach each other directly.

mod addresses;
mod blocklist;
mod bounds;
mod connection;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use loam_core::{EntryHash, GardenId, MemberId, Role};
use loam_net::{
    BoxFuture, CLOSE_NOT_ADMITTED, CloseReason, Connection, ConnectionHandler, LanEvent,
    NOT_ADMITTED_REASON, PathKind,
};
use loam_store::PeerRow;
use loam_sync::{Frame, Limits, RefuseCode, Session, SyncStats};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};

use self::blocklist::Blocklist;
use self::connection::{Channel, Control, Outcome, Progress, drive};
use crate::sync_store::GardenSync;
use crate::{Garden, Node, NodeError, time};

pub use self::blocklist::BLOCKLIST_VAR;
pub use self::bounds::Bounds;
pub use loam_net::{Bind, InviteTicket, NetConfig, PeerAddr, RelayChoice, TicketError, WireBytes};

/// The close code of a connection refused because its member (or everyone
/// together) already has as many sessions as [`Bounds`] allow.
pub const CLOSE_BUSY: u32 = 429;

/// How long a session must have had nothing to do before `sync --once`
/// counts it as done.
const SETTLE: Duration = Duration::from_millis(250);

/// The wait after a failed attempt to reach a peer, doubled after each
/// further failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait between two attempts to reach a peer: short, so that a
/// peer back from an outage (a healed partition, a laptop that wakes) is
/// reached within seconds. A failed dial costs a few packets.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Something that happened on the network, for logs (`loam serve`) and the
/// desktop's status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NetEvent {
    /// A session with a peer started.
    Connected {
        /// The peer.
        member: MemberId,
        /// The garden, when known.
        garden: Option<GardenId>,
        /// Whether we dialled.
        outgoing: bool,
        /// Direct (LAN or hole-punched) or through a relay.
        path: String,
    },
    /// A session ended.
    Disconnected {
        /// The peer.
        member: MemberId,
        /// The garden, when known.
        garden: Option<GardenId>,
        /// Why, in words.
        reason: String,
        /// Bytes received and sent.
        bytes: (u64, u64),
    },
    /// A key was refused before any stream opened.
    Refused {
        /// The key.
        member: MemberId,
        /// Why.
        reason: String,
    },
    /// A peer could not be reached.
    Unreachable {
        /// The peer.
        member: MemberId,
        /// Why.
        reason: String,
    },
    /// A member of a garden held here announced itself on the LAN (mDNS)
    /// at a new address, now remembered as theirs.
    FoundOnLan {
        /// The member.
        member: MemberId,
        /// The garden they belong to.
        garden: GardenId,
        /// Where they are, as found.
        addr: String,
    },
}

/// One live session, as status shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PeerStatus {
    /// The peer.
    pub member: MemberId,
    /// The garden.
    pub garden: Option<GardenId>,
    /// Whether we dialled.
    pub outgoing: bool,
    /// `direct`, `relay` or `unknown`.
    pub path: String,
    /// Whether the session has nothing in flight.
    pub in_sync: bool,
    /// Bytes received.
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Documents synced on this session.
    pub docs_synced: u64,
}

/// What [`Network::sync_once`] did with one peer.
#[derive(Debug, Clone, Serialize)]
pub struct PeerSync {
    /// The peer.
    pub member: MemberId,
    /// Its name in the garden, if known.
    pub name: Option<String>,
    /// The garden.
    pub garden: GardenId,
    /// Whether the sync completed.
    pub ok: bool,
    /// Why not, or how it ended.
    pub detail: String,
    /// Bytes received.
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Round trips.
    pub round_trips: u64,
    /// Documents whose changes were exchanged.
    pub docs_synced: u64,
    /// Bytes on the wire (UDP payload, QUIC included) received and sent:
    /// `bytes_in`/`bytes_out` are the protocol's frames alone.
    pub wire: WireBytes,
    /// Milliseconds from dialling until the session last became idle (the
    /// logs and every document agreed): what the sync took, without the
    /// wait that confirms it is over. `None` if it never became idle.
    pub sync_ms: Option<f64>,
}

/// What [`Network::join`] did.
#[derive(Debug, Clone, Serialize)]
pub struct JoinReport {
    /// The garden joined.
    pub garden: GardenId,
    /// Its name.
    pub name: String,
    /// The role granted.
    pub role: Role,
    /// Documents received.
    pub docs: u64,
    /// Who admitted us.
    pub admitted_by: MemberId,
}

struct Live {
    remote: MemberId,
    outgoing: bool,
    path: PathKind,
    watch: Watch,
}

/// A session as whoever started it watches it: its progress, its outcome
/// once it ends (kept after it leaves the live sessions, so a session
/// refused at once still says why), and a way to close it.
#[derive(Clone)]
struct Watch {
    control: mpsc::UnboundedSender<Control>,
    progress: watch::Receiver<Progress>,
    done: watch::Receiver<Option<Arc<Outcome>>>,
}

struct Inner {
    node: Arc<Node>,
    net: tokio::sync::OnceCell<loam_net::Network>,
    live: Mutex<HashMap<u64, Live>>,
    next: AtomicU64,
    events: broadcast::Sender<NetEvent>,
    limits: Limits,
    /// [`Network::keep_connected`] runs: members found on the LAN are
    /// dialled at once.
    staying: AtomicBool,
    bounds: Bounds,
    /// The partition test hook (inert unless `LOAM_TEST_BLOCKLIST` is set).
    blocklist: Blocklist,
}

impl Inner {
    fn live(&self) -> MutexGuard<'_, HashMap<u64, Live>> {
        self.live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn net(&self) -> Result<&loam_net::Network, NodeError> {
        self.net.get().ok_or(NodeError::NetworkStopped)
    }

    /// Where this member can be reached now, to tell peers.
    fn own_addr(&self) -> Option<PeerAddr> {
        self.net().ok().map(loam_net::Network::addr)
    }

    /// Gardens that can be shared (made with a membership log). Cheap
    /// after the first call (open gardens are shared): it runs on every
    /// incoming handshake and every turn of the redial loop.
    fn gardens(&self) -> Vec<Arc<Garden>> {
        let Ok(ids) = self.node.garden_ids() else {
            return Vec::new();
        };
        ids.into_iter()
            .filter_map(|id| self.node.garden_by_id(id).ok())
            .filter(|g| g.shareable())
            .collect()
    }

    /// Why an incoming session from `remote` may not start now: its member
    /// or everyone together is at the bound.
    fn over_bounds(&self, live: &HashMap<u64, Live>, remote: MemberId) -> Option<String> {
        let incoming = live.values().filter(|l| !l.outgoing);
        let (mut total, mut theirs) = (0, 0);
        for l in incoming {
            total += 1;
            theirs += usize::from(l.remote == remote);
        }
        if theirs >= self.bounds.max_sessions_per_peer {
            return Some(format!(
                "too many connections from this member (limit {})",
                self.bounds.max_sessions_per_peer
            ));
        }
        (total >= self.bounds.max_incoming_sessions).then(|| {
            format!(
                "too many incoming connections (limit {})",
                self.bounds.max_incoming_sessions
            )
        })
    }

    /// Run one session on `conn` (outgoing when `start` is given) in the
    /// background; the id it is tracked under. An incoming connection over
    /// the [`Bounds`] is closed with [`CLOSE_BUSY`] instead (the reason is
    /// the error).
    fn spawn_session(
        self: &Arc<Self>,
        conn: Connection,
        outgoing: Option<(GardenSync, Option<Vec<u8>>)>,
    ) -> Result<(u64, Watch), String> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (control_tx, control_rx) = mpsc::unbounded_channel();
        let (progress_tx, progress_rx) = watch::channel(Progress::default());
        let (done_tx, done_rx) = watch::channel(None);
        let watch = Watch {
            control: control_tx,
            progress: progress_rx,
            done: done_rx,
        };
        let remote = conn.remote();
        let is_outgoing = outgoing.is_some();
        let garden_hint = outgoing
            .as_ref()
            .map(|(s, _)| loam_sync::SyncStore::garden(s));
        {
            let mut live = self.live();
            if !is_outgoing && let Some(reason) = self.over_bounds(&live, remote) {
                drop(live);
                conn.close(CLOSE_BUSY, &reason);
                let _ = self.events.send(NetEvent::Refused {
                    member: remote,
                    reason: reason.clone(),
                });
                return Err(reason);
            }
            live.insert(
                id,
                Live {
                    remote,
                    outgoing: is_outgoing,
                    path: conn.path_kind(),
                    watch: watch.clone(),
                },
            );
        }
        let inner = self.clone();
        tokio::spawn(async move {
            let events = inner.node.subscribe();
            let _ = inner.events.send(NetEvent::Connected {
                member: remote,
                garden: garden_hint,
                outgoing: is_outgoing,
                path: path_name(conn.path_kind()).to_owned(),
            });
            let mut outcome = inner
                .run_session(&conn, outgoing, events, control_rx, progress_tx)
                .await;
            outcome.wire = conn.wire_bytes();
            conn.close(0, &outcome.reason);
            if !outcome.failed && outcome.refused.is_none() {
                inner.record_sync(remote, outcome.garden);
            }
            // Untracked before it is announced: whoever hears of the end
            // finds the session gone (and its slot free).
            inner.live().remove(&id);
            let _ = inner.events.send(NetEvent::Disconnected {
                member: remote,
                garden: outcome.garden,
                reason: outcome.reason.clone(),
                bytes: (outcome.stats.bytes_in, outcome.stats.bytes_out),
            });
            let _ = done_tx.send(Some(Arc::new(outcome)));
        });
        Ok((id, watch))
    }

    async fn run_session(
        self: &Arc<Self>,
        conn: &Connection,
        outgoing: Option<(GardenSync, Option<Vec<u8>>)>,
        events: broadcast::Receiver<crate::Event>,
        control: mpsc::UnboundedReceiver<Control>,
        progress: watch::Sender<Progress>,
    ) -> Outcome {
        let failed = |reason: String| Outcome {
            garden: None,
            stats: SyncStats::default(),
            wire: WireBytes::default(),
            reason,
            refused: None,
            failed: true,
        };
        let remote = conn.remote();
        match outgoing {
            Some((mut store, join)) => {
                let stream = match conn.open_bi().await {
                    Ok(stream) => stream,
                    Err(e) => return failed(e.to_string()),
                };
                let (writer, reader) = stream.into_split();
                let (session, first) =
                    match Session::initiate(remote, join, self.limits.clone(), &mut store) {
                        Ok(started) => started,
                        Err(e) => return failed(e.to_string()),
                    };
                let channel = Channel {
                    reader,
                    writer,
                    limits: self.limits.clone(),
                    bounds: self.bounds,
                };
                let never = |_: &Frame| -> Result<GardenSync, Frame> {
                    Err(Frame::Bye {
                        reason: "no garden".into(),
                    })
                };
                let mut outcome = drive(
                    channel,
                    session,
                    first,
                    Some(store),
                    never,
                    events,
                    control,
                    progress,
                )
                .await;
                // A peer that does not admit this member's key closes the
                // connection right after the handshake: the session only
                // saw its stream fail, the close says why.
                if outcome.failed
                    && outcome.refused.is_none()
                    && let Some(CloseReason::ByPeer { code, reason }) = conn.close_reason()
                    && code == u64::from(CLOSE_NOT_ADMITTED)
                {
                    outcome.refused = Some(reason);
                }
                outcome
            }
            None => {
                // A peer that opens no stream is closed like one that
                // sends no hello.
                let stream =
                    match tokio::time::timeout(self.bounds.hello_timeout, conn.accept_bi()).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(e)) => return failed(e.to_string()),
                        Err(_) => {
                            return failed(format!(
                                "the peer opened no stream within {} ms",
                                self.bounds.hello_timeout.as_millis()
                            ));
                        }
                    };
                let (writer, reader) = stream.into_split();
                let session = Session::accept(remote, self.limits.clone());
                let channel = Channel {
                    reader,
                    writer,
                    limits: self.limits.clone(),
                    bounds: self.bounds,
                };
                let node = self.node.clone();
                let own = self.own_addr();
                let pick = move |frame: &Frame| -> Result<GardenSync, Frame> {
                    let Frame::Hello { garden, .. } = frame else {
                        return Err(Frame::Refuse {
                            code: RefuseCode::Other,
                            reason: "the first frame must be a hello".into(),
                        });
                    };
                    match node.garden_by_id(*garden) {
                        Ok(g) if g.shareable() => {
                            Ok(GardenSync::new(node.clone(), g).sharing(own.clone()))
                        }
                        _ => Err(Frame::Refuse {
                            code: RefuseCode::UnknownGarden,
                            reason: format!("garden {garden} is not held here"),
                        }),
                    }
                };
                drive(
                    channel,
                    session,
                    Vec::new(),
                    None,
                    pick,
                    events,
                    control,
                    progress,
                )
                .await
            }
        }
    }

    /// Remember that a session with `member` about `garden` ended well.
    fn record_sync(&self, member: MemberId, garden: Option<GardenId>) {
        let Some(garden) = garden.and_then(|g| self.node.garden_by_id(g).ok()) else {
            return;
        };
        let now = time::now();
        let _ = garden.touch_peer(member, now);
    }

    /// Dial `addr` about `garden` and start a session.
    async fn dial(
        self: &Arc<Self>,
        garden: &Arc<Garden>,
        addr: &PeerAddr,
    ) -> Result<(u64, Watch), NodeError> {
        if self.blocklist.blocks(addr.member) {
            return Err(NodeError::Network(format!(
                "blocked by the {BLOCKLIST_VAR} test hook"
            )));
        }
        let conn = self.net()?.connect(addr).await?;
        if self.blocklist.blocks(addr.member) {
            // Cut off while the dial was under way.
            conn.close(0, "blocked");
            return Err(NodeError::Network(format!(
                "blocked by the {BLOCKLIST_VAR} test hook"
            )));
        }
        let _ = garden.remember_peer(addr, time::now());
        let store = GardenSync::new(self.node.clone(), garden.clone()).sharing(self.own_addr());
        self.spawn_session(conn, Some((store, None)))
            .map_err(NodeError::Network)
    }

    /// `found` (an endpoint mDNS saw) is a member of gardens held here:
    /// remember where they are in each, and dial them if sessions are
    /// being kept up and none runs with them yet. Anyone else is ignored.
    async fn found_on_lan(self: &Arc<Self>, found: PeerAddr) {
        if found.member == self.node.member_id() {
            return;
        }
        for garden in self.gardens() {
            if garden.role_of(found.member).ok().flatten().is_none() {
                continue;
            }
            if let Ok(Some(addr)) = garden.remember_lan_peer(&found, time::now()) {
                let _ = self.events.send(NetEvent::FoundOnLan {
                    member: found.member,
                    garden: garden.id(),
                    addr: addr_text(&addr),
                });
            }
            if !self.staying.load(Ordering::Relaxed) || self.has_session(found.member, garden.id())
            {
                continue;
            }
            let addr = garden
                .known_peers(self.node.member_id())
                .ok()
                .and_then(|peers| {
                    peers
                        .into_iter()
                        .find(|(a, _)| a.member == found.member)
                        .map(|(a, _)| a)
                })
                .unwrap_or_else(|| found.clone());
            if let Err(e) = self.dial(&garden, &addr).await {
                let _ = self.events.send(NetEvent::Unreachable {
                    member: found.member,
                    reason: format!("found on the LAN, but: {e}"),
                });
            }
        }
    }

    /// Close every session with a member the test hook blocks now.
    fn close_blocked(&self) {
        let blocked = self.blocklist.blocked();
        if blocked.is_empty() {
            return;
        }
        for live in self.live().values() {
            if blocked.contains(&live.remote) {
                let _ = live.watch.control.send(Control::Close(format!(
                    "blocked by the {BLOCKLIST_VAR} test hook"
                )));
            }
        }
    }

    fn has_session(&self, member: MemberId, garden: GardenId) -> bool {
        self.session_with(member, garden).is_some()
    }

    /// Whether a session with `member` about `garden` (or a garden not yet
    /// named) runs, and if so whether one of them has synced.
    fn session_with(&self, member: MemberId, garden: GardenId) -> Option<bool> {
        let live = self.live();
        let mut found = None;
        for l in live.values().filter(|l| l.remote == member) {
            let p = l.watch.progress.borrow();
            if p.garden.is_none_or(|g| g == garden) {
                found = Some(found.unwrap_or(false) || p.synced);
            }
        }
        found
    }
}

/// The transport's policy hooks: who may connect, and serving who did.
struct Handler {
    inner: Weak<Inner>,
}

impl ConnectionHandler for Handler {
    fn admit_key(&self, remote: MemberId) -> bool {
        let Some(inner) = self.inner.upgrade() else {
            return false;
        };
        if inner.blocklist.blocks(remote) {
            let _ = inner.events.send(NetEvent::Refused {
                member: remote,
                reason: format!("blocked by the {BLOCKLIST_VAR} test hook"),
            });
            return false;
        }
        let gardens = inner.gardens();
        // A removed member is let in to be told so by the session (the
        // entries that removed them, then a refusal), before any document.
        let admitted = gardens.iter().any(|g| {
            g.role_of(remote).ok().flatten().is_some()
                || g.has_open_invites().unwrap_or(false)
                || g.was_removed(remote).unwrap_or(false)
        });
        if !admitted {
            let _ = inner.events.send(NetEvent::Refused {
                member: remote,
                reason: "not a member of any garden held here".into(),
            });
        }
        admitted
    }

    fn accept(&self, conn: Connection) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let Some(inner) = self.inner.upgrade() else {
                return;
            };
            if inner.blocklist.blocks(conn.remote()) {
                // Cut off since the handshake was admitted.
                conn.close(0, "blocked");
                return;
            }
            let Ok((_, watch)) = inner.spawn_session(conn, None) else {
                return;
            };
            {
                let mut done = watch.done;
                let _ = done.wait_for(Option::is_some).await;
            }
        })
    }
}

/// The node on the network. Dropping it (or [`Network::shutdown`]) says
/// goodbye to every peer and closes the endpoint.
pub struct Network {
    inner: Arc<Inner>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("member", &self.inner.node.member_id())
            .finish_non_exhaustive()
    }
}

impl Network {
    /// Open the member's endpoint with `config` and start accepting peers,
    /// with the default [`Bounds`]. Never waits for a relay: it works
    /// offline.
    pub fn start(node: Arc<Node>, config: NetConfig) -> Result<Self, NodeError> {
        Self::start_bounded(node, config, Bounds::default())
    }

    /// [`Network::start`] with other bounds on peers (tests shorten the
    /// timeouts).
    pub fn start_bounded(
        node: Arc<Node>,
        config: NetConfig,
        bounds: Bounds,
    ) -> Result<Self, NodeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("loam-net")
            .enable_all()
            .build()
            .map_err(|e| NodeError::Network(format!("cannot start the network runtime: {e}")))?;
        let (events, _) = broadcast::channel(1024);
        let inner = Arc::new(Inner {
            node: node.clone(),
            net: tokio::sync::OnceCell::new(),
            live: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
            events,
            limits: Limits::default(),
            staying: AtomicBool::new(false),
            bounds,
            blocklist: Blocklist::from_env(&config),
        });
        let handler = Arc::new(Handler {
            inner: Arc::downgrade(&inner),
        });
        let seed = node.member_key().seed();
        let mdns = config.mdns;
        let saved = load_saved(node.data_dir());
        let net = match reuse_port(&config, saved.as_ref()) {
            Some(again) => {
                match runtime.block_on(loam_net::Network::bind(seed, again, handler.clone())) {
                    Ok(net) => net,
                    // The port is taken now: any free one will do.
                    Err(_) => runtime.block_on(loam_net::Network::bind(seed, config, handler))?,
                }
            }
            None => runtime.block_on(loam_net::Network::bind(seed, config, handler))?,
        };
        save_addr(node.data_dir(), &net.addr());
        let _ = inner.net.set(net);
        if mdns {
            runtime.spawn(watch_lan(Arc::downgrade(&inner)));
        }
        Ok(Self {
            inner,
            runtime: Some(runtime),
        })
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, NodeError> {
        self.runtime.as_ref().ok_or(NodeError::NetworkStopped)
    }

    /// Where peers can reach this member now.
    pub fn addr(&self) -> Result<PeerAddr, NodeError> {
        Ok(self.inner.net()?.addr())
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<NetEvent> {
        self.inner.events.subscribe()
    }

    /// The sessions running now.
    pub fn peers(&self) -> Vec<PeerStatus> {
        self.inner
            .live()
            .values()
            .map(|l| {
                let p = l.watch.progress.borrow();
                PeerStatus {
                    member: l.remote,
                    garden: p.garden,
                    outgoing: l.outgoing,
                    path: path_name(l.path).to_owned(),
                    in_sync: p.quiescent,
                    bytes_in: p.stats.bytes_in,
                    bytes_out: p.stats.bytes_out,
                    docs_synced: p.stats.docs_synced,
                }
            })
            .collect()
    }

    /// Dial every known peer of every garden, sync, and return once every
    /// session has had nothing to do for a moment (or `timeout` passed).
    pub fn sync_once(&self, timeout: Duration) -> Result<Vec<PeerSync>, NodeError> {
        let inner = self.inner.clone();
        self.runtime()?.block_on(async move {
            let mut started = Vec::new();
            let mut report = Vec::new();
            for garden in inner.gardens() {
                for (addr, name) in garden.known_peers(inner.node.member_id())? {
                    let dialled = Instant::now();
                    match inner.dial(&garden, &addr).await {
                        Ok((_, watch)) => {
                            started.push((watch, garden.id(), addr.member, name, dialled))
                        }
                        Err(e) => {
                            let _ = inner.events.send(NetEvent::Unreachable {
                                member: addr.member,
                                reason: e.to_string(),
                            });
                            report.push(PeerSync {
                                member: addr.member,
                                name,
                                garden: garden.id(),
                                ok: false,
                                detail: format!("unreachable: {e}"),
                                bytes_in: 0,
                                bytes_out: 0,
                                round_trips: 0,
                                docs_synced: 0,
                                wire: WireBytes::default(),
                                sync_ms: None,
                            });
                        }
                    }
                }
            }
            let deadline = Instant::now() + timeout;
            for (watch, garden, member, name, dialled) in started {
                let peer = Peer {
                    member,
                    name,
                    dialled,
                };
                report.push(finish(watch, garden, peer, deadline).await);
            }
            Ok(report)
        })
    }

    /// Redeem `ticket`: reach the inviting member, be admitted, and receive
    /// the garden.
    pub fn join(&self, ticket: &InviteTicket, timeout: Duration) -> Result<JoinReport, NodeError> {
        let now = time::now();
        if ticket.is_expired(now) {
            return Err(NodeError::InviteRefused(
                "the invite has expired: ask for a new one".into(),
            ));
        }
        let parents = ticket
            .invite_entry
            .map(|h| vec![EntryHash::from_bytes(h)])
            .unwrap_or_default();
        let redeem = self
            .inner
            .node
            .redeem_entry(&ticket.secret, ticket.garden, parents)?;
        let inner = self.inner.clone();
        let ticket = ticket.clone();
        self.runtime()?.block_on(async move {
            let dialled = Instant::now();
            let conn = inner.net()?.connect(&ticket.inviter).await?;
            let store =
                GardenSync::joining(inner.node.clone(), ticket.garden).sharing(inner.own_addr());
            let (_, watch) = inner
                .spawn_session(conn, Some((store, Some(redeem))))
                .map_err(NodeError::Network)?;
            let deadline = Instant::now() + timeout;
            let peer = Peer {
                member: ticket.inviter.member,
                name: None,
                dialled,
            };
            let result = finish(watch, ticket.garden, peer, deadline).await;
            let refused = || NodeError::InviteRefused(why_not_admitted(&result.detail, &ticket));
            let garden = inner.node.garden_by_id(ticket.garden).ok();
            let Some(garden) = garden else {
                return Err(refused());
            };
            let _ = garden.remember_peer(&ticket.inviter, time::now());
            let role = garden.my_role()?.ok_or_else(refused)?;
            Ok(JoinReport {
                garden: garden.id(),
                name: garden.name().to_owned(),
                role,
                docs: result.docs_synced,
                admitted_by: ticket.inviter.member,
            })
        })
    }

    /// Keep a session with every known peer of every garden, until the
    /// network stops. A peer without a session is dialled at once; while
    /// attempts fail (or end before the session synced) the next waits 1 s,
    /// doubling to [`MAX_BACKOFF`]. Dials run side by side: a peer that is
    /// slow to answer holds up no other.
    ///
    /// With mDNS on, a member of a garden held here who shows up on the LAN
    /// is dialled as soon as they are found (their address is remembered
    /// whether or not sessions are kept).
    pub fn keep_connected(&self) -> Result<(), NodeError> {
        self.inner.staying.store(true, Ordering::Relaxed);
        let inner = Arc::downgrade(&self.inner);
        self.runtime()?.spawn(async move {
            let mut redial = Redial::default();
            let mut watched: HashMap<GardenId, OutsideWrites> = HashMap::new();
            loop {
                let Some(strong) = inner.upgrade() else {
                    return;
                };
                strong.close_blocked();
                redial.collect(&strong);
                for garden in strong.gardens() {
                    let _ = watched
                        .entry(garden.id())
                        .or_insert_with(|| OutsideWrites::new(&garden))
                        .announce(&garden);
                    let Ok(peers) = garden.known_peers(strong.node.member_id()) else {
                        continue;
                    };
                    for (addr, _) in peers {
                        redial.consider(&strong, &garden, addr);
                    }
                }
                drop(strong);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        Ok(())
    }

    /// Block until SIGINT or SIGTERM, calling `tick` every `every`.
    ///
    /// The signals are listened for from the start, once: one that arrives
    /// while `tick` runs stops the next wait. (Listening afresh for each
    /// wait lost such a signal, and the process then ignored it.)
    pub fn run_until_signal(
        &self,
        every: Duration,
        mut tick: impl FnMut(&Network),
    ) -> Result<(), NodeError> {
        let runtime = self.runtime()?;
        let mut signals = {
            let _entered = runtime.enter();
            Signals::listen()
        };
        loop {
            let stop = runtime.block_on(async {
                tokio::select! {
                    () = signals.next() => true,
                    () = tokio::time::sleep(every) => false,
                }
            });
            if stop {
                return Ok(());
            }
            tick(self);
        }
    }

    /// Say goodbye to every peer and close the endpoint.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        let inner = self.inner.clone();
        runtime.block_on(async move {
            let dones: Vec<_> = inner
                .live()
                .values()
                .map(|l| {
                    let _ = l.watch.control.send(Control::Close("shutting down".into()));
                    l.watch.done.clone()
                })
                .collect();
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                for mut done in dones {
                    let _ = done.wait_for(Option::is_some).await;
                }
            })
            .await;
            if let Some(net) = inner.net.get() {
                net.shutdown().await;
            }
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        self.stop();
    }
}

/// SIGINT and SIGTERM, listened for once: one that arrives between two
/// waits is kept for the next.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Start listening (inside the runtime).
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// The next signal.
    async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn one(signal: Option<&mut tokio::signal::unix::Signal>) {
                match signal {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = one(self.term.as_mut()) => {}
                () = one(self.int.as_mut()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Where this member was last listening: `network.json` in the data
/// directory, written by every [`Network::start`].
const SAVED_ADDR: &str = "network.json";

fn load_saved(data_dir: &std::path::Path) -> Option<PeerAddr> {
    let text = std::fs::read_to_string(data_dir.join(SAVED_ADDR)).ok()?;
    serde_json::from_str(&text).ok()
}

fn save_addr(data_dir: &std::path::Path, addr: &PeerAddr) {
    if let Ok(json) = serde_json::to_string_pretty(addr) {
        let _ = std::fs::write(data_dir.join(SAVED_ADDR), json);
    }
}

/// `config` with its free ports replaced by the port used last time, so
/// that tickets and peers' address books stay valid across restarts.
fn reuse_port(config: &NetConfig, saved: Option<&PeerAddr>) -> Option<NetConfig> {
    let port = saved?.direct.first()?.port();
    let Bind::Addrs(addrs) = &config.bind else {
        return None;
    };
    if port == 0 || addrs.iter().all(|a| a.port() != 0) {
        return None;
    }
    let mut again = config.clone();
    again.bind = Bind::Addrs(
        addrs
            .iter()
            .map(|a| {
                if a.port() == 0 {
                    std::net::SocketAddr::new(a.ip(), port)
                } else {
                    *a
                }
            })
            .collect(),
    );
    Some(again)
}

/// Where this member can be reached, as last saved by a running (or the
/// last) network: what `loam invite` puts in a ticket.
pub fn saved_addr(node: &Node) -> Option<PeerAddr> {
    load_saved(node.data_dir())
}

/// The ticket for `invite` to `garden`, reaching the inviter at `inviter`.
pub fn invite_ticket(garden: &Garden, invite: &crate::Invite, inviter: PeerAddr) -> InviteTicket {
    let (role, expires_ms) = match invite.entry.action() {
        loam_core::Action::Invite {
            role, expires_ms, ..
        } => (*role, *expires_ms),
        _ => (Role::Member, None),
    };
    InviteTicket {
        garden: garden.id(),
        garden_name: garden.name().to_owned(),
        inviter,
        secret: invite.seed,
        role: role.as_str().to_owned(),
        expires_ms,
        invite_entry: Some(*invite.entry.hash().as_bytes()),
    }
}

/// A dial of [`Redial`] that ended: the peer and garden, the wait it set,
/// and the session it started or why not.
type DialEnd = ((MemberId, GardenId), Duration, Result<u64, NodeError>);

/// The redial state of [`Network::keep_connected`]: per peer and garden,
/// the dial under way and when the next attempt may start.
#[derive(Default)]
struct Redial {
    /// Attempts since the last session that synced: the wait after the
    /// last one, and when the next may start.
    backoff: HashMap<(MemberId, GardenId), (Duration, Instant)>,
    /// Dials under way, each ending with its peer, the wait it set and how
    /// it went.
    dials: tokio::task::JoinSet<DialEnd>,
    /// The peers those dials are for.
    dialling: std::collections::HashSet<(MemberId, GardenId)>,
}

impl Redial {
    /// Take in the dials that have ended: a failure is announced (a
    /// success shows as a session).
    fn collect(&mut self, inner: &Inner) {
        while let Some(done) = self.dials.try_join_next() {
            let Ok((key, wait, result)) = done else {
                continue;
            };
            self.dialling.remove(&key);
            if let Err(e) = result {
                let _ = inner.events.send(NetEvent::Unreachable {
                    member: key.0,
                    reason: format!("{e}; next try in {} s", wait.as_secs()),
                });
            }
        }
    }

    /// Dial `addr` about `garden` unless a session with its member runs,
    /// a dial is under way or the backoff says wait.
    fn consider(&mut self, inner: &Arc<Inner>, garden: &Arc<Garden>, addr: PeerAddr) {
        let key = (addr.member, garden.id());
        match inner.session_with(addr.member, garden.id()) {
            Some(synced) => {
                if synced {
                    self.backoff.remove(&key);
                }
                return;
            }
            None if self.dialling.contains(&key) => return,
            None => {}
        }
        let now = Instant::now();
        let wait = match self.backoff.get(&key) {
            Some((_, next)) if now < *next => return,
            Some((wait, _)) => (*wait * 2).min(MAX_BACKOFF),
            None => FIRST_BACKOFF,
        };
        self.backoff.insert(key, (wait, now + wait));
        self.dialling.insert(key);
        let (inner, garden) = (inner.clone(), garden.clone());
        self.dials.spawn(async move {
            let result = inner.dial(&garden, &addr).await.map(|(id, _)| id);
            (key, wait, result)
        });
    }
}

/// The peer of a session [`finish`] waits for, and when it was dialled.
struct Peer {
    member: MemberId,
    name: Option<String>,
    dialled: Instant,
}

/// Why a join did not let this member in, from what the session said
/// (`detail`), in words they can act on. The ticket was not expired when
/// dialled, so an inviter who admits no stranger's key any more has no
/// open invite: this one was used up or revoked.
fn why_not_admitted(detail: &str, ticket: &InviteTicket) -> String {
    let detail = detail.strip_prefix("refused: ").unwrap_or(detail);
    if detail.contains(NOT_ADMITTED_REASON) {
        format!(
            "member {} has no open invite any more: this one was used up or revoked (ask for a new ticket)",
            ticket.inviter.member.short()
        )
    } else {
        detail.to_owned()
    }
}

/// Wait until the session `watch` watches has settled (or ended, or
/// `deadline` passed), close it if still open, and say how it went.
async fn finish(watch: Watch, garden: GardenId, peer: Peer, deadline: Instant) -> PeerSync {
    let Peer {
        member,
        name,
        dialled,
    } = peer;
    let Watch {
        control,
        progress,
        mut done,
    } = watch;
    let (outcome, idle_at) = loop {
        let idle_at = progress.borrow().quiet_since;
        if let Some(o) = done.borrow().clone() {
            break (Some(o), idle_at);
        }
        let settled = idle_at.is_some_and(|t| t.elapsed() >= SETTLE);
        if settled || Instant::now() >= deadline {
            let reason = if settled {
                "sync done"
            } else {
                "sync timed out"
            };
            let _ = control.send(Control::Close(reason.into()));
            let _ =
                tokio::time::timeout(Duration::from_secs(2), done.wait_for(Option::is_some)).await;
            break (done.borrow().clone(), idle_at);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let sync_ms = idle_at.map(|t| t.saturating_duration_since(dialled).as_secs_f64() * 1e3);
    match outcome {
        Some(o) => PeerSync {
            member,
            name,
            garden,
            ok: !o.failed && o.refused.is_none() && o.reason != "sync timed out",
            detail: o
                .refused
                .clone()
                .map_or_else(|| o.reason.clone(), |r| format!("refused: {r}")),
            bytes_in: o.stats.bytes_in,
            bytes_out: o.stats.bytes_out,
            round_trips: o.stats.round_trips,
            docs_synced: o.stats.docs_synced,
            wire: o.wire,
            sync_ms,
        },
        None => PeerSync {
            member,
            name,
            garden,
            ok: false,
            detail: "the session did not end when it was closed".into(),
            bytes_in: 0,
            bytes_out: 0,
            round_trips: 0,
            docs_synced: 0,
            wire: WireBytes::default(),
            sync_ms: None,
        },
    }
}

/// Endpoints found on the LAN, for as long as the endpoint runs (the
/// stream ends when it shuts down): each handed to
/// [`Inner::found_on_lan`].
async fn watch_lan(inner: Weak<Inner>) {
    let lan = {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let Ok(net) = strong.net() else {
            return;
        };
        net.lan_peers().await
    };
    let Some(mut lan) = lan else {
        return;
    };
    while let Some(event) = lan.next().await {
        let LanEvent::Found(found) = event else {
            continue;
        };
        let Some(strong) = inner.upgrade() else {
            return;
        };
        strong.found_on_lan(found).await;
    }
}

/// An address as people read it: direct addresses, then the relay.
fn addr_text(addr: &PeerAddr) -> String {
    let mut parts: Vec<String> = addr.direct.iter().map(ToString::to_string).collect();
    parts.extend(addr.relay.clone());
    parts.join(", ")
}

fn path_name(path: PathKind) -> &'static str {
    match path {
        PathKind::Direct => "direct",
        PathKind::Relay => "relay",
        _ => "unknown",
    }
}

/// What another process (`loam edit` beside `loam serve`) wrote to a
/// garden: noticed by SQLite's data version, announced as events so that
/// live sessions push it.
struct OutsideWrites {
    version: Option<i64>,
    heads: HashMap<loam_core::DocId, Vec<loam_core::ChangeHash>>,
    entries: Vec<EntryHash>,
}

impl OutsideWrites {
    fn new(garden: &Garden) -> Self {
        let mut this = Self {
            version: None,
            heads: HashMap::new(),
            entries: Vec::new(),
        };
        let _ = this.announce(garden);
        this
    }

    /// Announce what changed since the last look (nothing the first time).
    fn announce(&mut self, garden: &Garden) -> Result<(), NodeError> {
        let version = garden.lock().store.data_version()?;
        if self.version == Some(version) {
            return Ok(());
        }
        let first = self.version.is_none();
        self.version = Some(version);
        let heads: HashMap<_, _> = garden.doc_heads()?.into_iter().collect();
        let entries = garden.membership_heads()?;
        if !first {
            for (doc, h) in &heads {
                if self.heads.get(doc) != Some(h) {
                    garden.announce_outside(*doc, h);
                }
            }
            if entries != self.entries {
                garden.announce_membership();
            }
        }
        self.heads = heads;
        self.entries = entries;
        Ok(())
    }
}

/// A peer a garden knows how to reach.
#[derive(Debug, Clone, Serialize)]
pub struct KnownPeer {
    /// The member.
    pub member: MemberId,
    /// Their name in the garden.
    pub name: Option<String>,
    /// Their role, if still a member.
    pub role: Option<Role>,
    /// Where they were last reached.
    pub addr: String,
    /// When they were last seen (ms since the epoch).
    pub last_seen: Option<i64>,
    /// When a sync with them last completed.
    pub last_sync: Option<i64>,
}

impl Garden {
    /// Announce a change another process stored to `doc`.
    fn announce_outside(&self, doc: loam_core::DocId, heads: &[loam_core::ChangeHash]) {
        let _ = self.shared().events.send(crate::Event::DocChanged {
            garden: self.id(),
            doc,
            heads: heads.iter().map(ToString::to_string).collect(),
        });
    }

    /// Announce that another process changed the membership log.
    fn announce_membership(&self) {
        let heads = self
            .membership_heads()
            .map(|h| h.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        let _ = self.shared().events.send(crate::Event::MembershipChanged {
            garden: self.id(),
            heads,
        });
    }

    /// Every peer this garden knows how to reach.
    pub fn peer_list(&self) -> Result<Vec<KnownPeer>, NodeError> {
        let rows = self.lock().store.peers()?;
        let members = self.members()?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let addr = serde_json::from_str::<PeerAddr>(&row.addr)
                    .map_or_else(|_| row.addr.clone(), |a| addr_text(&a));
                KnownPeer {
                    member: row.member,
                    name: members.member(row.member).map(|m| m.name.clone()),
                    role: members.role(row.member),
                    addr,
                    last_seen: row.last_seen,
                    last_sync: row.last_sync,
                }
            })
            .collect())
    }

    /// Known peers of this garden other than `me`: their address and name.
    pub(crate) fn known_peers(
        &self,
        me: MemberId,
    ) -> Result<Vec<(PeerAddr, Option<String>)>, NodeError> {
        let rows = self.lock().store.peers()?;
        let members = self.members()?;
        Ok(rows
            .into_iter()
            .filter(|row| row.member != me)
            .filter_map(|row| {
                let addr: PeerAddr = serde_json::from_str(&row.addr).ok()?;
                let name = members.member(row.member).map(|m| m.name.clone());
                Some((addr, name))
            })
            .collect())
    }

    /// Remember where `addr`'s member can be reached.
    pub(crate) fn remember_peer(&self, addr: &PeerAddr, now: i64) -> Result<(), NodeError> {
        let json = serde_json::to_string(addr)
            .map_err(|e| NodeError::Network(format!("cannot record a peer address: {e}")))?;
        self.lock().store.upsert_peer(&PeerRow {
            member: addr.member,
            addr: json,
            last_seen: Some(now),
            last_sync: None,
        })?;
        Ok(())
    }

    /// Remember the addresses mDNS found `found`'s member at: they
    /// replace the direct addresses known before (a LAN address is
    /// current; an old one may be anywhere), and the relay known before is
    /// kept. The address now known, or `None` when it was known already.
    pub(crate) fn remember_lan_peer(
        &self,
        found: &PeerAddr,
        now: i64,
    ) -> Result<Option<PeerAddr>, NodeError> {
        let mut state = self.lock();
        let row = state.store.peer(found.member)?;
        let before = row
            .as_ref()
            .and_then(|r| serde_json::from_str::<PeerAddr>(&r.addr).ok());
        let mut addr = found.clone();
        if addr.relay.is_none() {
            addr.relay = before.as_ref().and_then(|b| b.relay.clone());
        }
        if addr.direct.is_empty() {
            addr.direct = before
                .as_ref()
                .map(|b| b.direct.clone())
                .unwrap_or_default();
        }
        if before.as_ref() == Some(&addr) {
            return Ok(None);
        }
        let json = serde_json::to_string(&addr)
            .map_err(|e| NodeError::Network(format!("cannot record a peer address: {e}")))?;
        state.store.upsert_peer(&PeerRow {
            member: addr.member,
            addr: json,
            last_seen: Some(now),
            last_sync: row.and_then(|r| r.last_sync),
        })?;
        Ok(Some(addr))
    }

    /// Note a completed sync with `member` (if known).
    pub(crate) fn touch_peer(&self, member: MemberId, now: i64) -> Result<(), NodeError> {
        let mut state = self.lock();
        if let Some(mut row) = state.store.peer(member)? {
            row.last_seen = Some(now);
            row.last_sync = Some(now);
            state.store.upsert_peer(&row)?;
        }
        Ok(())
    }

    /// Whether the log holds an invite someone could still redeem.
    pub(crate) fn has_open_invites(&self) -> Result<bool, NodeError> {
        let now = time::now();
        Ok(self.members()?.invites().any(|i| i.check(now).is_ok()))
    }
}
