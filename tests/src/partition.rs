//! Partitions across processes: five `loam serve` members of one garden,
//! cut apart and healed and killed on a seeded schedule, editing on every
//! side, and converging once the last partition heals.
//!
//! Links are cut in one of two ways ([`Links`]; `LOAM_PARTITION_NET`
//! chooses, else namespaces where the machine allows them):
//!
//! - **Network namespaces** (root and iproute2): each member's serve runs
//!   in a namespace of its own, linked to a hub by a veth pair; a partition
//!   moves links between two bridges, so packets across it are lost
//!   silently, as on a real network ([`crate::netns`]).
//! - **Per-peer blocking**, anywhere: every member's serve runs on loopback
//!   with loam-node's test hook `LOAM_TEST_BLOCKLIST` naming a file of its
//!   own, and a partition writes into each file the ids of the members on
//!   the other side (the node then refuses and closes connections with
//!   them); it counts once no session crosses it.
//!
//! Edits are made with the
//! `loam` command line on the member's data directory while its serve runs
//! (as a person would beside the app): each appends a unique marker to a
//! shared note through `$EDITOR`, or creates a note of its own.
//!
//! Every schedule ends the same way: a last partition with edits on both
//! sides and a member killed and restarted, until the members on each side
//! agree among themselves (so members who met only through the founder
//! must reach each other directly when the founder is on the other side),
//! then the last heal. After it every member must hold the same documents
//! with the same heads and text, holding every marker, within [`CONVERGE`].
//! A failure prints the seed; `LOAM_PARTITION_SEED` replays the schedule
//! (timings are real, so a replay is the same schedule, not the same
//! interleaving).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use loam_node::Node;

use crate::crash::Rng;
use crate::netns::Netns;
use crate::{Member, eventually};

/// How long after the last heal every member must agree (and how long the
/// members on each side of the last partition may take to agree).
pub const CONVERGE: Duration = Duration::from_secs(10);

/// How long the members may take to learn each other's addresses after
/// they joined.
const MEET: Duration = Duration::from_secs(30);

/// The members' names; the first founds the garden.
pub const NAMES: [&str; 5] = ["Ada", "Bo", "Cy", "Dee", "Eli"];

/// The notes every member appends to.
const SHARED: [&str; 3] = ["Shared 0", "Shared 1", "Shared 2"];

/// One step of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Cut the members in the group off from the rest (replacing the
    /// partition before).
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
    /// Wait until the members on each side of the partition agree among
    /// themselves, holding every marker made on their side since it began
    /// and none made on the other (fail after [`CONVERGE`], or at once if
    /// a marker crossed).
    SidesAgree,
}

/// The schedule a seed makes: `steps` random faults (a partition, a heal
/// or a kill), each followed by one to three edits and a wait; then a last
/// partition with an edit on each side and a kill, until each side agrees,
/// held `hold` more (3 to 8 s when `None`; each side agreeing still); then
/// the last heal.
pub fn schedule(seed: u64, steps: usize, hold: Option<Duration>) -> Vec<Step> {
    let mut rng = Rng::new(seed);
    let n = NAMES.len() as u64;
    let mut plan = Vec::new();
    let edit = |rng: &mut Rng, member: usize, plan: &mut Vec<Step>| {
        let note = (rng.below(3) != 0).then(|| rng.below(SHARED.len() as u64) as usize);
        plan.push(Step::Edit { member, note });
    };
    for _ in 0..steps {
        match rng.below(3) {
            0 => plan.push(Step::Partition(group(&mut rng))),
            1 => plan.push(Step::Heal),
            _ => plan.push(Step::Kill(rng.below(n) as usize)),
        }
        for _ in 0..1 + rng.below(3) {
            let member = rng.below(n) as usize;
            edit(&mut rng, member, &mut plan);
        }
        plan.push(Step::Wait(Duration::from_millis(300 + rng.below(1200))));
    }
    let last = group(&mut rng);
    let outside = (0..NAMES.len())
        .filter(|i| !last.contains(i))
        .collect::<Vec<_>>();
    let inside = last[rng.below(last.len() as u64) as usize];
    let across = outside[rng.below(outside.len() as u64) as usize];
    plan.push(Step::Partition(last));
    edit(&mut rng, inside, &mut plan);
    edit(&mut rng, across, &mut plan);
    plan.push(Step::Kill(rng.below(n) as usize));
    plan.push(Step::SidesAgree);
    // Held long enough for redial backoffs to grow (to their cap, often),
    // and checked again: nothing crossed meanwhile.
    let random_hold = Duration::from_millis(3000 + rng.below(5000));
    plan.push(Step::Wait(hold.unwrap_or(random_hold)));
    plan.push(Step::SidesAgree);
    plan.push(Step::Heal);
    plan
}

/// A random non-empty proper subset of the members.
fn group(rng: &mut Rng) -> Vec<usize> {
    let mask = 1 + rng.below((1 << NAMES.len()) - 2);
    (0..NAMES.len()).filter(|i| mask & (1 << i) != 0).collect()
}

/// How links between members are cut.
#[derive(Debug)]
pub enum Links {
    /// Network namespaces, one per member (see [`crate::netns`]).
    Netns(Netns),
    /// loam-node's `LOAM_TEST_BLOCKLIST` hook: each member's block-list
    /// file.
    Blocklist(Vec<PathBuf>),
}

impl Links {
    /// What `LOAM_PARTITION_NET` asks for (`netns` or `blocklist`), else
    /// namespaces if the machine allows them (said on standard error when
    /// it does not), else per-peer blocking.
    fn choose(scratch: &Path) -> anyhow::Result<Self> {
        let want = std::env::var("LOAM_PARTITION_NET").unwrap_or_default();
        let blocklist = || -> anyhow::Result<Self> {
            let mut lists = Vec::new();
            for name in NAMES {
                let list = scratch.join(format!("blocklist-{name}"));
                std::fs::write(&list, "")?;
                lists.push(list);
            }
            Ok(Self::Blocklist(lists))
        };
        match want.as_str() {
            "blocklist" => blocklist(),
            "netns" => Ok(Self::Netns(Netns::create(NAMES.len())?)),
            "" => match Netns::create(NAMES.len()) {
                Ok(netns) => Ok(Self::Netns(netns)),
                Err(e) => {
                    eprintln!("partitions: no network namespaces ({e:#}): blocking per peer");
                    blocklist()
                }
            },
            other => bail!("LOAM_PARTITION_NET is {other:?}: netns or blocklist"),
        }
    }

    /// A name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Netns(_) => "network namespaces",
            Self::Blocklist(_) => "per-peer blocking",
        }
    }
}

/// What a run saw.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// How links were cut.
    pub links: &'static str,
    /// Partitions made.
    pub partitions: usize,
    /// Heals made (the last included).
    pub heals: usize,
    /// Serve processes killed and restarted.
    pub kills: usize,
    /// Edits made (each a unique marker).
    pub edits: usize,
    /// From the last partition's kill until each side agreed (the longer
    /// of the two checks).
    pub sides_agreed_after: Duration,
    /// From the last heal until every member agreed.
    pub converged_after: Duration,
    /// Documents each member holds at the end.
    pub docs: usize,
}

/// A member's documents: id → (heads, text).
type Snapshot = BTreeMap<String, (Vec<String>, String)>;

/// Five members, one garden, and their links.
#[derive(Debug)]
pub struct Garden5 {
    /// Dropped first: their serves are killed before the namespaces go.
    members: Vec<Member>,
    links: Links,
    ids: Vec<String>,
    /// The group cut off from the rest now, if any.
    cut: Option<Vec<usize>>,
    /// Markers made since the partition began, with who made them.
    since_cut: Vec<(usize, String)>,
    _scratch: tempfile::TempDir,
}

impl Garden5 {
    /// Found the garden with Ada, invite and join the other four, start
    /// every member's `loam serve`, and wait until each knows where every
    /// other is (joiners learn only Ada's address from their ticket: the
    /// rest comes from the members sharing what they know).
    pub fn start() -> anyhow::Result<Self> {
        let scratch = tempfile::tempdir()?;
        let editor = scratch.path().join("append-marker");
        std::fs::write(
            &editor,
            "#!/bin/sh\nprintf '\\n%s\\n' \"$LOAM_E2E_MARK\" >> \"$1\"\n",
        )?;
        set_executable(&editor)?;
        let links = Links::choose(scratch.path())?;
        let mut members = Vec::new();
        for (i, name) in NAMES.into_iter().enumerate() {
            let mut member = Member::new(name)?;
            match &links {
                Links::Netns(netns) => member.set_netns(netns.member(i), netns.bind(i)),
                Links::Blocklist(lists) => member.set_env(
                    loam_node::network::BLOCKLIST_VAR,
                    lists[i].to_string_lossy().into_owned(),
                ),
            }
            member.set_env("EDITOR", editor.to_string_lossy().into_owned());
            member.set_env("VISUAL", editor.to_string_lossy().into_owned());
            members.push(member);
        }
        let ids = members
            .iter()
            .map(|m| {
                let who = m.run(&["--json", "whoami"]).json()?;
                who["member_id"]
                    .as_str()
                    .map(str::to_owned)
                    .context("whoami --json gave no member id")
            })
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
        let mut garden = Self {
            members,
            links,
            ids,
            cut: None,
            since_cut: Vec::new(),
            _scratch: scratch,
        };
        if let Err(e) = garden.wait_until_met() {
            return Err(e.context(garden.logs()));
        }
        Ok(garden)
    }

    /// Wait until every member's `loam peers` lists every other member.
    fn wait_until_met(&self) -> anyhow::Result<()> {
        eventually(MEET, || {
            for (i, m) in self.members.iter().enumerate() {
                let peers = m.run(&["--json", "peers"]).json()?;
                let known: Vec<&str> = peers
                    .as_array()
                    .map(|list| list.iter().filter_map(|p| p["member"].as_str()).collect())
                    .unwrap_or_default();
                let all = self
                    .ids
                    .iter()
                    .enumerate()
                    .all(|(j, id)| j == i || known.contains(&id.as_str()));
                if !all {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .context("the members did not learn each other's addresses")
    }

    /// Cut `group` off from everyone else (replacing any partition before).
    /// With namespaces that is at once; with per-peer blocking, wait until
    /// it is in force: every member's serve has reported (`loam status`)
    /// since, with no session across the cut (new sessions across it are
    /// refused from the moment the files are written).
    pub fn partition(&mut self, group: &[usize]) -> anyhow::Result<()> {
        self.cut = Some(group.to_vec());
        self.since_cut.clear();
        let lists = match &self.links {
            Links::Netns(netns) => return netns.partition(group),
            Links::Blocklist(lists) => lists,
        };
        let written = now_ms()?;
        for (i, list) in lists.iter().enumerate() {
            let inside = group.contains(&i);
            let other: Vec<&str> = (0..self.ids.len())
                .filter(|j| group.contains(j) != inside)
                .map(|j| self.ids[j].as_str())
                .collect();
            write_atomically(list, &other.join("\n"))?;
        }
        eventually(CONVERGE, || {
            for (i, m) in self.members.iter().enumerate() {
                let status = m.run(&["--json", "status"]).json()?;
                let fresh = status["updated_ms"].as_i64().is_some_and(|t| t > written);
                let across = status["peers"].as_array().is_some_and(|peers| {
                    peers.iter().any(|p| {
                        let j = self.ids.iter().position(|id| p["member"] == id.as_str());
                        j.is_some_and(|j| group.contains(&j) != group.contains(&i))
                    })
                });
                if !fresh || across {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .context("the partition did not come into force")
    }

    /// Reconnect everyone.
    pub fn heal(&mut self) -> anyhow::Result<()> {
        self.cut = None;
        self.since_cut.clear();
        match &self.links {
            Links::Netns(netns) => netns.heal(),
            Links::Blocklist(lists) => {
                for list in lists {
                    write_atomically(list, "")?;
                }
                Ok(())
            }
        }
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
        self.since_cut.push((i, mark.to_owned()));
        Ok(())
    }

    /// SIGKILL member `i`'s serve, make an edit while it is down, restart.
    pub fn kill(&mut self, i: usize, mark: &str) -> anyhow::Result<()> {
        self.members[i].kill()?;
        self.edit(i, Some(0), mark)?;
        self.members[i].serve()
    }

    /// Poll until the members on each side of the partition hold the same
    /// heads and text and every marker made on their side since it began;
    /// how long that took. Fails after [`CONVERGE`], showing each member's
    /// heads.
    pub fn sides_agree(&self) -> anyhow::Result<Duration> {
        let group = self.cut.clone().unwrap_or_default();
        let sides: [Vec<usize>; 2] = [
            group.clone(),
            (0..NAMES.len()).filter(|i| !group.contains(i)).collect(),
        ];
        let snaps = self.snapshots()?;
        for side in &sides {
            for (who, m) in &self.since_cut {
                if side.contains(who) {
                    continue;
                }
                if let Some(&i) = side
                    .iter()
                    .find(|&&i| snaps[i].values().any(|(_, text)| text.contains(m)))
                {
                    bail!(
                        "{m}, made by {} since the partition, crossed it to {}",
                        NAMES[*who],
                        NAMES[i]
                    );
                }
            }
        }
        self.agree(&sides, |side| {
            self.since_cut
                .iter()
                .filter(|(who, _)| side.contains(who))
                .map(|(_, m)| m.clone())
                .collect()
        })
    }

    /// Poll until every member holds the same heads and text and every
    /// marker in `marks`; how long that took. Fails after [`CONVERGE`],
    /// showing each member's heads.
    pub fn converge(&self, marks: &[String]) -> anyhow::Result<Duration> {
        let everyone: Vec<usize> = (0..NAMES.len()).collect();
        self.agree(&[everyone], |_| marks.to_vec())
    }

    /// Poll until within each of `sides` every member holds the same
    /// snapshot, holding every marker `marks(side)` names.
    fn agree(
        &self,
        sides: &[Vec<usize>],
        marks: impl Fn(&[usize]) -> Vec<String>,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        loop {
            let snaps = self.snapshots()?;
            let mut missing = Vec::new();
            let mut agree = true;
            for side in sides {
                let Some(&first) = side.first() else { continue };
                agree &= side.iter().all(|&i| snaps[i] == snaps[first]);
                for m in marks(side) {
                    if !snaps[first].values().any(|(_, text)| text.contains(&m)) {
                        missing.push(format!("{m} at {}", NAMES[first]));
                    }
                }
            }
            if agree && missing.is_empty() {
                return Ok(started.elapsed());
            }
            if started.elapsed() > CONVERGE {
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
                bail!(
                    "members {sides:?} do not agree {CONVERGE:?} on (markers missing: {missing:?}):\n{shown}"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every member's documents (heads and text), read from its data
    /// directory with loam-node while its serve runs.
    fn snapshots(&self) -> anyhow::Result<Vec<Snapshot>> {
        self.members
            .iter()
            .map(|m| snapshot(&m.data_dir()))
            .collect()
    }

    /// The serve logs, for a failure's report.
    pub fn logs(&mut self) -> String {
        let mut out = String::new();
        for m in &mut self.members {
            let log = m.serve_log().join("\n");
            out.push_str(&format!("--- {} ---\n{log}\n", m.name()));
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
    let mut garden = Garden5::start().with_context(|| format!("LOAM_PARTITION_SEED={seed}"))?;
    let mut report = RunReport {
        links: garden.links.name(),
        ..RunReport::default()
    };
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
            Step::SidesAgree => garden.sides_agree().map(|took| {
                report.sides_agreed_after = report.sides_agreed_after.max(took);
            }),
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
        Err(e) => bail!(
            "LOAM_PARTITION_SEED={seed}: after the last heal: {e:#}\n{}",
            garden.logs()
        ),
    }
    report.docs = snapshot(&garden.members[0].data_dir())?.len();
    if std::env::var_os("LOAM_PARTITION_LOGS").is_some() {
        eprintln!("{plan:?}\n{}", garden.logs());
    }
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

/// Milliseconds since the Unix epoch, as `loam status` reports times.
fn now_ms() -> anyhow::Result<i64> {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    Ok(i64::try_from(since.as_millis())?)
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
