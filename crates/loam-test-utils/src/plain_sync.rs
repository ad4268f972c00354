//! The baseline the sync benchmarks are measured against: plain Automerge
//! sync, one session per document and nothing else, the way automerge-repo
//! syncs a set of documents. No reconciliation (every document is synced,
//! changed or not), no signatures, no membership, no storage: documents are
//! held as saved bytes in memory and loaded when their sync starts.
//!
//! It runs over the transport Loam's sync runs over: a loam-net (iroh)
//! connection on loopback, one bidirectional stream carrying frames of a
//! `u32` big-endian length, a 16-byte document id and an Automerge sync
//! message.
//!
//! [`PlainServer`] answers; [`sync_all`] dials it and syncs a list of
//! documents until both sides' heads agree on every one; [`live`] pushes
//! edits of one document one by one and times each until the server has
//! applied it.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::sync::{Message, State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc};
use loam_net::{BoxFuture, Connection, ConnectionHandler, PeerAddr, WireBytes};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::Error;

/// A document's key on the wire (a Loam `DocId`'s bytes).
pub type DocKey = [u8; 16];

/// Frames longer than this end the session (a bound, as every loop here
/// has one).
const MAX_FRAME: usize = 64 * 1024 * 1024;

/// How long either side waits for the other before giving up.
const PATIENCE: Duration = Duration::from_secs(120);

/// One side's documents: saved bytes, loaded when a sync needs them.
#[derive(Debug, Clone, Default)]
pub struct PlainDocs {
    /// Saved (or incrementally saved) Automerge bytes by document.
    pub saved: HashMap<DocKey, Vec<u8>>,
}

/// Counts Automerge loads on both sides, so the baseline's cost in loaded
/// documents can be set beside Loam's.
#[derive(Debug, Default)]
pub struct Loads(AtomicU64);

impl Loads {
    /// Loads so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn load(&self, bytes: Option<&Vec<u8>>) -> Result<AutoCommit, Error> {
        match bytes {
            Some(bytes) => {
                self.0.fetch_add(1, Ordering::Relaxed);
                AutoCommit::load(bytes).map_err(|e| Error::Baseline(e.to_string()))
            }
            None => Ok(AutoCommit::new()),
        }
    }
}

/// One document's sync on one connection.
struct Slot {
    doc: AutoCommit,
    state: State,
    /// Replies received (for the round-trip depth).
    replies: u64,
    /// The heads when the session started, to know whether to save it.
    start: Vec<ChangeHash>,
}

impl Slot {
    fn new(mut doc: AutoCommit) -> Self {
        let start = doc.get_heads();
        Self {
            doc,
            state: State::new(),
            replies: 0,
            start,
        }
    }

    /// Apply `message`; the reply to send, if any.
    fn receive(&mut self, message: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let message = Message::decode(message).map_err(|e| Error::Baseline(e.to_string()))?;
        self.doc
            .sync()
            .receive_sync_message(&mut self.state, message)
            .map_err(|e| Error::Baseline(e.to_string()))?;
        self.replies += 1;
        Ok(self.next())
    }

    fn next(&mut self) -> Option<Vec<u8>> {
        self.doc
            .sync()
            .generate_sync_message(&mut self.state)
            .map(Message::encode)
    }

    /// Both sides hold the same heads, as far as this side knows.
    fn agreed(&mut self) -> bool {
        self.state.their_heads.as_ref() == Some(&self.doc.get_heads())
    }

    fn changed(&mut self) -> bool {
        self.doc.get_heads() != self.start
    }
}

fn frame(doc: &DocKey, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 16 + message.len());
    let len = u32::try_from(16 + message.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(doc);
    out.extend_from_slice(message);
    out
}

/// Read one frame: `None` at the end of the stream.
async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
) -> Result<Option<(DocKey, Vec<u8>)>, Error> {
    let mut len = [0u8; 4];
    match reader.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(Error::Baseline(format!("{e} ({e:?})"))),
    }
    let len = u32::from_be_bytes(len) as usize;
    if !(16..=MAX_FRAME).contains(&len) {
        return Err(Error::Baseline(format!("bad frame length {len}")));
    }
    let mut body = vec![0u8; len];
    reader
        .read_exact(&mut body)
        .await
        .map_err(|e| Error::Baseline(e.to_string()))?;
    let mut doc = [0u8; 16];
    doc.copy_from_slice(&body[..16]);
    body.drain(..16);
    Ok(Some((doc, body)))
}

/// A reader task: frames as they arrive (a channel can be waited on
/// beside other things without losing half a frame), until the stream
/// ends or fails.
fn spawn_reader<R: AsyncRead + Unpin + Send + 'static>(
    mut reader: R,
) -> mpsc::UnboundedReceiver<Result<(DocKey, Vec<u8>), Error>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match read_frame(&mut reader).await {
                Ok(Some(frame)) => {
                    if tx.send(Ok(frame)).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    rx
}

/// A writer task: frames sent in order, the stream finished when every
/// sender is dropped. Counts bytes.
fn spawn_writer<W: AsyncWrite + Unpin + Send + 'static>(
    mut writer: W,
    sent: Arc<AtomicU64>,
) -> mpsc::UnboundedSender<Vec<u8>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = first;
            while let Ok(more) = rx.try_recv() {
                batch.extend_from_slice(&more);
            }
            sent.fetch_add(batch.len() as u64, Ordering::Relaxed);
            if writer.write_all(&batch).await.is_err() {
                return;
            }
        }
        let _ = writer.shutdown().await;
    });
    tx
}

/// The answering side: holds documents, answers every sync message, and
/// reports each change it applies.
pub struct PlainServer {
    docs: Arc<Mutex<PlainDocs>>,
    loads: Arc<Loads>,
    applied: Mutex<Option<mpsc::UnboundedSender<Instant>>>,
}

impl std::fmt::Debug for PlainServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainServer").finish_non_exhaustive()
    }
}

impl PlainServer {
    /// A server holding `docs`, counting its loads in `loads`.
    pub fn new(docs: PlainDocs, loads: Arc<Loads>) -> Arc<Self> {
        Arc::new(Self {
            docs: Arc::new(Mutex::new(docs)),
            loads,
            applied: Mutex::new(None),
        })
    }

    /// The documents as the server holds them now (changed ones saved back
    /// when a session ends).
    pub fn docs(&self) -> Arc<Mutex<PlainDocs>> {
        self.docs.clone()
    }

    /// Report the instant each received change is applied from now on.
    pub fn watch_applied(&self) -> mpsc::UnboundedReceiver<Instant> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self
            .applied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(tx);
        rx
    }

    async fn serve(&self, conn: Connection) -> Result<(), Error> {
        let stream = conn
            .accept_bi()
            .await
            .map_err(|e| Error::Baseline(e.to_string()))?;
        let (writer, reader) = stream.into_split();
        let out = spawn_writer(writer, Arc::new(AtomicU64::new(0)));
        // Read as frames come, loaded or not: a stream read only as fast
        // as documents load fills QUIC's reassembly buffer.
        let mut frames = spawn_reader(reader);
        let applied = self
            .applied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let mut slots: HashMap<DocKey, Slot> = HashMap::new();
        while let Some((key, message)) = tokio::time::timeout(PATIENCE, frames.recv())
            .await
            .map_err(|_| Error::Baseline("the client went quiet".into()))?
            .transpose()?
        {
            let slot = match slots.entry(key) {
                Entry::Occupied(held) => held.into_mut(),
                Entry::Vacant(empty) => {
                    let saved = self
                        .docs
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .saved
                        .get(&key)
                        .cloned();
                    empty.insert(Slot::new(self.loads.load(saved.as_ref())?))
                }
            };
            tokio::task::yield_now().await;
            let before = slot.doc.get_heads();
            let reply = slot.receive(&message)?;
            if let Some(tx) = &applied
                && slot.doc.get_heads() != before
            {
                let _ = tx.send(Instant::now());
            }
            if let Some(reply) = reply {
                let _ = out.send(frame(&key, &reply));
            }
        }
        drop(out);
        let mut docs = self
            .docs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (key, slot) in &mut slots {
            if slot.changed() {
                docs.saved.insert(*key, slot.doc.save());
            }
        }
        Ok(())
    }
}

impl ConnectionHandler for PlainServer {
    fn admit_key(&self, _remote: loam_net::MemberId) -> bool {
        true
    }

    fn accept(&self, conn: Connection) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(e) = self.serve(conn).await {
                eprintln!("plain sync server: {e}");
            }
        })
    }
}

/// What a plain sync cost, seen from the side that dialled.
#[derive(Debug, Clone, Default)]
pub struct PlainReport {
    /// From dialling until every document's heads agreed.
    pub elapsed: Duration,
    /// Frame bytes sent and received.
    pub bytes: u64,
    /// UDP payload bytes sent and received (QUIC included).
    pub wire: WireBytes,
    /// The most replies one document needed: the sync's depth in round
    /// trips (documents run in parallel).
    pub round_trips: u64,
    /// Documents whose heads changed here.
    pub docs_changed: u64,
}

/// Dial `server` and sync every document of `ids` (held in `docs` or not)
/// until this side knows both agree on each; documents that changed here
/// are saved back into `docs` (after the clock stops).
pub async fn sync_all(
    net: &loam_net::Network,
    server: &PeerAddr,
    ids: &[DocKey],
    docs: &mut PlainDocs,
    loads: &Loads,
) -> Result<PlainReport, Error> {
    let started = Instant::now();
    let conn = net
        .connect(server)
        .await
        .map_err(|e| Error::Baseline(e.to_string()))?;
    let stream = conn
        .open_bi()
        .await
        .map_err(|e| Error::Baseline(e.to_string()))?;
    let (writer, reader) = stream.into_split();
    let sent = Arc::new(AtomicU64::new(0));
    let out = spawn_writer(writer, sent.clone());
    // Replies are read as they come while the documents load: a stream
    // left unread for seconds fills QUIC's reassembly buffer.
    let mut frames = spawn_reader(reader);
    let mut slots: HashMap<DocKey, Slot> = HashMap::with_capacity(ids.len());
    let mut pending: HashSet<DocKey> = ids.iter().copied().collect();
    for (i, key) in ids.iter().enumerate() {
        if i % 64 == 63 {
            // Loading is CPU work: let the endpoint's own tasks run, or a
            // long list starves them and the connection times out.
            tokio::task::yield_now().await;
        }
        let mut slot = Slot::new(loads.load(docs.saved.get(key))?);
        if let Some(first) = slot.next() {
            let _ = out.send(frame(key, &first));
        }
        slots.insert(*key, slot);
    }
    let mut received = 0u64;
    while !pending.is_empty() {
        let Some((key, message)) = tokio::time::timeout(PATIENCE, frames.recv())
            .await
            .map_err(|_| Error::Baseline("the server went quiet".into()))?
            .transpose()?
        else {
            return Err(Error::Baseline("the server ended the stream".into()));
        };
        received += 4 + 16 + message.len() as u64;
        let Some(slot) = slots.get_mut(&key) else {
            return Err(Error::Baseline("a frame about an unknown document".into()));
        };
        if let Some(reply) = slot.receive(&message)? {
            let _ = out.send(frame(&key, &reply));
        }
        if slot.agreed() {
            pending.remove(&key);
        }
    }
    let elapsed = started.elapsed();
    // Let the server see the end of the stream, and read its last words.
    drop(out);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok((_, message))) = frames.recv().await {
            received += 4 + 16 + message.len() as u64;
        }
    })
    .await;
    let wire = conn.wire_bytes();
    conn.close(0, "done");
    let mut report = PlainReport {
        elapsed,
        bytes: sent.load(Ordering::Relaxed) + received,
        wire,
        ..PlainReport::default()
    };
    for (key, slot) in &mut slots {
        report.round_trips = report.round_trips.max(slot.replies);
        if slot.changed() {
            report.docs_changed += 1;
            docs.saved.insert(*key, slot.doc.save());
        }
    }
    Ok(report)
}

/// Dial `server`, sync document `key` (held in `docs` on both sides),
/// then make `edits` edits to it one by one (one change each, a word
/// appended to its `body`), each pushed as the sync message that carries
/// it: the time from each change to the server having applied it.
pub async fn live(
    net: &loam_net::Network,
    server: &PeerAddr,
    applied: &mut mpsc::UnboundedReceiver<Instant>,
    key: DocKey,
    docs: &PlainDocs,
    edits: usize,
) -> Result<Vec<Duration>, Error> {
    let conn = net
        .connect(server)
        .await
        .map_err(|e| Error::Baseline(e.to_string()))?;
    let stream = conn
        .open_bi()
        .await
        .map_err(|e| Error::Baseline(e.to_string()))?;
    let (writer, reader) = stream.into_split();
    let out = spawn_writer(writer, Arc::new(AtomicU64::new(0)));
    let mut frames = spawn_reader(reader);
    let bytes = docs
        .saved
        .get(&key)
        .ok_or_else(|| Error::Baseline("the live document is not held".into()))?;
    let mut slot = Slot::new(AutoCommit::load(bytes).map_err(|e| Error::Baseline(e.to_string()))?);
    let body = match slot.doc.get(ROOT, "body") {
        Ok(Some((_, id))) => id,
        _ => slot
            .doc
            .put_object(ROOT, "body", ObjType::Text)
            .map_err(|e| Error::Baseline(e.to_string()))?,
    };
    // Agree first, so that each edit is one message.
    if let Some(first) = slot.next() {
        let _ = out.send(frame(&key, &first));
    }
    for _ in 0..64 {
        if slot.agreed() {
            break;
        }
        let Some((_, message)) = tokio::time::timeout(PATIENCE, frames.recv())
            .await
            .map_err(|_| Error::Baseline("the server went quiet".into()))?
            .transpose()?
        else {
            return Err(Error::Baseline("the server ended the stream".into()));
        };
        if let Some(reply) = slot.receive(&message)? {
            let _ = out.send(frame(&key, &reply));
        }
    }
    let mut latencies = Vec::with_capacity(edits);
    for i in 0..edits {
        let started = Instant::now();
        let end = slot.doc.length(&body);
        slot.doc
            .splice_text(&body, end, 0, &format!(" w{i}"))
            .map_err(|e| Error::Baseline(e.to_string()))?;
        slot.doc.commit();
        if let Some(message) = slot.next() {
            let _ = out.send(frame(&key, &message));
        }
        // Acknowledgements are applied while waiting, so the next edit's
        // message carries only the new change.
        let at = loop {
            tokio::select! {
                at = applied.recv() => match at {
                    Some(at) => break at,
                    None => return Err(Error::Baseline("the server stopped".into())),
                },
                frame_in = frames.recv() => match frame_in.transpose()? {
                    Some((_, message)) => {
                        if let Some(reply) = slot.receive(&message)? {
                            let _ = out.send(frame(&key, &reply));
                        }
                    }
                    None => return Err(Error::Baseline("the server ended the stream".into())),
                },
                () = tokio::time::sleep(PATIENCE) => {
                    return Err(Error::Baseline("an edit never arrived".into()));
                }
            }
        };
        latencies.push(at.saturating_duration_since(started));
    }
    // Let the server see the end of the stream before the connection
    // closes (else it reports the close as a lost connection).
    drop(out);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = frames.recv().await {}
    })
    .await;
    conn.close(0, "done");
    Ok(latencies)
}
