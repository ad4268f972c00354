//! `cargo xtask soak`: the reliability tests at length. The crash harness
//! runs 2,000 seeded SIGKILL runs (`cargo xtask test` runs 200) and the
//! fault tests run once more; each prints its seed, and the variables it
//! prints replay a failure.

use crate::workspace::{self, Workspace};

/// Crash runs under soak.
const CRASH_RUNS: &str = "2000";

pub fn soak(ws: &Workspace) -> anyhow::Result<()> {
    let mut crash = ws.cargo([
        "test",
        "--locked",
        "-p",
        "loam-e2e",
        "--test",
        "crash",
        "--",
        "--nocapture",
    ]);
    crash.env("LOAM_CRASH_RUNS", CRASH_RUNS);
    workspace::run(&mut crash)?;
    let mut faults = ws.cargo(["test", "--locked", "-p", "loam-e2e", "--test", "faults"]);
    workspace::run(&mut faults)
}
