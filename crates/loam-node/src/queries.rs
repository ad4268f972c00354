//! Reading a garden: everything here comes from the index and the
//! materialised text; no Automerge document is loaded.

use std::ops::Range;

use loam_core::{DocId, DocKind, DocSnapshot, NoteDoc, normalise_title};
use loam_markdown::LinkResolver;
use loam_store::{
    Backlink, BrokenLink, DocRow, ListQuery, OutLink, SearchHit, SearchQuery, Store, TagCount,
    TitleEntry,
};
use serde::Serialize;

use crate::{Garden, NodeError};

/// How many close titles an unknown title suggests.
const SUGGESTIONS: usize = 3;

/// A document's row and its text.
#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    /// What the index knows of it.
    #[serde(flatten)]
    pub row: DocRow,
    /// Its markdown.
    pub text: String,
}

/// A place where a document's title appears as plain text, not as a link.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    /// The document that mentions the title.
    pub source: DocRow,
    /// The line around the mention.
    pub context: String,
    /// Byte range of the mention in `context`.
    pub range: Range<usize>,
}

impl Garden {
    /// The document `reference` names: its id (or an id prefix of at least 6
    /// digits), or its title or alias (ignoring case). A page wins over notes
    /// of the same title; notes sharing a title are ambiguous.
    pub fn resolve(&self, reference: &str) -> Result<DocId, NodeError> {
        let state = self.lock();
        resolve(&state.store, reference)
    }

    /// The archived document `reference` names (its id, or its title or
    /// alias ignoring case): what `restore` acts on.
    pub fn resolve_archived(&self, reference: &str) -> Result<DocId, NodeError> {
        let state = self.lock();
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<DocId>()
            && state.store.doc(id)?.is_some()
        {
            return Ok(id);
        }
        let archived: Vec<DocRow> = state
            .store
            .find_by_title(reference, true)?
            .into_iter()
            .filter(|d| d.archived)
            .collect();
        match archived.as_slice() {
            [one] => Ok(one.id),
            [] => {
                let titles: Vec<TitleEntry> = state
                    .store
                    .all_titles()?
                    .into_iter()
                    .filter(|t| t.archived)
                    .map(|t| TitleEntry {
                        archived: false,
                        ..t
                    })
                    .collect();
                Err(NodeError::NotFound {
                    reference: reference.to_owned(),
                    suggestions: closest(&titles, reference),
                })
            }
            many => Err(NodeError::Ambiguous {
                reference: reference.to_owned(),
                candidates: many.iter().map(|d| (d.id, d.title.clone())).collect(),
            }),
        }
    }

    /// A document with its text, from the index.
    pub fn note(&self, id: DocId) -> Result<NoteView, NodeError> {
        let state = self.lock();
        let row = state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?;
        let text = state.store.text(id)?.unwrap_or_default();
        Ok(NoteView { row, text })
    }

    /// The document read out of its Automerge bytes rather than the index
    /// (an Automerge load: for checks, history and benchmarks).
    pub fn load_document(&self, id: DocId) -> Result<DocSnapshot, NodeError> {
        let (chunks, member) = {
            let state = self.lock();
            (state.store.load_chunks(id)?, state.member)
        };
        if chunks.is_empty() {
            return Err(NodeError::UnknownDoc(id));
        }
        let mut doc = NoteDoc::load_chunks(chunks.iter().map(|c| c.bytes.as_slice()), member)
            .map_err(NodeError::doc(id))?;
        doc.snapshot().map_err(NodeError::doc(id))
    }

    /// Documents matching `query`.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<DocRow>, NodeError> {
        Ok(self.lock().store.list(query)?)
    }

    /// How many documents match `query` (ignoring its limit).
    pub fn count(&self, query: &ListQuery) -> Result<u64, NodeError> {
        Ok(self.lock().store.count(query)?)
    }

    /// Every title and alias (for autocomplete and suggestions).
    pub fn titles(&self) -> Result<Vec<TitleEntry>, NodeError> {
        Ok(self.lock().store.all_titles()?)
    }

    /// Full-text search, best first.
    pub fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, NodeError> {
        Ok(self.lock().store.search(query)?)
    }

    /// Documents that link to `id`.
    pub fn backlinks(&self, id: DocId) -> Result<Vec<Backlink>, NodeError> {
        Ok(self.lock().store.backlinks(id)?)
    }

    /// Links going out of `id`, each resolved or not.
    pub fn outgoing(&self, id: DocId) -> Result<Vec<OutLink>, NodeError> {
        Ok(self.lock().store.outgoing(id)?)
    }

    /// Every link in the garden that points at no document.
    pub fn broken_links(&self) -> Result<Vec<BrokenLink>, NodeError> {
        Ok(self.lock().store.broken_links()?)
    }

    /// Tags with how many documents carry them.
    pub fn tags(&self) -> Result<Vec<TagCount>, NodeError> {
        Ok(self.lock().store.tags()?)
    }

    /// Places where `id`'s title (or an alias) appears as plain text in
    /// other documents that do not link to it: candidates for "link it".
    pub fn unlinked_mentions(&self, id: DocId) -> Result<Vec<Mention>, NodeError> {
        let state = self.lock();
        let row = state.store.doc(id)?.ok_or(NodeError::UnknownDoc(id))?;
        let mut phrases = vec![row.title.clone()];
        phrases.extend(row.aliases.iter().cloned());
        // A document that links here already is a backlink, not a candidate.
        let linked: Vec<DocId> = state
            .store
            .backlinks(id)?
            .into_iter()
            .map(|b| b.source.id)
            .collect();
        let mut mentions = Vec::new();
        for phrase in phrases.iter().filter(|p| !p.trim().is_empty()) {
            for source in state.store.mention_candidates(phrase)? {
                if source == id
                    || linked.contains(&source)
                    || mentions.iter().any(|m: &Mention| m.source.id == source)
                {
                    continue;
                }
                let (Some(text), Some(source_row)) =
                    (state.store.text(source)?, state.store.doc(source)?)
                else {
                    continue;
                };
                if source_row.archived {
                    continue;
                }
                if let Some(found) = loam_markdown::find_mentions(&text, phrase)
                    .into_iter()
                    .next()
                {
                    let (context, range) = line_around(&text, found);
                    mentions.push(Mention {
                        source: source_row,
                        context,
                        range,
                    });
                }
            }
        }
        mentions.sort_by_key(|m| std::cmp::Reverse(m.source.updated));
        Ok(mentions)
    }

    /// `id` rendered as sanitised HTML, wikilinks marked resolved or not;
    /// embedded images and links to attachments point at
    /// [`crate::attachment_url`]s.
    pub fn render(&self, id: DocId) -> Result<String, NodeError> {
        let state = self.lock();
        let text = state.store.text(id)?.ok_or(NodeError::UnknownDoc(id))?;
        let folder = state
            .store
            .doc(id)?
            .map(|row| row.folder)
            .unwrap_or_default();
        Ok(loam_markdown::render_html(
            &text,
            &StoreResolver {
                store: &state.store,
                folder: &folder,
            },
        ))
    }
}

/// Resolves links against the index: `loam://doc/<id>` for a document,
/// `loam://attachment/<hash>` for an attachment.
struct StoreResolver<'a> {
    store: &'a Store,
    /// The folder of the note being rendered (markdown links are relative
    /// to it).
    folder: &'a str,
}

impl LinkResolver for StoreResolver<'_> {
    fn resolve(&self, target: &str) -> Option<String> {
        let found = self.store.find_by_title(target, false).ok()?;
        if let Some(doc) = found.first() {
            return Some(format!("loam://doc/{}", doc.id));
        }
        let attachment = self.store.find_attachment(target).ok()??;
        Some(crate::attachment_url(attachment.hash))
    }

    fn resolve_file(&self, path: &str) -> Option<String> {
        if let Some(attachment) =
            crate::attachments::find_for_file_link(self.store, self.folder, path).ok()?
        {
            return Some(crate::attachment_url(attachment.hash));
        }
        // `[text](Other%20note.md)`: a note by its path.
        crate::attachments::file_link_paths(self.folder, path)
            .into_iter()
            .find_map(|candidate| {
                let name = match candidate {
                    crate::attachments::Candidate::Exact(path) => path,
                    crate::attachments::Candidate::Key(key) => key,
                };
                let found = self.store.find_by_title(&name, false).ok()?;
                found.first().map(|doc| format!("loam://doc/{}", doc.id))
            })
    }
}

pub(crate) fn resolve(store: &Store, reference: &str) -> Result<DocId, NodeError> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<DocId>()
        && store.doc(id)?.is_some()
    {
        return Ok(id);
    }
    let found = store.find_by_title(reference, false)?;
    let key = normalise_title(reference);
    match found.as_slice() {
        [] => {}
        [one, ..] if one.kind == DocKind::Page => return Ok(one.id),
        [one] => return Ok(one.id),
        many => {
            // Several notes: an exact title beats aliases; otherwise ambiguous.
            let exact: Vec<&DocRow> = many
                .iter()
                .filter(|d| normalise_title(&d.title) == key)
                .collect();
            if let [one] = exact.as_slice() {
                return Ok(one.id);
            }
            return Err(NodeError::Ambiguous {
                reference: reference.to_owned(),
                candidates: many.iter().map(|d| (d.id, d.title.clone())).collect(),
            });
        }
    }
    let lower = reference.to_ascii_lowercase();
    if lower.len() >= 6 && lower.chars().all(|c| c.is_ascii_hexdigit()) {
        let matches: Vec<DocId> = store
            .all_doc_ids()?
            .into_iter()
            .filter(|id| id.to_string().starts_with(&lower))
            .collect();
        if let [one] = matches.as_slice() {
            return Ok(*one);
        }
    }
    let titles = store.all_titles()?;
    Err(NodeError::NotFound {
        reference: reference.to_owned(),
        suggestions: closest(&titles, reference),
    })
}

/// The titles closest to `reference`: those containing it first, then by
/// edit distance, the unlikely ones left out.
fn closest(titles: &[TitleEntry], reference: &str) -> Vec<String> {
    let key = normalise_title(reference);
    let mut scored: Vec<(f64, &str)> = titles
        .iter()
        .filter(|t| !t.archived)
        .map(|t| {
            let title = normalise_title(&t.title);
            let similarity = if title.contains(&key) || key.contains(&title) {
                1.0
            } else {
                strsim::normalized_damerau_levenshtein(&title, &key)
                    .max(strsim::jaro_winkler(&title, &key) - 0.15)
            };
            (similarity, t.title.as_str())
        })
        .filter(|(score, _)| *score >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, title) in scored {
        if !out.iter().any(|t| t == title) {
            out.push(title.to_owned());
        }
        if out.len() == SUGGESTIONS {
            break;
        }
    }
    out
}

/// The line holding `range`, trimmed to at most ~160 characters around it,
/// and the range within that line.
fn line_around(text: &str, range: Range<usize>) -> (String, Range<usize>) {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    let mut from = start;
    let mut to = end;
    const SIDE: usize = 80;
    if range.start - from > SIDE {
        from = floor_char_boundary(text, range.start - SIDE);
    }
    if to - range.end > SIDE {
        to = floor_char_boundary(text, range.end + SIDE);
    }
    (
        text[from..to].to_owned(),
        range.start - from..range.end - from,
    )
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_prefer_close_titles() {
        let entry = |title: &str| TitleEntry {
            id: DocId::random(),
            title: title.to_owned(),
            kind: DocKind::Note,
            archived: false,
            aliases: Vec::new(),
        };
        let titles = [
            entry("Welcome"),
            entry("Wiki pages"),
            entry("Linking notes"),
            entry("Tags"),
        ];
        let check =
            |reference: &str, expected: &[&str]| assert_eq!(closest(&titles, reference), expected);
        check("welcom", &["Welcome"]);
        check("wiki page", &["Wiki pages"]);
        check("Linking", &["Linking notes"]);
        check("zzzz", &[]);
    }

    #[test]
    fn mention_context_is_the_line() {
        let text = "first line\nsee the Garden here\nlast";
        let at = text.find("Garden").unwrap();
        let (line, range) = line_around(text, at..at + 6);
        assert_eq!(line, "see the Garden here");
        assert_eq!(&line[range], "Garden");
    }
}
