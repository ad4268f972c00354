//! Loam's transport: an adapter over [iroh](https://docs.rs/iroh) and the only
//! crate that uses it.
//!
//! - [`Network`] owns one iroh endpoint, keyed by the member's ed25519
//!   secret so that the endpoint id *is* the [`MemberId`]. It speaks one
//!   ALPN, [`ALPN`] (`loam/1`), dials members ([`Network::connect`]) and
//!   hands incoming connections to the node's [`ConnectionHandler`].
//! - Admission happens right after the TLS handshake proved the peer's key:
//!   [`ConnectionHandler::admit_key`] says yes or no, and an unknown key is
//!   closed ([`CLOSE_NOT_ADMITTED`]) before it can open a stream. What an
//!   admitted key may see is the protocol's business, not this crate's.
//! - [`Connection`] wraps an iroh connection: bidirectional streams as
//!   tokio `AsyncRead + AsyncWrite` ([`BiStream`]), close with a reason the
//!   peer reads ([`CloseReason`]), and whether it runs direct or through a
//!   relay ([`PathKind`]).
//! - [`NetConfig`] says how to reach the world: bind addresses, relays (n0's,
//!   a self-hosted one, or none), DNS address lookup, mDNS on the LAN, port
//!   mapping. [`NetConfig::loopback`] (also `LOAM_NET=loopback`) keeps every
//!   packet on 127.0.0.1, for tests and local trials.
//! - LAN discovery by mDNS ([`Network::lan_peers`]) lets the node dial
//!   members it knows without a ticket.
//! - [`InviteTicket`]: the `loam1…` text (and QR-friendly `LOAM1…` form) that
//!   invites a newcomer.
//!
//! Nothing here waits for a relay: the app works offline and on a LAN with
//! no internet at all.
//!
//! The crate knows nothing of documents, gardens' contents, storage or the
//! sync protocol; it knows member ids and garden ids only to put them in
//! tickets and addresses.

mod config;
mod connection;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod lan;
mod network;
mod peer_addr;
mod ticket;

pub use config::{Bind, DEFAULT_CONNECT_TIMEOUT, ENV_VAR, MDNS_SERVICE, NetConfig, RelayChoice};
pub use connection::{
    BiStream, CLOSE_NOT_ADMITTED, CloseReason, Connection, MAX_REASON_BYTES, NOT_ADMITTED_REASON,
    PathKind, StreamReader, StreamWriter, WireBytes,
};
pub use error::NetError;
pub use lan::{LanEvent, LanPeers};
pub use loam_core::{GardenId, MemberId};
pub use network::{BoxFuture, ConnectionHandler, Network, SHUTDOWN_GRACE};
pub use peer_addr::PeerAddr;
pub use ticket::{
    InviteTicket, MAX_ADDRS, MAX_NAME_BYTES, MAX_RELAY_BYTES, MAX_ROLE_BYTES, MAX_TICKET_CHARS,
    TICKET_PREFIX, TICKET_VERSION, TicketError,
};

/// The one application protocol Loam peers speak over iroh.
pub const ALPN: &[u8] = b"loam/1";
