//! `loam ls`: notes and pages as a table, filtered and sorted.

use loam_node::{ArchivedFilter, DocKind, ListQuery, Sort};

use crate::context::Context;
use crate::table::{Column, Paint, Table};
use crate::when;

/// `loam ls`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only notes or only pages
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only those with this tag (nested tags included: `loam` finds `loam/help`)
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Only those in this folder (and its subfolders)
    #[arg(long, value_name = "FOLDER")]
    pub folder: Option<String>,
    /// List the archived ones instead
    #[arg(long)]
    pub archived: bool,
    /// Sort order
    #[arg(long, value_enum, default_value_t = SortArg::Updated)]
    pub sort: SortArg,
    /// Reverse the order
    #[arg(long, short)]
    pub reverse: bool,
    /// Show at most N
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
}

/// `--kind`
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    /// Notes
    Note,
    /// Wiki pages
    Page,
}

impl From<KindArg> for DocKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Note => DocKind::Note,
            KindArg::Page => DocKind::Page,
        }
    }
}

/// `--sort`
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    /// By title, A to Z
    Title,
    /// Last changed first
    Updated,
    /// Newest first
    Created,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let query = ListQuery {
        kind: args.kind.map(DocKind::from),
        tag: args.tag,
        folder: args.folder.map(|f| f.trim().trim_matches('/').to_owned()),
        archived: if args.archived {
            ArchivedFilter::Only
        } else {
            ArchivedFilter::Exclude
        },
        sort: match args.sort {
            SortArg::Title => Sort::Title,
            SortArg::Updated => Sort::Updated,
            SortArg::Created => Sort::Created,
        },
        // Titles A to Z, times newest first; --reverse turns either round.
        descending: !matches!(args.sort, SortArg::Title) != args.reverse,
        limit: args.limit,
        ..ListQuery::default()
    };
    let rows = garden.list(&query)?;
    if ctx.json() {
        return ctx.out.json(&rows);
    }
    if rows.is_empty() {
        let what = if args.archived {
            "Nothing is archived."
        } else {
            "No notes or pages match."
        };
        let total = garden.count(&ListQuery::default())?;
        return ctx.out.line(if total == 0 && !args.archived {
            "No notes or pages yet: write one with `loam new TITLE`."
        } else {
            what
        });
    }
    let now = when::now();
    let mut table = Table::new(&[
        Column::new("title", 48),
        Column::new("kind", 4),
        Column::new("folder", 24),
        Column::new("tags", 32),
        Column::new("updated", 12),
    ]);
    for row in &rows {
        table.row(vec![
            (row.title.clone(), Paint::Bold),
            (row.kind.to_string(), Paint::Plain),
            (row.folder.clone(), Paint::Plain),
            (
                row.tags
                    .iter()
                    .map(|t| format!("#{t}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                Paint::Plain,
            ),
            (when::ago(row.updated, now), Paint::Dim),
        ]);
    }
    for line in table.render(ctx.out.style) {
        ctx.out.line(line)?;
    }
    if let Some(limit) = args.limit {
        let total = garden.count(&query)?;
        if total > rows.len() as u64 && rows.len() == limit {
            ctx.out.line(
                ctx.out
                    .style
                    .dim(&format!("… and {} more", total - rows.len() as u64)),
            )?;
        }
    }
    Ok(())
}
