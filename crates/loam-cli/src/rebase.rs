//! Carrying an edit made in `$EDITOR` over to a text that changed meanwhile.
//!
//! `loam edit` reads a note (the *base*), lets the member edit it (*ours*),
//! and finds on return that someone else changed the note in the meantime
//! (*theirs*). Diffing *theirs* against *ours* would undo the other edit, so
//! instead the changes from base to ours are expressed as splices on
//! *theirs*: positions move past the other edit, text the other edit deleted
//! is not deleted twice, and both insertions are kept. This is what a merge
//! of the two Automerge changes would give for non-overlapping edits.
//!
//! Positions are in code points, as [`TextEdit`] counts them.

use loam_node::TextEdit;
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Splices that turn `theirs` into `theirs` plus the changes from `base` to
/// `ours`, to be applied in order.
pub fn rebase(base: &str, ours: &str, theirs: &str) -> Vec<TextEdit> {
    let base: Vec<char> = base.chars().collect();
    let ours: Vec<char> = ours.chars().collect();
    let theirs: Vec<char> = theirs.chars().collect();
    let placement = Placement::new(&base, &theirs);

    // Our changes as splices on theirs, in ascending position.
    let mut ascending: Vec<TextEdit> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &base, &ours) {
        let (start, old_len, new_start, new_len) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index, old_len, new_index, 0),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len),
        };
        let insert: String = ours[new_start..new_start + new_len].iter().collect();
        if !insert.is_empty() {
            ascending.push(TextEdit {
                pos: placement.anchor(start),
                delete: 0,
                insert,
            });
        }
        // Delete what is still there of what we deleted, run by run.
        let mut run: Option<(usize, usize)> = None;
        for at in (start..start + old_len).filter_map(|i| placement.survivor(i)) {
            run = match run {
                Some((from, len)) if from + len == at => Some((from, len + 1)),
                Some((from, len)) => {
                    ascending.push(TextEdit {
                        pos: from,
                        delete: len,
                        insert: String::new(),
                    });
                    Some((at, 1))
                }
                None => Some((at, 1)),
            };
        }
        if let Some((from, len)) = run {
            ascending.push(TextEdit {
                pos: from,
                delete: len,
                insert: String::new(),
            });
        }
    }
    // Applied from the end, each splice leaves the positions before it alone.
    ascending.reverse();
    ascending
}

/// Where each character of the base text is in theirs.
struct Placement {
    /// For each base character: its position in theirs, if it survived.
    survivors: Vec<Option<usize>>,
    /// For each base character that did not survive: where it was.
    gaps: Vec<usize>,
    /// Length of theirs.
    end: usize,
}

impl Placement {
    fn new(base: &[char], theirs: &[char]) -> Self {
        let mut survivors = vec![None; base.len()];
        let mut gaps = vec![0; base.len()];
        for op in capture_diff_slices(Algorithm::Myers, base, theirs) {
            match op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    for k in 0..len {
                        survivors[old_index + k] = Some(new_index + k);
                    }
                }
                DiffOp::Delete {
                    old_index,
                    old_len,
                    new_index,
                } => {
                    gaps[old_index..old_index + old_len].fill(new_index);
                }
                // Our text goes after their replacement.
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    gaps[old_index..old_index + old_len].fill(new_index + new_len);
                }
                DiffOp::Insert { .. } => {}
            }
        }
        Self {
            survivors,
            gaps,
            end: theirs.len(),
        }
    }

    /// Where base character `i` is in theirs, if still there.
    fn survivor(&self, i: usize) -> Option<usize> {
        self.survivors.get(i).copied().flatten()
    }

    /// Where to insert what we inserted before base character `i` (or at the
    /// end, for `i == base.len()`).
    fn anchor(&self, i: usize) -> usize {
        match self.survivor(i) {
            Some(at) => at,
            None => self.gaps.get(i).copied().unwrap_or(self.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for edit in edits {
            chars.splice(edit.pos..edit.pos + edit.delete, edit.insert.chars());
        }
        chars.into_iter().collect()
    }

    /// `base`, our edit of it, their edit of it, and the merge expected.
    fn check(base: &str, ours: &str, theirs: &str, expected: &str) {
        let merged = apply(theirs, &rebase(base, ours, theirs));
        assert_eq!(
            merged, expected,
            "base {base:?} ours {ours:?} theirs {theirs:?}"
        );
    }

    #[test]
    fn merges() {
        // Nothing changed on their side: we get our text.
        check(
            "one two three",
            "one 2 three",
            "one two three",
            "one 2 three",
        );
        check("", "new text", "", "new text");
        check("abc", "", "abc", "");
        // Edits in different places both stay.
        check(
            "one\ntwo\nthree\n",
            "ONE\ntwo\nthree\n",
            "one\ntwo\nthree\nfour\n",
            "ONE\ntwo\nthree\nfour\n",
        );
        check(
            "hello world",
            "hello world!",
            "Oh, hello world",
            "Oh, hello world!",
        );
        check("a b c", "a c", "a b c d", "a c d");
        // Both deleted the same text: deleted once.
        check("keep drop keep", "keep keep", "keep keep", "keep keep");
        // Both inserted at the same place: both kept, theirs first.
        check("ab", "aXb", "aYb", "aYXb");
        // We edit inside what they replaced: our insertion follows theirs.
        check(
            "the cat sat",
            "the black cat sat",
            "the dog sat",
            "the dogblack  sat",
        );
        // Code points, not bytes.
        check(
            "héllo 🌱",
            "héllo 🌿 garden",
            "¡héllo 🌱",
            "¡héllo 🌿 garden",
        );
    }
}
