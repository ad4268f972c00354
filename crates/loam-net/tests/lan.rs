//! LAN discovery by mDNS, tested only inside two network namespaces this
//! test creates (joined by a veth pair, 10.77.0.0/24): the multicast never
//! touches a real interface. Skipped with a message where `ip netns` is not
//! permitted. Each peer is this test binary re-run inside its namespace.

#![allow(clippy::unwrap_used)]

mod support;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use loam_net::{Bind, LanEvent, MemberId, NetConfig, Network, RelayChoice};
use support::{STEP, TestHandler, run_bounded, say_hello};
use tokio::time::timeout;

const SEED_A: [u8; 32] = [0x1a; 32];
const SEED_B: [u8; 32] = [0x2b; 32];
const ROLE_VAR: &str = "LOAM_NET_LAN_ROLE";
const PEER_VAR: &str = "LOAM_NET_LAN_PEER";

/// Deletes the namespaces (and with them the veth pair) however the test
/// ends.
struct Namespaces([String; 2]);

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

#[test]
fn lan_peers_find_each_other_by_mdns_in_network_namespaces() {
    let pid = std::process::id();
    let names = [format!("loamnet{pid}a"), format!("loamnet{pid}b")];
    if let Err(e) = ip(&["netns", "add", &names[0]]) {
        println!("skipped: cannot create a network namespace ({e})");
        return;
    }
    let guard = Namespaces(names.clone());
    ip(&["netns", "add", &names[1]]).unwrap();
    let (va, vb) = (format!("lnv{pid}a"), format!("lnv{pid}b"));
    ip(&[
        "link", "add", &va, "netns", &names[0], "type", "veth", "peer", "name", &vb, "netns",
        &names[1],
    ])
    .unwrap();
    for (ns, dev, addr) in [
        (&names[0], &va, "10.77.0.1/24"),
        (&names[1], &vb, "10.77.0.2/24"),
    ] {
        in_ns(ns, &["link", "set", "lo", "up"]).unwrap();
        in_ns(ns, &["addr", "add", addr, "dev", dev]).unwrap();
        in_ns(ns, &["link", "set", dev, "up"]).unwrap();
        in_ns(ns, &["route", "add", "224.0.0.0/4", "dev", dev]).unwrap();
    }

    let exe = std::env::current_exe().unwrap();
    let child = |ns: &str, role: &str, peer_seed: [u8; 32]| {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .arg(&exe)
            .args(["--exact", "lan_child", "--nocapture", "--test-threads=1"])
            .env(ROLE_VAR, role)
            .env(PEER_VAR, member_of(peer_seed).to_string());
        cmd
    };
    let a = child(&names[0], "a", SEED_B);
    let b = child(&names[1], "b", SEED_A);
    let limit = Duration::from_secs(60);
    let ta = std::thread::spawn(move || run_bounded(a, limit));
    let tb = std::thread::spawn(move || run_bounded(b, limit));
    let (oa, ob) = (ta.join().unwrap(), tb.join().unwrap());
    drop(guard);
    println!(
        "--- a ---\n{}{}\n--- b ---\n{}{}",
        oa.stdout, oa.stderr, ob.stdout, ob.stderr
    );
    assert!(oa.success && ob.success, "a child failed");
    assert!(oa.stdout.contains("lan child a ok") && ob.stdout.contains("lan child b ok"));
}

/// The member id a seed gives (ed25519 public key).
fn member_of(seed: [u8; 32]) -> MemberId {
    MemberId::from_bytes(*iroh::SecretKey::from_bytes(&seed).public().as_bytes())
}

/// One peer, run by the test above inside its namespace: finds the other by
/// mDNS, then `b` dials `a` at the address mDNS gave and they talk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lan_child() {
    let Ok(role) = std::env::var(ROLE_VAR) else {
        return;
    };
    let peer: MemberId = std::env::var(PEER_VAR).unwrap().parse().unwrap();
    let (seed, own_ip) = match role.as_str() {
        "a" => (SEED_A, "10.77.0.1"),
        _ => (SEED_B, "10.77.0.2"),
    };
    let config = NetConfig {
        bind: Bind::Addrs(vec![SocketAddr::new(own_ip.parse().unwrap(), 0)]),
        relay: RelayChoice::Disabled,
        mdns: true,
        dns_lookup: false,
        port_mapping: false,
        relay_tls_insecure: false,
        connect_timeout: STEP,
    };
    // `a` keeps the connection open until it has found `b` too, then shuts
    // down, which tells `b` it may stop.
    let (handler, mut served) = TestHandler::new(true, None);
    let net = Network::bind(seed, config, handler).await.unwrap();
    let mut lan = net.lan_peers().await.unwrap();
    let found = timeout(Duration::from_secs(30), async {
        loop {
            match lan.next().await {
                Some(LanEvent::Found(addr)) if addr.member == peer => return addr,
                Some(other) => println!("ignored {other:?}"),
                None => panic!("discovery ended"),
            }
        }
    })
    .await
    .expect("the peer was not found by mDNS within 30 s");
    println!("{role} found {found:?}");
    assert!(
        found
            .direct
            .iter()
            .any(|a| a.ip().to_string().starts_with("10.77.0.")),
        "{found:?}"
    );
    if role == "b" {
        let conn = timeout(STEP, net.connect(&found)).await.unwrap().unwrap();
        let path = timeout(STEP, say_hello(&conn)).await.unwrap().unwrap();
        assert_eq!(path, loam_net::PathKind::Direct);
        let reason = timeout(Duration::from_secs(40), conn.closed()).await;
        println!("b: connection ended: {reason:?}");
    } else {
        let got = timeout(STEP, served.recv()).await.unwrap().unwrap();
        assert_eq!(got.remote, peer);
    }
    timeout(STEP, net.shutdown()).await.unwrap();
    println!("lan child {role} ok");
}
