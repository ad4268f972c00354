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
    let mut command = ws.cargo(["fmt", "--all", "--", "--check"]);
    // rustfmt colours its diff even into a pipe; CI logs ask for no colour this way.
    if std::env::var_os("CARGO_TERM_COLOR").is_some_and(|color| color == "never") {
        command.arg("--color=never");
    }
    workspace::run(&mut command)
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
