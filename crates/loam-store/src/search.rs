//! Full-text search: the FTS5 index over titles and bodies, and the small
//! query language members type.
//!
//! A query is words (all must match), `"quoted phrases"`, `prefix*`,
//! `-excluded` words or phrases, `tag:name` (the tag or one nested under it)
//! and `kind:page` / `kind:note`. User text never reaches FTS5 as syntax:
//! every word and phrase is quoted as an FTS5 string, so no input is a
//! syntax error, and a query with nothing searchable finds nothing.
//!
//! Ranking is bm25 with the title weighted ten times the body. For queries
//! so common that thousands of documents match, scoring every match would
//! cost tens of milliseconds, so only the most recently created
//! [`CANDIDATES`] matches are scored (plus a document whose title or alias is
//! exactly the query); below that bound the ranking is exact.
//!
//! The entry of a document is rewritten with its text, whatever its length,
//! in the transaction that writes the document, so a query never sees an
//! entry older than the text, and queries only read (they work on a
//! database opened with [`Store::open_read_only`]). Rewriting the entry of a
//! 100 KB body costs milliseconds; the node's group commit (at most one
//! write per document every 100 ms while a member types) keeps that off
//! each keystroke.

use loam_core::{DocKind, normalise_tag, normalise_title};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::docs::{DOC_COLUMNS, DocRow, read_doc_row, read_id, tag_filter};
use crate::{Store, StoreError};

/// How many matches are scored at most, newest first.
const CANDIDATES: i64 = 1000;
/// Tokens in a snippet.
const SNIPPET_TOKENS: i64 = 30;
/// Marks the start of a match in FTS5's snippet and highlight output (a
/// private-use character, then turned into byte ranges).
const MATCH_START: char = '\u{E000}';
/// Marks the end of a match.
const MATCH_END: char = '\u{E001}';
const ELLIPSIS: &str = "…";

/// A search as a member typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// The query text (see the module docs for its syntax).
    pub text: String,
    /// At most this many hits.
    pub limit: usize,
    /// Search archived documents too.
    pub include_archived: bool,
}

impl SearchQuery {
    /// A search for `text`: 20 hits at most, archived documents left out.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            limit: 20,
            include_archived: false,
        }
    }
}

impl Default for SearchQuery {
    fn default() -> Self {
        Self::new("")
    }
}

/// A document that matches a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The document.
    pub row: DocRow,
    /// Relevance (bm25, negated): higher is better. Hits come best first.
    pub score: f64,
    /// Plain text around the best match in the body (about 30 words,
    /// whitespace collapsed, `…` where cut).
    pub snippet: String,
    /// Byte ranges of the matched words in `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// Byte ranges of the matched words in `row.title`.
    pub title_highlights: Vec<(usize, usize)>,
}

/// A word or phrase of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    text: String,
    prefix: bool,
}

impl Term {
    /// As an FTS5 string: quoted, so that FTS5 only tokenizes it.
    fn fts(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 3);
        out.push('"');
        out.push_str(&self.text.replace('"', "\"\""));
        out.push('"');
        if self.prefix {
            out.push('*');
        }
        out
    }
}

/// A query taken apart.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ParsedQuery {
    terms: Vec<Term>,
    excluded: Vec<Term>,
    /// Normalised tags the documents must have (each, or one nested under it).
    tags: Vec<String>,
    /// Normalised tags the documents must not have.
    excluded_tags: Vec<String>,
    /// The documents must be of one of these kinds (any if empty).
    kinds: Vec<DocKind>,
}

impl ParsedQuery {
    fn parse(text: &str) -> Self {
        let mut query = ParsedQuery::default();
        let mut rest = text;
        loop {
            rest = rest.trim_start();
            let Some(first) = rest.chars().next() else {
                break;
            };
            let negated =
                first == '-' && rest.len() > 1 && !rest[1..].starts_with(char::is_whitespace);
            if negated {
                rest = &rest[1..];
            }
            let (term, filter) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                let phrase = &quoted[..end];
                rest = quoted.get(end + 1..).unwrap_or("");
                let prefix = rest.starts_with('*');
                rest = rest.trim_start_matches('*');
                (
                    Term {
                        text: phrase.to_owned(),
                        prefix: prefix && long_enough_for_prefix(phrase),
                    },
                    None,
                )
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let word = &rest[..end];
                rest = &rest[end..];
                let filter = filter_of(word);
                let bare = word.trim_end_matches('*');
                (
                    Term {
                        text: bare.to_owned(),
                        prefix: bare.len() < word.len() && long_enough_for_prefix(bare),
                    },
                    filter,
                )
            };
            match (filter, negated) {
                (Some(Filter::Tag(tag)), false) => query.tags.push(tag),
                (Some(Filter::Tag(tag)), true) => query.excluded_tags.push(tag),
                (Some(Filter::Kind(kind)), false) => query.kinds.push(kind),
                (Some(Filter::Kind(kind)), true) => {
                    query.kinds.extend(
                        [DocKind::Note, DocKind::Page]
                            .into_iter()
                            .filter(|k| *k != kind),
                    );
                }
                (None, _) if !term.text.chars().any(char::is_alphanumeric) => {}
                (None, false) if !query.terms.contains(&term) => query.terms.push(term),
                (None, true) if !query.excluded.contains(&term) => query.excluded.push(term),
                (None, _) => {}
            }
        }
        query
    }

    /// The FTS5 expression, `None` when there is nothing to search for.
    fn fts(&self) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let mut out = String::from("(");
        out.push_str(
            &self
                .terms
                .iter()
                .map(Term::fts)
                .collect::<Vec<_>>()
                .join(" "),
        );
        out.push(')');
        for term in &self.excluded {
            out.push_str(" NOT ");
            out.push_str(&term.fts());
        }
        Some(out)
    }

    fn has_filters(&self) -> bool {
        !self.tags.is_empty() || !self.excluded_tags.is_empty() || !self.kinds.is_empty()
    }

    /// Clauses on `docs d` for the filters, and for archived documents.
    fn doc_filter(&self, include_archived: bool, params: &mut Vec<Value>) -> String {
        let mut clauses = Vec::new();
        if !include_archived {
            clauses.push("d.archived = 0".to_owned());
        }
        if !self.kinds.is_empty() {
            let names: Vec<String> = self
                .kinds
                .iter()
                .map(|k| format!("'{}'", k.as_str()))
                .collect();
            clauses.push(format!("d.kind IN ({})", names.join(", ")));
        }
        for tag in &self.tags {
            clauses.push(tag_filter(tag, params));
        }
        for tag in &self.excluded_tags {
            clauses.push(format!("NOT ({})", tag_filter(tag, params)));
        }
        clauses
            .iter()
            .fold(String::new(), |acc, c| acc + " AND " + c)
    }

    /// The title a query for exactly one document's title would be.
    fn as_title(&self) -> Option<String> {
        if self.excluded.is_empty() && self.terms.iter().all(|t| !t.prefix) {
            let words: Vec<&str> = self.terms.iter().map(|t| t.text.as_str()).collect();
            Some(normalise_title(&words.join(" ")))
        } else {
            None
        }
    }
}

/// Whether a prefix query on `text` is worth running: its last word has at
/// least two letters. (`a*` would merge the entries of thousands of words;
/// it searches for the word `a` instead.)
fn long_enough_for_prefix(text: &str) -> bool {
    let last = text
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    last.chars().count() >= 2
}

enum Filter {
    Tag(String),
    Kind(DocKind),
}

/// `tag:x` or `kind:page`, case-insensitive; anything else is a word.
fn filter_of(word: &str) -> Option<Filter> {
    let (key, value) = word.split_once(':')?;
    if key.eq_ignore_ascii_case("tag") && !value.is_empty() {
        return Some(Filter::Tag(normalise_tag(value)));
    }
    if key.eq_ignore_ascii_case("kind") {
        return DocKind::parse(&value.to_lowercase()).map(Filter::Kind);
    }
    None
}

/// Turn FTS5 output with [`MATCH_START`]/[`MATCH_END`] markers into the text
/// without them and the byte ranges they enclosed. With `collapse`, runs of
/// whitespace become one space and the ends are trimmed.
fn take_markers(marked: &str, collapse: bool) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut open = None;
    let mut space = false;
    for c in marked.chars() {
        if collapse && c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space && c != MATCH_END {
            out.push(' ');
            space = false;
        }
        match c {
            MATCH_START => open = Some(out.len()),
            MATCH_END => {
                if let Some(start) = open.take().filter(|start| *start < out.len()) {
                    ranges.push((start, out.len()));
                }
            }
            c => out.push(c),
        }
    }
    (out, ranges)
}

/// The first words of `body`, for a hit that matched by filters only.
fn leading_words(body: &str) -> String {
    let mut words = body.split_whitespace();
    let mut out: Vec<&str> = words
        .by_ref()
        .take(usize::try_from(SNIPPET_TOKENS).unwrap_or(30))
        .collect();
    if words.next().is_some() {
        out.push(ELLIPSIS);
    }
    out.join(" ")
}

/// Bring the full-text entry of `doc` to `title` and `body`, and its row in
/// `texts` with it. Runs inside the transaction that writes the document, so
/// the entry never disagrees with the text. `existed`: the document had a
/// text before (FTS5 needs the old text to delete an external-content
/// entry). Nothing is done when the text is unchanged.
pub(crate) fn index_text(
    tx: &Connection,
    doc: i64,
    title: &str,
    body: &str,
    existed: bool,
) -> rusqlite::Result<()> {
    if existed {
        let old: Option<(String, String)> = tx
            .prepare_cached("SELECT title, body FROM texts WHERE doc = ?1")?
            .query_row([doc], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        if let Some((old_title, old_body)) = old {
            if old_title == title && old_body == body {
                return Ok(());
            }
            tx.prepare_cached(
                "INSERT INTO fts (fts, rowid, title, body) VALUES ('delete', ?1, ?2, ?3)",
            )?
            .execute(params![doc, old_title, old_body])?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO texts (doc, title, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (doc) DO UPDATE SET title = excluded.title, body = excluded.body",
    )?
    .execute(params![doc, title, body])?;
    tx.prepare_cached("INSERT INTO fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![doc, title, body])?;
    Ok(())
}

impl Store {
    /// Documents matching `query`, best first, with snippets and highlights
    /// (see the module docs for the syntax and the ranking). Only reads.
    pub fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        self.search_inner(query).map_err(|e| self.err(e))
    }

    fn search_inner(&self, query: &SearchQuery) -> rusqlite::Result<Vec<SearchHit>> {
        let parsed = ParsedQuery::parse(&query.text);
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let Some(expr) = parsed.fts() else {
            return if parsed.has_filters() {
                self.filter_only(&parsed, query)
            } else {
                Ok(Vec::new())
            };
        };
        let mut params = vec![Value::Text(expr.clone())];
        let filter = parsed.doc_filter(query.include_archived, &mut params);
        let sql = format!(
            "SELECT d.doc, bm25(fts, 10.0, 1.0) FROM fts JOIN docs d ON d.doc = fts.rowid
             WHERE fts MATCH ?1 {filter}
             ORDER BY fts.rowid DESC LIMIT ?{}",
            params.len() + 1
        );
        let mut scored: Vec<(i64, f64)> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params_from_iter(params.iter().chain([&Value::Integer(CANDIDATES)])),
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        if i64::try_from(scored.len()).unwrap_or(i64::MAX) >= CANDIDATES {
            // Not every match was scored: make sure a document titled
            // exactly like the query is among them.
            if let Some(title) = parsed.as_title() {
                for doc in self.exact_title_docs(&title, &filter, &params)? {
                    if !scored.iter().any(|(d, _)| *d == doc.0) {
                        scored.push(doc);
                    }
                }
            }
        }
        scored.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        scored.truncate(query.limit);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DOC_COLUMNS}, snippet(fts, 1, ?3, ?4, ?5, ?6), highlight(fts, 0, ?3, ?4)
             FROM fts JOIN docs d ON d.doc = fts.rowid WHERE fts MATCH ?1 AND fts.rowid = ?2"
        ))?;
        let mut hits = Vec::with_capacity(scored.len());
        for (doc, score) in scored {
            let hit = stmt
                .query_row(
                    params![
                        expr,
                        doc,
                        MATCH_START.to_string(),
                        MATCH_END.to_string(),
                        ELLIPSIS,
                        SNIPPET_TOKENS
                    ],
                    |row| {
                        let row_data = read_doc_row(row, 0)?;
                        let snippet: String = row.get(DocRow::COLUMNS)?;
                        let title: String = row.get(DocRow::COLUMNS + 1)?;
                        Ok((row_data, snippet, title))
                    },
                )
                .optional()?;
            if let Some((row, snippet, title)) = hit {
                let (snippet, highlights) = take_markers(&snippet, true);
                let (_, title_highlights) = take_markers(&title, false);
                hits.push(SearchHit {
                    row,
                    score: -score,
                    snippet,
                    highlights,
                    title_highlights,
                });
            }
        }
        Ok(hits)
    }

    /// Documents titled (or aliased) `title` that match the query, scored.
    fn exact_title_docs(
        &self,
        title: &str,
        filter: &str,
        params: &[Value],
    ) -> rusqlite::Result<Vec<(i64, f64)>> {
        let mut params = params.to_vec();
        params.push(Value::Text(title.to_owned()));
        let n = params.len();
        let sql = format!(
            "SELECT d.doc, bm25(fts, 10.0, 1.0) FROM fts JOIN docs d ON d.doc = fts.rowid
             WHERE fts MATCH ?1 {filter}
               AND fts.rowid IN (SELECT doc FROM docs WHERE title_norm = ?{n}
                                 UNION SELECT doc FROM aliases WHERE alias_norm = ?{n})"
        );
        self.conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(&params), |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect()
    }

    /// A query with filters and no words: the matching documents, most
    /// recently updated first.
    fn filter_only(
        &self,
        parsed: &ParsedQuery,
        query: &SearchQuery,
    ) -> rusqlite::Result<Vec<SearchHit>> {
        let mut params = Vec::new();
        let filter = parsed.doc_filter(query.include_archived, &mut params);
        params.push(Value::Integer(
            i64::try_from(query.limit).unwrap_or(i64::MAX),
        ));
        let sql = format!(
            "SELECT {DOC_COLUMNS}, t.body FROM docs d JOIN texts t ON t.doc = d.doc WHERE 1 {filter}
             ORDER BY d.updated DESC, d.doc DESC LIMIT ?{}",
            params.len()
        );
        self.conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(&params), |row| {
                let body: String = row.get(DocRow::COLUMNS)?;
                Ok(SearchHit {
                    row: read_doc_row(row, 0)?,
                    score: 0.0,
                    snippet: leading_words(&body),
                    highlights: Vec::new(),
                    title_highlights: Vec::new(),
                })
            })?
            .collect()
    }

    /// Documents (not archived) whose body may contain `phrase` as words: a
    /// full-text phrase query, so the caller confirms each with
    /// `loam_markdown::find_mentions`. Empty when the phrase has no words.
    pub fn mention_candidates(&self, phrase: &str) -> Result<Vec<loam_core::DocId>, StoreError> {
        if !phrase.chars().any(char::is_alphanumeric) {
            return Ok(Vec::new());
        }
        let expr = format!(
            "{{body}} : {}",
            Term {
                text: phrase.to_owned(),
                prefix: false
            }
            .fts()
        );
        self.conn
            .prepare_cached(
                "SELECT d.id FROM fts JOIN docs d ON d.doc = fts.rowid
                 WHERE fts MATCH ?1 AND d.archived = 0 ORDER BY fts.rowid",
            )
            .and_then(|mut stmt| stmt.query_map([expr], |row| read_id(row, 0))?.collect())
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let parsed = ParsedQuery::parse(input);
        let mut actual = parsed.fts().unwrap_or_else(|| "-".into());
        for tag in &parsed.tags {
            actual.push_str(&format!(" tag={tag}"));
        }
        for tag in &parsed.excluded_tags {
            actual.push_str(&format!(" -tag={tag}"));
        }
        for kind in &parsed.kinds {
            actual.push_str(&format!(" kind={kind}"));
        }
        assert_eq!(actual, expected, "query: {input:?}");
    }

    #[test]
    fn queries_become_quoted_fts_expressions() {
        check("", "-");
        check("   ", "-");
        check("garden", r#"("garden")"#);
        check("Garden  notes", r#"("Garden" "notes")"#);
        check(
            r#""knowledge garden" seeds"#,
            r#"("knowledge garden" "seeds")"#,
        );
        check(r#""unterminated phrase"#, r#"("unterminated phrase")"#);
        check("gard*", r#"("gard"*)"#);
        check("ga*", r#"("ga"*)"#);
        check("g* x", r#"("g" "x")"#);
        check(r#""knowledge g"*"#, r#"("knowledge g")"#);
        check(r#""knowledge gar"*"#, r#"("knowledge gar"*)"#);
        check("seed -weed", r#"("seed") NOT "weed""#);
        check(r#"seed -"weed killer""#, r#"("seed") NOT "weed killer""#);
        check("- seed", r#"("seed")"#);
        check("seed seed", r#"("seed")"#);
        check("-weed", "-");
    }

    #[test]
    fn fts_syntax_in_user_text_stays_text() {
        check("a OR b", r#"("a" "OR" "b")"#);
        check("NOT b", r#"("NOT" "b")"#);
        check(r#"say "hi"""#, r#"("say" "hi")"#);
        check(r#"ab"cd"#, r#"("ab""cd")"#);
        check(
            "title:x (y) {body} ^z NEAR(a b)",
            r#"("title:x" "(y)" "{body}" "^z" "NEAR(a" "b)")"#,
        );
        check("!!! ... ---", "-");
        check("* ** \"\" \"*\"", "-");
    }

    #[test]
    fn filters() {
        check("tag:Rust", "- tag=rust");
        check("seed tag:#area/Topic", r#"("seed") tag=area/topic"#);
        check("seed -tag:old", r#"("seed") -tag=old"#);
        check("kind:page seed", r#"("seed") kind=page"#);
        check("KIND:Note", "- kind=note");
        check("-kind:note", "- kind=page");
        check("kind:poem", r#"("kind:poem")"#);
        check("tag:", r#"("tag:")"#);
    }

    #[test]
    fn markers_become_ranges() {
        let m = |s: &str| {
            s.replace('[', &MATCH_START.to_string())
                .replace(']', &MATCH_END.to_string())
        };
        let check = |marked: &str, collapse: bool, text: &str, ranges: &[(usize, usize)]| {
            let (t, r) = take_markers(&m(marked), collapse);
            assert_eq!((t.as_str(), r.as_slice()), (text, ranges), "{marked:?}");
        };
        check("a [seed] b", true, "a seed b", &[(2, 6)]);
        check(
            "…\n\n [Seed]  and\t[sëed]…",
            true,
            "… Seed and sëed…",
            &[(4, 8), (13, 18)],
        );
        check("  [x]  ", true, "x", &[(0, 1)]);
        check("Wiki  [Page]", false, "Wiki  Page", &[(6, 10)]);
        check("[]no[", false, "no", &[]);
    }

    #[test]
    fn leading_words_are_cut_with_an_ellipsis() {
        assert_eq!(leading_words("one\n\ntwo  three"), "one two three");
        let long = "w ".repeat(40);
        assert_eq!(leading_words(&long), format!("{}…", "w ".repeat(30)));
    }
}
