//! What can go wrong with a garden's database, in words that name the file
//! and say what to do.

use std::path::{Path, PathBuf};

use loam_core::DocId;
use rusqlite::ErrorCode;

/// An error from the store. Every variant names the database file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another connection holds a lock on the database for longer than the
    /// busy timeout (5 s).
    #[error(
        "the database {} is locked by another process: close the other loam process or try again later",
        path.display()
    )]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// The file is not a SQLite database, not a Loam database, or damaged.
    #[error("the database {} is damaged or is not a loam database: run `loam check`", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
    },
    /// The disk holding the database is full (or the database reached
    /// its size limit). The failed write left nothing behind.
    #[error(
        "the disk holding {} is full: free some space and try again (the failed change was not written, nothing else is lost)",
        path.display()
    )]
    Full {
        /// The database file.
        path: PathBuf,
    },
    /// The database or its folder cannot be written.
    #[error(
        "cannot write {}: it or its folder is read-only (reading still works)",
        path.display()
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// The operating system failed a read or write of the database file or
    /// its WAL: a failing disk, or a full one where SQLite cannot tell.
    #[error(
        "disk i/o error on {}: the disk may be full or failing; free some space or check the disk, then try again (the failed change was not written): {source}",
        path.display()
    )]
    Io {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer Loam with a schema this one does
    /// not know.
    #[error(
        "the database {} was written by a newer version of loam (schema version {found}, this version knows up to {supported}): update loam to open it",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The database was written by an older Loam and needs migrating, which
    /// a store opened read-only does not do.
    #[error(
        "the database {} has an older schema (version {found}, this version of loam uses {supported}) and was opened read-only: open it once with write access to upgrade it",
        path.display()
    )]
    TooOld {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The schema version this build uses.
        supported: i64,
    },
    /// The file cannot be opened or created (missing folder, permissions).
    #[error("cannot open the database {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// Any other SQLite failure.
    #[error("database error in {}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// An operation named a document the database does not hold.
    #[error("the database {} holds no document {id}", path.display())]
    UnknownDoc {
        /// The database file.
        path: PathBuf,
        /// The document asked for.
        id: DocId,
    },
    /// A compaction was asked to replace chunks by an empty save, which would
    /// lose the document.
    #[error("refusing to replace the chunks of document {id} in {} by an empty save", path.display())]
    EmptySave {
        /// The database file.
        path: PathBuf,
        /// The document.
        id: DocId,
    },
}

impl StoreError {
    /// The error for `err` raised while working on the database at `path`:
    /// busy becomes [`StoreError::Locked`], damage [`StoreError::Corrupt`].
    pub(crate) fn sql(path: &Path, err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked {
                path: path.to_owned(),
            },
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Self::Corrupt {
                path: path.to_owned(),
            },
            Some(ErrorCode::DiskFull) => Self::Full {
                path: path.to_owned(),
            },
            Some(ErrorCode::ReadOnly) => Self::ReadOnly {
                path: path.to_owned(),
            },
            Some(ErrorCode::SystemIoFailure) => Self::Io {
                path: path.to_owned(),
                source: err,
            },
            _ => Self::Sqlite {
                path: path.to_owned(),
                source: err,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_map_to_what_a_member_can_act_on() {
        let path = Path::new("/g/garden.sqlite");
        let failure = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        let busy = StoreError::sql(path, failure(rusqlite::ffi::SQLITE_BUSY));
        assert!(matches!(busy, StoreError::Locked { .. }), "{busy}");
        assert!(busy.to_string().contains("/g/garden.sqlite"));
        let corrupt = StoreError::sql(path, failure(rusqlite::ffi::SQLITE_NOTADB));
        assert_eq!(
            corrupt.to_string(),
            "the database /g/garden.sqlite is damaged or is not a loam database: run `loam check`"
        );
        let full = StoreError::sql(path, failure(rusqlite::ffi::SQLITE_FULL));
        assert!(
            full.to_string()
                .starts_with("the disk holding /g/garden.sqlite is full")
        );
        let read_only = StoreError::sql(path, failure(rusqlite::ffi::SQLITE_READONLY));
        assert!(
            matches!(read_only, StoreError::ReadOnly { .. }),
            "{read_only}"
        );
        let io = StoreError::sql(path, failure(rusqlite::ffi::SQLITE_IOERR_SHMMAP));
        assert!(io.to_string().contains("may be full"), "{io}");
        let other = StoreError::sql(path, rusqlite::Error::QueryReturnedNoRows);
        assert!(matches!(other, StoreError::Sqlite { .. }), "{other}");
    }
}
