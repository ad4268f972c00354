//! One authenticated connection to a member: streams, close with a reason,
//! and which path (direct or relay) it runs over.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use iroh::endpoint::{self, ConnectionError, RecvStream, SendStream, VarInt};
use loam_core::MemberId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::NetError;
use crate::peer_addr::member_id;

/// The close code a node refuses an unknown key with (see
/// [`crate::ConnectionHandler::admit_key`]).
pub const CLOSE_NOT_ADMITTED: u32 = 403;

/// The reason sent with [`CLOSE_NOT_ADMITTED`].
pub const NOT_ADMITTED_REASON: &str =
    "not a member of any garden here: ask a facilitator for an invite";

/// The longest close reason sent; longer ones are cut (QUIC puts the reason
/// in one packet).
pub const MAX_REASON_BYTES: usize = 512;

/// How a connection is carried right now, for `loam status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// Straight between the two machines (LAN, or hole-punched).
    Direct,
    /// Through a relay server.
    Relay,
    /// No path selected yet, or the connection is closed.
    Unknown,
}

/// A connection's traffic, in UDP payload bytes (see
/// [`Connection::wire_bytes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WireBytes {
    /// Sent to the peer.
    pub sent: u64,
    /// Received from the peer.
    pub received: u64,
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer closed it with this code and reason (for example a
    /// facilitator's node dropping a removed member).
    ByPeer {
        /// The application close code.
        code: u64,
        /// The reason text (lossy UTF-8).
        reason: String,
    },
    /// We closed it ourselves.
    Locally,
    /// Nothing was heard from the peer for the idle timeout.
    TimedOut,
    /// The peer's QUIC stack reset or aborted it (a restart, a protocol
    /// violation, an ALPN it does not speak).
    Transport(String),
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ByPeer { code, reason } if reason.is_empty() => {
                write!(f, "closed by the peer (code {code})")
            }
            Self::ByPeer { code, reason } => {
                write!(f, "closed by the peer: {reason} (code {code})")
            }
            Self::Locally => f.write_str("closed by us"),
            Self::TimedOut => f.write_str("timed out: nothing heard from the peer"),
            Self::Transport(detail) => write!(f, "connection lost: {detail}"),
        }
    }
}

impl From<ConnectionError> for CloseReason {
    fn from(e: ConnectionError) -> Self {
        match e {
            ConnectionError::ApplicationClosed(close) => Self::ByPeer {
                code: close.error_code.into_inner(),
                reason: String::from_utf8_lossy(&close.reason).into_owned(),
            },
            ConnectionError::LocallyClosed => Self::Locally,
            ConnectionError::TimedOut => Self::TimedOut,
            other => Self::Transport(other.to_string()),
        }
    }
}

/// A live connection to a member whose key the TLS handshake proved.
/// Cheap to clone; the connection closes when the last clone is dropped
/// or [`Connection::close`] is called.
#[derive(Debug, Clone)]
pub struct Connection {
    inner: endpoint::Connection,
    remote: MemberId,
}

impl Connection {
    pub(crate) fn new(inner: endpoint::Connection) -> Self {
        let remote = member_id(inner.remote_id());
        Self { inner, remote }
    }

    /// The member on the other side.
    pub fn remote(&self) -> MemberId {
        self.remote
    }

    /// Opens a bidirectional stream. The peer learns of it only when we
    /// write: the opener must write first, or the peer's
    /// [`Connection::accept_bi`] keeps waiting.
    pub async fn open_bi(&self) -> Result<BiStream, NetError> {
        let (send, recv) = self
            .inner
            .open_bi()
            .await
            .map_err(|e| self.stream_error(e))?;
        Ok(BiStream { send, recv })
    }

    /// Waits for the peer to open a bidirectional stream (and write to it).
    pub async fn accept_bi(&self) -> Result<BiStream, NetError> {
        let (send, recv) = self
            .inner
            .accept_bi()
            .await
            .map_err(|e| self.stream_error(e))?;
        Ok(BiStream { send, recv })
    }

    /// Closes the connection at once with a code and a reason the peer can
    /// read from [`Connection::closed`]. Data not yet delivered may be lost:
    /// close after the last reply is acknowledged, not while writing.
    pub fn close(&self, code: u32, reason: &str) {
        let mut end = reason.len().min(MAX_REASON_BYTES);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        self.inner
            .close(VarInt::from_u32(code), &reason.as_bytes()[..end]);
    }

    /// Waits until the connection is closed, for any reason.
    pub async fn closed(&self) -> CloseReason {
        self.inner.closed().await.into()
    }

    /// Why the connection closed, or `None` while it is open.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.inner.close_reason().map(CloseReason::from)
    }

    /// Bytes on the wire so far: UDP payload sent and received on this
    /// connection, QUIC's handshake, headers, encryption and
    /// acknowledgements included (what the streams carry is less).
    pub fn wire_bytes(&self) -> WireBytes {
        let stats = self.inner.stats();
        WireBytes {
            sent: stats.udp_tx.bytes,
            received: stats.udp_rx.bytes,
        }
    }

    /// Whether the connection currently runs directly or through a relay.
    pub fn path_kind(&self) -> PathKind {
        if self.inner.close_reason().is_some() {
            return PathKind::Unknown;
        }
        let paths = self.inner.paths();
        let selected = paths.iter().find(|p| p.is_selected());
        match selected {
            Some(p) if p.is_ip() => PathKind::Direct,
            Some(p) if p.is_relay() => PathKind::Relay,
            _ => PathKind::Unknown,
        }
    }

    fn stream_error(&self, e: ConnectionError) -> NetError {
        NetError::Stream {
            member: self.remote,
            detail: CloseReason::from(e).to_string(),
        }
    }
}

/// Both directions of one stream: reads what the peer writes, writes what
/// the peer reads. `shutdown()` finishes our side cleanly.
#[derive(Debug)]
pub struct BiStream {
    send: SendStream,
    recv: RecvStream,
}

impl BiStream {
    /// The two halves, for a reader task and a writer task.
    pub fn into_split(self) -> (StreamWriter, StreamReader) {
        (StreamWriter(self.send), StreamReader(self.recv))
    }
}

/// The writing half of a [`BiStream`].
#[derive(Debug)]
pub struct StreamWriter(SendStream);

/// The reading half of a [`BiStream`].
#[derive(Debug)]
pub struct StreamReader(RecvStream);

impl AsyncRead for StreamReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for StreamWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_shutdown(Pin::new(&mut self.0), cx)
    }
}

impl AsyncRead for BiStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.recv).poll_read(cx, buf)
    }
}

impl AsyncWrite for BiStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        AsyncWrite::poll_write(Pin::new(&mut self.send), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_flush(Pin::new(&mut self.send), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        AsyncWrite::poll_shutdown(Pin::new(&mut self.send), cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_reasons_read_well() {
        let check = |r: CloseReason, expected: &str| assert_eq!(r.to_string(), expected);
        check(
            CloseReason::ByPeer {
                code: 7,
                reason: "removed from the garden".into(),
            },
            "closed by the peer: removed from the garden (code 7)",
        );
        check(
            CloseReason::ByPeer {
                code: 0,
                reason: String::new(),
            },
            "closed by the peer (code 0)",
        );
        check(CloseReason::Locally, "closed by us");
        check(
            CloseReason::TimedOut,
            "timed out: nothing heard from the peer",
        );
    }
}
