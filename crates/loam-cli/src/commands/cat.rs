//! `loam cat`: a note or page's markdown, or its rendered HTML.

use crate::context::Context;
use crate::resolve::resolve;

/// `loam cat TITLE`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Title, alias or id
    pub title: String,
    /// Print sanitised HTML instead of markdown
    #[arg(long)]
    pub html: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let id = resolve(&garden, &args.title)?;
    let view = garden.note(id)?;
    let html = if args.html {
        Some(garden.render(id)?)
    } else {
        None
    };
    if ctx.json() {
        let mut value = serde_json::to_value(&view)?;
        if let (Some(html), Some(map)) = (html, value.as_object_mut()) {
            map.insert("html".to_owned(), html.into());
        }
        return ctx.out.json(&value);
    }
    match html {
        Some(html) => ctx.out.text(&html),
        None => ctx.out.text(&view.text),
    }
}
