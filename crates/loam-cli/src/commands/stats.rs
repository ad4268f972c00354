//! `loam stats`: the knowledge-creation dashboard's figures, as tables or
//! JSON (`--json`) or CSV (`--csv`, one row per week). The method of every
//! figure is in the README ("Community") and in loam-core's
//! `community::stats`.

use loam_node::{ContributionKind, GardenStats};

use crate::context::Context;
use crate::table::{Column, Paint, Table};

/// `loam stats`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Every figure comes from signed authorship (edit sessions and journal entries), the
membership log and the link index, so every member computes the same figures.")]
pub struct Args {
    /// Print the weekly figures as CSV
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

fn duration(ms: Option<i64>) -> String {
    match ms {
        None => "–".to_owned(),
        Some(ms) if ms < 3_600_000 => format!("{} min", ms / 60_000),
        Some(ms) if ms < 2 * 86_400_000 => format!("{:.1} h", ms as f64 / 3_600_000.0),
        Some(ms) => format!("{:.1} days", ms as f64 / 86_400_000.0),
    }
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let stats = garden.stats()?;
    if ctx.json() {
        return ctx.out.json_for_garden(&garden, &stats);
    }
    if args.csv {
        return csv(ctx, &stats);
    }
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    ctx.out.line(ctx.out.style.bold("Contributions per week"))?;
    let mut columns = vec![Column::new("week", 10)];
    columns.extend(
        ContributionKind::ALL
            .iter()
            .map(|k| Column::new(k.as_str(), 10)),
    );
    columns.extend([
        Column::new("total", 6),
        Column::new("active", 6),
        Column::new("top 10%", 7),
        Column::new("asked", 5),
        Column::new("answered", 8),
    ]);
    let mut table = Table::new(&columns);
    for w in &stats.weeks {
        let mut row = vec![(w.week.clone(), Paint::Dim)];
        row.extend(ContributionKind::ALL.iter().map(|k| {
            (
                w.by_kind.get(k).copied().unwrap_or(0).to_string(),
                Paint::Plain,
            )
        }));
        row.extend([
            (w.total.to_string(), Paint::Bold),
            (w.active_contributors.to_string(), Paint::Plain),
            (pct(w.top10_share), Paint::Plain),
            (w.questions_opened.to_string(), Paint::Plain),
            (w.questions_answered.to_string(), Paint::Plain),
        ]);
        table.row(row);
    }
    for line in table.render(ctx.out.style) {
        ctx.out.line(line)?;
    }
    ctx.out.blank()?;
    let lines = [
        format!(
            "Contributions: {} by {} member(s); the top 10% made {}",
            stats.contributions,
            stats.contributors,
            pct(stats.top10_share)
        ),
        format!(
            "Cross-member reuse: {} of {} links ({}) point to another member's notes",
            stats.reuse.cross_member,
            stats.reuse.links,
            pct(stats.reuse.share)
        ),
        format!(
            "Questions: {} asked, {} answered, median time to an answer {}",
            stats.questions_opened,
            stats.questions_answered,
            duration(stats.median_ms_to_answer)
        ),
        format!(
            "Orphan notes (no page links to them): {}",
            stats.orphan_notes.len()
        ),
        format!(
            "Newcomers: {}, {} contributed; median time to a first contribution {}",
            stats.newcomers.len(),
            stats
                .newcomers
                .iter()
                .filter(|n| n.first_contribution.is_some())
                .count(),
            duration(stats.median_ms_to_first_contribution)
        ),
    ];
    for l in lines {
        ctx.out.line(l)?;
    }
    Ok(())
}

fn csv(ctx: &mut Context, stats: &GardenStats) -> anyhow::Result<()> {
    let mut header = vec!["week".to_owned()];
    header.extend(ContributionKind::ALL.iter().map(|k| k.as_str().to_owned()));
    header.extend(
        [
            "total",
            "active_contributors",
            "top10_share",
            "questions_opened",
            "questions_answered",
        ]
        .map(str::to_owned),
    );
    ctx.out.line(header.join(","))?;
    for w in &stats.weeks {
        let mut row = vec![w.week.clone()];
        row.extend(
            ContributionKind::ALL
                .iter()
                .map(|k| w.by_kind.get(k).copied().unwrap_or(0).to_string()),
        );
        row.extend([
            w.total.to_string(),
            w.active_contributors.to_string(),
            w.top10_share.to_string(),
            w.questions_opened.to_string(),
            w.questions_answered.to_string(),
        ]);
        ctx.out.line(row.join(","))?;
    }
    Ok(())
}
