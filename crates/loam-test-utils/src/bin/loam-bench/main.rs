//! `loam-bench`: the benchmarks behind `cargo xtask bench`. Every figure is
//! printed beside a baseline measured in the same run, as a ratio, with the
//! target it is held to. Run it in release mode (`cargo xtask bench`).
//!
//! `--quick` shrinks every corpus for a smoke run; its figures are not the
//! ones to record.

mod sync;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use loam_node::{
    ExportOptions, Garden, ImportOptions, ListQuery, NewDoc, Node, SearchQuery, Sort,
    automerge_load_count,
};
use loam_test_utils::corpus::Corpus;
use loam_test_utils::test_data;
use loam_test_utils::trace::{self, Trace};

/// Keystrokes per change when replaying "as an editor would".
const GROUP: usize = 50;
const SEED: u64 = 20_261_120;
/// The parts that can be run alone: `loam-bench replay corpus`.
const SECTIONS: [&str; 7] = [
    "replay", "open", "history", "keys", "corpus", "vault", "sync",
];

struct Sizes {
    vault_notes: usize,
    keystroke_prefix: usize,
    startup_notes: usize,
    search_notes: usize,
    queries: usize,
    rg_queries: usize,
    sync_notes: usize,
    live_edits: usize,
}

const FULL: Sizes = Sizes {
    vault_notes: 10_000,
    keystroke_prefix: 20_000,
    startup_notes: 50_000,
    search_notes: 100_000,
    queries: 1_000,
    rg_queries: 100,
    sync_notes: 10_000,
    live_edits: 1_000,
};
const QUICK: Sizes = Sizes {
    vault_notes: 1_000,
    keystroke_prefix: 2_000,
    startup_notes: 5_000,
    search_notes: 10_000,
    queries: 200,
    rg_queries: 20,
    sync_notes: 1_000,
    live_edits: 200,
};

/// One line of the report.
struct Figure {
    name: String,
    loam: String,
    baseline: String,
    ratio: Option<f64>,
    target: String,
    ok: Option<bool>,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: loam-bench [--quick] [{}]...\n\nRuns the named sections (all by default), each \
             figure beside its baseline; --quick shrinks the corpora for a smoke run.",
            SECTIONS.join("|")
        );
        return Ok(());
    }
    let quick = args.iter().any(|a| a == "--quick");
    let only: Vec<&str> = args
        .iter()
        .filter(|a| *a != "--quick")
        .map(String::as_str)
        .collect();
    if let Some(other) = only.iter().find(|a| !SECTIONS.contains(a)) {
        bail!(
            "unknown argument `{other}`; usage: loam-bench [--quick] [{}]...",
            SECTIONS.join("|")
        );
    }
    let run = |section: &str| only.is_empty() || only.contains(&section);
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; figures are meaningless (use `cargo xtask bench`)");
    }
    let sizes = if quick { QUICK } else { FULL };
    let work = tempfile::tempdir().context("cannot create a temporary directory")?;
    let trace = trace::load_sequential(&test_data("traces/automerge-paper.json.gz"))?;
    let mut figures = Vec::new();

    if run("replay") {
        eprintln!(
            "replaying automerge-paper ({} keystrokes)...",
            trace.keystroke_count()
        );
        figures.extend(replay(&trace, work.path())?);
    }
    if run("open") || run("history") {
        eprintln!("adopting text-doc.amrg as a note...");
        let (paper, adopt) = adopt_paper(work.path())?;
        figures.push(adopt);
        if run("open") {
            eprintln!("opening text-doc.amrg as a stored note...");
            figures.push(open_materialised(&paper)?);
        }
        if run("history") {
            eprintln!("reading the history of text-doc.amrg...");
            figures.push(history(&paper)?);
        }
    }
    if run("keys") {
        eprintln!(
            "replaying {} keystrokes, one change each...",
            sizes.keystroke_prefix
        );
        figures.push(replay_per_keystroke(
            &trace,
            sizes.keystroke_prefix,
            work.path(),
        )?);
    }
    if run("corpus") {
        eprintln!("planting {} notes...", sizes.startup_notes);
        let corpus = Corpus::new(SEED, sizes.search_notes, 2_048);
        let data = work.path().join("corpus");
        let (import, startup) = startup(&corpus, sizes.startup_notes, &data)?;
        figures.push(import);
        figures.push(startup);
        eprintln!(
            "planting up to {} notes and searching...",
            sizes.search_notes
        );
        figures.extend(search(&corpus, &sizes, &data, work.path())?);
    }

    if run("vault") {
        eprintln!(
            "importing and exporting a vault of {} notes...",
            sizes.vault_notes
        );
        figures.extend(vault(sizes.vault_notes, work.path())?);
    }

    if run("sync") {
        eprintln!(
            "syncing {} notes between two nodes over loopback...",
            sizes.sync_notes
        );
        figures.extend(sync::sync(
            sizes.sync_notes,
            sizes.live_edits,
            SEED,
            work.path(),
        )?);
    }

    print_report(&figures, quick);
    Ok(())
}

fn secs(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

fn ratio(loam: Duration, baseline: Duration) -> f64 {
    loam.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index.min(samples.len() - 1)]
}

/// The trace's keystrokes as (pos, delete, insert).
fn keystrokes(trace: &Trace) -> Vec<(usize, usize, &str)> {
    trace
        .keystrokes()
        .map(|p| (p.pos, p.del, p.insert.as_str()))
        .collect()
}

/// Raw Automerge doing what the node does: splice, and commit with a time
/// every `group` keystrokes.
fn raw_replay(start: &str, keys: &[(usize, usize, &str)], group: usize) -> Result<Duration> {
    let started = Instant::now();
    let mut doc = AutoCommit::new();
    let text = doc.put_object(ROOT, "body", ObjType::Text)?;
    doc.splice_text(&text, 0, 0, start)?;
    for (i, (pos, delete, insert)) in keys.iter().enumerate() {
        doc.splice_text(&text, *pos, isize::try_from(*delete)?, insert)?;
        if (i + 1) % group == 0 {
            doc.commit_with(CommitOptions::default().with_time(i as i64));
        }
    }
    doc.commit();
    let elapsed = started.elapsed();
    std::hint::black_box(doc.length(&text));
    Ok(elapsed)
}

/// The node replaying the same keystrokes through its edit API, stored on
/// disk. `durable` stores every change before going on instead of by group
/// commit.
fn node_replay(
    start: &str,
    keys: &[(usize, usize, &str)],
    group: usize,
    durable: bool,
    dir: &Path,
) -> Result<(Duration, String)> {
    let node = Node::open(dir)?;
    let garden = node.create_garden("Replay")?;
    let id = garden.create(NewDoc::note("The paper", start))?;
    let started = Instant::now();
    for (i, (pos, delete, insert)) in keys.iter().enumerate() {
        garden.splice(id, *pos, *delete, insert)?;
        if (i + 1) % group == 0 {
            garden.commit(id)?;
            if durable {
                garden.flush()?;
            }
        }
    }
    garden.commit(id)?;
    garden.flush()?;
    let elapsed = started.elapsed();
    Ok((elapsed, garden.note(id)?.text))
}

fn replay(trace: &Trace, work: &Path) -> Result<Vec<Figure>> {
    let keys = keystrokes(trace);
    let baseline = raw_replay(&trace.start_content, &keys, GROUP)?;
    let (grouped, text) = node_replay(
        &trace.start_content,
        &keys,
        GROUP,
        false,
        &work.join("replay"),
    )?;
    if text != trace.end_content {
        bail!("the replayed note does not equal the trace's final text");
    }
    let (durable, _) = node_replay(
        &trace.start_content,
        &keys,
        GROUP,
        true,
        &work.join("replay-durable"),
    )?;
    let r = ratio(grouped, baseline);
    Ok(vec![
        Figure {
            name: format!("replay, 1 change / {GROUP} keys (group commit)"),
            loam: secs(grouped),
            baseline: format!("{} raw automerge", secs(baseline)),
            ratio: Some(r),
            target: "≤ 1.5×".into(),
            ok: Some(r <= 1.5),
        },
        Figure {
            name: format!("replay, 1 change / {GROUP} keys (each stored)"),
            loam: secs(durable),
            baseline: format!("{} raw automerge", secs(baseline)),
            ratio: Some(ratio(durable, baseline)),
            target: "(no target)".into(),
            ok: None,
        },
    ])
}

fn replay_per_keystroke(trace: &Trace, prefix: usize, work: &Path) -> Result<Figure> {
    let keys = keystrokes(trace);
    let keys = &keys[..prefix.min(keys.len())];
    let baseline = raw_replay(&trace.start_content, keys, 1)?;
    let (loam, _) = node_replay(
        &trace.start_content,
        keys,
        1,
        false,
        &work.join("replay-keys"),
    )?;
    Ok(Figure {
        name: format!("replay, 1 change / key ({} keys)", keys.len()),
        loam: secs(loam),
        baseline: format!("{} raw automerge", secs(baseline)),
        ratio: Some(ratio(loam, baseline)),
        target: "(no target)".into(),
        ok: None,
    })
}

/// The text-doc.amrg document: the whole automerge-paper history, 259,779
/// changes by one actor.
fn paper_bytes() -> Result<Vec<u8>> {
    Ok(std::fs::read(test_data("traces/text-doc.amrg"))?)
}

/// A data directory holding text-doc.amrg adopted as the note "The paper"
/// (its whole history kept and indexed), and how long adopting took.
fn adopt_paper(work: &Path) -> Result<(PathBuf, Figure)> {
    let bytes = paper_bytes()?;
    let dir = work.join("amrg");
    let node = Node::open(&dir)?;
    let garden = node.create_garden("Paper")?;
    let started = Instant::now();
    let id = garden.adopt(&bytes, "The paper")?;
    let took = started.elapsed();
    let changes = garden.history(id)?.changes;
    Ok((
        dir,
        Figure {
            name: format!("adopt text-doc.amrg ({changes} changes indexed)"),
            loam: secs(took),
            baseline: "—".into(),
            ratio: None,
            target: "(info)".into(),
            ok: None,
        },
    ))
}

/// The adopted text-doc.amrg note: time from a cold `Node::open` to its
/// text, against loading the same bytes with Automerge.
fn open_materialised(dir: &Path) -> Result<Figure> {
    let bytes = paper_bytes()?;
    let mut baseline_samples = Vec::new();
    let mut text = String::new();
    for _ in 0..5 {
        let started = Instant::now();
        let doc = AutoCommit::load(&bytes)?;
        let (_, obj) = doc
            .get(ROOT, "text")?
            .context("text-doc.amrg has no `text`")?;
        text = doc.text(&obj)?;
        baseline_samples.push(started.elapsed());
    }
    let baseline = median(baseline_samples);

    let loads_before = automerge_load_count();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let node = Node::open(dir)?;
        let garden = node.default_garden()?;
        let id = garden.resolve("The paper")?;
        let stored = garden.note(id)?.text;
        samples.push(started.elapsed());
        if stored != text {
            bail!("the stored note's text differs from the document's");
        }
    }
    let loads = automerge_load_count() - loads_before;
    let loam = median(samples);
    Ok(Figure {
        name: format!("open text-doc.amrg note to text ({loads} loads)"),
        loam: secs(loam),
        baseline: format!("{} automerge load", secs(baseline)),
        ratio: Some(ratio(loam, baseline)),
        target: "≤ 5 ms, 0 loads".into(),
        ok: Some(loam <= Duration::from_millis(5) && loads == 0),
    })
}

/// `loam history` of the adopted text-doc.amrg note from a cold start
/// (`Node::open` to its sessions), against what history costs without an
/// index: loading the bytes with Automerge and listing its changes.
fn history(dir: &Path) -> Result<Figure> {
    let bytes = paper_bytes()?;
    let mut baseline_samples = Vec::new();
    let mut expected = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let mut doc = AutoCommit::load(&bytes)?;
        expected = doc.get_changes(&[]).len() as u64;
        baseline_samples.push(started.elapsed());
    }
    let baseline = median(baseline_samples);

    let loads_before = automerge_load_count();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let node = Node::open(dir)?;
        let garden = node.default_garden()?;
        let id = garden.resolve("The paper")?;
        let history = garden.history(id)?;
        samples.push(started.elapsed());
        // The paper's changes and the one that adopted it.
        if history.changes != expected + 1 {
            bail!(
                "history counts {} changes, the document has {expected} (+1)",
                history.changes
            );
        }
    }
    let loads = automerge_load_count() - loads_before;
    let loam = median(samples);
    Ok(Figure {
        name: format!("history of text-doc.amrg note, cold ({loads} loads)"),
        loam: secs(loam),
        baseline: format!("{} automerge load + changes", secs(baseline)),
        ratio: Some(ratio(loam, baseline)),
        target: "≤ 200ms, 0 loads".into(),
        ok: Some(loam <= Duration::from_millis(200) && loads == 0),
    })
}

/// Plant notes `from..to` of the corpus into the garden, in batches.
fn plant(garden: &Garden, corpus: &Corpus, from: usize, to: usize) -> Result<()> {
    const BATCH: usize = 1_000;
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        let batch: Vec<NewDoc> = (start..end)
            .map(|i| {
                let note = corpus.note(i);
                NewDoc::note(note.title, note.body)
            })
            .collect();
        garden.create_many(batch)?;
        start = end;
    }
    Ok(())
}

/// Plant `count` notes, then time a cold start: `Node::open` and the first
/// 100 titles. The baseline loads those 100 documents with Automerge, as an
/// app without a materialised index would.
fn startup(corpus: &Corpus, count: usize, dir: &Path) -> Result<(Figure, Figure)> {
    let started = Instant::now();
    {
        let node = Node::open(dir)?;
        let garden = node.create_garden("Corpus")?;
        plant(&garden, corpus, 0, count)?;
    }
    let planted = started.elapsed();
    let rate = count as f64 / planted.as_secs_f64();
    let import = Figure {
        name: format!("create {count} notes (batches of 1000)"),
        loam: format!("{rate:.0} notes/s"),
        baseline: "—".into(),
        ratio: None,
        target: "(info)".into(),
        ok: None,
    };

    let loads_before = automerge_load_count();
    let mut samples = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let node = Node::open(dir)?;
        let garden = node.default_garden()?;
        let query = ListQuery {
            limit: Some(100),
            sort: Sort::Updated,
            descending: true,
            ..ListQuery::default()
        };
        let rows = garden.list(&query)?;
        samples.push(started.elapsed());
        ids = rows.iter().map(|r| r.id).collect();
    }
    let loads = automerge_load_count() - loads_before;
    let loam = median(samples);

    let node = Node::open(dir)?;
    let garden = node.default_garden()?;
    let started = Instant::now();
    for id in &ids {
        std::hint::black_box(garden.load_document(*id)?);
    }
    let baseline = started.elapsed();
    let startup = Figure {
        name: format!("startup + first 100 titles, {count} notes ({loads} loads)"),
        loam: secs(loam),
        baseline: format!("{} automerge ×100", secs(baseline)),
        ratio: Some(ratio(loam, baseline)),
        target: "≤ 300 ms, 0 loads".into(),
        ok: Some(loam <= Duration::from_millis(300) && loads == 0),
    };
    Ok((import, startup))
}

fn search(corpus: &Corpus, sizes: &Sizes, dir: &Path, work: &Path) -> Result<Vec<Figure>> {
    {
        let node = Node::open(dir)?;
        let garden = node.default_garden()?;
        plant(&garden, corpus, sizes.startup_notes, sizes.search_notes)?;
    }
    let node = Node::open(dir)?;
    let garden = node.default_garden()?;
    let queries = corpus.queries(sizes.queries);
    // Warm the page cache the way a running app would be.
    for q in queries.iter().take(20) {
        garden.search(&SearchQuery::new(q.as_str()))?;
    }
    let mut samples = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for q in &queries {
        let started = Instant::now();
        hits += garden.search(&SearchQuery::new(q.as_str()))?.len();
        samples.push(started.elapsed());
    }
    let p50 = percentile(&mut samples, 0.5);
    let p95 = percentile(&mut samples, 0.95);
    if hits == 0 {
        bail!("no query found anything: the corpus or the search is broken");
    }

    let files = work.join("corpus-files");
    loam_test_utils::corpus::write_as_files(&files, corpus.notes())?;
    let (rg50, rg95) = match ripgrep(&files, &queries[..sizes.rg_queries.min(queries.len())])? {
        Some((a, b)) => (secs(a), Some((a, b))),
        None => ("ripgrep not installed (cargo xtask setup)".into(), None),
    };
    Ok(vec![
        Figure {
            name: format!(
                "search p50, {} notes, {} queries",
                sizes.search_notes,
                queries.len()
            ),
            loam: secs(p50),
            baseline: format!("{rg50} ripgrep"),
            ratio: rg95.map(|(b, _)| ratio(p50, b)),
            target: "(info)".into(),
            ok: None,
        },
        Figure {
            name: format!(
                "search p95, {} notes, {} queries",
                sizes.search_notes,
                queries.len()
            ),
            loam: secs(p95),
            baseline: rg95.map_or_else(|| "—".into(), |(_, b)| format!("{} ripgrep", secs(b))),
            ratio: rg95.map(|(_, b)| ratio(p95, b)),
            target: "≤ 10 ms".into(),
            ok: Some(p95 <= Duration::from_millis(10)),
        },
    ])
}

/// p50 and p95 of ripgrep finding the files that contain every word of each
/// query (case-insensitive), or `None` without ripgrep.
fn ripgrep(dir: &Path, queries: &[String]) -> Result<Option<(Duration, Duration)>> {
    let rg = PathBuf::from("rg");
    if Command::new(&rg).arg("--version").output().is_err() {
        return Ok(None);
    }
    let mut samples = Vec::new();
    for q in queries {
        let words: Vec<&str> = q.split_whitespace().collect();
        let started = Instant::now();
        // Each word over the whole corpus, the file sets intersected: what
        // finding the notes that contain all words costs with ripgrep.
        let mut listed: Option<std::collections::HashSet<String>> = None;
        for word in &words {
            let files: std::collections::HashSet<String> =
                rg_files(&rg, dir, word)?.into_iter().collect();
            listed = Some(match listed {
                Some(before) => before.intersection(&files).cloned().collect(),
                None => files,
            });
        }
        std::hint::black_box(listed);
        samples.push(started.elapsed());
    }
    Ok(Some((
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.95),
    )))
}

fn rg_files(rg: &Path, dir: &Path, word: &str) -> Result<Vec<String>> {
    let out = Command::new(rg)
        .args([
            "--files-with-matches",
            "--ignore-case",
            "--word-regexp",
            "--fixed-strings",
            "--no-messages",
            "-e",
            word,
        ])
        .arg(dir)
        .output()
        .context("cannot run ripgrep")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// Copy every file under `from` into `to` with std::fs, as `cp -r` would:
/// the baseline an import and an export are measured against.
fn copy_tree(from: &Path, to: &Path) -> Result<u64> {
    let mut copied = 0;
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copied += copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// Import a generated vault of `count` notes into a new garden, import it
/// again (nothing changed), and export it; each beside copying the same
/// files with std::fs.
fn vault(count: usize, work: &Path) -> Result<Vec<Figure>> {
    let files = work.join("vault");
    let corpus = Corpus::new(SEED, count, 2_048);
    loam_test_utils::corpus::write_as_files(&files, corpus.notes())?;
    let started = Instant::now();
    let copied = copy_tree(&files, &work.join("vault-copy"))?;
    let copy = started.elapsed();
    if copied != count as u64 {
        bail!("copied {copied} files, expected {count}");
    }

    let node = Node::open(work.join("vault-data"))?;
    let garden = node.create_garden("Vault")?;
    let options = ImportOptions::default();
    let started = Instant::now();
    let report = garden.import(&files, &options, &mut |_| {})?;
    let import = started.elapsed();
    if report.docs.created != count {
        bail!("imported {} notes, expected {count}", report.docs.created);
    }
    let rate = count as f64 / import.as_secs_f64();

    let started = Instant::now();
    let again = garden.import(&files, &options, &mut |_| {})?;
    let reimport = started.elapsed();
    if again.docs.unchanged != count {
        bail!(
            "a second import changed {} notes",
            count - again.docs.unchanged
        );
    }

    let out = work.join("vault-export");
    let started = Instant::now();
    let exported = garden.export(&out, &ExportOptions::default())?;
    let export = started.elapsed();
    if exported.notes + exported.pages != count {
        bail!(
            "exported {} notes, expected {count}",
            exported.notes + exported.pages
        );
    }
    let baseline = format!("{} std::fs copy", secs(copy));
    Ok(vec![
        Figure {
            name: format!("import a vault of {count} notes"),
            loam: format!("{rate:.0} notes/s"),
            baseline: baseline.clone(),
            ratio: Some(ratio(import, copy)),
            target: "≥ 1,000 notes/s".into(),
            ok: Some(rate >= 1_000.0),
        },
        Figure {
            name: format!("import it again, nothing changed ({count} notes)"),
            loam: secs(reimport),
            baseline: baseline.clone(),
            ratio: Some(ratio(reimport, copy)),
            target: "(info)".into(),
            ok: None,
        },
        Figure {
            name: format!("export {count} notes to a folder"),
            loam: secs(export),
            baseline,
            ratio: Some(ratio(export, copy)),
            target: "(info)".into(),
            ok: None,
        },
    ])
}

fn print_report(figures: &[Figure], quick: bool) {
    let width = figures
        .iter()
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(10);
    let base = figures
        .iter()
        .map(|f| f.baseline.chars().count())
        .max()
        .unwrap_or(10);
    println!();
    println!(
        "{:width$}  {:>10}  {:base$}  {:>8}  {:16} result",
        "benchmark", "loam", "baseline", "ratio", "target"
    );
    for f in figures {
        let ratio = f.ratio.map_or_else(|| "—".into(), |r| format!("{r:.2}×"));
        let ok = match f.ok {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:width$}  {:>10}  {:base$}  {:>8}  {:16} {ok}",
            f.name, f.loam, f.baseline, ratio, f.target
        );
    }
    if quick {
        println!("\n(--quick: smaller corpora; not the figures to record)");
    }
}
