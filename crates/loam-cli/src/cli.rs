//! The command line: global options and one subcommand per command module.
//!
//! Adding a command is adding a module under `commands/` with its `Args`
//! and `run`, and a variant here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::{
    adopt, archive, cat, check, completions, edit, export, gardens, guidelines, history, import,
    index, init, kudos, links, ls, members, moderation, new, path, rename, search, stats, sync,
    tags, thread, versions, who, whoami,
};
use crate::context::Context;
use crate::errors::EXIT_CODES_HELP;
use crate::style::ColorChoice;

const ABOUT: &str = "Loam: a knowledge garden of notes and wiki pages, kept on your machine";

const LONG_ABOUT: &str = "\
Loam: a knowledge garden of notes and wiki pages, kept on your machine.

Notes and pages are markdown. Link them with [[Title]], tag them with #tag, find them
with `loam search`. New here? `loam init --demo` plants a demo garden and shows what
to try.

Notes and pages are named by title (ignoring case), alias, or id (or its first 6
digits).";

const AFTER_HELP: &str = "\
Environment:
  LOAM_DATA_DIR   the data directory (like --data-dir)
  LOAM_GARDEN     the garden to use (like --garden)
  VISUAL, EDITOR  the editor for `loam new` and `loam edit` (default: vi)
  NO_COLOR        no colour (unless --color always)
";

/// `loam`.
#[derive(Debug, Parser)]
#[command(name = "loam", version, about = ABOUT, long_about = LONG_ABOUT)]
#[command(after_help = format!("{AFTER_HELP}\n{EXIT_CODES_HELP}"))]
#[command(
    propagate_version = true,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Where Loam keeps its gardens [default: the OS data directory, e.g. ~/.local/share/loam]
    #[arg(long, global = true, env = "LOAM_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The garden to use, by name or id [default: the default garden, see `loam use`]
    #[arg(long, global = true, env = "LOAM_GARDEN", value_name = "NAME|ID")]
    pub garden: Option<String>,
    /// Print JSON instead of text (one value: an array for lists, an object otherwise)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a garden (`--demo`: a demo garden and a guided tour)
    Init(init::Args),
    /// List your gardens
    Gardens(gardens::ListArgs),
    /// Make a garden the default one
    Use(gardens::UseArgs),
    /// Create a note or page
    New(new::Args),
    /// Edit a note or page in $EDITOR (or from --stdin / --text)
    Edit(edit::Args),
    /// Print a note or page (markdown, or --html)
    Cat(cat::Args),
    /// List notes and pages
    Ls(ls::Args),
    /// Search the text of every note and page
    Search(search::Args),
    /// Links going out of a note, or every broken link (--broken)
    Links(links::LinksArgs),
    /// Notes that link to a note (--mentions: and that mention its title)
    Backlinks(links::BacklinksArgs),
    /// Rename a note or page and rewrite the links to it
    Rename(rename::Args),
    /// Archive a note or page: hidden from lists, search and links, kept in full
    Archive(archive::Args),
    /// Bring an archived note or page back (--at: bring back an old version of its text)
    Restore(archive::RestoreArgs),
    /// List tags with how many notes carry them
    Tags(tags::Args),
    /// A note's edit sessions (who, when, +/− characters), newest first
    History(history::Args),
    /// Print a note or page as it was at a version (--at WHEN)
    Show(versions::ShowArgs),
    /// What changed in a note between two versions, as a unified diff
    Diff(versions::DiffArgs),
    /// Make a document from another Automerge application a note, keeping its history
    Adopt(adopt::Args),
    /// Your member id and display name (--set-name to change it)
    Whoami(whoami::Args),
    /// Print your member id (the public key others add you by)
    Id(members::IdArgs),
    /// List the garden's members with their roles, and its invites
    Members(members::MembersArgs),
    /// Add a member, change a member's role, or remove one (facilitators only)
    Member(members::MemberArgs),
    /// Invite someone: prints a ticket for `loam join` (facilitators only)
    Invite(sync::InviteArgs),
    /// Join a garden with an invite ticket
    Join(sync::JoinArgs),
    /// Stay online and keep every garden in sync with its members (Ctrl-C stops)
    Serve(sync::ServeArgs),
    /// Sync with the garden's known members once, print what happened, exit
    Sync(sync::SyncArgs),
    /// List the members this garden knows how to reach
    Peers(sync::PeersArgs),
    /// Whether `loam serve` is running, and its peers (direct or relay, in sync)
    Status(sync::StatusArgs),
    /// The curated index: sections, entries, featured pages, suggestions
    Index(index::Args),
    /// The garden's guidelines: read, acknowledge, update (facilitators)
    Guidelines(guidelines::Args),
    /// Discussion threads and questions on notes and pages
    Thread(thread::Args),
    /// Give kudos for a note, page or comment; list kudos
    Kudos(kudos::Args),
    /// Reading paths: ordered pages for newcomers, and your progress
    Path(path::Args),
    /// Who knows what: the member directory and profiles
    Who(who::Args),
    /// Flag a note, page, thread or comment for the facilitators
    Flag(moderation::FlagArgs),
    /// Moderation (facilitators): archive, hide, revert, flags, the log
    Moderation(moderation::Args),
    /// The knowledge-creation dashboard's figures (--json, --csv)
    Stats(stats::Args),
    /// Import a folder of markdown files (an Obsidian vault); again to bring in what changed
    Import(import::Args),
    /// Export the garden as a folder of markdown files Obsidian opens as a vault
    Export(export::Args),
    /// Check the database, every document and the index
    Check(check::Args),
    /// Print a shell completion script
    Completions(completions::Args),
}

impl Command {
    /// Run the command.
    pub fn run(self, ctx: &mut Context) -> anyhow::Result<()> {
        match self {
            Self::Init(args) => init::run(ctx, args),
            Self::Gardens(args) => gardens::list(ctx, args),
            Self::Use(args) => gardens::set_default(ctx, args),
            Self::New(args) => new::run(ctx, args),
            Self::Edit(args) => edit::run(ctx, args),
            Self::Cat(args) => cat::run(ctx, args),
            Self::Ls(args) => ls::run(ctx, args),
            Self::Search(args) => search::run(ctx, args),
            Self::Links(args) => links::links(ctx, args),
            Self::Backlinks(args) => links::backlinks(ctx, args),
            Self::Rename(args) => rename::run(ctx, args),
            Self::Archive(args) => archive::archive(ctx, args),
            Self::Restore(args) => archive::restore(ctx, args),
            Self::Tags(args) => tags::run(ctx, args),
            Self::History(args) => history::run(ctx, args),
            Self::Show(args) => versions::show(ctx, args),
            Self::Diff(args) => versions::diff(ctx, args),
            Self::Adopt(args) => adopt::run(ctx, args),
            Self::Whoami(args) => whoami::run(ctx, args),
            Self::Id(args) => members::id(ctx, args),
            Self::Members(args) => members::members(ctx, args),
            Self::Member(args) => members::member(ctx, args),
            Self::Invite(args) => sync::invite(ctx, args),
            Self::Join(args) => sync::join(ctx, args),
            Self::Serve(args) => sync::serve(ctx, args),
            Self::Sync(args) => sync::sync(ctx, args),
            Self::Peers(args) => sync::peers(ctx, args),
            Self::Status(args) => sync::status(ctx, args),
            Self::Index(args) => index::run(ctx, args),
            Self::Guidelines(args) => guidelines::run(ctx, args),
            Self::Thread(args) => thread::run(ctx, args),
            Self::Kudos(args) => kudos::run(ctx, args),
            Self::Path(args) => path::run(ctx, args),
            Self::Who(args) => who::run(ctx, args),
            Self::Flag(args) => moderation::flag(ctx, args),
            Self::Moderation(args) => moderation::run(ctx, args),
            Self::Stats(args) => stats::run(ctx, args),
            Self::Import(args) => import::run(ctx, args),
            Self::Export(args) => export::run(ctx, args),
            Self::Check(args) => check::run(ctx, args),
            Self::Completions(args) => completions::run(ctx, args),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
