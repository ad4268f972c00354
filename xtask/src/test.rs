//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.

use crate::lint;
use crate::setup::{self, Need, Verbosity};
use crate::steps::{self, Step};
use crate::workspace::{self, Workspace};
use crate::{codegen, desktop};

pub fn test(ws: &Workspace) -> anyhow::Result<()> {
    steps::run_steps(ws, "test", &steps())
}

fn steps() -> Vec<Step> {
    let mut steps = vec![Step {
        name: "setup",
        run: |ws| setup::setup(ws, &[Need::Test], Verbosity::Quiet),
    }];
    steps.extend(lint::STEPS.iter().copied());
    steps.extend([
        Step {
            name: "generated IPC types are current",
            run: codegen::check,
        },
        Step {
            name: "cargo test",
            // The desktop app's command tests run on Tauri's mock runtime: no display.
            run: |ws| workspace::run(&mut ws.cargo(["test", "--workspace", "--locked"])),
        },
        Step {
            name: "UI types (tsc)",
            run: |ws| desktop::npm(ws, &["run", "check", "--silent"]),
        },
        Step {
            name: "UI unit tests (Vitest)",
            run: |ws| desktop::npm(ws, &["test", "--silent"]),
        },
        Step {
            name: "desktop end-to-end (tauri-driver under Xvfb)",
            run: desktop::e2e,
        },
    ]);
    steps
}
