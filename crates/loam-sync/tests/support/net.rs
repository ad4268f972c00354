//! An in-memory network: peers (each a `MemoryStore`) joined by links, each
//! link a pair of sessions and two queues of encoded frames. Frames are
//! encoded on send and decoded through a `FrameDecoder` on delivery, so the
//! wire format is exercised end to end.

#![allow(dead_code)]

use std::collections::VecDeque;

use loam_sync::{Frame, FrameDecoder, Limits, Session};

use super::store::MemoryStore;

/// A direction on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the initiator to the acceptor.
    AtoB,
    /// Back.
    BtoA,
}

#[derive(Debug)]
pub struct Link {
    /// The initiating peer.
    pub a: usize,
    /// The accepting peer.
    pub b: usize,
    pub sa: Session,
    pub sb: Session,
    pub to_b: VecDeque<Vec<u8>>,
    pub to_a: VecDeque<Vec<u8>>,
    dec_a: FrameDecoder,
    dec_b: FrameDecoder,
    /// Why the link broke, if it did.
    pub error: Option<String>,
}

impl Link {
    /// `a` connects to `b` and says hello.
    pub fn connect(peers: &mut [MemoryStore], a: usize, b: usize, join: Option<Vec<u8>>) -> Self {
        let limits = Limits::default();
        let remote_b = peers[b].member();
        let remote_a = peers[a].member();
        let (sa, hello) = Session::initiate(remote_b, join, limits.clone(), &mut peers[a]).unwrap();
        let mut link = Self {
            a,
            b,
            sa,
            sb: Session::accept(remote_a, limits.clone()),
            to_b: VecDeque::new(),
            to_a: VecDeque::new(),
            dec_a: FrameDecoder::new(limits.clone()),
            dec_b: FrameDecoder::new(limits),
            error: None,
        };
        link.send(Dir::AtoB, hello);
        link
    }

    pub fn is_broken(&self) -> bool {
        self.error.is_some()
    }

    /// Queue frames in direction `dir`.
    pub fn send(&mut self, dir: Dir, frames: Vec<Frame>) {
        let queue = match dir {
            Dir::AtoB => &mut self.to_b,
            Dir::BtoA => &mut self.to_a,
        };
        for f in frames {
            queue.push_back(f.encode());
        }
    }

    pub fn in_flight(&self) -> usize {
        self.to_a.len() + self.to_b.len()
    }

    /// Hand raw bytes to the receiving side of `dir` (as one read): its
    /// frames are prechecked together, as the transport does, then handled
    /// in order.
    pub fn deliver_bytes(&mut self, peers: &mut [MemoryStore], dir: Dir, bytes: &[u8]) {
        if self.is_broken() {
            return;
        }
        let (dec, session, store) = match dir {
            Dir::AtoB => (&mut self.dec_b, &mut self.sb, &mut peers[self.b]),
            Dir::BtoA => (&mut self.dec_a, &mut self.sa, &mut peers[self.a]),
        };
        dec.push(bytes);
        let mut frames = Vec::new();
        let mut bad = None;
        loop {
            match dec.next_frame() {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(e) => {
                    bad = Some(format!("frame error: {e}"));
                    break;
                }
            }
        }
        let mut out = Vec::new();
        for received in session.precheck(frames) {
            if session.closed().is_some() {
                break;
            }
            match session.handle(received, store) {
                Ok(more) => out.extend(more),
                Err(e) => {
                    bad = Some(e.to_string());
                    break;
                }
            }
        }
        self.send(reverse(dir), out);
        if let Some(reason) = bad {
            self.break_link(reason);
        }
    }

    fn break_link(&mut self, reason: String) {
        self.error = Some(reason);
        self.to_a.clear();
        self.to_b.clear();
    }

    /// Deliver the next frame in direction `dir`; whether there was one.
    pub fn deliver_one(&mut self, peers: &mut [MemoryStore], dir: Dir) -> bool {
        let queue = match dir {
            Dir::AtoB => &mut self.to_b,
            Dir::BtoA => &mut self.to_a,
        };
        let Some(bytes) = queue.pop_front() else {
            return false;
        };
        self.deliver_bytes(peers, dir, &bytes);
        true
    }

    /// Deliver everything queued in `dir` now (not what it causes), as one
    /// read; how many frames.
    pub fn deliver_batch(&mut self, peers: &mut [MemoryStore], dir: Dir) -> usize {
        let queue = match dir {
            Dir::AtoB => &mut self.to_b,
            Dir::BtoA => &mut self.to_a,
        };
        let n = queue.len();
        let bytes: Vec<u8> = queue.drain(..).flatten().collect();
        if n > 0 {
            self.deliver_bytes(peers, dir, &bytes);
        }
        n
    }

    /// Run to quiet in lock step (all of one side's frames, then all of the
    /// other's); the number of round trips (a batch each way).
    pub fn run(&mut self, peers: &mut [MemoryStore]) -> usize {
        let mut trips = 0;
        for _ in 0..100_000 {
            let there = self.deliver_batch(peers, Dir::AtoB);
            let back = self.deliver_batch(peers, Dir::BtoA);
            if there == 0 && back == 0 {
                return trips;
            }
            if back > 0 {
                trips += 1;
            }
        }
        panic!("link did not quiesce");
    }

    /// Both sessions quiescent with nothing in flight.
    pub fn is_quiet(&self) -> bool {
        self.in_flight() == 0 && self.sa.is_quiescent() && self.sb.is_quiescent()
    }

    /// Push a local change of `doc` at `peer` over this link.
    pub fn local_change(&mut self, peers: &mut [MemoryStore], peer: usize, doc: loam_core::DocId) {
        if self.is_broken() {
            return;
        }
        let (session, dir) = if peer == self.a {
            (&mut self.sa, Dir::AtoB)
        } else if peer == self.b {
            (&mut self.sb, Dir::BtoA)
        } else {
            return;
        };
        match session.local_change(doc, &mut peers[peer]) {
            Ok(out) => self.send(dir, out),
            Err(e) => self.break_link(e.to_string()),
        }
    }

    /// Tell `peer`'s session that membership changed there.
    pub fn membership_changed(&mut self, peers: &mut [MemoryStore], peer: usize) {
        if self.is_broken() {
            return;
        }
        let (session, dir) = if peer == self.a {
            (&mut self.sa, Dir::AtoB)
        } else {
            (&mut self.sb, Dir::BtoA)
        };
        match session.membership_changed(&mut peers[peer]) {
            Ok(out) => self.send(dir, out),
            Err(e) => self.break_link(e.to_string()),
        }
    }

    /// Tell `peer`'s session that the addresses it knows may have changed.
    pub fn peers_changed(&mut self, peers: &mut [MemoryStore], peer: usize) {
        if self.is_broken() {
            return;
        }
        let (session, dir) = if peer == self.a {
            (&mut self.sa, Dir::AtoB)
        } else {
            (&mut self.sb, Dir::BtoA)
        };
        match session.peers_changed(&mut peers[peer]) {
            Ok(out) => self.send(dir, out),
            Err(e) => self.break_link(e.to_string()),
        }
    }

    /// Bytes each way so far (from the sessions' stats).
    pub fn bytes(&self) -> (u64, u64) {
        (self.sa.stats().bytes_out, self.sb.stats().bytes_out)
    }
}

fn reverse(dir: Dir) -> Dir {
    match dir {
        Dir::AtoB => Dir::BtoA,
        Dir::BtoA => Dir::AtoB,
    }
}

/// A small deterministic random source (SplitMix64), so a seed replays a
/// run exactly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p` percent.
    pub fn percent(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }
}

/// The seed of a random test: `LOAM_SYNC_SEED` to replay one, else fresh.
pub fn seed(test: &str) -> u64 {
    let seed = match std::env::var("LOAM_SYNC_SEED") {
        Ok(s) => s.parse().expect("LOAM_SYNC_SEED is a number"),
        Err(_) => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            t ^ u64::from(std::process::id())
        }
    };
    println!("{test}: seed {seed} (replay with LOAM_SYNC_SEED={seed})");
    seed
}
