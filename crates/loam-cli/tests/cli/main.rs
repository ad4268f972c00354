//! The `loam` binary, run as a member would run it: each test in its own
//! data directory (`--data-dir` on a temp dir), asserting on standard
//! output, standard error and the exit code.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

mod community;
mod editing;
mod errors;
mod gardens;
mod history;
mod import;
mod members;
mod notes;
mod queries;
mod support;
