//! Fuzz target `ticket`: the body is `loam_net::fuzzing::ticket`, which
//! `cargo test` also runs on stable (see fuzz/README.md).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loam_net::fuzzing::ticket(data));
