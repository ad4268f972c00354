//! `cargo xtask codegen`: the TypeScript of the desktop IPC types
//! (`ui/src/lib/ipc-types.ts`) from `src-tauri/src/dto.rs`.
//!
//! The generator is a test of loam-desktop (`dto::tests::typescript_is_current`): with
//! `LOAM_CODEGEN=write` it writes the file, without it fails when the file is stale, so
//! `cargo xtask test` checks it both in its own step and in every `cargo test`.

use crate::workspace::{self, Workspace};

const TEST: &str = "dto::tests::typescript_is_current";

/// Write the generated file.
pub fn codegen(ws: &Workspace) -> anyhow::Result<()> {
    let mut command = ws.cargo(["test", "-p", "loam-desktop", "--lib", "--", TEST, "--exact"]);
    command.env("LOAM_CODEGEN", "write");
    workspace::run(&mut command)?;
    eprintln!("codegen: wrote ui/src/lib/ipc-types.ts");
    Ok(())
}

/// Fail when the generated file is not what dto.rs says.
pub fn check(ws: &Workspace) -> anyhow::Result<()> {
    let mut command = ws.cargo(["test", "-p", "loam-desktop", "--lib", "--", TEST, "--exact"]);
    command.env_remove("LOAM_CODEGEN");
    workspace::run(&mut command)
}
