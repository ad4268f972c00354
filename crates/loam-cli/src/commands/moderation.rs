//! `loam flag` (any member: ask facilitators to look at something, with a
//! reason) and `loam moderation …` (facilitators: archive and restore,
//! hide and unhide a thread or comment, revert one member's changes to a
//! page, dismiss flags, read the moderation log).

use loam_node::ModerationTarget;

use crate::context::Context;
use crate::people::{name_of, names};
use crate::resolve::{resolve, resolve_archived};
use crate::when;

/// `loam flag`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Flags go to the garden's facilitators (`loam moderation flags`). Flag a note or page by
its title, or a thread or comment with --item and its id.")]
pub struct FlagArgs {
    /// The note or page
    #[arg(required_unless_present = "item")]
    note: Option<String>,
    /// A thread or comment id instead
    #[arg(long, conflicts_with = "note")]
    item: Option<String>,
    /// Why (facilitators read it)
    #[arg(long)]
    reason: String,
}

/// `loam moderation`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ModerationCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ModerationCommand {
    /// The moderation log, oldest first
    Log,
    /// Flags waiting for a facilitator
    Flags,
    /// Dismiss a flag (facilitators only)
    Dismiss {
        /// The flag's id
        flag: String,
        /// Why
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Archive (hide) a note or page, logged with the reason (facilitators only)
    Archive {
        /// The note or page
        note: String,
        /// Why
        #[arg(long)]
        reason: String,
    },
    /// Bring an archived note or page back, logged (facilitators only)
    Restore {
        /// The note or page
        note: String,
        /// Why
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Hide a thread or comment, showing the reason instead (facilitators only)
    Hide {
        /// The thread or comment id
        item: String,
        /// Why
        #[arg(long)]
        reason: String,
    },
    /// Show a hidden thread or comment again (facilitators only)
    Unhide {
        /// The thread or comment id
        item: String,
    },
    /// Revert every change one member made to a page, as a new change (facilitators only)
    Revert {
        /// The note or page
        note: String,
        /// The member: name, id or id prefix
        member: String,
        /// Why
        #[arg(long)]
        reason: String,
    },
}

pub fn flag(ctx: &mut Context, args: FlagArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let target = match (args.note, args.item) {
        (_, Some(item)) => garden.item_target(&item)?,
        (Some(note), None) => ModerationTarget::Doc(resolve(&garden, &note)?),
        (None, None) => anyhow::bail!(crate::errors::Failure::new(
            "say what to flag: a note or --item",
            crate::errors::Exit::Usage
        )),
    };
    let id = garden.flag(&target, &args.reason)?;
    if ctx.json() {
        return ctx
            .out
            .json(&serde_json::json!({ "flag": id, "target": target }));
    }
    ctx.out
        .line(format!("Flagged for the facilitators ({id})."))
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let names = names(&garden)?;
    let now = when::now();
    let done = |ctx: &mut Context, what: String| -> anyhow::Result<()> {
        if ctx.json() {
            return ctx.out.json(&serde_json::json!({ "done": what }));
        }
        ctx.out.line(what)
    };
    match args.command {
        ModerationCommand::Log => {
            let log = garden.moderation_log()?;
            if ctx.json() {
                return ctx.out.json(&log);
            }
            if log.is_empty() {
                return ctx.out.line("Nothing moderated yet.");
            }
            for r in log {
                let who = r.by.map(|m| name_of(&names, m)).unwrap_or_default();
                let member = r
                    .member
                    .map(|m| format!(" ({})", name_of(&names, m)))
                    .unwrap_or_default();
                ctx.out.line(format!(
                    "{}  {who} {} {}{member}: {}",
                    ctx.out.style.dim(&when::date(r.time)),
                    r.action,
                    target_text(&garden, &r.target),
                    r.reason
                ))?;
            }
            Ok(())
        }
        ModerationCommand::Flags => {
            let flags = garden.open_flags()?;
            if ctx.json() {
                return ctx.out.json(&flags);
            }
            if flags.is_empty() {
                return ctx.out.line("No open flags.");
            }
            for f in flags {
                ctx.out.line(format!(
                    "{}  {} flagged {}: {}  {}",
                    ctx.out.style.dim(&f.id.id),
                    name_of(&names, f.author),
                    target_text(&garden, &f.target),
                    f.reason,
                    ctx.out.style.dim(&when::ago(f.created, now))
                ))?;
            }
            Ok(())
        }
        ModerationCommand::Dismiss { flag, note } => {
            garden.dismiss_flag(&flag, &note)?;
            done(ctx, format!("Dismissed flag {flag}."))
        }
        ModerationCommand::Archive { note, reason } => {
            let doc = resolve(&garden, &note)?;
            garden.moderate_archive(doc, &reason)?;
            done(ctx, format!("Archived {note} (logged)."))
        }
        ModerationCommand::Restore { note, reason } => {
            let doc = resolve_archived(&garden, &note)?;
            garden.moderate_restore(doc, &reason)?;
            done(ctx, format!("Restored {note} (logged)."))
        }
        ModerationCommand::Hide { item, reason } => {
            let target = garden.item_target(&item)?;
            garden.hide(&target, Some(&reason))?;
            done(ctx, format!("Hid {item} (logged)."))
        }
        ModerationCommand::Unhide { item } => {
            let target = garden.item_target(&item)?;
            garden.hide(&target, None)?;
            done(ctx, format!("{item} is shown again (logged)."))
        }
        ModerationCommand::Revert {
            note,
            member,
            reason,
        } => {
            let doc = resolve(&garden, &note)?;
            let member = garden.find_member(&member)?;
            let report = garden.revert_member(doc, member, &reason)?;
            if ctx.json() {
                return ctx.out.json(&report);
            }
            if report.changes == 0 {
                return ctx.out.line(format!(
                    "{} made no signed change to {note}: nothing to revert.",
                    name_of(&names, member)
                ));
            }
            ctx.out.line(format!(
                "Reverted {} change(s) by {} to {note}: −{} +{} characters (logged).",
                report.changes,
                name_of(&names, member),
                report.deleted,
                report.inserted
            ))
        }
    }
}

/// A moderation target for people: a title, or `comment <id>`.
fn target_text(garden: &loam_node::Garden, target: &str) -> String {
    let (kind, rest) = target.split_once(':').unwrap_or(("doc", target));
    let title = |id: &str| {
        id.parse()
            .ok()
            .and_then(|d| garden.note(d).ok())
            .map_or_else(|| id.to_owned(), |n| n.row.title)
    };
    match kind {
        "doc" => title(rest),
        "thread" | "comment" => {
            let id = rest.rsplit(':').next().unwrap_or(rest);
            format!("{kind} {id}")
        }
        _ => title(target),
    }
}
