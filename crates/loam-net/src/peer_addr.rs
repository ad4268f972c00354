//! A member's dialable address, as the node stores it and tickets carry it.

use std::net::SocketAddr;

use iroh::{EndpointAddr, PublicKey, RelayUrl, TransportAddr};
use loam_core::MemberId;
use serde::{Deserialize, Serialize};

use crate::error::NetError;

/// Where a member can be reached: its id (the key TLS proves) and the
/// addresses last known for it. Any of them may be stale; with none, the
/// endpoint falls back to LAN and DNS lookup if they are enabled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeerAddr {
    /// The member, which is also its iroh endpoint id.
    pub member: MemberId,
    /// UDP addresses to try directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub direct: Vec<SocketAddr>,
    /// The relay the member is reachable through, as a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<String>,
}

impl PeerAddr {
    /// An address with only the member id: to be found by lookup.
    pub fn new(member: MemberId) -> Self {
        Self {
            member,
            direct: Vec::new(),
            relay: None,
        }
    }

    /// True when every direct address is a loopback address and there is
    /// no relay.
    pub fn is_loopback_only(&self) -> bool {
        self.relay.is_none() && self.direct.iter().all(|a| a.ip().is_loopback())
    }

    /// The iroh address to dial.
    pub(crate) fn to_endpoint_addr(&self) -> Result<EndpointAddr, NetError> {
        let id = public_key(self.member)?;
        let mut addr = EndpointAddr::new(id);
        for a in &self.direct {
            addr = addr.with_ip_addr(*a);
        }
        if let Some(url) = &self.relay {
            addr = addr.with_relay_url(parse_relay_url(url)?);
        }
        Ok(addr)
    }

    /// Our own address as iroh reports it.
    pub(crate) fn from_endpoint_addr(addr: &EndpointAddr) -> Self {
        let mut direct: Vec<SocketAddr> = addr.ip_addrs().copied().collect();
        direct.sort();
        direct.dedup();
        Self {
            member: member_id(addr.id),
            direct,
            relay: addr.relay_urls().next().map(|u| u.to_string()),
        }
    }

    /// Addresses from an iroh lookup result.
    pub(crate) fn from_transport_addrs<'a>(
        member: MemberId,
        addrs: impl IntoIterator<Item = &'a TransportAddr>,
    ) -> Self {
        let mut out = Self::new(member);
        for a in addrs {
            match a {
                TransportAddr::Ip(ip) => out.direct.push(*ip),
                TransportAddr::Relay(url) if out.relay.is_none() => {
                    out.relay = Some(url.to_string());
                }
                _ => {}
            }
        }
        out.direct.sort();
        out.direct.dedup();
        out
    }
}

/// The member id of an iroh endpoint id (same 32 bytes).
pub(crate) fn member_id(id: PublicKey) -> MemberId {
    MemberId::from_bytes(*id.as_bytes())
}

/// The iroh endpoint id of a member, if its bytes are a valid key.
pub(crate) fn public_key(member: MemberId) -> Result<PublicKey, NetError> {
    PublicKey::from_bytes(member.as_bytes()).map_err(|_| NetError::InvalidMemberId { member })
}

/// A relay URL from text.
pub(crate) fn parse_relay_url(url: &str) -> Result<RelayUrl, NetError> {
    url.parse::<RelayUrl>().map_err(|e| NetError::RelayUrl {
        url: url.to_owned(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_compactly_and_round_trips() {
        let member = MemberId::from_bytes([7; 32]);
        let bare = PeerAddr::new(member);
        let json = serde_json::to_string(&bare).unwrap();
        assert_eq!(json, format!("{{\"member\":\"{}\"}}", "07".repeat(32)));
        let full = PeerAddr {
            member,
            direct: vec![
                "127.0.0.1:7777".parse().unwrap(),
                "[::1]:7778".parse().unwrap(),
            ],
            relay: Some("https://relay.example.org./".to_owned()),
        };
        let json = serde_json::to_string(&full).unwrap();
        assert_eq!(serde_json::from_str::<PeerAddr>(&json).unwrap(), full);
        assert!(!full.is_loopback_only());
        assert!(
            PeerAddr {
                relay: None,
                ..full
            }
            .is_loopback_only()
        );
    }

    #[test]
    fn a_bad_relay_url_is_an_error_not_a_panic() {
        let key = iroh::SecretKey::from_bytes(&[1; 32]).public();
        let addr = PeerAddr {
            member: member_id(key),
            direct: vec![],
            relay: Some("not a url".to_owned()),
        };
        let err = addr.to_endpoint_addr().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`not a url` is not a relay url"),
            "{err}"
        );
    }
}
