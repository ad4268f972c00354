//! What the last import wrote into each imported document: its heads right
//! after the import's change and the hash of the file's bytes. A re-import
//! compares a file's hash with it to skip what did not change, and makes a
//! changed file an edit of the text the last import wrote (so that edits
//! made in Loam since then are kept and merged).

use std::collections::HashMap;

use loam_core::{ContentHash, DocId};
use serde::Serialize;

use crate::docs::read_id;
use crate::{Store, StoreError};

/// What the last import wrote into a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportBase {
    /// The document's heads right after the import's change, as hex.
    pub heads: Vec<String>,
    /// The hash of the file's bytes as imported.
    pub hash: ContentHash,
}

/// A document that holds a file of an imported folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedDoc {
    /// The document.
    pub id: DocId,
    /// Whether it is archived.
    pub archived: bool,
    /// What the last import wrote, if an import wrote it.
    pub base: Option<ImportBase>,
}

impl Store {
    /// Every document with a path (see [`crate::DocRow::path`]), by path,
    /// with its import base. One query, for the start of an import.
    pub fn imported_docs(&self) -> Result<HashMap<String, ImportedDoc>, StoreError> {
        let run = || -> rusqlite::Result<HashMap<String, ImportedDoc>> {
            let mut stmt = self.conn.prepare(
                "SELECT d.path, d.id, d.archived, i.heads, i.hash
                 FROM docs d LEFT JOIN imports i ON i.doc = d.doc
                 WHERE d.path != ''
                 ORDER BY d.doc",
            )?;
            let rows = stmt.query_map([], |row| {
                let heads: Option<String> = row.get(3)?;
                let hash: Option<Vec<u8>> = row.get(4)?;
                let base = match (heads, hash.as_deref().and_then(ContentHash::from_slice)) {
                    (Some(heads), Some(hash)) => Some(ImportBase {
                        heads: heads.split_whitespace().map(str::to_owned).collect(),
                        hash,
                    }),
                    _ => None,
                };
                Ok((
                    row.get::<_, String>(0)?,
                    ImportedDoc {
                        id: read_id(row, 1)?,
                        archived: row.get(2)?,
                        base,
                    },
                ))
            })?;
            let mut out = HashMap::new();
            for row in rows {
                let (path, doc) = row?;
                // Two documents with one path (made apart on two machines):
                // the first keeps it.
                out.entry(path).or_insert(doc);
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Documents without a path whose export path is `path` (compared
    /// ignoring case): documents created in Loam that an import of their
    /// exported file should update rather than duplicate.
    pub fn docs_exported_as(&self, path: &str) -> Result<Vec<DocId>, StoreError> {
        let key = loam_core::normalise_title(path);
        self.conn
            .prepare_cached(
                "SELECT d.id FROM doc_keys k CROSS JOIN docs d ON d.doc = k.doc
                 WHERE k.key = ?1 AND d.path = '' ORDER BY d.doc",
            )
            .and_then(|mut stmt| stmt.query_map([key], |row| read_id(row, 0))?.collect())
            .map_err(|e| self.err(e))
    }
}
