//! Members tell each other where members are: the addresses a session
//! shares (loam-sync's `Peers` frame) and what is kept of those it hears.
//!
//! A member tells a peer its own address and those of the other current
//! members it knows (most recently seen first, bounded by the frame's
//! limits). What it hears is kept only for current members: a member's word
//! about itself replaces what was known of it (TLS proved who said it);
//! hearsay about a third is kept only when nothing was known of the third,
//! so a member cannot steer others away from an address that works. An
//! address only says where to try: the key checked when dialling proves who
//! answers.

use loam_core::MemberId;
use loam_store::PeerRow;

use super::PeerAddr;
use crate::{Garden, NodeError};

impl Garden {
    /// The addresses to tell `peer` (a `Peers` frame): `own` first, then
    /// those of other current members known here, most recently seen
    /// first, at most [`loam_sync::Limits::max_peer_hints`] in all.
    pub(crate) fn addresses_to_share(
        &self,
        own: &PeerAddr,
        peer: MemberId,
    ) -> Result<Vec<PeerAddr>, NodeError> {
        let rows = self.lock().store.peers()?;
        let members = self.members()?;
        let mut others: Vec<(Option<i64>, PeerAddr)> = rows
            .into_iter()
            .filter(|row| row.member != own.member && row.member != peer)
            .filter(|row| members.role(row.member).is_some())
            .filter_map(|row| {
                let addr: PeerAddr = serde_json::from_str(&row.addr).ok()?;
                let dialable = !addr.direct.is_empty() || addr.relay.is_some();
                dialable.then_some((row.last_seen, addr))
            })
            .collect();
        others.sort_by_key(|(seen, _)| std::cmp::Reverse(*seen));
        let limit = loam_sync::Limits::default().max_peer_hints;
        Ok(std::iter::once(own.clone())
            .chain(others.into_iter().map(|(_, a)| a))
            .take(limit)
            .collect())
    }

    /// Take in the addresses `from` (a member) told `me`: only current
    /// members' other than `me`'s, with some address. `from`'s own replaces
    /// what was known of it (its key proved who said it); the others are
    /// hearsay, kept only for members of whom nothing is known, so that a
    /// member cannot redirect others' traffic away from a working address.
    pub(crate) fn take_addresses(
        &self,
        me: MemberId,
        from: MemberId,
        addrs: impl IntoIterator<Item = PeerAddr>,
        now: i64,
    ) -> Result<(), NodeError> {
        let members = self.members()?;
        let mut state = self.lock();
        for addr in addrs {
            let dialable = !addr.direct.is_empty() || addr.relay.is_some();
            if addr.member == me || !dialable || members.role(addr.member).is_none() {
                continue;
            }
            let row = state.store.peer(addr.member)?;
            let (last_seen, last_sync) = if addr.member == from {
                let before = row
                    .as_ref()
                    .and_then(|r| serde_json::from_str::<PeerAddr>(&r.addr).ok());
                if before.as_ref() == Some(&addr) {
                    continue;
                }
                (Some(now), row.and_then(|r| r.last_sync))
            } else if row.is_none() {
                (None, None)
            } else {
                continue;
            };
            let json = serde_json::to_string(&addr)
                .map_err(|e| NodeError::Network(format!("cannot record a peer address: {e}")))?;
            state.store.upsert_peer(&PeerRow {
                member: addr.member,
                addr: json,
                last_seen,
                last_sync,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use loam_core::{MemberKey, Role};

    use super::*;
    use crate::Node;

    fn addr(member: MemberId, port: u16) -> PeerAddr {
        PeerAddr {
            member,
            direct: vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))],
            relay: None,
        }
    }

    /// A garden with Ada (this node) and members Bo and Cy, and Dee who is
    /// not a member.
    fn garden() -> (tempfile::TempDir, std::sync::Arc<Garden>, [MemberId; 4]) {
        let dir = tempfile::tempdir().unwrap();
        let node = Node::open(dir.path().join("data")).unwrap();
        let garden = node.create_garden("Commons").unwrap();
        let [bo, cy, dee] = [2u8, 3, 4].map(|n| MemberKey::from_seed(&[n; 32]).member());
        garden.add_member(bo, Role::Member, "Bo").unwrap();
        garden.add_member(cy, Role::Reader, "Cy").unwrap();
        (dir, garden, [node.member_id(), bo, cy, dee])
    }

    fn known(garden: &Garden, member: MemberId) -> Option<PeerAddr> {
        let row = garden.lock().store.peer(member).unwrap()?;
        serde_json::from_str(&row.addr).ok()
    }

    #[test]
    fn a_member_is_believed_about_itself_and_hearsay_fills_only_gaps() {
        let (_dir, garden, [ada, bo, cy, dee]) = garden();
        // Bo tells where he, Cy, Dee (no member) and Ada are.
        let told = [addr(bo, 2), addr(cy, 3), addr(dee, 4), addr(ada, 1)];
        garden.take_addresses(ada, bo, told, 10).unwrap();
        assert_eq!(known(&garden, bo), Some(addr(bo, 2)));
        assert_eq!(known(&garden, cy), Some(addr(cy, 3)));
        assert_eq!(known(&garden, dee), None, "not a member");
        assert_eq!(known(&garden, ada), None, "not about me");
        // Bo's word about Cy does not replace what is known; Cy's does, and
        // Bo's about himself does.
        garden
            .take_addresses(ada, bo, [addr(cy, 33), addr(bo, 22)], 20)
            .unwrap();
        assert_eq!(known(&garden, cy), Some(addr(cy, 3)));
        assert_eq!(known(&garden, bo), Some(addr(bo, 22)));
        garden.take_addresses(ada, cy, [addr(cy, 33)], 30).unwrap();
        assert_eq!(known(&garden, cy), Some(addr(cy, 33)));
        // An address with nowhere to dial is no news.
        garden
            .take_addresses(ada, cy, [PeerAddr::new(cy)], 40)
            .unwrap();
        assert_eq!(known(&garden, cy), Some(addr(cy, 33)));
    }

    #[test]
    fn what_is_shared_is_my_address_then_current_members_recent_first() {
        let (_dir, garden, [ada, bo, cy, dee]) = garden();
        garden.remember_peer(&addr(cy, 3), 100).unwrap();
        garden.remember_peer(&addr(bo, 2), 200).unwrap();
        garden.remember_peer(&addr(dee, 4), 300).unwrap();
        let me = addr(ada, 1);
        let check = |peer: MemberId, expected: Vec<PeerAddr>| {
            assert_eq!(garden.addresses_to_share(&me, peer).unwrap(), expected);
        };
        check(dee, vec![me.clone(), addr(bo, 2), addr(cy, 3)]);
        check(bo, vec![me.clone(), addr(cy, 3)]);
        garden.remove_member(bo).unwrap();
        check(cy, vec![me.clone()]);
    }
}
