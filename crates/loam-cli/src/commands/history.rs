//! `loam history`: a note's edit sessions (or, with `--changes`, every
//! change), newest first, each with its number for `--at`.

use loam_node::{Author, ChangeInfo, History, SessionInfo, Timestamp, local_minute, local_second};
use serde::Serialize;

use crate::context::Context;
use crate::resolve::resolve_any;
use crate::table::{Column, Paint, Table};
use crate::when;

const AFTER_HELP: &str = "\
A session is one author's changes, each less than 10 minutes after the one before; two
members writing at the same time have sessions that overlap. Sessions are numbered from
the oldest: #1 is the first, and a number stays the same as new sessions are added. Use a
session number, a change hash prefix or a date-time with `loam show --at`, `loam diff` and
`loam restore --at`.

Times are in the local time zone (UTC when the machine has none). An author is shown by
name for you (see `loam whoami`), by the first 8 digits of the member id for other
members, and as `… (outside Loam)` for changes made by another Automerge application.";

/// `loam history TITLE`
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Title, alias or id
    pub title: String,
    /// List every change (hash prefix, time, author, +/−) instead of sessions
    #[arg(long)]
    pub changes: bool,
    /// Show at most N sessions (or changes), the newest
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
}

/// An author for JSON: [`Author`] and the display name when it is you.
#[derive(Debug, Serialize)]
struct AuthorOut<'a> {
    #[serde(flatten)]
    author: &'a Author,
    name: Option<String>,
}

#[derive(Debug, Serialize)]
struct SessionOut<'a> {
    number: usize,
    author: AuthorOut<'a>,
    start: Timestamp,
    start_iso: String,
    end: Timestamp,
    end_iso: String,
    changes: u64,
    inserted: u64,
    deleted: u64,
}

#[derive(Debug, Serialize)]
struct ChangeOut<'a> {
    hash: String,
    session: usize,
    author: AuthorOut<'a>,
    time: Timestamp,
    time_iso: String,
    inserted: u64,
    deleted: u64,
}

#[derive(Debug, Serialize)]
struct HistoryOut<'a> {
    id: loam_node::DocId,
    title: String,
    changes: u64,
    /// Newest first.
    sessions: Vec<SessionOut<'a>>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let id = resolve_any(&garden, &args.title)?;
    let title = garden.note(id)?.row.title;
    let name = ctx.node()?.display_name();
    let members = garden
        .members()
        .map(|m| m.members().map(|i| (i.id, i.name.clone())).collect())
        .unwrap_or_default();
    let namer = Namer { name, members };
    if args.changes {
        let mut changes = garden.history_changes(id)?;
        changes.reverse();
        if let Some(limit) = args.limit {
            changes.truncate(limit);
        }
        return print_changes(ctx, &namer, &changes);
    }
    let history = garden.history(id)?;
    print_sessions(ctx, &namer, &title, &history, args.limit)
}

/// How an author is called.
struct Namer {
    /// Your display name.
    name: Option<String>,
    /// Members' names in the garden's membership log.
    members: std::collections::HashMap<loam_node::MemberId, String>,
}

impl Namer {
    fn json<'a>(&self, author: &'a Author) -> AuthorOut<'a> {
        AuthorOut {
            author,
            name: if author.you {
                self.name.clone()
            } else {
                author.member.and_then(|m| self.members.get(&m).cloned())
            },
        }
    }

    fn text(&self, author: &Author) -> String {
        match (&self.name, author.you, author.member) {
            (Some(name), true, _) => format!("{name} (you)"),
            (None, true, _) => "you".to_owned(),
            (_, false, Some(m)) => self
                .members
                .get(&m)
                .cloned()
                .unwrap_or_else(|| author.short.clone()),
            (_, false, None) => format!("{} (outside Loam)", author.short),
        }
    }
}

fn print_sessions(
    ctx: &mut Context,
    namer: &Namer,
    title: &str,
    history: &History,
    limit: Option<usize>,
) -> anyhow::Result<()> {
    let newest: Vec<&SessionInfo> = history
        .sessions
        .iter()
        .rev()
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    if ctx.json() {
        let out = HistoryOut {
            id: history.id,
            title: title.to_owned(),
            changes: history.changes,
            sessions: newest
                .iter()
                .map(|s| SessionOut {
                    number: s.number,
                    author: namer.json(&s.author),
                    start: s.start,
                    start_iso: when::iso(s.start),
                    end: s.end,
                    end_iso: when::iso(s.end),
                    changes: s.changes,
                    inserted: s.inserted,
                    deleted: s.deleted,
                })
                .collect(),
        };
        return ctx.out.json(&out);
    }
    let style = ctx.out.style;
    let sessions = history.sessions.len();
    ctx.out.line(format!(
        "{}: {} in {}, newest first",
        style.bold(title),
        count(history.changes, "change", "changes"),
        count(sessions as u64, "session", "sessions"),
    ))?;
    ctx.out.blank()?;
    let mut table = Table::new(&[
        Column::new("#", 6),
        Column::new("when", 36),
        Column::new("author", 40),
        Column::new("changes", 10),
        Column::new("chars", 24),
    ]);
    for s in &newest {
        table.row(vec![
            (format!("#{}", s.number), Paint::Bold),
            (span(s.start, s.end), Paint::Plain),
            (namer.text(&s.author), Paint::Plain),
            (thousands(s.changes), Paint::Plain),
            (edits(s.inserted, s.deleted), Paint::Plain),
        ]);
    }
    for line in table.render(style) {
        ctx.out.line(line)?;
    }
    if newest.len() < sessions {
        ctx.out.line(style.dim(&format!(
            "… and {} older",
            count((sessions - newest.len()) as u64, "session", "sessions")
        )))?;
    }
    Ok(())
}

fn print_changes(ctx: &mut Context, namer: &Namer, changes: &[ChangeInfo]) -> anyhow::Result<()> {
    if ctx.json() {
        let out: Vec<ChangeOut<'_>> = changes
            .iter()
            .map(|c| ChangeOut {
                hash: c.hash.to_string(),
                session: c.session,
                author: namer.json(&c.author),
                time: c.time,
                time_iso: when::iso(c.time),
                inserted: c.inserted,
                deleted: c.deleted,
            })
            .collect();
        return ctx.out.json(&out);
    }
    let mut table = Table::new(&[
        Column::new("change", 8),
        Column::new("#", 6),
        Column::new("time", 20),
        Column::new("author", 40),
        Column::new("chars", 24),
    ]);
    for c in changes {
        table.row(vec![
            (loam_node::short_hash(&c.hash), Paint::Bold),
            (format!("#{}", c.session), Paint::Plain),
            (local_second(c.time), Paint::Plain),
            (namer.text(&c.author), Paint::Plain),
            (edits(c.inserted, c.deleted), Paint::Plain),
        ]);
    }
    let style = ctx.out.style;
    for line in table.render(style) {
        ctx.out.line(line)?;
    }
    Ok(())
}

/// `2026-11-20 14:05–14:32`, or one time when start and end are the same
/// minute, or both dates when the session crosses midnight.
fn span(start: Timestamp, end: Timestamp) -> String {
    let (from, to) = (local_minute(start), local_minute(end));
    if from == to {
        from
    } else if from.get(..10) == to.get(..10) {
        format!("{from}–{}", to.get(11..).unwrap_or_default())
    } else {
        format!("{from} – {to}")
    }
}

/// `+1,204 −37`.
fn edits(inserted: u64, deleted: u64) -> String {
    format!("+{} −{}", thousands(inserted), thousands(deleted))
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `259,779`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        let check = |n: u64, expected: &str| assert_eq!(thousands(n), expected);
        check(0, "0");
        check(999, "999");
        check(1_000, "1,000");
        check(259_779, "259,779");
        check(1_234_567, "1,234,567");
    }
}
