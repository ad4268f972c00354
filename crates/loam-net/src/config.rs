//! How the endpoint reaches the world: sockets, relays, address lookup.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::error::NetError;

/// The environment variable that forces loopback mode (`LOAM_NET=loopback`).
pub const ENV_VAR: &str = "LOAM_NET";

/// The mDNS service name Loam peers announce themselves under, so that
/// they see each other and not every other iroh application on the LAN.
pub const MDNS_SERVICE: &str = "loam";

/// How long [`crate::Network::connect`] waits by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which UDP sockets the endpoint opens for direct connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    /// Any interface, a free port (`0.0.0.0:0` and `[::]:0`).
    Any,
    /// Exactly these addresses (`--bind ADDR`, repeatable). Port 0 picks a
    /// free port.
    Addrs(Vec<SocketAddr>),
    /// No direct sockets at all: every connection goes through a relay.
    RelayOnly,
}

/// Which relay servers the endpoint uses when no direct path works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayChoice {
    /// The public relays run by n0 (iroh's default).
    Default,
    /// One self-hosted iroh-relay (`--relay URL`).
    Custom(String),
    /// No relay: LAN and direct addresses only (`--no-relay`).
    Disabled,
}

/// Everything the endpoint needs to know about the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    /// Sockets for direct connections.
    pub bind: Bind,
    /// Relays for when direct paths fail.
    pub relay: RelayChoice,
    /// Announce ourselves and find peers on the LAN by mDNS.
    pub mdns: bool,
    /// Publish our address to and look peers up in n0's DNS (pkarr).
    pub dns_lookup: bool,
    /// Ask the LAN gateway for a port mapping (UPnP, PCP, NAT-PMP).
    pub port_mapping: bool,
    /// Trust a relay's TLS certificate without checking it. Only for a
    /// relay started by a test, never for real use.
    pub relay_tls_insecure: bool,
    /// How long a connection attempt may take.
    pub connect_timeout: Duration,
}

impl Default for NetConfig {
    /// For real users: every interface, n0 relays, DNS lookup, mDNS and port
    /// mapping.
    fn default() -> Self {
        Self {
            bind: Bind::Any,
            relay: RelayChoice::Default,
            mdns: true,
            dns_lookup: true,
            port_mapping: true,
            relay_tls_insecure: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

impl NetConfig {
    /// Local trials and tests: bind 127.0.0.1 only, no relay, no DNS, no
    /// mDNS, no port mapping. No packet leaves the machine.
    pub fn loopback() -> Self {
        Self {
            bind: Bind::Addrs(vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))]),
            relay: RelayChoice::Disabled,
            mdns: false,
            dns_lookup: false,
            port_mapping: false,
            relay_tls_insecure: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// `base`, unless the environment says `LOAM_NET=loopback`, which
    /// overrides everything with [`NetConfig::loopback`].
    pub fn from_env(base: NetConfig) -> Result<Self, NetError> {
        let value = std::env::var_os(ENV_VAR);
        Self::with_env_value(base, value.as_ref().map(|v| v.to_string_lossy()).as_deref())
    }

    /// [`NetConfig::from_env`] with the variable's value given (`None` when
    /// unset): an empty value counts as unset, any other value than
    /// `loopback` is an error.
    pub fn with_env_value(base: NetConfig, value: Option<&str>) -> Result<Self, NetError> {
        match value.map(str::trim) {
            None | Some("") => Ok(base),
            Some(v) if v.eq_ignore_ascii_case("loopback") => {
                Ok(Self::loopback().with_timeout(base.connect_timeout))
            }
            Some(v) => Err(NetError::EnvValue {
                value: v.to_owned(),
            }),
        }
    }

    /// True when nothing in this configuration sends a packet beyond
    /// loopback.
    pub fn is_loopback(&self) -> bool {
        let bind_loopback = match &self.bind {
            Bind::Addrs(addrs) => !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()),
            Bind::Any | Bind::RelayOnly => false,
        };
        bind_loopback
            && self.relay == RelayChoice::Disabled
            && !self.mdns
            && !self.dns_lookup
            && !self.port_mapping
    }

    fn with_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(base: NetConfig, value: Option<&str>, expected: Result<NetConfig, &str>) {
        let got = NetConfig::with_env_value(base, value).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "LOAM_NET={value:?}");
    }

    #[test]
    fn env_value_overrides_only_when_loopback() {
        check(NetConfig::default(), None, Ok(NetConfig::default()));
        check(NetConfig::default(), Some(""), Ok(NetConfig::default()));
        check(
            NetConfig::default(),
            Some("loopback"),
            Ok(NetConfig::loopback()),
        );
        check(
            NetConfig::default(),
            Some(" LOOPBACK "),
            Ok(NetConfig::loopback()),
        );
        check(
            NetConfig::default(),
            Some("lan"),
            Err("LOAM_NET is `lan`: the only value known is `loopback` (or leave it unset)"),
        );
    }

    #[test]
    fn loopback_is_loopback_and_the_default_is_not() {
        assert!(NetConfig::loopback().is_loopback());
        assert!(!NetConfig::default().is_loopback());
        let mut c = NetConfig::loopback();
        c.mdns = true;
        assert!(!c.is_loopback());
    }
}
