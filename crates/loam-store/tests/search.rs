//! Full-text search: the query language, ranking, filters, snippets and
//! highlights, and inputs that must never be errors.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_store::{DocWrite, SearchHit, SearchQuery, Store};
use support::{Garden, doc_id, note, titles};

const GARDEN: &str = r"
    page Rust #lang               | A systems language with ownership and borrowing.
    note Ownership notes          | Rust ownership means each value has one owner. Borrowing lends it.
    note Gardening #home          | Tomatoes need sun.\n\nRust on   tools is a different rust.
    note Café society [archived]  | Rust in the café.
    note Crème brûlée             | Burnt cream dessert.
    page Languages #lang          | C++ and C# are languages; e-mail isn't one.
";

fn search(garden: &Garden, text: &str) -> Vec<SearchHit> {
    garden.store.search(&SearchQuery::new(text)).unwrap()
}

/// The titles of the hits for `query`, best first.
fn check(query: &str, expected: &str) {
    let garden = Garden::new(GARDEN);
    let hits = search(&garden, query);
    let titles: Vec<&str> = hits.iter().map(|h| h.row.title.as_str()).collect();
    assert_eq!(titles.join(", "), expected, "query: {query:?}");
    for pair in hits.windows(2) {
        assert!(pair[0].score >= pair[1].score, "best first: {query:?}");
    }
}

#[test]
fn words_must_all_match_and_title_matches_come_first() {
    check("rust", "Rust, Gardening, Ownership notes");
    check("RUST ownership", "Ownership notes, Rust");
    check("rust tomatoes", "Gardening");
    check("ownership", "Ownership notes, Rust");
    check("nothing-here", "");
}

#[test]
fn phrases_prefixes_and_exclusions() {
    check(r#""different rust""#, "Gardening");
    check(r#""rust different""#, "");
    check(r#""one owner"  value"#, "Ownership notes");
    check("own*", "Ownership notes, Rust");
    check("borr*", "Rust, Ownership notes");
    check("langu*", "Languages, Rust");
    check(r#""systems lang"*"#, "Rust");
    check("rust -tomatoes", "Rust, Ownership notes");
    check(r#"rust -"one owner""#, "Rust, Gardening");
}

#[test]
fn filters_by_tag_and_kind() {
    check("rust tag:lang", "Rust");
    check("tag:LANG", "Languages, Rust");
    check("tag:home rust", "Gardening");
    check("rust -tag:lang", "Gardening, Ownership notes");
    check("rust kind:note", "Gardening, Ownership notes");
    check("kind:page", "Languages, Rust");
    check("tag:nothing", "");
}

#[test]
fn archived_documents_only_when_asked() {
    let garden = Garden::new(GARDEN);
    let query = SearchQuery {
        include_archived: true,
        ..SearchQuery::new("café")
    };
    let hits = garden.store.search(&query).unwrap();
    assert_eq!(
        hits.iter()
            .map(|h| h.row.title.as_str())
            .collect::<Vec<_>>(),
        ["Café society"]
    );
    assert!(search(&garden, "café").is_empty());
}

#[test]
fn diacritics_and_case_are_ignored() {
    check("creme brulee", "Crème brûlée");
    check("CAFE", "");
    check("Crème", "Crème brûlée");
}

#[test]
fn no_input_is_a_syntax_error() {
    for query in [
        "",
        "   ",
        "!!!",
        "\"",
        "\"\"",
        "*",
        "-",
        "--",
        "()",
        "(rust",
        "rust)",
        "AND",
        "rust AND",
        "OR rust",
        "NOT",
        "NEAR(rust",
        "{title}: rust",
        "title:rust",
        "^rust",
        "rust*)",
        "\"rust",
        "' OR 1=1 --",
        "tag:",
        "kind:",
        "\u{E000}rust\u{E001}",
        "日本語",
        "🌱",
    ] {
        let garden = Garden::new(GARDEN);
        if let Err(e) = garden.store.search(&SearchQuery::new(query)) {
            panic!("{query:?} failed: {e}");
        }
    }
    check("!!! ... ---", "");
    check("-rust", "");
    check("rust*)", "Rust, Gardening, Ownership notes");
    check("C++", "Languages");
    check("e-mail", "Languages");
}

#[test]
fn snippets_are_plain_text_with_highlighted_matches() {
    let garden = Garden::new(GARDEN);
    let hits = search(&garden, "rust");
    let gardening = hits.iter().find(|h| h.row.title == "Gardening").unwrap();
    assert_eq!(
        gardening.snippet,
        "Tomatoes need sun. Rust on tools is a different rust."
    );
    let marked: Vec<&str> = gardening
        .highlights
        .iter()
        .map(|&(s, e)| &gardening.snippet[s..e])
        .collect();
    assert_eq!(marked, ["Rust", "rust"]);
    assert!(gardening.title_highlights.is_empty());
    let rust = &hits[0];
    assert_eq!(rust.title_highlights, [(0, 4)]);

    let hits = search(&garden, "creme brul*");
    let title = &hits[0].row.title;
    let marked: Vec<&str> = hits[0]
        .title_highlights
        .iter()
        .map(|&(s, e)| &title[s..e])
        .collect();
    assert_eq!(marked, ["Crème", "brûlée"]);
}

#[test]
fn long_bodies_are_cut_around_the_best_match() {
    let filler = "lorem ipsum dolor sit amet ".repeat(40);
    let garden = Garden::new(&format!(
        "note Long | {filler} the rare seedling grows {filler}"
    ));
    let hit = &search(&garden, "seedling")[0];
    assert!(
        hit.snippet.starts_with('…') && hit.snippet.ends_with('…'),
        "{}",
        hit.snippet
    );
    assert!(
        hit.snippet.split_whitespace().count() <= 32,
        "{}",
        hit.snippet
    );
    let (s, e) = hit.highlights[0];
    assert_eq!(&hit.snippet[s..e], "seedling");
}

#[test]
fn limits() {
    let garden = Garden::new(GARDEN);
    let query = |limit| SearchQuery {
        limit,
        ..SearchQuery::new("rust")
    };
    assert_eq!(garden.store.search(&query(1)).unwrap().len(), 1);
    assert_eq!(garden.store.search(&query(1)).unwrap()[0].row.title, "Rust");
    assert!(garden.store.search(&query(0)).unwrap().is_empty());
}

#[test]
fn edits_and_renames_update_the_index() {
    let mut garden = Garden::new(GARDEN);
    garden.edit("Gardening", 30, |s| s.body = "Potatoes in the shade".into());
    garden.edit("Crème brûlée", 31, |s| s.title = "Custard".into());
    check_in(&garden, "rust", "Rust, Ownership notes");
    check_in(&garden, "potatoes", "Gardening");
    check_in(&garden, "brulee", "");
    check_in(&garden, "custard", "Custard");
    assert!(garden.store.integrity_check().unwrap().is_empty());
}

fn check_in(garden: &Garden, query: &str, expected: &str) {
    let hits = search(garden, query);
    let titles: Vec<&str> = hits.iter().map(|h| h.row.title.as_str()).collect();
    assert_eq!(titles.join(", "), expected, "query: {query:?}");
}

#[test]
fn mention_candidates_are_phrase_matches_in_bodies() {
    let garden = Garden::new(GARDEN);
    let ids = |phrase: &str| {
        let mut titles: Vec<String> = garden
            .store
            .mention_candidates(phrase)
            .unwrap()
            .into_iter()
            .map(|id| garden.title(id).to_owned())
            .collect();
        titles.sort();
        titles.join(", ")
    };
    assert_eq!(ids("Rust"), "Gardening, Ownership notes");
    assert_eq!(ids("different  RUST"), "Gardening");
    assert_eq!(ids("languages"), "Languages");
    assert_eq!(ids("Crème brûlée"), "", "titles are not bodies");
    assert_eq!(ids("!?"), "");
}

/// With more matches than are scored, the document titled like the query
/// still comes first, even when it is the oldest.
#[test]
fn an_exact_title_is_found_among_very_many_matches() {
    let mut store = Store::temporary().unwrap();
    let page = {
        let mut page = note("Compost", "how to compost kitchen scraps");
        page.kind = loam_core::DocKind::Page;
        page
    };
    store.write_doc(doc_id(0), &page, b"x").unwrap();
    let notes: Vec<_> = (0..1100)
        .map(|i| note(&format!("Note {i}"), "compost compost compost again"))
        .collect();
    let ids: Vec<_> = (0..1100u32)
        .map(|i| {
            let mut bytes = [0xab; 16];
            bytes[..4].copy_from_slice(&i.to_le_bytes());
            loam_core::DocId::from_bytes(bytes)
        })
        .collect();
    let writes: Vec<_> = notes
        .iter()
        .zip(&ids)
        .map(|(n, id)| DocWrite {
            id: *id,
            snapshot: n,
            chunk: b"x",
            imported: None,
            changes: &[],
            signatures: &[],
        })
        .collect();
    store.write_docs(&writes).unwrap();
    let hits = store.search(&SearchQuery::new("Compost")).unwrap();
    assert_eq!(hits.len(), 20);
    assert_eq!(hits[0].row.title, "Compost");
    assert_eq!(hits[0].title_highlights, [(0, 7)]);
}

/// A body of about 100 KB: 12,000 distinct words `{stem}0 {stem}1 ...`.
fn long_body(stem: &str) -> String {
    (0..12_000).map(|i| format!("{stem}{i} ")).collect()
}

/// How many documents there are, and how many entries the full-text index
/// holds (FTS5 keeps one `fts_docsize` row per entry), as another connection
/// sees them.
fn counts(path: &std::path::Path) -> (i64, i64) {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT (SELECT count(*) FROM docs), (SELECT count(*) FROM fts_docsize)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// A long body is indexed by the write that stores it: a search right after
/// it, from another connection that only reads, finds its words, and the
/// index holds one entry per document after every write.
#[test]
fn a_search_right_after_writing_a_100_kb_body_finds_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let mut store = Store::open(&path).unwrap();
    let reader = Store::open_read_only(&path).unwrap();
    let found = |word: &str| {
        let hits = reader.search(&SearchQuery::new(word)).unwrap();
        titles(hits.iter().map(|h| &h.row))
    };
    let body = long_body("loam");
    assert!(body.len() > 100_000);
    store
        .write_doc(doc_id(0), &note("Long", &body), b"1")
        .unwrap();
    assert_eq!(found("loam11999"), "Long");
    assert_eq!(counts(&path), (1, 1));
    store
        .write_doc(doc_id(1), &note("Other", &long_body("humus")), b"1")
        .unwrap();
    assert_eq!(counts(&path), (2, 2));
    // An edit in the middle of the long body: the new word is found, the one
    // it replaced is not, and still one entry per document.
    let edited = body.replacen("loam6000 ", "mycelium ", 1);
    store
        .write_doc(doc_id(0), &note("Long", &edited), b"2")
        .unwrap();
    assert_eq!(found("mycelium"), "Long");
    assert_eq!(found("loam6000"), "");
    assert_eq!(found("loam6001"), "Long");
    assert_eq!(found("humus42"), "Other");
    assert_eq!(reader.mention_candidates("mycelium").unwrap(), [doc_id(0)]);
    assert_eq!(counts(&path), (2, 2));
    assert!(reader.integrity_check().unwrap().is_empty());
}

/// The entry follows every version of a long document, through title
/// changes and shrinking to a short body.
#[test]
fn long_documents_are_always_found_by_their_latest_text() {
    let filler = "meadow grass ".repeat(2000);
    let mut garden = Garden::new(&format!(
        "note Long | {filler} first version\nnote Short | short text"
    ));
    check_in(&garden, "first version", "Long");
    garden.edit("Long", 5, |s| s.body = format!("{filler} second edition"));
    garden.edit("Long", 6, |s| s.body = format!("{filler} third edition"));
    garden.edit("Short", 7, |s| s.body = "short edition".into());
    check_in(&garden, "first", "");
    check_in(&garden, "second", "");
    check_in(&garden, "edition", "Short, Long");
    let ids = garden.store.mention_candidates("third edition").unwrap();
    assert_eq!(ids, [garden.id("Long")]);
    garden.edit("Long", 8, |s| {
        s.body = "tiny now".into();
        s.title = "Was long".into();
    });
    check_in(&garden, "meadow", "");
    check_in(&garden, "tiny", "Was long");
    assert!(garden.store.integrity_check().unwrap().is_empty());
}

#[test]
fn the_entry_of_a_long_body_is_on_disk_when_the_write_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garden.sqlite");
    let filler = "meadow grass ".repeat(2000);
    {
        let mut store = Store::open(&path).unwrap();
        store
            .write_doc(doc_id(0), &note("Long", &format!("{filler} unique")), b"x")
            .unwrap();
        store
            .write_doc(doc_id(0), &note("Long", &format!("{filler} special")), b"y")
            .unwrap();
    }
    let store = Store::open_read_only(&path).unwrap();
    let hits = store.search(&SearchQuery::new("special")).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(
        store
            .search(&SearchQuery::new("unique"))
            .unwrap()
            .is_empty()
    );
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn maintenance_keeps_the_index_whole() {
    let filler = "meadow grass ".repeat(2000);
    let mut garden = Garden::new(&format!("note Long | {filler} start"));
    for i in 1..20 {
        garden.edit("Long", i, |s| s.body = format!("{filler} later{i}"));
    }
    garden.store.maintain().unwrap();
    assert!(garden.store.integrity_check().unwrap().is_empty());
    check_in(&garden, "later19", "Long");
    check_in(&garden, "later18", "");
}
