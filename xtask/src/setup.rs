//! `cargo xtask setup`: install what a fresh Debian/Ubuntu machine lacks.
//!
//! Two tables say what the project needs and for which command: [`APT_PACKAGES`] (system
//! packages, installed in one `apt-get install`) and [`TOOLS`] (everything else: Rust
//! components, `npm ci` in `ui/`, tauri-driver). Each entry is checked first and only acted on
//! when missing, so setup is quiet and quick when everything is there, and safe to repeat.

use std::process::{Command, Stdio};

use anyhow::bail;

use crate::workspace::{self, Workspace};

/// The command an entry is needed for; `run`, `test` and `bench` set up only their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Run,
    Test,
    Bench,
}

impl Need {
    pub const ALL: &[Need] = &[Need::Run, Need::Test, Need::Bench];
}

/// Whether setup says so when it finds nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// `cargo xtask setup` itself: confirm that all is well.
    Report,
    /// Setup as the first step of another command: silent unless it acts.
    Quiet,
}

/// A Debian package the project needs.
#[derive(Debug)]
struct AptPackage {
    name: &'static str,
    /// An executable the package provides: when it is on `PATH` (installed some other way,
    /// or on a system without dpkg) the package counts as present.
    command: Option<&'static str>,
    why: &'static str,
    needed_for: &'static [Need],
}

const APT_PACKAGES: &[AptPackage] = &[
    AptPackage {
        name: "ripgrep",
        command: Some("rg"),
        why: "the baseline of the search benchmark",
        needed_for: &[Need::Bench],
    },
    AptPackage {
        name: "build-essential",
        command: None,
        why: "the desktop app links C libraries",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "pkg-config",
        command: Some("pkg-config"),
        why: "the desktop app's build finds WebKitGTK with it",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "libwebkit2gtk-4.1-dev",
        command: None,
        why: "the desktop app's webview (Tauri 2 on Linux)",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "libssl-dev",
        command: None,
        why: "Tauri's build links OpenSSL",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "libayatana-appindicator3-dev",
        command: None,
        why: "Tauri's tray support on Linux",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "librsvg2-dev",
        command: None,
        why: "Tauri draws SVG icons with it",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "nodejs",
        command: Some("node"),
        why: "builds the UI (Vite) and runs its unit tests (Vitest)",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "npm",
        command: Some("npm"),
        why: "installs the UI's packages from ui/package-lock.json",
        needed_for: DESKTOP,
    },
    AptPackage {
        name: "xvfb",
        command: Some("Xvfb"),
        why: "a display for the desktop end-to-end tests and benchmarks",
        needed_for: &[Need::Test, Need::Bench],
    },
    AptPackage {
        name: "webkit2gtk-driver",
        command: Some("WebKitWebDriver"),
        why: "tauri-driver drives the app's webview through it (end-to-end tests)",
        needed_for: &[Need::Test, Need::Bench],
    },
    AptPackage {
        name: "imagemagick",
        command: Some("identify"),
        why: "the end-to-end test checks that its screenshots are not blank",
        needed_for: &[Need::Test],
    },
];

/// Every command that builds the desktop app.
const DESKTOP: &[Need] = &[Need::Run, Need::Test, Need::Bench];

/// The tauri-driver release that matches Tauri 2.
pub const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// Anything else the project needs, with how to tell it is there and how to install it.
#[derive(Debug)]
struct Tool {
    name: &'static str,
    why: &'static str,
    needed_for: &'static [Need],
    present: fn(&Workspace) -> bool,
    install: fn(&Workspace) -> anyhow::Result<()>,
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "rustfmt",
        why: "`cargo xtask lint` checks formatting",
        needed_for: &[Need::Test],
        present: |ws| workspace::succeeds_quietly(&mut ws.cargo(["fmt", "--version"])),
        install: |ws| rustup_component(ws, "rustfmt"),
    },
    Tool {
        name: "clippy",
        why: "`cargo xtask lint` runs clippy",
        needed_for: &[Need::Test],
        present: |ws| workspace::succeeds_quietly(&mut ws.cargo(["clippy", "--version"])),
        install: |ws| rustup_component(ws, "clippy"),
    },
    Tool {
        name: "the UI's npm packages",
        why: "the desktop app's UI is built from them (ui/package-lock.json)",
        needed_for: DESKTOP,
        present: |ws| ui_packages_current(ws),
        install: |ws| {
            let mut command = Command::new("npm");
            command
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(ws.root().join("ui"));
            workspace::run(&mut command)
        },
    },
    Tool {
        name: "tauri-driver",
        why: "the WebDriver server the desktop end-to-end tests talk to",
        needed_for: &[Need::Test, Need::Bench],
        present: |_| tauri_driver().is_some(),
        install: |ws| {
            workspace::run(&mut ws.cargo([
                "install",
                "tauri-driver",
                "--version",
                TAURI_DRIVER_VERSION,
                "--locked",
            ]))
        },
    },
];

/// `npm ci` has run since ui/package-lock.json last changed.
fn ui_packages_current(ws: &Workspace) -> bool {
    let ui = ws.root().join("ui");
    let modified = |path: std::path::PathBuf| std::fs::metadata(path).and_then(|m| m.modified());
    match (
        modified(ui.join("package-lock.json")),
        modified(ui.join("node_modules").join(".package-lock.json")),
    ) {
        (Ok(lock), Ok(installed)) => installed >= lock,
        _ => false,
    }
}

/// tauri-driver, on `PATH` or where `cargo install` puts it.
pub fn tauri_driver() -> Option<std::path::PathBuf> {
    if workspace::on_path("tauri-driver") {
        return Some("tauri-driver".into());
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))?;
    let path = home.join("bin").join("tauri-driver");
    path.is_file().then_some(path)
}

/// Installs whatever is missing among the entries needed for any of `needs`.
pub fn setup(ws: &Workspace, needs: &[Need], verbosity: Verbosity) -> anyhow::Result<()> {
    let wanted = |needed_for: &[Need]| needed_for.iter().any(|need| needs.contains(need));

    let missing_packages: Vec<&AptPackage> = APT_PACKAGES
        .iter()
        .filter(|package| wanted(package.needed_for) && !package_present(package))
        .collect();
    let installed_packages = !missing_packages.is_empty();
    if installed_packages {
        install_packages(&missing_packages)?;
    }

    let mut installed_tools = false;
    for tool in TOOLS.iter().filter(|tool| wanted(tool.needed_for)) {
        if (tool.present)(ws) {
            continue;
        }
        eprintln!("setup: installing {} ({})", tool.name, tool.why);
        (tool.install)(ws)?;
        if !(tool.present)(ws) {
            bail!("{} is still missing after installing it", tool.name);
        }
        installed_tools = true;
    }

    if verbosity == Verbosity::Report && !installed_packages && !installed_tools {
        eprintln!("setup: everything needed is installed");
    }
    Ok(())
}

fn package_present(package: &AptPackage) -> bool {
    if package.command.is_some_and(workspace::on_path) {
        return true;
    }
    dpkg_installed(package.name)
}

fn dpkg_installed(name: &str) -> bool {
    let output = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", name])
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(output) => {
            output.status.success()
                && String::from_utf8_lossy(&output.stdout).ends_with(" installed")
        }
        Err(_) => false,
    }
}

fn install_packages(packages: &[&AptPackage]) -> anyhow::Result<()> {
    for package in packages {
        eprintln!("setup: installing {} ({})", package.name, package.why);
    }
    let names: Vec<&str> = packages.iter().map(|package| package.name).collect();
    if !workspace::on_path("apt-get") {
        bail!(
            "apt-get not found, so this is not a Debian/Ubuntu system: install {} yourself, then run again",
            names.join(" ")
        );
    }
    let sudo = if is_root() {
        false
    } else if workspace::on_path("sudo") {
        true
    } else {
        bail!(
            "installing {} needs root and sudo is not installed: run `apt-get install {}` as root",
            names.join(" "),
            names.join(" ")
        );
    };
    // apt's progress goes to stdout and is noise here; its errors go to stderr and show.
    workspace::run(apt_get(sudo, &["update", "-qq"]).stdout(Stdio::null()))?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&names);
    workspace::run(apt_get(sudo, &install).stdout(Stdio::null()))?;
    for package in packages {
        if !package_present(package) {
            bail!("{} is still missing after apt-get install", package.name);
        }
    }
    Ok(())
}

/// `apt-get <args>` without questions, through sudo when we are not root.
fn apt_get(sudo: bool, args: &[&str]) -> Command {
    let mut command = if sudo {
        let mut command = Command::new("sudo");
        command.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        command
    } else {
        let mut command = Command::new("apt-get");
        command.env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    command.args(args);
    command
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.status.success() && output.stdout.trim_ascii() == b"0")
}

fn rustup_component(ws: &Workspace, component: &str) -> anyhow::Result<()> {
    if !workspace::on_path("rustup") {
        bail!(
            "{component} is missing and rustup is not installed: install the {component} component of your Rust toolchain, then run again"
        );
    }
    let mut command = Command::new("rustup");
    command
        .args(["component", "add", component])
        .current_dir(ws.root());
    if let Err(err) = workspace::run(&mut command) {
        bail!(
            "{component} is missing and {err:#}; rustup needs the internet for this: run `rustup component add {component}` where you have a connection, then run again"
        );
    }
    Ok(())
}
