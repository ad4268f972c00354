//! `loam edit`: change a note's text in the editor (or from `--stdin` or
//! `--text`), applied as a diff so that what others changed meanwhile
//! stays.

use serde::Serialize;

use crate::context::Context;
use crate::editor;
use crate::resolve::resolve;

/// `loam edit TITLE`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The editor is $VISUAL, else $EDITOR, else vi; it may have arguments \
(EDITOR=\"code --wait\"). If it exits with an error, nothing is changed."
)]
pub struct Args {
    /// Title, alias or id
    pub title: String,
    /// Take the new text from standard input instead of the editor
    #[arg(long, conflicts_with = "text")]
    pub stdin: bool,
    /// The new text
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

#[derive(Debug, Serialize)]
struct Edited {
    id: loam_node::DocId,
    title: String,
    changed: bool,
    /// The note changed while it was being edited and both edits were kept.
    merged: bool,
    chars_before: usize,
    chars_after: usize,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let id = resolve(&garden, &args.title)?;
    garden.check_can_write()?;
    let before = garden.note(id)?;
    let title = before.row.title.clone();
    let new_text = match (args.text, args.stdin) {
        (Some(text), _) => text,
        (None, true) => super::read_stdin()?,
        (None, false) => editor::edit(&title, &before.text, "nothing was changed")?,
    };

    // Someone (another `loam`, later a peer) may have changed the note
    // while the editor was open: the edit is made against the version the
    // editor started from, and Automerge merges it with what changed since.
    let merged = garden.note(id)?.row.heads != before.row.heads;
    let summary = garden.replace_text_since(id, &before.row.heads, &new_text)?;
    let (changed, chars_after) = (summary.changed, summary.chars_after);
    let edited = Edited {
        id,
        title,
        changed,
        merged: merged && changed,
        chars_before: before.text.chars().count(),
        chars_after,
    };

    if ctx.json() {
        return ctx.out.json(&edited);
    }
    let title = ctx.out.style.bold(&edited.title);
    if !edited.changed {
        return ctx.out.line(format!("No changes to {title}."));
    }
    let (before, after) = (edited.chars_before, edited.chars_after);
    ctx.out
        .line(format!("Saved {title} ({before} → {after} characters)."))?;
    if edited.merged {
        ctx.out
            .line("It changed while you were editing; both changes were kept.")?;
    }
    Ok(())
}
