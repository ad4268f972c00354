//! The desktop app, end to end: the real build, driven through tauri-driver
//! and WebKitWebDriver on an Xvfb display, as a member would use it. Run by
//! `cargo xtask test` (which builds the app first):
//!
//! ```text
//! loam-desktop-e2e [bench [app] [graph]] --app <loam-desktop binary> --tauri-driver <path> --screenshots <dir>
//! ```
//!
//! With `bench`, it plants gardens and measures the app instead (`cargo
//! xtask bench`): `app` is launch, memory and typing with 10,000 notes (see
//! [`bench`]), `graph` the Graph view at 10,000 notes beside 1,000 (see
//! [`graph_bench`]); both when neither is named.
//!
//! Steps: first run, write and link with `[[`, follow the link, see the
//! backlink, find the note by search and the quick switcher, restore an old
//! version, Ctrl+click a link to a missing page and create it, take light
//! and dark screenshots, show a hostile note inert; then a second app (its
//! own display and data directory) joins the first one's garden with a
//! ticket and both type in one note, each seeing the other's typing; a
//! reader sees why the index is not his to change (and is refused if he
//! tries), a featured page reaches the member with its reason, and kudos
//! reach the author's profile; the link graph draws, filters by tag and
//! member, and highlights the open note's neighbourhood.

mod bench;
mod display;
mod driver;
mod graph_bench;
mod scenario;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// One step of the run, not started yet.
type Step<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + 'a>>;

/// The benchmark sections.
const BENCH_SECTIONS: [&str; 2] = ["app", "graph"];

struct Args {
    /// `loam-desktop-e2e bench ...`: the benchmarks instead of the test.
    bench: bool,
    /// The benchmark sections named (none: all).
    sections: Vec<String>,
    app: PathBuf,
    tauri_driver: PathBuf,
    screenshots: PathBuf,
}

fn args() -> anyhow::Result<Args> {
    let mut app = None;
    let mut tauri_driver = None;
    let mut screenshots = None;
    let mut it = std::env::args().skip(1).peekable();
    let bench = it.next_if(|a| a == "bench").is_some();
    let mut sections = Vec::new();
    while bench && let Some(section) = it.next_if(|a| !a.starts_with('-')) {
        if !BENCH_SECTIONS.contains(&section.as_str()) {
            bail!(
                "unknown benchmark section `{section}` (sections: {})",
                BENCH_SECTIONS.join(", ")
            );
        }
        sections.push(section);
    }
    while let Some(arg) = it.next() {
        let value = it.next().with_context(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--app" => app = Some(PathBuf::from(value)),
            "--tauri-driver" => tauri_driver = Some(PathBuf::from(value)),
            "--screenshots" => screenshots = Some(PathBuf::from(value)),
            other => bail!("unknown argument `{other}`"),
        }
    }
    Ok(Args {
        bench,
        sections,
        app: app.context("--app is required")?,
        tauri_driver: tauri_driver.unwrap_or_else(|| "tauri-driver".into()),
        screenshots: screenshots.unwrap_or_else(std::env::temp_dir),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let data_dir = std::env::temp_dir().join(format!("loam-desktop-e2e-{}", std::process::id()));
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    if args.bench {
        let wants = |s: &str| args.sections.is_empty() || args.sections.iter().any(|a| a == s);
        let mut figures = Vec::new();
        if wants("app") {
            figures.extend(bench_app(&args, &data_dir).await?);
        }
        if wants("graph") {
            figures.extend(bench_graph(&args, &data_dir).await?);
        }
        for f in figures {
            println!(
                "{:<46} {:<64} target {:<12} {}",
                f.name,
                f.value,
                f.target,
                if f.ok { "ok" } else { "MISSED" }
            );
        }
        return Ok(());
    }
    let stack = display::Stack::start(&args.tauri_driver, &data_dir, 0)?;
    eprintln!(
        "e2e: display {} , webdriver {}",
        stack.display, stack.webdriver_url
    );
    let app = driver::App::launch(&stack.webdriver_url, &stack.display, &args.app).await?;
    let result = tokio::time::timeout(Duration::from_secs(420), run(&app, &args, &data_dir)).await;
    let result = match result {
        Ok(r) => r,
        Err(_) => Err(anyhow::anyhow!(
            "the end-to-end run took more than 7 minutes"
        )),
    };
    if result.is_err() {
        let failure = args.screenshots.join("e2e-failure.png");
        if app.screenshot(&failure).await.is_ok() {
            eprintln!("e2e: the window at the failure: {}", failure.display());
        }
    }
    // The session ends the app; a hung webview must not hang the test.
    let _ = tokio::time::timeout(Duration::from_secs(10), app.client.clone().close()).await;
    drop(stack);
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

/// Launch, memory and typing with 10,000 notes.
async fn bench_app(args: &Args, data_dir: &std::path::Path) -> anyhow::Result<Vec<bench::Figure>> {
    eprintln!("bench: planting 10,000 notes and a 100,000-character note");
    bench::plant(data_dir)?;
    let stack = display::Stack::start(&args.tauri_driver, data_dir, 0)?;
    let figures = bench::run(&stack, &args.app, data_dir).await;
    drop(stack);
    let _ = std::fs::remove_dir_all(data_dir);
    figures
}

/// The Graph view at 10,000 notes beside 1,000, each garden in its own
/// data directory and app.
async fn bench_graph(
    args: &Args,
    data_dir: &std::path::Path,
) -> anyhow::Result<Vec<bench::Figure>> {
    let mut runs = Vec::new();
    for (instance, notes) in graph_bench::SIZES.into_iter().enumerate() {
        let dir = data_dir.with_extension(format!("graph-{notes}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        eprintln!("bench: planting {notes} linked notes for the graph");
        graph_bench::plant(&dir, notes)?;
        let stack = display::Stack::start(&args.tauri_driver, &dir, 2 + instance as u32)?;
        let run = graph_bench::measure(&stack, &args.app, notes, &args.screenshots).await;
        drop(stack);
        let _ = std::fs::remove_dir_all(&dir);
        let run = run.with_context(|| format!("the graph benchmark at {notes} notes"))?;
        eprintln!(
            "bench: graph at {notes} notes: first draw {:.0} ms ({:.0?}), link_graph {:.0} ms, layout {:.1} s, pan and zoom p50 {:.1} ms p95 {:.1} ms",
            run.first_draw,
            run.phases,
            run.answer,
            run.layout / 1000.0,
            graph_bench::quantile(&run.moving, 0.5),
            graph_bench::quantile(&run.moving, 0.95)
        );
        runs.push(run);
    }
    match runs.as_slice() {
        [base, large] => Ok(graph_bench::figures(base, large)),
        _ => bail!("the graph benchmark measured {} gardens", runs.len()),
    }
}

async fn run(app: &driver::App, args: &Args, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let steps: [(&str, Step<'_>); 10] = [
        ("first run", Box::pin(scenario::first_run(app))),
        ("write and link", Box::pin(scenario::write_and_link(app))),
        ("find it", Box::pin(scenario::find_it(app))),
        (
            "restore an old version",
            Box::pin(scenario::restore_old_version(app)),
        ),
        (
            "create a page from a link",
            Box::pin(scenario::create_from_link(app)),
        ),
        ("switch gardens", Box::pin(scenario::switch_gardens(app))),
        (
            "screenshots",
            Box::pin(scenario::screenshots(app, &args.screenshots)),
        ),
        (
            "hostile note is inert",
            Box::pin(scenario::hostile_note_is_inert(app)),
        ),
        ("no page errors", Box::pin(scenario::no_errors(app))),
        (
            "two members sync",
            Box::pin(two_members(app, args, data_dir)),
        ),
    ];
    for (name, step) in steps {
        let start = Instant::now();
        step.await
            .with_context(|| format!("step `{name}` failed"))?;
        eprintln!("e2e: {name}: ok ({:.1?})", start.elapsed());
    }
    Ok(())
}

/// A second app, as a second member on the same machine: its own display,
/// tauri-driver and data directory, on loopback like the first.
async fn two_members(
    ana: &driver::App,
    args: &Args,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let bo_dir = data_dir.with_extension("bo");
    if bo_dir.exists() {
        std::fs::remove_dir_all(&bo_dir)?;
    }
    let stack = display::Stack::start(&args.tauri_driver, &bo_dir, 1)?;
    let bo = driver::App::launch(&stack.webdriver_url, &stack.display, &args.app).await?;
    let mut result = scenario::two_members(ana, &bo, &args.screenshots).await;
    if result.is_ok() {
        let start = Instant::now();
        result = scenario::community(ana, &bo, &args.screenshots)
            .await
            .context("step `the community layer` failed");
        if result.is_ok() {
            eprintln!("e2e: the community layer: ok ({:.1?})", start.elapsed());
        }
    }
    if result.is_ok() {
        let start = Instant::now();
        result = scenario::graph(ana, &bo, &args.screenshots)
            .await
            .context("step `the link graph` failed");
        if result.is_ok() {
            eprintln!("e2e: the link graph: ok ({:.1?})", start.elapsed());
        }
    }
    if result.is_err() {
        let failure = args.screenshots.join("e2e-failure-bo.png");
        if bo.screenshot(&failure).await.is_ok() {
            eprintln!(
                "e2e: the second window at the failure: {}",
                failure.display()
            );
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), bo.client.clone().close()).await;
    drop(stack);
    let _ = std::fs::remove_dir_all(&bo_dir);
    result
}
