//! `cargo xtask lint`: formatting and clippy, as CI checks them.

use crate::steps::{self, Step};
use crate::workspace::{self, Workspace};

/// The lint steps; `cargo xtask test` runs them too.
pub const STEPS: &[Step] = &[
    Step {
        name: "rustfmt",
        run: rustfmt,
    },
    Step {
        name: "clippy",
        run: clippy,
    },
];

pub fn lint(ws: &Workspace) -> anyhow::Result<()> {
    steps::run_steps(ws, "lint", STEPS)
}

fn rustfmt(ws: &Workspace) -> anyhow::Result<()> {
    workspace::run(&mut ws.cargo(["fmt", "--all", "--", "--check"]))
}

fn clippy(ws: &Workspace) -> anyhow::Result<()> {
    workspace::run(&mut ws.cargo([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))
}
