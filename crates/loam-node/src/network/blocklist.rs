//! A test hook for network partitions, inert in production.
//!
//! When the network is loopback-only ([`NetConfig::is_loopback`]: bound to
//! 127.0.0.1, no relay, no DNS, no mDNS, as `LOAM_NET=loopback` makes it)
//! and the environment variable `LOAM_TEST_BLOCKLIST` names a file, the
//! network reads it (one member id per line, 64 hex; other lines ignored)
//! and treats every member listed there as unreachable: dialling them fails
//! at once, their incoming connections are refused after the handshake, and
//! sessions already running with them are closed (by the redial loop of
//! `keep_connected`, within 200 ms of the file changing). A missing or
//! unreadable file blocks no one. The end-to-end partition tests
//! (`tests/tests/partitions.rs`) write these files to cut and heal links
//! between `loam serve` processes. When the variable is unset, which is
//! always the case outside tests, or the network reaches beyond loopback,
//! nothing is read and nothing is blocked. The hook can only refuse
//! peers, never admit one.

use std::ffi::OsString;
use std::path::PathBuf;

use loam_core::MemberId;
use loam_net::NetConfig;

/// The environment variable naming the block-list file.
pub const BLOCKLIST_VAR: &str = "LOAM_TEST_BLOCKLIST";

/// The members a test has cut this process off from (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Blocklist {
    path: Option<PathBuf>,
}

impl Blocklist {
    /// The hook as the environment sets it for a network with `config`:
    /// inert when the variable is unset or the network is not
    /// loopback-only.
    pub(crate) fn from_env(config: &NetConfig) -> Self {
        Self::new(std::env::var_os(BLOCKLIST_VAR), config)
    }

    /// The hook with the variable's value `var`.
    fn new(var: Option<OsString>, config: &NetConfig) -> Self {
        Self {
            path: var
                .filter(|p| !p.is_empty() && config.is_loopback())
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
    fn the_hook_is_honoured_on_loopback_only() {
        let var = || Some(OsString::from("/tmp/loam-blocklist"));
        assert!(Blocklist::new(var(), &NetConfig::loopback()).path.is_some());
        assert!(Blocklist::new(var(), &NetConfig::default()).path.is_none());
        let mut lan = NetConfig::loopback();
        lan.mdns = true;
        assert!(Blocklist::new(var(), &lan).path.is_none());
        assert!(
            Blocklist::new(Some(OsString::new()), &NetConfig::loopback())
                .path
                .is_none()
        );
        assert!(Blocklist::new(None, &NetConfig::loopback()).path.is_none());
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
