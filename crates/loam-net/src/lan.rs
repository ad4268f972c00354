//! Peers found on the LAN by mDNS, so the node can dial members it already
//! knows without a ticket.

use iroh_mdns_address_lookup::DiscoveryEvent;
use loam_core::MemberId;
use n0_future::{Stream, StreamExt};

use crate::peer_addr::{PeerAddr, member_id};

/// Something mDNS noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LanEvent {
    /// A Loam endpoint announced itself (or its addresses changed). It may
    /// not be a member of anything we hold: the node decides.
    Found(PeerAddr),
    /// A peer stopped announcing itself.
    Gone(MemberId),
}

/// A subscription to mDNS discoveries (see [`crate::Network::lan_peers`]).
/// Events that arrive while nobody reads are dropped once a small buffer
/// is full, so read it from a loop. A peer the endpoint is looking up at
/// that moment (while dialling it by id alone) is reported to the lookup,
/// not here: this stream is for peers found passively.
pub struct LanPeers {
    events: Box<dyn Stream<Item = DiscoveryEvent> + Send + Unpin>,
}

impl std::fmt::Debug for LanPeers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LanPeers").finish_non_exhaustive()
    }
}

impl LanPeers {
    pub(crate) fn new(events: impl Stream<Item = DiscoveryEvent> + Send + Unpin + 'static) -> Self {
        Self {
            events: Box::new(events),
        }
    }

    /// The next event, or `None` once the endpoint has shut down.
    pub async fn next(&mut self) -> Option<LanEvent> {
        // Unknown future event kinds are skipped; the loop ends with the stream.
        while let Some(event) = self.events.next().await {
            match event {
                DiscoveryEvent::Discovered { endpoint_info, .. } => {
                    let member = member_id(endpoint_info.endpoint_id);
                    let addr = PeerAddr::from_transport_addrs(member, endpoint_info.addrs());
                    return Some(LanEvent::Found(addr));
                }
                DiscoveryEvent::Expired { endpoint_id } => {
                    return Some(LanEvent::Gone(member_id(endpoint_id)));
                }
                _ => continue,
            }
        }
        None
    }
}
