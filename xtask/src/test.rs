//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.
//!
//! Later steps (UI unit tests, the generated-bindings check, desktop end-to-end tests) are
//! more entries in [`steps`].

use crate::lint;
use crate::setup::{self, Need, Verbosity};
use crate::steps::{self, Step};
use crate::workspace::{self, Workspace};

pub fn test(ws: &Workspace) -> anyhow::Result<()> {
    steps::run_steps(ws, "test", &steps())
}

fn steps() -> Vec<Step> {
    let mut steps = vec![Step {
        name: "setup",
        run: |ws| setup::setup(ws, &[Need::Test], Verbosity::Quiet),
    }];
    steps.extend(lint::STEPS.iter().copied());
    steps.push(Step {
        name: "cargo test",
        run: |ws| workspace::run(&mut ws.cargo(["test", "--workspace", "--locked"])),
    });
    steps
}
