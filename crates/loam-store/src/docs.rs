//! Documents: their Automerge chunks, the materialised rows written with
//! them, compaction, and lists.
//!
//! A document's bytes are a sequence of chunks in `seq` order: usually one
//! full save followed by the incremental saves appended since. Loading them
//! in order gives the document. [`Store::compact_doc`] replaces a prefix of
//! the sequence by one full save.

use loam_core::{ChangeHash, ChangeSummary, DocId, DocKind, DocSnapshot, SignedChanges};
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde::Serialize;

use crate::index::{self, Derived, to_i64};
use crate::{ImportBase, Store, StoreError, search};

/// A note or page as lists show it: the materialised fields, without the
/// body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocRow {
    /// The document.
    pub id: DocId,
    /// Note or page.
    pub kind: DocKind,
    /// The title.
    pub title: String,
    /// Folder path, `""` for the root.
    pub folder: String,
    /// The file it was imported from, relative to the imported folder
    /// (`"a/b/Note.md"`); `""` when created in Loam.
    pub path: String,
    /// Hidden from lists, search and link resolution.
    pub archived: bool,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    /// Milliseconds since the Unix epoch.
    pub updated: i64,
    /// Normalised tags from the document, its frontmatter and its text,
    /// sorted.
    pub tags: Vec<String>,
    /// Frontmatter aliases as written.
    pub aliases: Vec<String>,
    /// Length of the body in code points.
    pub chars: u64,
    /// The Automerge heads the row was written at, as hex.
    pub heads: Vec<String>,
}

/// How a document's bytes are stored, after a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChunkStats {
    /// How many chunks the document has (compaction makes this 1).
    pub chunks: u64,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The sequence number of the last chunk (0 when there is none).
    pub last_seq: i64,
}

/// One piece of a document's Automerge bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Position in the document's sequence of chunks.
    pub seq: i64,
    /// A full save or an incremental save.
    pub bytes: Vec<u8>,
}

/// One document to write with [`Store::write_docs`].
#[derive(Debug, Clone, Copy)]
pub struct DocWrite<'a> {
    /// The document.
    pub id: DocId,
    /// Its fields after the change.
    pub snapshot: &'a DocSnapshot,
    /// The change's bytes (empty: only the row and index are rewritten).
    pub chunk: &'a [u8],
    /// Set when an import wrote this change: the version whose text is the
    /// file's and the hash of the file's bytes, remembered as the
    /// document's import base (see [`Store::imported_docs`]).
    pub imported: Option<&'a ImportBase>,
    /// One summary per change in `chunk`, for the history index. A chunk
    /// written without them leaves the document's history to be rebuilt
    /// from the document later (see [`Store::history_complete`]).
    pub changes: &'a [ChangeSummary],
    /// Signatures over changes in `chunk` (or stored before), kept with
    /// them (see [`Store::signatures_for`]). History attributes a signed
    /// change to its signer.
    pub signatures: &'a [SignedChanges],
}

/// Which documents a list shows, by their archived flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum ArchivedFilter {
    /// Only documents that are not archived.
    #[default]
    Exclude,
    /// Only archived documents.
    Only,
    /// Both.
    Include,
}

/// The order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum Sort {
    /// By normalised title.
    Title,
    /// By last change.
    #[default]
    Updated,
    /// By creation.
    Created,
}

/// Which documents to list, in which order. The default lists every
/// document that is not archived, least recently updated first (set
/// `descending` for the most recent first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    /// Only notes or only pages.
    pub kind: Option<DocKind>,
    /// Only documents with this tag or a tag nested under it (`a` matches
    /// `a` and `a/b`). Normalised before use.
    pub tag: Option<String>,
    /// Only documents in this folder or a folder under it (`""` is the root
    /// and matches all).
    pub folder: Option<String>,
    /// Archived documents: left out (default), only, or included.
    pub archived: ArchivedFilter,
    /// The order.
    pub sort: Sort,
    /// Reverse the order.
    pub descending: bool,
    /// At most this many.
    pub limit: Option<usize>,
    /// Skip this many first.
    pub offset: usize,
}

impl DocRow {
    /// How many columns [`DOC_COLUMNS`] has.
    pub(crate) const COLUMNS: usize = 12;
}

/// The columns [`read_doc_row`] reads, from `docs` aliased as `d`.
pub(crate) const DOC_COLUMNS: &str = "d.id, d.kind, d.title, d.folder, d.archived, d.created, d.updated, d.tags, d.aliases, d.chars, d.heads, d.path";

/// The [`DocRow`] in [`DOC_COLUMNS`] starting at column `at`.
pub(crate) fn read_doc_row(row: &Row<'_>, at: usize) -> rusqlite::Result<DocRow> {
    Ok(DocRow {
        id: read_id(row, at)?,
        kind: read_kind(row, at + 1)?,
        title: row.get(at + 2)?,
        folder: row.get(at + 3)?,
        archived: row.get(at + 4)?,
        created: row.get(at + 5)?,
        updated: row.get(at + 6)?,
        tags: read_list(row, at + 7)?,
        aliases: read_list(row, at + 8)?,
        chars: u64::try_from(row.get::<_, i64>(at + 9)?).unwrap_or(0),
        heads: row
            .get::<_, String>(at + 10)?
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        path: row.get(at + 11)?,
    })
}

fn conversion_error(at: usize, ty: Type, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(at, ty, message.into())
}

/// A [`DocId`] stored as 16 bytes.
pub(crate) fn read_id(row: &Row<'_>, at: usize) -> rusqlite::Result<DocId> {
    let bytes = row.get_ref(at)?.as_blob()?;
    DocId::from_slice(bytes).ok_or_else(|| {
        conversion_error(
            at,
            Type::Blob,
            format!("{} bytes are not a document id", bytes.len()),
        )
    })
}

/// A [`DocKind`] stored by name.
pub(crate) fn read_kind(row: &Row<'_>, at: usize) -> rusqlite::Result<DocKind> {
    let name = row.get_ref(at)?.as_str()?;
    DocKind::parse(name)
        .ok_or_else(|| conversion_error(at, Type::Text, format!("`{name}` is not a document kind")))
}

/// A list of strings stored as a JSON array.
pub(crate) fn read_list(row: &Row<'_>, at: usize) -> rusqlite::Result<Vec<String>> {
    let json = row.get_ref(at)?.as_str()?;
    serde_json::from_str(json)
        .map_err(|e| conversion_error(at, Type::Text, format!("not a list of strings: {e}")))
}

fn to_json(list: &[String]) -> rusqlite::Result<String> {
    serde_json::to_string(list).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The row key of document `id`.
pub(crate) fn doc_key(conn: &Connection, id: DocId) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT doc FROM docs WHERE id = ?1")?
        .query_row([id.as_bytes()], |row| row.get(0))
        .optional()
}

/// What a write needs to know about the document's current row.
struct Existing {
    doc: i64,
    /// Title, folder and path: what the link keys are made of.
    names: (String, String, String),
    tags: String,
    aliases: String,
    chunks: i64,
    bytes: i64,
}

/// Write one document: append its chunk, upsert its row and text, and
/// re-derive its index rows. Runs inside the caller's transaction.
fn write_one(tx: &Connection, write: &DocWrite<'_>) -> rusqlite::Result<ChunkStats> {
    let snap = write.snapshot;
    let derived = Derived::of(snap);
    let tags = to_json(&derived.tags)?;
    let aliases = to_json(&derived.alias_list())?;
    let heads = snap
        .heads
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let chars = to_i64(snap.body.chars().count());
    let existing = tx
        .prepare_cached(
            "SELECT doc, tags, aliases, chunk_count, chunk_bytes, title, folder, path FROM docs WHERE id = ?1",
        )?
        .query_row([write.id.as_bytes()], |row| {
            Ok(Existing {
                doc: row.get(0)?,
                tags: row.get(1)?,
                aliases: row.get(2)?,
                chunks: row.get(3)?,
                bytes: row.get(4)?,
                names: (row.get(5)?, row.get(6)?, row.get(7)?),
            })
        })
        .optional()?;
    let appended = !write.chunk.is_empty();
    let (mut chunks, mut bytes) = existing.as_ref().map_or((0, 0), |e| (e.chunks, e.bytes));
    if appended {
        chunks += 1;
        bytes += to_i64(write.chunk.len());
    }
    let values = params![
        snap.kind.as_str(),
        snap.title,
        derived.title_norm,
        snap.folder,
        snap.archived,
        snap.created,
        snap.updated,
        chars,
        heads,
        tags,
        aliases,
        chunks,
        bytes,
        snap.path,
    ];
    let doc = match &existing {
        Some(old) => {
            let mut stmt = tx.prepare_cached(
                "UPDATE docs SET kind = ?1, title = ?2, title_norm = ?3, folder = ?4, archived = ?5, created = ?6,
                     updated = ?7, chars = ?8, heads = ?9, tags = ?10, aliases = ?11, chunk_count = ?12,
                     chunk_bytes = ?13, path = ?14
                 WHERE doc = ?15",
            )?;
            let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            all.push(&old.doc);
            stmt.execute(all.as_slice())?;
            old.doc
        }
        None => {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO docs (kind, title, title_norm, folder, archived, created, updated, chars, heads, tags,
                     aliases, chunk_count, chunk_bytes, path, id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let id = write.id.as_bytes().as_slice();
            let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            all.push(&id);
            stmt.execute(all.as_slice())?;
            tx.last_insert_rowid()
        }
    };
    let mut last_seq: i64 = tx
        .prepare_cached("SELECT COALESCE(max(seq), 0) FROM chunks WHERE doc = ?1")?
        .query_row([doc], |row| row.get(0))?;
    if appended {
        last_seq += 1;
        tx.prepare_cached("INSERT INTO chunks (doc, seq, bytes) VALUES (?1, ?2, ?3)")?
            .execute(params![doc, last_seq, write.chunk])?;
    }
    search::index_text(tx, doc, &snap.title, &snap.body, existing.is_some())?;
    let old = existing
        .as_ref()
        .map(|e| (e.tags.as_str(), e.aliases.as_str()));
    let keys_changed = existing.as_ref().is_none_or(|e| {
        let (title, folder, path) = &e.names;
        (title, folder, path) != (&snap.title, &snap.folder, &snap.path)
    });
    index::write_index(tx, doc, &derived, (&tags, &aliases), old, keys_changed)?;
    crate::signatures::record(tx, doc, write.signatures)?;
    crate::history::record(tx, doc, write.changes, appended)?;
    if let Some(base) = write.imported {
        tx.prepare_cached(
            "INSERT INTO imports (doc, heads, hash) VALUES (?1, ?2, ?3)
             ON CONFLICT (doc) DO UPDATE SET heads = excluded.heads, hash = excluded.hash",
        )?
        .execute(params![
            doc,
            base.heads.join(" "),
            base.hash.as_bytes().as_slice()
        ])?;
    }
    let stats = ChunkStats {
        chunks: u64::try_from(chunks).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
        last_seq,
    };
    Ok(stats)
}

/// The `WHERE` clause (without the keyword) selecting what `query` asks
/// for from `docs d`, pushing its parameters onto `params`.
fn list_filter(query: &ListQuery, params: &mut Vec<Value>) -> String {
    let mut clauses: Vec<String> = Vec::new();
    match query.archived {
        ArchivedFilter::Exclude => clauses.push("d.archived = 0".into()),
        ArchivedFilter::Only => clauses.push("d.archived = 1".into()),
        ArchivedFilter::Include => {}
    }
    if let Some(kind) = query.kind {
        params.push(Value::Text(kind.as_str().into()));
        clauses.push(format!("d.kind = ?{}", params.len()));
    }
    if let Some(tag) = &query.tag {
        clauses.push(tag_filter(&loam_core::normalise_tag(tag), params));
    }
    if let Some(folder) = &query.folder {
        let folder = folder.trim_matches('/');
        if !folder.is_empty() {
            params.push(Value::Text(folder.into()));
            let n = params.len();
            params.push(Value::Text(format!("{folder}/")));
            params.push(Value::Text(format!("{folder}0")));
            clauses.push(format!(
                "(d.folder = ?{n} OR (d.folder >= ?{} AND d.folder < ?{}))",
                n + 1,
                n + 2
            ));
        }
    }
    if clauses.is_empty() {
        "1".into()
    } else {
        clauses.join(" AND ")
    }
}

/// A clause true for documents `d` with the normalised `tag` or a tag nested
/// under it. `'0'` is the character after `'/'`, so `a/` ≤ `a/…` < `a0`.
pub(crate) fn tag_filter(tag: &str, params: &mut Vec<Value>) -> String {
    if tag.is_empty() {
        return "0".into();
    }
    params.push(Value::Text(tag.into()));
    let n = params.len();
    params.push(Value::Text(format!("{tag}/")));
    params.push(Value::Text(format!("{tag}0")));
    format!(
        "d.doc IN (SELECT doc FROM tags WHERE tag = ?{n} UNION ALL SELECT doc FROM tags WHERE tag >= ?{} AND tag < ?{})",
        n + 1,
        n + 2
    )
}

fn sort_clause(query: &ListQuery) -> String {
    let dir = if query.descending { "DESC" } else { "ASC" };
    let key = match query.sort {
        Sort::Title => "d.title_norm",
        Sort::Updated => "d.updated",
        Sort::Created => "d.created",
    };
    format!("{key} {dir}, d.doc {dir}")
}

impl Store {
    /// Append `chunk` (a full or incremental Automerge save; empty appends
    /// nothing) to document `id` and, in the same transaction, write its
    /// materialised row and text and re-derive its links, tags, aliases and
    /// full-text entry from `snapshot`. Returns the document's chunk
    /// statistics after the write.
    pub fn write_doc(
        &mut self,
        id: DocId,
        snapshot: &DocSnapshot,
        chunk: &[u8],
    ) -> Result<ChunkStats, StoreError> {
        let mut stats = self.write_docs(&[DocWrite {
            id,
            snapshot,
            chunk,
            imported: None,
            changes: &[],
            signatures: &[],
        }])?;
        stats
            .pop()
            .ok_or_else(|| self.err(rusqlite::Error::QueryReturnedNoRows))
    }

    /// [`Store::write_doc`] for several documents in one transaction: all
    /// are written or, on error, none.
    pub fn write_docs(&mut self, docs: &[DocWrite<'_>]) -> Result<Vec<ChunkStats>, StoreError> {
        self.write(|tx| docs.iter().map(|write| write_one(tx, write)).collect())
    }

    /// [`Store::write_docs`], but only if no other connection appended a
    /// chunk to any of the documents since their snapshots were made:
    /// `seen[i]` is the last chunk sequence number `docs[i]`'s snapshot
    /// includes (0: none). Checked inside the write transaction, so another
    /// process cannot slip a chunk in between. `None` (nothing written) when
    /// one moved on: merge its new chunks and try again, else the stored
    /// text and index would miss the other process's changes.
    pub fn write_docs_after(
        &mut self,
        docs: &[DocWrite<'_>],
        seen: &[i64],
    ) -> Result<Option<Vec<ChunkStats>>, StoreError> {
        self.write(|tx| {
            for (write, &seen) in docs.iter().zip(seen) {
                let newest: i64 = tx
                    .prepare_cached(
                        "SELECT COALESCE(max(c.seq), 0) FROM chunks c JOIN docs d ON d.doc = c.doc
                         WHERE d.id = ?1",
                    )?
                    .query_row([write.id.as_bytes()], |row| row.get(0))?;
                if newest != seen {
                    return Ok(None);
                }
            }
            docs.iter()
                .map(|write| write_one(tx, write))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(Some)
        })
    }

    /// Replace every chunk of document `id` by `save` (what `loam check
    /// --repair` salvaged from them) and rewrite its row, text and index
    /// from `snapshot`, in one transaction. The save keeps the last sequence
    /// number, so other processes see no chunk appended.
    pub fn replace_chunks(
        &mut self,
        id: DocId,
        save: &[u8],
        snapshot: &DocSnapshot,
    ) -> Result<(), StoreError> {
        if save.is_empty() {
            return Err(StoreError::EmptySave {
                path: self.name.clone(),
                id,
            });
        }
        self.write(|tx| {
            let Some(doc) = doc_key(tx, id)? else {
                return Err(rusqlite::Error::QueryReturnedNoRows);
            };
            let last: i64 = tx
                .prepare_cached("SELECT COALESCE(max(seq), 1) FROM chunks WHERE doc = ?1")?
                .query_row([doc], |row| row.get(0))?;
            tx.prepare_cached("DELETE FROM chunks WHERE doc = ?1")?
                .execute([doc])?;
            tx.prepare_cached("INSERT INTO chunks (doc, seq, bytes) VALUES (?1, ?2, ?3)")?
                .execute(params![doc, last, save])?;
            let write = DocWrite {
                id,
                snapshot,
                chunk: &[],
                imported: None,
                changes: &[],
                signatures: &[],
            };
            write_one(tx, &write)?;
            tx.prepare_cached(
                "UPDATE docs SET (chunk_count, chunk_bytes) =
                     (SELECT count(*), COALESCE(sum(length(bytes)), 0) FROM chunks WHERE doc = ?1)
                 WHERE doc = ?1",
            )?
            .execute([doc])?;
            Ok(())
        })
    }

    /// Replace document `id`'s chunks with `seq <= upto_seq` by `full_save`
    /// (stored at `upto_seq`). Chunks appended after them stay, after it.
    pub fn compact_doc(
        &mut self,
        id: DocId,
        full_save: &[u8],
        upto_seq: i64,
    ) -> Result<(), StoreError> {
        if full_save.is_empty() {
            return Err(StoreError::EmptySave {
                path: self.name.clone(),
                id,
            });
        }
        let found = self.write(|tx| {
            let Some(doc) = doc_key(tx, id)? else {
                return Ok(false);
            };
            tx.prepare_cached("DELETE FROM chunks WHERE doc = ?1 AND seq <= ?2")?
                .execute(params![doc, upto_seq])?;
            tx.prepare_cached("INSERT INTO chunks (doc, seq, bytes) VALUES (?1, ?2, ?3)")?
                .execute(params![doc, upto_seq, full_save])?;
            tx.prepare_cached(
                "UPDATE docs SET (chunk_count, chunk_bytes) =
                     (SELECT count(*), COALESCE(sum(length(bytes)), 0) FROM chunks WHERE doc = ?1)
                 WHERE doc = ?1",
            )?
            .execute([doc])?;
            Ok(true)
        })?;
        if found {
            Ok(())
        } else {
            Err(StoreError::UnknownDoc {
                path: self.name.clone(),
                id,
            })
        }
    }

    /// Document `id`'s chunks in order; empty if the document is unknown.
    pub fn load_chunks(&self, id: DocId) -> Result<Vec<Chunk>, StoreError> {
        self.conn
            .prepare_cached("SELECT c.seq, c.bytes FROM chunks c JOIN docs d ON d.doc = c.doc WHERE d.id = ?1 ORDER BY c.seq")
            .and_then(|mut stmt| {
                stmt.query_map([id.as_bytes()], |row| Ok(Chunk { seq: row.get(0)?, bytes: row.get(1)? }))?.collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Document `id`'s chunk statistics, `None` if unknown.
    pub fn chunk_stats(&self, id: DocId) -> Result<Option<ChunkStats>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT d.chunk_count, d.chunk_bytes, (SELECT COALESCE(max(seq), 0) FROM chunks c WHERE c.doc = d.doc)
                 FROM docs d WHERE d.id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([id.as_bytes()], |row| {
                    Ok(ChunkStats {
                        chunks: u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                        bytes: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                        last_seq: row.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Documents with at least `min_chunks` chunks, most chunks first.
    pub fn compaction_candidates(&self, min_chunks: usize) -> Result<Vec<DocId>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id FROM docs WHERE chunk_count >= ?1 ORDER BY chunk_count DESC, doc",
            )
            .and_then(|mut stmt| {
                stmt.query_map([to_i64(min_chunks)], |row| read_id(row, 0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    pub(crate) fn doc_row(&self, id: DocId) -> rusqlite::Result<Option<DocRow>> {
        self.conn
            .prepare_cached(&format!("SELECT {DOC_COLUMNS} FROM docs d WHERE d.id = ?1"))?
            .query_row([id.as_bytes()], |row| read_doc_row(row, 0))
            .optional()
    }

    /// Document `id`'s row, `None` if unknown.
    pub fn doc(&self, id: DocId) -> Result<Option<DocRow>, StoreError> {
        self.doc_row(id).map_err(|e| self.err(e))
    }

    /// Document `id`'s materialised body (no Automerge involved), `None` if
    /// unknown.
    pub fn text(&self, id: DocId) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT t.body FROM texts t JOIN docs d ON d.doc = t.doc WHERE d.id = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([id.as_bytes()], |row| row.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// The documents `query` selects, in its order, a page of them.
    /// Reads no body.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<DocRow>, StoreError> {
        let mut params = Vec::new();
        let filter = list_filter(query, &mut params);
        params.push(Value::Integer(query.limit.map_or(-1, to_i64)));
        params.push(Value::Integer(to_i64(query.offset)));
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM docs d WHERE {filter} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            sort_clause(query),
            params.len() - 1,
            params.len()
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(params_from_iter(params), |row| read_doc_row(row, 0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// How many documents `query` selects, ignoring its limit and offset.
    pub fn count(&self, query: &ListQuery) -> Result<u64, StoreError> {
        let mut params = Vec::new();
        let filter = list_filter(query, &mut params);
        let sql = format!("SELECT count(*) FROM docs d WHERE {filter}");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_row(params_from_iter(params), |row| row.get::<_, i64>(0))
            })
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(e))
    }

    /// Every document's heads as stored with its row, by document id (the
    /// bytes' order): what sync compares with a peer's. Loads no document.
    pub fn doc_heads(&self) -> Result<Vec<(DocId, Vec<ChangeHash>)>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, heads FROM docs ORDER BY id")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    let id = read_id(row, 0)?;
                    let heads = row
                        .get_ref(1)?
                        .as_str()?
                        .split_whitespace()
                        .map(|h| {
                            h.parse::<ChangeHash>().map_err(|_| {
                                conversion_error(
                                    1,
                                    Type::Text,
                                    format!("`{h}` is not a change hash"),
                                )
                            })
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok((id, heads))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every document's id, in the order they were first written.
    pub fn all_doc_ids(&self) -> Result<Vec<DocId>, StoreError> {
        self.conn
            .prepare_cached("SELECT id FROM docs ORDER BY doc")
            .and_then(|mut stmt| stmt.query_map([], |row| read_id(row, 0))?.collect())
            .map_err(|e| self.err(e))
    }
}
