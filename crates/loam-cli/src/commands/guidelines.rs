//! `loam guidelines …`: the garden's guidelines. Every member reads and
//! acknowledges them (recorded); facilitators update them, and members see
//! what changed since the version they acknowledged.

use anyhow::Context as _;

use crate::context::Context;
use crate::people::{name_of, names};
use crate::when;

/// `loam guidelines`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Without a subcommand, prints the guidelines, whether you acknowledged this version and,
if you acknowledged an older one, what changed since.")]
pub struct Args {
    #[command(subcommand)]
    command: Option<GuidelinesCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum GuidelinesCommand {
    /// Write a new version of the guidelines (facilitators only)
    Set {
        /// The text (markdown)
        #[arg(long, conflicts_with_all = ["file", "stdin"])]
        text: Option<String>,
        /// Read the text from this file
        #[arg(long, conflicts_with = "stdin")]
        file: Option<std::path::PathBuf>,
        /// Read the text from standard input
        #[arg(long)]
        stdin: bool,
    },
    /// Acknowledge that you read the current guidelines
    Ack,
    /// What changed between two versions (default: your acknowledged one and the current one)
    Diff {
        /// From this version
        from: Option<u64>,
        /// To this version [default: the current one]
        to: Option<u64>,
    },
    /// Who acknowledged which version
    Acks,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    match args.command {
        None => {
            let view = garden.guidelines()?;
            if ctx.json() {
                return ctx.out.json(&view);
            }
            if view.version == 0 {
                return ctx.out.line(
                    "This garden has no guidelines yet (facilitators: `loam guidelines set`).",
                );
            }
            let names = names(&garden)?;
            let by = view.by.map(|m| name_of(&names, m)).unwrap_or_default();
            ctx.out.line(ctx.out.style.dim(&format!(
                "Guidelines, version {} ({} by {by})",
                view.version,
                when::date(view.updated)
            )))?;
            ctx.out.blank()?;
            ctx.out.text(&view.text)?;
            if !view.changes.is_empty() {
                ctx.out.blank()?;
                ctx.out.line(ctx.out.style.bold(&format!(
                    "Changed since version {} that you acknowledged:",
                    view.acknowledged.unwrap_or(0)
                )))?;
                print_diff(ctx, &view.changes)?;
            }
            if view.needs_ack {
                ctx.out.blank()?;
                ctx.out
                    .line("Please read them and acknowledge: `loam guidelines ack`.")?;
            }
            Ok(())
        }
        Some(GuidelinesCommand::Set { text, file, stdin }) => {
            let text = match (text, file) {
                (Some(t), _) => t,
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                (None, None) if stdin => super::read_stdin()?,
                (None, None) => anyhow::bail!(crate::errors::Failure::new(
                    "give the guidelines with --text, --file or --stdin",
                    crate::errors::Exit::Usage
                )),
            };
            let version = garden.set_guidelines(&text)?;
            if ctx.json() {
                return ctx.out.json(&serde_json::json!({ "version": version }));
            }
            ctx.out.line(format!(
                "Guidelines version {version} written; members will be asked to acknowledge it."
            ))
        }
        Some(GuidelinesCommand::Ack) => {
            let version = garden.acknowledge_guidelines()?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "acknowledged": version }));
            }
            ctx.out
                .line(format!("Acknowledged the guidelines, version {version}."))
        }
        Some(GuidelinesCommand::Diff { from, to }) => {
            let view = garden.guidelines()?;
            let from = from.or(view.acknowledged).unwrap_or(0);
            let to = to.unwrap_or(view.version);
            let lines = garden.guidelines_diff(from, to)?;
            if ctx.json() {
                return ctx.out.json(&lines);
            }
            print_diff(ctx, &lines)
        }
        Some(GuidelinesCommand::Acks) => {
            let acks = garden.guidelines_acks()?;
            let current = garden.guidelines()?.version;
            if ctx.json() {
                let rows: Vec<_> = acks
                    .iter()
                    .map(|(m, name, v)| serde_json::json!({ "member": m, "name": name, "acknowledged": v, "current": *v == Some(current) }))
                    .collect();
                return ctx.out.json(&rows);
            }
            for (_, name, v) in acks {
                let state = match v {
                    Some(v) if v == current => "acknowledged the current version".to_owned(),
                    Some(v) => format!("acknowledged version {v} (current: {current})"),
                    None => "has not acknowledged".to_owned(),
                };
                ctx.out.line(format!("{name}: {state}"))?;
            }
            Ok(())
        }
    }
}

fn print_diff(ctx: &mut Context, lines: &[loam_node::DiffLine]) -> anyhow::Result<()> {
    for l in lines {
        let text = format!("{}{}", l.tag, l.text);
        let painted = match l.tag {
            '+' => ctx.out.style.added(&text),
            '-' => ctx.out.style.removed(&text),
            _ => text,
        };
        ctx.out.line(painted)?;
    }
    Ok(())
}
