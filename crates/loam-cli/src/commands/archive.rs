//! `loam archive` and `loam restore`: hide a note or page from lists,
//! search and links (keeping it whole), and bring it back. `loam restore
//! --at WHEN` brings back an old version of the text instead (see
//! [`crate::commands::versions`]).

use serde::Serialize;

use crate::context::Context;
use crate::resolve::{resolve, resolve_archived};

/// `loam archive TITLE`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Title, alias or id
    pub title: String,
}

/// `loam restore TITLE [--at WHEN]`
#[derive(Debug, clap::Args)]
#[command(after_help = format!(
    "Without --at, `restore` un-archives the note. With --at, it makes the text of that \
version current again, as a new change: the note stays where it is (archived or not), \
and history keeps every version, the restored one included.\n\n{}",
    crate::commands::versions::when_help()
))]
pub struct RestoreArgs {
    /// Title, alias or id
    pub title: String,
    /// Instead of un-archiving: make the text as it was at WHEN current again
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

#[derive(Debug, Serialize)]
struct Archived {
    id: loam_node::DocId,
    title: String,
    archived: bool,
    /// False when it already was so.
    changed: bool,
}

pub fn archive(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let id = resolve(&garden, &args.title)?;
    let changed = garden.archive(id)?;
    report(ctx, &garden, id, true, changed)
}

pub fn restore(ctx: &mut Context, args: RestoreArgs) -> anyhow::Result<()> {
    if let Some(at) = &args.at {
        return crate::commands::versions::restore_at(ctx, &args.title, at);
    }
    let garden = ctx.garden()?;
    let id = resolve_archived(&garden, &args.title)?;
    let changed = garden.restore(id)?;
    report(ctx, &garden, id, false, changed)
}

/// Say what `archive` or `restore` did to `id` (`archived`: its state now).
fn report(
    ctx: &mut Context,
    garden: &loam_node::Garden,
    id: loam_node::DocId,
    archived: bool,
    changed: bool,
) -> anyhow::Result<()> {
    let title = garden.note(id)?.row.title;
    let done = Archived {
        id,
        title,
        archived,
        changed,
    };
    if ctx.json() {
        return ctx.out.json(&done);
    }
    let title = ctx.out.style.bold(&done.title);
    ctx.out.line(match (done.archived, done.changed) {
        (true, true) => format!(
            "Archived {title}. `loam restore \"{}\"` brings it back.",
            done.title
        ),
        (true, false) => format!("{title} was archived already."),
        (false, true) => format!("Restored {title}."),
        (false, false) => format!("{title} is not archived."),
    })
}
