//! Test and benchmark input for Loam (dev only, never shipped).
//!
//! - [`trace`]: real editing traces (every keystroke of writing a paper), loaded from the
//!   repository's `tests/data/traces` and replayed patch by patch.
//! - [`corpus`]: deterministic gardens of generated markdown notes (titles, paragraphs,
//!   `[[links]]`, `#tags`) in a synthetic language with Zipf word frequencies
//!   ([`vocabulary`]), the search queries to run on them, and a writer that lays a corpus
//!   out as `.md` files for file-based tools such as ripgrep.
//! - [`plain_sync`]: the sync benchmarks' baseline, plain Automerge sync of
//!   one document per session over a loam-net connection.
//!
//! Everything here is a pure function of its seed: the same seed gives the same notes and
//! queries, so benchmark runs compare like with like. The `loam-bench` binary uses these to
//! drive `cargo xtask bench`.

pub mod corpus;
mod error;
pub mod plain_sync;
pub mod trace;
pub mod vocabulary;

use std::path::PathBuf;

pub use error::Error;

/// A path inside the repository's `tests/data` folder, e.g.
/// `test_data("traces/automerge-paper.json.gz")`.
pub fn test_data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(relative)
}
