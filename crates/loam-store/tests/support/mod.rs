//! A compact notation for gardens in store tests.
//!
//! One document per line: `kind Title words #doctag [archived] folder=a/b path=a/b/T.md | body`.
//! `kind` is `note` or `page`; words up to `|` that are not tags, flags or
//! folders make the title; `\n` in the body is a line break. Document `i`
//! (0-based) gets the id `[i + 1; 16]`, is created at `T0 + i` seconds and
//! updated at the same time, so later lines are more recently updated.

// Test support: a panic is how a test reports a failure.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use loam_core::{DocId, DocKind, DocSnapshot};
use loam_store::{DocRow, Store};

/// A fixed "now" for tests.
pub const T0: i64 = 1_763_600_000_000;

/// A store filled from the notation, with the ids of its documents.
pub struct Garden {
    pub store: Store,
    pub docs: Vec<(String, DocId, DocSnapshot)>,
}

impl Garden {
    /// A temporary store holding `spec`.
    pub fn new(spec: &str) -> Self {
        Self::in_store(Store::temporary().unwrap(), spec)
    }

    /// `store` with the documents of `spec` written to it (one chunk each).
    pub fn in_store(mut store: Store, spec: &str) -> Self {
        let mut docs = Vec::new();
        for (i, line) in spec
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let snapshot = parse(line, i);
            let id = doc_id(i);
            store
                .write_doc(
                    id,
                    &snapshot,
                    format!("chunk of {}", snapshot.title).as_bytes(),
                )
                .unwrap();
            docs.push((snapshot.title.clone(), id, snapshot));
        }
        Garden { store, docs }
    }

    /// The id of the document titled exactly `title`.
    pub fn id(&self, title: &str) -> DocId {
        self.docs
            .iter()
            .find(|(t, ..)| t == title)
            .map(|(_, id, _)| *id)
            .unwrap_or_else(|| panic!("no doc `{title}`"))
    }

    /// The snapshot of the document titled exactly `title`.
    pub fn snapshot(&self, title: &str) -> DocSnapshot {
        self.docs
            .iter()
            .find(|(t, ..)| t == title)
            .map(|(.., s)| s.clone())
            .unwrap()
    }

    /// The title of `id`.
    pub fn title(&self, id: DocId) -> &str {
        self.docs
            .iter()
            .find(|(_, i, _)| *i == id)
            .map(|(t, ..)| t.as_str())
            .unwrap_or("?")
    }

    /// Rewrite the document titled `title` with `change` applied to its
    /// snapshot, updated `secs` seconds after T0 (and a new chunk).
    pub fn edit(&mut self, title: &str, secs: i64, change: impl FnOnce(&mut DocSnapshot)) {
        let index = self.docs.iter().position(|(t, ..)| t == title).unwrap();
        let (_, id, snapshot) = &mut self.docs[index];
        change(snapshot);
        snapshot.updated = T0 + secs * 1000;
        self.store.write_doc(*id, snapshot, b"an edit").unwrap();
        self.docs[index].0 = self.docs[index].2.title.clone();
    }
}

/// Titles of `rows`, comma separated.
pub fn titles<'a>(rows: impl IntoIterator<Item = &'a DocRow>) -> String {
    rows.into_iter()
        .map(|r| r.title.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn doc_id(i: usize) -> DocId {
    DocId::from_bytes([u8::try_from(i + 1).unwrap(); 16])
}

/// A note snapshot with this title and body.
pub fn note(title: &str, body: &str) -> DocSnapshot {
    DocSnapshot {
        kind: DocKind::Note,
        title: title.into(),
        folder: String::new(),
        path: String::new(),
        body: body.into(),
        tags: Vec::new(),
        created: T0,
        updated: T0,
        archived: false,
        heads: Vec::new(),
    }
}

fn parse(line: &str, i: usize) -> DocSnapshot {
    let (head, body) = line
        .split_once('|')
        .map_or((line, ""), |(h, b)| (h, b.trim()));
    let mut words = head.split_whitespace();
    let kind = DocKind::parse(words.next().unwrap()).expect("line starts with note or page");
    let mut snapshot = note("", &body.replace("\\n", "\n"));
    snapshot.kind = kind;
    let mut title = Vec::new();
    for word in words {
        if let Some(tag) = word.strip_prefix('#') {
            snapshot.tags.push(tag.to_owned());
        } else if word == "[archived]" {
            snapshot.archived = true;
        } else if let Some(folder) = word.strip_prefix("folder=") {
            snapshot.folder = folder.to_owned();
        } else if let Some(path) = word.strip_prefix("path=") {
            snapshot.path = path.to_owned();
        } else {
            title.push(word);
        }
    }
    snapshot.title = title.join(" ");
    let t = T0 + i64::try_from(i).unwrap() * 1000;
    (snapshot.created, snapshot.updated) = (t, t);
    snapshot
}

/// The member tests write as.
pub const ME: loam_core::MemberId = loam_core::MemberId::from_bytes([0x11; 32]);
