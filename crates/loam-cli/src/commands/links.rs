//! `loam links` and `loam backlinks`: how notes connect, both ways, and
//! the links that point at nothing yet.

use loam_node::LinkRow;
use serde_json::json;

use crate::context::Context;
use crate::excerpt;
use crate::resolve::resolve;
use crate::table::{Column, Paint, Table};

/// `loam links TITLE` / `loam links --broken`
#[derive(Debug, clap::Args)]
pub struct LinksArgs {
    /// Title, alias or id
    #[arg(required_unless_present = "broken")]
    pub title: Option<String>,
    /// Every link in the garden that points at no note or page, with the note it is in
    #[arg(long, conflicts_with = "title")]
    pub broken: bool,
}

/// `loam backlinks TITLE`
#[derive(Debug, clap::Args)]
pub struct BacklinksArgs {
    /// Title, alias or id
    pub title: String,
    /// Also list unlinked mentions: notes where the title appears as plain text
    #[arg(long)]
    pub mentions: bool,
}

pub fn links(ctx: &mut Context, args: LinksArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let Some(title) = args.title.filter(|_| !args.broken) else {
        let broken = garden.broken_links()?;
        if ctx.json() {
            return ctx.out.json(&broken);
        }
        if broken.is_empty() {
            return ctx
                .out
                .line("No broken links: every link points at a note or page.");
        }
        let mut table = Table::new(&[Column::new("link", 48), Column::new("in", 48)]);
        for link in &broken {
            table.row(vec![
                (written(&link.link), Paint::Bold),
                (link.source.title.clone(), Paint::Plain),
            ]);
        }
        return print_table(ctx, &table);
    };
    let id = resolve(&garden, &title)?;
    let links = garden.outgoing(id)?;
    if ctx.json() {
        return ctx.out.json(&links);
    }
    if links.is_empty() {
        let title = ctx.out.style.bold(&garden.note(id)?.row.title);
        return ctx.out.line(format!("{title} links to nothing."));
    }
    let mut table = Table::new(&[Column::new("link", 48), Column::new("to", 48)]);
    for link in &links {
        let to = match link.resolved {
            Some(target) => {
                let row = garden.note(target)?.row;
                (format!("{} ({})", row.title, row.kind), Paint::Plain)
            }
            None => match &link.attachment {
                Some(path) => (format!("{path} (attachment)"), Paint::Plain),
                None => ("not written yet".to_owned(), Paint::Dim),
            },
        };
        table.row(vec![(written(&link.link), Paint::Bold), to]);
    }
    print_table(ctx, &table)
}

pub fn backlinks(ctx: &mut Context, args: BacklinksArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let id = resolve(&garden, &args.title)?;
    let backlinks = garden.backlinks(id)?;
    let mentions = if args.mentions {
        Some(garden.unlinked_mentions(id)?)
    } else {
        None
    };
    if ctx.json() {
        return ctx
            .out
            .json(&json!({ "backlinks": backlinks, "mentions": mentions }));
    }
    let style = ctx.out.style;
    let title = style.bold(&garden.note(id)?.row.title);
    if backlinks.is_empty() {
        ctx.out.line(format!("Nothing links to {title} yet."))?;
    } else {
        let count = backlinks.len();
        ctx.out.line(format!(
            "{count} {} to {title}:",
            if count == 1 { "link" } else { "links" }
        ))?;
        for backlink in &backlinks {
            ctx.out.blank()?;
            ctx.out.line(style.bold(&backlink.source.title))?;
            let text = garden.note(backlink.source.id)?.text;
            for link in &backlink.links {
                let (excerpt, range) = excerpt::around(&text, link.start..link.end);
                ctx.out
                    .line(format!("    {}", style.highlight(&excerpt, &[range])))?;
            }
        }
    }
    let Some(mentions) = mentions else {
        return Ok(());
    };
    ctx.out.blank()?;
    if mentions.is_empty() {
        return ctx.out.line(format!("No unlinked mentions of {title}."));
    }
    ctx.out.line(format!("Unlinked mentions of {title}:"))?;
    for mention in &mentions {
        ctx.out.blank()?;
        ctx.out.line(style.bold(&mention.source.title))?;
        ctx.out.line(format!(
            "    {}",
            style.highlight(&mention.context, std::slice::from_ref(&mention.range))
        ))?;
    }
    Ok(())
}

/// A link as it would be written: `[[Target#heading|alias]]`.
fn written(link: &LinkRow) -> String {
    let bang = if link.embed { "!" } else { "" };
    let heading = link
        .heading
        .as_deref()
        .map(|h| format!("#{h}"))
        .unwrap_or_default();
    let alias = link
        .alias
        .as_deref()
        .map(|a| format!("|{a}"))
        .unwrap_or_default();
    format!("{bang}[[{}{heading}{alias}]]", link.target)
}

fn print_table(ctx: &mut Context, table: &Table) -> anyhow::Result<()> {
    for line in table.render(ctx.out.style) {
        ctx.out.line(line)?;
    }
    Ok(())
}
