//! Fuzz target `markdown`: the body is `loam_markdown::fuzzing::render`, which
//! `cargo test` also runs on stable (see fuzz/README.md).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loam_markdown::fuzzing::render(data));
