//! Lists, counts and title look-ups come from the materialised rows.

// Helpers outside #[test] functions unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use loam_core::DocKind;
use loam_store::{ArchivedFilter, ListQuery, Sort};
use support::{Garden, ME, T0, titles};

const GARDEN: &str = r"
    page Welcome #garden                 | Hello
    note banana #fruit/yellow folder=food | Yellow
    note Apple #fruit folder=food/trees   | Red
    note Cherry #fruit [archived]         | Dark
    page Durian #fruitful folder=foodie   | Smelly
    note Elder                            | Old
";

fn check(query: ListQuery, expected: &str) {
    let garden = Garden::new(GARDEN);
    let rows = garden.store.list(&query).unwrap();
    assert_eq!(titles(&rows), expected, "{query:?}");
    let unpaged = ListQuery {
        limit: None,
        offset: 0,
        ..query.clone()
    };
    let all = garden.store.list(&unpaged).unwrap();
    assert_eq!(
        garden.store.count(&query).unwrap(),
        all.len() as u64,
        "count ignores paging: {query:?}"
    );
}

#[test]
fn sorts() {
    check(
        ListQuery::default(),
        "Welcome, banana, Apple, Durian, Elder",
    );
    check(
        ListQuery {
            descending: true,
            ..Default::default()
        },
        "Elder, Durian, Apple, banana, Welcome",
    );
    check(
        ListQuery {
            sort: Sort::Title,
            ..Default::default()
        },
        "Apple, banana, Durian, Elder, Welcome",
    );
    check(
        ListQuery {
            sort: Sort::Title,
            descending: true,
            ..Default::default()
        },
        "Welcome, Elder, Durian, banana, Apple",
    );
    check(
        ListQuery {
            sort: Sort::Created,
            ..Default::default()
        },
        "Welcome, banana, Apple, Durian, Elder",
    );
}

#[test]
fn filters() {
    let q = |f: fn(&mut ListQuery)| {
        let mut query = ListQuery {
            sort: Sort::Title,
            ..Default::default()
        };
        f(&mut query);
        query
    };
    check(q(|q| q.kind = Some(DocKind::Page)), "Durian, Welcome");
    check(q(|q| q.kind = Some(DocKind::Note)), "Apple, banana, Elder");
    check(q(|q| q.tag = Some("fruit".into())), "Apple, banana");
    check(q(|q| q.tag = Some("#FRUIT/".into())), "Apple, banana");
    check(q(|q| q.tag = Some("fruit/yellow".into())), "banana");
    check(q(|q| q.tag = Some("fru".into())), "");
    check(q(|q| q.tag = Some("#".into())), "");
    check(q(|q| q.folder = Some("food".into())), "Apple, banana");
    check(q(|q| q.folder = Some("/food/trees/".into())), "Apple");
    check(
        q(|q| q.folder = Some(String::new())),
        "Apple, banana, Durian, Elder, Welcome",
    );
    check(q(|q| q.archived = ArchivedFilter::Only), "Cherry");
    check(
        q(|q| q.archived = ArchivedFilter::Include),
        "Apple, banana, Cherry, Durian, Elder, Welcome",
    );
    check(
        q(|q| (q.archived, q.tag) = (ArchivedFilter::Include, Some("fruit".into()))),
        "Apple, banana, Cherry",
    );
    check(
        q(|q| (q.kind, q.folder) = (Some(DocKind::Note), Some("food".into()))),
        "Apple, banana",
    );
}

#[test]
fn pages_of_a_list() {
    let q = |limit, offset| ListQuery {
        sort: Sort::Title,
        limit,
        offset,
        ..Default::default()
    };
    check(q(Some(2), 0), "Apple, banana");
    check(q(Some(2), 2), "Durian, Elder");
    check(q(Some(2), 4), "Welcome");
    check(q(Some(2), 6), "");
    check(q(None, 3), "Elder, Welcome");
    check(q(Some(0), 0), "");
}

#[test]
fn rows_carry_the_materialised_fields() {
    let garden = Garden::new(GARDEN);
    let row = garden.store.doc(garden.id("banana")).unwrap().unwrap();
    assert_eq!(row.id, garden.id("banana"));
    assert_eq!(row.kind, DocKind::Note);
    assert_eq!(row.folder, "food");
    assert_eq!(row.tags, vec!["fruit/yellow".to_owned()]);
    assert_eq!((row.created, row.updated), (T0 + 1000, T0 + 1000));
    assert_eq!(row.chars, 6);
    assert!(!row.archived);
    assert_eq!(
        garden.store.text(garden.id("banana")).unwrap().as_deref(),
        Some("Yellow")
    );
    let unknown = support::doc_id(99);
    assert_eq!(garden.store.doc(unknown).unwrap(), None);
    assert_eq!(garden.store.text(unknown).unwrap(), None);
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["kind"], "note");
    assert_eq!(json["id"], garden.id("banana").to_string());
}

#[test]
fn chars_count_code_points_and_heads_are_hex() {
    let mut garden = Garden::new("note n | ");
    let mut doc =
        loam_core::NoteDoc::create(&loam_core::NewDoc::note("n", "héllo 🌱"), ME, T0).unwrap();
    let snapshot = doc.snapshot().unwrap();
    garden
        .store
        .write_doc(garden.id("n"), &snapshot, &doc.save().unwrap())
        .unwrap();
    let row = garden.store.doc(garden.id("n")).unwrap().unwrap();
    assert_eq!(row.chars, 7);
    assert_eq!(
        row.heads,
        snapshot
            .heads
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    assert_eq!(row.heads[0].len(), 64);
    garden.edit("n", 5, |s| s.body = "x".into());
    assert_eq!(garden.store.doc(garden.id("n")).unwrap().unwrap().chars, 1);
}

#[test]
fn find_by_title_puts_pages_first_then_recent() {
    let garden = Garden::new(
        r"
        note Meeting      | first
        note meeting      | second
        page  MEETING     | the page
        note Meeting [archived] | old
        note Other        | nothing
    ",
    );
    let found = garden.store.find_by_title("  meeting ", false).unwrap();
    let ids: Vec<_> = found
        .iter()
        .map(|r| (r.kind, garden.store.text(r.id).unwrap().unwrap()))
        .collect();
    assert_eq!(
        ids,
        vec![
            (DocKind::Page, "the page".into()),
            (DocKind::Note, "second".into()),
            (DocKind::Note, "first".into())
        ]
    );
    assert_eq!(
        garden.store.find_by_title("Meeting", true).unwrap().len(),
        4
    );
    assert!(
        garden
            .store
            .find_by_title("nobody", true)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn all_titles_lists_everything_sorted() {
    let garden = Garden::new(GARDEN);
    let entries = garden.store.all_titles().unwrap();
    let names: Vec<(&str, bool)> = entries
        .iter()
        .map(|e| (e.title.as_str(), e.archived))
        .collect();
    assert_eq!(
        names,
        [
            ("Apple", false),
            ("banana", false),
            ("Cherry", true),
            ("Durian", false),
            ("Elder", false),
            ("Welcome", false)
        ]
    );
    assert_eq!(garden.store.all_doc_ids().unwrap().len(), 6);
}

#[test]
fn a_rewrite_moves_a_document_between_lists() {
    let mut garden = Garden::new(GARDEN);
    garden.edit("Elder", 60, |s| {
        s.archived = true;
        s.tags = vec!["fruit".into()];
    });
    let garden_titles = |garden: &Garden, q: &ListQuery| titles(&garden.store.list(q).unwrap());
    let archived = ListQuery {
        archived: ArchivedFilter::Only,
        ..Default::default()
    };
    assert_eq!(garden_titles(&garden, &archived), "Cherry, Elder");
    garden.edit("Cherry", 70, |s| {
        s.archived = false;
        s.title = "Cherry Tree".into();
    });
    let q = ListQuery {
        tag: Some("fruit".into()),
        descending: true,
        ..Default::default()
    };
    assert_eq!(garden_titles(&garden, &q), "Cherry Tree, Apple, banana");
}
