//! One sync session over one byte stream: frames in, frames out.
//!
//! [`drive`] is generic over the stream, so tests run it over an
//! in-memory pipe and the network runs it over an iroh bi-stream. It feeds
//! the session what the peer sends, what changes here (the garden's event
//! stream: live sync) and what the service asks (close), and writes back
//! what the session says. Storage calls are short and synchronous; they run
//! on the runtime's worker threads.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use loam_core::GardenId;
use loam_sync::{Frame, FrameDecoder, Limits, Received, Session, SessionError, SyncStats};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{broadcast, mpsc, watch};

use super::Bounds;
use crate::Event;
use crate::sync_store::GardenSync;

/// What the service can ask of a running session.
#[derive(Debug, Clone)]
pub(crate) enum Control {
    /// Say goodbye with this reason and end.
    Close(String),
}

/// How a session is doing, for status and `sync --once`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    /// The garden, once known.
    pub(crate) garden: Option<GardenId>,
    /// Nothing in flight either way.
    pub(crate) quiescent: bool,
    /// When the session last became settled: quiescent, and the peer idle
    /// after everything this side sent ([`Session::is_settled`]).
    pub(crate) quiet_since: Option<Instant>,
    /// The session has been quiescent at least once: it got past the
    /// hello and the membership logs, and synced what differed.
    pub(crate) synced: bool,
    /// Counters.
    pub(crate) stats: SyncStats,
}

/// How a session ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The garden (the acceptor may end before knowing it).
    pub(crate) garden: Option<GardenId>,
    /// What the session did.
    pub(crate) stats: SyncStats,
    /// The connection's traffic (filled in once the session has ended).
    pub(crate) wire: loam_net::WireBytes,
    /// Why it ended, in words.
    pub(crate) reason: String,
    /// Whether the peer refused us (a `Refuse` frame), with its reason.
    pub(crate) refused: Option<String>,
    /// Whether it ended on an error (ours or the peer's).
    pub(crate) failed: bool,
}

/// The stream halves, the session and its store: everything one session needs.
pub(crate) struct Channel<R, W> {
    pub(crate) reader: R,
    pub(crate) writer: W,
    pub(crate) limits: Limits,
    pub(crate) bounds: Bounds,
}

/// Run `session` (already started: its first frames are in `first`) until
/// it ends. `store` is `None` for an acceptor that has not read the hello
/// yet: `pick` chooses the store from the garden the hello names (or says
/// why not, which becomes a `Refuse`).
///
/// Time is bounded by [`Bounds`]: an acceptor reads frames of at most
/// `Limits::max_hello_frame` bytes until the hello is decided, and closes a
/// peer that sends no hello within `hello_timeout`; while this side waits
/// (for a reply, or for the rest of a frame) a peer that makes no progress
/// for `reply_timeout` is closed. The timer ticks on its own, so bytes
/// trickling in do not hold it off.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn drive<R, W>(
    channel: Channel<R, W>,
    session: Session,
    first: Vec<Frame>,
    store: Option<GardenSync>,
    pick: impl Fn(&Frame) -> Result<GardenSync, Frame>,
    events: broadcast::Receiver<Event>,
    control: mpsc::UnboundedReceiver<Control>,
    progress: watch::Sender<Progress>,
) -> Outcome
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let Channel {
        mut reader,
        mut writer,
        limits,
        bounds,
    } = channel;
    let outcome = converse(
        &mut reader,
        &mut writer,
        limits,
        bounds,
        session,
        first,
        store,
        pick,
        events,
        control,
        progress,
    )
    .await;
    // Whoever ended it, let our last frame (a goodbye, a refusal) reach
    // the peer before the connection closes.
    linger(&mut reader).await;
    outcome
}

/// The body of [`drive`]: until the session ends.
#[allow(clippy::too_many_arguments)]
async fn converse<R, W>(
    reader: &mut R,
    writer: &mut W,
    limits: Limits,
    bounds: Bounds,
    mut session: Session,
    first: Vec<Frame>,
    mut store: Option<GardenSync>,
    pick: impl Fn(&Frame) -> Result<GardenSync, Frame>,
    mut events: broadcast::Receiver<Event>,
    mut control: mpsc::UnboundedReceiver<Control>,
    progress: watch::Sender<Progress>,
) -> Outcome
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut decoder = if store.is_none() {
        FrameDecoder::before_hello(limits)
    } else {
        FrameDecoder::new(limits)
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut refused = None;
    if let Err(e) = write_frames(writer, &first).await {
        return ended(&session, format!("cannot write: {e}"), true, None);
    }
    let started = Instant::now();
    // The last whole frame, and the last progress (a frame, or
    // `progress_bytes` of one): the silence and reply timers.
    let mut last_frame = started;
    let mut last_progress = started;
    let mut partial = 0usize;
    let mut was_waiting = false;
    let mut tick = tokio::time::interval_at((started + bounds.silence).into(), bounds.silence);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        report(&session, &progress);
        let waiting = !session.is_quiescent() || decoder.buffered() > 0;
        if waiting && !was_waiting {
            // Waiting starts now: a quiet spell before does not count.
            last_frame = Instant::now();
            last_progress = last_frame;
        }
        was_waiting = waiting;
        tokio::select! {
            read = reader.read(&mut buf) => {
                let n = match read {
                    Ok(0) => {
                        let reason = session.closed().map_or_else(
                            || "the peer closed the connection".to_owned(),
                            str::to_owned,
                        );
                        return ended(&session, reason, false, refused);
                    }
                    Ok(n) => n,
                    Err(e) => return ended(&session, format!("connection lost: {e}"), true, refused),
                };
                decoder.push(&buf[..n]);
                partial += n;
                if partial >= bounds.progress_bytes {
                    partial = 0;
                    last_progress = Instant::now();
                }
                // What the read's frames say is sent once what they brought
                // is stored (`commit`): nothing is acknowledged unstored.
                let mut replies = Vec::new();
                let mut failed = None;
                // Once the session is open, the read's frames are taken
                // together so their documents are checked on every core
                // (`Session::precheck`); before, one by one, since the
                // hello decides how large a frame may be.
                let mut ahead = VecDeque::new();
                let mut bad_frame = None;
                if store.is_some() && session.garden().is_some() {
                    let mut frames = Vec::new();
                    loop {
                        match decoder.next_frame() {
                            Ok(Some(frame)) => frames.push(frame),
                            Ok(None) => break,
                            Err(e) => {
                                bad_frame = Some(e);
                                break;
                            }
                        }
                    }
                    ahead = session.precheck(frames).into();
                }
                loop {
                    let next = match ahead.pop_front() {
                        Some(received) => Ok(Some(received)),
                        None => match bad_frame.take() {
                            Some(e) => Err(e),
                            None => decoder.next_frame().map(|f| f.map(Received::from)),
                        },
                    };
                    let received = match next {
                        Ok(Some(received)) => received,
                        Ok(None) => break,
                        Err(e) => {
                            commit(&mut session, store.as_mut());
                            bye(&mut session, writer, &format!("bad frame: {e}")).await;
                            return ended(&session, format!("the peer sent a bad frame: {e}"), true, refused);
                        }
                    };
                    let frame = received.frame();
                    last_frame = Instant::now();
                    last_progress = last_frame;
                    partial = 0;
                    match frame {
                        Frame::Refuse { reason, .. } => refused = Some(reason.clone()),
                        Frame::Bye { reason } => {
                            commit(&mut session, store.as_mut());
                            let _ = writer.shutdown().await;
                            return ended(&session, format!("the peer left: {reason}"), false, refused);
                        }
                        _ => {}
                    }
                    if store.is_none() {
                        match pick(frame) {
                            Ok(picked) => store = Some(picked),
                            Err(refusal) => {
                                let _ = write_frames(writer, std::slice::from_ref(&refusal)).await;
                                let _ = writer.shutdown().await;
                                let reason = match refusal {
                                    Frame::Refuse { reason, .. } => reason,
                                    _ => "refused".to_owned(),
                                };
                                return ended(&session, format!("refused: {reason}"), false, None);
                            }
                        }
                    }
                    let Some(st) = store.as_mut() else { continue };
                    match session.handle(received, st) {
                        Ok(out) => replies.extend(out),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                    if session.closed().is_some() {
                        break;
                    }
                    if session.garden().is_some() {
                        // Admitted (or we dialled): full-size frames from now on.
                        decoder.admitted();
                    }
                }
                let said = match (failed, store.as_mut()) {
                    (Some(e), st) => {
                        commit(&mut session, st);
                        Err(e)
                    }
                    (None, Some(st)) => session.commit(st).map(|()| replies),
                    (None, None) => Ok(replies),
                };
                if let Some((reason, failed)) = send(&mut session, writer, said).await {
                    let reason = refused.as_ref().map_or(reason, |r| format!("refused: {r}"));
                    return ended(&session, reason, failed, refused);
                }
            }
            event = events.recv() => {
                let Some(st) = store.as_mut() else { continue };
                let garden = loam_sync::SyncStore::garden(st);
                let out = match event {
                    // What this connection itself stored is not pushed
                    // back: the sync that brought it has answered it.
                    Ok(Event::DocChanged { garden: g, doc, heads }) if g == garden => {
                        if st.is_echo(doc, &heads) {
                            continue;
                        }
                        session.local_change(doc, st)
                    }
                    Ok(Event::MembershipChanged { garden: g, .. }) if g == garden => {
                        session.membership_changed(st)
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => {
                        bye(&mut session, writer, "shutting down").await;
                        return ended(&session, "shutting down".into(), false, refused);
                    }
                };
                if let Some((reason, failed)) = send(&mut session, writer, out).await {
                    return ended(&session, reason, failed, refused);
                }
            }
            command = control.recv() => {
                let reason = match command {
                    Some(Control::Close(reason)) => reason,
                    None => "shutting down".to_owned(),
                };
                bye(&mut session, writer, &reason).await;
                return ended(&session, reason, false, refused);
            }
            _ = tick.tick() => {
                if store.is_none() && started.elapsed() >= bounds.hello_timeout {
                    bye(&mut session, writer, "no hello in time").await;
                    let reason = format!(
                        "the peer sent no hello within {} ms",
                        bounds.hello_timeout.as_millis()
                    );
                    return ended(&session, reason, true, refused);
                }
                // What this side knows of members' addresses may have
                // changed (a member joined, another told us): pass it on.
                if let Some(st) = store.as_mut() {
                    let said = session.peers_changed(st);
                    if let Some((reason, failed)) = send(&mut session, writer, said).await {
                        return ended(&session, reason, failed, refused);
                    }
                }
                if !waiting {
                    continue;
                }
                if last_progress.elapsed() >= bounds.reply_timeout {
                    bye(&mut session, writer, "no reply in time").await;
                    let reason = format!(
                        "the peer stopped answering ({} bytes of a frame waiting)",
                        decoder.buffered()
                    );
                    return ended(&session, reason, true, refused);
                }
                // No frame for a while with something in flight: the
                // session resets what stalled (a lost message, a confused
                // sync state).
                if last_frame.elapsed() >= bounds.silence
                    && let Some(st) = store.as_mut()
                {
                    let said = session.on_silence(st);
                    if let Some((reason, failed)) = send(&mut session, writer, said).await {
                        return ended(&session, reason, failed, refused);
                    }
                }
            }
        }
    }
}

/// Send what the session said. `Some((why, failed))` when the session has
/// ended: it closed itself (its goodbye is among the frames sent), or it
/// failed and a goodbye saying why was sent.
async fn send<W: AsyncWrite + Unpin>(
    session: &mut Session,
    writer: &mut W,
    said: Result<Vec<Frame>, SessionError>,
) -> Option<(String, bool)> {
    match said {
        Ok(out) => {
            if let Err(e) = write_frames(writer, &out).await {
                return Some((format!("cannot write: {e}"), true));
            }
            let reason = session.closed()?.to_owned();
            let _ = writer.shutdown().await;
            Some((reason, false))
        }
        Err(e) => {
            bye(session, writer, &e.to_string()).await;
            Some((e.to_string(), !matches!(e, SessionError::Closed)))
        }
    }
}

/// Store what arrived before the session ends anyway (it was verified);
/// if that fails, the session ends as it was going to.
fn commit(session: &mut Session, store: Option<&mut GardenSync>) {
    if let Some(st) = store {
        let _ = session.commit(st);
    }
}

/// End the session with a goodbye saying `reason`, and close our side.
async fn bye<W: AsyncWrite + Unpin>(session: &mut Session, writer: &mut W, reason: &str) {
    let frame = session.close(reason);
    let _ = write_frames(writer, &[frame]).await;
    let _ = writer.shutdown().await;
}

/// After our goodbye: read (and drop) what the peer still sends until it
/// closes its side too, briefly, so that closing the connection does not
/// cut our goodbye off before the peer has read it.
async fn linger<R: AsyncRead + Unpin>(reader: &mut R) {
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        while let Ok(n) = reader.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

fn ended(session: &Session, reason: String, failed: bool, refused: Option<String>) -> Outcome {
    Outcome {
        garden: session.garden(),
        stats: session.stats().clone(),
        wire: loam_net::WireBytes::default(),
        reason,
        refused,
        failed,
    }
}

fn report(session: &Session, progress: &watch::Sender<Progress>) {
    let quiescent = session.is_quiescent();
    let settled = session.is_settled();
    progress.send_modify(|p| {
        p.garden = session.garden();
        if settled && p.quiet_since.is_none() {
            p.quiet_since = Some(Instant::now());
        }
        if !settled {
            p.quiet_since = None;
        }
        p.quiescent = quiescent;
        p.synced |= quiescent && session.garden().is_some() && session.closed().is_none();
        p.stats = session.stats().clone();
    });
}

async fn write_frames<W: AsyncWrite + Unpin>(
    writer: &mut W,
    frames: &[Frame],
) -> std::io::Result<()> {
    if frames.is_empty() {
        return Ok(());
    }
    let mut bytes = Vec::new();
    for frame in frames {
        bytes.extend_from_slice(&frame.encode());
    }
    writer.write_all(&bytes).await?;
    writer.flush().await
}
