//! The schema, its versioned migrations, and how a connection is set up.
//!
//! `PRAGMA user_version` holds the schema version: the number of
//! [`MIGRATIONS`] applied. Opening a database applies the missing ones in one
//! transaction; a database with a higher version than this build knows is
//! refused ([`StoreError::TooNew`]). `PRAGMA application_id` marks the file as
//! Loam's, so that another program's SQLite file is never migrated.
//!
//! A later issue adds a step by appending to [`MIGRATIONS`]; a step that has
//! shipped is never edited.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// `PRAGMA application_id` of a Loam database: "Loam" in ASCII.
const APPLICATION_ID: i64 = 0x4c6f_616d;

/// Version 1: documents, their chunks, the materialised text and the index.
const V1: &str = r"
-- Small settings of the garden (name, id, ...).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per note or page: everything a list shows, and no body, so that
-- lists and title look-ups read small rows. `tags` and `aliases` repeat the
-- rows of the tables of the same name as JSON arrays, for DocRow.
CREATE TABLE docs (
    doc         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'page')),
    title       TEXT NOT NULL,
    title_norm  TEXT NOT NULL,
    folder      TEXT NOT NULL,
    archived    INTEGER NOT NULL CHECK (archived IN (0, 1)),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    chars       INTEGER NOT NULL,
    heads       TEXT NOT NULL,
    tags        TEXT NOT NULL,
    aliases     TEXT NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    chunk_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX docs_title_norm ON docs (title_norm);
CREATE INDEX docs_by_title ON docs (archived, title_norm);
CREATE INDEX docs_by_updated ON docs (archived, updated);
CREATE INDEX docs_by_created ON docs (archived, created);
CREATE INDEX docs_by_folder ON docs (folder);

-- The materialised text: the external content of the full-text index.
CREATE TABLE texts (
    doc   INTEGER PRIMARY KEY REFERENCES docs (doc) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body  TEXT NOT NULL
);

-- Automerge bytes: a full save and the incremental saves appended since, in
-- `seq` order.
CREATE TABLE chunks (
    doc   INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    seq   INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (doc, seq)
);

-- Outgoing wikilinks and embeds, in document order.
CREATE TABLE links (
    doc         INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    target      TEXT NOT NULL,
    target_norm TEXT NOT NULL,
    heading     TEXT,
    alias       TEXT,
    embed       INTEGER NOT NULL CHECK (embed IN (0, 1)),
    start_byte  INTEGER NOT NULL,
    end_byte    INTEGER NOT NULL,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
CREATE INDEX links_by_target ON links (target_norm);

-- Normalised tags: set on the document, in the frontmatter and inline.
CREATE TABLE tags (
    doc INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (doc, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags (tag);

-- Frontmatter aliases: other titles a link may use.
CREATE TABLE aliases (
    doc        INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    alias_norm TEXT NOT NULL,
    alias      TEXT NOT NULL,
    PRIMARY KEY (doc, alias_norm)
) WITHOUT ROWID;
CREATE INDEX aliases_by_norm ON aliases (alias_norm);

-- Full-text index over `texts`, kept in step by the code that writes it.
CREATE VIRTUAL TABLE fts USING fts5 (
    title,
    body,
    content = 'texts',
    content_rowid = 'doc',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
";

/// Version 2: a prefix index for 4-letter prefixes too (search as you
/// type). (New files also get 8 KiB pages, see [`configure`].)
const V2: &str = r"
DROP TABLE fts;
CREATE VIRTUAL TABLE fts USING fts5 (
    title,
    body,
    content = 'texts',
    content_rowid = 'doc',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);
INSERT INTO fts (fts) VALUES ('rebuild');
";

/// Version 3: import and export. A document imported from a folder keeps
/// its file's path; links also resolve by the end of a path (`[[API/space]]`,
/// `![[img/pic.png]]`); attachments are stored by the hash of their bytes;
/// and each imported document remembers what the last import wrote, so that
/// importing again changes only what changed in the folder. The keys of the
/// documents already stored are filled in by [`backfill_doc_keys`].
const V3: &str = r"
ALTER TABLE docs ADD COLUMN path TEXT NOT NULL DEFAULT '';
CREATE INDEX docs_by_path ON docs (path) WHERE path != '';

-- Other names a link may use for a document: the endings of the path it is
-- exported to (see loam_core::vault::path_keys), normalised like titles.
CREATE TABLE doc_keys (
    doc INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    key TEXT NOT NULL,
    PRIMARY KEY (doc, key)
) WITHOUT ROWID;
CREATE INDEX doc_keys_by_key ON doc_keys (key);

-- Attachment bytes, one row per distinct content (SHA-256).
CREATE TABLE blobs (
    blob  INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    size  INTEGER NOT NULL,
    bytes BLOB NOT NULL
);

-- Attachments (images, PDFs, any file that is not markdown) by the path
-- they were imported from, relative to the folder and `/`-separated.
CREATE TABLE attachments (
    attachment INTEGER PRIMARY KEY,
    path       TEXT NOT NULL UNIQUE,
    blob       INTEGER NOT NULL REFERENCES blobs (blob),
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL
);
CREATE INDEX attachments_by_blob ON attachments (blob);

-- The names a link may use for an attachment (`pic.png`, `img/pic.png`).
CREATE TABLE attachment_keys (
    attachment INTEGER NOT NULL REFERENCES attachments (attachment) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    PRIMARY KEY (attachment, key)
) WITHOUT ROWID;
CREATE INDEX attachment_keys_by_key ON attachment_keys (key);

-- What the last import wrote into a document: its heads right after, and the
-- hash of the file's bytes.
CREATE TABLE imports (
    doc   INTEGER PRIMARY KEY REFERENCES docs (doc) ON DELETE CASCADE,
    heads TEXT NOT NULL,
    hash  BLOB NOT NULL CHECK (length(hash) = 32)
);
";

/// Version 4: change history as an index (see `history`): who made each
/// change, when, and how much of the body it changed, and the edit sessions
/// those changes make. Documents stored before have no rows yet: they start
/// on the backlog, and their rows are built from the document when their
/// history is first asked for.
const V4: &str = r"
-- Who made changes: a member (its 32-byte id) or, for a change made outside
-- Loam, an Automerge actor id.
CREATE TABLE authors (
    author INTEGER PRIMARY KEY,
    member INTEGER NOT NULL CHECK (member IN (0, 1)),
    key    BLOB NOT NULL,
    UNIQUE (member, key)
);

-- One row per Automerge change, by hash (a prefix finds a change). `seq`
-- is the change's number among its actor's; times are milliseconds since
-- the Unix epoch; `inserted` and `deleted` count characters of the body.
-- The hash is stored once (no rowid, no second index): a long history is
-- hundreds of thousands of rows.
CREATE TABLE changes (
    doc      INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    hash     BLOB NOT NULL CHECK (length(hash) = 32),
    author   INTEGER NOT NULL REFERENCES authors (author),
    seq      INTEGER NOT NULL,
    time     INTEGER NOT NULL,
    inserted INTEGER NOT NULL,
    deleted  INTEGER NOT NULL,
    PRIMARY KEY (doc, hash)
) WITHOUT ROWID;

-- Edit sessions: one author's changes, each less than ten minutes after the
-- one before; kept up to date as changes are written.
CREATE TABLE sessions (
    doc          INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    author       INTEGER NOT NULL REFERENCES authors (author),
    started      INTEGER NOT NULL,
    ended        INTEGER NOT NULL,
    change_count INTEGER NOT NULL,
    inserted     INTEGER NOT NULL,
    deleted      INTEGER NOT NULL,
    PRIMARY KEY (doc, author, started)
) WITHOUT ROWID;

-- Documents whose history rows are incomplete, to be rebuilt from the
-- document: every document stored before this version.
CREATE TABLE history_backlog (
    doc INTEGER PRIMARY KEY REFERENCES docs (doc) ON DELETE CASCADE
);
INSERT INTO history_backlog (doc) SELECT doc FROM docs;
";

/// Version 5: sync. The garden's membership log (signed entries, stored as
/// their bytes), the members' signatures over the changes they wrote (one
/// row per signed batch, and which batch covers each change), and the
/// address book of peers the node syncs with.
const V5: &str = r"
-- Membership log entries by hash (SHA-256 of the bytes), in the order they
-- were added here (rowid). Verified by the node before they are written.
CREATE TABLE membership (
    hash  BLOB PRIMARY KEY CHECK (length(hash) = 32),
    bytes BLOB NOT NULL
);

-- Signature batches: one member's signature over some changes of one
-- document (loam_core::SignedChanges, encoded).
CREATE TABLE signatures (
    batch  INTEGER PRIMARY KEY,
    doc    INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    signer BLOB NOT NULL CHECK (length(signer) = 32),
    bytes  BLOB NOT NULL
);
CREATE INDEX signatures_by_doc ON signatures (doc);

-- Which batch signs each change (the first one stored that covers it).
CREATE TABLE signed_changes (
    doc   INTEGER NOT NULL REFERENCES docs (doc) ON DELETE CASCADE,
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    batch INTEGER NOT NULL REFERENCES signatures (batch) ON DELETE CASCADE,
    PRIMARY KEY (doc, hash)
) WITHOUT ROWID;
CREATE INDEX signed_changes_by_batch ON signed_changes (batch);

-- Peers: a member's last known address (opaque JSON from the node) and
-- when they were last seen and last synced with (ms since the epoch).
CREATE TABLE peers (
    member    BLOB PRIMARY KEY CHECK (length(member) = 32),
    addr      TEXT NOT NULL,
    last_seen INTEGER,
    last_sync INTEGER
) WITHOUT ROWID;
";

/// Version 6: the community layer. The garden manifest and the members'
/// journals (see `community`), each as one full save with its JSON form, and
/// the signature batches over their changes.
const V6: &str = r"
CREATE TABLE community_docs (
    id      BLOB PRIMARY KEY CHECK (length(id) = 16),
    kind    TEXT NOT NULL CHECK (kind IN ('manifest', 'journal')),
    owner   BLOB CHECK (owner IS NULL OR length(owner) = 32),
    heads   TEXT NOT NULL,
    bytes   BLOB NOT NULL,
    state   TEXT NOT NULL,
    updated INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE community_signatures (
    batch  INTEGER PRIMARY KEY,
    doc    BLOB NOT NULL REFERENCES community_docs (id) ON DELETE CASCADE,
    signer BLOB NOT NULL CHECK (length(signer) = 32),
    bytes  BLOB NOT NULL
);
CREATE INDEX community_signatures_by_doc ON community_signatures (doc);

CREATE TABLE community_signed (
    doc   BLOB NOT NULL,
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    batch INTEGER NOT NULL REFERENCES community_signatures (batch) ON DELETE CASCADE,
    PRIMARY KEY (doc, hash)
) WITHOUT ROWID;
";

/// Every schema step, oldest first: `MIGRATIONS[n]` takes version `n` to
/// `n + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6];

/// The version [`V3`] brings a database to.
const DOC_KEYS_VERSION: usize = 3;

/// Fill in the link keys of every stored document (a database migrated to
/// [`V3`] had none): those of the path each would be exported to.
fn backfill_doc_keys(conn: &Connection) -> rusqlite::Result<()> {
    let docs: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT doc, folder, title, path FROM docs")?
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = conn.prepare("INSERT OR IGNORE INTO doc_keys (doc, key) VALUES (?1, ?2)")?;
    for (doc, folder, title, path) in docs {
        for key in crate::index::doc_keys(&folder, &title, &path) {
            insert.execute(rusqlite::params![doc, key])?;
        }
    }
    Ok(())
}

/// The schema version this build writes.
pub(crate) const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Pragmas every connection gets (before the schema is looked at).
pub(crate) fn configure(conn: &Connection, file_backed: bool) -> rusqlite::Result<()> {
    configure_read_only(conn)?;
    if file_backed {
        // Only takes effect on a new database: 8 KiB pages hold three texts of
        // 2 KB where 4 KiB pages hold one.
        conn.pragma_update(None, "page_size", 8192)?;
        // The first statement that reads the file: a non-database fails here.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    Ok(())
}

/// The pragmas of [`configure`] that neither read nor change the file: all
/// a connection opened read-only gets.
pub(crate) fn configure_read_only(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 32 MiB of page cache: the full-text index of a large garden is read a
    // lot by searches.
    conn.pragma_update(None, "cache_size", -32_000)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Check, without changing anything, that the database at `path` is a Loam
/// database at exactly [`LATEST_VERSION`] (for a read-only connection,
/// which cannot migrate).
pub(crate) fn check_current(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let version = user_version(conn).map_err(|e| StoreError::sql(path, e))?;
    check_version(conn, path, version)?;
    if version < LATEST_VERSION {
        return Err(StoreError::TooOld {
            path: path.to_owned(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

/// Bring the database at `path` to [`LATEST_VERSION`].
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let sql = |e| StoreError::sql(path, e);
    let version = user_version(conn).map_err(sql)?;
    check_version(conn, path, version)?;
    if version == LATEST_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    // Another process may have migrated while this one waited for the lock.
    let version = user_version(&tx).map_err(sql)?;
    check_version(&tx, path, version)?;
    let start = usize::try_from(version).unwrap_or(usize::MAX);
    for step in MIGRATIONS.iter().skip(start) {
        tx.execute_batch(step).map_err(sql)?;
    }
    if start < DOC_KEYS_VERSION {
        backfill_doc_keys(&tx).map_err(sql)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(sql)?;
    tx.pragma_update(None, "user_version", LATEST_VERSION)
        .map_err(sql)?;
    tx.commit().map_err(sql)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Refuse a database from a newer Loam, or one that is not Loam's at all.
fn check_version(conn: &Connection, path: &Path, version: i64) -> Result<(), StoreError> {
    let sql = |e| StoreError::sql(path, e);
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(sql)?;
    let foreign = if version == 0 {
        // A new database is empty; anything else was made by another program.
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
            .map_err(sql)?;
        objects > 0 || (app != 0 && app != APPLICATION_ID)
    } else {
        app != APPLICATION_ID || version < 0
    };
    if foreign {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
        });
    }
    if version > LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as version `version` of Loam left it.
    fn at_version(version: usize) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..version] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", i64::try_from(version).unwrap())
            .unwrap();
        conn
    }

    #[test]
    fn every_version_migrates_to_the_latest_keeping_its_data() {
        for version in 1..MIGRATIONS.len() {
            let mut conn = at_version(version);
            conn.execute_batch(
                "INSERT INTO docs (doc, id, kind, title, title_norm, folder, archived, created, updated, chars,
                                   heads, tags, aliases)
                 VALUES (1, zeroblob(16), 'note', 'Seeds', 'seeds', 'Lab', 0, 0, 0, 11, '', '[]', '[]');
                 INSERT INTO texts (doc, title, body) VALUES (1, 'Seeds', 'seeds sprout');
                 INSERT INTO fts (rowid, title, body) VALUES (1, 'Seeds', 'seeds sprout');",
            )
            .unwrap();
            migrate(&mut conn, Path::new(":memory:")).unwrap();
            if version < DOC_KEYS_VERSION {
                let keys: Vec<String> = conn
                    .prepare("SELECT key FROM doc_keys ORDER BY key")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                assert_eq!(
                    keys,
                    ["lab/seeds", "lab/seeds.md", "seeds.md"],
                    "from {version}"
                );
            }
            assert_eq!(
                user_version(&conn).unwrap(),
                LATEST_VERSION,
                "from {version}"
            );
            let found: i64 = conn
                .query_row(
                    "SELECT count(*) FROM fts WHERE fts MATCH 'sprout'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(found, 1, "the index survives the migration from {version}");
            conn.execute(
                "INSERT INTO fts (fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .unwrap();
        }
    }

    #[test]
    fn documents_stored_before_the_history_index_wait_for_their_history() {
        let mut conn = at_version(3);
        conn.execute_batch(
            "INSERT INTO docs (doc, id, kind, title, title_norm, folder, archived, created, updated, chars,
                               heads, tags, aliases)
             VALUES (7, zeroblob(16), 'note', 'Seeds', 'seeds', '', 0, 0, 0, 0, '', '[]', '[]');",
        )
        .unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        let backlog: Vec<i64> = conn
            .prepare("SELECT doc FROM history_backlog")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(backlog, [7]);
    }

    #[test]
    fn a_version_4_database_gains_the_sync_tables() {
        let mut conn = at_version(4);
        conn.execute_batch(
            "INSERT INTO docs (doc, id, kind, title, title_norm, folder, archived, created, updated, chars,
                               heads, tags, aliases)
             VALUES (3, zeroblob(16), 'note', 'Seeds', 'seeds', '', 0, 0, 0, 0, '', '[]', '[]');",
        )
        .unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name IN ('membership', 'signatures', 'signed_changes', 'peers') ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            tables,
            ["membership", "peers", "signatures", "signed_changes"]
        );
        // Documents stored before have no signatures: nothing to backfill.
        conn.execute_batch(
            "INSERT INTO signatures (batch, doc, signer, bytes) VALUES (1, 3, zeroblob(32), x'01');
             INSERT INTO signed_changes (doc, hash, batch) VALUES (3, zeroblob(32), 1);
             DELETE FROM docs WHERE doc = 3;",
        )
        .unwrap();
        let left: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM signatures) + (SELECT count(*) FROM signed_changes)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0, "signatures go with their document");
    }

    #[test]
    fn a_fresh_database_gets_every_step() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST_VERSION);
        let app: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        assert_eq!(app, APPLICATION_ID);
    }
}
