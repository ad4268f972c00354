//! Where the workspace is and how to start programs in it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use anyhow::{Context, bail};

#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// The workspace that holds this xtask (the parent of `xtask/`), independent of the
    /// directory the command was started in.
    ///
    /// `cargo run` says where xtask's manifest is at run time; the path baked in at compile
    /// time is only the fallback, because cargo may reuse a binary another checkout built in a
    /// shared target directory (CI's clones share one), whose path may be gone.
    pub fn new() -> Self {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .filter(|dir| dir.join("Cargo.toml").is_file())
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .map_or_else(|| manifest_dir.clone(), Path::to_path_buf);
        Workspace { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Cargo's target directory: `CARGO_TARGET_DIR` (or `CARGO_BUILD_TARGET_DIR`) when set,
    /// relative paths taken from the root where every cargo command here runs, else `target/`.
    pub fn target_dir(&self) -> PathBuf {
        let configured = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
            .iter()
            .find_map(|var| std::env::var_os(var).filter(|value| !value.is_empty()));
        match configured {
            Some(dir) => self.root.join(dir),
            None => self.root.join("target"),
        }
    }

    /// A `cargo` command (the cargo that started us, from `$CARGO`) run from the root.
    pub fn cargo<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.args(args).current_dir(&self.root);
        command
    }
}

/// Prints the command line, runs it with inherited stdio and fails unless it succeeds.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = status(command)?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(command));
    }
    Ok(())
}

/// Prints the command line, runs it with inherited stdio and returns how it ended.
pub fn status(command: &mut Command) -> anyhow::Result<ExitStatus> {
    let line = display(command);
    eprintln!("$ {line}");
    command
        .status()
        .with_context(|| format!("could not start `{line}`"))
}

/// Runs the command without printing anything; true when it started and succeeded.
pub fn succeeds_quietly(command: &mut Command) -> bool {
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether an executable of this name is on `PATH`.
pub fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

/// The command line as a person would type it (`cargo` for `$CARGO`).
fn display(command: &Command) -> String {
    let program = command.get_program();
    let program = if Some(program) == std::env::var_os("CARGO").as_deref() {
        "cargo".into()
    } else {
        program.to_string_lossy()
    };
    let mut line = program.into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}
