//! The app on the network: the node's [`Network`] (loam-node's iroh
//! sessions), started when a garden is open, kept connected to every known
//! peer, shut down when the app ends; and the sync status the footer and
//! the members list show, kept from the network's events and sessions.
//!
//! The network runs on its own tokio runtime, so its blocking calls
//! (`start`, `join`, dropping it) are made on threads of their own, never
//! on Tauri's async runtime. A status thread follows each started network:
//! it turns [`NetEvent`]s and the live sessions into a [`SyncStatus`] and
//! sends it to the UI (an [`AppEvent::Sync`]) whenever it changes. It ends
//! when the network stops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use loam_node::network::{NetConfig, NetEvent, Network, PeerStatus};
use loam_node::{Garden, MemberId, Node};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::broadcast::error::TryRecvError;

use crate::dto::{AppEvent, CommandError, ErrorKind, NetworkState, SyncPath, SyncStatus};
use crate::state::AppState;

/// How often the status thread looks at the sessions.
const TICK: Duration = Duration::from_millis(300);

/// The network and what the status is made from.
#[derive(Default)]
pub struct NetState {
    net: Mutex<Option<Arc<Network>>>,
    /// Held while a network starts, so that only one does.
    starting: Mutex<()>,
    /// Set once the app ends: no network starts after that.
    stopped: AtomicBool,
    /// Whether showing a garden starts the network by itself (the real
    /// app; tests start it themselves, on loopback).
    automatic: AtomicBool,
    /// Why the network could not start.
    failure: Mutex<Option<String>>,
    seen: Mutex<Seen>,
}

impl std::fmt::Debug for NetState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetState")
            .field("running", &lock(&self.net).is_some())
            .finish_non_exhaustive()
    }
}

/// What the status thread has seen so far.
#[derive(Debug, Default)]
struct Seen {
    /// Bytes each settled session had exchanged when last looked at.
    settled: HashMap<MemberId, (u64, u64)>,
    /// When changes were last exchanged and settled.
    last_sync: Option<i64>,
    /// The last problem heard of, in words (cleared when a peer connects).
    problem: Option<String>,
    /// The status last sent to the UI.
    sent: Option<SyncStatus>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The configuration the app runs with: the default (LAN, relays), or
/// everything on 127.0.0.1 when `LOAM_NET=loopback` (every test).
pub fn config_from_env() -> Result<NetConfig, CommandError> {
    NetConfig::from_env(NetConfig::default()).map_err(|e| {
        CommandError::new(
            ErrorKind::Network,
            format!("the network settings are wrong: {e}"),
        )
    })
}

/// Run `f` on a thread of its own (the network's blocking calls must not
/// run on an async runtime) and wait for its answer without blocking one.
pub async fn off_runtime<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommandError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("loam-net-call".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| CommandError::new(ErrorKind::Internal, format!("no thread: {e}")))?;
    rx.await
        .map_err(|_| CommandError::new(ErrorKind::Internal, "a network call failed"))
}

impl NetState {
    /// The running network, if any.
    pub fn running(&self) -> Option<Arc<Network>> {
        lock(&self.net).clone()
    }

    /// From now on, showing a garden starts the network (with the
    /// configuration `LOAM_NET` says).
    pub fn start_automatically(&self) {
        self.automatic.store(true, Ordering::SeqCst);
    }

    /// Take the network out (it stops when the last user lets go).
    fn take(&self) -> Option<Arc<Network>> {
        self.stopped.store(true, Ordering::SeqCst);
        lock(&self.net).take()
    }
}

/// Start the node's network with `config` unless it runs already, keep
/// connected to every known peer and follow it with a status thread.
/// Blocking: call it from a thread of its own.
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    config: NetConfig,
) -> Result<Arc<Network>, CommandError> {
    let state = app.state::<AppState>();
    let net_state = &state.net;
    let _only_one = lock(&net_state.starting);
    if let Some(net) = net_state.running() {
        return Ok(net);
    }
    if net_state.stopped.load(Ordering::SeqCst) {
        return Err(CommandError::new(ErrorKind::Network, "the app is closing"));
    }
    let started = Network::start(state.node().clone(), config).and_then(|net| {
        net.keep_connected()?;
        Ok(net)
    });
    let net = match started {
        Ok(net) => Arc::new(net),
        Err(e) => {
            let message = format!("Offline: the network could not start ({e})");
            *lock(&net_state.failure) = Some(message.clone());
            refresh(&state);
            return Err(CommandError::new(ErrorKind::Network, message));
        }
    };
    *lock(&net_state.failure) = None;
    let events = net.subscribe();
    *lock(&net_state.net) = Some(net.clone());
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("loam-sync-status".into())
        .spawn(move || follow(&handle, events));
    if let Err(e) = spawned {
        return Err(CommandError::new(
            ErrorKind::Internal,
            format!("cannot follow the network: {e}"),
        ));
    }
    refresh(&state);
    Ok(net)
}

/// Start the network in the background when a garden is shown and none
/// runs yet (the app opening a garden, the first run planting one), if
/// [`NetState::start_automatically`] was called.
pub fn start_in_background<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    if !state.net.automatic.load(Ordering::SeqCst)
        || state.shown().is_none()
        || state.net.running().is_some()
    {
        return;
    }
    let handle = app.clone();
    let _ = std::thread::Builder::new()
        .name("loam-net-start".into())
        .spawn(move || match config_from_env() {
            Ok(config) => {
                let _ = start(&handle, config);
            }
            Err(e) => {
                let state = handle.state::<AppState>();
                *lock(&state.net.failure) = Some(e.message);
                refresh(&state);
            }
        });
}

/// Say goodbye to every peer and close the endpoint; no network starts
/// after this. Blocks until done (a few seconds at most).
pub fn stop(state: &AppState) {
    let Some(net) = state.net.take() else {
        return;
    };
    // The network's own runtime is shut down by its drop: do it on a plain
    // thread, never inside an async runtime.
    let ended = std::thread::Builder::new()
        .name("loam-net-stop".into())
        .spawn(move || drop(net));
    if let Ok(thread) = ended {
        let _ = thread.join();
    }
}

/// The status thread: events and sessions into the UI's status, until the
/// network stops.
fn follow<R: Runtime>(app: &AppHandle<R>, mut events: tokio::sync::broadcast::Receiver<NetEvent>) {
    let state = app.state::<AppState>();
    loop {
        loop {
            match events.try_recv() {
                Ok(event) => heard(&state, &event),
                Err(TryRecvError::Lagged(_)) => continue,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return,
            }
        }
        if state.net.running().is_none() {
            refresh(&state);
            return;
        }
        refresh(&state);
        std::thread::sleep(TICK);
    }
}

/// The name `member` goes by in the garden shown, else their short id.
fn name_of(state: &AppState, member: MemberId) -> String {
    state
        .shown()
        .and_then(|g| g.members().ok())
        .and_then(|m| m.member(member).map(|i| i.name.clone()))
        .unwrap_or_else(|| member.short())
}

/// Note what an event says went wrong. A session that connects clears
/// it (see [`status`]).
fn heard(state: &AppState, event: &NetEvent) {
    let refusal = |reason: &str| {
        reason
            .split_once("closed by the peer: ")
            .map(|(_, why)| why.to_owned())
    };
    let problem = match event {
        NetEvent::Unreachable { member, reason }
        | NetEvent::Disconnected { member, reason, .. }
            if refusal(reason).is_some() =>
        {
            format!(
                "Refused by {}: {}",
                name_of(state, *member),
                refusal(reason).unwrap_or_default()
            )
        }
        // The session refused us: the peer's reason names us by id.
        NetEvent::Disconnected { member, reason, .. } if reason.starts_with("refused: ") => {
            let why = shorten(reason.trim_start_matches("refused: "));
            let why = match why.strip_suffix("was removed from this garden") {
                Some(_) => "you were removed from this garden".to_owned(),
                None => why,
            };
            format!("Refused by {}: {why}", name_of(state, *member))
        }
        NetEvent::Unreachable { member, reason } => format!(
            "Offline: cannot reach {} ({})",
            name_of(state, *member),
            shorten(reason)
        ),
        NetEvent::Refused { member, reason } => format!(
            "Refused a connection from {}: {reason}",
            name_of(state, *member)
        ),
        NetEvent::Disconnected { member, reason, .. } if !ordinary_end(reason) => format!(
            "Disconnected from {}: {}",
            name_of(state, *member),
            shorten(reason)
        ),
        _ => return,
    };
    lock(&state.net.seen).problem = Some(problem);
}

/// Whether a session ended the way sessions end (a sync done, a peer
/// closing Loam), not because something is wrong.
fn ordinary_end(reason: &str) -> bool {
    let reason = reason.strip_prefix("the peer left: ").unwrap_or(reason);
    matches!(reason, "sync done" | "shutting down")
}

/// A transport error without the member's 64-digit id, which the sentence
/// names already.
fn shorten(reason: &str) -> String {
    reason
        .split_whitespace()
        .filter(|w| !(w.len() >= 64 && w.chars().all(|c| c.is_ascii_hexdigit())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Work out the status now and send it to the UI if it changed.
pub fn refresh(state: &AppState) {
    let status = status(state);
    let mut seen = lock(&state.net.seen);
    if seen.sent.as_ref() == Some(&status) {
        return;
    }
    seen.sent = Some(status.clone());
    drop(seen);
    state.send(&AppEvent::Sync { status });
}

/// The sync status of the garden shown.
pub fn status(state: &AppState) -> SyncStatus {
    let garden = state.shown();
    let net = state.net.running();
    let network = match (&net, lock(&state.net.failure).clone()) {
        (Some(_), _) => NetworkState::Online,
        (None, Some(_)) => NetworkState::Failed,
        (None, None) if state.net.stopped.load(Ordering::SeqCst) => NetworkState::Stopped,
        (None, None) => NetworkState::Starting,
    };
    let sessions: Vec<PeerStatus> = match (&net, &garden) {
        (Some(net), Some(g)) => net
            .peers()
            .into_iter()
            .filter(|p| p.garden.is_none_or(|id| id == g.id()))
            .collect(),
        _ => Vec::new(),
    };
    let known = garden
        .as_ref()
        .map_or(0, |g| other_members(state.node(), g));
    let mut online: Vec<MemberId> = sessions.iter().map(|p| p.member).collect();
    online.sort();
    online.dedup();
    let direct = sessions.iter().any(|p| p.path == "direct");
    let relay = sessions.iter().any(|p| p.path == "relay");
    let path = match (direct, relay) {
        (true, true) => Some(SyncPath::Mixed),
        (true, false) => Some(SyncPath::Direct),
        (false, true) => Some(SyncPath::Relay),
        (false, false) => None,
    };
    let mut seen = lock(&state.net.seen);
    let now = now_ms();
    for session in sessions.iter().filter(|p| p.in_sync) {
        let bytes = (session.bytes_in, session.bytes_out);
        if seen.settled.insert(session.member, bytes) != Some(bytes) {
            seen.last_sync = Some(now);
        }
    }
    if seen.last_sync.is_none() {
        seen.last_sync = garden.as_ref().and_then(|g| last_sync_on_record(g));
    }
    if !online.is_empty() {
        seen.problem = None;
    }
    let problem = match network {
        NetworkState::Failed => lock(&state.net.failure).clone(),
        NetworkState::Online if online.is_empty() && known > 0 => Some(
            seen.problem
                .clone()
                .unwrap_or_else(|| "Offline: no other member is reachable now".to_owned()),
        ),
        _ => None,
    };
    SyncStatus {
        network,
        peers_online: u32::try_from(online.len()).unwrap_or(u32::MAX),
        peers_known: known,
        online: online.iter().map(ToString::to_string).collect(),
        path,
        last_sync: seen.last_sync,
        problem,
    }
}

/// How many other members the garden has (each is reachable one way or
/// the other: this member dials those whose address it knows, the others
/// dial in).
fn other_members(node: &Node, garden: &Garden) -> u32 {
    let me = node.member_id();
    let count = garden
        .members()
        .map(|m| m.members().filter(|m| m.id != me).count())
        .unwrap_or(0);
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The last completed sync the garden has on record.
fn last_sync_on_record(garden: &Garden) -> Option<i64> {
    garden
        .peer_list()
        .ok()?
        .iter()
        .filter_map(|p| p.last_sync)
        .max()
}
