//! `loam check`'s look at the database itself: SQLite's own checks and the
//! full-text index against the text it indexes.

use crate::{Store, StoreError};

impl Store {
    /// Check the database: `PRAGMA integrity_check`, `PRAGMA
    /// foreign_key_check`, FTS5's `integrity-check` (the index agrees with
    /// the stored text) and that every document has its text. Returns what
    /// is wrong, one message per problem; empty when all is well.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.catch_up_fts()?;
        self.integrity_problems().map_err(|e| self.err(e))
    }

    fn integrity_problems(&self) -> rusqlite::Result<Vec<String>> {
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
        let textless: i64 = self.conn.query_row(
            "SELECT count(*) FROM docs d WHERE NOT EXISTS (SELECT 1 FROM texts t WHERE t.doc = d.doc)",
            [],
            |row| row.get(0),
        )?;
        if textless > 0 {
            problems.push(format!("{textless} documents have no stored text"));
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
