//! Partitions across processes: five `loam serve` members of one garden,
//! cut apart and healed and killed on a seeded schedule, editing on every
//! side, and converging once the last partition heals.
//!
//! Links are cut with loam-node's test hook: every member's serve runs with
//! `LOAM_TEST_BLOCKLIST` naming a file of its own, and a partition writes
//! into each file the ids of the members on the other side (the node then
//! refuses and closes connections with them). Edits are made with the
//! `loam` command line on the member's data directory while its serve runs
//! (as a person would beside the app): each appends a unique marker to a
//! shared note through `$EDITOR`, or creates a note of its own. After the
//! last heal every member must hold the same documents with the same heads
//! and text, holding every marker, within [`CONVERGE`]. A failure prints
//! the seed; `LOAM_PARTITION_SEED` replays the schedule (timings are real,
//! so a replay is the same schedule, not the same interleaving).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use loam_node::Node;

use crate::Member;
use crate::crash::Rng;

/// How long after the last heal every member must agree.
pub const CONVERGE: Duration = Duration::from_secs(10);

/// The members' names; the first founds the garden.
pub const NAMES: [&str; 5] = ["Ada", "Bo", "Cy", "Dee", "Eli"];

/// The notes every member appends to.
const SHARED: [&str; 3] = ["Shared 0", "Shared 1", "Shared 2"];

/// One step of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Cut the members in the first group off from the rest.
    Partition(Vec<usize>),
    /// Reconnect everyone.
    Heal,
    /// SIGKILL a member's serve, edit on its data directory while it is
    /// down, then start it again.
    Kill(usize),
    /// A member edits (`note` is a shared note's index, or `None` for a
    /// note of its own).
    Edit {
        /// Who.
        member: usize,
        /// Which shared note, or a new one.
        note: Option<usize>,
    },
    /// Let the network run.
    Wait(Duration),
}

/// The schedule of `steps` faults a seed makes, each followed by edits and
/// a wait; it ends with a heal.
pub fn schedule(seed: u64, steps: usize) -> Vec<Step> {
    let mut rng = Rng::new(seed);
    let n = NAMES.len() as u64;
    let mut plan = Vec::new();
    for _ in 0..steps {
        match rng.below(3) {
            0 => {
                // A random non-empty proper subset.
                let mask = 1 + rng.below((1 << n) - 2);
                plan.push(Step::Partition(
                    (0..NAMES.len()).filter(|i| mask & (1 << i) != 0).collect(),
                ));
            }
            1 => plan.push(Step::Heal),
            _ => plan.push(Step::Kill(rng.below(n) as usize)),
        }
        for _ in 0..1 + rng.below(3) {
            let member = rng.below(n) as usize;
            let note = (rng.below(3) != 0).then(|| rng.below(SHARED.len() as u64) as usize);
            plan.push(Step::Edit { member, note });
        }
        plan.push(Step::Wait(Duration::from_millis(300 + rng.below(1200))));
    }
    plan.push(Step::Heal);
    plan
}

/// What a run saw.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Partitions, heals and kills made.
    pub partitions: usize,
    /// Heals made (the last included).
    pub heals: usize,
    /// Serve processes killed and restarted.
    pub kills: usize,
    /// Edits made (each a unique marker).
    pub edits: usize,
    /// From the last heal until every member agreed.
    pub converged_after: Duration,
    /// Documents each member holds at the end.
    pub docs: usize,
}

/// A member's documents: id → (heads, text).
type Snapshot = BTreeMap<String, (Vec<String>, String)>;

/// Five members, one garden, and the partition hook wired up.
#[derive(Debug)]
pub struct Garden5 {
    members: Vec<Member>,
    blocklists: Vec<PathBuf>,
    ids: Vec<String>,
    _scratch: tempfile::TempDir,
}

impl Garden5 {
    /// Found the garden with Ada, invite and join the other four, and start
    /// every member's `loam serve`.
    pub fn start() -> anyhow::Result<Self> {
        let scratch = tempfile::tempdir()?;
        let editor = scratch.path().join("append-marker");
        std::fs::write(
            &editor,
            "#!/bin/sh\nprintf '\\n%s\\n' \"$LOAM_E2E_MARK\" >> \"$1\"\n",
        )?;
        set_executable(&editor)?;
        let mut members = Vec::new();
        let mut blocklists = Vec::new();
        for name in NAMES {
            let mut member = Member::new(name)?;
            let list = scratch.path().join(format!("blocklist-{name}"));
            std::fs::write(&list, "")?;
            member.set_env(
                loam_node::network::BLOCKLIST_VAR,
                list.to_string_lossy().into_owned(),
            );
            member.set_env("EDITOR", editor.to_string_lossy().into_owned());
            member.set_env("VISUAL", editor.to_string_lossy().into_owned());
            members.push(member);
            blocklists.push(list);
        }
        let ids = members
            .iter()
            .map(|m| {
                Ok(m.run(&["--json", "whoami"]).json()?["member_id"]
                    .as_str()
                    .map(str::to_owned))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter()
            .map(|id| id.context("whoami --json gave no member id"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let (ada, others) = members.split_first_mut().context("no members")?;
        ada.run(&["init", "Commons"]).ok()?;
        for title in SHARED {
            ada.run(&["new", title, "--body", &format!("{title}.")])
                .ok()?;
        }
        ada.serve()?;
        for member in others {
            let ticket = ada
                .run(&["invite", "--role", "member"])
                .ok()?
                .trim()
                .to_owned();
            member.run(&["join", &ticket]).ok()?;
            member.serve()?;
        }
        Ok(Self {
            members,
            blocklists,
            ids,
            _scratch: scratch,
        })
    }

    /// Cut `group` off from everyone else (replacing any partition before).
    pub fn partition(&self, group: &[usize]) -> anyhow::Result<()> {
        for (i, list) in self.blocklists.iter().enumerate() {
            let inside = group.contains(&i);
            let other: Vec<&str> = (0..self.ids.len())
                .filter(|j| group.contains(j) != inside)
                .map(|j| self.ids[j].as_str())
                .collect();
            write_atomically(list, &other.join("\n"))?;
        }
        Ok(())
    }

    /// Reconnect everyone.
    pub fn heal(&self) -> anyhow::Result<()> {
        for list in &self.blocklists {
            write_atomically(list, "")?;
        }
        Ok(())
    }

    /// Member `i` appends `mark` to shared note `note`, or creates a note
    /// of its own holding it.
    pub fn edit(&mut self, i: usize, note: Option<usize>, mark: &str) -> anyhow::Result<()> {
        let member = &mut self.members[i];
        match note {
            Some(n) => {
                member.set_env("LOAM_E2E_MARK", mark);
                member.run(&["edit", SHARED[n]]).ok()?;
            }
            None => {
                member.run(&["new", mark, "--body", mark]).ok()?;
            }
        }
        Ok(())
    }

    /// SIGKILL member `i`'s serve, make an edit while it is down, restart.
    pub fn kill(&mut self, i: usize, mark: &str) -> anyhow::Result<()> {
        self.members[i].kill()?;
        self.edit(i, Some(0), mark)?;
        self.members[i].serve()
    }

    /// Every member's documents (heads and text), read from its data
    /// directory with loam-node while its serve runs.
    fn snapshots(&self) -> anyhow::Result<Vec<Snapshot>> {
        self.members
            .iter()
            .map(|m| snapshot(&m.data_dir()))
            .collect()
    }

    /// Poll until every member holds the same heads and text and every
    /// marker in `marks`, or [`CONVERGE`] passes (then fail, showing each
    /// member's heads).
    pub fn converge(&self, marks: &[String]) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let deadline = started + CONVERGE;
        loop {
            let snaps = self.snapshots()?;
            let agree = snaps.windows(2).all(|w| w[0] == w[1]);
            let whole = snaps.first().is_some_and(|s| {
                marks
                    .iter()
                    .all(|m| s.values().any(|(_, text)| text.contains(m.as_str())))
            });
            if agree && whole {
                return Ok(started.elapsed());
            }
            if Instant::now() > deadline {
                let mut shown = String::new();
                for (name, snap) in NAMES.iter().zip(&snaps) {
                    shown.push_str(&format!("{name}: {} documents\n", snap.len()));
                    for (doc, (heads, text)) in snap {
                        shown.push_str(&format!(
                            "  {doc} {heads:?} {} chars\n",
                            text.chars().count()
                        ));
                    }
                }
                let missing: Vec<&String> = marks
                    .iter()
                    .filter(|m| !snaps[0].values().any(|(_, text)| text.contains(m.as_str())))
                    .collect();
                bail!(
                    "members disagree {CONVERGE:?} after the last heal (markers missing at Ada: {missing:?}):\n{shown}"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The serve logs, for a failure's report.
    pub fn logs(&mut self) -> String {
        let mut out = String::new();
        for m in &mut self.members {
            out.push_str(&format!(
                "--- {} ---\n{}\n",
                m.name(),
                m.serve_log().join("\n")
            ));
        }
        out
    }

    /// Stop every serve with SIGTERM.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        for m in &mut self.members {
            m.stop()?;
        }
        Ok(())
    }
}

/// Run `plan` on five fresh members and check convergence after it.
pub fn run(seed: u64, plan: &[Step]) -> anyhow::Result<RunReport> {
    let mut garden = Garden5::start()?;
    let mut report = RunReport::default();
    let mut marks = Vec::new();
    // One marker per step at most: the step's number makes it unique.
    let mark = |step: usize| format!("m{seed:x}s{step}");
    for (step, action) in plan.iter().enumerate() {
        let result = match action {
            Step::Partition(group) => {
                report.partitions += 1;
                garden.partition(group)
            }
            Step::Heal => {
                report.heals += 1;
                garden.heal()
            }
            Step::Kill(i) => {
                report.kills += 1;
                let m = mark(step);
                marks.push(m.clone());
                report.edits += 1;
                garden.kill(*i, &m)
            }
            Step::Edit { member, note } => {
                let m = mark(step);
                marks.push(m.clone());
                report.edits += 1;
                garden.edit(*member, *note, &m)
            }
            Step::Wait(d) => {
                std::thread::sleep(*d);
                Ok(())
            }
        };
        if let Err(e) = result {
            bail!(
                "step {step} ({action:?}) of LOAM_PARTITION_SEED={seed} failed: {e:#}\n{}",
                garden.logs()
            );
        }
    }
    match garden.converge(&marks) {
        Ok(after) => report.converged_after = after,
        Err(e) => bail!("LOAM_PARTITION_SEED={seed}: {e:#}\n{}", garden.logs()),
    }
    report.docs = snapshot(&garden.members[0].data_dir())?.len();
    garden.stop()?;
    Ok(report)
}

/// A member's documents: heads and text of each.
fn snapshot(data_dir: &Path) -> anyhow::Result<Snapshot> {
    let node = Node::open(data_dir)?;
    let garden = node.garden("Commons")?;
    let mut snap = Snapshot::new();
    for (doc, heads) in garden.doc_heads()? {
        let mut heads: Vec<String> = heads.iter().map(ToString::to_string).collect();
        heads.sort();
        let text = garden.note(doc).map(|n| n.text).unwrap_or_default();
        snap.insert(doc.to_string(), (heads, text));
    }
    Ok(snap)
}

/// Replace `path`'s contents in one step (a reader never sees half).
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(unix)]
fn set_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> anyhow::Result<()> {
    bail!("the partition harness needs a unix shell for its editor")
}
