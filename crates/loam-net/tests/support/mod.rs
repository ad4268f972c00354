//! A connection handler for tests: admits or refuses every key, records
//! what it saw, and serves one echo exchange per connection.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use loam_net::{BoxFuture, Connection, ConnectionHandler, MemberId, PathKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// Every step of a test is bounded by this.
pub const STEP: Duration = Duration::from_secs(20);

/// What the serving side reports once per connection.
#[derive(Debug)]
pub struct Served {
    pub remote: MemberId,
    pub received: Vec<u8>,
}

pub struct TestHandler {
    pub admit: bool,
    pub admit_calls: AtomicUsize,
    pub accept_calls: AtomicUsize,
    pub admitted: std::sync::Mutex<Vec<MemberId>>,
    served: mpsc::UnboundedSender<Served>,
    /// Close code and reason the server closes with after the exchange.
    close_with: Option<(u32, &'static str)>,
}

impl TestHandler {
    pub fn new(
        admit: bool,
        close_with: Option<(u32, &'static str)>,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<Served>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let h = Arc::new(Self {
            admit,
            admit_calls: AtomicUsize::new(0),
            accept_calls: AtomicUsize::new(0),
            admitted: std::sync::Mutex::new(Vec::new()),
            served: tx,
            close_with,
        });
        (h, rx)
    }
}

impl ConnectionHandler for TestHandler {
    fn admit_key(&self, remote: MemberId) -> bool {
        self.admit_calls.fetch_add(1, Ordering::SeqCst);
        self.admitted.lock().unwrap().push(remote);
        self.admit
    }

    /// Reads "hello", answers "world", waits for the peer to finish, then
    /// closes with the configured reason.
    fn accept(&self, conn: Connection) -> BoxFuture<'_, ()> {
        self.accept_calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let Ok(Ok(mut stream)) = tokio::time::timeout(STEP, conn.accept_bi()).await else {
                return;
            };
            let mut buf = [0u8; 5];
            if stream.read_exact(&mut buf).await.is_err() {
                return;
            }
            let _ = stream.write_all(b"world").await;
            let _ = stream.shutdown().await;
            // The peer finishes its side once it has read our answer.
            let mut rest = Vec::new();
            let _ = tokio::time::timeout(STEP, stream.read_to_end(&mut rest)).await;
            let _ = self.served.send(Served {
                remote: conn.remote(),
                received: buf.to_vec(),
            });
            if let Some((code, reason)) = self.close_with {
                conn.close(code, reason);
            } else {
                let _ = tokio::time::timeout(STEP, conn.closed()).await;
            }
        })
    }
}

/// Opens a stream, says "hello", expects "world", finishes our side.
/// Returns the path the answer came over (read before finishing: the
/// serving side may close the connection as soon as we finish).
pub async fn say_hello(conn: &Connection) -> anyhow::Result<PathKind> {
    let mut stream = conn.open_bi().await?;
    stream.write_all(b"hello").await?;
    let mut buf = [0u8; 5];
    stream.read_exact(&mut buf).await?;
    anyhow::ensure!(&buf == b"world", "unexpected answer {buf:?}");
    let path = conn.path_kind();
    stream.shutdown().await?;
    Ok(path)
}

/// What a child process did.
#[derive(Debug)]
pub struct ChildOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command to completion, killing it after `limit`.
pub fn run_bounded(mut cmd: std::process::Command, limit: Duration) -> ChildOutput {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = err_reader.join().unwrap();
    if status.is_none() {
        stderr.push_str(&format!("\n(killed after {limit:?})"));
    }
    ChildOutput {
        success: status.is_some_and(|s| s.success()),
        stdout: out_reader.join().unwrap(),
        stderr,
    }
}
