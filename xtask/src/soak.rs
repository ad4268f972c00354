//! `cargo xtask soak`: the reliability tests at length. The crash harness
//! runs 2,000 seeded SIGKILL runs (`cargo xtask test` runs 200), the
//! partition test 19 seeded schedules in three batches ([`PARTITION_SOAK`],
//! about 12 minutes; `cargo xtask test` runs 3 of 8 steps, about a minute)
//! and the fault tests run once more; each prints its seed, and the
//! variables it prints replay a failure.

use crate::workspace::{self, Workspace};

/// Crash runs under soak.
const CRASH_RUNS: &str = "2000";

/// The partition test's soak runs, each with its variables (each also runs
/// the two fixed seeds): long schedules with links cut the way the machine
/// allows best (namespaces as root), a few by per-peer blocking, and a few
/// whose last partition lasts past QUIC's idle timeout (sessions die and
/// dials time out before the heal).
const PARTITION_SOAK: [&[(&str, &str)]; 3] = [
    &[
        ("LOAM_PARTITION_RUNS", "10"),
        ("LOAM_PARTITION_STEPS", "16"),
    ],
    &[
        ("LOAM_PARTITION_RUNS", "2"),
        ("LOAM_PARTITION_STEPS", "16"),
        ("LOAM_PARTITION_NET", "blocklist"),
    ],
    &[
        ("LOAM_PARTITION_RUNS", "1"),
        ("LOAM_PARTITION_STEPS", "4"),
        ("LOAM_PARTITION_HOLD", "40"),
    ],
];

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
    for run in PARTITION_SOAK {
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
        partitions.envs(run.iter().copied());
        workspace::run(&mut partitions)?;
    }
    let mut faults = ws.cargo(["test", "--locked", "-p", "loam-e2e", "--test", "faults"]);
    workspace::run(&mut faults)
}
