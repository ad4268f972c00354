//! Building the desktop app: the UI (Vite, into `ui/dist`), then the binary with the UI
//! inside it (`--features custom-protocol`), and its end-to-end test under Xvfb.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

use crate::setup;
use crate::workspace::{self, Workspace};

/// Debug or release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

/// `npm <args>` in `ui/`.
pub fn npm(ws: &Workspace, args: &[&str]) -> anyhow::Result<()> {
    let mut command = Command::new("npm");
    command.args(args).current_dir(ws.root().join("ui"));
    workspace::run(&mut command)
}

/// Build the UI into `ui/dist`.
pub fn build_ui(ws: &Workspace) -> anyhow::Result<()> {
    npm(ws, &["run", "build", "--silent"])
}

/// Build the app with the UI inside; the path of its binary.
pub fn build_app(ws: &Workspace, profile: Profile) -> anyhow::Result<PathBuf> {
    let mut args = vec![
        "build",
        "-p",
        "loam-desktop",
        "--features",
        "custom-protocol",
    ];
    if profile == Profile::Release {
        args.push("--release");
    }
    workspace::run(&mut ws.cargo(args))?;
    Ok(binary(ws, profile))
}

/// Where the app's binary is built.
pub fn binary(ws: &Workspace, profile: Profile) -> PathBuf {
    let dir = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    ws.target_dir()
        .join(dir)
        .join(format!("loam-desktop{}", std::env::consts::EXE_SUFFIX))
}

/// Why the display stack cannot run here, if it cannot.
pub fn display_stack_missing() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return Some("the end-to-end test drives WebKitGTK, so it runs on Linux only".into());
    }
    let missing: Vec<&str> = ["Xvfb", "WebKitWebDriver"]
        .into_iter()
        .filter(|program| !workspace::on_path(program))
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "{} not installed (`cargo xtask setup` installs them on Debian/Ubuntu)",
            missing.join(" and ")
        ));
    }
    if setup::tauri_driver().is_none() {
        return Some(format!(
            "tauri-driver is not installed (`cargo install tauri-driver --version {} --locked`)",
            setup::TAURI_DRIVER_VERSION
        ));
    }
    None
}

/// The end-to-end test, screenshots into `docs/screenshots`.
pub fn e2e(ws: &Workspace) -> anyhow::Result<()> {
    if let Some(why) = display_stack_missing() {
        eprintln!("e2e: SKIPPED: {why}");
        return Ok(());
    }
    build_ui(ws)?;
    let app = build_app(ws, Profile::Debug)?;
    let Some(driver) = setup::tauri_driver() else {
        bail!("tauri-driver vanished");
    };
    let shots = ws.root().join("docs").join("screenshots");
    let mut command = ws.cargo(["run", "-p", "loam-desktop-e2e", "--"]);
    command
        .arg("--app")
        .arg(&app)
        .arg("--tauri-driver")
        .arg(&driver)
        .arg("--screenshots")
        .arg(&shots);
    workspace::run(&mut command)?;
    for name in ["light.png", "dark.png"] {
        check_not_blank(&shots.join(name))?;
    }
    Ok(())
}

/// A screenshot of a working window has many colours; a blank one a few.
fn check_not_blank(png: &Path) -> anyhow::Result<()> {
    if !workspace::on_path("identify") {
        eprintln!("e2e: not checking {} (ImageMagick missing)", png.display());
        return Ok(());
    }
    let output = Command::new("identify")
        .args(["-format", "%k"])
        .arg(png)
        .output()?;
    let colours: u64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    if colours < 64 {
        bail!(
            "{} has {colours} colours: the window looks blank",
            png.display()
        );
    }
    Ok(())
}
