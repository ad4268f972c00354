//! The knowledge-creation dashboard's figures, computed from facts the node
//! gathers (signed authorship, the link index, the membership log and the
//! folded community). Pure and deterministic: two peers with the same
//! documents compute the same figures.
//!
//! # Method
//!
//! - **Contribution**: one edit session on a note or page (a member's
//!   changes less than ten minutes apart, attributed by change signature),
//!   or one thread, question, comment, answer, kudos or suggestion (from the
//!   member's journal). Its time is the session's start or the item's time.
//! - **Week**: the ISO week (Monday 00:00 UTC) a contribution's time falls
//!   in; weeks without contributions or questions are left out.
//! - **Active contributors** of a week: distinct members with at least one
//!   contribution in it.
//! - **Top 10% share**: order contributors by their number of
//!   contributions; the top `ceil(n / 10)` of the `n` contributors (at least
//!   one) hold this fraction of all contributions. Per week and overall.
//!   High values mean a few dominant voices.
//! - **Cross-member reuse**: every link from one document to another
//!   (resolved by the index, self links left out) whose two ends both have
//!   a known creator (the author of the document's first signed change);
//!   cross-member when the creators differ. The share is cross / all.
//! - **Questions**: threads marked as questions; answered when at least one
//!   answer links a note. Time to answer is from the question to its first
//!   answer; the median of those (the mean of the two middle values for an
//!   even count, rounded down).
//! - **Orphan notes**: notes (not pages, not archived) that no page links
//!   to: externalised knowledge waiting to be combined.
//! - **Newcomers**: every member added after the garden was founded (the
//!   founder is not a newcomer), from the time of the membership entry that
//!   let them in to their first contribution (none yet: no time). Median
//!   over those who contributed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::doc::DocKind;
use crate::ids::{DocId, MemberId};

const DAY_MS: i64 = 86_400_000;

/// What kind of contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContributionKind {
    /// An edit session on a note.
    Note,
    /// An edit session on a page.
    Page,
    /// A thread opened (not a question).
    Thread,
    /// A question opened.
    Question,
    /// A comment or reply.
    Comment,
    /// An answer to a question.
    Answer,
    /// Kudos given.
    Kudos,
    /// A suggestion for the index.
    Suggestion,
}

impl ContributionKind {
    /// Every kind, in the order tables show them.
    pub const ALL: [Self; 8] = [
        Self::Note,
        Self::Page,
        Self::Thread,
        Self::Question,
        Self::Comment,
        Self::Answer,
        Self::Kudos,
        Self::Suggestion,
    ];

    /// Its lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Page => "page",
            Self::Thread => "thread",
            Self::Question => "question",
            Self::Comment => "comment",
            Self::Answer => "answer",
            Self::Kudos => "kudos",
            Self::Suggestion => "suggestion",
        }
    }
}

/// One contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    /// Who.
    pub member: MemberId,
    /// What.
    pub kind: ContributionKind,
    /// When (ms since the epoch).
    pub time: i64,
}

/// A note or page, for reuse and orphans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteFact {
    /// The document.
    pub doc: DocId,
    /// Note or page.
    pub kind: DocKind,
    /// The author of its first signed change, if known.
    pub creator: Option<MemberId>,
    /// Archived documents are not orphans (nor links from them).
    pub archived: bool,
}

/// A link the index resolves from one document to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFact {
    /// The linking document.
    pub from: DocId,
    /// The linked document.
    pub to: DocId,
}

/// A question and its first answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionFact {
    /// When it was asked.
    pub opened: i64,
    /// When it was first answered.
    pub answered: Option<i64>,
}

/// Everything the figures are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsInput {
    /// Every contribution.
    pub contributions: Vec<Contribution>,
    /// Every note and page.
    pub notes: Vec<NoteFact>,
    /// Every resolved link between documents.
    pub links: Vec<LinkFact>,
    /// Every question.
    pub questions: Vec<QuestionFact>,
    /// Members added after the founding, with when they were let in.
    pub joins: Vec<(MemberId, i64)>,
}

/// The figures of one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekStats {
    /// Its Monday, `YYYY-MM-DD` (UTC).
    pub week: String,
    /// Contributions by kind (kinds with none left out).
    pub by_kind: BTreeMap<ContributionKind, u64>,
    /// All contributions.
    pub total: u64,
    /// Distinct contributors.
    pub active_contributors: u64,
    /// Share of the week's contributions by its top 10% of contributors.
    pub top10_share: f64,
    /// Questions asked this week.
    pub questions_opened: u64,
    /// Questions first answered this week.
    pub questions_answered: u64,
}

/// Cross-member reuse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReuseStats {
    /// Links between documents whose creators are both known.
    pub links: u64,
    /// Those whose creators differ.
    pub cross_member: u64,
    /// `cross_member / links` (0 without links).
    pub share: f64,
}

/// A newcomer's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewcomerStat {
    /// Who.
    pub member: MemberId,
    /// When they were let in.
    pub joined: i64,
    /// Their first contribution, if any.
    pub first_contribution: Option<i64>,
    /// From joining to it, in ms.
    pub ms_to_first: Option<i64>,
}

/// Every figure of the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GardenStats {
    /// Week by week, oldest first.
    pub weeks: Vec<WeekStats>,
    /// All contributions.
    pub contributions: u64,
    /// Distinct contributors.
    pub contributors: u64,
    /// Contributions by kind, overall.
    pub by_kind: BTreeMap<ContributionKind, u64>,
    /// Share of all contributions by the top 10% of contributors.
    pub top10_share: f64,
    /// Cross-member reuse.
    pub reuse: ReuseStats,
    /// Questions asked.
    pub questions_opened: u64,
    /// Questions answered.
    pub questions_answered: u64,
    /// Median time from question to first answer, in ms.
    pub median_ms_to_answer: Option<i64>,
    /// Notes no page links to.
    pub orphan_notes: Vec<DocId>,
    /// Members added after the founding.
    pub newcomers: Vec<NewcomerStat>,
    /// Median time from joining to a first contribution, in ms.
    pub median_ms_to_first_contribution: Option<i64>,
}

/// The Monday (UTC) of the ISO week `time` (ms) falls in, as days since the
/// epoch.
pub fn week_start(time: i64) -> i64 {
    let day = time.div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: Monday is three days before.
    day - (day + 3).rem_euclid(7)
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
fn date(days: i64) -> String {
    // Civil-from-days (proleptic Gregorian), after H. Hinnant's derivation.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The median of `values` (the mean of the two middle ones, rounded down,
/// for an even count); `None` for none.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        let (a, b) = (values[n / 2 - 1], values[n / 2]);
        a + (b - a).div_euclid(2)
    })
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    // Rounded to 4 decimals, so that figures print and compare stably.
    ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0
}

/// The share of contributions made by the top 10% of contributors.
fn top10(counts: &HashMap<MemberId, u64>) -> f64 {
    let mut by_member: Vec<u64> = counts.values().copied().collect();
    by_member.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = by_member.iter().sum();
    let top = by_member.len().div_ceil(10).max(1);
    ratio(by_member.iter().take(top).sum(), total)
}

/// Compute every figure from `input`.
pub fn compute_stats(input: &StatsInput) -> GardenStats {
    #[derive(Default)]
    struct Week {
        by_kind: BTreeMap<ContributionKind, u64>,
        members: HashMap<MemberId, u64>,
        opened: u64,
        answered: u64,
    }
    let mut weeks: BTreeMap<i64, Week> = BTreeMap::new();
    let mut overall: HashMap<MemberId, u64> = HashMap::new();
    let mut by_kind: BTreeMap<ContributionKind, u64> = BTreeMap::new();
    let mut first: HashMap<MemberId, i64> = HashMap::new();
    for c in &input.contributions {
        let w = weeks.entry(week_start(c.time)).or_default();
        *w.by_kind.entry(c.kind).or_default() += 1;
        *w.members.entry(c.member).or_default() += 1;
        *overall.entry(c.member).or_default() += 1;
        *by_kind.entry(c.kind).or_default() += 1;
        let f = first.entry(c.member).or_insert(c.time);
        *f = (*f).min(c.time);
    }
    let mut answer_times = Vec::new();
    let mut answered = 0;
    for q in &input.questions {
        weeks.entry(week_start(q.opened)).or_default().opened += 1;
        if let Some(a) = q.answered {
            answered += 1;
            weeks.entry(week_start(a)).or_default().answered += 1;
            answer_times.push((a - q.opened).max(0));
        }
    }
    let weeks = weeks
        .into_iter()
        .map(|(day, w)| {
            let total = w.by_kind.values().sum();
            WeekStats {
                week: date(day),
                total,
                active_contributors: w.members.len() as u64,
                top10_share: if w.members.is_empty() {
                    0.0
                } else {
                    top10(&w.members)
                },
                by_kind: w.by_kind,
                questions_opened: w.opened,
                questions_answered: w.answered,
            }
        })
        .collect();

    let facts: HashMap<DocId, &NoteFact> = input.notes.iter().map(|n| (n.doc, n)).collect();
    let (mut links, mut cross) = (0, 0);
    let mut linked_from_pages: BTreeSet<DocId> = BTreeSet::new();
    for l in input.links.iter().filter(|l| l.from != l.to) {
        let (Some(from), Some(to)) = (facts.get(&l.from), facts.get(&l.to)) else {
            continue;
        };
        if from.archived {
            continue;
        }
        if from.kind == DocKind::Page {
            linked_from_pages.insert(l.to);
        }
        if let (Some(a), Some(b)) = (from.creator, to.creator) {
            links += 1;
            if a != b {
                cross += 1;
            }
        }
    }
    let mut orphan_notes: Vec<DocId> = input
        .notes
        .iter()
        .filter(|n| n.kind == DocKind::Note && !n.archived && !linked_from_pages.contains(&n.doc))
        .map(|n| n.doc)
        .collect();
    orphan_notes.sort();

    let mut newcomers: Vec<NewcomerStat> = input
        .joins
        .iter()
        .map(|(member, joined)| {
            let first = first.get(member).copied();
            NewcomerStat {
                member: *member,
                joined: *joined,
                first_contribution: first,
                ms_to_first: first.map(|f| (f - joined).max(0)),
            }
        })
        .collect();
    newcomers.sort_by_key(|n| (n.joined, n.member));
    let mut to_first: Vec<i64> = newcomers.iter().filter_map(|n| n.ms_to_first).collect();

    GardenStats {
        weeks,
        contributions: input.contributions.len() as u64,
        contributors: overall.len() as u64,
        by_kind,
        top10_share: if overall.is_empty() {
            0.0
        } else {
            top10(&overall)
        },
        reuse: ReuseStats {
            links,
            cross_member: cross,
            share: ratio(cross, links),
        },
        questions_opened: input.questions.len() as u64,
        questions_answered: answered,
        median_ms_to_answer: median(&mut answer_times),
        orphan_notes,
        newcomers,
        median_ms_to_first_contribution: median(&mut to_first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-19 is a Thursday; its week starts on Monday 2026-11-16.
        let thursday = 1_795_046_400_000; // 2026-11-19T00:00:00Z
        assert_eq!(date(week_start(thursday)), "2026-11-16");
        assert_eq!(date(week_start(0)), "1969-12-29");
        assert_eq!(date(0), "1970-01-01");
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5));
        assert_eq!(median(&mut [9, 1, 4]), Some(4));
        assert_eq!(median(&mut [1, 4]), Some(2));
    }
}
