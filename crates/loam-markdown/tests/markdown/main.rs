//! Integration tests for loam-markdown, one module per public function, plus
//! the sanitiser's hostile inputs and property tests. One test binary, so the
//! crate is linked once.

mod analyse;
mod fuzz;
mod mentions;
mod properties;
mod render;
mod rewrite;
mod sanitise;
