//! A command as a list of named steps, run in order, stopping at the first failure.

use std::time::Instant;

use anyhow::Context;

use crate::workspace::Workspace;

#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub name: &'static str,
    pub run: fn(&Workspace) -> anyhow::Result<()>,
}

/// Runs `steps`, announcing each; the error names the step that failed.
pub fn run_steps(ws: &Workspace, command: &str, steps: &[Step]) -> anyhow::Result<()> {
    let started = Instant::now();
    for (index, step) in steps.iter().enumerate() {
        eprintln!(
            "==> cargo xtask {command}: {} ({}/{})",
            step.name,
            index + 1,
            steps.len()
        );
        (step.run)(ws).with_context(|| {
            format!(
                "cargo xtask {command} stopped at step {} of {}, `{}`",
                index + 1,
                steps.len(),
                step.name
            )
        })?;
    }
    let names: Vec<&str> = steps.iter().map(|step| step.name).collect();
    eprintln!(
        "==> cargo xtask {command}: all {} steps passed ({}) in {:.0?}",
        steps.len(),
        names.join(", "),
        started.elapsed()
    );
    Ok(())
}
