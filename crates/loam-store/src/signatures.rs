//! Who signed which changes: the signature batches members made over the
//! changes they wrote ([`SignedChanges`], stored encoded), written in the
//! transaction that stores the changes (see [`crate::DocWrite::signatures`]),
//! and which batch covers each change.
//!
//! The store does not verify signatures: the node and the sync protocol do,
//! before writing. It keeps them so that they travel with the changes to
//! other peers, and so that history shows the signer as each change's
//! author.

use std::collections::{BTreeMap, HashMap};

use loam_core::{ChangeHash, DocId, MemberId, SignedChanges};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{Store, StoreError};

/// Store `batches` for document row `doc`. A batch covering no change that
/// is not signed already is not stored again.
pub(crate) fn record(tx: &Connection, doc: i64, batches: &[SignedChanges]) -> rusqlite::Result<()> {
    for batch in batches {
        let mut signed =
            tx.prepare_cached("SELECT 1 FROM signed_changes WHERE doc = ?1 AND hash = ?2")?;
        let mut new = Vec::new();
        for hash in batch.changes() {
            if signed
                .query_row(params![doc, hash.0.as_slice()], |_| Ok(()))
                .optional()?
                .is_none()
            {
                new.push(hash);
            }
        }
        if new.is_empty() {
            continue;
        }
        tx.prepare_cached("INSERT INTO signatures (doc, signer, bytes) VALUES (?1, ?2, ?3)")?
            .execute(params![
                doc,
                batch.signer().as_bytes().as_slice(),
                batch.encode()
            ])?;
        let id = tx.last_insert_rowid();
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO signed_changes (doc, hash, batch) VALUES (?1, ?2, ?3)",
        )?;
        for hash in new {
            insert.execute(params![doc, hash.0.as_slice(), id])?;
        }
    }
    Ok(())
}

/// The signer of change `hash` of document row `doc`, if a stored batch
/// covers it.
pub(crate) fn signer(
    tx: &Connection,
    doc: i64,
    hash: &ChangeHash,
) -> rusqlite::Result<Option<MemberId>> {
    let bytes: Option<Vec<u8>> = tx
        .prepare_cached(
            "SELECT s.signer FROM signed_changes c JOIN signatures s ON s.batch = c.batch
             WHERE c.doc = ?1 AND c.hash = ?2",
        )?
        .query_row(params![doc, hash.0.as_slice()], |row| row.get(0))
        .optional()?;
    Ok(bytes.and_then(|b| MemberId::from_slice(&b)))
}

impl Store {
    /// The stored signature batches that cover `changes` of document `id`
    /// (each batch once, in the order stored). Changes no batch covers are
    /// left out; a batch may cover more changes than asked for.
    pub fn signatures_for(
        &self,
        id: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, StoreError> {
        let run = || -> rusqlite::Result<Vec<SignedChanges>> {
            let Some(doc) = crate::docs::doc_key(&self.conn, id)? else {
                return Ok(Vec::new());
            };
            let mut find = self
                .conn
                .prepare_cached("SELECT batch FROM signed_changes WHERE doc = ?1 AND hash = ?2")?;
            let mut batches: BTreeMap<i64, ()> = BTreeMap::new();
            for hash in changes {
                if let Some(batch) = find
                    .query_row(params![doc, hash.0.as_slice()], |row| row.get::<_, i64>(0))
                    .optional()?
                {
                    batches.insert(batch, ());
                }
            }
            let mut read = self
                .conn
                .prepare_cached("SELECT bytes FROM signatures WHERE batch = ?1")?;
            let mut out = Vec::with_capacity(batches.len());
            for batch in batches.into_keys() {
                let bytes: Vec<u8> = read.query_row([batch], |row| row.get(0))?;
                // Written from SignedChanges::encode; unreadable bytes are
                // damage, reported as such.
                let decoded = SignedChanges::decode(&bytes).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Blob,
                        Box::new(e),
                    )
                })?;
                out.push(decoded);
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Who signed each signed change of document `id`.
    pub fn change_signers(&self, id: DocId) -> Result<HashMap<ChangeHash, MemberId>, StoreError> {
        let run = || -> rusqlite::Result<HashMap<ChangeHash, MemberId>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.hash, s.signer FROM signed_changes c
                 JOIN signatures s ON s.batch = c.batch
                 WHERE c.doc = (SELECT doc FROM docs WHERE id = ?1)",
            )?;
            let rows = stmt.query_map([id.as_bytes()], |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?;
            let mut out = HashMap::new();
            for row in rows {
                let (hash, signer) = row?;
                if let (Ok(hash), Some(signer)) = (
                    ChangeHash::try_from(hash.as_slice()),
                    MemberId::from_slice(&signer),
                ) {
                    out.insert(hash, signer);
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }
}
