//! The link, tag and alias index: derived from each document's markdown when
//! it is written, read to resolve titles, list backlinks and broken links,
//! and count tags.
//!
//! A link resolves by its normalised target to a document that is not
//! archived and whose normalised title or alias equals it: pages before
//! notes, a title before an alias, then the most recently updated. Only when
//! no title or alias matches does the target name a file path (the way
//! Obsidian links into folders): `[[API/space]]` or `[[space.md]]` resolves
//! to a document whose path ends so ([`loam_core::vault::path_keys`]), pages
//! first, then the one nearest the root. An empty target (`[[#Heading]]`)
//! points into its own document. A target that names no document may name
//! an attachment (`![[pic.png]]`, `![[img/pic.png]]`): see
//! [`Store::find_attachment`].

use std::collections::HashMap;

use loam_core::{DocId, DocKind, DocSnapshot, normalise_tag, normalise_title};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::docs::{DOC_COLUMNS, DocRow, doc_key, read_doc_row, read_id, read_kind, read_list};
use crate::{Store, StoreError};

/// A wikilink or embed as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRow {
    /// The linked title as written (`Title` in `[[Title#h|a]]`).
    pub target: String,
    /// `h` in `[[Title#h]]`.
    pub heading: Option<String>,
    /// `a` in `[[Title|a]]`.
    pub alias: Option<String>,
    /// `![[...]]`
    pub embed: bool,
    /// Byte offset of the link (brackets and `!` included) in the body.
    pub start: usize,
    /// Byte offset just past the link.
    pub end: usize,
}

/// A link and the document it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutLink {
    /// The link as written.
    pub link: LinkRow,
    /// The document it resolves to; `None` when no document that is not
    /// archived has that title, alias or path.
    pub resolved: Option<DocId>,
    /// When it names no document: the path of the attachment it names, if
    /// any (`![[pic.png]]`).
    pub attachment: Option<String>,
}

/// A document that links to another, with its links to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backlink {
    /// The linking document.
    pub source: DocRow,
    /// Its links to the document asked about, in document order.
    pub links: Vec<LinkRow>,
}

/// A link that resolves to nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The document with the link.
    pub source: DocRow,
    /// The link.
    pub link: LinkRow,
}

/// A tag and how many documents (not archived) carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagCount {
    /// The normalised tag (`area/topic` for a nested one).
    pub tag: String,
    /// Documents with exactly this tag.
    pub count: u64,
}

/// A title to suggest or complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TitleEntry {
    /// The document.
    pub id: DocId,
    /// Its title.
    pub title: String,
    /// Note or page.
    pub kind: DocKind,
    /// Whether it is archived.
    pub archived: bool,
    /// Its aliases as written.
    pub aliases: Vec<String>,
}

/// Everything the index holds for one document, for `loam check` to compare
/// with what the document itself says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexRows {
    /// The materialised row.
    pub row: DocRow,
    /// Outgoing links in document order.
    pub links: Vec<LinkRow>,
    /// Normalised tags, sorted.
    pub tags: Vec<String>,
    /// Aliases as written, sorted by their normalised form.
    pub aliases: Vec<String>,
}

/// What the index stores for a document, derived from its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived {
    /// The title's key.
    pub title_norm: String,
    /// Tags on the document, in the frontmatter and inline: normalised,
    /// sorted, without repeats or empty ones.
    pub tags: Vec<String>,
    /// Frontmatter aliases as `(key, as written)`, first of each key, in
    /// order.
    pub aliases: Vec<(String, String)>,
    /// Wikilinks and embeds in document order.
    pub links: Vec<LinkRow>,
    /// Other names links may use: the endings of its file path.
    pub keys: Vec<String>,
}

/// The link keys of a document (see [`loam_core::vault::path_keys`]): the
/// endings of the path it is exported to, without the bare title.
pub(crate) fn doc_keys(folder: &str, title: &str, path: &str) -> Vec<String> {
    let path = loam_core::vault::file_path(folder, title, path);
    let title_norm = normalise_title(title);
    loam_core::vault::path_keys(&path)
        .into_iter()
        .filter(|key| *key != title_norm)
        .collect()
}

impl Derived {
    /// Analyse `snapshot`'s markdown.
    pub(crate) fn of(snapshot: &DocSnapshot) -> Self {
        let analysis = loam_markdown::analyse(&snapshot.body);
        let (front_tags, front_aliases) = match &analysis.frontmatter {
            Some(front) => (front.tags.as_slice(), front.aliases.as_slice()),
            None => (&[][..], &[][..]),
        };
        let mut tags: Vec<String> = snapshot
            .tags
            .iter()
            .chain(front_tags)
            .chain(&analysis.tags)
            .map(|tag| normalise_tag(tag))
            .filter(|tag| !tag.is_empty())
            .collect();
        tags.sort();
        tags.dedup();
        let mut aliases: Vec<(String, String)> = Vec::new();
        for alias in front_aliases {
            let key = normalise_title(alias);
            if !key.is_empty() && !aliases.iter().any(|(k, _)| *k == key) {
                aliases.push((key, alias.trim().to_owned()));
            }
        }
        let links = analysis
            .links
            .into_iter()
            .map(|link| LinkRow {
                target: link.target,
                heading: link.heading,
                alias: link.alias,
                embed: link.embed,
                start: link.range.start,
                end: link.range.end,
            })
            .collect();
        Derived {
            title_norm: normalise_title(&snapshot.title),
            tags,
            aliases,
            links,
            keys: doc_keys(&snapshot.folder, &snapshot.title, &snapshot.path),
        }
    }

    /// The aliases as written.
    pub(crate) fn alias_list(&self) -> Vec<String> {
        self.aliases
            .iter()
            .map(|(_, alias)| alias.clone())
            .collect()
    }
}

/// Bring the link, tag, alias and key rows of `doc` to `new`. `old` holds
/// the tags and aliases the document had (as stored JSON, compared with the
/// new JSON), or `None` for a new document; `keys_changed` says whether its
/// folder, title or path changed (or it is new). Rows that did not change
/// are not touched.
pub(crate) fn write_index(
    tx: &Connection,
    doc: i64,
    new: &Derived,
    json: (&str, &str),
    old: Option<(&str, &str)>,
    keys_changed: bool,
) -> rusqlite::Result<()> {
    if keys_changed {
        if old.is_some() {
            tx.prepare_cached("DELETE FROM doc_keys WHERE doc = ?1")?
                .execute([doc])?;
        }
        let mut insert =
            tx.prepare_cached("INSERT OR IGNORE INTO doc_keys (doc, key) VALUES (?1, ?2)")?;
        for key in &new.keys {
            insert.execute(params![doc, key])?;
        }
    }
    let (tags_json, aliases_json) = json;
    if old.is_none_or(|(tags, _)| tags != tags_json) {
        if old.is_some() {
            tx.prepare_cached("DELETE FROM tags WHERE doc = ?1")?
                .execute([doc])?;
        }
        let mut insert = tx.prepare_cached("INSERT INTO tags (doc, tag) VALUES (?1, ?2)")?;
        for tag in &new.tags {
            insert.execute(params![doc, tag])?;
        }
    }
    if old.is_none_or(|(_, aliases)| aliases != aliases_json) {
        if old.is_some() {
            tx.prepare_cached("DELETE FROM aliases WHERE doc = ?1")?
                .execute([doc])?;
        }
        let mut insert =
            tx.prepare_cached("INSERT INTO aliases (doc, alias_norm, alias) VALUES (?1, ?2, ?3)")?;
        for (key, alias) in &new.aliases {
            insert.execute(params![doc, key, alias])?;
        }
    }
    let old_links = if old.is_some() {
        links_of(tx, doc)?
    } else {
        Vec::new()
    };
    write_links(tx, doc, &old_links, &new.links)
}

/// Bring the link rows of `doc` from `old` to `new`, row by row: an edit
/// usually moves the links after it and changes nothing else, which costs an
/// update of two numbers per moved link and no index maintenance.
fn write_links(
    tx: &Connection,
    doc: i64,
    old: &[LinkRow],
    new: &[LinkRow],
) -> rusqlite::Result<()> {
    if old == new {
        return Ok(());
    }
    let same_link = |a: &LinkRow, b: &LinkRow| {
        (&a.target, &a.heading, &a.alias, a.embed) == (&b.target, &b.heading, &b.alias, b.embed)
    };
    for (ord, link) in new.iter().enumerate() {
        let ord = to_i64(ord);
        let (start, end) = (to_i64(link.start), to_i64(link.end));
        match old.get(usize::try_from(ord).unwrap_or(usize::MAX)) {
            Some(before) if before == link => {}
            Some(before) if same_link(before, link) => {
                tx.prepare_cached(
                    "UPDATE links SET start_byte = ?3, end_byte = ?4 WHERE doc = ?1 AND ord = ?2",
                )?
                .execute(params![doc, ord, start, end])?;
            }
            // A different link at this position, or a new one.
            _ => {
                tx.prepare_cached(
                    "INSERT INTO links (doc, ord, target, target_norm, heading, alias, embed, start_byte, end_byte)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (doc, ord) DO UPDATE SET target = excluded.target,
                         target_norm = excluded.target_norm, heading = excluded.heading,
                         alias = excluded.alias, embed = excluded.embed,
                         start_byte = excluded.start_byte, end_byte = excluded.end_byte",
                )?
                .execute(params![
                    doc,
                    ord,
                    link.target,
                    normalise_title(&link.target),
                    link.heading,
                    link.alias,
                    link.embed,
                    start,
                    end
                ])?;
            }
        }
    }
    if old.len() > new.len() {
        tx.prepare_cached("DELETE FROM links WHERE doc = ?1 AND ord >= ?2")?
            .execute(params![doc, to_i64(new.len())])?;
    }
    Ok(())
}

pub(crate) fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

const LINK_COLUMNS: &str = "l.target, l.heading, l.alias, l.embed, l.start_byte, l.end_byte";

fn read_link(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        target: row.get(at)?,
        heading: row.get(at + 1)?,
        alias: row.get(at + 2)?,
        embed: row.get(at + 3)?,
        start: to_usize(row.get(at + 4)?),
        end: to_usize(row.get(at + 5)?),
    })
}

/// The stored links of `doc`, in document order.
fn links_of(conn: &Connection, doc: i64) -> rusqlite::Result<Vec<LinkRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LINK_COLUMNS} FROM links l WHERE l.doc = ?1 ORDER BY l.ord"
    ))?;
    stmt.query_map([doc], |row| read_link(row, 0))?.collect()
}

/// How deep in folders the document `d` is (0 at the root), in SQL.
const FOLDER_DEPTH: &str =
    "(d.folder != '') + length(d.folder) - length(replace(d.folder, '/', ''))";

/// The documents a link to `target` (an SQL expression: a parameter, or a
/// column of `from`) may resolve to, each with its target and what ranks
/// it; `from` is more of the FROM clause, before the documents (`""`, or
/// `"targets t, "`). One text for [`resolve`] and [`resolve_linked`], so
/// the two cannot disagree.
fn candidates(from: &str, target: &str) -> String {
    format!(
        "SELECT {target} AS target, d.id, d.kind, d.updated, d.doc, 0 AS by_path, 1 AS by_title, 0 AS depth
         FROM {from}docs d
         WHERE d.title_norm = {target} AND d.archived = 0
         UNION ALL
         SELECT {target}, d.id, d.kind, d.updated, d.doc, 0, 0, 0
         FROM {from}aliases a JOIN docs d ON d.doc = a.doc
         WHERE a.alias_norm = {target} AND d.archived = 0
         UNION ALL
         SELECT {target}, d.id, d.kind, d.updated, d.doc, 1, 0, {FOLDER_DEPTH}
         FROM {from}doc_keys k CROSS JOIN docs d ON d.doc = k.doc
         WHERE k.key = {target} AND d.archived = 0"
    )
}

/// The order of [`candidates`], best first (see the module docs).
const RANK: &str = "by_path, kind = 'page' DESC, by_title DESC, depth, updated DESC, doc";

/// The document a link to `target_norm` resolves to (see the module docs).
pub(crate) fn resolve(conn: &Connection, target_norm: &str) -> rusqlite::Result<Option<DocId>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM ({}) ORDER BY {RANK} LIMIT 1",
        candidates("", "?1")
    ))?;
    stmt.query_row([target_norm], |row| read_id(row, 0))
        .optional()
}

/// Every target linked from a document that is not archived, with the
/// document it resolves to (targets that resolve to none are left out):
/// [`resolve`] for all of them in one query, for whole-garden figures (one
/// query per target costs a re-prepared statement each).
pub(crate) fn resolve_linked(conn: &Connection) -> rusqlite::Result<HashMap<String, DocId>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH targets(t) AS (
             SELECT DISTINCT l.target_norm FROM links l JOIN docs d ON d.doc = l.doc
             WHERE d.archived = 0 AND l.target_norm != '')
         SELECT target, id FROM (
             SELECT target, id, row_number() OVER (PARTITION BY target ORDER BY {RANK}) AS place
             FROM ({}))
         WHERE place = 1",
        candidates("targets t, ", "t.t")
    ))?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, read_id(row, 1)?)))?;
    rows.collect()
}

impl Store {
    /// Documents whose normalised title or alias equals `title` normalised:
    /// pages first, then exact titles before aliases, then the most
    /// recently updated; after them, documents whose file path ends in
    /// `title` (`API/space`, `space.md`), pages first, then nearest the
    /// root. Archived ones only if `include_archived`.
    pub fn find_by_title(
        &self,
        title: &str,
        include_archived: bool,
    ) -> Result<Vec<DocRow>, StoreError> {
        let key = normalise_title(title);
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM docs d
             WHERE d.doc IN (SELECT doc FROM docs WHERE title_norm = ?1 UNION SELECT doc FROM aliases WHERE alias_norm = ?1
                             UNION SELECT doc FROM doc_keys WHERE key = ?1)
               AND (?2 OR d.archived = 0)
             ORDER BY d.title_norm = ?1 OR d.doc IN (SELECT doc FROM aliases WHERE alias_norm = ?1) DESC,
                      d.kind = 'page' DESC, d.title_norm = ?1 DESC, {FOLDER_DEPTH}, d.updated DESC, d.doc"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(params![key, include_archived], |row| read_doc_row(row, 0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The pages (archived ones too) whose normalised title equals `title`
    /// normalised: what a new page's title must not be. One index look-up.
    pub fn pages_titled(&self, title: &str) -> Result<Vec<DocRow>, StoreError> {
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM docs d WHERE d.title_norm = ?1 AND d.kind = 'page' ORDER BY d.doc"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map([normalise_title(title)], |row| read_doc_row(row, 0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every document's title, kind and aliases (archived ones too, marked),
    /// sorted by title: for suggestions and completion.
    pub fn all_titles(&self) -> Result<Vec<TitleEntry>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, title, kind, archived, aliases FROM docs ORDER BY title_norm, doc",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok(TitleEntry {
                        id: read_id(row, 0)?,
                        title: row.get(1)?,
                        kind: read_kind(row, 2)?,
                        archived: row.get(3)?,
                        aliases: read_list(row, 4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Documents (not archived, not `id` itself) with a link whose target is
    /// `id`'s title, one of its aliases or the end of its file path, and
    /// that does not resolve to another document, sorted by title, each with
    /// those links in document order. Empty for an unknown id.
    pub fn backlinks(&self, id: DocId) -> Result<Vec<Backlink>, StoreError> {
        let sql = format!(
            "SELECT {DOC_COLUMNS}, {LINK_COLUMNS}, d.doc FROM links l JOIN docs d ON d.doc = l.doc
             WHERE l.target_norm IN (
                     SELECT t.title_norm FROM docs t WHERE t.id = ?1
                     UNION SELECT a.alias_norm FROM aliases a JOIN docs t ON t.doc = a.doc WHERE t.id = ?1
                     UNION SELECT k.key FROM doc_keys k JOIN docs t ON t.doc = k.doc WHERE t.id = ?1)
               AND l.target_norm != ''
               AND d.archived = 0
               AND d.id != ?1
             ORDER BY d.title_norm, d.doc, l.ord"
        );
        let mut resolved: HashMap<String, Option<DocId>> = HashMap::new();
        let mut elsewhere = |link: &LinkRow| -> rusqlite::Result<bool> {
            let key = normalise_title(&link.target);
            let target = match resolved.get(&key) {
                Some(target) => *target,
                None => {
                    let target = resolve(&self.conn, &key)?;
                    resolved.insert(key, target);
                    target
                }
            };
            Ok(target.is_some_and(|t| t != id))
        };
        let rows: Vec<(i64, DocRow, LinkRow)> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map([id.as_bytes()], |row| {
                    Ok((
                        row.get(DocRow::COLUMNS + 6)?,
                        read_doc_row(row, 0)?,
                        read_link(row, DocRow::COLUMNS)?,
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        let mut out: Vec<Backlink> = Vec::new();
        let mut last = None;
        for (doc, source, link) in rows {
            // A link that another document answers to (a page of the same
            // title, a path that ends elsewhere) is that document's.
            if elsewhere(&link).map_err(|e| self.err(e))? {
                continue;
            }
            match out.last_mut() {
                Some(backlink) if last == Some(doc) => backlink.links.push(link),
                _ => out.push(Backlink {
                    source,
                    links: vec![link],
                }),
            }
            last = Some(doc);
        }
        Ok(out)
    }

    /// `id`'s links in document order, each with the document it resolves
    /// to. Empty for an unknown id.
    pub fn outgoing(&self, id: DocId) -> Result<Vec<OutLink>, StoreError> {
        let run = || -> rusqlite::Result<Vec<OutLink>> {
            let Some(doc) = doc_key(&self.conn, id)? else {
                return Ok(Vec::new());
            };
            let mut resolved: HashMap<String, Option<DocId>> = HashMap::new();
            let mut out = Vec::new();
            for link in links_of(&self.conn, doc)? {
                let key = normalise_title(&link.target);
                let target = match resolved.get(&key) {
                    Some(target) => *target,
                    None => {
                        let target = if key.is_empty() {
                            Some(id)
                        } else {
                            resolve(&self.conn, &key)?
                        };
                        resolved.insert(key.clone(), target);
                        target
                    }
                };
                let attachment = match target {
                    Some(_) => None,
                    None => crate::attachments::find(&self.conn, &key)?.map(|a| a.path),
                };
                out.push(OutLink {
                    link,
                    resolved: target,
                    attachment,
                });
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Every link from a document that is not archived which resolves to
    /// nothing (no document, no attachment), sorted by the source's title,
    /// then document order.
    pub fn broken_links(&self) -> Result<Vec<BrokenLink>, StoreError> {
        // Each distinct target is looked up once (a garden has far fewer
        // targets than links), then the links to the broken ones are listed.
        let sql = format!(
            "WITH targets (target) AS MATERIALIZED (
                 SELECT DISTINCT target_norm FROM links WHERE target_norm != ''
             ),
             broken (target) AS MATERIALIZED (
                 SELECT x.target FROM targets x
                 WHERE NOT EXISTS (SELECT 1 FROM docs t WHERE t.title_norm = x.target AND t.archived = 0)
                   AND NOT EXISTS (SELECT 1 FROM aliases a JOIN docs t ON t.doc = a.doc
                                   WHERE a.alias_norm = x.target AND t.archived = 0)
                   AND NOT EXISTS (SELECT 1 FROM doc_keys k CROSS JOIN docs t ON t.doc = k.doc
                                   WHERE k.key = x.target AND t.archived = 0)
                   AND NOT EXISTS (SELECT 1 FROM attachment_keys k WHERE k.key = x.target)
             )
             SELECT {DOC_COLUMNS}, {LINK_COLUMNS} FROM broken b
                 JOIN links l ON l.target_norm = b.target
                 JOIN docs d ON d.doc = l.doc
             WHERE d.archived = 0
             ORDER BY d.title_norm, d.doc, l.ord"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok(BrokenLink {
                        source: read_doc_row(row, 0)?,
                        link: read_link(row, DocRow::COLUMNS)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every tag on a document that is not archived, with how many such
    /// documents carry exactly it; most used first, then by name. A nested
    /// tag `a/b` counts for `a/b` only.
    pub fn tags(&self) -> Result<Vec<TagCount>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT t.tag, count(*) AS n FROM tags t JOIN docs d ON d.doc = t.doc
                 WHERE d.archived = 0 GROUP BY t.tag ORDER BY n DESC, t.tag",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    Ok(TagCount {
                        tag: row.get(0)?,
                        count: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The stored row, links, tags and aliases of `id`, or `None` if unknown.
    pub fn index_rows(&self, id: DocId) -> Result<Option<IndexRows>, StoreError> {
        let run = || -> rusqlite::Result<Option<IndexRows>> {
            let Some(doc) = doc_key(&self.conn, id)? else {
                return Ok(None);
            };
            let Some(row) = self.doc_row(id)? else {
                return Ok(None);
            };
            let links = links_of(&self.conn, doc)?;
            let tags = self
                .conn
                .prepare_cached("SELECT tag FROM tags WHERE doc = ?1 ORDER BY tag")?
                .query_map([doc], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            let aliases = self
                .conn
                .prepare_cached("SELECT alias FROM aliases WHERE doc = ?1 ORDER BY alias_norm")?
                .query_map([doc], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(Some(IndexRows {
                row,
                links,
                tags,
                aliases,
            }))
        };
        run().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(title: &str, body: &str, tags: &[&str]) -> DocSnapshot {
        DocSnapshot {
            kind: DocKind::Note,
            title: title.into(),
            folder: String::new(),
            path: String::new(),
            body: body.into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            created: 0,
            updated: 0,
            archived: false,
            heads: Vec::new(),
        }
    }

    #[test]
    fn document_tags_are_normalised_sorted_and_unique() {
        let check = |tags: &[&str], expected: &[&str]| {
            assert_eq!(
                Derived::of(&snapshot("T", "", tags)).tags,
                expected,
                "{tags:?}"
            );
        };
        check(&[], &[]);
        check(
            &["#Rust", "rust", "Area//Topic/", "#", " "],
            &["area/topic", "rust"],
        );
        check(&["b", "a"], &["a", "b"]);
    }

    #[test]
    fn title_key() {
        assert_eq!(
            Derived::of(&snapshot("  Wiki   Page ", "", &[])).title_norm,
            "wiki page"
        );
    }
}
