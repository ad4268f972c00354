//! `cargo xtask bench [--quick]`: the benchmarks, each figure beside its baseline.
//!
//! The storage benchmarks are the `loam-bench` binary of `loam-test-utils`; this command
//! installs their baselines (ripgrep) and runs it in release mode with the given arguments.
//! Then the desktop benchmarks: the release app under Xvfb, driven by `loam-desktop-e2e bench`
//! (launch to interactive with 10,000 notes, idle memory, keystroke to paint), unless sections
//! were named (`cargo xtask bench -- sync` runs the sync section alone).

use crate::desktop::{self, Profile};
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
    workspace::run(&mut command)?;
    if args.iter().any(|a| !a.starts_with('-')) {
        eprintln!("bench: desktop benchmarks not run (only the named sections were asked for)");
        return Ok(());
    }
    desktop_bench(ws)
}

fn desktop_bench(ws: &Workspace) -> anyhow::Result<()> {
    if let Some(why) = desktop::display_stack_missing() {
        eprintln!("bench: desktop benchmarks SKIPPED: {why}");
        return Ok(());
    }
    desktop::build_ui(ws)?;
    let app = desktop::build_app(ws, Profile::Release)?;
    let Some(driver) = setup::tauri_driver() else {
        anyhow::bail!("tauri-driver vanished");
    };
    let mut command = ws.cargo(["run", "--release", "-p", "loam-desktop-e2e", "--", "bench"]);
    command
        .arg("--app")
        .arg(&app)
        .arg("--tauri-driver")
        .arg(&driver);
    workspace::run(&mut command)
}
