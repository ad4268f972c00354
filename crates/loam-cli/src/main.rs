//! `loam`: a knowledge garden from the terminal.
//!
//! Every command is a module under [`commands`] with its clap `Args` and a
//! `run` that talks to [`loam_node`] (the only crate this one depends on)
//! and writes through [`output::Output`]: text for people, `--json` for
//! scripts. Errors end up in [`errors`], which prints `error: ...` with a
//! hint and picks a sysexits-style exit code; no panic and no closed pipe
//! reaches the member as a backtrace.

mod cli;
mod commands;
mod context;
mod editor;
mod errors;
mod excerpt;
mod output;
mod people;
mod progress;
mod resolve;
mod style;
mod table;
mod when;

use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Context;
use crate::errors::Exit;
use crate::style::Style;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout; a closed pipe is not worth a panic.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(Exit::Usage.code()));
        }
    };
    let stderr_style = Style::detect(cli.global.color, &std::io::stderr());
    std::panic::set_hook(Box::new(move |info| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "{} loam crashed: {info}",
            stderr_style.error("error:")
        );
        let _ = writeln!(
            stderr,
            "{} this is a bug in Loam; nothing you wrote before this command was lost. Please report it",
            stderr_style.bold("hint:")
        );
    }));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run(cli)));
    ExitCode::from(match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(err)) => errors::print(&err, stderr_style),
        Err(_) => Exit::Software.code(),
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut ctx = Context::new(&cli.global);
    cli.command.run(&mut ctx)?;
    ctx.out.flush()
}
