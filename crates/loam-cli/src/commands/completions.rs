//! `loam completions SHELL`: a completion script for the shell.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::context::Context;

/// `loam completions SHELL`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "For example, in bash: `loam completions bash > ~/.local/share/bash-completion/completions/loam`; \
in zsh: `loam completions zsh > \"${fpath[1]}/_loam\"`; in fish: \
`loam completions fish > ~/.config/fish/completions/loam.fish`."
)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "loam", &mut script);
    ctx.out.text(&String::from_utf8_lossy(&script))
}
