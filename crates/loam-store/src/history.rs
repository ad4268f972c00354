//! Change history as an index: one row per Automerge change (its hash,
//! author, time and how many characters it inserted into and deleted from
//! the body) and one per edit session, written in the transaction that
//! stores the change's chunk (see [`crate::DocWrite::changes`]).
//!
//! Sessions follow [`loam_core::sessions`]: one author's changes, each less
//! than [`SESSION_GAP`] after the previous one. They are kept up to date as
//! changes are written (in whatever order they arrive), so that showing a
//! document's history reads a few session rows, not every change.
//!
//! A change covered by a stored signature (see `signatures`) is attributed
//! to its signer, not to the member its actor id names.
//!
//! A document stored before this index existed, or written without change
//! summaries, is listed in `history_backlog`: its rows are incomplete until
//! the node rebuilds them from the document with [`Store::replace_history`].

use std::collections::HashMap;

use loam_core::{
    ChangeAuthor, ChangeHash, ChangeSummary, DocId, MemberId, SESSION_GAP, Session, sessions,
};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::docs::doc_key;
use crate::index::to_i64;
use crate::{Store, StoreError};

/// Author row keys, looked up once per write.
#[derive(Default)]
struct Authors(HashMap<ChangeAuthor, i64>);

impl Authors {
    fn key(&mut self, tx: &Connection, author: &ChangeAuthor) -> rusqlite::Result<i64> {
        if let Some(&key) = self.0.get(author) {
            return Ok(key);
        }
        let (member, bytes): (bool, &[u8]) = match author {
            ChangeAuthor::Member(m) => (true, m.as_bytes()),
            ChangeAuthor::Actor(a) => (false, a),
        };
        tx.prepare_cached(
            "INSERT INTO authors (member, key) VALUES (?1, ?2) ON CONFLICT (member, key) DO NOTHING",
        )?
        .execute(params![member, bytes])?;
        let key: i64 = tx
            .prepare_cached("SELECT author FROM authors WHERE member = ?1 AND key = ?2")?
            .query_row(params![member, bytes], |row| row.get(0))?;
        self.0.insert(author.clone(), key);
        Ok(key)
    }
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn from_u64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The author in columns `at` (member flag) and `at + 1` (key bytes).
fn read_author(row: &Row<'_>, at: usize) -> rusqlite::Result<ChangeAuthor> {
    let member: bool = row.get(at)?;
    let key: Vec<u8> = row.get(at + 1)?;
    if member {
        MemberId::from_slice(&key)
            .map(ChangeAuthor::Member)
            .ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    at + 1,
                    Type::Blob,
                    format!("{} bytes are not a member id", key.len()).into(),
                )
            })
    } else {
        Ok(ChangeAuthor::Actor(key))
    }
}

fn read_hash(row: &Row<'_>, at: usize) -> rusqlite::Result<ChangeHash> {
    let bytes = row.get_ref(at)?.as_blob()?;
    ChangeHash::try_from(bytes).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            at,
            Type::Blob,
            format!("{} bytes are not a change hash", bytes.len()).into(),
        )
    })
}

/// Columns read by [`read_change`], from `changes c JOIN authors a`.
const CHANGE_COLUMNS: &str = "c.hash, a.member, a.key, c.seq, c.time, c.inserted, c.deleted";

/// The order changes are listed in: by time, one actor's changes of the
/// same time by their number.
const CHANGE_ORDER: &str = "c.time, a.member DESC, a.key, c.seq, c.hash";

fn read_change(row: &Row<'_>) -> rusqlite::Result<ChangeSummary> {
    Ok(ChangeSummary {
        hash: read_hash(row, 0)?,
        author: read_author(row, 1)?,
        seq: to_u64(row.get(3)?),
        time: row.get(4)?,
        inserted: to_u64(row.get(5)?),
        deleted: to_u64(row.get(6)?),
    })
}

/// Record `changes` of document row `doc`, written with a chunk. Changes
/// already recorded are skipped. A chunk written without summaries
/// (`appended` but no `changes`) leaves the document's history incomplete:
/// it goes to the backlog.
pub(crate) fn record(
    tx: &Connection,
    doc: i64,
    changes: &[ChangeSummary],
    appended: bool,
) -> rusqlite::Result<()> {
    if changes.is_empty() {
        if appended {
            tx.prepare_cached("INSERT OR IGNORE INTO history_backlog (doc) VALUES (?1)")?
                .execute([doc])?;
        }
        return Ok(());
    }
    let mut authors = Authors::default();
    let mut added: Vec<ChangeSummary> = Vec::with_capacity(changes.len());
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO changes (doc, hash, author, seq, time, inserted, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for change in changes {
        // A signed change is the signer's, whatever its actor id claims.
        let mut change = change.clone();
        if let Some(signer) = crate::signatures::signer(tx, doc, &change.hash)? {
            change.author = ChangeAuthor::Member(signer);
        }
        let author = authors.key(tx, &change.author)?;
        let inserted = insert.execute(params![
            doc,
            change.hash.0.as_slice(),
            author,
            from_u64(change.seq),
            change.time,
            from_u64(change.inserted),
            from_u64(change.deleted),
        ])?;
        if inserted > 0 {
            added.push(change);
        }
    }
    for session in sessions(&added) {
        let author = authors.key(tx, &session.author)?;
        merge_session(tx, doc, author, session)?;
    }
    Ok(())
}

/// Add `new` (a session of changes just recorded) to document `doc`'s
/// sessions: it absorbs every stored session of the same author less than
/// [`SESSION_GAP`] away, which it joins into one.
fn merge_session(tx: &Connection, doc: i64, author: i64, mut new: Session) -> rusqlite::Result<()> {
    let mut absorbed: Vec<i64> = Vec::new();
    {
        // Sessions of one author are disjoint and at least SESSION_GAP
        // apart: walk back from the last one that starts early enough until
        // one ends too early.
        let mut stmt = tx.prepare_cached(
            "SELECT started, ended, change_count, inserted, deleted FROM sessions
             WHERE doc = ?1 AND author = ?2 AND started < ?3
             ORDER BY started DESC",
        )?;
        let mut rows = stmt.query(params![doc, author, new.end.saturating_add(SESSION_GAP)])?;
        while let Some(row) = rows.next()? {
            let (started, ended): (i64, i64) = (row.get(0)?, row.get(1)?);
            if ended <= new.start.saturating_sub(SESSION_GAP) {
                break;
            }
            new.start = new.start.min(started);
            new.end = new.end.max(ended);
            new.changes += to_u64(row.get(2)?);
            new.inserted += to_u64(row.get(3)?);
            new.deleted += to_u64(row.get(4)?);
            absorbed.push(started);
        }
    }
    for started in absorbed {
        tx.prepare_cached("DELETE FROM sessions WHERE doc = ?1 AND author = ?2 AND started = ?3")?
            .execute(params![doc, author, started])?;
    }
    insert_session(tx, doc, author, &new)
}

fn insert_session(tx: &Connection, doc: i64, author: i64, s: &Session) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO sessions (doc, author, started, ended, change_count, inserted, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        doc,
        author,
        s.start,
        s.end,
        from_u64(s.changes),
        from_u64(s.inserted),
        from_u64(s.deleted),
    ])?;
    Ok(())
}

/// The smallest and the first-past-the-end hash with this hex prefix, as
/// bytes (`None` for the upper bound when the prefix is all `f`).
fn prefix_range(prefix: &str) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let digits: Vec<u8> = prefix
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<_>>()?;
    if digits.is_empty() || digits.len() > 64 {
        return None;
    }
    let low: Vec<u8> = digits
        .chunks(2)
        .map(|pair| pair[0] << 4 | pair.get(1).copied().unwrap_or(0))
        .collect();
    // The upper bound: the prefix plus one in its last digit, carried.
    let mut high = digits.clone();
    let mut carried = true;
    for d in high.iter_mut().rev() {
        if *d == 15 {
            *d = 0;
        } else {
            *d += 1;
            carried = false;
            break;
        }
    }
    let high = (!carried).then(|| {
        high.chunks(2)
            .map(|pair| pair[0] << 4 | pair.get(1).copied().unwrap_or(0))
            .collect::<Vec<u8>>()
    });
    Some((low, high))
}

/// A document as stored, read without loading it (see
/// [`Store::stored_whole`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWhole {
    /// Its chunks, one after the other (as `Automerge::load` reads them).
    pub bytes: Vec<u8>,
    /// The heads its row was written at.
    pub heads: Vec<ChangeHash>,
    /// The hash of every one of its changes, from its history rows.
    pub changes: Vec<ChangeHash>,
}

impl Store {
    /// Document `id` as stored, with the hashes of all its changes, read in
    /// one transaction without loading it: what a peer that holds none of
    /// it needs. `None` for an unknown document, or one whose history rows
    /// are incomplete (its changes are then known only by loading it).
    pub fn stored_whole(&self, id: DocId) -> Result<Option<StoredWhole>, StoreError> {
        let run = || -> rusqlite::Result<Option<StoredWhole>> {
            let tx = self.conn.unchecked_transaction()?;
            let row = tx
                .prepare_cached(
                    "SELECT d.doc, d.heads FROM docs d WHERE d.id = ?1
                     AND NOT EXISTS (SELECT 1 FROM history_backlog b WHERE b.doc = d.doc)",
                )?
                .query_row([id.as_bytes()], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?;
            let Some((doc, heads)) = row else {
                return Ok(None);
            };
            let heads = heads
                .split_whitespace()
                .map(|h| {
                    h.parse::<ChangeHash>().map_err(|_| {
                        rusqlite::Error::FromSqlConversionFailure(
                            1,
                            Type::Text,
                            format!("`{h}` is not a change hash").into(),
                        )
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let changes = tx
                .prepare_cached("SELECT hash FROM changes WHERE doc = ?1")?
                .query_map([doc], |r| read_hash(r, 0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut bytes = Vec::new();
            {
                let mut stmt =
                    tx.prepare_cached("SELECT bytes FROM chunks WHERE doc = ?1 ORDER BY seq")?;
                let mut rows = stmt.query([doc])?;
                while let Some(row) = rows.next()? {
                    bytes.extend_from_slice(row.get_ref(0)?.as_blob()?);
                }
            }
            if bytes.is_empty() || changes.is_empty() {
                return Ok(None);
            }
            Ok(Some(StoredWhole {
                bytes,
                heads,
                changes,
            }))
        };
        run().map_err(|e| self.err(e))
    }

    /// Up to `limit` documents whose history rows are incomplete (see
    /// [`Store::history_complete`]).
    pub fn history_backlog(&self, limit: usize) -> Result<Vec<DocId>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT d.id FROM history_backlog b JOIN docs d ON d.doc = b.doc
                 ORDER BY b.doc LIMIT ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_map([to_i64(limit)], |row| crate::docs::read_id(row, 0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Whether document `id`'s history rows are complete (false for a
    /// document stored before the history index, or written without change
    /// summaries, until [`Store::replace_history`]). False for an unknown
    /// document.
    pub fn history_complete(&self, id: DocId) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT NOT EXISTS (SELECT 1 FROM history_backlog b WHERE b.doc = d.doc)
                 FROM docs d WHERE d.id = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([id.as_bytes()], |row| row.get(0)).optional())
            .map(|complete| complete.unwrap_or(false))
            .map_err(|e| self.err(e))
    }

    /// Replace document `id`'s history rows by `changes` (its whole
    /// history, in causal order, as read from its chunks up to `upto_seq`)
    /// and take it off the backlog, in one transaction. Returns false, and
    /// changes nothing, when chunks after `upto_seq` were stored meanwhile
    /// (by another process): read them too and try again.
    pub fn replace_history(
        &mut self,
        id: DocId,
        changes: &[ChangeSummary],
        upto_seq: i64,
    ) -> Result<bool, StoreError> {
        let done = self.write(|tx| {
            let Some(doc) = doc_key(tx, id)? else {
                return Ok(None);
            };
            let last: i64 = tx
                .prepare_cached("SELECT COALESCE(max(seq), 0) FROM chunks WHERE doc = ?1")?
                .query_row([doc], |row| row.get(0))?;
            if last > upto_seq {
                return Ok(Some(false));
            }
            tx.prepare_cached("DELETE FROM changes WHERE doc = ?1")?
                .execute([doc])?;
            tx.prepare_cached("DELETE FROM sessions WHERE doc = ?1")?
                .execute([doc])?;
            tx.prepare_cached("DELETE FROM history_backlog WHERE doc = ?1")?
                .execute([doc])?;
            record(tx, doc, changes, false)?;
            Ok(Some(true))
        })?;
        done.ok_or_else(|| StoreError::UnknownDoc {
            path: self.name.clone(),
            id,
        })
    }

    /// Document `id`'s edit sessions, oldest first (by start, then author):
    /// session number `n` is the `n - 1`th. Empty for an unknown document.
    pub fn sessions(&self, id: DocId) -> Result<Vec<Session>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT a.member, a.key, s.started, s.ended, s.change_count, s.inserted, s.deleted
                 FROM sessions s JOIN authors a ON a.author = s.author JOIN docs d ON d.doc = s.doc
                 WHERE d.id = ?1
                 ORDER BY s.started, a.member DESC, a.key",
            )
            .and_then(|mut stmt| {
                stmt.query_map([id.as_bytes()], |row| {
                    Ok(Session {
                        author: read_author(row, 0)?,
                        start: row.get(2)?,
                        end: row.get(3)?,
                        changes: to_u64(row.get(4)?),
                        inserted: to_u64(row.get(5)?),
                        deleted: to_u64(row.get(6)?),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Document `id`'s changes by time (one actor's changes of the same
    /// time in the order it made them).
    pub fn changes(&self, id: DocId) -> Result<Vec<ChangeSummary>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {CHANGE_COLUMNS}
                 FROM changes c JOIN authors a ON a.author = c.author
                 WHERE c.doc = (SELECT doc FROM docs WHERE id = ?1)
                 ORDER BY {CHANGE_ORDER}"
            ))
            .and_then(|mut stmt| stmt.query_map([id.as_bytes()], read_change)?.collect())
            .map_err(|e| self.err(e))
    }

    /// The changes of session `session` of document `id`, by time.
    pub fn session_changes(
        &self,
        id: DocId,
        session: &Session,
    ) -> Result<Vec<ChangeSummary>, StoreError> {
        let (member, key): (bool, &[u8]) = match &session.author {
            ChangeAuthor::Member(m) => (true, m.as_bytes()),
            ChangeAuthor::Actor(a) => (false, a),
        };
        self.conn
            .prepare_cached(&format!(
                "SELECT {CHANGE_COLUMNS}
                 FROM changes c JOIN authors a ON a.author = c.author
                 WHERE c.doc = (SELECT doc FROM docs WHERE id = ?1)
                   AND a.member = ?2 AND a.key = ?3 AND c.time BETWEEN ?4 AND ?5
                 ORDER BY {CHANGE_ORDER}"
            ))
            .and_then(|mut stmt| {
                stmt.query_map(
                    params![id.as_bytes(), member, key, session.start, session.end],
                    read_change,
                )?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Document `id`'s changes whose hash starts with the hex digits
    /// `prefix` (any case), at most `limit` of them; empty when `prefix` is
    /// not hex.
    pub fn changes_by_prefix(
        &self,
        id: DocId,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<ChangeSummary>, StoreError> {
        let Some((low, high)) = prefix_range(prefix) else {
            return Ok(Vec::new());
        };
        // An odd number of digits leaves the last byte's low half free:
        // `low` is the smallest hash with the prefix; anything below `high`
        // has it too.
        self.conn
            .prepare_cached(&format!(
                "SELECT {CHANGE_COLUMNS}
                 FROM changes c JOIN authors a ON a.author = c.author
                 WHERE c.doc = (SELECT doc FROM docs WHERE id = ?1)
                   AND c.hash >= ?2 AND (?3 IS NULL OR c.hash < ?3)
                 ORDER BY c.hash LIMIT ?4"
            ))
            .and_then(|mut stmt| {
                stmt.query_map(
                    params![id.as_bytes(), low, high, to_i64(limit)],
                    read_change,
                )?
                .collect()
            })
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_prefixes_become_byte_ranges() {
        let check = |prefix: &str, expected: Option<(&str, Option<&str>)>| {
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            let got = prefix_range(prefix).map(|(l, h)| (hex(&l), h.map(|h| hex(&h))));
            let expected = expected.map(|(l, h)| (l.to_owned(), h.map(str::to_owned)));
            assert_eq!(got, expected, "{prefix}");
        };
        check("ab12", Some(("ab12", Some("ab13"))));
        check("AB1", Some(("ab10", Some("ab20"))));
        check("abff", Some(("abff", Some("ac00"))));
        check("ffff", Some(("ffff", None)));
        check("0", Some(("00", Some("10"))));
        check("", None);
        check("xyz", None);
    }
}
