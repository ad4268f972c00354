//! Fuzz target `frames`: the body is `loam_sync::fuzzing::frames`, which
//! `cargo test` also runs on stable (see fuzz/README.md).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loam_sync::fuzzing::frames(data));
