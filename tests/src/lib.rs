//! A harness for end-to-end tests: members as real `loam` processes, each
//! with its own data directory, talking over loopback only.
//!
//! Every process runs with `LOAM_NET=loopback` (bind 127.0.0.1, no relay, no
//! DNS lookup, no mDNS), so no test sends a packet anywhere but loopback;
//! the partition test's members may instead go online inside private
//! network namespaces it creates ([`netns`]), with no relay and no mDNS.
//! Long-running `loam serve` processes are stopped with SIGTERM when their
//! [`Member`] is dropped, and killed if they do not stop in time.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub mod crash;
pub mod netns;
pub mod partition;

/// How long a `loam` command may take before the test fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The `loam` binary of this build (built on demand when missing).
pub fn loam_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // target/<profile>/deps/<test binary>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("the test binary is not in a cargo target directory")?;
    let loam = profile_dir.join(format!("loam{}", std::env::consts::EXE_SUFFIX));
    if !loam.exists() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", "loam-cli", "--bin", "loam"])
            .status()?;
        if !status.success() || !loam.exists() {
            bail!("could not build the loam binary at {}", loam.display());
        }
    }
    Ok(loam)
}

/// What one run of `loam` gave.
#[derive(Debug)]
pub struct Run {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
}

impl Run {
    fn from_output(output: Output) -> Self {
        Self {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }

    /// Standard output, or an error showing everything when the run failed.
    pub fn ok(self) -> anyhow::Result<String> {
        if self.code != 0 {
            bail!(
                "loam exited with {}\nstdout: {}\nstderr: {}",
                self.code,
                self.stdout,
                self.stderr
            );
        }
        Ok(self.stdout)
    }

    /// Standard error of a run that must fail, or an error if it did not.
    pub fn failed(self) -> anyhow::Result<String> {
        if self.code == 0 {
            bail!(
                "loam succeeded but should have failed\nstdout: {}",
                self.stdout
            );
        }
        Ok(self.stderr)
    }

    /// Standard output as JSON.
    pub fn json(self) -> anyhow::Result<serde_json::Value> {
        let stdout = self.ok()?;
        serde_json::from_str(&stdout).with_context(|| format!("not JSON: {stdout}"))
    }
}

/// One member: a data directory and, while serving, a `loam serve` process.
#[derive(Debug)]
pub struct Member {
    name: String,
    dir: tempfile::TempDir,
    binary: PathBuf,
    serve: Option<Serve>,
    env: Vec<(String, String)>,
    /// The network namespace and address its network commands use instead
    /// of loopback.
    netns: Option<(String, SocketAddr)>,
}

/// The commands that go online.
const ONLINE: [&str; 3] = ["serve", "join", "sync"];

#[derive(Debug)]
struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
}

impl Member {
    /// A member with an empty data directory and the display name `name`.
    pub fn new(name: &str) -> anyhow::Result<Self> {
        let member = Self {
            name: name.to_owned(),
            dir: tempfile::tempdir()?,
            binary: loam_binary()?,
            serve: None,
            env: Vec::new(),
            netns: None,
        };
        member.run(&["whoami", "--set-name", name]).ok()?;
        Ok(member)
    }

    /// The member's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, args: &[&str]) -> Command {
        let subcommand = args.iter().find(|a| !a.starts_with('-'));
        let netns = self
            .netns
            .as_ref()
            .filter(|_| subcommand.is_some_and(|c| ONLINE.contains(c)));
        let mut command = match netns {
            Some((ns, _)) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(&self.binary);
                c
            }
            None => Command::new(&self.binary),
        };
        command
            .args(args)
            .env("LOAM_DATA_DIR", self.data_dir())
            .env("LOAM_NET", "loopback")
            .env("NO_COLOR", "1")
            .env_remove("LOAM_GARDEN")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        if let Some((_, bind)) = netns {
            command
                .args(["--bind", &bind.to_string(), "--no-relay", "--no-mdns"])
                .env_remove("LOAM_NET");
        }
        command
    }

    /// Run this member's network commands (`serve`, `join`, `sync`) in the
    /// network namespace `ns`, listening on `bind` with no relay and no
    /// mDNS, instead of on loopback (`ip netns exec`, as root: see
    /// [`crate::netns`]). Other commands run as before.
    pub fn set_netns(&mut self, ns: impl Into<String>, bind: SocketAddr) {
        self.netns = Some((ns.into(), bind));
    }

    /// Set `key` to `value` in the environment of every `loam` this member
    /// runs from now on (a running `loam serve` keeps what it started with).
    pub fn set_env(&mut self, key: &str, value: impl Into<String>) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.into()));
    }

    /// Run `loam ARGS` to completion (bounded by [`COMMAND_TIMEOUT`]).
    pub fn run(&self, args: &[&str]) -> Run {
        let child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                return Run {
                    stdout: String::new(),
                    stderr: format!("cannot start loam: {e}"),
                    code: -1,
                };
            }
        };
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        match rx.recv_timeout(COMMAND_TIMEOUT) {
            Ok(Ok(output)) => Run::from_output(output),
            Ok(Err(e)) => Run {
                stdout: String::new(),
                stderr: format!("waiting for loam failed: {e}"),
                code: -1,
            },
            Err(_) => {
                signal(pid, "KILL");
                Run {
                    stdout: String::new(),
                    stderr: format!("loam {args:?} took longer than {COMMAND_TIMEOUT:?}"),
                    code: -1,
                }
            }
        }
    }

    /// Start `loam serve` and wait until it says it is listening.
    pub fn serve(&mut self) -> anyhow::Result<()> {
        if self.serve.is_some() {
            return Ok(());
        }
        let mut child = self
            .command(&["serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (tx, lines) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        self.serve = Some(Serve {
            child,
            lines,
            log: Vec::new(),
        });
        self.wait_for_log("listening", COMMAND_TIMEOUT)?;
        Ok(())
    }

    /// Wait until the serve log has a line containing `needle`.
    pub fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> anyhow::Result<String> {
        let name = self.name.clone();
        let serve = self
            .serve
            .as_mut()
            .with_context(|| format!("{name} is not serving"))?;
        if let Some(line) = serve.log.iter().find(|l| l.contains(needle)) {
            return Ok(line.clone());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match serve.lines.recv_timeout(left) {
                Ok(line) => {
                    serve.log.push(line.clone());
                    if line.contains(needle) {
                        return Ok(line);
                    }
                }
                Err(_) => bail!(
                    "{name}'s `loam serve` logged no line with {needle:?} within {timeout:?}; log:\n{}",
                    serve.log.join("\n")
                ),
            }
        }
    }

    /// Everything `loam serve` logged so far.
    pub fn serve_log(&mut self) -> Vec<String> {
        if let Some(serve) = self.serve.as_mut() {
            while let Ok(line) = serve.lines.try_recv() {
                serve.log.push(line);
            }
            serve.log.clone()
        } else {
            Vec::new()
        }
    }

    /// Kill `loam serve` with SIGKILL (a crash), and wait for it.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut serve) = self.serve.take() {
            serve.child.kill()?;
            serve.child.wait()?;
        }
        Ok(())
    }

    /// Stop `loam serve` with SIGTERM and check that it exits cleanly.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut serve) = self.serve.take() else {
            return Ok(());
        };
        signal(serve.child.id(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = serve.child.try_wait()? {
                if !status.success() {
                    bail!(
                        "{}'s `loam serve` exited with {status} on SIGTERM",
                        self.name
                    );
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let threads = threads(serve.child.id());
                let _ = serve.child.kill();
                let _ = serve.child.wait();
                while let Ok(line) = serve.lines.try_recv() {
                    serve.log.push(line);
                }
                bail!(
                    "{}'s `loam serve` did not stop within 10 s of SIGTERM; its threads (name: \
                     kernel wait): {threads}; its log:\n{}",
                    self.name,
                    serve.log.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(mut serve) = self.serve.take() {
            let _ = serve.child.kill();
            let _ = serve.child.wait();
        }
    }
}

/// A process's threads with where each waits in the kernel (Linux
/// `/proc`), for a report on a process that hangs.
fn threads(pid: u32) -> String {
    let dir = PathBuf::from(format!("/proc/{pid}/task"));
    let Ok(tasks) = std::fs::read_dir(&dir) else {
        return "(unknown)".into();
    };
    let read = |task: &Path, file: &str| {
        std::fs::read_to_string(task.join(file))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    tasks
        .flatten()
        .map(|t| {
            let path = t.path();
            format!("{}: {}", read(&path, "comm"), read(&path, "wchan"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Send a signal with kill(1): the tests need no libc binding for it.
fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status();
}

/// Poll `check` until it returns `Ok(true)` or `timeout` passes.
pub fn eventually(
    timeout: Duration,
    mut check: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if check()? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("condition not met within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
