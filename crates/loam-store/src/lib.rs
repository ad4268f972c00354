//! Loam's store: one garden's SQLite database.
//!
//! The store keeps each note or page as Automerge bytes (a full save plus
//! the incremental chunks appended since, see [`Store::write_doc`] and
//! [`Store::compact_doc`]) and, written in the same transaction, everything
//! the application reads without loading a document: the materialised row
//! (title, kind, folder, times, ...), the body text, outgoing links, tags,
//! aliases and the full-text (FTS5) entry, whatever the length of the body.
//! So the index never disagrees with the documents, and opening a garden,
//! listing, searching and following links load no Automerge document: this
//! crate never loads one at all, it only keeps bytes. Reads never write, so
//! they also work on a database opened with [`Store::open_read_only`].
//!
//! The API is synchronous and [`Store`] owns one connection (WAL mode, so
//! other connections may read while it writes). This is the only crate that
//! knows SQL; one module per concern:
//!
//! - `schema`: tables, versioned migrations, connection settings;
//! - `docs`: writing documents (chunks, rows), compaction, lists;
//! - `index`: links, tags, aliases, title and path resolution, backlinks;
//! - `attachments`: attachment bytes by content hash, and their paths;
//! - `imports`: what the last import wrote into each imported document;
//! - `history`: who changed each document when, and its edit sessions;
//! - `signatures`: members' signatures over the changes they wrote;
//! - `membership`: the garden's membership log entries, and its peers;
//! - `search`: the FTS5 index and the query language of [`Store::search`];
//! - `check`: [`Store::integrity_check`] for `loam check`.

mod attachments;
mod check;
mod community;
mod docs;
mod error;
mod history;
mod imports;
mod index;
mod membership;
mod schema;
mod search;
mod signatures;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use attachments::{AttachmentRow, AttachmentWrite, AttachmentWritten};
pub use community::{CommunityRow, CommunityWrite, DocFact, SessionFact};
pub use docs::{ArchivedFilter, Chunk, ChunkStats, DocRow, DocWrite, ListQuery, Sort};
pub use error::StoreError;
pub use history::StoredWhole;
pub use imports::{ImportBase, ImportedDoc};
pub use index::{Backlink, BrokenLink, IndexRows, LinkRow, OutLink, TagCount, TitleEntry};
pub use membership::PeerRow;
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
                    StoreError::Sqlite { path, .. } if on_read_only_disk(&path) => {
                        StoreError::ReadOnly { path }
                    }
                    StoreError::Sqlite { path, source } => StoreError::Open { path, source },
                    other => other,
                }
            })?;
        Self::setup(conn, Some(path.to_owned())).map_err(|e| match e {
            StoreError::Sqlite { path, .. } | StoreError::Open { path, .. }
                if on_read_only_disk(&path) =>
            {
                StoreError::ReadOnly { path }
            }
            other => other,
        })
    }

    /// Open the garden database at `path` for reading only: nothing is
    /// created or migrated, and every write fails. Searching, listing,
    /// backlinks and [`Store::integrity_check`] work, also when the file and
    /// its folder cannot be written (a garden on read-only media, a backup,
    /// a second process that only reads).
    ///
    /// A reader of a WAL database needs SQLite's `-shm` file beside it. When
    /// the folder is read-only and holds none (the last writer closed
    /// cleanly), the file is opened as immutable instead: SQLite then takes
    /// no locks, which is safe because no writer can be at work (a writer
    /// needs that file too). A folder that holds a `-wal` file with
    /// transactions but no `-shm` file cannot be read.
    ///
    /// Fails like [`Store::open`], with [`StoreError::Open`] when the file
    /// does not exist, and with [`StoreError::TooOld`] when its schema needs
    /// migrating (open it once with [`Store::open`]).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        match Self::open_read_only_as(path, path, OpenFlags::empty()) {
            Err(StoreError::Sqlite { source, .. } | StoreError::Open { source, .. })
                if source.sqlite_extended_error_code()
                    == Some(rusqlite::ffi::SQLITE_READONLY_DIRECTORY)
                    && !wal_has_content(path) =>
            {
                let Some(uri) = immutable_uri(path) else {
                    return Err(StoreError::sql(path, source));
                };
                Self::open_read_only_as(path, Path::new(&uri), OpenFlags::SQLITE_OPEN_URI)
            }
            other => other,
        }
    }

    /// [`Store::open_read_only`] of `path`, named `target` for SQLite (the
    /// path or a URI for it).
    fn open_read_only_as(
        path: &Path,
        target: &Path,
        extra: OpenFlags,
    ) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
        let conn = Connection::open_with_flags(target, flags).map_err(|source| {
            match StoreError::sql(path, source) {
                StoreError::Sqlite { path, source } => StoreError::Open { path, source },
                other => other,
            }
        })?;
        schema::configure_read_only(&conn).map_err(|e| StoreError::sql(path, e))?;
        schema::check_current(&conn, path)?;
        Ok(Store {
            conn,
            path: Some(path.to_owned()),
            name: path.to_owned(),
        })
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

    /// A number that changes whenever another connection (another
    /// process) commits to the database; unchanged by this connection's own
    /// writes. Cheap: no table is read.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "data_version", |row| row.get(0))
            .map_err(|e| self.err(e))
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

    /// Housekeeping for idle moments: merge a bounded amount of the
    /// full-text index's segments (frequent edits of the same document leave
    /// many), refresh the query planner's statistics and checkpoint the WAL.
    /// The merge is bounded, so a call usually takes milliseconds (after a
    /// large import, up to a few hundred while the checkpoint writes the WAL
    /// back); call it again later for more.
    pub fn maintain(&mut self) -> Result<(), StoreError> {
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

/// Whether the database at `path` cannot be written because its file
/// system or the file is read-only (what SQLite reports only as "unable to
/// open database file").
fn on_read_only_disk(path: &Path) -> bool {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .is_err_and(|e| {
            matches!(
                e.kind(),
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
            )
        })
}

/// Whether the WAL file of the database at `path` holds anything (then the
/// database cannot be read as immutable: that would ignore it).
fn wal_has_content(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

/// A SQLite URI opening `path` read-only and immutable; `None` when the
/// path is not Unicode.
fn immutable_uri(path: &Path) -> Option<String> {
    let path = path.to_str()?;
    let mut uri = String::from("file:");
    let bytes = path.as_bytes();
    if path.starts_with('/') {
        // An empty authority: `file:///home/...`.
        uri.push_str("//");
    } else if cfg!(windows) && bytes.get(1) == Some(&b':') {
        // `C:\...` becomes `file:///C:/...`.
        uri.push_str("///");
    }
    for c in path.chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", u32::from(c))),
            '\\' if cfg!(windows) => uri.push('/'),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    Some(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `open_read_only` falls back to in a read-only folder (which
    /// root, running the tests, cannot make).
    #[test]
    fn a_database_opened_as_immutable_can_be_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("my garden #1?.sqlite");
        Store::open(&path)
            .unwrap()
            .set_meta("name", "Workshop")
            .unwrap();
        let uri = immutable_uri(&path).unwrap();
        let mut store =
            Store::open_read_only_as(&path, Path::new(&uri), OpenFlags::SQLITE_OPEN_URI).unwrap();
        assert_eq!(store.meta("name").unwrap().as_deref(), Some("Workshop"));
        assert!(store.integrity_check().unwrap().is_empty());
        assert!(store.set_meta("name", "Other").is_err());
    }

    #[test]
    fn immutable_uris_escape_what_sqlite_would_read_as_syntax() {
        assert_eq!(
            immutable_uri(Path::new("/data/my garden?#%.sqlite")).unwrap(),
            "file:///data/my garden%3F%23%25.sqlite?mode=ro&immutable=1"
        );
        assert_eq!(
            immutable_uri(Path::new("garden.sqlite")).unwrap(),
            "file:garden.sqlite?mode=ro&immutable=1"
        );
    }

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
