//! Reverting one member's changes to a text, as a new change: the edits
//! that take out what their changes inserted (and is still there) and put
//! back what their changes deleted (unless they had inserted it
//! themselves), leaving everyone else's edits, before and after, in place.
//!
//! Each change is replayed with Automerge's `diff` from its dependencies
//! to itself; the characters it touched are followed by cursors (which
//! name a character, not a position) into the current text.

use std::collections::{HashMap, HashSet};

use automerge::{AutoCommit, ChangeHash, Cursor, ObjId, PatchAction, ReadDoc};

use super::CommunityError;

/// One edit of the revert, in code points of the current text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevertEdit {
    /// Where.
    pub pos: usize,
    /// Characters to delete there.
    pub delete: usize,
    /// Text to insert there (after the deletion).
    pub insert: String,
}

fn key(cursor: &Cursor) -> Vec<u8> {
    cursor.to_bytes()
}

/// The edits (last position first, ready to apply in order) that revert
/// `changes` in the text object `text` of `doc`.
pub fn revert_edits(
    doc: &mut AutoCommit,
    text: &ObjId,
    changes: &[ChangeHash],
) -> Result<Vec<RevertEdit>, CommunityError> {
    let mut inserted: Vec<Cursor> = Vec::new();
    let mut inserted_keys: HashSet<Vec<u8>> = HashSet::new();
    // Deleted characters (not inserted by these changes themselves): the
    // cursor of the nearest character before them, at the change's
    // dependencies, and the character.
    let mut deleted: Vec<(Option<Cursor>, char)> = Vec::new();
    for hash in changes {
        let Some(change) = doc.get_change_by_hash(hash) else {
            return Err(CommunityError::Invalid(format!("no change {hash}")));
        };
        let deps: Vec<ChangeHash> = change.deps().to_vec();
        let after = [*hash];
        let before_text: Vec<char> = match doc.text_at(text, &deps) {
            Ok(t) => t.chars().collect(),
            // The text did not exist before this change.
            Err(_) => Vec::new(),
        };
        let patches = doc.diff(&deps, &after);
        // Position shift between the diff's running state and `deps`.
        let mut shift: i64 = 0;
        for patch in patches.into_iter().filter(|p| &p.obj == text) {
            match patch.action {
                PatchAction::SpliceText { index, value, .. } => {
                    let n = value.make_string().chars().count();
                    for k in 0..n {
                        if let Ok(c) = doc.get_cursor(text, index + k, Some(&after))
                            && inserted_keys.insert(key(&c))
                        {
                            inserted.push(c);
                        }
                    }
                    shift += n as i64;
                }
                PatchAction::DeleteSeq { index, length } => {
                    let start = usize::try_from(index as i64 - shift).unwrap_or(0);
                    for k in 0..length {
                        let Some(ch) = before_text.get(start + k) else {
                            break;
                        };
                        if let Ok(c) = doc.get_cursor(text, start + k, Some(&deps))
                            && inserted_keys.contains(&key(&c))
                        {
                            continue;
                        }
                        let before = (start + k)
                            .checked_sub(1)
                            .and_then(|b| doc.get_cursor(text, b, Some(&deps)).ok());
                        deleted.push((before, *ch));
                    }
                    shift -= length as i64;
                }
                _ => {}
            }
        }
    }
    // Where each character of the current text is, by its cursor. (Asking
    // Automerge for the position of a deleted character trips a debug
    // assertion of its own when the character sits after the last visible
    // one, so positions are only ever looked up here.)
    let len = doc.length(text);
    let visible: HashMap<Vec<u8>, usize> = (0..len)
        .filter_map(|i| doc.get_cursor(text, i, None).ok().map(|c| (key(&c), i)))
        .collect();
    let mut edits: Vec<RevertEdit> = Vec::new();
    for c in &inserted {
        if let Some(&pos) = visible.get(&key(c)) {
            edits.push(RevertEdit {
                pos,
                delete: 1,
                insert: String::new(),
            });
        }
    }
    for (before, ch) in &deleted {
        // After the character that preceded it, if that is still there;
        // else at the start. Characters deleted together share an anchor
        // and are put back in order.
        let pos = before
            .as_ref()
            .and_then(|b| visible.get(&key(b)))
            .map_or(0, |p| p + 1);
        edits.push(RevertEdit {
            pos,
            delete: 0,
            insert: ch.to_string(),
        });
    }
    // Merge: deletions of one character at neighbouring positions, and
    // insertions at the same position, in the order they were found.
    edits.sort_by_key(|e| e.pos);
    let mut merged: Vec<RevertEdit> = Vec::new();
    for e in edits {
        match merged.last_mut() {
            Some(last) if last.pos == e.pos && e.delete == 0 => last.insert.push_str(&e.insert),
            Some(last)
                if e.delete > 0 && last.insert.is_empty() && last.pos + last.delete == e.pos =>
            {
                last.delete += e.delete;
            }
            _ => merged.push(e),
        }
    }
    merged.reverse();
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, ObjType, ROOT};

    use super::*;

    fn apply(doc: &mut AutoCommit, text: &ObjId, edits: &[RevertEdit]) {
        for e in edits {
            doc.splice_text(text, e.pos, e.delete as isize, &e.insert)
                .unwrap();
        }
    }

    #[test]
    fn one_members_insertions_and_deletions_are_undone_and_the_rest_kept() {
        let mut a = AutoCommit::new().with_actor(ActorId::from(b"alice".as_slice()));
        let text = a.put_object(ROOT, "body", ObjType::Text).unwrap();
        a.splice_text(&text, 0, 0, "the quick fox").unwrap();
        a.commit();
        let mut b = a.fork().with_actor(ActorId::from(b"bob".as_slice()));
        // Bob inserts "brown " and deletes "the ".
        b.splice_text(&text, 10, 0, "brown ").unwrap();
        b.commit();
        b.splice_text(&text, 0, 4, "").unwrap();
        b.commit();
        let bobs: Vec<ChangeHash> = b.get_heads();
        let bob_changes: Vec<ChangeHash> = b
            .get_changes(&a.get_heads())
            .iter()
            .map(|c| c.hash())
            .collect();
        a.merge(&mut b).unwrap();
        // Alice goes on after Bob.
        a.splice_text(&text, a.text(&text).unwrap().chars().count(), 0, " jumps")
            .unwrap();
        a.commit();
        assert_eq!(a.text(&text).unwrap(), "quick brown fox jumps");
        assert!(!bobs.is_empty());
        let edits = revert_edits(&mut a, &text, &bob_changes).unwrap();
        apply(&mut a, &text, &edits);
        assert_eq!(a.text(&text).unwrap(), "the quick fox jumps");
    }

    #[test]
    fn text_a_member_typed_and_deleted_again_does_not_come_back() {
        let mut a = AutoCommit::new().with_actor(ActorId::from(b"alice".as_slice()));
        let text = a.put_object(ROOT, "body", ObjType::Text).unwrap();
        a.splice_text(&text, 0, 0, "seed").unwrap();
        a.commit();
        let base = a.get_heads();
        let mut b = a.fork().with_actor(ActorId::from(b"bob".as_slice()));
        b.splice_text(&text, 4, 0, " weed").unwrap();
        b.commit();
        b.splice_text(&text, 4, 5, "").unwrap();
        b.splice_text(&text, 0, 0, "a ").unwrap();
        b.commit();
        let changes: Vec<ChangeHash> = b.get_changes(&base).iter().map(|c| c.hash()).collect();
        a.merge(&mut b).unwrap();
        assert_eq!(a.text(&text).unwrap(), "a seed");
        let edits = revert_edits(&mut a, &text, &changes).unwrap();
        apply(&mut a, &text, &edits);
        assert_eq!(a.text(&text).unwrap(), "seed");
    }
}
