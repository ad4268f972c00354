//! `loam adopt FILE --title T`: a document saved by another Automerge
//! application becomes a note, with its whole history.

use anyhow::Context as _;

use crate::context::Context;
use crate::errors::{Exit, Failure};

/// `loam adopt FILE --title TITLE`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The file is an Automerge document (a save, as `Automerge.save` writes it) whose text is
a text object at `body` or `text` in its root. Its changes keep their authors (shown
as `… (outside Loam)` in `loam history`) and times; one new change by you adds the
note's title and fields.")]
pub struct Args {
    /// The Automerge file
    pub file: std::path::PathBuf,
    /// The note's title
    #[arg(long)]
    pub title: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let garden = ctx.garden()?;
    let id = garden
        .adopt(&bytes, args.title.trim())
        .map_err(|err| match err {
            loam_node::NodeError::Doc { source, .. } => anyhow::Error::new(
                Failure::new(
                    format!("{} cannot be adopted: {source}", args.file.display()),
                    Exit::DataErr,
                )
                .with_hint(
                    "the file must be an Automerge document with a text object at `body` or `text`",
                ),
            ),
            other => other.into(),
        })?;
    if ctx.json() {
        let history = garden.history(id)?;
        return ctx.out.json(&serde_json::json!({
            "id": id,
            "title": args.title.trim(),
            "changes": history.changes,
        }));
    }
    ctx.out.line(id.to_string())
}
