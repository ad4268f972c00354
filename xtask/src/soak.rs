//! `cargo xtask soak`: the reliability tests at length. The crash harness
//! runs 2,000 seeded SIGKILL runs (`cargo xtask test` runs 200), the
//! partition test 12 seeded schedules of 16 steps (the two fixed seeds and
//! 10 from the clock; `cargo xtask test`: 3 of 8, about a minute) and the
//! fault tests run once more; each prints its seed, and the variables it
//! prints replay a failure.

use crate::workspace::{self, Workspace};

/// Crash runs under soak.
const CRASH_RUNS: &str = "2000";

/// Partition schedules under soak (besides the two fixed seeds), and their
/// length.
const PARTITION_RUNS: &str = "10";
const PARTITION_STEPS: &str = "16";

pub fn soak(ws: &Workspace) -> anyhow::Result<()> {
    // The end-to-end harness runs the `loam` binary it finds, building it
    // only when missing: build it now so that a stale one is not tested.
    workspace::run(&mut ws.cargo(["build", "--locked", "-p", "loam-cli"]))?;
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
    let mut partitions = ws.cargo([
        "test",
        "--locked",
        "-p",
        "loam-e2e",
        "--test",
        "partitions",
        "--",
        "--nocapture",
    ]);
    partitions.env("LOAM_PARTITION_RUNS", PARTITION_RUNS);
    partitions.env("LOAM_PARTITION_STEPS", PARTITION_STEPS);
    workspace::run(&mut partitions)?;
    let mut faults = ws.cargo(["test", "--locked", "-p", "loam-e2e", "--test", "faults"]);
    workspace::run(&mut faults)
}
