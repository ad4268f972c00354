//! The app as the test sees it: a WebDriver session with waits that give
//! up after a bound, and helpers for what the UI shows.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long any one expectation may take to come true.
const PATIENCE: Duration = Duration::from_secs(20);

/// How long one WebDriver command may take (a hung webview fails, not hangs).
const COMMAND: Duration = Duration::from_secs(15);

/// `command`, failing after [`COMMAND`]; traced with `LOAM_E2E_TRACE=1`.
async fn bounded<T, E>(
    what: &str,
    command: impl std::future::Future<Output = Result<T, E>>,
) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    if std::env::var_os("LOAM_E2E_TRACE").is_some() {
        eprintln!("e2e: > {what}");
    }
    match tokio::time::timeout(COMMAND, command).await {
        Ok(result) => Ok(result.with_context(|| format!("webdriver: {what}"))?),
        Err(_) => bail!("webdriver: {what} did not answer in {COMMAND:?}"),
    }
}

#[derive(Debug)]
pub struct App {
    pub client: Client,
    /// The X display the app is on: screenshots are taken from it.
    display: String,
}

/// `Ctrl` (or another modifier) held for the keys after it.
pub fn chord(keys: &[Key], last: &str) -> String {
    let mut s: String = keys.iter().map(|k| char::from(*k)).collect();
    s.push_str(last);
    s
}

impl App {
    /// A session on the app binary at `application`.
    pub async fn launch(
        webdriver: &str,
        display: &str,
        application: &Path,
    ) -> anyhow::Result<Self> {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": application.display().to_string() }),
        );
        caps.insert("browserName".into(), json!("wry"));
        // tauri-driver answers before WebKitWebDriver does: try a few times.
        let mut last = None;
        for _ in 0..5 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(webdriver)
                .await
            {
                Ok(client) => {
                    return Ok(Self {
                        client,
                        display: display.to_owned(),
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(anyhow::anyhow!("{last:?}")).context("cannot open a WebDriver session on the app")
    }

    /// Run `script` (its `return` value back as JSON).
    pub async fn js(&self, script: &str) -> anyhow::Result<Value> {
        let what = format!("execute {}", script.chars().take(60).collect::<String>());
        bounded(&what, self.client.execute(script, vec![])).await
    }

    /// Run `script`, which calls `done(value)` when finished.
    pub async fn js_async(&self, script: &str) -> anyhow::Result<Value> {
        bounded("execute async", self.client.execute_async(script, vec![])).await
    }

    /// Wait until `script` returns true.
    pub async fn until(&self, what: &str, script: &str) -> anyhow::Result<()> {
        self.until_within(PATIENCE, what, script).await
    }

    /// [`App::until`] with another bound than [`PATIENCE`].
    pub async fn until_within(
        &self,
        patience: Duration,
        what: &str,
        script: &str,
    ) -> anyhow::Result<()> {
        let start = Instant::now();
        let mut last = Value::Null;
        while start.elapsed() < patience {
            last = self.js(script).await.unwrap_or(Value::Null);
            if last == Value::Bool(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("waited {patience:?} for {what} (last answer: {last})")
    }

    /// The first element matching `css`, once there is one.
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        let start = Instant::now();
        loop {
            match bounded(&format!("find {css}"), self.client.find(Locator::Css(css))).await {
                Ok(e) => return Ok(e),
                Err(e) if start.elapsed() > PATIENCE => {
                    return Err(e).with_context(|| format!("no element matches `{css}`"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.find(css).await?;
        bounded(&format!("click {css}"), element.click()).await
    }

    /// Type into whatever has the focus.
    pub async fn keys(&self, text: &str) -> anyhow::Result<()> {
        let active = bounded("active element", self.client.active_element()).await?;
        bounded(&format!("keys {text:?}"), active.send_keys(text)).await
    }

    /// Wait until the element at `css` has exactly `text`.
    pub async fn until_text(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let script = format!(
            "const e = document.querySelector({}); return !!e && e.textContent.trim() === {};",
            json!(css),
            json!(text)
        );
        self.until(&format!("`{css}` to read {text:?}"), &script)
            .await
    }

    /// Wait until the note titled `title` is open with its editor ready.
    pub async fn until_open(&self, title: &str) -> anyhow::Result<()> {
        self.until_open_within(PATIENCE, title).await
    }

    /// [`App::until_open`] with another bound for the editor (the first one
    /// a freshly built app opens also fetches and compiles Automerge's
    /// WebAssembly). On a timeout, says where opening stalled.
    pub async fn until_open_within(&self, patience: Duration, title: &str) -> anyhow::Result<()> {
        self.until_text(".note-title", title).await?;
        let ready = self
            .until_within(
                patience,
                "the editor to load",
                "return document.documentElement.dataset.editorReady === 'true' && !!document.querySelector('.cm-content');",
            )
            .await;
        if ready.is_err() {
            let stage = self
                .js("return document.documentElement.dataset.editorStage || 'not started';")
                .await
                .unwrap_or(Value::Null);
            return ready.with_context(|| format!("opening the editor stalled at: {stage}"));
        }
        ready
    }

    /// Wait until the editor shows `text`.
    pub async fn until_editor(&self, text: &str) -> anyhow::Result<()> {
        let script = format!(
            "return Array.from(document.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n') === {};",
            json!(text)
        );
        self.until(&format!("the editor to show {text:?}"), &script)
            .await
    }

    /// Wait until every edit is stored.
    pub async fn until_saved(&self) -> anyhow::Result<()> {
        self.until_text(".save-state", "Saved").await
    }

    /// Run a command from the palette by its name.
    pub async fn command(&self, name: &str) -> anyhow::Result<()> {
        self.keys(&chord(&[Key::Control], "p")).await?;
        self.find(".picker-input").await?;
        self.keys(name).await?;
        self.until_text(".picker-list li.selected .picker-title", name)
            .await?;
        self.keys(&char::from(Key::Enter).to_string()).await
    }

    /// Open a note with the quick switcher.
    pub async fn switch_to(&self, query: &str, title: &str) -> anyhow::Result<()> {
        self.keys(&chord(&[Key::Control], "o")).await?;
        self.find(".picker-input").await?;
        self.keys(query).await?;
        self.until_text(".picker-list li.selected .picker-title", title)
            .await?;
        self.keys(&char::from(Key::Enter).to_string()).await?;
        self.until_open(title).await
    }

    /// Save a screenshot of the window, taken from the X display with
    /// ImageMagick's `import` (WebKit's own snapshot, which WebDriver uses,
    /// sometimes never answers under Xvfb); through WebDriver when `import`
    /// is missing.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let import = std::process::Command::new("import")
            .args(["-window", "root", "-crop", "1200x780+0+0", "+repage"])
            .arg(path)
            .env("DISPLAY", &self.display)
            .status();
        match import {
            Ok(status) if status.success() => return Ok(()),
            Ok(status) => bail!("import failed ({status}) taking {}", path.display()),
            Err(_) => {}
        }
        let png = bounded("screenshot", self.client.screenshot()).await?;
        std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))
    }
}
