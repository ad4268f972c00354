//! The garden's membership log, as the bytes of its signed entries, and the
//! address book of peers. The node verifies entries (and folds the log)
//! before writing them; the store only keeps them.

use loam_core::{EntryHash, MemberId};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::{Store, StoreError};

/// A peer the node syncs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerRow {
    /// The peer's member id (its endpoint id).
    pub member: MemberId,
    /// Its last known address, as the node wrote it (opaque JSON).
    pub addr: String,
    /// When it was last seen (ms since the epoch).
    pub last_seen: Option<i64>,
    /// When a sync with it last completed.
    pub last_sync: Option<i64>,
}

fn read_peer(row: &Row<'_>) -> rusqlite::Result<PeerRow> {
    let bytes = row.get_ref(0)?.as_blob()?;
    let member = MemberId::from_slice(bytes).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            format!("{} bytes are not a member id", bytes.len()).into(),
        )
    })?;
    Ok(PeerRow {
        member,
        addr: row.get(1)?,
        last_seen: row.get(2)?,
        last_sync: row.get(3)?,
    })
}

impl Store {
    /// Every membership entry stored, as `(hash, bytes)`, in the order they
    /// were added.
    pub fn membership_entries(&self) -> Result<Vec<(EntryHash, Vec<u8>)>, StoreError> {
        self.conn
            .prepare_cached("SELECT hash, bytes FROM membership ORDER BY rowid")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    let hash = row.get_ref(0)?.as_blob()?;
                    let hash = EntryHash::from_slice(hash).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            0,
                            rusqlite::types::Type::Blob,
                            "not an entry hash".into(),
                        )
                    })?;
                    Ok((hash, row.get(1)?))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Add membership entries (`(hash, bytes)`), in one transaction;
    /// entries stored already are skipped. Returns how many were new.
    pub fn add_membership_entries(
        &mut self,
        entries: &[(EntryHash, &[u8])],
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let mut insert = tx
                .prepare_cached("INSERT OR IGNORE INTO membership (hash, bytes) VALUES (?1, ?2)")?;
            let mut added = 0;
            for (hash, bytes) in entries {
                added += insert.execute(params![hash.as_bytes().as_slice(), bytes])?;
            }
            Ok(added)
        })
    }

    /// How many membership entries are stored.
    pub fn membership_count(&self) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM membership")
            .and_then(|mut stmt| stmt.query_row([], |row| row.get::<_, i64>(0)))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(e))
    }

    /// Store a garden's first membership entry (its genesis) unless the
    /// garden has entries already, atomically: of two processes founding
    /// the log of the same garden at once, one wins. Returns whether it
    /// was stored.
    pub fn found_membership(&mut self, hash: EntryHash, bytes: &[u8]) -> Result<bool, StoreError> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(
                    "INSERT INTO membership (hash, bytes)
                     SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM membership)",
                )?
                .execute(params![hash.as_bytes().as_slice(), bytes])?
                > 0)
        })
    }

    /// Add or update a peer. Its address is replaced; a time that is
    /// `None` keeps the one stored.
    pub fn upsert_peer(&mut self, peer: &PeerRow) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO peers (member, addr, last_seen, last_sync) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (member) DO UPDATE SET addr = excluded.addr,
                     last_seen = COALESCE(excluded.last_seen, peers.last_seen),
                     last_sync = COALESCE(excluded.last_sync, peers.last_sync)",
            )?
            .execute(params![
                peer.member.as_bytes().as_slice(),
                peer.addr,
                peer.last_seen,
                peer.last_sync
            ])?;
            Ok(())
        })
    }

    /// Every peer, by member id.
    pub fn peers(&self) -> Result<Vec<PeerRow>, StoreError> {
        self.conn
            .prepare_cached("SELECT member, addr, last_seen, last_sync FROM peers ORDER BY member")
            .and_then(|mut stmt| stmt.query_map([], read_peer)?.collect())
            .map_err(|e| self.err(e))
    }

    /// One peer, `None` if unknown.
    pub fn peer(&self, member: MemberId) -> Result<Option<PeerRow>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT member, addr, last_seen, last_sync FROM peers WHERE member = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([member.as_bytes().as_slice()], read_peer)
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Forget a peer. False when it was not known.
    pub fn remove_peer(&mut self, member: MemberId) -> Result<bool, StoreError> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached("DELETE FROM peers WHERE member = ?1")?
                .execute([member.as_bytes().as_slice()])?
                > 0)
        })
    }
}
