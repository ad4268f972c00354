//! Faults through the real `loam` command: damaged chunks, a database
//! locked by another process, a full disk, a read-only data directory and a
//! deleted WAL. Each gives a clear error (never a panic) and `loam check
//! --repair` saves every document that can be saved and says what it could
//! not.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use loam_e2e::{Member, Run};

/// The garden database in `member`'s data directory.
fn database(member: &Member) -> PathBuf {
    let gardens = member.data_dir().join("gardens");
    let garden = std::fs::read_dir(gardens).unwrap().next().unwrap().unwrap();
    garden.path().join("garden.db")
}

/// A failure a member can read: an error line, no panic, no backtrace.
fn assert_clear_failure(run: &Run, needle: &str) {
    assert_ne!(run.code, 0, "should have failed: {run:?}");
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(needle),
        "{needle:?} not in {}",
        run.stderr
    );
}

/// Apply `sql` to the database with its own connection (as a disk error
/// or a stray program would).
fn damage(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn damaged_chunks_are_reported_and_repair_saves_what_loads() -> anyhow::Result<()> {
    let ada = Member::new("Ada")?;
    ada.run(&["init", "Commons"]).ok()?;
    ada.run(&["new", "Soil", "--body", "Soil v1"]).ok()?;
    ada.run(&["edit", "Soil", "--text", "Soil v2"]).ok()?;
    ada.run(&["edit", "Soil", "--text", "Soil v3"]).ok()?;
    ada.run(&["new", "Roots", "--body", "Roots v1"]).ok()?;
    ada.run(&["edit", "Roots", "--text", "Roots v2"]).ok()?;
    ada.run(&["edit", "Roots", "--text", "Roots v3"]).ok()?;
    ada.run(&["new", "Seeds", "--body", "Seeds only"]).ok()?;
    ada.run(&["new", "Worms", "--body", "Worms are fine"])
        .ok()?;
    let db = database(&ada);
    let chunk = |title: &str, which: &str| {
        format!(
            "(SELECT c.rowid FROM chunks c JOIN docs d ON d.doc = c.doc WHERE d.title = '{title}'
              ORDER BY c.seq {which} LIMIT 1)"
        )
    };
    // Soil's last chunk truncated; Roots' middle chunk bit-flipped; Seeds'
    // only chunk overwritten.
    damage(
        &db,
        &format!(
            "UPDATE chunks SET bytes = substr(bytes, 1, length(bytes) / 2) WHERE rowid = {};
             UPDATE chunks SET bytes = randomblob(length(bytes)) WHERE rowid = {};",
            chunk("Soil", "DESC"),
            chunk("Seeds", "DESC"),
        ),
    );
    let conn = rusqlite::Connection::open(&db)?;
    let (rowid, mut bytes): (i64, Vec<u8>) = conn.query_row(
        "SELECT c.rowid, c.bytes FROM chunks c JOIN docs d ON d.doc = c.doc
         WHERE d.title = 'Roots' ORDER BY c.seq LIMIT 1 OFFSET 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let at = bytes.len() / 2;
    bytes[at] ^= 0x04;
    conn.execute(
        "UPDATE chunks SET bytes = ?1 WHERE rowid = ?2",
        rusqlite::params![bytes, rowid],
    )?;
    drop(conn);
    // The index still answers; editing a damaged note fails clearly.
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), "Soil v3");
    assert!(ada.run(&["ls"]).ok()?.contains("Worms"));
    let edit = ada.run(&["edit", "Seeds", "--text", "more"]);
    assert_clear_failure(&edit, "run `loam check`");
    let check = ada.run(&["check"]);
    assert_eq!(check.code, 1, "{check:?}");
    for damaged in ["chunk", "damaged"] {
        assert!(check.stdout.contains(damaged), "{}", check.stdout);
    }

    let repair = ada.run(&["check", "--repair"]);
    let out = &repair.stdout;
    assert!(out.contains("Recovered `Soil`"), "{repair:?}");
    assert!(out.contains("Recovered `Roots`"), "{repair:?}");
    assert!(out.contains("Could not recover `Seeds`"), "{repair:?}");
    // Seeds is still damaged: repair says so and exits 1.
    assert_eq!(repair.code, 1, "{repair:?}");
    let quarantine = db.parent().unwrap().join("quarantine");
    assert_eq!(std::fs::read_dir(&quarantine)?.count(), 3);
    // What loads is back, as of its last whole chunk, and takes edits.
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), "Soil v2");
    assert_eq!(ada.run(&["cat", "Roots"]).ok()?.trim(), "Roots v1");
    assert_eq!(ada.run(&["cat", "Seeds"]).ok()?.trim(), "Seeds only");
    ada.run(&["edit", "Soil", "--text", "Soil v4"]).ok()?;
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), "Soil v4");
    Ok(())
}

#[test]
fn a_database_locked_by_another_process_fails_clearly() -> anyhow::Result<()> {
    let ada = Member::new("Ada")?;
    ada.run(&["init", "Commons"]).ok()?;
    ada.run(&["new", "Soil", "--body", "Loam is soil."]).ok()?;
    let conn = rusqlite::Connection::open(database(&ada))?;
    conn.execute_batch("BEGIN EXCLUSIVE; UPDATE meta SET value = value;")?;
    let blocked = ada.run(&["new", "Seeds", "--body", "blocked"]);
    assert_clear_failure(&blocked, "locked by another process");
    assert_eq!(blocked.code, 75, "{blocked:?}");
    conn.execute_batch("ROLLBACK")?;
    ada.run(&["new", "Seeds", "--body", "now"]).ok()?;
    ada.run(&["check"]).ok()?;
    Ok(())
}

/// A small tmpfs mounted over `dir` (its contents copied in), unmounted on
/// drop; `None` when this machine does not let us mount (not root, no
/// tmpfs), and the test says it skipped.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    fn over(dir: &Path, size: &str) -> Option<Self> {
        let saved = dir.with_extension("saved");
        std::fs::rename(dir, &saved).ok()?;
        std::fs::create_dir(dir).ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            std::fs::remove_dir(dir).ok()?;
            std::fs::rename(&saved, dir).ok()?;
            return None;
        }
        let copied = Command::new("cp")
            .arg("-a")
            .arg(saved.join("."))
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        let disk = Self {
            dir: dir.to_owned(),
        };
        copied.then_some(disk)
    }

    fn remount(&self, option: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

#[test]
fn a_full_disk_and_a_read_only_data_dir_fail_clearly_and_lose_nothing() -> anyhow::Result<()> {
    let ada = Member::new("Ada")?;
    ada.run(&["init", "Commons"]).ok()?;
    ada.run(&["new", "Soil", "--body", "Loam is soil."]).ok()?;
    let Some(disk) = SmallDisk::over(&ada.data_dir(), "2m") else {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return Ok(());
    };
    // Fill the disk, leaving a few pages.
    let filler = ada.data_dir().join("filler");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=4096"])
        .arg(format!("of={}", filler.display()))
        .output();
    let big = "compost ".repeat(12_000);
    let full = ada.run(&["new", "Big", "--body", &big]);
    assert_clear_failure(&full, "full");
    std::fs::remove_file(&filler)?;
    ada.run(&["check"]).ok()?;
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), "Loam is soil.");
    ada.run(&["new", "Big", "--body", "fits now"]).ok()?;

    // Read-only: every command says why (the node opens its garden for
    // writing; `Store::open_read_only` is not used by it yet).
    disk.remount("ro");
    let refused = ada.run(&["new", "Seeds", "--body", "no"]);
    assert_clear_failure(&refused, "read-only");
    disk.remount("rw");
    ada.run(&["new", "Seeds", "--body", "yes"]).ok()?;
    ada.run(&["check"]).ok()?;
    Ok(())
}

#[test]
fn a_deleted_wal_leaves_a_consistent_garden() -> anyhow::Result<()> {
    let mut ada = Member::new("Ada")?;
    ada.run(&["init", "Commons"]).ok()?;
    ada.run(&["new", "Soil", "--body", "checkpointed"]).ok()?;
    // While `loam serve` keeps the database open, what other commands commit
    // stays in the WAL; then it is killed and the WAL deleted.
    ada.serve()?;
    for i in 0..5 {
        ada.run(&["new", &format!("Note {i}"), "--body", "in the WAL"])
            .ok()?;
    }
    ada.kill()?;
    let db = database(&ada);
    for ending in ["-wal", "-shm"] {
        let mut path = db.clone().into_os_string();
        path.push(ending);
        let _ = std::fs::remove_file(path);
    }
    // The garden opens, checks clean, and has what was checkpointed.
    ada.run(&["check"]).ok()?;
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), "checkpointed");
    ada.run(&["check", "--repair"]).ok()?;
    ada.run(&["new", "After", "--body", "works"]).ok()?;
    Ok(())
}
