//! `Network::run_until_signal` (what `loam serve` waits in) stops on a
//! SIGTERM that arrives while its tick runs. A file of its own: signals
//! are sent to the whole test process.

#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use loam_node::Node;
use loam_node::network::{NetConfig, Network};

#[test]
fn a_signal_during_a_tick_stops_the_next_wait() {
    let dir = tempfile::tempdir().unwrap();
    let node = Arc::new(Node::open(dir.path().join("data")).unwrap());
    let net = Network::start(node, NetConfig::loopback()).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut ticks = 0;
        let stopped = net.run_until_signal(Duration::from_millis(10), |_| {
            ticks += 1;
            if ticks == 3 {
                // Delivered before the tick returns, while nothing waits.
                let me = std::process::id().to_string();
                Command::new("kill").args(["-TERM", &me]).status().unwrap();
            }
        });
        let _ = tx.send((stopped.is_ok(), ticks));
    });
    let (ok, ticks) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a SIGTERM sent during a tick was lost: the wait never ended");
    assert!(ok);
    assert_eq!(ticks, 3, "stopped at the first wait after the signal");
}
