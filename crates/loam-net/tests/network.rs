//! Two endpoints on loopback (and one relay on loopback): connect, talk,
//! refuse, close. No packet leaves 127.0.0.1.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use loam_net::{
    Bind, CLOSE_NOT_ADMITTED, CloseReason, NOT_ADMITTED_REASON, NetConfig, Network, PathKind,
    PeerAddr, RelayChoice, SHUTDOWN_GRACE,
};
use support::{STEP, TestHandler, say_hello};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

const SEED_A: [u8; 32] = [0xa1; 32];
const SEED_B: [u8; 32] = [0xb2; 32];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_talk_both_ways_and_the_closer_gives_a_reason() {
    let start = Instant::now();
    let (ha, _) = TestHandler::new(true, None);
    let (hb, mut served) = TestHandler::new(true, Some((7, "removed from the garden")));
    let a = Network::bind(SEED_A, NetConfig::loopback(), ha)
        .await
        .unwrap();
    let b = Network::bind(SEED_B, NetConfig::loopback(), hb.clone())
        .await
        .unwrap();
    assert_ne!(a.id(), b.id());
    let b_addr = b.addr();
    assert_eq!(b_addr.member, b.id());
    assert!(
        !b_addr.direct.is_empty() && b_addr.is_loopback_only(),
        "{b_addr:?}"
    );

    let conn = timeout(STEP, a.connect(&b_addr)).await.unwrap().unwrap();
    assert_eq!(conn.remote(), b.id());
    let path = timeout(STEP, say_hello(&conn)).await.unwrap().unwrap();
    assert_eq!(path, PathKind::Direct);

    let got = timeout(STEP, served.recv()).await.unwrap().unwrap();
    assert_eq!(got.remote, a.id());
    assert_eq!(got.received, b"hello");
    assert_eq!(*hb.admitted.lock().unwrap(), vec![a.id()]);

    let reason = timeout(STEP, conn.closed()).await.unwrap();
    assert_eq!(
        reason,
        CloseReason::ByPeer {
            code: 7,
            reason: "removed from the garden".to_owned()
        }
    );
    assert_eq!(conn.close_reason(), Some(reason));
    assert_eq!(conn.path_kind(), PathKind::Unknown);

    timeout(STEP, a.shutdown()).await.unwrap();
    timeout(STEP, b.shutdown()).await.unwrap();
    assert!(a.is_shut_down());
    println!("loopback exchange took {:?}", start.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_is_refused_after_the_handshake_before_any_stream() {
    let (ha, _) = TestHandler::new(true, None);
    let (hb, _) = TestHandler::new(false, None);
    let a = Network::bind(SEED_A, NetConfig::loopback(), ha)
        .await
        .unwrap();
    let b = Network::bind(SEED_B, NetConfig::loopback(), hb.clone())
        .await
        .unwrap();

    let expected = CloseReason::ByPeer {
        code: u64::from(CLOSE_NOT_ADMITTED),
        reason: NOT_ADMITTED_REASON.to_owned(),
    };
    match timeout(STEP, a.connect(&b.addr())).await.unwrap() {
        Ok(conn) => {
            // The client side finishes its handshake first; whatever it
            // writes meets a closed connection.
            let read = async {
                let mut s = conn.open_bi().await?;
                s.write_all(b"secret document bytes").await?;
                let mut buf = Vec::new();
                s.read_to_end(&mut buf).await?;
                anyhow::Ok(buf)
            };
            let outcome = timeout(STEP, read).await.unwrap();
            println!("refused after connect: {outcome:?}");
            assert!(outcome.is_err(), "the refused peer read {outcome:?}");
            assert_eq!(timeout(STEP, conn.closed()).await.unwrap(), expected);
        }
        Err(e) => {
            println!("refused while connecting: {e}");
            assert!(e.to_string().contains(NOT_ADMITTED_REASON), "{e}");
        }
    }
    assert_eq!(hb.admit_calls.load(Ordering::SeqCst), 1);
    assert_eq!(*hb.admitted.lock().unwrap(), vec![a.id()]);
    assert_eq!(hb.accept_calls.load(Ordering::SeqCst), 0, "accept ran");

    timeout(STEP, a.shutdown()).await.unwrap();
    timeout(STEP, b.shutdown()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_to_ourselves_or_a_silent_peer_fails_cleanly() {
    let (ha, _) = TestHandler::new(true, None);
    let mut config = NetConfig::loopback();
    config.connect_timeout = Duration::from_millis(500);
    let a = Network::bind(SEED_A, config, ha).await.unwrap();
    let err = a.connect(&a.addr()).await.unwrap_err();
    assert!(
        err.to_string().starts_with("cannot connect to ourselves"),
        "{err}"
    );

    // Nobody listens on this port: the attempt times out (or fails).
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = Network::bind(
        SEED_B,
        NetConfig::loopback(),
        TestHandler::new(true, None).0,
    )
    .await
    .unwrap();
    let mut addr = PeerAddr::new(b.id());
    timeout(STEP, b.shutdown()).await.unwrap();
    addr.direct.push(silent.local_addr().unwrap());
    let started = Instant::now();
    let err = timeout(STEP, a.connect(&addr)).await.unwrap().unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{err}"
    );
    println!("{err}");
    let started = Instant::now();
    timeout(STEP, a.shutdown()).await.unwrap();
    // iroh waits for the abandoned attempt to drain; we wait at most the grace.
    let took = started.elapsed();
    println!("shutdown after a failed attempt took {took:?}");
    assert!(
        took < SHUTDOWN_GRACE + Duration::from_millis(500),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relay_only_peers_reach_each_other_through_a_loopback_relay() {
    let start = Instant::now();
    let (_relay_map, relay_url, _relay) = iroh::test_utils::run_relay_server().await.unwrap();
    let relay_config = || NetConfig {
        bind: Bind::RelayOnly,
        relay: RelayChoice::Custom(relay_url.to_string()),
        mdns: false,
        dns_lookup: false,
        port_mapping: false,
        relay_tls_insecure: true,
        connect_timeout: STEP,
    };
    let (ha, _) = TestHandler::new(true, None);
    let (hb, mut served) = TestHandler::new(true, Some((0, "done")));
    let a = Network::bind(SEED_A, relay_config(), ha).await.unwrap();
    let b = Network::bind(SEED_B, relay_config(), hb).await.unwrap();
    assert!(b.addr().direct.is_empty(), "{:?}", b.addr());

    let b_addr = PeerAddr {
        member: b.id(),
        direct: vec![],
        relay: Some(relay_url.to_string()),
    };
    let conn = timeout(STEP, a.connect(&b_addr)).await.unwrap().unwrap();
    let path = timeout(STEP, say_hello(&conn)).await.unwrap().unwrap();
    assert_eq!(path, PathKind::Relay);
    let got = timeout(STEP, served.recv()).await.unwrap().unwrap();
    assert_eq!(got.remote, a.id());
    let reason = timeout(STEP, conn.closed()).await.unwrap();
    assert!(
        matches!(reason, CloseReason::ByPeer { code: 0, .. }),
        "{reason:?}"
    );
    // By now B has a home relay, and its address says so.
    assert_eq!(
        b.addr().relay.as_deref(),
        Some(relay_url.to_string().as_str())
    );

    timeout(STEP, a.shutdown()).await.unwrap();
    timeout(STEP, b.shutdown()).await.unwrap();
    println!("relay exchange took {:?}", start.elapsed());
}

/// Runs only as the child of `loam_net_loopback_env_binds_loopback_only`,
/// with LOAM_NET=loopback in its environment.
#[tokio::test]
async fn env_child() {
    if std::env::var("LOAM_NET_TEST_CHILD").as_deref() != Ok("env") {
        return;
    }
    let config = NetConfig::from_env(NetConfig::default()).unwrap();
    // Checked before binding: a default config would reach the internet.
    assert!(config.is_loopback(), "{config:?}");
    assert_eq!(config, NetConfig::loopback());
    let (h, _) = TestHandler::new(true, None);
    let net = Network::bind(SEED_A, config, h).await.unwrap();
    let addr = net.addr();
    assert!(!addr.direct.is_empty(), "{addr:?}");
    assert!(addr.is_loopback_only(), "{addr:?}");
    timeout(STEP, net.shutdown()).await.unwrap();
    println!("env child ok");
}

#[test]
fn loam_net_loopback_env_binds_loopback_only() {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "env_child", "--nocapture", "--test-threads=1"])
        .env("LOAM_NET", "loopback")
        .env("LOAM_NET_TEST_CHILD", "env");
    let out = support::run_bounded(cmd, STEP);
    assert!(out.success, "child failed:\n{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("env child ok"), "{}", out.stdout);
}
