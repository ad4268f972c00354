//! `loam index …`: the garden's curated index. Everyone reads it;
//! facilitators arrange sections of ordered entries and feature entries
//! with a reason; members suggest entries, facilitators accept or decline.

use loam_node::SuggestionStatus;

use crate::context::Context;
use crate::people::{name_of, names};
use crate::resolve::resolve;

/// `loam index`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Without a subcommand, prints the index: sections in order, their entries, and why an
entry is featured. Only facilitators change it; members suggest entries with
`loam index suggest`.")]
pub struct Args {
    #[command(subcommand)]
    command: Option<IndexCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum IndexCommand {
    /// Add, rename or remove a section (facilitators only)
    Section {
        #[command(subcommand)]
        command: SectionCommand,
    },
    /// Add a note or page to a section (facilitators only)
    Add {
        /// The section: its title or id
        section: String,
        /// The note or page
        note: String,
        /// Its position in the section, 1 = first [default: last]
        #[arg(long)]
        at: Option<usize>,
    },
    /// Take a note or page out of a section (facilitators only)
    Remove {
        /// The section: its title or id
        section: String,
        /// The note or page
        note: String,
    },
    /// Move an entry to another position in its section (facilitators only)
    Move {
        /// The section: its title or id
        section: String,
        /// The note or page
        note: String,
        /// The new position, 1 = first
        position: usize,
    },
    /// Feature an entry, with the reason everyone sees (facilitators only)
    Feature {
        /// The note or page (it must be in a section)
        note: String,
        /// Why it is featured
        #[arg(long)]
        reason: String,
    },
    /// Stop featuring an entry (facilitators only)
    Unfeature {
        /// The note or page
        note: String,
    },
    /// Suggest a note or page for the index (members)
    Suggest {
        /// The note or page
        note: String,
        /// The section it belongs in
        #[arg(long)]
        section: Option<String>,
        /// Why
        #[arg(long)]
        reason: String,
    },
    /// List suggestions (open ones; --all: with accepted and declined)
    Suggestions {
        /// Also those already decided
        #[arg(long)]
        all: bool,
    },
    /// Accept a suggestion: its note joins the index (facilitators only)
    Accept {
        /// The suggestion's id (or its first 4+ characters)
        suggestion: String,
        /// The section [default: the one suggested]
        #[arg(long)]
        section: Option<String>,
    },
    /// Decline a suggestion (facilitators only)
    Decline {
        /// The suggestion's id
        suggestion: String,
        /// Why
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, clap::Subcommand)]
enum SectionCommand {
    /// Add a section
    Add {
        /// Its title
        title: String,
        /// Its position, 1 = first [default: last]
        #[arg(long)]
        at: Option<usize>,
    },
    /// Rename a section
    Rename {
        /// The section: its title or id
        section: String,
        /// The new title
        title: String,
    },
    /// Remove a section and its entries
    Remove {
        /// The section: its title or id
        section: String,
    },
}

fn position(at: Option<usize>) -> Option<usize> {
    at.map(|n| n.saturating_sub(1))
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let Some(command) = args.command else {
        return show(ctx);
    };
    let done = |ctx: &mut Context, what: String| -> anyhow::Result<()> {
        if ctx.json() {
            return ctx.out.json(&serde_json::json!({ "done": what }));
        }
        ctx.out.line(what)
    };
    match command {
        IndexCommand::Section { command } => match command {
            SectionCommand::Add { title, at } => {
                let id = garden.add_section(&title, position(at))?;
                if ctx.json() {
                    return ctx
                        .out
                        .json(&serde_json::json!({ "section": id, "title": title }));
                }
                ctx.out.line(format!("Added section {title} ({id})."))
            }
            SectionCommand::Rename { section, title } => {
                garden.rename_section(&section, &title)?;
                done(ctx, format!("Renamed section {section} to {title}."))
            }
            SectionCommand::Remove { section } => {
                garden.remove_section(&section)?;
                done(ctx, format!("Removed section {section}."))
            }
        },
        IndexCommand::Add { section, note, at } => {
            let doc = resolve(&garden, &note)?;
            garden.add_to_index(&section, doc, position(at))?;
            let title = garden.note(doc)?.row.title;
            done(ctx, format!("Added {title} to {section}."))
        }
        IndexCommand::Remove { section, note } => {
            let doc = resolve(&garden, &note)?;
            garden.remove_from_index(&section, doc)?;
            done(ctx, format!("Took {note} out of {section}."))
        }
        IndexCommand::Move {
            section,
            note,
            position,
        } => {
            let doc = resolve(&garden, &note)?;
            garden.move_in_index(&section, doc, position.saturating_sub(1))?;
            done(
                ctx,
                format!("Moved {note} to position {position} of {section}."),
            )
        }
        IndexCommand::Feature { note, reason } => {
            let doc = resolve(&garden, &note)?;
            garden.feature(doc, Some(&reason))?;
            done(ctx, format!("Featured {note}: {reason}"))
        }
        IndexCommand::Unfeature { note } => {
            let doc = resolve(&garden, &note)?;
            garden.feature(doc, None)?;
            done(ctx, format!("{note} is no longer featured."))
        }
        IndexCommand::Suggest {
            note,
            section,
            reason,
        } => {
            let doc = resolve(&garden, &note)?;
            let id = garden.suggest(doc, section.as_deref(), &reason)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "suggestion": id.id, "ref": id.encode() }));
            }
            ctx.out.line(format!(
                "Suggested {note} for the index ({}); a facilitator will decide.",
                id.id
            ))
        }
        IndexCommand::Suggestions { all } => {
            let names = names(&garden)?;
            let list: Vec<_> = garden
                .suggestions()?
                .into_iter()
                .filter(|s| all || s.status == SuggestionStatus::Open)
                .collect();
            if ctx.json() {
                return ctx.out.json(&list);
            }
            if list.is_empty() {
                return ctx.out.line("No suggestions waiting.");
            }
            for s in list {
                let title = garden
                    .note(s.doc)
                    .map_or_else(|_| s.doc.to_string(), |n| n.row.title);
                let status = match &s.status {
                    SuggestionStatus::Open => "open".to_owned(),
                    SuggestionStatus::Accepted { .. } => "accepted".to_owned(),
                    SuggestionStatus::Declined { note, .. } if note.is_empty() => {
                        "declined".to_owned()
                    }
                    SuggestionStatus::Declined { note, .. } => format!("declined: {note}"),
                };
                ctx.out.line(format!(
                    "{}  {title}  by {}  [{status}]  {}",
                    ctx.out.style.dim(&s.id.id),
                    name_of(&names, s.author),
                    s.reason
                ))?;
            }
            Ok(())
        }
        IndexCommand::Accept {
            suggestion,
            section,
        } => {
            garden.accept_suggestion(&suggestion, section.as_deref())?;
            done(ctx, format!("Accepted suggestion {suggestion}."))
        }
        IndexCommand::Decline { suggestion, note } => {
            garden.decline_suggestion(&suggestion, &note)?;
            done(ctx, format!("Declined suggestion {suggestion}."))
        }
    }
}

fn show(ctx: &mut Context) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let index = garden.index()?;
    if ctx.json() {
        return ctx.out.json_for_garden(&garden, &index);
    }
    if index.sections.is_empty() {
        ctx.out.line("The index is empty.")?;
        ctx.out.line(ctx.out.style.dim(
            "Facilitators start it with `loam index section add TITLE`; members suggest entries with `loam index suggest`.",
        ))?;
    }
    for (n, section) in index.sections.iter().enumerate() {
        if n > 0 {
            ctx.out.blank()?;
        }
        ctx.out.line(format!(
            "{}  {}",
            ctx.out.style.bold(&section.title),
            ctx.out.style.dim(&section.id)
        ))?;
        if section.entries.is_empty() {
            ctx.out.line(ctx.out.style.dim("  (no entries)"))?;
        }
        for (i, e) in section.entries.iter().enumerate() {
            let star = if e.featured.is_some() { "★" } else { " " };
            ctx.out.line(format!("  {}. {star} {}", i + 1, e.title))?;
            if let Some(reason) = &e.featured {
                ctx.out.line(format!(
                    "       {}",
                    ctx.out.style.dim(&format!("featured: {reason}"))
                ))?;
            }
        }
    }
    if !index.open_suggestions.is_empty() {
        ctx.out.blank()?;
        ctx.out.line(ctx.out.style.dim(&format!(
            "{} suggestion(s) waiting: `loam index suggestions`",
            index.open_suggestions.len()
        )))?;
    }
    Ok(())
}
