//! `loam init`: create a garden; with `--demo`, the demo garden and a
//! guided tour of it.

use std::collections::BTreeMap;

use loam_node::{DocRow, ListQuery, Sort};
use serde_json::json;

use crate::context::{Context, default_data_dir};

/// `loam init [NAME] [--demo]`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The garden's name [default: "My garden", or "Demo garden" with --demo]
    pub name: Option<String>,
    /// Fill the garden with demo notes and pages, and show what to try
    #[arg(long)]
    pub demo: bool,
}

/// Commands worth trying in the demo garden, with what they show.
const TOUR: &[(&str, &str)] = &[
    ("loam cat \"Welcome to Loam\"", "read the welcome page"),
    ("loam ls", "every note and page"),
    ("loam search compost", "full-text search, best match first"),
    (
        "loam backlinks \"Links and backlinks\"",
        "which notes link to a page",
    ),
    (
        "loam links --broken",
        "links to pages nobody has written yet",
    ),
    ("loam tags", "tags, and how many notes carry each"),
    (
        "loam index",
        "the curated index, and why a page is featured",
    ),
    ("loam guidelines", "how this garden works together"),
    (
        "loam thread list --unanswered",
        "questions waiting for an answer",
    ),
    (
        "loam edit \"Compost heap\"",
        "change a note in your $EDITOR",
    ),
    (
        "loam rename \"Tags\" \"Tagging\"",
        "rename a page: links to it follow",
    ),
];

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let name = args.name.unwrap_or_else(|| {
        if args.demo {
            "Demo garden"
        } else {
            "My garden"
        }
        .to_owned()
    });
    let node = ctx.node()?;
    let previous = node.default_garden().ok();
    let garden = if args.demo {
        node.create_demo_garden(&name)?
    } else {
        node.create_garden(&name)?
    };
    // The garden just made is the one the next commands should use.
    node.set_default_garden(garden.id())?;
    let docs = garden.list(&ListQuery {
        sort: Sort::Title,
        ..ListQuery::default()
    })?;
    let data_dir = std::path::absolute(ctx.data_dir()?)?;

    if ctx.json() {
        let value = json!({
            "garden": { "id": garden.id(), "name": garden.name() },
            "docs": docs.len(),
            "default": true,
            "data_dir": data_dir,
        });
        return ctx.out.json(&value);
    }

    let style = ctx.out.style;
    let out = &mut ctx.out;
    if args.demo {
        out.line(format!(
            "Planted {} with {} notes and pages. It is your default garden now.",
            style.bold(garden.name()),
            docs.len()
        ))?;
        tour(ctx, &docs)?;
    } else {
        out.line(format!(
            "Created {} (id {}).",
            style.bold(garden.name()),
            garden.id()
        ))?;
        out.line("It is your default garden now. Write your first note with:")?;
        out.line("  loam new \"My first note\"")?;
        out.line("or plant a demo garden to look around: `loam init --demo`.")?;
    }
    if let Some(previous) = previous {
        ctx.out.line(format!(
            "(Before, it was {}: `loam use \"{}\"` switches back.)",
            previous.name(),
            previous.name()
        ))?;
    }
    // A data directory given on the command line is not where the next
    // `loam` looks: say how to make it so.
    let from_env = std::env::var_os("LOAM_DATA_DIR")
        .is_some_and(|dir| std::path::absolute(dir).is_ok_and(|dir| dir == data_dir));
    if !from_env && default_data_dir() != Some(data_dir.clone()) {
        ctx.out.blank()?;
        ctx.out.line(format!(
            "The garden lives in {}. To use it from this shell:",
            data_dir.display()
        ))?;
        ctx.out.line(format!(
            "  export LOAM_DATA_DIR={}",
            shell_quote(&data_dir.to_string_lossy())
        ))?;
    }
    Ok(())
}

/// What the demo garden holds, folder by folder, and what to try.
fn tour(ctx: &mut Context, docs: &[DocRow]) -> anyhow::Result<()> {
    let style = ctx.out.style;
    let mut folders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for doc in docs {
        folders
            .entry(doc.folder.as_str())
            .or_default()
            .push(doc.title.as_str());
    }
    ctx.out.blank()?;
    ctx.out.line("What is inside:")?;
    for (folder, titles) in &folders {
        let label = if folder.is_empty() {
            "(top)".to_owned()
        } else {
            format!("{folder}/")
        };
        ctx.out
            .line(format!("  {label:<12} {}", titles.join(", ")))?;
    }
    ctx.out.blank()?;
    ctx.out.line("Try these:")?;
    let width = TOUR
        .iter()
        .map(|(command, _)| command.len())
        .max()
        .unwrap_or(0);
    for (command, what) in TOUR {
        ctx.out.line(format!(
            "  {}  {}",
            style.bold(&format!("{command:<width$}")),
            style.dim(what)
        ))?;
    }
    ctx.out.blank()?;
    ctx.out.line("Nothing here is precious: change, rename and archive freely. `loam --help` lists every command.")
}

/// `text` as it can be pasted into a POSIX shell.
fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
