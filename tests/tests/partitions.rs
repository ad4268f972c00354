//! Partitions across processes: five `loam serve` members of one garden
//! cut apart, healed and killed on seeded schedules, editing on every side;
//! in the last partition each side agrees within itself, and after the
//! last heal all five hold the same heads and text, with every edit,
//! within 10 s. Two fixed seeds and one from the clock run here
//! (`LOAM_PARTITION_SEED` replays one; `LOAM_PARTITION_RUNS` and
//! `LOAM_PARTITION_STEPS` lengthen the run, `LOAM_PARTITION_HOLD` holds the
//! last partition that many seconds: `cargo xtask soak` does;
//! `LOAM_PARTITION_NET` is `netns` or `blocklist`, else namespaces where
//! the machine allows them).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use loam_e2e::crash::seed_from_env;
use loam_e2e::partition::{run, schedule};

/// Seeds every run tries first.
const FIXED: [u64; 2] = [7, 20_261_120];

#[test]
fn five_members_converge_after_partitions_heals_and_kills() -> anyhow::Result<()> {
    let env_u64 = |var: &str, default: u64| {
        std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let steps = usize::try_from(env_u64("LOAM_PARTITION_STEPS", 8))?;
    let runs = env_u64("LOAM_PARTITION_RUNS", 1);
    let hold = std::env::var("LOAM_PARTITION_HOLD")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs);
    let mut seeds: Vec<u64> = if std::env::var_os("LOAM_PARTITION_SEED").is_some() {
        Vec::new()
    } else {
        FIXED.to_vec()
    };
    let first = seed_from_env("LOAM_PARTITION_SEED");
    seeds.extend((0..runs).map(|i| first.wrapping_add(i)));
    let mut slowest = Duration::ZERO;
    for &seed in &seeds {
        let plan = schedule(seed, steps, hold);
        let started = Instant::now();
        let report = run(seed, &plan)?;
        slowest = slowest.max(report.converged_after);
        eprintln!(
            "partitions: LOAM_PARTITION_SEED={seed} ({}): {} partitions, {} heals, {} kills, \
             {} edits, {} documents; last partition's sides agreed in {:?}; converged {:?} after \
             the last heal; run took {:?}",
            report.links,
            report.partitions,
            report.heals,
            report.kills,
            report.edits,
            report.docs,
            report.sides_agreed_after,
            report.converged_after,
            started.elapsed()
        );
    }
    eprintln!(
        "partitions: {} runs of {steps} steps; slowest convergence after the last heal {slowest:?}",
        seeds.len()
    );
    Ok(())
}
