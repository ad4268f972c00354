//! `loam export DIR`: write the garden out as a folder of markdown files
//! that Obsidian opens as a vault.

use std::path::PathBuf;

use loam_node::{ExportOptions, human_size};

use crate::context::Context;

const AFTER_HELP: &str = "\
Imported notes go back to the files they came from, byte for byte as they are now, with
their attachments. Notes made in Loam are written as FOLDER/TITLE.md. Archived notes are
left out unless --archived is given.";

/// `loam export DIR`
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The folder to write (created if missing; it must be empty unless --force)
    pub dir: PathBuf,
    /// Write into a folder that is not empty: files of the same name are overwritten, others left alone
    #[arg(long)]
    pub force: bool,
    /// Export archived notes and pages too
    #[arg(long)]
    pub archived: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let options = ExportOptions {
        force: args.force,
        archived: args.archived,
    };
    let report = garden.export(&args.dir, &options)?;
    if ctx.json() {
        return ctx.out.json_for_garden(&garden, &report);
    }
    let name = ctx.out.style.bold(garden.name());
    ctx.out.line(format!(
        "Exported {name} to {}: {} pages, {} notes, {} attachments ({}) in {:.1} s.",
        report.target.display(),
        report.pages,
        report.notes,
        report.attachments,
        human_size(report.bytes),
        report.elapsed_ms as f64 / 1000.0
    ))?;
    if !report.renamed.is_empty() {
        ctx.out.line(format!(
            "Written differently from how Loam shows them ({}):",
            report.renamed.len()
        ))?;
        for renamed in &report.renamed {
            ctx.out.line(format!(
                "  {} -> {}: {}",
                renamed.title, renamed.path, renamed.reason
            ))?;
        }
    }
    if !report.skipped_attachments.is_empty() {
        ctx.out.line(format!(
            "Attachments not written: their path is unsafe or taken ({}):",
            report.skipped_attachments.len()
        ))?;
        for path in &report.skipped_attachments {
            ctx.out.line(format!("  {path}"))?;
        }
    }
    Ok(())
}
