//! `loam path …`: reading paths, ordered pages facilitators assemble for
//! newcomers; members mark pages read and see their progress.

use crate::context::Context;
use crate::resolve::resolve;

/// `loam path`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
PATH is a reading path's title (ignoring case) or id. Readers mark pages read too.")]
pub struct Args {
    #[command(subcommand)]
    command: PathCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PathCommand {
    /// List reading paths with your progress
    List,
    /// Show a path's pages and which ones you (or MEMBER) read
    Show {
        /// The path
        path: String,
        /// Whose progress [default: yours]
        #[arg(long)]
        member: Option<String>,
    },
    /// Make a reading path of pages, in order (facilitators only)
    New {
        /// Its title
        title: String,
        /// Its pages, in reading order
        #[arg(required = true)]
        pages: Vec<String>,
    },
    /// Replace a path's pages (facilitators only)
    Set {
        /// The path
        path: String,
        /// Its pages, in reading order
        #[arg(required = true)]
        pages: Vec<String>,
    },
    /// Remove a reading path (facilitators only)
    Remove {
        /// The path
        path: String,
    },
    /// Mark a page read (--unread: not read)
    Read {
        /// The page or note
        note: String,
        /// Mark it unread instead
        #[arg(long)]
        unread: bool,
    },
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let me = ctx.node()?.member_id();
    match args.command {
        PathCommand::List => {
            let paths = garden.paths(me)?;
            if ctx.json() {
                return ctx.out.json(&paths);
            }
            if paths.is_empty() {
                return ctx.out.line("No reading paths yet.");
            }
            for p in paths {
                ctx.out.line(format!(
                    "{}  {}  {}/{} read",
                    ctx.out.style.dim(&p.id),
                    ctx.out.style.bold(&p.title),
                    p.read,
                    p.total
                ))?;
            }
            Ok(())
        }
        PathCommand::Show { path, member } => {
            let member = match member {
                Some(m) => garden.find_member(&m)?,
                None => me,
            };
            let p = garden.path(&path, member)?;
            if ctx.json() {
                return ctx.out.json(&p);
            }
            ctx.out.line(format!(
                "{}  {}/{} read",
                ctx.out.style.bold(&p.title),
                p.read,
                p.total
            ))?;
            for (i, page) in p.pages.iter().enumerate() {
                let mark = if page.read.is_some() { "✓" } else { " " };
                ctx.out
                    .line(format!("  {mark} {}. {}", i + 1, page.title))?;
            }
            Ok(())
        }
        PathCommand::New { title, pages } => {
            let docs = pages
                .iter()
                .map(|p| resolve(&garden, p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let id = garden.add_path(&title, &docs)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "path": id, "title": title }));
            }
            ctx.out.line(format!(
                "Made reading path {title} ({id}) of {} page(s).",
                docs.len()
            ))
        }
        PathCommand::Set { path, pages } => {
            let docs = pages
                .iter()
                .map(|p| resolve(&garden, p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            garden.set_path_pages(&path, &docs)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "path": path, "pages": docs }));
            }
            ctx.out.line(format!(
                "Reading path {path} now has {} page(s).",
                docs.len()
            ))
        }
        PathCommand::Remove { path } => {
            garden.remove_path(&path)?;
            if ctx.json() {
                return ctx.out.json(&serde_json::json!({ "removed": path }));
            }
            ctx.out.line(format!("Removed reading path {path}."))
        }
        PathCommand::Read { note, unread } => {
            let doc = resolve(&garden, &note)?;
            garden.mark_read(doc, !unread)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "doc": doc, "read": !unread }));
            }
            ctx.out.line(if unread {
                format!("Marked {note} unread.")
            } else {
                format!("Marked {note} read.")
            })
        }
    }
}
