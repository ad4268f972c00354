//! Project automation for Loam: `cargo xtask <command>`.
//!
//! The alias in `.cargo/config.toml` runs this binary. Each command lives in its own module
//! and is a short list of steps over plain [`std::process::Command`]s, so adding a step (UI
//! tests, codegen, an apt package for the desktop app) is adding an entry to a list:
//!
//! - `setup` ([`setup`]): installs what a fresh Debian/Ubuntu machine lacks.
//! - `lint` ([`lint`]): rustfmt in check mode, then clippy with warnings denied.
//! - `test` ([`test`]): setup, lint, the generated IPC types, every Rust test, the UI's
//!   unit tests and the desktop end-to-end test.
//! - `codegen` ([`codegen`]): the UI's TypeScript IPC types from `src-tauri/src/dto.rs`.
//! - `run` ([`run`]): builds and opens the desktop app; `run -- <args>` runs the `loam` CLI.
//! - `bench` ([`bench`]): runs the benchmarks beside their baselines.
//! - `soak` ([`soak`]): the reliability tests at length (2,000 crash runs).
//!
//! Commands always work from the workspace root, wherever they are started.

mod bench;
mod codegen;
mod desktop;
mod lint;
mod run;
mod setup;
mod soak;
mod steps;
mod test;
mod workspace;

use std::process::ExitCode;

use workspace::Workspace;

/// One row of the usage text: the command as typed and what it does.
const COMMANDS: &[(&str, &str)] = &[
    (
        "run",
        "build the desktop app (UI and binary, release) and open it",
    ),
    (
        "run -- <loam args>",
        "build the `loam` command and run it on the demo garden (`run -- ls`)",
    ),
    (
        "test",
        "set up, lint, then every test: Rust, UI, desktop end to end (what CI runs)",
    ),
    (
        "codegen",
        "write the UI's TypeScript IPC types from src-tauri/src/dto.rs",
    ),
    (
        "lint",
        "check formatting (rustfmt) and lints (clippy, warnings denied)",
    ),
    (
        "bench [--quick] [sections]",
        "run the benchmarks beside their baselines (--quick: small corpora; `-- graph`: the graph view)",
    ),
    (
        "soak",
        "the reliability tests at length: 2,000 SIGKILL crash runs, the fault tests",
    ),
    (
        "setup",
        "install missing system packages and Rust components (Debian/Ubuntu)",
    ),
    ("help", "show this list"),
];

/// A command line this program does not understand; exits with status 2.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(run::LoamFailed(code)) = err.downcast_ref::<run::LoamFailed>() {
                ExitCode::from(*code)
            } else if let Some(usage) = err.downcast_ref::<UsageError>() {
                eprintln!("error: {usage}\n");
                eprint!("{}", usage_text());
                ExitCode::from(2)
            } else {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        }
    }
}

fn dispatch(args: &[String]) -> anyhow::Result<()> {
    let Some((command, rest)) = args.split_first() else {
        print!("{}", usage_text());
        return Ok(());
    };
    let ws = Workspace::new();
    match command.as_str() {
        "help" | "--help" | "-h" => {
            print!("{}", usage_text());
            Ok(())
        }
        "setup" => {
            no_arguments(command, rest)?;
            setup::setup(&ws, setup::Need::ALL, setup::Verbosity::Report)
        }
        "lint" => {
            no_arguments(command, rest)?;
            lint::lint(&ws)
        }
        "test" => {
            no_arguments(command, rest)?;
            test::test(&ws)
        }
        "codegen" => {
            no_arguments(command, rest)?;
            codegen::codegen(&ws)
        }
        "run" => run::run(&ws, strip_separator(rest)),
        "bench" => bench::bench(&ws, strip_separator(rest)),
        "soak" => {
            no_arguments(command, rest)?;
            soak::soak(&ws)
        }
        other => Err(UsageError(format!("unknown command `{other}`")).into()),
    }
}

fn no_arguments(command: &str, rest: &[String]) -> anyhow::Result<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(UsageError(format!("`{command}` takes no arguments, got `{arg}`")).into()),
    }
}

/// `cargo xtask run -- search garden` and `cargo xtask run search garden` mean the same.
fn strip_separator(rest: &[String]) -> &[String] {
    match rest.split_first() {
        Some((first, tail)) if first == "--" => tail,
        _ => rest,
    }
}

fn usage_text() -> String {
    let width = COMMANDS
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("Usage: cargo xtask <command>\n\nCommands:\n");
    for (name, about) in COMMANDS {
        text.push_str(&format!("  {name:<width$}  {about}\n"));
    }
    text
}
