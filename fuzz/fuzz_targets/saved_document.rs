//! Fuzz target `saved_document`: the body is `loam_core::fuzzing::saved_document`, which
//! `cargo test` also runs on stable (see fuzz/README.md).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loam_core::fuzzing::saved_document(data));
