//! `loam rename`: a new title, and the `[[links]]` to the old one rewritten
//! in the notes that have them.

use serde::Serialize;

use crate::context::Context;
use crate::resolve::resolve;

/// `loam rename TITLE NEW`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Title, alias or id
    pub title: String,
    /// The new title
    pub new: String,
}

#[derive(Debug, Serialize)]
struct Renamed {
    id: loam_node::DocId,
    from: String,
    to: String,
    /// Documents whose links were rewritten.
    rewritten: Vec<Rewritten>,
}

#[derive(Debug, Serialize)]
struct Rewritten {
    id: loam_node::DocId,
    title: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let id = resolve(&garden, &args.title)?;
    let report = garden.rename(id, args.new.trim())?;
    let renamed = Renamed {
        id,
        from: report.from,
        to: report.to,
        rewritten: report
            .rewritten
            .into_iter()
            .map(|(id, title)| Rewritten { id, title })
            .collect(),
    };
    if ctx.json() {
        return ctx.out.json(&renamed);
    }
    let style = ctx.out.style;
    ctx.out.line(format!(
        "Renamed {} to {}.",
        style.bold(&renamed.from),
        style.bold(&renamed.to)
    ))?;
    match renamed.rewritten.len() {
        0 => Ok(()),
        n => {
            let notes = if n == 1 { "note" } else { "notes" };
            ctx.out.line(format!("Links rewritten in {n} {notes}:"))?;
            for doc in &renamed.rewritten {
                ctx.out.line(format!("  {}", doc.title))?;
            }
            Ok(())
        }
    }
}
