//! Crash safety: a write-heavy workload killed with SIGKILL at seeded
//! random moments, 200 times (`LOAM_CRASH_RUNS` for more: `cargo xtask
//! soak` runs 2,000); after each kill the garden checks clean and every
//! acknowledged edit is there. `LOAM_CRASH_SEED` replays a run set.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use loam_e2e::crash::{RunPlan, copy_dir, make_template, run_once, seed_from_env, write_vault};

/// The latest a child is killed, from its start: a child opens its garden
/// in a few milliseconds and then writes until killed or done.
const MAX_KILL: Duration = Duration::from_millis(100);

#[test]
fn acknowledged_edits_survive_sigkill() -> anyhow::Result<()> {
    let seed = seed_from_env("LOAM_CRASH_SEED");
    let runs: u64 = std::env::var("LOAM_CRASH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let workload = Path::new(env!("CARGO_BIN_EXE_loam-crash-workload"));
    let scratch = tempfile::tempdir()?;
    let template = scratch.path().join("template");
    let vault = scratch.path().join("vault");
    make_template(&template)?;
    write_vault(&vault)?;
    let started = Instant::now();
    let (mut acked, mut markers, mut finished, mut killed) = (0, 0, 0, 0);
    for run in 0..runs {
        let plan = RunPlan::of(seed, run, MAX_KILL);
        let dir = scratch.path().join(format!("run{run}"));
        copy_dir(&template, &dir)?;
        let stats = run_once(workload, &dir, &vault, &plan).map_err(|e| {
            anyhow::anyhow!("run {run} of LOAM_CRASH_SEED={seed} ({plan:?}) failed: {e:#}")
        })?;
        acked += stats.acked;
        markers += stats.markers;
        if stats.finished {
            finished += 1;
        } else {
            killed += 1;
        }
        std::fs::remove_dir_all(&dir)?;
    }
    eprintln!(
        "crash: {runs} runs ({killed} killed mid-workload, {finished} finished first), \
         {acked} acknowledged operations, {markers} acknowledged edits all found, in {:?}",
        started.elapsed()
    );
    assert!(killed > 0, "no run was killed mid-workload");
    Ok(())
}
