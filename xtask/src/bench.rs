//! `cargo xtask bench [--quick] [sections]`: the benchmarks, each figure beside its baseline.
//!
//! The storage benchmarks are the `loam-bench` binary of `loam-test-utils`; this command
//! installs their baselines (ripgrep) and runs it in release mode with the given arguments.
//! Then the desktop benchmarks: the release app under Xvfb, driven by `loam-desktop-e2e bench`:
//! section `app` (launch to interactive with 10,000 notes, idle memory, keystroke to paint) and
//! section `graph` (the Graph view at 10,000 linked notes beside 1,000). With no section named
//! everything runs; `cargo xtask bench -- sync` runs loam-bench's sync section alone,
//! `cargo xtask bench -- graph` the graph alone.

use crate::desktop::{self, Profile};
use crate::setup::{self, Need, Verbosity};
use crate::workspace::{self, Workspace};

/// The sections `loam-desktop-e2e bench` runs; every other section is loam-bench's.
const DESKTOP_SECTIONS: [&str; 2] = ["app", "graph"];

pub fn bench(ws: &Workspace, args: &[String]) -> anyhow::Result<()> {
    setup::setup(ws, &[Need::Bench], Verbosity::Quiet)?;
    let named: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let desktop: Vec<&str> = named
        .iter()
        .map(|a| a.as_str())
        .filter(|a| DESKTOP_SECTIONS.contains(a))
        .collect();
    let storage = named.len() - desktop.len();
    if named.is_empty() || storage > 0 {
        let mut command = ws.cargo([
            "run",
            "--release",
            "-p",
            "loam-test-utils",
            "--bin",
            "loam-bench",
            "--",
        ]);
        command.args(
            args.iter()
                .filter(|a| !DESKTOP_SECTIONS.contains(&a.as_str())),
        );
        workspace::run(&mut command)?;
    }
    if !named.is_empty() && desktop.is_empty() {
        eprintln!("bench: desktop benchmarks not run (only the named sections were asked for)");
        return Ok(());
    }
    desktop_bench(ws, &desktop)
}

/// The desktop benchmarks' `sections` (all when empty).
fn desktop_bench(ws: &Workspace, sections: &[&str]) -> anyhow::Result<()> {
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
        .args(sections)
        .arg("--app")
        .arg(&app)
        .arg("--tauri-driver")
        .arg(&driver);
    workspace::run(&mut command)
}
