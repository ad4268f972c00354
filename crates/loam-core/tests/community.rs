//! The community layer's pure parts: the write rule, the manifest and
//! journal documents, the fold, and every dashboard figure on small
//! hand-built gardens with known answers.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use loam_core::community::{
    CommunityDoc, CommunityKind, Contribution, ContributionKind, Journal, KudosTarget, LinkFact,
    Manifest, NoteFact, QuestionFact, StatsInput, SuggestionStatus, WritePolicy, compute_stats,
    fold, journal_id, manifest_id,
};
use loam_core::{DocId, DocKind, GardenId, MemberId, Role};

const MONDAY: i64 = 1_794_787_200_000; // 2026-11-16T00:00:00Z
const HOUR: i64 = 3_600_000;

fn member(name: &str) -> MemberId {
    MemberId::from_bytes([name.as_bytes()[0]; 32])
}

fn doc(name: &str) -> DocId {
    let mut b = [0u8; 16];
    for (i, c) in name.bytes().enumerate().take(16) {
        b[i] = c;
    }
    DocId::from_bytes(b)
}

fn garden() -> GardenId {
    GardenId::from_bytes([7; 16])
}

#[test]
fn who_may_write_what() {
    let (ada, bo) = (member("ada"), member("bo"));
    let cases = [
        (WritePolicy::Writers, ada, Some(Role::Member), true),
        (WritePolicy::Writers, ada, Some(Role::Reader), false),
        (WritePolicy::Writers, ada, None, false),
        (
            WritePolicy::Facilitators,
            ada,
            Some(Role::Facilitator),
            true,
        ),
        (WritePolicy::Facilitators, ada, Some(Role::Member), false),
        (WritePolicy::Owner(ada), ada, Some(Role::Reader), true),
        (WritePolicy::Owner(ada), ada, None, false),
        (WritePolicy::Owner(ada), bo, Some(Role::Facilitator), false),
    ];
    for (policy, signer, role, expected) in cases {
        assert_eq!(policy.allows(signer, role), expected, "{policy:?} {role:?}");
    }
}

#[test]
fn document_ids_say_what_a_document_is() {
    let g = garden();
    let members = [member("ada"), member("bo")];
    assert_eq!(
        CommunityKind::of(manifest_id(g), g, members),
        Some(CommunityKind::Manifest)
    );
    assert_eq!(
        CommunityKind::of(journal_id(g, member("bo")), g, members),
        Some(CommunityKind::Journal(member("bo")))
    );
    assert_eq!(CommunityKind::of(doc("note"), g, members), None);
    assert_ne!(manifest_id(g), manifest_id(GardenId::from_bytes([8; 16])));
    assert_ne!(journal_id(g, member("ada")), journal_id(g, member("bo")));
}

fn manifest_of(doc: &CommunityDoc) -> Manifest {
    Manifest::from_json(&doc.to_json())
}

#[test]
fn the_manifest_keeps_sections_ordered_entries_and_reasons() {
    let fac = member("fac");
    let mut m = CommunityDoc::new(CommunityKind::Manifest, fac);
    let start = m.add_section("Start here", None).unwrap();
    let deep = m.add_section("Deep dives", None).unwrap();
    let first = m.add_section("First", Some(0)).unwrap();
    for d in ["a", "b", "c"] {
        m.add_entry(&start, doc(d), None, fac, 1, None).unwrap();
    }
    assert!(m.add_entry(&start, doc("a"), None, fac, 1, None).is_err());
    m.move_entry(&start, doc("c"), 0).unwrap();
    m.set_featured(doc("b"), Some("the clearest intro"))
        .unwrap();
    assert!(m.set_featured(doc("zzz"), Some("x")).is_err());
    m.remove_section(&deep).unwrap();
    m.commit(10, "curate").unwrap();
    let read = manifest_of(&m);
    let titles: Vec<&str> = read.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["First", "Start here"]);
    let order: Vec<DocId> = read.sections[1].entries.iter().map(|e| e.doc).collect();
    assert_eq!(order, [doc("c"), doc("a"), doc("b")]);
    assert_eq!(read.featured(doc("b")), Some("the clearest intro"));
    assert_eq!(read.section("start HERE").unwrap().id, start);
    assert_eq!(read.section(&first).unwrap().title, "First");
    // A journal is not the manifest.
    let mut j = CommunityDoc::new(CommunityKind::Journal(fac), fac);
    assert!(j.add_section("x", None).is_err());
}

#[test]
fn guidelines_versions_are_kept() {
    let fac = member("fac");
    let mut m = CommunityDoc::new(CommunityKind::Manifest, fac);
    assert_eq!(m.set_guidelines("be kind", fac, 5).unwrap(), 1);
    m.commit(5, "g");
    assert_eq!(
        m.set_guidelines("be kind\ncite sources", fac, 9).unwrap(),
        2
    );
    m.commit(9, "g");
    let g = manifest_of(&m).guidelines;
    assert_eq!(g.version, 2);
    assert_eq!(g.text, "be kind\ncite sources");
    assert_eq!(g.versions[&1].text, "be kind");
    assert_eq!(g.updated, 9);
}

#[test]
fn concurrent_curation_by_two_facilitators_merges() {
    let (a, b) = (member("ada"), member("bea"));
    let mut ma = CommunityDoc::new(CommunityKind::Manifest, a);
    let s = ma.add_section("Index", None).unwrap();
    ma.add_entry(&s, doc("x"), None, a, 1, None).unwrap();
    ma.commit(1, "start");
    let bytes = ma.save();
    let mut mb = CommunityDoc::load(CommunityKind::Manifest, &bytes, b).unwrap();
    ma.add_entry(&s, doc("y"), None, a, 2, None).unwrap();
    ma.commit(2, "a");
    mb.set_featured(doc("x"), Some("great")).unwrap();
    mb.add_section("More", None).unwrap();
    mb.commit(2, "b");
    ma.automerge().merge(mb.automerge()).unwrap();
    let read = manifest_of(&ma);
    assert_eq!(read.sections.len(), 2);
    assert_eq!(read.sections[0].entries.len(), 2);
    assert_eq!(read.featured(doc("x")), Some("great"));
}

/// A journal for `owner` written by `f`.
fn journal(owner: MemberId, f: impl FnOnce(&mut CommunityDoc)) -> Journal {
    let mut j = CommunityDoc::new(CommunityKind::Journal(owner), owner);
    f(&mut j);
    j.commit(1, "j");
    Journal::from_json(&j.to_json())
}

#[test]
fn the_fold_counts_who_may_speak_and_who_may_resolve() {
    let (fac, ada, rex) = (member("fac"), member("ada"), member("rex"));
    let roles: BTreeMap<MemberId, Role> = [
        (fac, Role::Facilitator),
        (ada, Role::Member),
        (rex, Role::Reader),
    ]
    .into();
    let mut thread_id = String::new();
    let mut question_id = String::new();
    let ada_j = journal(ada, |j| {
        thread_id = j
            .open_thread(
                doc("page"),
                "Sources?",
                "where from @fac",
                false,
                &[fac],
                10,
            )
            .unwrap();
        question_id = j
            .open_thread(doc("page"), "Why?", "", true, &[], 20)
            .unwrap();
    });
    let t_ref = format!("{ada}:{thread_id}");
    let q_ref = format!("{ada}:{question_id}");
    let fac_j = journal(fac, |j| {
        j.comment(&t_ref, None, "from the archive", &[], 30)
            .unwrap();
        j.answer(&q_ref, doc("answer"), "see this", 40).unwrap();
        // Answers count on questions only.
        j.answer(&t_ref, doc("answer"), "not a question", 41)
            .unwrap();
        j.give_kudos(&format!("doc:{}", doc("page")), "thanks", 50)
            .unwrap();
    });
    let rex_j = journal(rex, |j| {
        // A reader's comment, resolution and kudos do not count; their
        // read mark and acknowledgement do.
        j.comment(&t_ref, None, "spam", &[], 31).unwrap();
        j.set_resolved(&q_ref, true, 60).unwrap();
        j.give_kudos(&format!("doc:{}", doc("page")), "", 61)
            .unwrap();
        j.set_read(doc("page"), true, 62).unwrap();
        j.acknowledge(1, 63).unwrap();
    });
    let journals: BTreeMap<MemberId, Journal> = [(ada, ada_j), (fac, fac_j), (rex, rex_j)].into();
    let c = fold(Manifest::default(), &journals, &roles);
    assert_eq!(c.threads.len(), 2);
    let t = &c.threads[0];
    assert_eq!((t.title.as_str(), t.author), ("Sources?", ada));
    assert_eq!(t.mentions, [fac]);
    let comments: Vec<&str> = t.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(comments, ["from the archive"]);
    assert!(t.answers.is_empty());
    let q = &c.threads[1];
    assert_eq!(q.answers.len(), 1);
    assert_eq!(q.resolved, None, "a reader cannot resolve");
    assert_eq!(c.kudos.len(), 1);
    assert_eq!(c.kudos[0].target, KudosTarget::Doc(doc("page")));
    assert_eq!(c.reads[&rex][&doc("page")], 62);
    assert_eq!(c.acks[&rex][&1], 63);
    assert_eq!(c.unanswered().count(), 0);
    assert_eq!(c.unresolved().count(), 2);
    // The author resolves; a later reopen by a facilitator wins.
    let mut journals = journals;
    journals.insert(
        ada,
        journal(ada, |j| {
            thread_id = j
                .open_thread(doc("page"), "Sources?", "", false, &[], 10)
                .unwrap();
        }),
    );
    let t_ref = format!("{ada}:{thread_id}");
    let mut ada_doc = CommunityDoc::new(CommunityKind::Journal(ada), ada);
    let id = ada_doc
        .open_thread(doc("page"), "Own", "", false, &[], 5)
        .unwrap();
    let own = format!("{ada}:{id}");
    ada_doc.set_resolved(&own, true, 70).unwrap();
    ada_doc.commit(70, "x");
    journals.insert(ada, Journal::from_json(&ada_doc.to_json()));
    journals.insert(
        fac,
        journal(fac, |j| {
            j.set_resolved(&own, false, 80).unwrap();
            j.set_resolved(&t_ref, true, 80).unwrap();
        }),
    );
    let c = fold(Manifest::default(), &journals, &roles);
    assert_eq!(c.threads.len(), 1);
    assert_eq!(c.threads[0].resolved, None, "reopened by the facilitator");
}

#[test]
fn suggestions_carry_their_verdicts_and_hidden_items_their_reason() {
    let (fac, ada) = (member("fac"), member("ada"));
    let roles: BTreeMap<MemberId, Role> = [(fac, Role::Facilitator), (ada, Role::Member)].into();
    let mut ids = Vec::new();
    let mut tid = String::new();
    let mut cid = String::new();
    let ada_j = journal(ada, |j| {
        ids.push(j.suggest(doc("a"), "", "good", 1).unwrap());
        ids.push(j.suggest(doc("b"), "", "also", 2).unwrap());
        ids.push(j.suggest(doc("c"), "", "maybe", 3).unwrap());
        tid = j.open_thread(doc("a"), "T", "", false, &[], 4).unwrap();
        cid = j
            .comment(&format!("{ada}:{tid}"), None, "rude", &[], 5)
            .unwrap();
    });
    let mut m = CommunityDoc::new(CommunityKind::Manifest, fac);
    m.set_verdict(&format!("{ada}:{}", ids[0]), true, fac, 9, "")
        .unwrap();
    m.set_verdict(&format!("{ada}:{}", ids[1]), false, fac, 9, "off topic")
        .unwrap();
    m.set_hidden(&format!("comment:{ada}:{cid}"), Some("not kind"), fac, 9)
        .unwrap();
    m.commit(9, "m");
    let c = fold(manifest_of(&m), &[(ada, ada_j)].into(), &roles);
    let statuses: Vec<&SuggestionStatus> = c.suggestions.iter().map(|s| &s.status).collect();
    assert!(matches!(statuses[0], SuggestionStatus::Accepted { .. }));
    assert!(matches!(statuses[1], SuggestionStatus::Declined { note, .. } if note == "off topic"));
    assert_eq!(statuses[2], &SuggestionStatus::Open);
    assert_eq!(c.threads[0].comments[0].hidden.as_deref(), Some("not kind"));
    assert!(c.thread(&tid).is_ok());
    assert!(c.thread(&tid[..5]).is_ok());
}

#[test]
fn malformed_journal_items_are_skipped_not_fatal() {
    let json = serde_json::json!({
        "threads": { "x": { "doc": "not an id", "title": 5 }, "y": { "doc": doc("d").to_string(), "title": "ok", "created": "soon" } },
        "reads": { "garbage": 3, (doc("d").to_string()): 7 },
        "kudos": 12,
    });
    let j = Journal::from_json(&json);
    assert_eq!(j.threads.len(), 1);
    assert_eq!(j.threads["y"].created, 0);
    assert_eq!(j.reads.len(), 1);
    assert!(j.kudos.is_empty());
}

// ---- dashboard figures ----------------------------------------------------

/// A garden in a line-per-fact notation (times in hours after Monday
/// 2026-11-16 00:00 UTC):
///
/// ```text
/// c <member> <kind> <hour>          a contribution
/// n <doc> note|page <creator|-> [archived]
/// l <from> <to>                     a link
/// q <hour> [<answered hour>]        a question
/// j <member> <hour>                 a newcomer let in
/// ```
fn parse(garden: &str) -> StatsInput {
    let mut input = StatsInput::default();
    let hour = |s: &str| MONDAY + s.parse::<i64>().unwrap() * HOUR;
    for line in garden.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w[0] {
            "c" => input.contributions.push(Contribution {
                member: member(w[1]),
                kind: ContributionKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == w[2])
                    .unwrap(),
                time: hour(w[3]),
            }),
            "n" => input.notes.push(NoteFact {
                doc: doc(w[1]),
                kind: DocKind::parse(w[2]).unwrap(),
                creator: (w[3] != "-").then(|| member(w[3])),
                archived: w.get(4) == Some(&"archived"),
            }),
            "l" => input.links.push(LinkFact {
                from: doc(w[1]),
                to: doc(w[2]),
            }),
            "q" => input.questions.push(QuestionFact {
                opened: hour(w[1]),
                answered: w.get(2).map(|h| hour(h)),
            }),
            "j" => input.joins.push((member(w[1]), hour(w[2]))),
            other => panic!("unknown fact {other}"),
        }
    }
    input
}

/// The figures, one per line, compactly.
fn summary(input: &StatsInput) -> String {
    let s = compute_stats(input);
    let mut out = Vec::new();
    for w in &s.weeks {
        let kinds: Vec<String> = w
            .by_kind
            .iter()
            .map(|(k, n)| format!("{}={n}", k.as_str()))
            .collect();
        out.push(format!(
            "week {} [{}] active={} top10={} asked={} answered={}",
            w.week,
            kinds.join(" "),
            w.active_contributors,
            w.top10_share,
            w.questions_opened,
            w.questions_answered
        ));
    }
    out.push(format!(
        "all {} by {} top10={}",
        s.contributions, s.contributors, s.top10_share
    ));
    out.push(format!(
        "reuse {}/{} share={}",
        s.reuse.cross_member, s.reuse.links, s.reuse.share
    ));
    out.push(format!(
        "questions {}/{} median={}",
        s.questions_answered,
        s.questions_opened,
        s.median_ms_to_answer
            .map_or("-".into(), |ms| format!("{}h", ms / HOUR))
    ));
    let orphans: Vec<String> = s
        .orphan_notes
        .iter()
        .map(|d| {
            String::from_utf8_lossy(d.as_bytes())
                .trim_end_matches('\0')
                .to_owned()
        })
        .collect();
    out.push(format!("orphans [{}]", orphans.join(" ")));
    out.push(format!(
        "newcomers {} median={}",
        s.newcomers
            .iter()
            .map(|n| n
                .ms_to_first
                .map_or("-".into(), |ms| format!("{}h", ms / HOUR)))
            .collect::<Vec<_>>()
            .join(","),
        s.median_ms_to_first_contribution
            .map_or("-".into(), |ms| format!("{}h", ms / HOUR))
    ));
    out.join("\n")
}

fn check(garden: &str, expected: &str) {
    let got = summary(&parse(garden));
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(got, expected.join("\n"), "\ngarden:\n{garden}");
}

#[test]
fn an_empty_garden_has_no_figures() {
    check(
        "",
        "
        all 0 by 0 top10=0
        reuse 0/0 share=0
        questions 0/0 median=-
        orphans []
        newcomers  median=-
        ",
    );
}

#[test]
fn contributions_are_counted_per_iso_week_and_kind() {
    // Hour 0 is Monday; hour 167 is Sunday night; hour 168 the next Monday.
    check(
        "
        c ada note 0
        c ada note 167
        c bo comment 30
        c bo page 168
        c cy kudos 200
        ",
        "
        week 2026-11-16 [note=2 comment=1] active=2 top10=0.6667 asked=0 answered=0
        week 2026-11-23 [page=1 kudos=1] active=2 top10=0.5 asked=0 answered=0
        all 5 by 3 top10=0.4
        reuse 0/0 share=0
        questions 0/0 median=-
        orphans []
        newcomers  median=-
        ",
    );
}

#[test]
fn the_top_ten_percent_of_eleven_contributors_is_two() {
    // ada 10, bo 5, nine others 1 each: 24 contributions; the top two
    // (ceil(11 / 10)) made 15.
    let mut garden = String::new();
    for i in 0..10 {
        garden.push_str(&format!("c ada note {i}\n"));
    }
    for i in 0..5 {
        garden.push_str(&format!("c bo note {i}\n"));
    }
    for name in ["c", "d", "e", "f", "g", "h", "i", "k", "m"] {
        garden.push_str(&format!("c {name} comment 1\n"));
    }
    check(
        &garden,
        "
        week 2026-11-16 [note=15 comment=9] active=11 top10=0.625 asked=0 answered=0
        all 24 by 11 top10=0.625
        reuse 0/0 share=0
        questions 0/0 median=-
        orphans []
        newcomers  median=-
        ",
    );
}

#[test]
fn reuse_counts_links_between_different_creators() {
    check(
        "
        n idea note ada
        n fact note bo
        n lost note bo
        n old note cy archived
        n guide page cy
        n anon note -
        l guide idea
        l guide fact
        l idea fact
        l fact fact
        l fact anon
        l old lost
        ",
        // guide→idea, guide→fact, idea→fact cross; fact→fact is a self
        // link; fact→anon has no known creator; old is archived. Orphans:
        // notes no page links to (idea and fact are linked from guide).
        "
        all 0 by 0 top10=0
        reuse 3/3 share=1
        questions 0/0 median=-
        orphans [anon lost]
        newcomers  median=-
        ",
    );
    check(
        "
        n a note ada
        n b note ada
        n c note bo
        l a b
        l a c
        ",
        "
        all 0 by 0 top10=0
        reuse 1/2 share=0.5
        questions 0/0 median=-
        orphans [a b c]
        newcomers  median=-
        ",
    );
}

#[test]
fn questions_and_their_median_time_to_an_answer() {
    check(
        "
        q 0 2
        q 10 14
        q 20 30
        q 30
        q 170 171
        ",
        "
        week 2026-11-16 [] active=0 top10=0 asked=4 answered=3
        week 2026-11-23 [] active=0 top10=0 asked=1 answered=1
        all 0 by 0 top10=0
        reuse 0/0 share=0
        questions 4/5 median=3h
        orphans []
        newcomers  median=-
        ",
    );
}

#[test]
fn newcomers_time_to_a_first_contribution() {
    check(
        "
        j bo 10
        j cy 20
        j dee 30
        c bo note 12
        c bo comment 11
        c cy kudos 26
        c ada page 1
        ",
        // bo: 1 h, cy: 6 h, dee: none yet; ada founded the garden.
        "
        week 2026-11-16 [note=1 page=1 comment=1 kudos=1] active=3 top10=0.5 asked=0 answered=0
        all 4 by 3 top10=0.5
        reuse 0/0 share=0
        questions 0/0 median=-
        orphans []
        newcomers 1h,6h,- median=3h
        ",
    );
}
