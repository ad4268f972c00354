//! `cargo xtask run`: build the desktop app (UI, then the release binary with the UI inside)
//! and open it. Its first run asks for a display name and plants the demo garden, in the OS
//! app data directory (`$LOAM_DATA_DIR` instead when set).
//!
//! `cargo xtask run -- <loam args>` builds the `loam` command instead and runs it on the
//! demo garden in `target/demo-garden` (or `$LOAM_DATA_DIR`), planting it first with `loam
//! init --demo` (which prints a short tour) when it is not there; `loam`'s exit status
//! becomes this command's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::desktop;
use crate::setup::{self, Need, Verbosity};
use crate::workspace::{self, Workspace};

pub fn run(ws: &Workspace, loam_args: &[String]) -> anyhow::Result<()> {
    setup::setup(ws, &[Need::Run], Verbosity::Quiet)?;
    if loam_args.is_empty() {
        return run_app(ws);
    }
    run_cli(ws, loam_args)
}

fn run_app(ws: &Workspace) -> anyhow::Result<()> {
    desktop::build_ui(ws)?;
    let app = desktop::build_app(ws, desktop::Profile::Release)?;
    eprintln!("run: opening Loam (close the window to stop)");
    workspace::run(&mut Command::new(app))
}

fn run_cli(ws: &Workspace, loam_args: &[String]) -> anyhow::Result<()> {
    workspace::run(&mut ws.cargo(["build", "--release", "-p", "loam-cli"]))?;
    let loam = ws
        .target_dir()
        .join("release")
        .join(format!("loam{}", std::env::consts::EXE_SUFFIX));
    let data_dir = data_dir(ws);

    let planted = !has_garden(&data_dir);
    if planted {
        workspace::run(loam_command(&loam, &data_dir).args(["init", "--demo"]))?;
    }
    // When `loam` fails it has said what went wrong, and its exit status becomes ours.
    if !loam_args.is_empty() {
        run_loam(loam_command(&loam, &data_dir).args(loam_args))?;
    } else if !planted {
        run_loam(loam_command(&loam, &data_dir).arg("ls"))?;
    }

    eprintln!();
    if planted {
        // `loam init` has just said where the garden is and how to point LOAM_DATA_DIR at it.
        eprintln!("To run the commands above as typed:");
    } else {
        eprintln!(
            "To try `loam` on the demo garden ({}) from this shell:",
            data_dir.display()
        );
        eprintln!("  export LOAM_DATA_DIR={}", shell_quote(&data_dir));
    }
    eprintln!("  alias loam={}", shell_quote(&loam));
    Ok(())
}

/// `loam` failed with this exit status; xtask exits with it too, having nothing to add to
/// what `loam` said.
#[derive(Debug)]
pub struct LoamFailed(pub u8);

impl std::fmt::Display for LoamFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "loam exited with status {}", self.0)
    }
}

impl std::error::Error for LoamFailed {}

fn run_loam(command: &mut Command) -> anyhow::Result<()> {
    match workspace::status(command)?.code() {
        Some(0) => Ok(()),
        Some(code) => Err(LoamFailed(u8::try_from(code).unwrap_or(1)).into()),
        None => Err(LoamFailed(1).into()),
    }
}

/// `$LOAM_DATA_DIR` if set (as `loam` itself would use it), else `target/demo-garden`.
fn data_dir(ws: &Workspace) -> PathBuf {
    match std::env::var_os("LOAM_DATA_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => absolute(ws, dir),
        None => ws.root().join("target").join("demo-garden"),
    }
}

fn absolute(ws: &Workspace, dir: OsString) -> PathBuf {
    let dir = PathBuf::from(dir);
    if dir.is_absolute() {
        return dir;
    }
    // Relative to where the user typed the command, not to the root we run cargo in.
    match std::env::current_dir() {
        Ok(cwd) => cwd.join(dir),
        Err(_) => ws.root().join(dir),
    }
}

/// A data dir holds a garden once `loam init` has written anything into it.
fn has_garden(data_dir: &Path) -> bool {
    std::fs::read_dir(data_dir).is_ok_and(|mut entries| entries.next().is_some())
}

fn loam_command(loam: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(loam);
    command.arg("--data-dir").arg(data_dir);
    command
}

/// The path as it can be pasted into a POSIX shell.
fn shell_quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
