//! The community layer's documents (the garden manifest and the members'
//! journals, see `loam_core::community`): each stored as one full
//! Automerge save with its JSON form beside it, so that every listing of
//! threads, kudos or the index reads rows and loads no document. Their
//! signature batches travel with their changes like those of notes.
//!
//! Also the facts the dashboard and the member directory are computed from:
//! who made which edit sessions on which document, who created each
//! document, and which document links to which.

use std::collections::{BTreeMap, HashMap, HashSet};

use loam_core::{ChangeHash, DocId, DocKind, MemberId, SignedChanges};
use rusqlite::{OptionalExtension, params};

use crate::docs::read_id;
use crate::{Store, StoreError};

/// A community document to write.
#[derive(Debug, Clone, Copy)]
pub struct CommunityWrite<'a> {
    /// Its id.
    pub id: DocId,
    /// `manifest` or `journal`.
    pub kind: &'a str,
    /// A journal's owner.
    pub owner: Option<MemberId>,
    /// Its heads after this write.
    pub heads: &'a [ChangeHash],
    /// The whole document, saved.
    pub bytes: &'a [u8],
    /// Its JSON form.
    pub state: &'a str,
    /// Signature batches over its new changes.
    pub signatures: &'a [SignedChanges],
    /// When (ms).
    pub time: i64,
}

/// A stored community document, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityRow {
    /// Its id.
    pub id: DocId,
    /// `manifest` or `journal`.
    pub kind: String,
    /// A journal's owner.
    pub owner: Option<MemberId>,
    /// Its JSON form.
    pub state: String,
}

/// One edit session on a note or page, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFact {
    /// The document.
    pub doc: DocId,
    /// Note or page.
    pub kind: DocKind,
    /// The member (by signature, or by actor id).
    pub member: MemberId,
    /// When it started (ms).
    pub started: i64,
    /// Characters it inserted.
    pub inserted: u64,
}

/// A note or page with its creator, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFact {
    /// The document.
    pub doc: DocId,
    /// Note or page.
    pub kind: DocKind,
    /// Its title.
    pub title: String,
    /// Whether archived.
    pub archived: bool,
    /// The author of its first change, if a member.
    pub creator: Option<MemberId>,
    /// When that change was made.
    pub created: i64,
    /// Its tags.
    pub tags: Vec<String>,
}

fn heads_text(heads: &[ChangeHash]) -> String {
    heads
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_heads(text: &str) -> Vec<ChangeHash> {
    text.split_whitespace()
        .filter_map(|h| h.parse().ok())
        .collect()
}

impl Store {
    /// Write community document `w` (replacing its bytes and state) with
    /// its signatures, in one transaction.
    pub fn write_community_doc(&mut self, w: &CommunityWrite<'_>) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO community_docs (id, kind, owner, heads, bytes, state, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET heads = excluded.heads, bytes = excluded.bytes,
                     state = excluded.state, updated = excluded.updated",
            )?
            .execute(params![
                w.id.as_bytes().as_slice(),
                w.kind,
                w.owner.map(|m| m.as_bytes().to_vec()),
                heads_text(w.heads),
                w.bytes,
                w.state,
                w.time
            ])?;
            for batch in w.signatures {
                let mut known = tx.prepare_cached(
                    "SELECT 1 FROM community_signed WHERE doc = ?1 AND hash = ?2",
                )?;
                let mut new = Vec::new();
                for hash in batch.changes() {
                    if known
                        .query_row(
                            params![w.id.as_bytes().as_slice(), hash.0.as_slice()],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_none()
                    {
                        new.push(*hash);
                    }
                }
                if new.is_empty() {
                    continue;
                }
                tx.prepare_cached(
                    "INSERT INTO community_signatures (doc, signer, bytes) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![
                    w.id.as_bytes().as_slice(),
                    batch.signer().as_bytes().as_slice(),
                    batch.encode()
                ])?;
                let batch_id = tx.last_insert_rowid();
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO community_signed (doc, hash, batch) VALUES (?1, ?2, ?3)",
                )?;
                for hash in new {
                    insert.execute(params![
                        w.id.as_bytes().as_slice(),
                        hash.0.as_slice(),
                        batch_id
                    ])?;
                }
            }
            Ok(())
        })
    }

    /// The saved bytes of community document `id`, if stored.
    pub fn community_doc_bytes(&self, id: DocId) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .prepare_cached("SELECT bytes FROM community_docs WHERE id = ?1")
            .and_then(|mut s| s.query_row([id.as_bytes()], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// Every stored community document (no bytes), by id.
    pub fn community_docs(&self) -> Result<Vec<CommunityRow>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, kind, owner, state FROM community_docs ORDER BY id")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let owner: Option<Vec<u8>> = r.get(2)?;
                    Ok(CommunityRow {
                        id: read_id(r, 0)?,
                        kind: r.get(1)?,
                        owner: owner.and_then(|o| MemberId::from_slice(&o)),
                        state: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every community document's heads, by id.
    pub fn community_heads(&self) -> Result<Vec<(DocId, Vec<ChangeHash>)>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, heads FROM community_docs ORDER BY id")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((read_id(r, 0)?, read_heads(r.get_ref(1)?.as_str()?)))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The stored batches covering `changes` of community document `id`.
    pub fn community_signatures_for(
        &self,
        id: DocId,
        changes: &[ChangeHash],
    ) -> Result<Vec<SignedChanges>, StoreError> {
        let run = || -> rusqlite::Result<Vec<SignedChanges>> {
            let mut find = self.conn.prepare_cached(
                "SELECT batch FROM community_signed WHERE doc = ?1 AND hash = ?2",
            )?;
            let mut batches: BTreeMap<i64, ()> = BTreeMap::new();
            for hash in changes {
                if let Some(b) = find
                    .query_row(params![id.as_bytes().as_slice(), hash.0.as_slice()], |r| {
                        r.get::<_, i64>(0)
                    })
                    .optional()?
                {
                    batches.insert(b, ());
                }
            }
            let mut read = self
                .conn
                .prepare_cached("SELECT bytes FROM community_signatures WHERE batch = ?1")?;
            let mut out = Vec::new();
            for b in batches.into_keys() {
                let bytes: Vec<u8> = read.query_row([b], |r| r.get(0))?;
                if let Ok(batch) = SignedChanges::decode(&bytes) {
                    out.push(batch);
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Every edit session by a member on a note or page, oldest first.
    pub fn session_facts(&self) -> Result<Vec<SessionFact>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT d.id, d.kind, a.key, s.started, s.inserted FROM sessions s
                 JOIN docs d ON d.doc = s.doc JOIN authors a ON a.author = s.author
                 WHERE a.member = 1 ORDER BY s.started, d.id",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let key: Vec<u8> = r.get(2)?;
                    let kind: String = r.get(1)?;
                    Ok((read_id(r, 0)?, kind, key, r.get(3)?, r.get::<_, i64>(4)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map(|rows| {
                rows.into_iter()
                    .filter_map(|(doc, kind, key, started, inserted)| {
                        Some(SessionFact {
                            doc,
                            kind: DocKind::parse(&kind)?,
                            member: MemberId::from_slice(&key)?,
                            started,
                            inserted: u64::try_from(inserted).unwrap_or(0),
                        })
                    })
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every note and page with its creator (the member who made its
    /// earliest change) and tags, by id.
    pub fn doc_facts(&self) -> Result<Vec<DocFact>, StoreError> {
        let run = || -> rusqlite::Result<Vec<DocFact>> {
            let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
            let mut stmt = self
                .conn
                .prepare_cached("SELECT doc, tag FROM tags ORDER BY doc, tag")?;
            for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
                let (doc, tag) = row?;
                tags.entry(doc).or_default().push(tag);
            }
            let mut stmt = self.conn.prepare_cached(
                "SELECT d.doc, d.id, d.kind, d.title, d.archived, d.created,
                        (SELECT a.key FROM sessions s JOIN authors a ON a.author = s.author
                          WHERE s.doc = d.doc AND a.member = 1 ORDER BY s.started LIMIT 1),
                        (SELECT min(s.started) FROM sessions s JOIN authors a ON a.author = s.author
                          WHERE s.doc = d.doc AND a.member = 1)
                 FROM docs d ORDER BY d.id",
            )?;
            let rows = stmt.query_map([], |r| {
                let key: Option<Vec<u8>> = r.get(6)?;
                let kind: String = r.get(2)?;
                let first: Option<i64> = r.get(7)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    read_id(r, 1)?,
                    kind,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                    first.unwrap_or(r.get::<_, i64>(5)?),
                    key,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (key, doc, kind, title, archived, created, creator) = row?;
                let Some(kind) = DocKind::parse(&kind) else {
                    continue;
                };
                out.push(DocFact {
                    doc,
                    kind,
                    title,
                    archived,
                    creator: creator.and_then(|c| MemberId::from_slice(&c)),
                    created,
                    tags: tags.remove(&key).unwrap_or_default(),
                });
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Every link between two documents that the index resolves (each
    /// pair once), from documents that are not archived.
    pub fn link_pairs(&self) -> Result<Vec<(DocId, DocId)>, StoreError> {
        let run = || -> rusqlite::Result<Vec<(DocId, DocId)>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT DISTINCT d.id, l.target_norm FROM links l JOIN docs d ON d.doc = l.doc
                 WHERE d.archived = 0 AND l.target_norm != '' ORDER BY d.id, l.target_norm",
            )?;
            let rows: Vec<(DocId, String)> = stmt
                .query_map([], |r| Ok((read_id(r, 0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let resolved = crate::index::resolve_linked(&self.conn)?;
            let mut out = Vec::new();
            // Two targets (a title and an alias) may name one document: keep
            // the pair once, in order (a set, not a scan of `out`: gardens
            // have tens of thousands of links).
            let mut seen = HashSet::new();
            for (from, target) in rows {
                if let Some(to) = resolved.get(&target).copied()
                    && seen.insert((from, to))
                {
                    out.push((from, to));
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }
}
