//! The schema of a note or wiki page as an Automerge document.
//!
//! ```text
//! ROOT
//!   schema:   int        (1)
//!   kind:     str        "note" | "page"
//!   title:    str        last writer wins
//!   folder:   str        "" for the garden's root, "a/b" for a nested folder
//!   path:     str        the file it was imported from ("a/b/Note.md"), "" if none
//!   body:     Text       the markdown, merged character by character
//!   tags:     [str]      tags set on the document (inline #tags live in the body)
//!   created:  timestamp  ms since the Unix epoch
//!   updated:  timestamp  set by every change
//!   archived: bool
//! ```
//!
//! Text positions are Unicode code points (Automerge's default in Rust).
//!
//! Every replica writes as an actor made of the member's id and a random
//! suffix (see [`crate::history`]), so each change says who made it.
//!
//! A document made by another Automerge application can be adopted
//! ([`NoteDoc::adopt`]): its text object (at `body`, or at `text`) becomes
//! the body, and its whole history is kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::history::{BodyEdits, ChangeAuthor, ChangeSummary, actor_for, change_time};
use crate::ids::MemberId;

/// Milliseconds since the Unix epoch.
pub type Timestamp = i64;

const SCHEMA_VERSION: i64 = 1;

static AUTOMERGE_LOADS: AtomicU64 = AtomicU64::new(0);

/// How many Automerge documents this process has loaded from bytes. Lets a
/// test or benchmark prove that a code path (opening a garden, listing notes)
/// loads none.
pub fn automerge_load_count() -> u64 {
    AUTOMERGE_LOADS.load(Ordering::Relaxed)
}

/// A note is a member's own writing; a page is a wiki page with a title unique
/// in its garden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A member's note; titles may repeat.
    Note,
    /// A wiki page; its title is unique in the garden (case-insensitive).
    Page,
}

impl DocKind {
    /// The name stored in the document and the index.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Page => "page",
        }
    }

    /// The kind named `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "note" => Some(Self::Note),
            "page" => Some(Self::Page),
            _ => None,
        }
    }
}

impl std::fmt::Display for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What goes wrong with a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// The bytes are not an Automerge document.
    #[error("the document bytes are not valid automerge data: {0}")]
    Decode(#[source] Box<automerge::AutomergeError>),
    /// The document loads but is not a Loam note or page.
    #[error("the document is not a loam note: {0}")]
    Schema(String),
    /// An edit addressed text outside the body.
    #[error("edit out of range: position {pos} + {delete} deleted exceeds the body length {len}")]
    OutOfRange {
        /// Where the edit starts, in code points.
        pos: usize,
        /// How many code points it deletes.
        delete: usize,
        /// The body's length in code points.
        len: usize,
    },
    /// Reading heads or saving needs the pending edits committed first
    /// (Automerge would otherwise commit them without a time).
    #[error("the document has uncommitted edits; commit them first")]
    Uncommitted,
    /// Automerge refused an operation.
    #[error("automerge refused the change: {0}")]
    Automerge(#[source] Box<automerge::AutomergeError>),
    /// A version was named by a change the document does not have.
    #[error("the document has no change {0}")]
    UnknownChange(ChangeHash),
}

impl From<automerge::AutomergeError> for DocError {
    fn from(e: automerge::AutomergeError) -> Self {
        Self::Automerge(Box::new(e))
    }
}

/// The fields of a document to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDoc {
    /// Note or page.
    pub kind: DocKind,
    /// The title (for a page: unique in its garden).
    pub title: String,
    /// The markdown body.
    pub body: String,
    /// Tags set on the document.
    pub tags: Vec<String>,
    /// Folder path, `""` for the root.
    pub folder: String,
    /// The file it comes from, relative to the imported folder
    /// (`"a/b/Note.md"`), `""` when created in Loam (see [`crate::vault`]).
    pub path: String,
}

impl NewDoc {
    /// A note with this title and body, at the root, without tags.
    pub fn note(title: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            kind: DocKind::Note,
            title: title.into(),
            body: body.into(),
            tags: Vec::new(),
            folder: String::new(),
            path: String::new(),
        }
    }

    /// A page with this title and body, at the root, without tags.
    pub fn page(title: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            kind: DocKind::Page,
            ..Self::note(title, body)
        }
    }
}

/// One edit of the body: delete `delete` code points at `pos`, then insert
/// `insert` there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// Position in code points.
    pub pos: usize,
    /// Code points to delete.
    pub delete: usize,
    /// Text to insert.
    pub insert: String,
}

/// Everything a document says, read out as plain values: what the store
/// materialises and indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSnapshot {
    /// Note or page.
    pub kind: DocKind,
    /// The title.
    pub title: String,
    /// Folder path, `""` for the root.
    pub folder: String,
    /// The file it was imported from (`"a/b/Note.md"`), `""` if none.
    pub path: String,
    /// The markdown body.
    pub body: String,
    /// Tags set on the document (not the inline ones).
    pub tags: Vec<String>,
    /// When it was created.
    pub created: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
    /// Hidden from lists and search, kept in full.
    pub archived: bool,
    /// The Automerge heads this snapshot was read at.
    #[serde(skip)]
    pub heads: Vec<ChangeHash>,
}

/// A note or page: an Automerge document with Loam's schema.
#[derive(Debug)]
pub struct NoteDoc {
    doc: AutoCommit,
    /// The text object holding the body (at `body`, or `text` in an
    /// adopted document).
    body: ObjId,
    /// Who edits through this replica.
    author: MemberId,
    /// The heads of everything already handed out as saved bytes; the next
    /// incremental save holds what came after.
    saved: Vec<ChangeHash>,
    /// The body as a string, kept in step with local edits: reading a long
    /// body out of Automerge costs far more than applying a splice to a copy.
    /// `None` after anything that may change the body in other ways.
    body_text: Option<Mirror>,
    /// The body edits of the pending (uncommitted) operations, counted as
    /// they are made so that storing a change need not decode it; `None`
    /// once an edit was made whose size is not known here.
    pending_edits: Option<BodyEdits>,
    /// The body edits of changes committed here and not yet saved.
    committed_edits: HashMap<ChangeHash, BodyEdits>,
    /// The bytes this replica was loaded from, when it arrived whole from a
    /// peer and is not saved yet, and the heads they hold: stored as they
    /// are, without rebuilding its changes, while nothing else was added.
    adopted: Option<(Vec<u8>, Vec<ChangeHash>)>,
}

/// The changes not yet saved ([`NoteDoc::unsaved`]).
#[derive(Debug, Clone)]
pub struct Unsaved {
    /// The changes as bytes to append to the stored chunks; empty when
    /// there are none.
    pub bytes: Vec<u8>,
    /// The heads after them: what to pass to [`NoteDoc::mark_saved`].
    pub heads: Vec<ChangeHash>,
    /// One summary per change, in the order of `bytes`; empty for the
    /// bytes of a document adopted whole ([`NoteDoc::from_received_whole`]),
    /// whose history is to be read from the document later.
    pub changes: Vec<ChangeSummary>,
}

/// A copy of the body and whether it is all ASCII: only then is a code
/// point position a byte offset, so that a splice applies in O(1) to find.
#[derive(Debug)]
struct Mirror {
    text: String,
    ascii: bool,
}

impl Mirror {
    fn new(text: String) -> Self {
        let ascii = text.is_ascii();
        Self { text, ascii }
    }
}

impl NoteDoc {
    /// A new document holding `new`, created by `author` at `now`
    /// (committed as its first change).
    pub fn create(new: &NewDoc, author: MemberId, now: Timestamp) -> Result<Self, DocError> {
        let mut doc = AutoCommit::new();
        doc.set_actor(actor_for(author));
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        doc.put(ROOT, "kind", new.kind.as_str())?;
        doc.put(ROOT, "title", new.title.as_str())?;
        doc.put(ROOT, "folder", new.folder.as_str())?;
        if !new.path.is_empty() {
            doc.put(ROOT, "path", new.path.as_str())?;
        }
        let body = doc.put_object(ROOT, "body", ObjType::Text)?;
        doc.splice_text(&body, 0, 0, &new.body)?;
        let tags = doc.put_object(ROOT, "tags", ObjType::List)?;
        for (i, tag) in new.tags.iter().enumerate() {
            doc.insert(&tags, i, tag.as_str())?;
        }
        doc.put(ROOT, "created", ScalarValue::Timestamp(now))?;
        doc.put(ROOT, "archived", false)?;
        let mut this = Self {
            doc,
            body,
            author,
            saved: Vec::new(),
            body_text: Some(Mirror::new(new.body.clone())),
            pending_edits: Some(BodyEdits {
                inserted: new.body.chars().count() as u64,
                deleted: 0,
            }),
            committed_edits: HashMap::new(),
            adopted: None,
        };
        this.commit(now, Some("create"));
        Ok(this)
    }

    /// The document saved in `bytes` (a full save, incremental chunks, or
    /// both concatenated), to be edited by `author`.
    pub fn load(bytes: &[u8], author: MemberId) -> Result<Self, DocError> {
        Self::load_chunks([bytes], author)
    }

    /// The document made of these chunks, applied in order, to be edited by
    /// `author`.
    pub fn load_chunks<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
        author: MemberId,
    ) -> Result<Self, DocError> {
        let this = Self::load_any(chunks, author)?;
        this.check_schema()?;
        Ok(this)
    }

    /// Whether `doc` (built up by Automerge sync from nothing) has Loam's
    /// fields yet: a text body, a known kind and a title.
    pub fn has_fields(doc: &AutoCommit) -> bool {
        let str_at = |key: &str| match doc.get(ROOT, key) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Str(s) => Some(s.to_string()),
                _ => None,
            },
            _ => None,
        };
        find_body(doc).is_ok()
            && str_at("kind").is_some_and(|k| DocKind::parse(&k).is_some())
            && str_at("title").is_some()
    }

    /// A document that arrived from a peer (built up by Automerge sync from
    /// nothing), to be edited by `author`: nothing of it is saved yet, so
    /// [`NoteDoc::unsaved`] hands out every change. Fails while it does
    /// not have Loam's fields ([`NoteDoc::has_fields`]).
    pub fn from_received(mut doc: AutoCommit, author: MemberId) -> Result<Self, DocError> {
        let body = find_body(&doc)?;
        doc.set_actor(actor_for(author));
        let this = Self {
            doc,
            body,
            author,
            saved: Vec::new(),
            body_text: None,
            pending_edits: Some(BodyEdits::default()),
            committed_edits: HashMap::new(),
            adopted: None,
        };
        this.check_schema()?;
        Ok(this)
    }

    /// [`NoteDoc::from_received`] of a document a peer sent whole, loaded
    /// from exactly `bytes` (and nothing applied since): the first
    /// [`NoteDoc::unsaved`] hands out `bytes` as they are, without
    /// summaries, instead of rebuilding every change from the document
    /// (which costs as much as loading it again).
    pub fn from_received_whole(
        doc: AutoCommit,
        bytes: Vec<u8>,
        author: MemberId,
    ) -> Result<Self, DocError> {
        let mut this = Self::from_received(doc, author)?;
        let heads = this.doc.get_heads();
        this.adopted = Some((bytes, heads));
        Ok(this)
    }

    /// Any Automerge document with a text object at `body` or `text`, its
    /// other fields unchecked.
    fn load_any<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
        author: MemberId,
    ) -> Result<Self, DocError> {
        AUTOMERGE_LOADS.fetch_add(1, Ordering::Relaxed);
        let mut doc = AutoCommit::new();
        for chunk in chunks {
            doc.load_incremental(chunk)
                .map_err(|e| DocError::Decode(Box::new(e)))?;
        }
        // A fresh actor per loaded replica: two processes writing the same
        // document never reuse a sequence number.
        doc.set_actor(actor_for(author));
        let body = find_body(&doc)?;
        let saved = doc.get_heads();
        Ok(Self {
            doc,
            body,
            author,
            saved,
            body_text: None,
            pending_edits: Some(BodyEdits::default()),
            committed_edits: HashMap::new(),
            adopted: None,
        })
    }

    /// Adopt a document another Automerge application made: its text
    /// object at `body` (or, failing that, at `text`) becomes the body, and
    /// Loam's fields are added in one new change by `author` at `now`. Its
    /// whole history is kept. `created` is the time of its first change
    /// (or `now` when its changes carry no time).
    pub fn adopt(
        bytes: &[u8],
        title: &str,
        kind: DocKind,
        author: MemberId,
        now: Timestamp,
    ) -> Result<Self, DocError> {
        let mut this = Self::load_any([bytes], author)?;
        let created = this
            .doc
            .get_changes_meta(&[])
            .iter()
            .map(|c| change_time(c.timestamp))
            .filter(|t| *t > 0)
            .min()
            .unwrap_or(now);
        let doc = &mut this.doc;
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        doc.put(ROOT, "kind", kind.as_str())?;
        doc.put(ROOT, "title", title)?;
        if !matches!(doc.get(ROOT, "folder")?, Some((Value::Scalar(_), _))) {
            doc.put(ROOT, "folder", "")?;
        }
        if !matches!(
            doc.get(ROOT, "tags")?,
            Some((Value::Object(ObjType::List), _))
        ) {
            doc.put_object(ROOT, "tags", ObjType::List)?;
        }
        doc.put(ROOT, "created", ScalarValue::Timestamp(created))?;
        doc.put(ROOT, "archived", false)?;
        this.commit(now, Some("adopt"));
        this.check_schema()?;
        Ok(this)
    }

    fn check_schema(&self) -> Result<(), DocError> {
        match self.get_str("kind")? {
            Some(kind) if DocKind::parse(&kind).is_some() => {}
            Some(kind) => return Err(DocError::Schema(format!("unknown kind `{kind}`"))),
            None => return Err(DocError::Schema("`kind` is missing".into())),
        }
        if self.get_str("title")?.is_none() {
            return Err(DocError::Schema("`title` is missing".into()));
        }
        Ok(())
    }

    fn get_scalar(&self, key: &str) -> Result<Option<ScalarValue>, DocError> {
        Ok(match self.doc.get(ROOT, key)? {
            Some((Value::Scalar(s), _)) => Some(s.into_owned()),
            _ => None,
        })
    }

    fn get_str(&self, key: &str) -> Result<Option<String>, DocError> {
        Ok(match self.get_scalar(key)? {
            Some(ScalarValue::Str(s)) => Some(s.to_string()),
            _ => None,
        })
    }

    /// A time field; when concurrent changes set it (a merge), the latest.
    fn get_time(&self, key: &str) -> Result<Timestamp, DocError> {
        let latest = self
            .doc
            .get_all(ROOT, key)?
            .into_iter()
            .filter_map(|(value, _)| match value {
                Value::Scalar(s) => match s.as_ref() {
                    ScalarValue::Timestamp(t) | ScalarValue::Int(t) => Some(*t),
                    _ => None,
                },
                Value::Object(_) => None,
            })
            .max();
        Ok(latest.unwrap_or(0))
    }

    /// The body's markdown.
    pub fn text(&mut self) -> Result<String, DocError> {
        if let Some(mirror) = &self.body_text {
            return Ok(mirror.text.clone());
        }
        let text = self.doc.text(&self.body)?;
        self.body_text = Some(Mirror::new(text.clone()));
        Ok(text)
    }

    /// The body's length in code points.
    pub fn len_chars(&self) -> usize {
        self.doc.length(&self.body)
    }

    /// Delete `delete` code points at `pos` and insert `insert` there.
    /// Uncommitted until [`NoteDoc::commit`].
    pub fn splice(&mut self, pos: usize, delete: usize, insert: &str) -> Result<(), DocError> {
        let len = self.len_chars();
        if pos.checked_add(delete).is_none_or(|end| end > len) {
            return Err(DocError::OutOfRange { pos, delete, len });
        }
        let del = isize::try_from(delete).map_err(|_| DocError::OutOfRange { pos, delete, len })?;
        self.doc.splice_text(&self.body, pos, del, insert)?;
        if let Some(edits) = &mut self.pending_edits {
            edits.inserted += insert.chars().count() as u64;
            edits.deleted += delete as u64;
        }
        // Only while the body is ASCII is a code point position a byte
        // offset; otherwise finding the offset costs a scan per keystroke,
        // and reading the body afresh once when it is needed costs less.
        match &mut self.body_text {
            Some(mirror) if mirror.ascii && insert.is_ascii() => {
                mirror.text.replace_range(pos..pos + delete, insert)
            }
            _ => self.body_text = None,
        }
        Ok(())
    }

    /// Undo what `changes` did to the body, as new edits after every other
    /// change (see [`crate::community::revert_edits`]): the characters
    /// they inserted go, the ones they deleted come back. Uncommitted until
    /// [`NoteDoc::commit`]. Returns the code points deleted and inserted.
    pub fn revert_changes(&mut self, changes: &[ChangeHash]) -> Result<(usize, usize), DocError> {
        let body = self.body.clone();
        let edits = crate::community::revert_edits(&mut self.doc, &body, changes)
            .map_err(|e| DocError::Schema(e.to_string()))?;
        let (mut deleted, mut inserted) = (0, 0);
        for e in edits {
            self.splice(e.pos, e.delete, &e.insert)?;
            deleted += e.delete;
            inserted += e.insert.chars().count();
        }
        Ok((deleted, inserted))
    }

    /// Make the body `new`, as the smallest edits Automerge finds (a diff),
    /// so that concurrent edits elsewhere in the text still merge.
    pub fn replace_text(&mut self, new: &str) -> Result<(), DocError> {
        self.doc.update_text(&self.body, new)?;
        self.pending_edits = None;
        self.body_text = Some(Mirror::new(new.to_owned()));
        Ok(())
    }

    /// Make the body `new` as an edit of the version at `base` (heads read
    /// earlier), committed at `now` and merged with whatever changed since:
    /// a member who edited an old copy (in an external editor, say) undoes
    /// nobody else's edits. Returns false when `new` equals the text at
    /// `base` (nothing to do). Commit pending edits first.
    pub fn replace_text_since(
        &mut self,
        base: &[ChangeHash],
        new: &str,
        now: Timestamp,
    ) -> Result<bool, DocError> {
        Ok(self.replace_text_from(base, new, now, None)?.is_some())
    }

    /// [`NoteDoc::replace_text_since`], committed with `message`, returning
    /// the heads of the version made on top of `base` before the merge: the
    /// version whose text is exactly `new` (an import remembers them, to diff
    /// the next version of the file against). `None` when `new` equals the
    /// text at `base`.
    pub fn replace_text_from(
        &mut self,
        base: &[ChangeHash],
        new: &str,
        now: Timestamp,
        message: Option<&str>,
    ) -> Result<Option<Vec<ChangeHash>>, DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        let mut fork = self.doc.fork_at(base)?;
        // A fork writes as a new actor of the same member.
        fork.set_actor(actor_for(self.author));
        if fork.text(&self.body)? == new {
            return Ok(None);
        }
        fork.update_text(&self.body, new)?;
        fork.put(ROOT, "updated", ScalarValue::Timestamp(now))?;
        let mut options = CommitOptions::default().with_time(now);
        if let Some(message) = message {
            options = options.with_message(message);
        }
        fork.commit_with(options);
        let made = fork.get_heads();
        self.doc.merge(&mut fork)?;
        self.body_text = None;
        Ok(Some(made))
    }

    /// Set the title.
    pub fn set_title(&mut self, title: &str) -> Result<(), DocError> {
        self.doc.put(ROOT, "title", title)?;
        Ok(())
    }

    /// Set the kind.
    pub fn set_kind(&mut self, kind: DocKind) -> Result<(), DocError> {
        self.doc.put(ROOT, "kind", kind.as_str())?;
        Ok(())
    }

    /// Set the folder path.
    pub fn set_folder(&mut self, folder: &str) -> Result<(), DocError> {
        self.doc.put(ROOT, "folder", folder)?;
        Ok(())
    }

    /// Set the file the document maps to in an imported folder (`""`: none).
    pub fn set_path(&mut self, path: &str) -> Result<(), DocError> {
        self.doc.put(ROOT, "path", path)?;
        Ok(())
    }

    /// Replace the document's tags.
    pub fn set_tags(&mut self, tags: &[String]) -> Result<(), DocError> {
        let list = self.doc.put_object(ROOT, "tags", ObjType::List)?;
        for (i, tag) in tags.iter().enumerate() {
            self.doc.insert(&list, i, tag.as_str())?;
        }
        Ok(())
    }

    /// Archive (hide) or restore the document.
    pub fn set_archived(&mut self, archived: bool) -> Result<(), DocError> {
        self.doc.put(ROOT, "archived", archived)?;
        Ok(())
    }

    /// Whether there are edits not yet committed.
    pub fn has_pending(&self) -> bool {
        self.doc.pending_ops() > 0
    }

    /// Commit pending edits as one change at `now`, setting `updated`.
    /// Returns the change's hash, or `None` when nothing was pending.
    pub fn commit(&mut self, now: Timestamp, message: Option<&str>) -> Option<ChangeHash> {
        if !self.has_pending() {
            return None;
        }
        // Cannot fail: ROOT always exists and the value is a scalar.
        let _ = self.doc.put(ROOT, "updated", ScalarValue::Timestamp(now));
        let mut options = CommitOptions::default().with_time(now);
        if let Some(message) = message {
            options = options.with_message(message);
        }
        let hash = self.doc.commit_with(options);
        let edits = self.pending_edits.replace(BodyEdits::default());
        if let (Some(hash), Some(edits)) = (hash, edits) {
            self.committed_edits.insert(hash, edits);
        }
        hash
    }

    /// A full, compacted save of the document. Commit first: pending edits
    /// would otherwise be committed without a time.
    pub fn save(&mut self) -> Result<Vec<u8>, DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        let bytes = self.doc.save();
        self.saved = self.doc.get_heads();
        Ok(bytes)
    }

    /// The changes committed since this replica was loaded or last saved
    /// (fully or incrementally); empty when there are none. Commit first.
    pub fn save_incremental(&mut self) -> Result<Vec<u8>, DocError> {
        let unsaved = self.unsaved()?;
        self.mark_saved(unsaved.heads);
        Ok(unsaved.bytes)
    }

    /// Like [`NoteDoc::save_incremental`], but the changes count as saved only
    /// once [`NoteDoc::mark_saved`] is called with the heads returned here:
    /// if storing the bytes fails, the next call returns them again. Each
    /// change comes with its summary; the cost is proportional to the
    /// changes, not to the document (changes made through this replica's
    /// splices are not even decoded).
    pub fn unsaved(&mut self) -> Result<Unsaved, DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        if let Some((bytes, heads)) = &self.adopted
            && self.saved.is_empty()
            && *heads == self.doc.get_heads()
        {
            return Ok(Unsaved {
                bytes: bytes.clone(),
                heads: heads.clone(),
                changes: Vec::new(),
            });
        }
        let changes = self.doc.get_changes(&self.saved);
        let mut bytes = Vec::new();
        let mut summaries = Vec::with_capacity(changes.len());
        for change in &changes {
            bytes.extend_from_slice(change.raw_bytes());
            let known = self.committed_edits.get(&change.hash()).copied();
            debug_assert!(
                known.is_none_or(|k| k == crate::history::body_edits(change, &self.body)),
                "the body edits counted while editing equal the change's operations"
            );
            summaries.push(ChangeSummary::of(change, &self.body, known));
        }
        Ok(Unsaved {
            bytes,
            heads: self.doc.get_heads(),
            changes: summaries,
        })
    }

    /// [`NoteDoc::unsaved`] for a document just made by [`NoteDoc::create`]
    /// and not saved yet: a full save instead of its one change's bytes, and
    /// the change's summary from what `create` knows. Building the change's
    /// bytes costs Automerge about as much as the create did; a full save of
    /// a new document costs almost nothing (an import creates thousands).
    /// Any other document gets [`NoteDoc::unsaved`].
    pub fn unsaved_new(&mut self) -> Result<Unsaved, DocError> {
        let heads = self.doc.get_heads();
        let fresh = self.saved.is_empty() && !self.has_pending() && self.committed_edits.len() == 1;
        let (true, [hash]) = (fresh, heads.as_slice()) else {
            return self.unsaved();
        };
        let Some(edits) = self.committed_edits.get(hash).copied() else {
            return self.unsaved();
        };
        let summary = ChangeSummary {
            hash: *hash,
            author: ChangeAuthor::of(self.doc.get_actor()),
            seq: 1,
            time: change_time(self.get_time("created")?),
            inserted: edits.inserted,
            deleted: edits.deleted,
        };
        debug_assert_eq!(
            Some(&summary),
            self.unsaved().ok().as_ref().and_then(|u| u.changes.first()),
            "the summary of a new document's change is the one Automerge gives"
        );
        Ok(Unsaved {
            bytes: self.doc.save(),
            heads,
            changes: vec![summary],
        })
    }

    /// Record that everything up to `heads` is stored.
    pub fn mark_saved(&mut self, heads: Vec<ChangeHash>) {
        self.adopted = None;
        self.saved = heads;
        self.committed_edits.clear();
    }

    /// The underlying Automerge document (for sync and history).
    pub fn automerge(&mut self) -> &mut AutoCommit {
        // The caller may merge or apply changes: read the body afresh.
        self.body_text = None;
        self.pending_edits = None;
        &mut self.doc
    }

    /// The summary of every change in the document, in causal order (an
    /// ancestor before its descendants): its whole history. Commit first.
    pub fn history(&mut self) -> Result<Vec<ChangeSummary>, DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        Ok(self
            .doc
            .get_changes(&[])
            .iter()
            .map(|c| {
                let known = self.committed_edits.get(&c.hash()).copied();
                ChangeSummary::of(c, &self.body, known)
            })
            .collect())
    }

    /// Whether the document has the change `hash`.
    pub fn has_change(&mut self, hash: &ChangeHash) -> bool {
        self.doc.get_change_by_hash(hash).is_some()
    }

    /// The body as it was at `heads` (as read from [`NoteDoc::heads_at`] or
    /// a [`DocSnapshot`]).
    pub fn text_at(&mut self, heads: &[ChangeHash]) -> Result<String, DocError> {
        if let Some(unknown) = heads.iter().find(|h| !self.has_change(h)) {
            return Err(DocError::UnknownChange(*unknown));
        }
        Ok(self.doc.text_at(&self.body, heads)?)
    }

    /// The heads of the version as of `time`: every change made at or
    /// before it (by [`change_time`]), and what those build on. Empty when
    /// no change is that old. Commit first.
    pub fn heads_at(&mut self, time: Timestamp) -> Result<Vec<ChangeHash>, DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        let metas = self.doc.get_changes_meta(&[]);
        let index: HashMap<ChangeHash, usize> =
            metas.iter().enumerate().map(|(i, m)| (m.hash, i)).collect();
        let mut included = vec![false; metas.len()];
        let mut stack: Vec<usize> = (0..metas.len())
            .filter(|&i| change_time(metas[i].timestamp) <= time)
            .collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut included[i], true) {
                continue;
            }
            stack.extend(metas[i].deps.iter().filter_map(|d| index.get(d)));
        }
        let mut is_dep = vec![false; metas.len()];
        for (i, meta) in metas.iter().enumerate() {
            if included[i] {
                for dep in &meta.deps {
                    if let Some(&d) = index.get(dep) {
                        is_dep[d] = true;
                    }
                }
            }
        }
        let mut heads: Vec<ChangeHash> = (0..metas.len())
            .filter(|&i| included[i] && !is_dep[i])
            .map(|i| metas[i].hash)
            .collect();
        heads.sort();
        Ok(heads)
    }

    /// Apply saved bytes (a save or incremental chunks) from elsewhere, such
    /// as another process writing the same garden. Commit pending edits first.
    pub fn apply_chunk(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        self.body_text = None;
        self.doc
            .load_incremental(bytes)
            .map_err(|e| DocError::Decode(Box::new(e)))?;
        Ok(())
    }

    /// Every field read out as plain values. Commit first.
    pub fn snapshot(&mut self) -> Result<DocSnapshot, DocError> {
        if self.has_pending() {
            return Err(DocError::Uncommitted);
        }
        let kind = self
            .get_str("kind")?
            .and_then(|k| DocKind::parse(&k))
            .unwrap_or(DocKind::Note);
        let tags = match self.doc.get(ROOT, "tags")? {
            Some((Value::Object(ObjType::List), list)) => self
                .doc
                .values(&list)
                .filter_map(|(v, _)| match v {
                    Value::Scalar(s) => match s.as_ref() {
                        ScalarValue::Str(s) => Some(s.to_string()),
                        _ => None,
                    },
                    Value::Object(_) => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let created = self.get_time("created")?;
        Ok(DocSnapshot {
            kind,
            title: self.get_str("title")?.unwrap_or_default(),
            folder: self.get_str("folder")?.unwrap_or_default(),
            path: self.get_str("path")?.unwrap_or_default(),
            body: self.text()?,
            tags,
            created,
            updated: self.get_time("updated")?.max(created),
            archived: matches!(
                self.get_scalar("archived")?,
                Some(ScalarValue::Boolean(true))
            ),
            heads: self.doc.get_heads(),
        })
    }
}

/// The body of `doc`: the text object at `body`, else the one at `text`
/// (where other applications, like Automerge's own examples, keep it).
fn find_body(doc: &AutoCommit) -> Result<ObjId, DocError> {
    let mut found = None;
    for key in ["body", "text"] {
        match doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::Text), id)) => return Ok(id),
            Some(_) if found.is_none() => found = Some(key),
            _ => {}
        }
    }
    Err(DocError::Schema(match found {
        Some(key) => format!("`{key}` is not text"),
        None => "`body` is missing".into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::ChangeAuthor;

    const T0: Timestamp = 1_763_600_000_000;
    const ME: MemberId = MemberId::from_bytes([1; 32]);

    #[test]
    fn create_save_load_round_trip() {
        let mut doc = NoteDoc::create(
            &NewDoc {
                tags: vec!["garden".into()],
                ..NewDoc::page("Welcome", "Hello")
            },
            ME,
            T0,
        )
        .unwrap();
        let bytes = doc.save().unwrap();
        let before = automerge_load_count();
        let mut loaded = NoteDoc::load(&bytes, ME).unwrap();
        assert!(automerge_load_count() > before);
        let snap = loaded.snapshot().unwrap();
        assert_eq!(snap.kind, DocKind::Page);
        assert_eq!(snap.title, "Welcome");
        assert_eq!(snap.body, "Hello");
        assert_eq!(snap.tags, vec!["garden".to_owned()]);
        assert_eq!((snap.created, snap.updated), (T0, T0));
        assert!(!snap.archived);
    }

    #[test]
    fn a_new_document_saves_whole_with_the_summary_of_its_change() {
        let new = NewDoc::page("Fresh", "héllo 🌱");
        let member = MemberId::from_bytes([3; 32]);
        let mut fast = NoteDoc::create(&new, member, T0).unwrap();
        let quick = fast.unsaved_new().unwrap();
        let mut slow = NoteDoc::create(&new, member, T0).unwrap();
        let full = slow.unsaved().unwrap();
        assert_eq!(quick.changes.len(), 1);
        let (q, f) = (&quick.changes[0], &full.changes[0]);
        assert_eq!(
            (&q.author, q.seq, q.time, q.inserted, q.deleted),
            (&f.author, f.seq, f.time, f.inserted, f.deleted)
        );
        assert_eq!(q.hash, quick.heads[0]);
        let mut loaded = NoteDoc::load(&quick.bytes, member).unwrap();
        assert_eq!(loaded.text().unwrap(), "héllo 🌱");
        assert_eq!(loaded.automerge().get_heads(), quick.heads);
        // Once saved, or edited, it is an ordinary document.
        fast.mark_saved(quick.heads);
        fast.splice(0, 1, "H").unwrap();
        fast.commit(T0 + 1, None);
        assert_eq!(fast.unsaved_new().unwrap().changes.len(), 1);
        assert_eq!(fast.unsaved_new().unwrap().changes[0].inserted, 1);
    }

    #[test]
    fn every_change_carries_its_time() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", "abc"), ME, T0).unwrap();
        doc.splice(3, 0, "def").unwrap();
        assert!(doc.commit(T0 + 5, None).is_some());
        assert_eq!(doc.commit(T0 + 9, None), None, "nothing pending, no change");
        let snap = doc.snapshot().unwrap();
        assert_eq!(snap.body, "abcdef");
        assert_eq!(snap.updated, T0 + 5);
        let times: Vec<i64> = doc
            .automerge()
            .get_changes(&[])
            .iter()
            .map(|c| c.timestamp())
            .collect();
        assert_eq!(times, vec![T0, T0 + 5]);
    }

    #[test]
    fn splice_counts_code_points_and_checks_bounds() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", "héllo 🌱"), ME, T0).unwrap();
        assert_eq!(doc.len_chars(), 7);
        doc.splice(6, 1, "🌿!").unwrap();
        assert_eq!(doc.text().unwrap(), "héllo 🌿!");
        let err = doc.splice(5, 9, "").unwrap_err();
        assert!(
            matches!(
                err,
                DocError::OutOfRange {
                    pos: 5,
                    delete: 9,
                    len: 8
                }
            ),
            "{err}"
        );
        assert!(matches!(
            doc.splice(usize::MAX, 1, ""),
            Err(DocError::OutOfRange { .. })
        ));
    }

    #[test]
    fn concurrent_replace_text_merges() {
        let mut a = NoteDoc::create(&NewDoc::note("n", "one two three"), ME, T0).unwrap();
        let mut b = NoteDoc::load(&a.save().unwrap(), ME).unwrap();
        a.replace_text("ONE two three").unwrap();
        a.commit(T0 + 1, None);
        b.replace_text("one two THREE").unwrap();
        b.commit(T0 + 2, None);
        a.automerge().merge(b.automerge()).unwrap();
        assert_eq!(a.text().unwrap(), "ONE two THREE");
        let mut c = NoteDoc::load(&b.save().unwrap(), ME).unwrap();
        c.splice(0, 0, ">").unwrap();
        c.commit(T0 + 3, None);
        a.apply_chunk(&c.save_incremental().unwrap()).unwrap();
        assert_eq!(a.text().unwrap(), ">ONE two THREE");
    }

    #[test]
    fn an_edit_of_an_old_version_keeps_later_edits() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", "one two three"), ME, T0).unwrap();
        let base = doc.automerge().get_heads();
        doc.splice(0, 3, "ONE").unwrap();
        doc.commit(T0 + 1, None);
        assert!(doc.replace_text_since(&base, "one two 3", T0 + 2).unwrap());
        assert_eq!(doc.text().unwrap(), "ONE two 3");
        assert!(
            !doc.replace_text_since(&base, "one two three", T0 + 3)
                .unwrap()
        );
        assert_eq!(doc.snapshot().unwrap().updated, T0 + 2);
        let made = doc
            .replace_text_from(&base, "one 2 three", T0 + 3, Some("import"))
            .unwrap()
            .unwrap();
        assert_eq!(doc.text().unwrap(), "ONE 2 3");
        let at_made = doc.automerge().fork_at(&made).unwrap();
        let body = at_made.get(ROOT, "body").unwrap().unwrap().1;
        assert_eq!(at_made.text(&body).unwrap(), "one 2 three");
        let unknown = [ChangeHash([7; 32])];
        assert!(doc.replace_text_since(&unknown, "x", T0 + 4).is_err());
    }

    #[test]
    fn fields_can_change() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", ""), ME, T0).unwrap();
        doc.set_title("New").unwrap();
        doc.set_kind(DocKind::Page).unwrap();
        doc.set_folder("a/b").unwrap();
        doc.set_path("a/b/New.md").unwrap();
        doc.set_tags(&["x".into(), "y".into()]).unwrap();
        doc.set_archived(true).unwrap();
        doc.commit(T0 + 1, Some("edit"));
        let snap = NoteDoc::load(&doc.save().unwrap(), ME)
            .unwrap()
            .snapshot()
            .unwrap();
        assert_eq!(
            (snap.title.as_str(), snap.kind, snap.folder.as_str()),
            ("New", DocKind::Page, "a/b")
        );
        assert_eq!(snap.path, "a/b/New.md");
        assert_eq!(snap.tags, vec!["x".to_owned(), "y".to_owned()]);
        assert!(snap.archived);
    }

    #[test]
    fn garbage_and_foreign_documents_are_errors() {
        assert!(matches!(
            NoteDoc::load(b"not automerge", ME),
            Err(DocError::Decode(_))
        ));
        let mut foreign = AutoCommit::new();
        foreign.put(ROOT, "text", "hi").unwrap();
        assert!(matches!(
            NoteDoc::load(&foreign.save(), ME),
            Err(DocError::Schema(_))
        ));
    }

    #[test]
    fn chunks_load_in_order() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", "a"), ME, T0).unwrap();
        let first = doc.save_incremental().unwrap();
        doc.splice(1, 0, "b").unwrap();
        doc.commit(T0 + 1, None);
        let second = doc.save_incremental().unwrap();
        let mut loaded = NoteDoc::load_chunks([first.as_slice(), second.as_slice()], ME).unwrap();
        assert_eq!(loaded.text().unwrap(), "ab");
        assert!(
            loaded.save_incremental().unwrap().is_empty(),
            "a fresh replica has nothing new to save"
        );
        loaded.splice(2, 0, "c").unwrap();
        loaded.commit(T0 + 2, None);
        let third = loaded.save_incremental().unwrap();
        assert!(
            third.len() < first.len() + second.len(),
            "only the new change is saved"
        );
        let mut again =
            NoteDoc::load_chunks([first.as_slice(), second.as_slice(), third.as_slice()], ME)
                .unwrap();
        assert_eq!(again.text().unwrap(), "abc");
    }

    #[test]
    fn every_change_names_its_member() {
        let other = MemberId::from_bytes([2; 32]);
        let mut a = NoteDoc::create(&NewDoc::note("n", "one"), ME, T0).unwrap();
        let mut b = NoteDoc::load(&a.save().unwrap(), other).unwrap();
        b.splice(3, 0, " two").unwrap();
        b.commit(T0 + 1, None);
        a.apply_chunk(&b.save_incremental().unwrap()).unwrap();
        let base = a.automerge().get_heads();
        assert!(a.replace_text_since(&base, "one 2", T0 + 2).unwrap());
        let authors: Vec<Option<MemberId>> = a
            .history()
            .unwrap()
            .iter()
            .map(|c| c.author.member())
            .collect();
        assert_eq!(authors, vec![Some(ME), Some(other), Some(ME)]);
    }

    #[test]
    fn unsaved_changes_come_with_their_summaries() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", "héllo"), ME, T0).unwrap();
        let first = doc.unsaved().unwrap();
        assert_eq!(first.changes.len(), 1);
        assert_eq!(
            (first.changes[0].inserted, first.changes[0].deleted),
            (5, 0)
        );
        assert_eq!(first.changes[0].time, T0);
        doc.mark_saved(first.heads);
        doc.splice(1, 1, "e🌱").unwrap();
        doc.commit(T0 + 1, None);
        doc.replace_text("hello world").unwrap();
        doc.commit(T0 + 2, None);
        let next = doc.unsaved().unwrap();
        let edits: Vec<(u64, u64)> = next
            .changes
            .iter()
            .map(|c| (c.inserted, c.deleted))
            .collect();
        assert_eq!(edits, vec![(2, 1), (6, 1)]);
        assert_eq!(next.changes[1].author, ChangeAuthor::Member(ME));
        doc.mark_saved(next.heads);
        assert!(doc.unsaved().unwrap().changes.is_empty());
        assert_eq!(doc.history().unwrap().len(), 3);
    }

    #[test]
    fn a_document_received_whole_is_saved_as_the_bytes_it_came_in() {
        let mut sent = NoteDoc::create(&NewDoc::note("n", "from afar"), ME, T0).unwrap();
        let bytes = sent.automerge().save();
        let loaded = AutoCommit::load(&bytes).unwrap();
        let mut doc = NoteDoc::from_received_whole(loaded, bytes.clone(), ME).unwrap();
        let first = doc.unsaved().unwrap();
        assert_eq!(first.bytes, bytes);
        assert!(first.changes.is_empty(), "history is read later");
        assert_eq!(first.heads, sent.automerge().get_heads());
        doc.mark_saved(first.heads);
        assert!(doc.unsaved().unwrap().bytes.is_empty());

        // Changed before it was saved: its changes are handed out as usual.
        let loaded = AutoCommit::load(&bytes).unwrap();
        let mut doc = NoteDoc::from_received_whole(loaded, bytes.clone(), ME).unwrap();
        doc.replace_text("from afar, edited").unwrap();
        doc.commit(T0 + 1, None);
        let unsaved = doc.unsaved().unwrap();
        assert_eq!(unsaved.changes.len(), 2);
        assert_ne!(unsaved.bytes, bytes);
    }

    #[test]
    fn old_versions_by_heads_and_by_time() {
        let mut doc = NoteDoc::create(&NewDoc::note("n", "one"), ME, T0).unwrap();
        let v1 = doc.automerge().get_heads();
        doc.splice(3, 0, " two").unwrap();
        doc.commit(T0 + 10, None);
        doc.splice(0, 3, "ONE").unwrap();
        doc.commit(T0 + 20, None);
        assert_eq!(doc.text_at(&v1).unwrap(), "one");
        assert_eq!(doc.heads_at(T0 - 1).unwrap(), Vec::<ChangeHash>::new());
        assert_eq!(doc.heads_at(T0 + 9).unwrap(), v1);
        let at = doc.heads_at(T0 + 10).unwrap();
        assert_eq!(doc.text_at(&at).unwrap(), "one two");
        let now = doc.heads_at(T0 + 1000).unwrap();
        assert_eq!(doc.text_at(&now).unwrap(), "ONE two");
        let unknown = ChangeHash([9; 32]);
        assert!(matches!(
            doc.text_at(&[unknown]),
            Err(DocError::UnknownChange(h)) if h == unknown
        ));
    }

    #[test]
    fn a_concurrent_version_includes_what_it_builds_on() {
        let other = MemberId::from_bytes([2; 32]);
        let mut a = NoteDoc::create(&NewDoc::note("n", "x"), ME, T0).unwrap();
        let mut b = NoteDoc::load(&a.save().unwrap(), other).unwrap();
        a.splice(1, 0, "a").unwrap();
        a.commit(T0 + 5, None);
        b.splice(0, 0, "b").unwrap();
        b.commit(T0 + 6, None);
        a.apply_chunk(&b.save_incremental().unwrap()).unwrap();
        let heads = a.heads_at(T0 + 6).unwrap();
        assert_eq!(heads.len(), 2, "two concurrent heads");
        assert_eq!(a.text_at(&heads).unwrap(), "bxa");
        let earlier = a.heads_at(T0 + 5).unwrap();
        assert_eq!(a.text_at(&earlier).unwrap(), "xa");
    }

    #[test]
    fn a_foreign_document_is_adopted_with_its_history() {
        let mut foreign = AutoCommit::new();
        let text = foreign.put_object(ROOT, "text", ObjType::Text).unwrap();
        foreign.splice_text(&text, 0, 0, "hello").unwrap();
        foreign.commit_with(CommitOptions::default().with_time(1_631_790_616));
        foreign.splice_text(&text, 5, 0, "!").unwrap();
        foreign.commit_with(CommitOptions::default().with_time(1_631_790_700));
        let bytes = foreign.save();
        let mut doc = NoteDoc::adopt(&bytes, "Greeting", DocKind::Page, ME, T0).unwrap();
        let snap = doc.snapshot().unwrap();
        assert_eq!(snap.body, "hello!");
        assert_eq!(
            (snap.title.as_str(), snap.kind),
            ("Greeting", DocKind::Page)
        );
        assert_eq!(snap.created, 1_631_790_616_000, "the first change's time");
        assert_eq!(snap.updated, T0);
        let history = doc.history().unwrap();
        let summary: Vec<(bool, Timestamp, u64)> = history
            .iter()
            .map(|c| (c.author.member().is_some(), c.time, c.inserted))
            .collect();
        assert_eq!(
            summary,
            vec![
                (false, 1_631_790_616_000, 5),
                (false, 1_631_790_700_000, 1),
                (true, T0, 0)
            ]
        );
        // It loads as a note from then on, its body still at `text`.
        let mut loaded = NoteDoc::load(&doc.save().unwrap(), ME).unwrap();
        loaded.splice(0, 0, "oh, ").unwrap();
        loaded.commit(T0 + 1, None);
        assert_eq!(loaded.text().unwrap(), "oh, hello!");

        let mut no_text = AutoCommit::new();
        no_text.put(ROOT, "text", "not a text object").unwrap();
        let err = NoteDoc::adopt(&no_text.save(), "t", DocKind::Note, ME, T0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the document is not a loam note: `text` is not text"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// The body kept in step with splices always equals Automerge's text.
        #[test]
        fn body_mirror_follows_splices(
            edits in proptest::collection::vec((0usize..40, 0usize..4, "[a-zé🌱\\n]{0,5}"), 0..40)
        ) {
            let mut doc = NoteDoc::create(&NewDoc::note("n", "start ü🌱 text"), ME, T0).unwrap();
            for (pos, delete, insert) in edits {
                let len = doc.len_chars();
                let pos = pos.min(len);
                let delete = delete.min(len - pos);
                doc.splice(pos, delete, &insert).unwrap();
            }
            let mirrored = doc.text().unwrap();
            let body = doc.body.clone();
            let fresh = doc.automerge().text(&body).unwrap();
            proptest::prop_assert_eq!(mirrored, fresh);
        }

        /// The body edits counted while editing are what decoding the
        /// change's operations finds.
        #[test]
        fn counted_edits_equal_decoded_ones(
            commits in proptest::collection::vec(
                proptest::collection::vec((0usize..40, 0usize..4, "[a-zé🌱\\n]{0,5}", proptest::bool::ANY), 0..6),
                1..8,
            )
        ) {
            let mut doc = NoteDoc::create(&NewDoc::note("n", "start ü🌱 text"), ME, T0).unwrap();
            for (i, edits) in commits.into_iter().enumerate() {
                for (pos, delete, insert, retitle) in edits {
                    let len = doc.len_chars();
                    let pos = pos.min(len);
                    let delete = delete.min(len - pos);
                    doc.splice(pos, delete, &insert).unwrap();
                    if retitle {
                        doc.set_title(&insert).unwrap();
                    }
                }
                doc.commit(T0 + i as i64, None);
            }
            let counted = doc.unsaved().unwrap().changes;
            doc.committed_edits.clear();
            let decoded = doc.unsaved().unwrap().changes;
            proptest::prop_assert_eq!(counted, decoded);
        }
    }
}
