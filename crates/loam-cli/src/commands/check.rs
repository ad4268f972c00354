//! `loam check`: SQLite's integrity check, every document loads, and the
//! index agrees with the documents.

use serde_json::json;

use crate::context::Context;
use crate::errors::{self, Exit, Failure};

/// `loam check`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exits with 0 when all is well, 1 when problems were found, 65 when the \
database cannot be read at all."
)]
pub struct Args {
    /// Rewrite the index of every document that disagrees with it, from the
    /// document itself; rebuild a document with damaged chunks from the
    /// chunks that load (copies of the others go to `quarantine/`)
    #[arg(long)]
    pub repair: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden().map_err(|err| {
        // The error for a damaged database says to run `loam check`; here
        // it says what to do next.
        let Some(path) = errors::damaged_database(&err) else {
            return err;
        };
        let path = path.display();
        Failure::new(
            format!("the database {path} is damaged or is not a loam database"),
            Exit::DataErr,
        )
        .with_hint(format!(
            "restore it from a backup, or salvage what SQLite can still read with \
                 `sqlite3 {path} .recover | sqlite3 recovered.db`"
        ))
        .into()
    })?;
    let report = if args.repair {
        garden.repair()?
    } else {
        garden.check()?
    };
    if ctx.json() {
        let value = json!({
            "garden": { "id": garden.id(), "name": garden.name() },
            "ok": report.is_ok(),
            "docs": report.docs,
            "attachments": report.attachments,
            "problems": report.problems,
            "repaired": report.repaired,
            "salvaged": report.salvaged,
        });
        ctx.out.json(&value)?;
    } else {
        let name = ctx.out.style.bold(garden.name());
        let docs = report.docs;
        if !report.repaired.is_empty() {
            let n = report.repaired.len();
            ctx.out.line(format!(
                "Rewrote the index of {n} {} from the documents.",
                if n == 1 { "document" } else { "documents" }
            ))?;
        }
        for s in &report.salvaged {
            let dropped = s.dropped.len();
            let copies = if s.quarantined.is_empty() {
                String::new()
            } else {
                format!(
                    " (copies in {})",
                    s.quarantined
                        .first()
                        .and_then(|p| p.parent())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                )
            };
            let lost = match s.stranded {
                0 => String::new(),
                1 => ", losing 1 change that built on them".to_owned(),
                n => format!(", losing {n} changes that built on them"),
            };
            if s.recovered {
                ctx.out.line(format!(
                    "Recovered `{}` ({}) from {} of its chunks; dropped {dropped} damaged{copies}{lost}.",
                    s.title,
                    s.doc,
                    s.kept
                ))?;
            } else {
                ctx.out.line(format!(
                    "Could not recover `{}` ({}): none of its chunks that load make a note{copies}; \
its last text is still shown by `loam cat {}`.",
                    s.title, s.doc, s.doc
                ))?;
            }
        }
        if report.is_ok() && report.attachments > 0 {
            ctx.out.line(format!(
                "Checked {name}: the database, {docs} documents and {} attachments are sound.",
                report.attachments
            ))?;
        } else if report.is_ok() {
            ctx.out.line(format!(
                "Checked {name}: the database and {docs} documents are sound."
            ))?;
        } else {
            ctx.out
                .line(format!("Checked {name} ({docs} documents):"))?;
            for problem in &report.problems {
                ctx.out.line(format!("  {problem}"))?;
            }
        }
    }
    match report.problems.len() {
        0 => Ok(()),
        n => Err(Failure::new(
            format!(
                "{n} {} in the garden `{}`",
                if n == 1 { "problem" } else { "problems" },
                garden.name()
            ),
            Exit::Failure,
        )
        .with_hint(if args.repair {
            "your notes are stored as they were; `loam check --json` has the details to report"
        } else {
            "your notes are stored as they were; `loam check --repair` rebuilds an index that disagrees"
        })
        .into()),
    }
}
