//! `loam check`'s look at the database itself: SQLite's own checks and the
//! full-text index against the text it indexes.

use crate::{Store, StoreError};

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
        self.catch_up_fts()?;
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
        match self.conn.execute(
            "INSERT INTO fts (fts, rank) VALUES ('integrity-check', 1)",
            [],
        ) {
            Ok(_) => {}
            Err(e) if is_corruption(&e) => {
                problems.push(format!(
                    "the full-text index disagrees with the stored text: {e}"
                ));
            }
            Err(e) => return Err(e),
        }
        Ok(problems)
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
