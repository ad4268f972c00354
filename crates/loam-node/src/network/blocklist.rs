//! A test hook for network partitions, inert in production.
//!
//! When the environment variable `LOAM_TEST_BLOCKLIST` names a file, the
//! network reads it (one member id per line, 64 hex; other lines ignored)
//! and treats every member listed there as unreachable: dialling them fails
//! at once, their incoming connections are refused after the handshake, and
//! sessions already running with them are closed (by the redial loop of
//! `keep_connected`, within 200 ms of the file changing). A missing or
//! unreadable file blocks no one. The end-to-end partition tests
//! (`tests/tests/partitions.rs`) write these files to cut and heal links
//! between `loam serve` processes. When the variable is unset, which is
//! always the case outside tests, nothing is read and nothing is blocked.

use std::path::PathBuf;

use loam_core::MemberId;

/// The environment variable naming the block-list file.
pub const BLOCKLIST_VAR: &str = "LOAM_TEST_BLOCKLIST";

/// The members a test has cut this process off from (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Blocklist {
    path: Option<PathBuf>,
}

impl Blocklist {
    /// The hook as the environment sets it: inert when the variable is unset.
    pub(crate) fn from_env() -> Self {
        Self {
            path: std::env::var_os(BLOCKLIST_VAR)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The members listed now (none when the hook is off).
    pub(crate) fn blocked(&self) -> Vec<MemberId> {
        let Some(path) = &self.path else {
            return Vec::new();
        };
        std::fs::read_to_string(path)
            .map(|text| parse(&text))
            .unwrap_or_default()
    }

    /// Whether `member` is listed now.
    pub(crate) fn blocks(&self, member: MemberId) -> bool {
        self.path.is_some() && self.blocked().contains(&member)
    }
}

/// The member ids in a block-list file's text.
fn parse(text: &str) -> Vec<MemberId> {
    text.lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn check(text: &str, expected: usize) {
        assert_eq!(parse(text).len(), expected, "{text:?}");
    }

    #[test]
    fn lists_parse_one_id_per_line() {
        let id = "ab".repeat(32);
        check("", 0);
        check("not an id\n", 0);
        check(&format!("{id}\n"), 1);
        check(&format!("  {id}  \n\n# comment\n{id}"), 2);
    }

    #[test]
    fn the_hook_is_off_without_a_path() {
        let off = Blocklist { path: None };
        assert!(off.blocked().is_empty());
        let missing = Blocklist {
            path: Some(PathBuf::from("/nonexistent/loam-blocklist")),
        };
        assert!(missing.blocked().is_empty());
    }
}
