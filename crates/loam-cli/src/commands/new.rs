//! `loam new`: create a note or page, its text from `--body`, standard
//! input or the editor.

use std::io::IsTerminal;

use loam_node::{DocKind, NewDoc};

use crate::context::Context;
use crate::editor;

/// `loam new TITLE`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without --body or --stdin, the text comes from standard input when it is not a \
terminal, else from your editor ($VISUAL, $EDITOR or vi). Prints the new document's id."
)]
pub struct Args {
    /// The title (a page's title must be unique in the garden)
    pub title: String,
    /// Create a wiki page instead of a note
    #[arg(long)]
    pub page: bool,
    /// The folder, e.g. `Projects/Loam`
    #[arg(long, value_name = "FOLDER")]
    pub folder: Option<String>,
    /// A tag (repeat for more)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The markdown text
    #[arg(long, value_name = "TEXT", conflicts_with = "stdin")]
    pub body: Option<String>,
    /// Read the markdown text from standard input
    #[arg(long)]
    pub stdin: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    garden.check_can_write()?;
    let body = match (args.body, args.stdin) {
        (Some(body), _) => body,
        (None, true) => super::read_stdin()?,
        (None, false) if !std::io::stdin().is_terminal() => super::read_stdin()?,
        (None, false) => editor::edit(&args.title, "", "nothing was created")?,
    };
    let kind = if args.page {
        DocKind::Page
    } else {
        DocKind::Note
    };
    let id = garden.create(NewDoc {
        kind,
        title: args.title.trim().to_owned(),
        body,
        tags: args.tags,
        folder: args
            .folder
            .unwrap_or_default()
            .trim()
            .trim_matches('/')
            .to_owned(),
        path: String::new(),
    })?;
    if ctx.json() {
        return ctx
            .out
            .json(&serde_json::json!({ "id": id, "kind": kind, "title": args.title.trim() }));
    }
    ctx.out.line(id.to_string())
}
