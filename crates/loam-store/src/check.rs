//! `loam check`'s look at the database itself: SQLite's own checks and the
//! full-text index against the text it indexes.
//!
//! Checking only reads the garden's file, so it works on a store opened with
//! [`Store::open_read_only`]. FTS5 compares an index with its text only
//! through its `integrity-check` command, an `INSERT` that a read-only
//! connection refuses; so the check runs it on a copy of the index in the
//! connection's temporary database (in memory), made with the same
//! definition over the same text, and throws the copy away afterwards.

use rusqlite::Connection;

use crate::{Store, StoreError};

/// The temporary copy of the full-text index.
const COPY: &str = "loam_fts_check";
/// The temporary view of the text that the copy indexes.
const COPY_TEXTS: &str = "loam_fts_check_texts";
/// FTS5's tables behind an external-content index (its `content` is
/// `texts`): the inverted index, its term index, column sizes and settings.
const SHADOW_TABLES: [&str; 4] = ["data", "idx", "docsize", "config"];

impl Store {
    /// Check the database: `PRAGMA integrity_check` and `PRAGMA
    /// foreign_key_check`, then (if those pass) that every document has its
    /// text and FTS5's `integrity-check` (the index agrees with the stored
    /// text). Returns what is wrong, one message per problem; empty when all
    /// is well.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let problems = self.sqlite_problems().map_err(|e| self.err(e))?;
        if !problems.is_empty() {
            // A damaged file: the checks below would only fail on it.
            return Ok(problems);
        }
        self.index_problems().map_err(|e| self.err(e))
    }

    fn sqlite_problems(&self) -> rusqlite::Result<Vec<String>> {
        let mut problems: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |row| row.get::<_, String>(0))?
            .filter(|message| !matches!(message.as_deref(), Ok("ok")))
            .collect::<rusqlite::Result<_>>()?;
        let foreign: Vec<String> = self
            .conn
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |row| {
                let table: String = row.get(0)?;
                let rowid: Option<i64> = row.get(1)?;
                let parent: String = row.get(2)?;
                Ok(format!(
                    "row {} of table `{table}` refers to a missing row of `{parent}`",
                    rowid.map_or_else(|| "?".to_owned(), |r| r.to_string())
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        problems.extend(foreign);
        Ok(problems)
    }

    fn index_problems(&self) -> rusqlite::Result<Vec<String>> {
        let mut problems = Vec::new();
        let textless: i64 = self.conn.query_row(
            "SELECT count(*) FROM docs d WHERE NOT EXISTS (SELECT 1 FROM texts t WHERE t.doc = d.doc)",
            [],
            |row| row.get(0),
        )?;
        if textless > 0 {
            problems.push(if textless == 1 {
                "1 document has no stored text".to_owned()
            } else {
                format!("{textless} documents have no stored text")
            });
        }
        // One read transaction, so that the copy and the text are of the same
        // moment; rolled back, which also drops the temporary copy.
        let tx = self.conn.unchecked_transaction()?;
        let disagreement = fts_disagreement(&tx);
        tx.rollback()?;
        problems.extend(disagreement?);
        Ok(problems)
    }
}

/// How the full-text index disagrees with the stored text, if it does: FTS5's
/// `integrity-check` run on a temporary copy of the index (see the module
/// docs). Runs inside the caller's transaction, which drops the copy.
fn fts_disagreement(tx: &Connection) -> rusqlite::Result<Option<String>> {
    let definition: String = tx.query_row(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'fts'",
        [],
        |row| row.get(0),
    )?;
    // `CREATE VIRTUAL TABLE fts USING fts5 (..., content = 'texts', ...)`.
    let module = definition
        .split_once(" USING ")
        .map(|(_, module)| module)
        .filter(|module| module.matches("'texts'").count() == 1);
    let Some(module) = module else {
        return Ok(Some(format!(
            "the full-text index has a definition loam does not know: {definition}"
        )));
    };
    let module = module.replace("'texts'", &format!("'{COPY_TEXTS}'"));
    tx.execute_batch(&format!(
        "CREATE TEMP VIEW {COPY_TEXTS} AS SELECT doc, title, body FROM main.texts;
         CREATE VIRTUAL TABLE temp.{COPY} USING {module};"
    ))?;
    for table in SHADOW_TABLES {
        tx.execute_batch(&format!(
            "DELETE FROM temp.{COPY}_{table};
             INSERT INTO temp.{COPY}_{table} SELECT * FROM main.fts_{table};"
        ))?;
    }
    match tx.execute(
        &format!("INSERT INTO temp.{COPY} ({COPY}, rank) VALUES ('integrity-check', 1)"),
        [],
    ) {
        Ok(_) => Ok(None),
        Err(e) if is_corruption(&e) => Ok(Some(format!(
            "the full-text index disagrees with the stored text: {e}"
        ))),
        Err(e) => Err(e),
    }
}

fn is_corruption(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_healthy_database_has_no_problems() {
        let store = Store::temporary().unwrap();
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn an_index_out_of_step_with_the_text_is_reported() {
        let store = Store::temporary().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO docs (doc, id, kind, title, title_norm, folder, archived, created, updated, chars,
                                   heads, tags, aliases)
                 VALUES (1, zeroblob(16), 'note', 'Seeds', 'seeds', '', 0, 0, 0, 11, '', '[]', '[]'),
                        (2, randomblob(16), 'note', 'Roots', 'roots', '', 0, 0, 0, 0, '', '[]', '[]');
                 INSERT INTO texts (doc, title, body) VALUES (1, 'Seeds', 'seeds sprout');
                 INSERT INTO fts (rowid, title, body) VALUES (1, 'Seeds', 'seeds wilt');",
            )
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0], "1 document has no stored text");
        assert!(
            problems[1].starts_with("the full-text index disagrees"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_dangling_row_is_reported() {
        let store = Store::temporary().unwrap();
        store
            .conn
            .pragma_update(None, "foreign_keys", false)
            .unwrap();
        store
            .conn
            .execute("INSERT INTO tags (doc, tag) VALUES (42, 'orphan')", [])
            .unwrap();
        let problems = store.integrity_check().unwrap();
        assert_eq!(
            problems,
            ["row ? of table `tags` refers to a missing row of `docs`"]
        );
    }
}
