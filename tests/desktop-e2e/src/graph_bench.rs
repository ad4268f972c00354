//! The link graph's benchmark (`cargo xtask bench -- graph`): the release
//! app under Xvfb opens the Graph view on a garden of 10,000 linked notes,
//! and, in the same run, on one of 1,000 (the baseline). For each: time
//! from the click to sigma's first draw (and how much of it was the node's
//! answer) and to the ForceAtlas2 layout settling (in the worker), frame
//! times (`requestAnimationFrame` deltas) while it settles, with nothing
//! moving (the floor of this display) and during a scripted pan and zoom.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use serde_json::Value;

use crate::bench::{Figure, plant_notes};
use crate::display::Stack;
use crate::driver::App;

/// The gardens: the baseline first.
pub const SIZES: [usize; 2] = [1_000, 10_000];

/// How long the camera is moved.
const PAN_ZOOM: Duration = Duration::from_secs(6);

/// What one garden measured.
#[derive(Debug)]
pub struct GraphRun {
    pub notes: usize,
    pub links: u64,
    /// Click to the first draw, ms.
    pub first_draw: f64,
    /// Where the first draw's time went, ms: the node's answer
    /// (`link_graph`, click to arrival), loading graphology and sigma,
    /// building the graphology graph, sigma's constructor (its first draw).
    pub phases: [f64; 4],
    /// `link_graph` asked again once all is drawn: the median round trip of
    /// three, ms.
    pub answer: f64,
    /// Click to the layout settled, ms.
    pub layout: f64,
    /// Frame times from the click until the layout settled, ms.
    pub settling: Vec<f64>,
    /// Frame times with the graph shown and nothing moving, ms.
    pub idle: Vec<f64>,
    /// Frame times during the pan and zoom, ms.
    pub moving: Vec<f64>,
    /// How many times sigma drew during the pan and zoom.
    pub draws: u64,
}

/// Plant the garden of `notes` linked notes (the corpus's wikilinks) in
/// `data_dir`.
pub fn plant(data_dir: &Path, notes: usize) -> anyhow::Result<()> {
    plant_notes(data_dir, notes)
}

/// Launch the app on the garden the stack's data directory holds, open the
/// Graph view and measure; a screenshot of the settled graph goes to
/// `shots` (`graph-bench-<notes>.png`).
pub async fn measure(
    stack: &Stack,
    application: &Path,
    notes: usize,
    shots: &Path,
) -> anyhow::Result<GraphRun> {
    let app = App::launch(&stack.webdriver_url, &stack.display, application).await?;
    let result = measure_in(&app, notes, shots).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), app.client.clone().close()).await;
    result
}

async fn measure_in(app: &App, notes: usize, shots: &Path) -> anyhow::Result<GraphRun> {
    wait(
        app,
        "the app to be ready",
        "return document.documentElement.dataset.editorReady === 'true' && !!document.querySelector('.view-link[data-view=graph]');",
        Duration::from_secs(60),
    )
    .await?;
    // Let the note list and the first note finish drawing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let t0 = app
        .js(
            "window.__frames = []; window.__stopFrames = false;
             let last = null;
             const record = t => { if (last !== null) window.__frames.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(record); };
             requestAnimationFrame(record);
             const t0 = performance.now();
             document.querySelector('.view-link[data-view=graph]').click();
             return t0;",
        )
        .await?
        .as_f64()
        .context("no start time")?;
    wait(
        app,
        "the graph's first draw",
        "const b = document.querySelector('.graph-box'); return !!b && !!b.dataset.firstDrawAt;",
        Duration::from_secs(60),
    )
    .await?;
    wait(
        app,
        "the layout to settle",
        "const b = document.querySelector('.graph-box'); return !!b && b.dataset.layout === 'done' && !!b.dataset.layoutDoneAt;",
        Duration::from_secs(240),
    )
    .await?;
    let state = app
        .js(
            "window.__stopFrames = true;
             const b = document.querySelector('.graph-box');
             return { order: Number(b.dataset.order), firstDrawAt: Number(b.dataset.firstDrawAt), layoutDoneAt: Number(b.dataset.layoutDoneAt), fetchedAt: Number(b.dataset.fetchedAt),
                      importedAt: Number(b.dataset.importedAt), builtAt: Number(b.dataset.builtAt),
                      count: document.querySelector('.graph-count').textContent, frames: window.__frames };",
        )
        .await?;
    ensure!(
        state["order"].as_u64() == Some(notes as u64),
        "the graph has {} documents, not {notes}: {}",
        state["order"],
        state["count"]
    );
    let links = state["count"]
        .as_str()
        .and_then(|c| c.split('·').nth(1))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0);
    let first_draw = state["firstDrawAt"].as_f64().unwrap_or(f64::NAN) - t0;
    let layout = state["layoutDoneAt"].as_f64().unwrap_or(f64::NAN) - t0;
    let at = |key: &str| state[key].as_f64().unwrap_or(f64::NAN);
    let phases = [
        at("fetchedAt") - t0,
        at("importedAt") - at("fetchedAt"),
        at("builtAt") - at("importedAt"),
        at("firstDrawAt") - at("builtAt"),
    ];
    let settling = numbers(&state["frames"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.screenshot(&shots.join(format!("graph-bench-{notes}.png")))
        .await?;
    let idle = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             const deltas = []; let last = null; const start = performance.now();
             const step = t => { if (last !== null) deltas.push(t - last); last = t;
               if (t - start < 2000) requestAnimationFrame(step); else done(deltas); };
             requestAnimationFrame(step);",
        )
        .await?;
    let idle = numbers(&idle);

    let moved = app
        .js_async(&format!(
            r#"const done = arguments[arguments.length - 1];
const box = document.querySelector('.graph-box');
const target = box.querySelector('canvas.sigma-mouse');
const r = target.getBoundingClientRect();
const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
const at = (x, y) => ({{ bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0 }});
const draws = Number(box.dataset.draws);
const deltas = [];
let last = null, frame = 0, down = false, px = cx, py = cy;
const start = performance.now();
// Even seconds: drag the graph round a circle; odd ones: wheel in, then
// (the next odd second) out again.
const step = t => {{
  if (last !== null) deltas.push(t - last);
  last = t;
  const second = Math.floor((t - start) / 1000);
  if (second % 2 === 0) {{
    if (!down) {{ target.dispatchEvent(new MouseEvent('mousedown', at(px, py))); down = true; }}
    px = cx + 120 * Math.cos(frame / 10); py = cy + 80 * Math.sin(frame / 10);
    document.dispatchEvent(new MouseEvent('mousemove', at(px, py)));
  }} else {{
    if (down) {{ document.dispatchEvent(new MouseEvent('mouseup', at(px, py))); down = false; }}
    if (frame % 12 === 0) target.dispatchEvent(new WheelEvent('wheel', {{ ...at(cx, cy), deltaY: second % 4 === 1 ? -100 : 100 }}));
  }}
  frame++;
  if (t - start < {ms}) requestAnimationFrame(step);
  else {{
    if (down) document.dispatchEvent(new MouseEvent('mouseup', at(px, py)));
    done({{ deltas, draws: Number(box.dataset.draws) - draws }});
  }}
}};
requestAnimationFrame(step);"#,
            ms = PAN_ZOOM.as_millis()
        ))
        .await?;
    let moving = numbers(&moved["deltas"]);
    let answers = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             const times = [];
             const once = () => { const t0 = performance.now();
               window.__TAURI_INTERNALS__.invoke('link_graph').then(() => { times.push(performance.now() - t0);
                 if (times.length < 3) once(); else done(times); }, e => done(String(e))); };
             once();",
        )
        .await?;
    let answer = quantile(&numbers(&answers), 0.5);
    let draws = moved["draws"].as_u64().unwrap_or(0);
    ensure!(
        moving.len() >= 10 && draws >= 10,
        "the pan and zoom drew {draws} times in {} frames",
        moving.len()
    );
    Ok(GraphRun {
        notes,
        links,
        first_draw,
        phases,
        answer,
        layout,
        settling,
        idle,
        moving,
        draws,
    })
}

/// Wait until `script` returns true, for at most `limit`.
async fn wait(app: &App, what: &str, script: &str, limit: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if app.js(script).await? == Value::Bool(true) {
            return Ok(());
        }
        ensure!(start.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// The `q` quantile (0..=1) of `values`, nearest rank.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The figures: the large garden beside the baseline, as ratios.
pub fn figures(base: &GraphRun, large: &GraphRun) -> Vec<Figure> {
    let ratio = |a: f64, b: f64| a / b;
    let p = quantile;
    let (p50, p95) = (p(&large.moving, 0.5), p(&large.moving, 0.95));
    let (b50, b95) = (p(&base.moving, 0.5), p(&base.moving, 0.95));
    let sizes = format!(
        "{} notes, {} links vs {} notes, {} links",
        large.notes, large.links, base.notes, base.links
    );
    vec![
        Figure {
            name: "graph: click to first draw",
            value: format!(
                "{:.0} ms vs {:.0} ms: {:.1}× (node's answer {:.0}, modules {:.0}, graph {:.0}, sigma {:.0} ms vs {:.0}, {:.0}, {:.0}, {:.0}; {sizes})",
                large.first_draw,
                base.first_draw,
                ratio(large.first_draw, base.first_draw),
                large.phases[0],
                large.phases[1],
                large.phases[2],
                large.phases[3],
                base.phases[0],
                base.phases[1],
                base.phases[2],
                base.phases[3],
            ),
            target: "≤ 1,000 ms",
            ok: large.first_draw <= 1_000.0,
        },
        Figure {
            name: "graph: link_graph round trip (IPC), median of 3",
            value: format!(
                "{:.0} ms vs {:.0} ms: {:.1}×",
                large.answer,
                base.answer,
                ratio(large.answer, base.answer)
            ),
            target: "info",
            ok: true,
        },
        Figure {
            name: "graph: click to layout settled (worker)",
            value: format!(
                "{:.1} s vs {:.1} s: {:.1}×",
                large.layout / 1000.0,
                base.layout / 1000.0,
                ratio(large.layout, base.layout)
            ),
            target: "info",
            ok: true,
        },
        Figure {
            name: "graph: frame time while it settles",
            value: format!(
                "p50 {:.1} ms, p95 {:.1} ms, max {:.0} ms vs p50 {:.1}, p95 {:.1}, max {:.0}",
                p(&large.settling, 0.5),
                p(&large.settling, 0.95),
                p(&large.settling, 1.0),
                p(&base.settling, 0.5),
                p(&base.settling, 0.95),
                p(&base.settling, 1.0)
            ),
            target: "info",
            ok: true,
        },
        Figure {
            name: "graph: frame time, shown, nothing moving",
            value: format!(
                "p50 {:.1} ms, p95 {:.1} ms vs p50 {:.1}, p95 {:.1} (this display's floor)",
                p(&large.idle, 0.5),
                p(&large.idle, 0.95),
                p(&base.idle, 0.5),
                p(&base.idle, 0.95)
            ),
            target: "info",
            ok: true,
        },
        Figure {
            name: "graph: frame time during pan and zoom",
            value: format!(
                "p50 {p50:.1} ms, p95 {p95:.1} ms vs p50 {b50:.1}, p95 {b95:.1}: p95 {:.1}× ({} frames, {} draws)",
                ratio(p95, b95),
                large.moving.len(),
                large.draws
            ),
            target: "p95 ≤ 20 ms",
            ok: p95 <= 20.0,
        },
    ]
}
