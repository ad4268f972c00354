//! Attachments: the files of an imported folder that are not markdown
//! (images, PDFs, ...), by the path they were imported from, their bytes
//! stored once per distinct content ([`ContentHash`], SHA-256) however many
//! paths hold them.
//!
//! A link names an attachment the way it names a document by path: by its
//! file name or the end of its path, extension included, ignoring case
//! (`![[pic.png]]`, `![[img/pic.png]]`); when several match, the one nearest
//! the root wins, then the first by path.

use loam_core::{ContentHash, Timestamp, normalise_title};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::index::to_i64;
use crate::{Store, StoreError};

/// An attachment as stored (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRow {
    /// The path it was imported from, relative to the folder, `/`-separated.
    pub path: String,
    /// The hash of its bytes: where they are stored.
    pub hash: ContentHash,
    /// Its size in bytes.
    pub size: u64,
    /// When it was first stored (ms since the Unix epoch).
    pub created: Timestamp,
    /// When its bytes last changed.
    pub updated: Timestamp,
}

/// One attachment to store with [`Store::write_attachments`].
#[derive(Debug, Clone, Copy)]
pub struct AttachmentWrite<'a> {
    /// The path it comes from, relative to the folder, `/`-separated.
    pub path: &'a str,
    /// The hash of `bytes` ([`ContentHash::of`]).
    pub hash: ContentHash,
    /// The bytes.
    pub bytes: &'a [u8],
    /// The time of the write.
    pub now: Timestamp,
}

/// What [`Store::write_attachments`] did with one attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentWritten {
    /// A path not stored before.
    New,
    /// A stored path whose bytes changed.
    Updated,
    /// A stored path with the same bytes: nothing written.
    Unchanged,
}

const COLUMNS: &str = "a.path, b.hash, b.size, a.created, a.updated";

fn read_row(row: &Row<'_>) -> rusqlite::Result<AttachmentRow> {
    let hash = row.get_ref(1)?.as_blob()?;
    let hash = ContentHash::from_slice(hash).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Blob,
            "not a 32-byte hash".into(),
        )
    })?;
    Ok(AttachmentRow {
        path: row.get(0)?,
        hash,
        size: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
        created: row.get(3)?,
        updated: row.get(4)?,
    })
}

/// The attachment a link to `key` (a normalised name or path ending)
/// names, nearest the root first.
pub(crate) fn find(conn: &Connection, key: &str) -> rusqlite::Result<Option<AttachmentRow>> {
    if key.is_empty() {
        return Ok(None);
    }
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM attachment_keys k
             JOIN attachments a ON a.attachment = k.attachment
             JOIN blobs b ON b.blob = a.blob
         WHERE k.key = ?1
         ORDER BY length(a.path) - length(replace(a.path, '/', '')), a.path
         LIMIT 1"
    ))?
    .query_row([key], read_row)
    .optional()
}

/// The names a link may use for the attachment at `path`.
fn keys(path: &str) -> Vec<String> {
    loam_core::vault::path_keys(path)
}

fn write_one(tx: &Connection, write: &AttachmentWrite<'_>) -> rusqlite::Result<AttachmentWritten> {
    let hash = write.hash.as_bytes().as_slice();
    let existing: Option<(i64, i64, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT a.attachment, a.blob, b.hash FROM attachments a JOIN blobs b ON b.blob = a.blob
             WHERE a.path = ?1",
        )?
        .query_row([write.path], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    if let Some((_, _, stored)) = &existing
        && stored.as_slice() == hash
    {
        return Ok(AttachmentWritten::Unchanged);
    }
    tx.prepare_cached("INSERT OR IGNORE INTO blobs (hash, size, bytes) VALUES (?1, ?2, ?3)")?
        .execute(params![hash, to_i64(write.bytes.len()), write.bytes])?;
    let blob: i64 = tx
        .prepare_cached("SELECT blob FROM blobs WHERE hash = ?1")?
        .query_row([hash], |row| row.get(0))?;
    match existing {
        Some((attachment, old_blob, _)) => {
            tx.prepare_cached(
                "UPDATE attachments SET blob = ?2, updated = ?3 WHERE attachment = ?1",
            )?
            .execute(params![attachment, blob, write.now])?;
            drop_unused_blob(tx, old_blob)?;
            Ok(AttachmentWritten::Updated)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO attachments (path, blob, created, updated) VALUES (?1, ?2, ?3, ?3)",
            )?
            .execute(params![write.path, blob, write.now])?;
            let attachment = tx.last_insert_rowid();
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO attachment_keys (attachment, key) VALUES (?1, ?2)",
            )?;
            for key in keys(write.path) {
                insert.execute(params![attachment, key])?;
            }
            Ok(AttachmentWritten::New)
        }
    }
}

/// Delete the bytes of `blob` if no attachment uses them any more.
fn drop_unused_blob(tx: &Connection, blob: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM blobs WHERE blob = ?1 AND NOT EXISTS (SELECT 1 FROM attachments WHERE blob = ?1)",
    )?
    .execute([blob])?;
    Ok(())
}

impl Store {
    /// Store attachments in one transaction (all or none): a path not
    /// stored before is added, a stored path with other bytes now points at
    /// them (bytes no attachment uses any more are deleted), a stored path
    /// with the same bytes is left alone. Bytes already stored under another
    /// path are not stored again.
    pub fn write_attachments(
        &mut self,
        writes: &[AttachmentWrite<'_>],
    ) -> Result<Vec<AttachmentWritten>, StoreError> {
        self.write(|tx| writes.iter().map(|w| write_one(tx, w)).collect())
    }

    /// Whether bytes with this hash are stored.
    pub fn has_blob(&self, hash: ContentHash) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1")
            .and_then(|mut stmt| stmt.exists([hash.as_bytes().as_slice()]))
            .map_err(|e| self.err(e))
    }

    /// The stored bytes with this hash, `None` if there are none.
    pub fn blob(&self, hash: ContentHash) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .prepare_cached("SELECT bytes FROM blobs WHERE hash = ?1")
            .and_then(|mut stmt| {
                stmt.query_row([hash.as_bytes().as_slice()], |row| row.get(0))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// The attachment imported from exactly `path`.
    pub fn attachment(&self, path: &str) -> Result<Option<AttachmentRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM attachments a JOIN blobs b ON b.blob = a.blob WHERE a.path = ?1"
            ))
            .and_then(|mut stmt| stmt.query_row([path], read_row).optional())
            .map_err(|e| self.err(e))
    }

    /// The attachment a link to `name` names (its file name or the end of
    /// its path, ignoring case; see the module docs).
    pub fn find_attachment(&self, name: &str) -> Result<Option<AttachmentRow>, StoreError> {
        find(&self.conn, &normalise_title(name)).map_err(|e| self.err(e))
    }

    /// Every attachment, by path.
    pub fn attachments(&self) -> Result<Vec<AttachmentRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM attachments a JOIN blobs b ON b.blob = a.blob ORDER BY a.path"
            ))
            .and_then(|mut stmt| stmt.query_map([], read_row)?.collect())
            .map_err(|e| self.err(e))
    }

    /// Check the stored bytes of every attachment against their hash and
    /// size: one message per blob that disagrees, naming the paths that use
    /// it. Reads every blob, one at a time.
    pub fn check_attachments(&self) -> Result<Vec<String>, StoreError> {
        let run = || -> rusqlite::Result<Vec<String>> {
            let blobs: Vec<(i64, Vec<u8>)> = self
                .conn
                .prepare("SELECT blob, hash FROM blobs ORDER BY blob")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut problems = Vec::new();
            for (blob, hash) in blobs {
                let (size, bytes): (i64, Vec<u8>) = self
                    .conn
                    .prepare_cached("SELECT size, bytes FROM blobs WHERE blob = ?1")?
                    .query_row([blob], |row| Ok((row.get(0)?, row.get(1)?)))?;
                let actual = ContentHash::of(&bytes);
                let intact = actual.as_bytes().as_slice() == hash.as_slice()
                    && usize::try_from(size).ok() == Some(bytes.len());
                if intact {
                    continue;
                }
                let paths: Vec<String> = self
                    .conn
                    .prepare_cached("SELECT path FROM attachments WHERE blob = ?1 ORDER BY path")?
                    .query_map([blob], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let named = ContentHash::from_slice(&hash)
                    .map_or_else(|| "?".to_owned(), |h| h.to_string());
                problems.push(format!(
                    "attachment {} ({named}): its stored bytes do not match their hash",
                    if paths.is_empty() {
                        "without a path".to_owned()
                    } else {
                        paths.join(", ")
                    }
                ));
            }
            Ok(problems)
        };
        run().map_err(|e| self.err(e))
    }
}
