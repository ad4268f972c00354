//! `cargo xtask bench [--quick]`: the benchmarks, each figure beside its baseline.
//!
//! The benchmarks themselves are the `loam-bench` binary of `loam-test-utils`; this command
//! installs their baselines (ripgrep) and runs it in release mode with the given arguments.

use crate::setup::{self, Need, Verbosity};
use crate::workspace::{self, Workspace};

pub fn bench(ws: &Workspace, args: &[String]) -> anyhow::Result<()> {
    setup::setup(ws, &[Need::Bench], Verbosity::Quiet)?;
    let mut command = ws.cargo([
        "run",
        "--release",
        "-p",
        "loam-test-utils",
        "--bin",
        "loam-bench",
        "--",
    ]);
    command.args(args);
    workspace::run(&mut command)
}
