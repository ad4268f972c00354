//! One module per command group; each has its clap `Args` and a `run`.

pub mod adopt;
pub mod archive;
pub mod cat;
pub mod check;
pub mod completions;
pub mod edit;
pub mod export;
pub mod gardens;
pub mod guidelines;
pub mod history;
pub mod import;
pub mod index;
pub mod init;
pub mod kudos;
pub mod links;
pub mod ls;
pub mod members;
pub mod moderation;
pub mod new;
pub mod path;
pub mod rename;
pub mod search;
pub mod stats;
pub mod sync;
pub mod tags;
pub mod thread;
pub mod versions;
pub mod who;
pub mod whoami;

use std::io::Read;

use anyhow::Context as _;

/// All of standard input, as text.
fn read_stdin() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read standard input")?;
    Ok(text)
}
