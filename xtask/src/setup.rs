//! `cargo xtask setup`: install what a fresh Debian/Ubuntu machine lacks.
//!
//! Two tables say what the project needs and for which command: [`APT_PACKAGES`] (system
//! packages, installed in one `apt-get install`) and [`TOOLS`] (everything else: Rust
//! components now; `npm ci` in `ui/` later). Each entry is checked first and only acted on
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

const APT_PACKAGES: &[AptPackage] = &[AptPackage {
    name: "ripgrep",
    command: Some("rg"),
    why: "the baseline of the search benchmark",
    needed_for: &[Need::Bench],
}];

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
];

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
