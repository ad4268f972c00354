//! Old versions of a note: `loam show --at` prints one, `loam diff` compares
//! two, `loam restore --at` makes one current again as a new change.

use loam_node::{DocId, Garden, Version, When, local_zone_name};
use serde::Serialize;

use crate::context::Context;
use crate::resolve::resolve_any;

/// What WHEN may be, for `--help`.
pub fn when_help() -> String {
    format!(
        "WHEN is a change hash prefix (4+ hex digits, from `loam history --changes`), a \
session number from `loam history` (#3 or 3), a date-time meaning the version as of \
then (2026-11-20: the end of that day; 2026-11-20 14:05: the end of that minute; or \
RFC 3339 like 2026-11-20T14:05:00Z), or `now`. Dates without an offset are in the local \
time zone, here {} (UTC when the machine has none).",
        local_zone_name()
    )
}

/// `loam show TITLE --at WHEN`
#[derive(Debug, clap::Args)]
#[command(after_help = when_help())]
pub struct ShowArgs {
    /// Title, alias or id
    pub title: String,
    /// The version to print [default: now]
    #[arg(long, value_name = "WHEN", default_value = "now")]
    pub at: String,
}

/// `loam diff TITLE --from WHEN [--to WHEN]`
#[derive(Debug, clap::Args)]
#[command(after_help = when_help())]
pub struct DiffArgs {
    /// Title, alias or id
    pub title: String,
    /// The older version
    #[arg(long, value_name = "WHEN")]
    pub from: String,
    /// The newer version
    #[arg(long, value_name = "WHEN", default_value = "now")]
    pub to: String,
}

/// A version for JSON.
#[derive(Debug, Serialize)]
struct VersionOut<'a> {
    label: &'a str,
    heads: Vec<String>,
    current: bool,
}

impl<'a> From<&'a Version> for VersionOut<'a> {
    fn from(v: &'a Version) -> Self {
        Self {
            label: &v.label,
            heads: v.heads.iter().map(ToString::to_string).collect(),
            current: v.current,
        }
    }
}

/// The note `title` names (archived ones too: their history is kept) and
/// the version `at` names.
fn version(garden: &Garden, title: &str, at: &str) -> anyhow::Result<(DocId, Version)> {
    let id = resolve_any(garden, title)?;
    let when = When::parse(at)?;
    Ok((id, garden.version_at(id, &when)?))
}

pub fn show(ctx: &mut Context, args: ShowArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let (id, at) = version(&garden, &args.title, &args.at)?;
    let text = garden.text_at(id, &at)?;
    if ctx.json() {
        let title = garden.note(id)?.row.title;
        return ctx.out.json(&serde_json::json!({
            "id": id,
            "title": title,
            "at": VersionOut::from(&at),
            "text": text,
        }));
    }
    ctx.out.text(&text)
}

pub fn diff(ctx: &mut Context, args: DiffArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let (id, from) = version(&garden, &args.title, &args.from)?;
    let to = garden.version_at(id, &When::parse(&args.to)?)?;
    let title = garden.note(id)?.row.title;
    let (old, new) = (garden.text_at(id, &from)?, garden.text_at(id, &to)?);
    let diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{title} @ {}", from.label),
            &format!("{title} @ {}", to.label),
        )
        .to_string();
    if ctx.json() {
        return ctx.out.json(&serde_json::json!({
            "id": id,
            "title": title,
            "from": VersionOut::from(&from),
            "to": VersionOut::from(&to),
            "diff": diff,
        }));
    }
    let style = ctx.out.style;
    if old == new {
        return ctx.out.line(style.dim(&format!(
            "No differences between {} and {}.",
            from.label, to.label
        )));
    }
    for line in diff.lines() {
        let painted = if line.starts_with("+++") || line.starts_with("---") {
            style.bold(line)
        } else if line.starts_with('+') {
            style.added(line)
        } else if line.starts_with('-') {
            style.removed(line)
        } else if line.starts_with("@@") {
            style.hunk(line)
        } else {
            line.to_owned()
        };
        ctx.out.line(painted)?;
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Restored<'a> {
    id: DocId,
    title: String,
    at: VersionOut<'a>,
    /// False when the text already was that version's.
    changed: bool,
    chars_before: usize,
    chars_after: usize,
}

/// `loam restore TITLE --at WHEN`: the text of that version as a new change.
pub fn restore_at(ctx: &mut Context, title: &str, at: &str) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let (id, version) = version(&garden, title, at)?;
    let summary = garden.restore_version(id, &version)?;
    let title = garden.note(id)?.row.title;
    if ctx.json() {
        return ctx.out.json(&Restored {
            id,
            title,
            at: VersionOut::from(&version),
            changed: summary.changed,
            chars_before: summary.chars_before,
            chars_after: summary.chars_after,
        });
    }
    let bold = ctx.out.style.bold(&title);
    ctx.out.line(if summary.changed {
        format!(
            "Restored the text of {bold} as of {}, as a new change ({} → {} characters). \
             `loam history \"{title}\"` still has every version.",
            version.label, summary.chars_before, summary.chars_after
        )
    } else {
        format!("{bold} already has the text of {}.", version.label)
    })
}
