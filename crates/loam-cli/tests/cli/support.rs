//! A temp data directory and a compact way to run `loam` in it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A data directory of its own, removed at the end of the test.
pub struct Dir {
    dir: tempfile::TempDir,
}

/// What a run of `loam` gave.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// Assert success and return standard output.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "loam failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Assert failure with `code` and return standard error.
    #[track_caller]
    pub fn fails(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "wrong exit code:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.starts_with("error: "),
            "no `error:` line: {}",
            self.stderr
        );
        self.stderr
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(self) -> serde_json::Value {
        let stdout = self.ok();
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
    }
}

impl Dir {
    /// An empty data directory.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A data directory holding the demo garden.
    pub fn demo() -> Self {
        let dir = Self::empty();
        dir.run(&["init", "--demo"]).ok();
        dir
    }

    /// A data directory holding one empty garden, "My garden".
    pub fn garden() -> Self {
        let dir = Self::empty();
        dir.run(&["init"]).ok();
        dir
    }

    /// The data directory (scripts go beside it).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `loam --data-dir DIR`, with a clean environment: no colour, no
    /// garden or data dir from the caller's environment, an editor that
    /// fails if a test forgets to set one.
    pub fn loam(&self) -> Command {
        let mut command = Command::new(binary());
        command
            .arg("--data-dir")
            .arg(self.path())
            .env_remove("LOAM_DATA_DIR")
            .env_remove("LOAM_GARDEN")
            .env_remove("VISUAL")
            .env_remove("NO_COLOR")
            .env("EDITOR", "false")
            .write_stdin("");
        command
    }

    /// Run `loam` with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        output(self.loam().args(args))
    }

    /// Run `loam` with `args` and `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        output(self.loam().args(args).write_stdin(input))
    }

    /// Run `loam` with `args` and `EDITOR` set to a shell script.
    pub fn run_with_editor(&self, args: &[&str], script: &str) -> Run {
        let editor = self.script("editor.sh", script);
        output(
            self.loam()
                .args(args)
                .env("EDITOR", editor)
                .env("LOAM_BIN", binary()),
        )
    }

    /// An executable shell script beside the data directory.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// The one garden's database file.
    pub fn database(&self) -> PathBuf {
        let gardens = self.path().join("gardens");
        let garden = std::fs::read_dir(&gardens)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        garden.path().join("garden.db")
    }
}

pub fn binary() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("loam")
}

fn output(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "loam panicked: {stderr}");
    Run {
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr,
        code: output.status.code().unwrap_or(-1),
    }
}
