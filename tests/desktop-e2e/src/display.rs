//! The display stack the app runs on: Xvfb, and tauri-driver (which starts
//! WebKitWebDriver, which starts the app). Every process started here is
//! ended by its own handle when the stack is dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A running Xvfb and tauri-driver.
#[derive(Debug)]
pub struct Stack {
    xvfb: Child,
    driver: Child,
    /// Where tauri-driver listens.
    pub webdriver_url: String,
    /// The X display (`:93`).
    pub display: String,
}

impl Stack {
    /// Start Xvfb and tauri-driver; the app they start will use `data_dir`
    /// and keep its network on 127.0.0.1 (`LOAM_NET=loopback`). `instance`
    /// tells apart the stacks of one run (each its own display).
    pub fn start(tauri_driver: &Path, data_dir: &Path, instance: u32) -> anyhow::Result<Self> {
        let number = 90 + (std::process::id() * 2 + instance) % 800;
        let display = format!(":{number}");
        let mut xvfb = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x860x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb")?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        if let Err(e) = wait_until(Duration::from_secs(10), || socket.exists()) {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
            return Err(e.context("Xvfb did not open its display"));
        }
        let port = free_port()?;
        // Its own port for WebKitWebDriver too (the default, 4445, may be taken).
        let native_port = free_port()?;
        let driver = Command::new(tauri_driver)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("DISPLAY", &display)
            .env("LOAM_DATA_DIR", data_dir)
            // Never any address but 127.0.0.1: no LAN, relay or DNS.
            .env("LOAM_NET", "loopback")
            // Software rendering: Xvfb has no GPU.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("GDK_BACKEND", "x11")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn();
        let driver = match driver {
            Ok(driver) => driver,
            Err(e) => {
                let _ = xvfb.kill();
                let _ = xvfb.wait();
                return Err(e).context("cannot start tauri-driver");
            }
        };
        let stack = Self {
            xvfb,
            driver,
            webdriver_url: format!("http://127.0.0.1:{port}"),
            display,
        };
        wait_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        })
        .context("tauri-driver did not start listening")?;
        Ok(stack)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver then ends the WebKitWebDriver it started
        // (SIGKILL would leave it behind).
        for child in [&mut self.driver, &mut self.xvfb] {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let ended = wait_until(Duration::from_secs(5), || {
                matches!(child.try_wait(), Ok(Some(_)))
            });
            if ended.is_err() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("no free port on 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}

/// Poll `ready` every 50 ms until it holds, for at most `limit`.
pub fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("gave up after {limit:?}")
}
