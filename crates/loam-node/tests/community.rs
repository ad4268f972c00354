//! The community layer through the node: the curated index, guidelines,
//! discussion, kudos, reading paths, moderation and the dashboard, with
//! roles enforced locally (this file's first half, one machine) and against
//! a hostile peer over the network (the second half, loopback only).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use loam_core::community::{CommunityDoc, CommunityKind};
use loam_node::network::{NetConfig, Network, invite_ticket};
use loam_node::{
    Garden, KudosTarget, ModerationTarget, NewDoc, Node, NodeError, Role, SignedChanges,
    SuggestionStatus,
};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Peer {
    _dir: tempfile::TempDir,
    node: Arc<Node>,
}

fn peer(name: &str) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let node = Arc::new(Node::open(dir.path().join("data")).unwrap());
    node.set_display_name(name).unwrap();
    Peer { _dir: dir, node }
}

/// `to` joins `garden` as `role` (added by the facilitator, the log copied
/// over): enough for local role checks, no documents.
fn join_locally(garden: &Garden, to: &Peer, role: Role, name: &str) -> Arc<Garden> {
    garden.add_member(to.node.member_id(), role, name).unwrap();
    let entries = garden.membership_entries_missing(&[]).unwrap();
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    to.node.join_garden(&refs).unwrap()
}

fn not_allowed(result: Result<impl std::fmt::Debug, NodeError>) -> String {
    match result {
        Err(e @ NodeError::NotAllowed { .. }) => e.to_string(),
        other => panic!("expected NotAllowed, got {other:?}"),
    }
}

#[test]
fn only_facilitators_change_the_index_and_readers_say_why_they_cannot() {
    let (ada, bo, rex) = (peer("Ada"), peer("Bo"), peer("Rex"));
    let garden = ada.node.create_garden("Commons").unwrap();
    let bo_garden = join_locally(&garden, &bo, Role::Member, "Bo");
    let rex_garden = join_locally(&garden, &rex, Role::Reader, "Rex");
    let message = not_allowed(rex_garden.add_section("Mine", None));
    assert_eq!(
        message,
        "only facilitators can change the index; you are a reader (facilitators: Ada)"
    );
    not_allowed(bo_garden.add_section("Mine", None));
    not_allowed(bo_garden.set_guidelines("anything goes"));
    not_allowed(rex_garden.add_path("Start", &[]));
    // Nothing was written on their side.
    assert!(rex_garden.index().unwrap().sections.is_empty());
    // What front ends show instead of hiding.
    let rex_may = rex_garden.permissions().unwrap();
    assert_eq!(
        (
            rex_may.edit_notes,
            rex_may.curate,
            rex_may.discuss,
            rex_may.mark_read
        ),
        (false, false, false, true)
    );
    assert!(
        rex_may
            .read_only_reason
            .unwrap()
            .contains("you are a reader")
    );
    let bo_may = bo_garden.permissions().unwrap();
    assert_eq!((bo_may.discuss, bo_may.curate), (true, false));
    assert!(garden.permissions().unwrap().curate);
    assert_eq!(
        garden.community_document(garden.manifest_id()).unwrap(),
        Some(loam_node::CommunityKind::Manifest)
    );
    assert!(garden.add_section("Start here", None).is_ok());
}

#[test]
fn a_facilitator_arranges_sections_reorders_and_features_with_a_reason() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Commons").unwrap();
    let ids: Vec<_> = ["Soil", "Water", "Seeds"]
        .iter()
        .map(|t| garden.create(NewDoc::page(*t, "")).unwrap())
        .collect();
    let start = garden.add_section("Start here", None).unwrap();
    garden.add_section("First", Some(0)).unwrap();
    for id in &ids {
        garden.add_to_index("start here", *id, None).unwrap();
    }
    // Drag Seeds to the top.
    garden.move_in_index(&start, ids[2], 0).unwrap();
    garden
        .feature(ids[0], Some("the best place to begin"))
        .unwrap();
    assert!(matches!(
        garden.feature(ids[0], Some("  ")),
        Err(NodeError::Community(_))
    ));
    let index = garden.index().unwrap();
    let sections: Vec<&str> = index.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections, ["First", "Start here"]);
    let entries: Vec<(&str, Option<&str>)> = index.sections[1]
        .entries
        .iter()
        .map(|e| (e.title.as_str(), e.featured.as_deref()))
        .collect();
    assert_eq!(
        entries,
        [
            ("Seeds", None),
            ("Soil", Some("the best place to begin")),
            ("Water", None)
        ]
    );
    assert!(matches!(
        garden.add_to_index("Nowhere", ids[0], None),
        Err(NodeError::UnknownItem { .. })
    ));
    // Reading the index loads no Automerge document.
    let before = loam_node::automerge_load_count();
    garden.index().unwrap();
    assert_eq!(loam_node::automerge_load_count(), before);
}

#[test]
fn members_acknowledge_guidelines_and_see_what_changed() {
    let (ada, bo) = (peer("Ada"), peer("Bo"));
    let garden = ada.node.create_garden("Commons").unwrap();
    garden.set_guidelines("Be kind.\nCite sources.\n").unwrap();
    // Bo's view: Ada's manifest reaches Bo by sync; here by the same garden.
    let view = garden.guidelines().unwrap();
    assert_eq!((view.version, view.needs_ack), (1, true));
    assert_eq!(garden.acknowledge_guidelines().unwrap(), 1);
    assert!(!garden.guidelines().unwrap().needs_ack);
    garden
        .set_guidelines("Be kind.\nCite your sources.\nNo ads.\n")
        .unwrap();
    let view = garden.guidelines().unwrap();
    assert_eq!((view.version, view.acknowledged), (2, Some(1)));
    assert!(view.needs_ack);
    let changes: Vec<String> = view
        .changes
        .iter()
        .map(|l| format!("{}{}", l.tag, l.text))
        .collect();
    assert_eq!(
        changes,
        [
            " Be kind.",
            "-Cite sources.",
            "+Cite your sources.",
            "+No ads."
        ]
    );
    let acks = garden.guidelines_acks().unwrap();
    assert_eq!(acks[0].2, Some(1));
    // A reader acknowledges too (their own journal).
    let rex_garden = join_locally(&garden, &bo, Role::Reader, "Rex");
    assert!(
        matches!(
            rex_garden.acknowledge_guidelines(),
            Err(NodeError::Community(_))
        ),
        "the reader has no manifest yet: nothing to acknowledge"
    );
}

#[test]
fn threads_comments_mentions_resolution_and_questions() {
    let (ada, bo) = (peer("Ada"), peer("Bo"));
    let garden = ada.node.create_garden("Commons").unwrap();
    join_locally(&garden, &bo, Role::Member, "Bo");
    let page = garden.create(NewDoc::page("Soil", "Loam.")).unwrap();
    let answer = garden.create(NewDoc::note("Clay", "Clay is")).unwrap();
    let thread = garden
        .open_thread(page, "Is loam soil?", "asking @bo", false)
        .unwrap();
    let comment = garden.comment(&thread.id, "yes it is", None).unwrap();
    garden
        .comment(&thread.id[..6], "agreed, @Bo?", Some(&comment.id))
        .unwrap();
    let question = garden.open_thread(page, "What is clay?", "", true).unwrap();
    assert_eq!(garden.unanswered_questions().unwrap().len(), 1);
    assert_eq!(garden.unresolved_threads().unwrap().len(), 2);
    assert!(matches!(
        garden.answer_question(&thread.id, answer, ""),
        Err(NodeError::Community(_))
    ));
    garden
        .answer_question(&question.id, answer, "see here")
        .unwrap();
    assert!(garden.unanswered_questions().unwrap().is_empty());
    garden.resolve_thread(&thread.id, true).unwrap();
    let unresolved = garden.unresolved_threads().unwrap();
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].title, "What is clay?");
    let t = garden.thread(&thread.id).unwrap();
    assert_eq!(t.comments.len(), 2);
    // Comments made in the same millisecond are ordered by id.
    let reply = t.comments.iter().find(|c| c.reply_to.is_some()).unwrap();
    assert_eq!(reply.reply_to.as_ref().unwrap().id, comment.id);
    let bo_id = bo.node.member_id();
    assert_eq!(t.mentions, [bo_id]);
    assert_eq!(reply.mentions, [bo_id]);
    assert_eq!(garden.mentions_of(bo_id).unwrap().len(), 2);
    assert_eq!(garden.threads(Some(page)).unwrap().len(), 2);
    assert_eq!(garden.threads(Some(answer)).unwrap().len(), 0);
}

#[test]
fn reading_paths_and_progress() {
    let ada = peer("Ada");
    let garden = ada.node.create_garden("Commons").unwrap();
    let pages: Vec<_> = ["One", "Two", "Three"]
        .iter()
        .map(|t| garden.create(NewDoc::page(*t, "")).unwrap())
        .collect();
    garden.add_path("Newcomers", &pages).unwrap();
    garden.mark_read(pages[1], true).unwrap();
    let me = ada.node.member_id();
    let path = garden.path("newcomers", me).unwrap();
    assert_eq!((path.read, path.total), (1, 3));
    let read: Vec<bool> = path.pages.iter().map(|p| p.read.is_some()).collect();
    assert_eq!(read, [false, true, false]);
    garden.mark_read(pages[1], false).unwrap();
    assert_eq!(garden.path("Newcomers", me).unwrap().read, 0);
}

// ---- over the network ----------------------------------------------------

struct Online {
    peer: Peer,
    net: Network,
}

fn online(name: &str) -> Online {
    let peer = peer(name);
    let net = Network::start(peer.node.clone(), NetConfig::loopback()).unwrap();
    Online { peer, net }
}

/// Ada founds a garden with a page; Bo joins it as a member by ticket.
fn community() -> (Online, Online, Arc<Garden>, Arc<Garden>) {
    let ada = online("Ada");
    let garden = ada.peer.node.create_garden("Commons").unwrap();
    garden
        .create(NewDoc::page("Soil", "Loam is soil."))
        .unwrap();
    garden.add_section("Start here", None).unwrap();
    garden.flush().unwrap();
    let bo = online("Bo");
    let invite = garden.invite(Role::Member, None, 1).unwrap();
    let ticket = invite_ticket(&garden, &invite, ada.net.addr().unwrap())
        .to_string()
        .parse()
        .unwrap();
    bo.net.join(&ticket, TIMEOUT).unwrap();
    let bo_garden = bo.peer.node.garden_by_id(garden.id()).unwrap();
    (ada, bo, garden, bo_garden)
}

fn sync(peer: &Online) {
    let report = peer.net.sync_once(TIMEOUT).unwrap();
    assert!(report.iter().all(|p| p.ok), "{report:?}");
}

#[test]
fn a_suggestion_is_accepted_featured_and_thanked_across_the_network() {
    let (ada, bo, garden, bo_garden) = community();
    let soil = bo_garden.resolve("Soil").unwrap();
    assert_eq!(bo_garden.index().unwrap().sections[0].title, "Start here");
    let suggestion = bo_garden
        .suggest(soil, Some("Start here"), "newcomers ask about soil")
        .unwrap();
    sync(&bo);
    let open = garden.index().unwrap().open_suggestions;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].author, bo.peer.node.member_id());
    garden.accept_suggestion(&suggestion.id, None).unwrap();
    garden.feature(soil, Some("the clearest intro")).unwrap();
    bo_garden
        .give_kudos(&KudosTarget::Doc(soil), "lovely page")
        .unwrap();
    sync(&bo);

    let index = bo_garden.index().unwrap();
    let entry = &index.sections[0].entries[0];
    assert_eq!(entry.title, "Soil");
    assert_eq!(entry.featured.as_deref(), Some("the clearest intro"));
    assert!(matches!(
        bo_garden.suggestions().unwrap()[0].status,
        SuggestionStatus::Accepted { .. }
    ));
    let profile = garden.profile(ada.peer.node.member_id()).unwrap();
    assert_eq!(profile.kudos_received.len(), 1);
    assert_eq!(profile.kudos_received[0].message, "lovely page");
    assert_eq!(profile.kudos_received[0].from_name, "Bo");
    assert_eq!(profile.pages_started[0].title, "Soil");
    // Both compute the same dashboard.
    assert_eq!(garden.stats().unwrap(), bo_garden.stats().unwrap());
    let stats = garden.stats().unwrap();
    assert_eq!(stats.contributors, 2);
    assert_eq!(stats.newcomers.len(), 1);
    assert!(stats.newcomers[0].first_contribution.is_some());
}

#[test]
fn a_hostile_members_manifest_change_is_refused_and_the_rest_syncs() {
    let (ada, bo, garden, bo_garden) = community();
    // Bo's Loam is modified: it writes a manifest change signed with Bo's
    // own key straight into its database, past the node's check.
    let bo_key = bo.peer.node.member_key();
    let manifest = bo_garden.manifest_id();
    let db = bo
        .peer
        .node
        .data_dir()
        .join("gardens")
        .join(garden.id().to_string())
        .join("garden.db");
    let mut store = loam_store::Store::open(&db).unwrap();
    let bytes = store.community_doc_bytes(manifest).unwrap().unwrap();
    let mut doc = CommunityDoc::load(CommunityKind::Manifest, &bytes, bo_key.member()).unwrap();
    doc.add_section("Hijacked", Some(0)).unwrap();
    let hash = doc.commit(1, "hostile").unwrap();
    let heads = doc.heads();
    let saved = doc.save();
    let state = doc.to_json().to_string();
    let signatures = SignedChanges::sign(bo_key, garden.id(), manifest, &[hash]);
    store
        .write_community_doc(&loam_store::CommunityWrite {
            id: manifest,
            kind: "manifest",
            owner: None,
            heads: &heads,
            bytes: &saved,
            state: &state,
            signatures: &signatures,
            time: 1,
        })
        .unwrap();
    drop(store);
    assert_eq!(bo_garden.index().unwrap().sections[0].title, "Hijacked");
    // Bo also comments honestly.
    let soil = bo_garden.resolve("Soil").unwrap();
    bo_garden
        .open_thread(soil, "Sources?", "where is this from", false)
        .unwrap();
    let _ = bo.net.sync_once(TIMEOUT).unwrap();

    let index = garden.index().unwrap();
    let titles: Vec<&str> = index.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Start here"], "the forged change is refused");
    assert_eq!(
        garden.threads(None).unwrap().len(),
        1,
        "Bo's thread arrives"
    );
    drop(ada);
}

#[test]
fn a_facilitator_reverts_one_members_changes_to_a_page() {
    let (ada, bo, garden, bo_garden) = community();
    let soil = garden.resolve("Soil").unwrap();
    bo_garden
        .replace_text(soil, "Loam is soil. BUY NOW.")
        .unwrap();
    sync(&bo);
    garden
        .replace_text(soil, "Intro. Loam is soil. BUY NOW.")
        .unwrap();
    assert_eq!(
        garden.note(soil).unwrap().text,
        "Intro. Loam is soil. BUY NOW."
    );
    let report = garden
        .revert_member(soil, bo.peer.node.member_id(), "spam")
        .unwrap();
    assert_eq!(report.changes, 1);
    assert_eq!(garden.note(soil).unwrap().text, "Intro. Loam is soil.");
    let log = garden.moderation_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].action.as_str(), log[0].reason.as_str()),
        ("revert", "spam")
    );
    // Bo cannot revert, hide or read flags as a facilitator would.
    not_allowed(bo_garden.revert_member(soil, ada.peer.node.member_id(), "no"));
    let flag = bo_garden
        .flag(&ModerationTarget::Doc(soil), "was spammed")
        .unwrap();
    sync(&bo);
    assert_eq!(bo_garden.note(soil).unwrap().text, "Intro. Loam is soil.");
    let flags = garden.open_flags().unwrap();
    assert_eq!(flags.len(), 1);
    garden.dismiss_flag(&flag, "reverted").unwrap();
    assert!(garden.open_flags().unwrap().is_empty());
}

#[test]
fn a_former_facilitators_curation_still_reaches_a_newcomer() {
    let (ada, bo, garden, bo_garden) = community();
    let soil = garden.resolve("Soil").unwrap();
    garden.add_to_index("Start here", soil, None).unwrap();
    garden
        .set_role(bo.peer.node.member_id(), Role::Facilitator)
        .unwrap();
    sync(&bo);
    // Bo, now a facilitator, makes Ada a member: Bo's Loam vouches for
    // Ada's curation, which a newcomer would otherwise refuse.
    bo_garden
        .set_role(ada.peer.node.member_id(), Role::Member)
        .unwrap();
    let cy = online("Cy");
    let invite = bo_garden.invite(Role::Member, None, 1).unwrap();
    let ticket = invite_ticket(&bo_garden, &invite, bo.net.addr().unwrap())
        .to_string()
        .parse()
        .unwrap();
    cy.net.join(&ticket, TIMEOUT).unwrap();
    let cy_garden = cy.peer.node.garden_by_id(garden.id()).unwrap();
    let index = cy_garden.index().unwrap();
    assert_eq!(index.sections.len(), 1);
    assert_eq!(index.sections[0].entries[0].title, "Soil");
}

#[test]
fn the_dashboard_counts_citations_across_members_orphans_and_answers() {
    let (ada, bo, garden, bo_garden) = community();
    // Bo writes two notes; Ada's page cites one of them.
    let worms = bo_garden
        .create(NewDoc::note("Worms", "they till"))
        .unwrap();
    bo_garden
        .create(NewDoc::note("Stray", "nobody links here"))
        .unwrap();
    let q = bo_garden
        .open_thread(worms, "Do worms help?", "", true)
        .unwrap();
    sync(&bo);
    let soil = garden.resolve("Soil").unwrap();
    garden
        .replace_text(soil, "Loam is soil. See [[Worms]].")
        .unwrap();
    garden.answer_question(&q.encode(), soil, "yes").unwrap();
    sync(&bo);
    for g in [&garden, &bo_garden] {
        let s = g.stats().unwrap();
        assert_eq!((s.reuse.cross_member, s.reuse.links), (1, 1));
        let orphans: Vec<String> = s
            .orphan_notes
            .iter()
            .map(|d| g.note(*d).unwrap().row.title)
            .collect();
        assert_eq!(orphans, ["Stray"]);
        assert_eq!((s.questions_opened, s.questions_answered), (1, 1));
        assert!(s.median_ms_to_answer.is_some());
        assert_eq!(s.contributors, 2);
        let kinds = &s.by_kind;
        use loam_node::ContributionKind as K;
        assert_eq!(kinds.get(&K::Question), Some(&1));
        assert_eq!(kinds.get(&K::Answer), Some(&1));
    }
    let bo_profile = garden.profile(bo.peer.node.member_id()).unwrap();
    let worked: Vec<&str> = bo_profile
        .top_docs
        .iter()
        .map(|d| d.title.as_str())
        .collect();
    assert!(worked.contains(&"Worms"), "{worked:?}");
    drop(ada);
}

/// A small seeded generator (xorshift), so that a failing run replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn two_members_acting_at_random_compute_the_same_community_and_figures() {
    let seed: u64 = std::env::var("LOAM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("LOAM_TEST_SEED={seed}");
    let mut rng = Rng(seed);
    let (_ada, bo, garden, bo_garden) = community();
    let gardens = [garden.clone(), bo_garden.clone()];
    for step in 0..30 {
        let g = &gardens[rng.below(2)];
        let titles: Vec<String> = g
            .titles()
            .unwrap()
            .into_iter()
            .filter(|t| !t.archived)
            .map(|t| t.title)
            .collect();
        let target = g.resolve(&titles[rng.below(titles.len())]).unwrap();
        let threads = g.threads(None).unwrap();
        match rng.below(6) {
            0 => {
                let link = &titles[rng.below(titles.len())];
                g.create(NewDoc::note(
                    format!("Note {step}"),
                    format!("builds on [[{link}]]"),
                ))
                .unwrap();
            }
            1 => {
                g.open_thread(target, &format!("Thread {step}"), "", rng.below(2) == 0)
                    .unwrap();
            }
            2 if !threads.is_empty() => {
                let t = &threads[rng.below(threads.len())];
                g.comment(&t.id.encode(), &format!("comment {step}"), None)
                    .unwrap();
            }
            3 if !threads.is_empty() => {
                let t = &threads[rng.below(threads.len())];
                if t.question {
                    g.answer_question(&t.id.encode(), target, "").unwrap();
                }
            }
            4 => {
                // Kudos are for others: ignore the refusal for one's own.
                let _ = g.give_kudos(&KudosTarget::Doc(target), "thanks");
            }
            _ => g.mark_read(target, true).unwrap(),
        }
        if rng.below(4) == 0 {
            sync(&bo);
        }
    }
    sync(&bo);
    sync(&bo);
    assert_eq!(
        garden.community().unwrap(),
        bo_garden.community().unwrap(),
        "seed {seed}"
    );
    assert_eq!(
        garden.stats().unwrap(),
        bo_garden.stats().unwrap(),
        "seed {seed}"
    );
}
