//! What the stable runs of the fuzz targets share: each crate's
//! `tests/fuzz_bodies.rs` includes this file (`#[path]`), so that every
//! crate reads the checked-in crash inputs and the case count alike.

#![allow(dead_code)]

/// Cases per property (`LOAM_FUZZ_CASES`, default `default`).
pub fn cases(default: u32) -> u32 {
    std::env::var("LOAM_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Every input that once crashed `target`, checked in under
/// `fuzz/regressions/<target>/`, as (path, bytes), sorted by path.
pub fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| Some((p.display().to_string(), std::fs::read(&p).ok()?)))
        .collect();
    out.sort();
    out
}
