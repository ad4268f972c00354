//! Loam's store: one garden's SQLite database.
//!
//! The store keeps each note or page as Automerge bytes (a full save plus
//! the incremental chunks appended since, see [`Store::write_doc`] and
//! [`Store::compact_doc`]) and, written in the same transaction, everything
//! the application reads without loading a document: the materialised row
//! (title, kind, folder, times, ...), the body text, outgoing links, tags,
//! aliases and a full-text index. So the index never disagrees with the
//! documents, and opening a garden, listing, searching and following links
//! load no Automerge document: this crate never loads one at all, it only
//! keeps bytes. (One refinement: the full-text entry of a long document is
//! marked pending in that transaction and rewritten before the next
//! full-text query, see `search`; no query sees it lag.)
//!
//! The API is synchronous and [`Store`] owns one connection (WAL mode, so
//! other connections may read while it writes). This is the only crate that
//! knows SQL; one module per concern:
//!
//! - `schema`: tables, versioned migrations, connection settings;
//! - `docs`: writing documents (chunks, rows), compaction, lists;
//! - `index`: links, tags, aliases, title resolution, backlinks;
//! - `search`: the FTS5 index and the query language of [`Store::search`];
//! - `check`: [`Store::integrity_check`] for `loam check`.

mod check;
mod docs;
mod error;
mod index;
mod schema;
mod search;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use docs::{ArchivedFilter, Chunk, ChunkStats, DocRow, DocWrite, ListQuery, Sort};
pub use error::StoreError;
pub use index::{Backlink, BrokenLink, IndexRows, LinkRow, OutLink, TagCount, TitleEntry};
pub use search::{SearchHit, SearchQuery};

/// The schema version this build creates and migrates to (`PRAGMA
/// user_version` of its databases).
pub const SCHEMA_VERSION: i64 = schema::LATEST_VERSION;

/// What a temporary store calls itself in error messages.
const TEMPORARY_NAME: &str = ":memory:";

/// One garden's database, with the connection that writes it.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The database file, `None` for a temporary store.
    path: Option<PathBuf>,
    /// The file as named in error messages.
    name: PathBuf,
}

impl Store {
    /// Open the garden database at `path`, creating the file and the schema
    /// if missing and migrating an older schema. Loads no document.
    ///
    /// Fails with [`StoreError::Corrupt`] when the file is not a Loam
    /// database, [`StoreError::TooNew`] when a newer Loam wrote it and
    /// [`StoreError::Locked`] when another process keeps it locked for more
    /// than 5 s.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|source| {
                match StoreError::sql(path, source) {
                    StoreError::Sqlite { path, source } => StoreError::Open { path, source },
                    other => other,
                }
            })?;
        Self::setup(conn, Some(path.to_owned()))
    }

    /// A private, empty database in memory, for tests.
    pub fn temporary() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()
            .map_err(|e| StoreError::sql(Path::new(TEMPORARY_NAME), e))?;
        Self::setup(conn, None)
    }

    fn setup(mut conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        let name = path
            .clone()
            .unwrap_or_else(|| PathBuf::from(TEMPORARY_NAME));
        schema::configure(&conn, path.is_some()).map_err(|e| StoreError::sql(&name, e))?;
        schema::migrate(&mut conn, &name)?;
        Ok(Store { conn, path, name })
    }

    /// The database file, `None` for a temporary store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// How long a statement waits for another connection's lock before
    /// failing with [`StoreError::Locked`] (5 s after opening).
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(timeout).map_err(|e| self.err(e))
    }

    /// The value of the garden setting `key`, if set.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        self.conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut stmt| stmt.query_row([key], |row| row.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// Set the garden setting `key` to `value`.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
            Ok(())
        })
    }

    /// Housekeeping for idle moments: bring pending full-text entries up to
    /// date, merge a bounded amount of the full-text index's segments
    /// (frequent edits of the same document leave many), refresh the query
    /// planner's statistics and checkpoint the WAL. The merge is bounded, so
    /// a call usually takes milliseconds (after a large import, up to a few
    /// hundred while the checkpoint writes the WAL back); call it again
    /// later for more.
    pub fn maintain(&mut self) -> Result<(), StoreError> {
        self.catch_up_fts()?;
        self.write(|tx| {
            tx.execute("INSERT INTO fts (fts, rank) VALUES ('merge', 200)", [])?;
            Ok(())
        })?;
        self.conn
            .execute_batch("PRAGMA optimize")
            .map_err(|e| self.err(e))?;
        if self.path.is_some() {
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The store's error for a SQLite failure.
    fn err(&self, err: rusqlite::Error) -> StoreError {
        StoreError::sql(&self.name, err)
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction: committed if it
    /// succeeds, rolled back (nothing written) if it fails.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let Self { conn, name, .. } = self;
        let sql = |e| StoreError::sql(name, e);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let out = f(&tx).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_round_trips_and_overwrites() {
        let mut store = Store::temporary().unwrap();
        assert_eq!(store.path(), None);
        assert_eq!(store.meta("name").unwrap(), None);
        store.set_meta("name", "Workshop").unwrap();
        store.set_meta("name", "Garden").unwrap();
        assert_eq!(store.meta("name").unwrap().as_deref(), Some("Garden"));
        store.maintain().unwrap();
    }
}
