//! What can go wrong reading traces and writing corpora.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a gzipped sequential editing trace")]
    TraceFormat {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("a patch deletes {del} at {pos} in a text of {len} characters")]
    PatchOutOfRange { pos: usize, del: usize, len: usize },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the title {title:?} cannot be a file name")]
    FileName { title: String },
    #[error("plain automerge sync (the baseline) failed: {0}")]
    Baseline(String),
}
