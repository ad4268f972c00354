//! Real editing traces: every keystroke of a writing session, to replay through an editor.
//!
//! The format is the one of josephg/editing-traces' sequential traces (see
//! `tests/data/traces/ATTRIBUTION.md`): gzipped JSON
//! `{startContent, endContent, txns: [{time, patches: [[pos, delCount, insText]]}]}`, where
//! applying every patch in order to `startContent` gives `endContent`. Positions and delete
//! counts are Unicode code points, like Automerge's text indices in Rust.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use flate2::read::GzDecoder;
use serde::Deserialize;

use crate::Error;

/// A sequential editing trace.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub start_content: String,
    pub end_content: String,
    pub txns: Vec<Txn>,
}

/// What the editor did at one moment: one or more patches.
#[derive(Debug, Clone, Deserialize)]
pub struct Txn {
    /// ISO 8601 time of the change, when the trace recorded one.
    #[serde(default, alias = "timestamp")]
    pub time: Option<String>,
    /// In order; within a transaction positions descend, so each applies to the text left
    /// by the one before.
    pub patches: Vec<Patch>,
}

/// `[pos, del, insert]`: at code point `pos`, delete `del` code points, then insert `insert`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Patch {
    pub pos: usize,
    pub del: usize,
    pub insert: String,
}

/// Reads a gzipped sequential trace such as `tests/data/traces/automerge-paper.json.gz`.
pub fn load_sequential(path: &Path) -> Result<Trace, Error> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_reader(BufReader::new(GzDecoder::new(BufReader::new(file)))).map_err(
        |source| Error::TraceFormat {
            path: path.to_path_buf(),
            source,
        },
    )
}

impl Trace {
    /// Every patch of every transaction, in the order they were typed.
    pub fn keystrokes(&self) -> impl Iterator<Item = &Patch> + '_ {
        self.txns.iter().flat_map(|txn| txn.patches.iter())
    }

    /// How many patches [`Trace::keystrokes`] yields.
    pub fn keystroke_count(&self) -> usize {
        self.txns.iter().map(|txn| txn.patches.len()).sum()
    }

    /// The text after applying every patch to `start_content`; equals `end_content` for a
    /// well-formed trace.
    pub fn replay(&self) -> Result<String, Error> {
        let mut text = self.start_content.clone();
        // While the text is ASCII, code points are bytes and no position needs converting.
        let mut ascii = text.is_ascii();
        for patch in self.keystrokes() {
            ascii = ascii && patch.insert.is_ascii();
            if ascii {
                patch.apply_to_ascii(&mut text)?;
            } else {
                patch.apply(&mut text)?;
            }
        }
        Ok(text)
    }
}

impl Patch {
    /// Applies the patch to `text`, counting positions in code points.
    pub fn apply(&self, text: &mut String) -> Result<(), Error> {
        let start = byte_offset(text, 0, self.pos).ok_or_else(|| self.out_of_range(text))?;
        let end = byte_offset(text, start, self.del).ok_or_else(|| self.out_of_range(text))?;
        text.replace_range(start..end, &self.insert);
        Ok(())
    }

    /// [`Patch::apply`] for a text known to be ASCII, where code points are bytes.
    fn apply_to_ascii(&self, text: &mut String) -> Result<(), Error> {
        let end = self.pos.checked_add(self.del);
        match end {
            Some(end) if end <= text.len() => {
                text.replace_range(self.pos..end, &self.insert);
                Ok(())
            }
            _ => Err(self.out_of_range(text)),
        }
    }

    fn out_of_range(&self, text: &str) -> Error {
        Error::PatchOutOfRange {
            pos: self.pos,
            del: self.del,
            len: text.chars().count(),
        }
    }
}

/// The byte offset `chars` code points after byte offset `from`, if the text is that long.
fn byte_offset(text: &str, from: usize, chars: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    if chars == 0 {
        return Some(from);
    }
    let mut indices = rest.char_indices().map(|(offset, _)| from + offset);
    match indices.nth(chars) {
        Some(offset) => Some(offset),
        None if rest.chars().count() == chars => Some(text.len()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(pos: usize, del: usize, insert: &str) -> Patch {
        Patch {
            pos,
            del,
            insert: insert.into(),
        }
    }

    fn check(start: &str, patches: &[Patch], expected: &str) {
        let trace = Trace {
            start_content: start.into(),
            end_content: expected.into(),
            txns: patches
                .iter()
                .map(|p| Txn {
                    time: None,
                    patches: vec![p.clone()],
                })
                .collect(),
        };
        assert_eq!(trace.replay().unwrap(), expected);
    }

    #[test]
    fn patches_count_code_points_not_bytes() {
        check("", &[patch(0, 0, "abc")], "abc");
        check("abc", &[patch(1, 1, "")], "ac");
        check("abc", &[patch(3, 0, "d")], "abcd");
        check("héllo", &[patch(2, 1, "L")], "héLlo");
        check("héllo", &[patch(5, 0, "!")], "héllo!");
        check("ab", &[patch(1, 0, "ü"), patch(2, 1, "")], "aü");
        check("🌱 garden", &[patch(1, 0, "🌿")], "🌱🌿 garden");
        check("日本語", &[patch(0, 3, "ok")], "ok");
    }

    #[test]
    fn a_patch_past_the_end_is_an_error() {
        for (start, p) in [("abc", patch(4, 0, "x")), ("héllo", patch(4, 2, ""))] {
            let mut text = String::from(start);
            assert!(matches!(
                p.apply(&mut text),
                Err(Error::PatchOutOfRange { .. })
            ));
            assert_eq!(text, start);
        }
    }

    #[test]
    fn parses_the_json_form() {
        let json = r#"{"startContent":"","endContent":"hi","txns":[
            {"time":"2021-04-19T06:06:58.219Z","patches":[[0,0,"hx"]]},
            {"patches":[[1,1,""],[1,0,"i"]]}]}"#;
        let trace: Trace = serde_json::from_str(json).unwrap();
        assert_eq!(trace.keystroke_count(), 3);
        assert_eq!(
            trace.txns[0].time.as_deref(),
            Some("2021-04-19T06:06:58.219Z")
        );
        assert_eq!(trace.keystrokes().next(), Some(&patch(0, 0, "hx")));
        assert_eq!(trace.replay().unwrap(), trace.end_content);
    }

    #[test]
    fn the_automerge_paper_trace_replays_to_its_end_content() {
        let trace = load_sequential(&crate::test_data("traces/automerge-paper.json.gz")).unwrap();
        assert_eq!(trace.keystroke_count(), 259_778);
        let text = trace.replay().unwrap();
        assert_eq!(text.chars().count(), 104_852);
        assert!(
            text == trace.end_content,
            "replayed text differs from endContent"
        );
    }

    #[test]
    fn a_missing_trace_names_the_file() {
        let err = load_sequential(Path::new("/nonexistent/trace.json.gz")).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/trace.json.gz"),
            "{err}"
        );
    }
}
