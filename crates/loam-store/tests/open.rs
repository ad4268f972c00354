//! Opening a database: creation, reopening, migrations, and the files that
//! must be refused with a clear error.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use loam_core::{NewDoc, NoteDoc};
use loam_store::{ListQuery, SCHEMA_VERSION, SearchQuery, Store, StoreError};
use support::{Garden, ME, T0, titles};

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn data_chunks_and_index_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let id = loam_core::DocId::random();
    let mut doc = NoteDoc::create(&NewDoc::page("Welcome", "Grow your garden"), ME, T0).unwrap();
    {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.path(), Some(path.as_path()));
        store.set_meta("name", "Workshop").unwrap();
        store
            .write_doc(
                id,
                &doc.snapshot().unwrap(),
                &doc.save_incremental().unwrap(),
            )
            .unwrap();
        doc.splice(16, 0, " with seeds").unwrap();
        doc.commit(T0 + 1, None);
        store
            .write_doc(
                id,
                &doc.snapshot().unwrap(),
                &doc.save_incremental().unwrap(),
            )
            .unwrap();
        Garden::in_store(store, "note Seeds #botany | Seeds grow into plants");
    }
    let loads = loam_core::automerge_load_count();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.meta("name").unwrap().as_deref(), Some("Workshop"));
    assert_eq!(
        titles(&store.list(&ListQuery::default()).unwrap()),
        "Seeds, Welcome"
    );
    assert_eq!(
        store.text(id).unwrap().as_deref(),
        Some("Grow your garden with seeds")
    );
    let hits = store.search(&SearchQuery::new("seeds")).unwrap();
    assert_eq!(titles(hits.iter().map(|h| &h.row)), "Seeds, Welcome");
    assert_eq!(store.tags().unwrap()[0].tag, "botany");
    assert_eq!(
        loam_core::automerge_load_count(),
        loads,
        "opening and reading load no document"
    );
    let chunks = store.load_chunks(id).unwrap();
    assert_eq!(chunks.iter().map(|c| c.seq).collect::<Vec<_>>(), [1, 2]);
    let mut loaded = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), ME).unwrap();
    assert_eq!(loaded.text().unwrap(), "Grow your garden with seeds");
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn a_new_database_is_at_the_latest_version_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = raw(&path);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let page_size: i64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 8192);
    drop(conn);
    // Opening again changes nothing.
    drop(Store::open(&path).unwrap());
    assert_eq!(
        raw(&path)
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .unwrap(),
        SCHEMA_VERSION
    );
}

#[test]
fn an_empty_file_becomes_a_garden() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    std::fs::write(&path, b"").unwrap();
    let mut store = Store::open(&path).unwrap();
    store.set_meta("k", "v").unwrap();
}

#[test]
fn a_database_from_a_newer_loam_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    drop(Store::open(&path).unwrap());
    raw(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::TooNew { found, supported, .. }
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("update loam"),
        "{message}"
    );
}

#[test]
fn garbage_is_reported_as_corrupt_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    // Deterministic noise (xorshift), long enough to look like pages.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(&path, noise).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "the database {} is damaged or is not a loam database: run `loam check`",
            path.display()
        )
    );
}

#[test]
fn another_programs_database_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    raw(&path)
        .execute_batch("CREATE TABLE photos (name TEXT)")
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    let tables: i64 = raw(&path)
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing was added to it");
}

#[test]
fn a_missing_folder_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere").join("garden.sqlite");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot open the database {}", path.display())),
        "{err}"
    );
}

#[test]
fn a_write_while_another_process_holds_the_lock_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let mut store = Store::open(&path).unwrap();
    let other = raw(&path);
    other
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO meta VALUES ('k', 'other');")
        .unwrap();
    store.set_busy_timeout(Duration::from_millis(50)).unwrap();
    let err = store.set_meta("k", "mine").unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    other.execute_batch("COMMIT").unwrap();
    store.set_meta("k", "mine").unwrap();
    assert_eq!(store.meta("k").unwrap().as_deref(), Some("mine"));
}

/// Makes `path` read-only for its lifetime, then gives it its permissions
/// back (so that the temporary folder can be removed).
struct ReadOnly<'a>(&'a Path, std::fs::Permissions);

impl<'a> ReadOnly<'a> {
    fn set(path: &'a Path) -> Self {
        let before = std::fs::metadata(path).unwrap().permissions();
        let mut permissions = before.clone();
        permissions.set_readonly(true);
        std::fs::set_permissions(path, permissions).unwrap();
        ReadOnly(path, before)
    }
}

impl Drop for ReadOnly<'_> {
    fn drop(&mut self) {
        std::fs::set_permissions(self.0, self.1.clone()).unwrap();
    }
}

/// Every read works on a store opened read-only, and none of them writes.
/// The file and its folder are made read-only too: for a user other than
/// root that is a read-only folder without a `-shm` file (the immutable
/// fallback); root ignores permission bits, so then SQLite's read-only flag
/// is what keeps the file as it was.
#[test]
fn a_read_only_store_searches_lists_follows_links_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let long: String = (0..12_000).map(|i| format!("humus{i} ")).collect();
    {
        let store = Store::open(&path).unwrap();
        Garden::in_store(
            store,
            &format!(
                "page Compost #soil | Compost feeds [[Seeds]]\n\
                 note Seeds | seeds sprout, see [[Compost]]\n\
                 note Long | {long} and seeds"
            ),
        );
    }
    let bytes = std::fs::read(&path).unwrap();
    let _file = ReadOnly::set(&path);
    let _dir = ReadOnly::set(dir.path());
    let mut store = Store::open_read_only(&path).unwrap();
    assert_eq!(
        titles(&store.list(&ListQuery::default()).unwrap()),
        "Compost, Seeds, Long"
    );
    let hits = store.search(&SearchQuery::new("seeds")).unwrap();
    assert_eq!(titles(hits.iter().map(|h| &h.row)), "Seeds, Compost, Long");
    let hits = store.search(&SearchQuery::new("humus11999")).unwrap();
    assert_eq!(titles(hits.iter().map(|h| &h.row)), "Long");
    let compost = store.find_by_title("Compost", false).unwrap();
    let backlinks = store.backlinks(compost[0].id).unwrap();
    assert_eq!(backlinks.len(), 1);
    assert_eq!(backlinks[0].source.title, "Seeds");
    assert_eq!(store.mention_candidates("compost").unwrap().len(), 2);
    assert_eq!(store.tags().unwrap()[0].tag, "soil");
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    // Writes fail, and nothing of the file changed.
    assert!(store.set_meta("name", "Mine").is_err());
    let seeds = store.find_by_title("Seeds", false).unwrap()[0].id;
    let err = store
        .write_doc(seeds, &support::note("Seeds", "changed"), b"x")
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    drop(store);
    assert!(
        std::fs::read(&path).unwrap() == bytes,
        "the file is unchanged"
    );
}

#[test]
fn a_read_only_store_refuses_what_it_cannot_read_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
    assert!(!path.exists(), "nothing is created");
    drop(Store::open(&path).unwrap());
    raw(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION - 1)
        .unwrap();
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::TooOld { found, supported, .. }
                if found == SCHEMA_VERSION - 1 && supported == SCHEMA_VERSION
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the database {} has an older schema (version {}, this version of loam uses {}) \
             and was opened read-only: open it once with write access to upgrade it",
            path.display(),
            SCHEMA_VERSION - 1,
            SCHEMA_VERSION
        )
    );
    raw(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    std::fs::write(
        &path,
        b"not a database, clearly not one at all, no no no, not one",
    )
    .unwrap();
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}
