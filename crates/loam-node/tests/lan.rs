//! Members on one LAN find each other by mDNS, with no ticket but the first
//! invite. Two nodes, each inside a network namespace this test creates
//! (joined by a veth pair, 10.78.0.0/24: the multicast never touches a real
//! interface), know each other only by a loopback address from the join,
//! useless there: they must find each other on the LAN, remember where, dial
//! and sync. Skipped with a message where `ip netns` is not permitted; the
//! namespaces are deleted however the test ends. Each node is this test
//! binary re-run inside its namespace.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use loam_core::Role;
use loam_node::network::{Bind, NetConfig, Network, invite_ticket};
use loam_node::{GardenId, NewDoc, Node};

const ROLE_VAR: &str = "LOAM_NODE_LAN_ROLE";
const DIR_VAR: &str = "LOAM_NODE_LAN_DIR";
const GARDEN_VAR: &str = "LOAM_NODE_LAN_GARDEN";
const SUBNET: &str = "10.78.0.";

/// Deletes the namespaces (and with them the veth pair) however the test
/// ends.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn in_ns(ns: &str, args: &[&str]) -> Result<(), String> {
    let mut all = vec!["netns", "exec", ns, "ip"];
    all.extend_from_slice(args);
    ip(&all)
}

/// Run `cmd` for at most `limit` (killed after): whether it succeeded, and
/// what it printed.
fn run_bounded(mut cmd: Command, limit: Duration, log: &Path) -> (bool, String) {
    let out = std::fs::File::create(log).unwrap();
    let mut child = cmd
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    let ok = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (ok, std::fs::read_to_string(log).unwrap_or_default())
}

#[test]
fn members_on_a_lan_find_each_other_and_sync() {
    // A founds a garden and B joins it, over loopback: all either knows of
    // the other's whereabouts afterwards is a 127.0.0.1 address.
    let work = tempfile::tempdir().unwrap();
    let garden_id = {
        let ada = Arc::new(Node::open(work.path().join("a")).unwrap());
        ada.set_display_name("Ada").unwrap();
        let garden = ada.create_garden("Commons").unwrap();
        let ada_net = Network::start(ada.clone(), NetConfig::loopback()).unwrap();
        let bo = Arc::new(Node::open(work.path().join("b")).unwrap());
        bo.set_display_name("Bo").unwrap();
        let bo_net = Network::start(bo.clone(), NetConfig::loopback()).unwrap();
        let invite = garden.invite(Role::Member, None, 1).unwrap();
        let ticket = invite_ticket(&garden, &invite, ada_net.addr().unwrap());
        bo_net.join(&ticket, Duration::from_secs(20)).unwrap();
        garden.id()
    };

    let pid = std::process::id();
    let names = vec![format!("loamnode{pid}a"), format!("loamnode{pid}b")];
    if let Err(e) = ip(&["netns", "add", &names[0]]) {
        println!("skipped: cannot create a network namespace ({e})");
        return;
    }
    let guard = Namespaces(names.clone());
    ip(&["netns", "add", &names[1]]).unwrap();
    let (va, vb) = (format!("lnn{pid}a"), format!("lnn{pid}b"));
    ip(&[
        "link", "add", &va, "netns", &names[0], "type", "veth", "peer", "name", &vb, "netns",
        &names[1],
    ])
    .unwrap();
    for (ns, dev, addr) in [
        (&names[0], &va, format!("{SUBNET}1/24")),
        (&names[1], &vb, format!("{SUBNET}2/24")),
    ] {
        in_ns(ns, &["link", "set", "lo", "up"]).unwrap();
        in_ns(ns, &["addr", "add", &addr, "dev", dev]).unwrap();
        in_ns(ns, &["link", "set", dev, "up"]).unwrap();
        in_ns(ns, &["route", "add", "224.0.0.0/4", "dev", dev]).unwrap();
    }

    let exe = std::env::current_exe().unwrap();
    let child = |ns: &str, role: &str| {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .arg(&exe)
            .args(["--exact", "lan_child", "--nocapture", "--test-threads=1"])
            .env(ROLE_VAR, role)
            .env(DIR_VAR, work.path())
            .env(GARDEN_VAR, garden_id.to_string());
        cmd
    };
    let limit = Duration::from_secs(90);
    let (a, b) = (child(&names[0], "a"), child(&names[1], "b"));
    let (log_a, log_b) = (work.path().join("a.log"), work.path().join("b.log"));
    let ta = std::thread::spawn(move || run_bounded(a, limit, &log_a));
    let tb = std::thread::spawn(move || run_bounded(b, limit, &log_b));
    let ((ok_a, out_a), (ok_b, out_b)) = (ta.join().unwrap(), tb.join().unwrap());
    drop(guard);
    println!("--- a ---\n{out_a}\n--- b ---\n{out_b}");
    assert!(ok_a && ok_b, "a child failed");
    assert!(out_a.contains("lan child a ok") && out_b.contains("lan child b ok"));
    // At least one of them learned the other's LAN address from mDNS (the
    // other may have found it through iroh's own lookup while dialling
    // the stale address, which mDNS then reports to that lookup only).
    assert!(
        out_a.contains("learned a LAN address") || out_b.contains("learned a LAN address"),
        "neither remembered the other's LAN address"
    );
}

/// One member, run by the test above inside its namespace: writes a note,
/// goes online with mDNS, and waits until it holds the other's note (and,
/// a little longer, until it knows the other's LAN address).
#[test]
fn lan_child() {
    let Ok(role) = std::env::var(ROLE_VAR) else {
        return;
    };
    let dir = PathBuf::from(std::env::var(DIR_VAR).unwrap());
    let garden: GardenId = std::env::var(GARDEN_VAR).unwrap().parse().unwrap();
    let (own, other) = if role == "a" { ("a", "b") } else { ("b", "a") };
    let own_ip: IpAddr = format!("{SUBNET}{}", if role == "a" { 1 } else { 2 })
        .parse()
        .unwrap();

    let node = Arc::new(Node::open(dir.join(own)).unwrap());
    let garden = node.garden_by_id(garden).unwrap();
    garden
        .create(NewDoc::note(format!("Made by {own}"), "Written offline."))
        .unwrap();
    let mut config = NetConfig::loopback();
    config.bind = Bind::Addrs(vec![SocketAddr::new(own_ip, 0)]);
    config.mdns = true;
    let net = Network::start(node.clone(), config).unwrap();
    let mut events = net.subscribe();
    net.keep_connected().unwrap();

    let wanted = format!("Made by {other}");
    let lan_addr = || {
        garden
            .peer_list()
            .unwrap()
            .into_iter()
            .any(|p| p.member != node.member_id() && p.addr.contains(SUBNET))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut learned_by = None;
    loop {
        let has_note = garden.resolve(&wanted).is_ok();
        if lan_addr() {
            learned_by = learned_by.or(Some(Instant::now()));
        }
        let waited_for_addr =
            learned_by.is_some() || Instant::now() + Duration::from_secs(50) > deadline;
        if has_note && waited_for_addr {
            break;
        }
        while let Ok(event) = events.try_recv() {
            println!("{role}: {event:?}");
        }
        assert!(
            Instant::now() < deadline,
            "{role}: after 60 s, note {has_note}; peers {:?}",
            garden.peer_list().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    if lan_addr() {
        println!("{role}: learned a LAN address");
    }
    println!("{role}: peers {:?}", garden.peer_list().unwrap());
    // Stay until the other is done too, so that neither leaves mid-sync.
    std::fs::write(dir.join(format!("{own}.done")), b"").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join(format!("{other}.done")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    net.shutdown();
    println!("lan child {role} ok");
}
