//! `loam import PATH`: bring a folder of markdown files (an Obsidian vault)
//! into the garden, with progress on standard error and a summary of what
//! came in, what was left out and which links point at nothing.

use std::path::PathBuf;

use loam_node::{ImportOptions, ImportReport, SkipReason, Skipped, human_size};

use crate::context::Context;
use crate::progress::Progress;

const AFTER_HELP: &str = "\
Every .md file becomes a page (its folder kept, its file name the title, its text byte for
byte), except where a file name repeats in other folders: the file nearest the root is the
page, the others notes. `loam-kind: note` (or `page`) in the frontmatter decides otherwise.
Other files are attachments, stored once per content. .obsidian/, .git/, .trash/ and hidden
files are skipped. Importing the same folder again changes only what changed there; edits
made in Loam meanwhile are kept and merged. Nothing is ever deleted.";

/// `loam import PATH`
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The folder to import: an Obsidian vault or any folder of markdown files
    pub path: PathBuf,
    /// Import notes that are not valid UTF-8 with � in place of the bad bytes (skipped otherwise)
    #[arg(long)]
    pub lossy: bool,
    /// Skip files larger than this: bytes, or 500K, 20M, 1G (KiB, MiB, GiB for powers of 1024)
    #[arg(long, value_name = "SIZE", default_value = "50M", value_parser = parse_size)]
    pub max_attachment_size: u64,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let options = ImportOptions {
        max_attachment_bytes: args.max_attachment_size,
        lossy: args.lossy,
    };
    let mut progress = Progress::for_stderr(ctx.json());
    let result = garden.import(&args.path, &options, &mut |p| progress.update(p));
    progress.finish();
    let report = result?;
    if ctx.json() {
        return ctx.out.json_for_garden(&garden, &report);
    }
    summary(ctx, garden.name(), &report)
}

fn summary(ctx: &mut Context, garden: &str, report: &ImportReport) -> anyhow::Result<()> {
    let style = ctx.out.style;
    let out = &mut ctx.out;
    let docs = &report.docs;
    let attachments = &report.attachments;
    out.line(format!(
        "Imported {} into {} in {:.1} s:",
        report.source.display(),
        style.bold(garden),
        report.elapsed_ms as f64 / 1000.0
    ))?;
    out.line(format!(
        "  {} notes and pages: {} pages, {} notes ({} new, {} changed, {} unchanged{})",
        report.pages + report.notes,
        report.pages,
        report.notes,
        docs.created,
        docs.updated,
        docs.unchanged,
        if docs.merged > 0 {
            format!("; {} merged with edits made in Loam", docs.merged)
        } else {
            String::new()
        }
    ))?;
    out.line(format!(
        "  {} attachments, {}: {} new, {} changed, {} unchanged, {} deduplicated",
        attachments.total,
        human_size(attachments.bytes),
        attachments.new,
        attachments.updated,
        attachments.unchanged,
        attachments.deduplicated
    ))?;
    out.line(format!(
        "  {} links, {} unresolved; {} skipped",
        report.links,
        report.unresolved.len(),
        report.skipped.len()
    ))?;
    section(
        out,
        "Skipped",
        report
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.path, skip_reason(s))),
    )?;
    section(
        out,
        "Unresolved links",
        report
            .unresolved
            .iter()
            .map(|u| format!("{}: {}", u.path, u.link)),
    )?;
    section(
        out,
        "Notes rather than pages",
        report
            .as_notes
            .iter()
            .map(|n| format!("{}: {}", n.path, n.reason)),
    )?;
    section(
        out,
        "Titles that differ from the file name (the name is kept for export)",
        report
            .renamed
            .iter()
            .map(|r| format!("{}: {}", r.path, r.title)),
    )?;
    section(
        out,
        "Paths that differ only in case (all imported)",
        report.case_clashes.iter().map(|group| group.join(", ")),
    )?;
    section(
        out,
        "Imported with � in place of bytes that are not UTF-8",
        report.lossy.iter().cloned(),
    )?;
    section(
        out,
        "Attachments no note links to (imported all the same)",
        report.unreferenced.iter().cloned(),
    )?;
    section(
        out,
        "Gone from the folder since the last import (kept in the garden, not deleted)",
        report.missing.iter().map(|m| m.path.clone()),
    )
}

/// A list under a heading with its count; nothing when empty.
fn section(
    out: &mut crate::output::Output,
    heading: &str,
    lines: impl ExactSizeIterator<Item = String>,
) -> anyhow::Result<()> {
    if lines.len() == 0 {
        return Ok(());
    }
    out.line(format!("{heading} ({}):", lines.len()))?;
    for line in lines {
        out.line(format!("  {line}"))?;
    }
    Ok(())
}

/// Why a file was skipped, with the option that would bring it in.
fn skip_reason(skipped: &Skipped) -> String {
    match &skipped.reason {
        SkipReason::TooLarge { .. } => {
            format!("{}; raise it with --max-attachment-size", skipped.reason)
        }
        SkipReason::NotUtf8 => {
            "not valid UTF-8 text; --lossy imports it with � in place of the bad bytes".to_owned()
        }
        reason => reason.to_string(),
    }
}

/// A size: bytes, or a number with K, M, G (powers of 1000, as file
/// managers count) or KiB, MiB, GiB (powers of 1024); `B` and case are
/// optional (`20M`, `20mb`, `1.5G`, `512KiB`).
fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let factor: u64 = match unit {
        "" => 1,
        "k" => 1_000,
        "m" => 1_000_000,
        "g" => 1_000_000_000,
        "ki" => 1 << 10,
        "mi" => 1 << 20,
        "gi" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size: use bytes or 500K, 20M, 1G"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: use bytes or 500K, 20M, 1G"))?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{text}` is not a size a file can have"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let check = |text: &str, expected: Result<u64, ()>| {
            assert_eq!(parse_size(text).map_err(|_| ()), expected, "{text}");
        };
        check("1024", Ok(1024));
        check("20M", Ok(20_000_000));
        check("20mb", Ok(20_000_000));
        check("1.5G", Ok(1_500_000_000));
        check("500k", Ok(500_000));
        check("2MiB", Ok(2 << 20));
        check("512 KiB", Ok(512 << 10));
        check("0", Err(()));
        check("", Err(()));
        check("lots", Err(()));
        check("5T", Err(()));
    }
}
