//! Crash safety: a write-heavy workload in a child process, killed with
//! SIGKILL at a random moment, and what must hold afterwards.
//!
//! The child (`loam-crash-workload`, driving loam-node as `loam` and the
//! desktop app do) creates notes, appends to them (whole stores and editor
//! keystrokes through group commit), renames, tags, compacts and imports a
//! small vault, and prints one `ack` line per operation *after* the call
//! that stored it returned. The parent reads those lines, kills the child at
//! a seeded random moment, then opens the garden itself and checks
//! ([`verify`]): SQLite's integrity check and the index against every
//! document (`Garden::check`), every document loads, and every acknowledged
//! edit is there. A run that fails prints its seed; `LOAM_CRASH_SEED`
//! replays it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use loam_node::{DocId, NewDoc, Node};

/// The small vault every workload may import.
pub const VAULT: [(&str, &str); 5] = [
    (
        "Compost.md",
        "---\ntags: [soil]\n---\n# Compost\nFeeds [[Worms]] and [[Loam]]. #garden\n",
    ),
    ("Worms.md", "Worms make [[Compost]] into #soil.\n"),
    (
        "Loam.md",
        "Loam is [[Compost]] and sand. See [[Roots/Deep]].\n",
    ),
    ("Roots/Deep.md", "Deep roots. #roots/deep\n"),
    ("Seeds.md", "![[seed.png]] A seed. [[Nowhere]]\n"),
];

/// The titles the vault's files become.
pub const VAULT_TITLES: [&str; 5] = ["Compost", "Worms", "Loam", "Deep", "Seeds"];

/// A small seeded generator (SplitMix64): the workload and the kill times
/// must be replayable from one number, with no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The seed a random test uses: `LOAM_<name>_SEED` if set, else from the
/// clock. Printed either way, so that a failure can be replayed.
pub fn seed_from_env(var: &str) -> u64 {
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
    eprintln!("{var}={seed}");
    seed
}

/// Write [`VAULT`] (and its attachment) under `dir`.
pub fn write_vault(dir: &Path) -> anyhow::Result<()> {
    for (path, text) in VAULT {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, text)?;
    }
    std::fs::write(
        dir.join("seed.png"),
        b"\x89PNG\r\n\x1a\nnot really a picture",
    )?;
    Ok(())
}

/// A data directory holding one garden, `Crash`, with three shared notes
/// that every workload appends to.
pub fn make_template(dir: &Path) -> anyhow::Result<()> {
    let node = Node::open(dir)?;
    let garden = node.create_garden("Crash")?;
    for i in 0..3 {
        garden.create(NewDoc::note(format!("Shared {i}"), format!("Shared {i}.")))?;
    }
    garden.flush()?;
    Ok(())
}

/// Copy the data directory `from` to `to` (files and folders).
pub fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// What a child acknowledged, parsed from its `ack` lines.
#[derive(Debug, Default, Clone)]
pub struct Acked {
    /// Words that must be in each document's body.
    pub markers: BTreeMap<DocId, Vec<String>>,
    /// The vault's import returned.
    pub imported: bool,
    /// How many operations were acknowledged.
    pub ops: usize,
}

impl Acked {
    /// Take one complete line of the child's output.
    pub fn take(&mut self, line: &str) -> anyhow::Result<()> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["ack", "mark", doc, markers @ ..] => {
                let doc: DocId = doc.parse().map_err(|_| anyhow::anyhow!("bad id {doc}"))?;
                let list = self.markers.entry(doc).or_default();
                list.extend(markers.iter().map(|m| (*m).to_owned()));
                self.ops += 1;
            }
            ["ack", "import"] => {
                self.imported = true;
                self.ops += 1;
            }
            ["ack", ..] => self.ops += 1,
            _ => {}
        }
        Ok(())
    }
}

/// One run's outcome.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunStats {
    /// Operations acknowledged before the kill.
    pub acked: usize,
    /// Acknowledged edits (markers) found after it.
    pub markers: usize,
    /// Documents in the garden after it.
    pub docs: usize,
    /// Whether the child had finished before the kill came.
    pub finished: bool,
}

/// How one run goes.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Seeds of the children writing at once to the same garden (one or two).
    pub children: Vec<u64>,
    /// When each child is killed, from its start.
    pub kill_after: Vec<Duration>,
    /// Operations each child attempts (bounded).
    pub ops: u32,
}

impl RunPlan {
    /// The plan run number `run` of a test seeded with `seed` makes.
    pub fn of(seed: u64, run: u64, max_kill: Duration) -> Self {
        let mut rng = Rng::new(seed ^ run.wrapping_mul(0xA24B_AED4_963E_E407));
        let two = rng.below(4) == 0;
        let n = if two { 2 } else { 1 };
        let max_ms = u64::try_from(max_kill.as_millis()).unwrap_or(u64::MAX);
        Self {
            children: (0..n).map(|_| rng.next_u64()).collect(),
            kill_after: (0..n)
                .map(|_| Duration::from_millis(rng.below(max_ms + 1)))
                .collect(),
            ops: 120,
        }
    }
}

/// Run `plan` in `data_dir` (a copy of the template) with the workload
/// binary `workload`, importing `vault`; kill; verify.
pub fn run_once(
    workload: &Path,
    data_dir: &Path,
    vault: &Path,
    plan: &RunPlan,
) -> anyhow::Result<RunStats> {
    let mut children = Vec::new();
    for (i, seed) in plan.children.iter().enumerate() {
        let mut child = Command::new(workload)
            .arg(data_dir)
            .arg(seed.to_string())
            .arg(vault)
            .arg(if i == 0 { "a" } else { "b" })
            .arg(plan.ops.to_string())
            .env("LOAM_NET", "loopback")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", workload.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let stderr = child.stderr.take().context("no stderr")?;
        let out = std::thread::spawn(move || read_complete_lines(stdout));
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut s);
            s
        });
        children.push((child, Instant::now(), out, err));
    }
    let mut acked = Acked::default();
    let mut finished = true;
    for ((mut child, started, out, err), kill_after) in children.into_iter().zip(&plan.kill_after) {
        let deadline = started + *kill_after;
        let mut exited = None;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait()? {
                exited = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if exited.is_none() {
            child.kill()?; // SIGKILL
            child.wait()?;
            finished = false;
        }
        let lines = out
            .join()
            .map_err(|_| anyhow::anyhow!("reader panicked"))??;
        let stderr = err.join().unwrap_or_default();
        if let Some(status) = exited
            && !status.success()
        {
            bail!("the workload failed on its own ({status}): {stderr}");
        }
        for line in &lines {
            acked.take(line)?;
        }
    }
    let markers = verify(data_dir, &acked)?;
    let docs = markers.1;
    Ok(RunStats {
        acked: acked.ops,
        markers: markers.0,
        docs,
        finished,
    })
}

/// Every line the reader got whole (a line cut by the kill is not an
/// acknowledgement).
fn read_complete_lines(stream: impl Read) -> anyhow::Result<Vec<String>> {
    let mut reader = BufReader::new(stream);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(lines);
        }
        if line.ends_with('\n') {
            lines.push(line.trim_end().to_owned());
        }
    }
}

/// Open the garden in `data_dir` after a kill and check it: the database
/// and the index (`Garden::check`: integrity check, every document loads,
/// titles, links, tags, text and FTS agree with the documents), every
/// acknowledged marker in its document, the imported vault whole if its
/// import was acknowledged, and the garden still takes an edit. Returns
/// the number of markers found and of documents.
pub fn verify(data_dir: &Path, acked: &Acked) -> anyhow::Result<(usize, usize)> {
    let node = Node::open(data_dir).context("the data directory does not open after the kill")?;
    let garden = node.garden("Crash")?;
    let report = garden.check()?;
    if !report.is_ok() {
        bail!("check found problems after the kill: {:?}", report.problems);
    }
    let mut found = 0;
    for (doc, markers) in &acked.markers {
        let snapshot = garden
            .load_document(*doc)
            .with_context(|| format!("acknowledged document {doc} is missing"))?;
        for marker in markers {
            if !snapshot.body.split_whitespace().any(|w| w == marker) {
                bail!(
                    "acknowledged edit {marker} of {doc} is lost; the body is:\n{}",
                    snapshot.body
                );
            }
            found += 1;
        }
    }
    if acked.imported {
        for title in VAULT_TITLES {
            garden
                .resolve(title)
                .with_context(|| format!("imported page {title} is missing"))?;
        }
    }
    // The garden takes an edit after the crash.
    let probe = garden.create(NewDoc::note("After the crash", "still here"))?;
    if garden.note(probe)?.text != "still here" {
        bail!("an edit after the crash did not stick");
    }
    Ok((found, report.docs))
}
