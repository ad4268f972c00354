//! The knowledge-creation dashboard ([`Garden::stats`]) and the member
//! directory ([`Garden::directory`], [`Garden::profile`]): who contributes
//! what, who knows what, who was thanked for what.
//!
//! Both gather facts from the index (edit sessions attributed by change
//! signature, each document's creator, the resolved links), the membership
//! log (when each member joined) and the folded community (threads,
//! comments, answers, kudos, suggestions), then compute with the pure
//! functions of [`loam_core::community`]; the method of every figure is
//! documented there (`stats`) and in the README.

use std::collections::{BTreeMap, HashMap};

use loam_core::community::{
    Contribution, ContributionKind, GardenStats, KudosTarget, LinkFact, NoteFact, QuestionFact,
    StatsInput, compute_stats,
};
use loam_core::{DocId, DocKind, Joined, MemberId, Role};
use serde::Serialize;

use crate::community::Community;
use crate::{Garden, NodeError};

/// How many tags and documents a profile lists.
const TOP: usize = 5;

/// A document named in a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocMention {
    /// The document.
    pub doc: DocId,
    /// Its title.
    pub title: String,
    /// Note or page.
    pub kind: DocKind,
    /// The member's edit sessions on it.
    pub sessions: u64,
}

/// Kudos a member received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KudosReceived {
    /// Who gave it.
    pub from: MemberId,
    /// Their name.
    pub from_name: String,
    /// For what.
    pub target: KudosTarget,
    /// The message.
    pub message: String,
    /// When.
    pub created: i64,
}

/// A member's profile: what they contributed, what they know, what they
/// were thanked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberProfile {
    /// The member.
    pub member: MemberId,
    /// Their name.
    pub name: String,
    /// Their role (`None`: removed).
    pub role: Option<Role>,
    /// Contributions by kind (see the dashboard's method).
    pub contributions: BTreeMap<ContributionKind, u64>,
    /// All contributions.
    pub total: u64,
    /// Pages they started (made the first change of).
    pub pages_started: Vec<DocMention>,
    /// The tags of the documents they worked on most, with a weight (their
    /// edit sessions on documents with the tag).
    pub top_tags: Vec<(String, u64)>,
    /// The documents they worked on most.
    pub top_docs: Vec<DocMention>,
    /// Kudos they received, newest first.
    pub kudos_received: Vec<KudosReceived>,
    /// Kudos they gave.
    pub kudos_given: u64,
}

impl Garden {
    fn gather(
        &self,
    ) -> Result<
        (
            StatsInput,
            Community,
            Vec<loam_store::DocFact>,
            Vec<loam_store::SessionFact>,
        ),
        NodeError,
    > {
        self.complete_history()?;
        let community = self.community()?;
        let membership = self.members()?;
        let (sessions, docs, links) = {
            let state = self.lock();
            (
                state.store.session_facts()?,
                state.store.doc_facts()?,
                state.store.link_pairs()?,
            )
        };
        let mut contributions: Vec<Contribution> = sessions
            .iter()
            .map(|s| Contribution {
                member: s.member,
                kind: match s.kind {
                    DocKind::Note => ContributionKind::Note,
                    DocKind::Page => ContributionKind::Page,
                },
                time: s.started,
            })
            .collect();
        let mut questions = Vec::new();
        for t in &community.threads {
            contributions.push(Contribution {
                member: t.author,
                kind: if t.question {
                    ContributionKind::Question
                } else {
                    ContributionKind::Thread
                },
                time: t.created,
            });
            for c in &t.comments {
                contributions.push(Contribution {
                    member: c.author,
                    kind: ContributionKind::Comment,
                    time: c.created,
                });
            }
            for a in &t.answers {
                contributions.push(Contribution {
                    member: a.author,
                    kind: ContributionKind::Answer,
                    time: a.created,
                });
            }
            if t.question {
                questions.push(QuestionFact {
                    opened: t.created,
                    answered: t.answers.iter().map(|a| a.created).min(),
                });
            }
        }
        for k in &community.kudos {
            contributions.push(Contribution {
                member: k.from,
                kind: ContributionKind::Kudos,
                time: k.created,
            });
        }
        for s in &community.suggestions {
            contributions.push(Contribution {
                member: s.author,
                kind: ContributionKind::Suggestion,
                time: s.created,
            });
        }
        contributions.sort_by_key(|c| (c.time, c.member, c.kind));
        let input = StatsInput {
            contributions,
            notes: docs
                .iter()
                .map(|d| NoteFact {
                    doc: d.doc,
                    kind: d.kind,
                    creator: d.creator,
                    archived: d.archived,
                })
                .collect(),
            links: links
                .into_iter()
                .map(|(from, to)| LinkFact { from, to })
                .collect(),
            questions,
            joins: membership
                .members()
                .filter(|m| !matches!(m.joined, Joined::Founded))
                .map(|m| (m.id, m.joined_ms))
                .collect(),
        };
        Ok((input, community, docs, sessions))
    }

    /// What the dashboard's figures are computed from (see
    /// [`loam_core::community::StatsInput`]).
    pub fn stats_input(&self) -> Result<StatsInput, NodeError> {
        Ok(self.gather()?.0)
    }

    /// The knowledge-creation dashboard's figures: contributions per week
    /// by kind, active contributors and the top 10%'s share, cross-member
    /// reuse, questions and time to answer, orphan notes, newcomers' time
    /// to a first contribution. The same on every peer holding the same
    /// documents and log.
    pub fn stats(&self) -> Result<GardenStats, NodeError> {
        Ok(compute_stats(&self.gather()?.0))
    }

    /// Every member's profile (current members first, by name; then
    /// removed members).
    pub fn directory(&self) -> Result<Vec<MemberProfile>, NodeError> {
        let (input, community, docs, sessions) = self.gather()?;
        let membership = self.members()?;
        let mut people: Vec<(MemberId, String, Option<Role>)> = membership
            .members()
            .map(|m| (m.id, m.name.clone(), Some(m.role)))
            .collect();
        people.sort_by_key(|p| p.1.to_lowercase());
        people.extend(membership.removed().map(|r| (r.id, r.name.clone(), None)));
        let names: HashMap<MemberId, String> =
            people.iter().map(|(m, n, _)| (*m, n.clone())).collect();
        let by_doc: HashMap<DocId, &loam_store::DocFact> =
            docs.iter().map(|d| (d.doc, d)).collect();
        Ok(people
            .into_iter()
            .map(|(member, name, role)| {
                profile(
                    member, name, role, &input, &community, &by_doc, &sessions, &names,
                )
            })
            .collect())
    }

    /// One member's profile.
    pub fn profile(&self, member: MemberId) -> Result<MemberProfile, NodeError> {
        self.directory()?
            .into_iter()
            .find(|p| p.member == member)
            .ok_or_else(|| NodeError::UnknownMember {
                reference: member.to_string(),
            })
    }
}

#[allow(clippy::too_many_arguments)]
fn profile(
    member: MemberId,
    name: String,
    role: Option<Role>,
    input: &StatsInput,
    community: &Community,
    docs: &HashMap<DocId, &loam_store::DocFact>,
    sessions: &[loam_store::SessionFact],
    names: &HashMap<MemberId, String>,
) -> MemberProfile {
    let mut contributions: BTreeMap<ContributionKind, u64> = BTreeMap::new();
    for c in input.contributions.iter().filter(|c| c.member == member) {
        *contributions.entry(c.kind).or_default() += 1;
    }
    let mention = |doc: &loam_store::DocFact, sessions: u64| DocMention {
        doc: doc.doc,
        title: doc.title.clone(),
        kind: doc.kind,
        sessions,
    };
    let mut per_doc: BTreeMap<DocId, u64> = BTreeMap::new();
    for s in sessions.iter().filter(|s| s.member == member) {
        *per_doc.entry(s.doc).or_default() += 1;
    }
    let mut tags: BTreeMap<String, u64> = BTreeMap::new();
    let mut top_docs: Vec<DocMention> = Vec::new();
    for (doc, n) in &per_doc {
        let Some(fact) = docs.get(doc).filter(|d| !d.archived) else {
            continue;
        };
        for tag in &fact.tags {
            *tags.entry(tag.clone()).or_default() += n;
        }
        top_docs.push(mention(fact, *n));
    }
    top_docs.sort_by(|a, b| {
        b.sessions
            .cmp(&a.sessions)
            .then_with(|| a.title.cmp(&b.title))
    });
    top_docs.truncate(TOP);
    let mut top_tags: Vec<(String, u64)> = tags.into_iter().collect();
    top_tags.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top_tags.truncate(TOP);
    let mut pages_started: Vec<DocMention> = docs
        .values()
        .filter(|d| d.creator == Some(member) && d.kind == DocKind::Page && !d.archived)
        .map(|d| mention(d, per_doc.get(&d.doc).copied().unwrap_or(0)))
        .collect();
    pages_started.sort_by(|a, b| a.title.cmp(&b.title));
    let mut kudos_received: Vec<KudosReceived> = community
        .kudos
        .iter()
        .filter(|k| match &k.target {
            KudosTarget::Doc(d) => docs.get(d).and_then(|f| f.creator) == Some(member),
            KudosTarget::Comment(c) => c.author == member,
        })
        .map(|k| KudosReceived {
            from: k.from,
            from_name: names
                .get(&k.from)
                .cloned()
                .unwrap_or_else(|| k.from.short()),
            target: k.target.clone(),
            message: k.message.clone(),
            created: k.created,
        })
        .collect();
    kudos_received.sort_by_key(|k| std::cmp::Reverse(k.created));
    MemberProfile {
        member,
        name,
        role,
        total: contributions.values().sum(),
        contributions,
        pages_started,
        top_tags,
        top_docs,
        kudos_received,
        kudos_given: community.kudos.iter().filter(|k| k.from == member).count() as u64,
    }
}
