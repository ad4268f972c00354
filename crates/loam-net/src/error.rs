//! What can go wrong on the network, said so that a user knows what to do.

use std::time::Duration;

use loam_core::MemberId;

use crate::ticket::TicketError;

/// An error from the transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The endpoint could not open its sockets or start.
    #[error("cannot start the network endpoint: {detail} (check --bind or try LOAM_NET=loopback)")]
    Bind {
        /// iroh's description of the failure.
        detail: String,
    },

    /// A `--bind` address was refused by the endpoint builder.
    #[error("cannot bind to {addr}: {detail} (give an address like 0.0.0.0:7777 or [::]:0)")]
    BindAddr {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why it was refused.
        detail: String,
    },

    /// A relay URL given in settings or `--relay` does not parse.
    #[error(
        "`{url}` is not a relay url: {detail} (expected something like https://relay.example.org)"
    )]
    RelayUrl {
        /// The text given.
        url: String,
        /// Why it does not parse.
        detail: String,
    },

    /// `LOAM_NET` holds a value this version does not know.
    #[error("LOAM_NET is `{value}`: the only value known is `loopback` (or leave it unset)")]
    EnvValue {
        /// The value found.
        value: String,
    },

    /// A member id that is not a valid ed25519 public key cannot be dialled.
    #[error("member {member} is not a valid ed25519 public key: check the id or the ticket")]
    InvalidMemberId {
        /// The id given.
        member: MemberId,
    },

    /// Dialling ourselves is refused.
    #[error("cannot connect to ourselves ({member})")]
    SelfConnect {
        /// Our own id.
        member: MemberId,
    },

    /// A connection attempt failed before it was established.
    #[error("cannot reach member {member}: {detail} (is the peer online and its address current?)")]
    Connect {
        /// Who we tried to reach.
        member: MemberId,
        /// iroh's description of the failure.
        detail: String,
    },

    /// A connection attempt took too long.
    #[error(
        "no answer from member {member} within {timeout:?}: the peer may be offline or unreachable"
    )]
    ConnectTimeout {
        /// Who we tried to reach.
        member: MemberId,
        /// How long we waited.
        timeout: Duration,
    },

    /// A stream could not be opened or accepted on a live connection.
    #[error("connection to member {member} failed: {detail}")]
    Stream {
        /// The other side of the connection.
        member: MemberId,
        /// Why (often the close reason the peer gave).
        detail: String,
    },

    /// A ticket did not parse.
    #[error(transparent)]
    Ticket(#[from] TicketError),
}
