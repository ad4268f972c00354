//! The endpoint and its router: bind, dial, accept through the node's
//! handler, shut down.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use iroh::endpoint::{
    self, AfterHandshakeOutcome, EndpointHooks, PortmapperConfig, Side, VarInt, presets,
};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
#[cfg(feature = "test-relay")]
use iroh::tls::CaTlsConfig;
use iroh::{Endpoint, RelayMode, SecretKey};
use iroh_mdns_address_lookup::MdnsAddressLookup;
use loam_core::MemberId;

use crate::ALPN;
use crate::config::{Bind, MDNS_SERVICE, NetConfig, RelayChoice};
use crate::connection::{CLOSE_NOT_ADMITTED, Connection, NOT_ADMITTED_REASON};
use crate::error::NetError;
use crate::lan::LanPeers;
use crate::peer_addr::{PeerAddr, member_id, parse_relay_url};

/// How long [`Network::shutdown`] waits for peers to acknowledge the close.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// A boxed future, as [`ConnectionHandler::accept`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the node plugs into the transport: who may connect, and what to do
/// with a connection once admitted.
///
/// The handler must not own the [`Network`] (directly or through an `Arc`):
/// the endpoint keeps the handler alive, so that would be a cycle that keeps
/// the endpoint's memory alive after shutdown. It must not panic either: a
/// panic in `accept` stops the router from accepting anything more.
pub trait ConnectionHandler: Send + Sync + 'static {
    /// Called on every incoming connection right after the TLS handshake
    /// proved `remote`'s key, before any stream can be opened. `false`
    /// closes the connection with [`CLOSE_NOT_ADMITTED`] and
    /// [`NOT_ADMITTED_REASON`]; [`ConnectionHandler::accept`] never runs for
    /// it. Keep it quick: it runs on the endpoint's accept path.
    ///
    /// This is a coarse gate (is this key known at all, or could it hold an
    /// invite?); which garden the peer may see is decided by the protocol,
    /// after its hello.
    fn admit_key(&self, remote: MemberId) -> bool;

    /// Serves one admitted incoming connection, for as long as it lives.
    /// The future is dropped (cancelled) at [`Network::shutdown`].
    fn accept(&self, conn: Connection) -> BoxFuture<'_, ()>;
}

/// Runs [`ConnectionHandler::admit_key`] after every handshake we accept.
struct AdmitHook {
    handler: Arc<dyn ConnectionHandler>,
}

impl std::fmt::Debug for AdmitHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdmitHook")
    }
}

impl EndpointHooks for AdmitHook {
    fn after_handshake<'a>(
        &'a self,
        conn: &'a endpoint::Connection,
    ) -> impl Future<Output = AfterHandshakeOutcome> + Send + 'a {
        // Connections we dial were checked by TLS against the id we asked
        // for; only incoming ones need the node's word.
        let admit =
            conn.side() == Side::Client || self.handler.admit_key(member_id(conn.remote_id()));
        async move {
            if admit {
                AfterHandshakeOutcome::Accept
            } else {
                AfterHandshakeOutcome::Reject {
                    error_code: VarInt::from_u32(CLOSE_NOT_ADMITTED),
                    reason: NOT_ADMITTED_REASON.as_bytes().to_vec(),
                }
            }
        }
    }
}

/// Hands admitted `loam/1` connections to the node's handler.
struct LoamProtocol {
    handler: Arc<dyn ConnectionHandler>,
}

impl std::fmt::Debug for LoamProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoamProtocol")
    }
}

impl ProtocolHandler for LoamProtocol {
    async fn accept(&self, conn: endpoint::Connection) -> Result<(), AcceptError> {
        self.handler.accept(Connection::new(conn)).await;
        Ok(())
    }
}

/// This install on the network: one iroh endpoint (keyed by the member's
/// secret) and the router that accepts `loam/1` connections.
pub struct Network {
    router: Router,
    mdns: Option<MdnsAddressLookup>,
    config: NetConfig,
    id: MemberId,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("id", &self.id)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Network {
    /// Opens the endpoint with the member's ed25519 secret `secret_seed`
    /// (so the endpoint id is the member id) and starts accepting.
    ///
    /// Never waits for a relay: it returns as soon as the sockets are bound,
    /// online or not. Must run inside a tokio runtime.
    pub async fn bind(
        secret_seed: [u8; 32],
        config: NetConfig,
        handler: Arc<dyn ConnectionHandler>,
    ) -> Result<Network, NetError> {
        let secret = SecretKey::from_bytes(&secret_seed);
        let mut builder = if config.dns_lookup {
            Endpoint::builder(presets::N0)
        } else {
            Endpoint::builder(presets::Minimal)
        };
        builder = builder
            .secret_key(secret)
            .alpns(vec![ALPN.to_vec()])
            .hooks(AdmitHook {
                handler: handler.clone(),
            })
            .relay_mode(relay_mode(&config.relay)?);
        if !config.port_mapping {
            builder = builder.portmapper_config(PortmapperConfig::Disabled);
        }
        if config.relay_tls_insecure {
            #[cfg(feature = "test-relay")]
            {
                builder = builder.ca_tls_config(CaTlsConfig::insecure_skip_verify());
            }
            #[cfg(not(feature = "test-relay"))]
            return Err(NetError::RelayUrl {
                url: "(insecure test relay)".into(),
                detail: "trusting a relay without checking its certificate needs the `test-relay` feature".into(),
            });
        }
        match &config.bind {
            Bind::Any => {}
            Bind::Addrs(addrs) => {
                builder = builder.clear_ip_transports();
                for &addr in addrs {
                    builder = builder.bind_addr(addr).map_err(|e| NetError::BindAddr {
                        addr,
                        detail: e.to_string(),
                    })?;
                }
            }
            Bind::RelayOnly => {
                if config.relay == RelayChoice::Disabled {
                    return Err(NetError::Bind {
                        detail: "relay-only with no relay leaves no way to connect".to_owned(),
                    });
                }
                builder = builder.clear_ip_transports();
            }
        }
        let ep = builder.bind().await.map_err(|e| NetError::Bind {
            detail: error_chain(&e),
        })?;

        let mdns = if config.mdns {
            match start_mdns(&ep) {
                Ok(mdns) => Some(mdns),
                Err(e) => {
                    ep.close().await;
                    return Err(e);
                }
            }
        } else {
            None
        };

        let id = member_id(ep.id());
        let router = Router::builder(ep)
            .accept(ALPN, LoamProtocol { handler })
            .spawn();
        Ok(Network {
            router,
            mdns,
            config,
            id,
        })
    }

    /// Our member id (= endpoint id).
    pub fn id(&self) -> MemberId {
        self.id
    }

    /// The configuration the endpoint was bound with.
    pub fn config(&self) -> &NetConfig {
        &self.config
    }

    /// Our dialable address right now: bound socket addresses (the
    /// interfaces' addresses when bound to any) and the home relay once one
    /// has been picked. Never waits.
    pub fn addr(&self) -> PeerAddr {
        PeerAddr::from_endpoint_addr(&self.router.endpoint().addr())
    }

    /// Dials a member over `loam/1`, giving up after the configured
    /// timeout. The peer's TLS proves it holds `peer.member`'s key.
    pub async fn connect(&self, peer: &PeerAddr) -> Result<Connection, NetError> {
        if peer.member == self.id {
            return Err(NetError::SelfConnect { member: self.id });
        }
        let addr = peer.to_endpoint_addr()?;
        let timeout = self.config.connect_timeout;
        let attempt = self.router.endpoint().connect(addr, ALPN);
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(conn)) => Ok(Connection::new(conn)),
            Ok(Err(e)) => Err(NetError::Connect {
                member: peer.member,
                detail: error_chain(&e),
            }),
            Err(_) => Err(NetError::ConnectTimeout {
                member: peer.member,
                timeout,
            }),
        }
    }

    /// Subscribes to peers found on the LAN, or `None` when mDNS is off.
    /// Each call is an independent subscription that sees discoveries from
    /// then on (an endpoint already found is announced again within a few
    /// seconds).
    pub async fn lan_peers(&self) -> Option<LanPeers> {
        let mdns = self.mdns.as_ref()?;
        Some(LanPeers::new(mdns.subscribe().await))
    }

    /// Stops accepting, cancels the handlers' `accept` futures, closes every
    /// connection (peers read code 0) and the endpoint. Waits at most
    /// [`SHUTDOWN_GRACE`] for peers to acknowledge the close: iroh waits
    /// for that, up to its probe timeout (about 3 s), when a peer is gone
    /// or a connection attempt was abandoned; the rest finishes in the
    /// background.
    pub async fn shutdown(&self) {
        // Err(Elapsed) only means the close frames were not all acknowledged.
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.router.shutdown()).await;
    }

    /// True once [`Network::shutdown`] ran (or the endpoint failed).
    pub fn is_shut_down(&self) -> bool {
        self.router.is_shutdown()
    }
}

fn relay_mode(choice: &RelayChoice) -> Result<RelayMode, NetError> {
    Ok(match choice {
        RelayChoice::Default => RelayMode::Default,
        RelayChoice::Custom(url) => RelayMode::custom([parse_relay_url(url)?]),
        RelayChoice::Disabled => RelayMode::Disabled,
    })
}

fn start_mdns(ep: &Endpoint) -> Result<MdnsAddressLookup, NetError> {
    let mdns = MdnsAddressLookup::builder()
        .service_name(MDNS_SERVICE)
        .build(ep.id())
        .map_err(|e| NetError::Bind {
            detail: format!(
                "cannot start LAN discovery (try --no-mdns): {}",
                error_chain(&e)
            ),
        })?;
    let services = ep.address_lookup().map_err(|e| NetError::Bind {
        detail: error_chain(&e),
    })?;
    services.add(mdns.clone());
    Ok(mdns)
}

/// An error and its sources on one line, lowercase as iroh writes them.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    // Bounded: error chains are short, but never trust a cycle.
    for _ in 0..8 {
        let Some(s) = source else { break };
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
