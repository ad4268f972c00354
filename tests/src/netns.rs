//! Private network namespaces for the partition test, where the machine
//! allows them (root and iproute2): one namespace per member, each linked
//! by a veth pair to a hub namespace holding two bridges. Members whose
//! links are on different bridges cannot exchange a packet, so moving links
//! between the bridges cuts and heals partitions with real packet loss:
//! nothing is refused, packets just vanish, as on a real network.
//!
//! Member `i` is 10.77.0.(i+1)/24 on its `eth0`; nothing is routed
//! anywhere else, and no packet leaves these namespaces. Everything is
//! named `loamp-<pid>-…` and deleted when the [`Netns`] is dropped;
//! namespaces left by a test process that was killed are deleted by the
//! next one.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The prefix of every namespace made here.
const PREFIX: &str = "loamp-";

/// The two bridges links are moved between.
const BRIDGES: [&str; 2] = ["bra", "brb"];

/// The namespaces of one test run.
#[derive(Debug)]
pub struct Netns {
    name: String,
    members: usize,
}

impl Netns {
    /// Namespaces for `members` members, all on one bridge; an error says
    /// why the machine does not allow them.
    pub fn create(members: usize) -> anyhow::Result<Self> {
        remove_stale();
        let netns = Self {
            name: format!("{PREFIX}{}", std::process::id()),
            members,
        };
        let hub = netns.hub();
        ip(&["netns", "add", &hub])?;
        ip(&["-n", &hub, "link", "set", "lo", "up"])?;
        for bridge in BRIDGES {
            ip(&["-n", &hub, "link", "add", bridge, "type", "bridge"])?;
            ip(&["-n", &hub, "link", "set", bridge, "up"])?;
        }
        for i in 0..members {
            let ns = netns.member(i);
            let link = format!("v{i}");
            let addr = format!("{}/24", netns.ip(i));
            ip(&["netns", "add", &ns])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
            ip(&[
                "-n", &hub, "link", "add", &link, "type", "veth", "peer", "name", "eth0", "netns",
                &ns,
            ])?;
            ip(&["-n", &hub, "link", "set", &link, "master", BRIDGES[0]])?;
            ip(&["-n", &hub, "link", "set", &link, "up"])?;
            ip(&["-n", &ns, "addr", "add", &addr, "dev", "eth0"])?;
            ip(&["-n", &ns, "link", "set", "eth0", "up"])?;
        }
        // Some containers allow making namespaces but not entering them
        // (`ip netns exec` remounts /sys): find out now, not at the first
        // serve.
        ip(&["netns", "exec", &netns.member(0), "true"])?;
        Ok(netns)
    }

    fn hub(&self) -> String {
        format!("{}-hub", self.name)
    }

    /// Member `i`'s namespace.
    pub fn member(&self, i: usize) -> String {
        format!("{}-{i}", self.name)
    }

    /// Member `i`'s address.
    pub fn ip(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, 0, u8::try_from(i + 1).unwrap_or(u8::MAX))
    }

    /// Where member `i` listens (port 0: any free port, kept across
    /// restarts by the node).
    pub fn bind(&self, i: usize) -> SocketAddr {
        SocketAddr::from((self.ip(i), 0))
    }

    /// Put the links of `group` on the second bridge and the rest on the
    /// first: the two sides lose every packet between them.
    pub fn partition(&self, group: &[usize]) -> anyhow::Result<()> {
        for i in 0..self.members {
            let bridge = BRIDGES[usize::from(group.contains(&i))];
            ip(&[
                "-n",
                &self.hub(),
                "link",
                "set",
                &format!("v{i}"),
                "master",
                bridge,
            ])?;
        }
        Ok(())
    }

    /// Every link on the first bridge.
    pub fn heal(&self) -> anyhow::Result<()> {
        self.partition(&[])
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for i in 0..self.members {
            let _ = ip(&["netns", "del", &self.member(i)]);
        }
        let _ = ip(&["netns", "del", &self.hub()]);
    }
}

/// Run `ip ARGS`; an error with what it said when it fails.
fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("cannot run ip (iproute2)")?;
    if !out.status.success() {
        bail!(
            "ip {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Delete the namespaces of test processes that are gone.
fn remove_stale() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        let alive = std::path::Path::new("/proc").join(pid).exists();
        if !alive {
            let _ = ip(&["netns", "del", name]);
        }
    }
}
