//! `loam gardens` and `loam use`: the gardens in the data directory and
//! which one commands use when none is named.

use crate::context::Context;
use crate::table::{Column, Paint, Table};

/// `loam gardens`
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// `loam use NAME`
#[derive(Debug, clap::Args)]
pub struct UseArgs {
    /// The garden, by name or id
    pub garden: String,
}

pub fn list(ctx: &mut Context, _args: ListArgs) -> anyhow::Result<()> {
    let gardens = ctx.node()?.gardens()?;
    if ctx.json() {
        return ctx.out.json(&gardens);
    }
    if gardens.is_empty() {
        return ctx
            .out
            .line("No gardens yet: create one with `loam init` (or `loam init --demo`).");
    }
    let mut table = Table::new(&[
        Column::new("", 1),
        Column::new("name", 40),
        Column::new("docs", 8),
        Column::new("id", 32),
    ]);
    for garden in &gardens {
        table.row(vec![
            (
                if garden.default { "*" } else { "" }.to_owned(),
                Paint::Plain,
            ),
            (garden.name.clone(), Paint::Bold),
            (
                if garden.problem.is_some() {
                    "damaged".to_owned()
                } else {
                    garden.docs.to_string()
                },
                Paint::Plain,
            ),
            (garden.id.to_string(), Paint::Dim),
        ]);
    }
    for line in table.render(ctx.out.style) {
        ctx.out.line(line)?;
    }
    for garden in gardens.iter().filter(|g| g.problem.is_some()) {
        let problem = garden.problem.as_deref().unwrap_or_default();
        ctx.out
            .line(format!("garden {} cannot be opened: {problem}", garden.id))?;
    }
    Ok(())
}

pub fn set_default(ctx: &mut Context, args: UseArgs) -> anyhow::Result<()> {
    let node = ctx.node()?;
    let garden = node.garden(&args.garden)?;
    node.set_default_garden(garden.id())?;
    if ctx.json() {
        let value =
            serde_json::json!({ "id": garden.id(), "name": garden.name(), "default": true });
        return ctx.out.json(&value);
    }
    let name = ctx.out.style.bold(garden.name());
    ctx.out.line(format!("{name} is the default garden now."))
}
