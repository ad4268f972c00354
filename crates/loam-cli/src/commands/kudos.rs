//! `loam kudos …`: thanks for a page, a note or a comment, with an optional
//! message; shown on the author's profile (`loam who`).

use loam_node::KudosTarget;

use crate::context::Context;
use crate::people::{name_of, names};
use crate::resolve::resolve;
use crate::when;

/// `loam kudos`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: KudosCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KudosCommand {
    /// Give kudos to a note or page, or (--comment) to a comment
    Give {
        /// The note or page
        #[arg(required_unless_present = "comment")]
        note: Option<String>,
        /// A comment id instead (from `loam thread show`)
        #[arg(long, conflicts_with = "note")]
        comment: Option<String>,
        /// A message
        #[arg(long, short, default_value = "")]
        message: String,
    },
    /// Kudos given in the garden (--to: received by one member)
    List {
        /// Only those received by this member
        #[arg(long)]
        to: Option<String>,
    },
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    match args.command {
        KudosCommand::Give {
            note,
            comment,
            message,
        } => {
            let target = match (note, comment) {
                (_, Some(c)) => garden.comment_target(&c)?,
                (Some(n), None) => KudosTarget::Doc(resolve(&garden, &n)?),
                (None, None) => anyhow::bail!(crate::errors::Failure::new(
                    "say what the kudos are for: a note or --comment",
                    crate::errors::Exit::Usage
                )),
            };
            let id = garden.give_kudos(&target, &message)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "kudos": id.id, "target": target }));
            }
            ctx.out.line("Kudos given.")
        }
        KudosCommand::List { to } => {
            let names = names(&garden)?;
            let now = when::now();
            let rows: Vec<(String, String, String, i64)> = match to {
                Some(member) => {
                    let member = garden.find_member(&member)?;
                    let profile = garden.profile(member)?;
                    if ctx.json() {
                        return ctx.out.json(&profile.kudos_received);
                    }
                    profile
                        .kudos_received
                        .into_iter()
                        .map(|k| {
                            (
                                k.from_name,
                                target_text(&garden, &k.target),
                                k.message,
                                k.created,
                            )
                        })
                        .collect()
                }
                None => {
                    let community = garden.community()?;
                    if ctx.json() {
                        return ctx.out.json(&community.kudos);
                    }
                    community
                        .kudos
                        .into_iter()
                        .rev()
                        .map(|k| {
                            (
                                name_of(&names, k.from),
                                target_text(&garden, &k.target),
                                k.message,
                                k.created,
                            )
                        })
                        .collect()
                }
            };
            if rows.is_empty() {
                return ctx.out.line("No kudos yet.");
            }
            for (from, target, message, created) in rows {
                let message = if message.is_empty() {
                    String::new()
                } else {
                    format!(": “{message}”")
                };
                ctx.out.line(format!(
                    "{from} → {target}{message}  {}",
                    ctx.out.style.dim(&when::ago(created, now))
                ))?;
            }
            Ok(())
        }
    }
}

fn target_text(garden: &loam_node::Garden, target: &KudosTarget) -> String {
    match target {
        KudosTarget::Doc(d) => garden
            .note(*d)
            .map_or_else(|_| d.to_string(), |n| n.row.title),
        KudosTarget::Comment(c) => format!("comment {}", c.id),
    }
}
