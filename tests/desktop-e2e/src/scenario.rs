//! What a member does on a first day with Loam, checked step by step.

use std::path::Path;

use anyhow::{Context, ensure};
use fantoccini::key::Key;
use serde_json::Value;

use crate::driver::{App, chord};

fn enter() -> String {
    char::from(Key::Enter).to_string()
}

/// First run: a display name, then the demo garden's welcome page.
pub async fn first_run(app: &App) -> anyhow::Result<()> {
    app.click("#display-name").await?;
    app.keys("Ana").await?;
    app.click("form.card button[type=submit]").await?;
    // The first editor of a freshly built app: seen to take over 20 s once,
    // in a CI run straight after the build.
    app.until_open_within(std::time::Duration::from_secs(90), "Welcome to Loam")
        .await?;
    // Collect errors the page reports from now on: none may occur.
    app.js("window.__loamErrors = []; window.addEventListener('error', e => window.__loamErrors.push(String(e.message))); window.addEventListener('unhandledrejection', e => window.__loamErrors.push(String(e.reason && (e.reason.message || JSON.stringify(e.reason))))); return true;").await?;
    Ok(())
}

/// Create a note, type, link another with `[[`, follow the link, see the
/// backlink.
pub async fn write_and_link(app: &App) -> anyhow::Result<()> {
    app.keys(&chord(&[Key::Control], "n")).await?;
    app.find("#new-title")
        .await?
        .send_keys("Seed ideas")
        .await?;
    app.keys(&enter()).await?;
    app.until_open("Seed ideas").await?;
    app.click(".cm-content").await?;
    app.keys("Plant [[Compo").await?;
    app.find(".cm-tooltip-autocomplete li[aria-selected]")
        .await?;
    app.until_text(
        ".cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel",
        "Compost heap",
    )
    .await?;
    // CodeMirror ignores Enter for 75 ms after the list opens (no accidental picks).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    app.keys(&enter()).await?;
    app.keys(" soon.").await?;
    app.until_editor("Plant [[Compost heap]] soon.").await?;
    app.until_saved().await?;

    // Follow the link from the keyboard: cursor into it, Ctrl+Enter.
    app.click(".cm-wikilink").await?;
    app.keys(&chord(&[Key::Control], &enter())).await?;
    app.until_open("Compost heap").await?;
    app.until(
        "the backlink from Seed ideas",
        "return [...document.querySelectorAll('#backlinks-heading ~ .contexts .context-link')].some(b => b.textContent.trim() === 'Seed ideas');",
    )
    .await?;
    Ok(())
}

/// Find the note again with full-text search and the quick switcher.
pub async fn find_it(app: &App) -> anyhow::Result<()> {
    app.keys(&chord(&[Key::Control, Key::Shift], "f")).await?;
    app.click("#search-input").await?;
    app.keys("plant").await?;
    app.until(
        "a search hit for Seed ideas with the word marked",
        "return [...document.querySelectorAll('.results .result')].some(r => r.querySelector('.result-title').textContent === 'Seed ideas' && [...r.querySelectorAll('mark')].some(m => m.textContent.toLowerCase() === 'plant'));",
    )
    .await?;
    app.click(".results .result").await?;
    app.until_open("Seed ideas").await?;

    app.switch_to("welcome", "Welcome to Loam").await?;
    app.switch_to("seed", "Seed ideas").await?;
    Ok(())
}

/// Plant a second garden from the sidebar's garden switcher, see it empty
/// and apart, then go back to the demo garden from the keyboard.
pub async fn switch_gardens(app: &App) -> anyhow::Result<()> {
    app.click(".garden-switch").await?;
    // The gardens are listed once read; the rows move down then.
    app.find(".picker-title[data-garden]").await?;
    app.click(".picker-title[data-action=new]").await?;
    answer_prompt(app, "Reading circle").await?;
    app.until_text(".garden-switch .garden-label", "Reading circle")
        .await?;
    app.click("#tab-notes").await?;
    app.until(
        "the new garden's empty note list",
        "return !!document.querySelector('.note-list li.empty') && !document.querySelector('.note-list .note');",
    )
    .await?;

    app.keys(&chord(&[Key::Control, Key::Shift], "o")).await?;
    app.find(".picker-input").await?;
    app.keys("demo").await?;
    app.until_text(".picker-list li.selected .picker-title", "Demo garden")
        .await?;
    app.keys(&char::from(Key::Enter).to_string()).await?;
    app.until_text(".garden-switch .garden-label", "Demo garden")
        .await?;
    app.until(
        "the demo garden's notes back in the list",
        "return [...document.querySelectorAll('.note-list li')].some(li => li.textContent.includes('Seed ideas'));",
    )
    .await?;
    Ok(())
}

/// Replace the text, then bring the old version back from the history.
pub async fn restore_old_version(app: &App) -> anyhow::Result<()> {
    let old = "Plant [[Compost heap]] soon.";
    app.click(".cm-content").await?;
    app.keys(&chord(&[Key::Control], "a")).await?;
    app.keys("Replaced text.").await?;
    app.until_editor("Replaced text.").await?;
    app.until_saved().await?;

    app.click("#tab-history").await?;
    app.click(".session-row .expand").await?;
    app.find(".changes .change").await?;
    let hashes = app
        .js("return [...document.querySelectorAll('.changes .change')].map(b => b.dataset.hash);")
        .await?;
    let hashes: Vec<String> = hashes
        .as_array()
        .context("no change list")?
        .iter()
        .filter_map(|h| h.as_str().map(str::to_owned))
        .collect();
    let mut found = false;
    for hash in &hashes {
        app.click(&format!(".change[data-hash='{hash}']")).await?;
        app.find(".version-text").await?;
        let text = app
            .js("const v = document.querySelector('.version-text'); return v ? v.textContent : null;")
            .await?;
        if text.as_str() == Some(old) {
            found = true;
            break;
        }
        app.click(".modal .buttons button:first-child").await?;
        app.until(
            "the version dialog to close",
            "return !document.querySelector('.modal');",
        )
        .await?;
    }
    ensure!(found, "no change in {hashes:?} shows the old text");
    app.click(".modal .buttons button.primary").await?;
    // The restore is a change made in Rust: it reaches the open editor by sync.
    app.until_editor(old).await?;
    app.click("#tab-links").await?;
    Ok(())
}

/// Ctrl+click a link to a page that does not exist: the app offers to
/// create it, and the new page has its backlink.
pub async fn create_from_link(app: &App) -> anyhow::Result<()> {
    app.switch_to("seed", "Seed ideas").await?;
    app.click(".cm-content").await?;
    app.keys(&chord(&[Key::Control], &char::from(Key::End).to_string()))
        .await?;
    app.keys(" Then [[Cover crops]].").await?;
    app.until_editor("Plant [[Compost heap]] soon. Then [[Cover crops]].")
        .await?;
    app.until_saved().await?;
    // A real Ctrl+click at the link's place (the editor maps it to the text).
    app.js(
        "const link = [...document.querySelectorAll('.cm-wikilink')].find(l => l.textContent.includes('Cover crops'));
         const r = link.getBoundingClientRect();
         link.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true, ctrlKey: true, button: 0, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 }));
         return true;",
    )
    .await?;
    app.until_text(".modal h2", "No page called “Cover crops”")
        .await?;
    app.click(".modal .buttons button.primary").await?;
    app.until_open("Cover crops").await?;
    app.until(
        "the new page's backlink from Seed ideas",
        "return [...document.querySelectorAll('#backlinks-heading ~ .contexts .context-link')].some(b => b.textContent.trim() === 'Seed ideas');",
    )
    .await
}

/// A note full of script is shown inert: nothing runs, nothing can call a
/// command.
pub async fn hostile_note_is_inert(app: &App) -> anyhow::Result<()> {
    let created = app
        .js_async(r#"
const done = arguments[arguments.length - 1];
const body = [
  "Hostile note",
  "",
  "<script>window.__pwned = 'script'</script>",
  "<img src=x onerror=\"window.__pwned = 'img'\">",
  "[a link](javascript:window.__pwned='link')",
  "<a href=\"javascript:window.__pwned='anchor'\">anchor</a>",
  "<svg onload=\"window.__pwned='svg'\"><script>window.__pwned='svg-script'</script><circle r=\"5\" onclick=\"window.__pwned='circle'\"/></svg>",
  "<iframe src=\"javascript:window.__pwned='iframe'\"></iframe>",
  "<object data=\"data:text/html,<script>parent.__pwned='object'</script>\"></object>",
  "[[Hostile <b onmouseover=alert(1)>]]",
].join("\n");
window.__TAURI_INTERNALS__.invoke("create_note", { request: { title: "Hostile", kind: "note", folder: "", body } })
  .then(id => done(id), e => done("error: " + JSON.stringify(e)));
"#)
        .await?;
    ensure!(
        created.as_str().is_some_and(|s| s.len() == 32),
        "creating the hostile note failed: {created}"
    );
    app.switch_to("hostile", "Hostile").await?;
    app.click(".segmented button:nth-child(3)").await?;
    app.find(".preview p").await?;
    // Click every link in the preview: none may navigate or run anything.
    app.js("document.querySelectorAll('.preview a').forEach(a => a.click()); return true;")
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let report = app
        .js(r#"
const p = document.querySelector('.preview');
const all = [...p.querySelectorAll('*')];
return {
  pwned: window.__pwned ?? null,
  scripts: p.querySelectorAll('script').length,
  handlers: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length,
  javascriptUrls: all.filter(e => [...e.attributes].some(a => /^\s*javascript:/i.test(a.value))).length,
  frames: p.querySelectorAll('iframe, object, embed, svg').length,
  location: String(location.href).slice(0, 40),
  text: p.textContent.includes('Hostile note'),
};
"#)
        .await?;
    let want = serde_json::json!({
        "pwned": null, "scripts": 0, "handlers": 0, "javascriptUrls": 0, "frames": 0,
        "text": true,
    });
    for (key, expected) in want.as_object().context("object")? {
        ensure!(
            report.get(key) == Some(expected),
            "hostile note: `{key}` is {:?}, expected {expected} (report: {report})",
            report.get(key)
        );
    }
    // Still on the app's own page.
    ensure!(
        report["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("tauri://localhost")),
        "the webview navigated away: {report}"
    );
    app.click(".segmented button:nth-child(1)").await?;
    Ok(())
}

/// Light and dark screenshots of a note with links, and of a history, for
/// the README.
pub async fn screenshots(app: &App, dir: &Path) -> anyhow::Result<()> {
    app.command("Theme: light").await?;
    app.until(
        "the light theme",
        "return document.documentElement.dataset.theme === 'light';",
    )
    .await?;
    // The history of the note written above.
    app.switch_to("seed", "Seed ideas").await?;
    app.click("#tab-history").await?;
    app.click(".session-row .expand").await?;
    app.find(".changes .change").await?;
    settle(app).await?;
    app.screenshot(&dir.join("history-light.png")).await?;
    app.click("#tab-links").await?;

    app.switch_to("compost", "Compost heap").await?;
    app.click("#tab-notes").await?;
    app.click(".segmented button:nth-child(2)").await?;
    app.find(".preview p").await?;
    settle(app).await?;
    app.screenshot(&dir.join("light.png")).await?;

    app.command("Theme: dark").await?;
    app.until(
        "the dark theme",
        "return document.documentElement.dataset.theme === 'dark';",
    )
    .await?;
    settle(app).await?;
    app.screenshot(&dir.join("dark.png")).await?;
    // The quick switcher over the garden.
    app.keys(&chord(&[Key::Control], "o")).await?;
    app.find(".picker-input").await?;
    app.keys("li").await?;
    settle(app).await?;
    app.screenshot(&dir.join("switcher-dark.png")).await?;
    app.keys(&char::from(Key::Escape).to_string()).await?;
    app.command("Theme: follow the system").await?;
    Ok(())
}

/// No error was reported by the page.
pub async fn no_errors(app: &App) -> anyhow::Result<()> {
    let errors = app.js("return window.__loamErrors || [];").await?;
    ensure!(
        errors.as_array().is_some_and(Vec::is_empty),
        "the page reported errors: {errors}"
    );
    Ok(())
}

/// Let fonts, highlighting and panels finish drawing.
async fn settle(app: &App) -> anyhow::Result<()> {
    app.js("document.activeElement && document.activeElement.blur && document.activeElement.blur(); return true;")
        .await
        .map(drop)
        .ok();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let _: Value = app.js("return true;").await?;
    Ok(())
}

/// The text of the open note's editor.
async fn editor_text(app: &App) -> anyhow::Result<String> {
    let text = app
        .js("return Array.from(document.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n');")
        .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// Wait until the editor's text contains `part`.
async fn until_editor_has(app: &App, part: &str) -> anyhow::Result<()> {
    let script = format!(
        "return Array.from(document.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n').includes({});",
        serde_json::json!(part)
    );
    app.until(&format!("the editor to contain {part:?}"), &script)
        .await
}

/// Wait until the footer counts `peers` members online.
async fn until_peers_online(app: &App, peers: u32) -> anyhow::Result<()> {
    app.until(
        &format!("the footer to show {peers} peer(s) online"),
        &format!(
            "const s = document.querySelector('.sync-status'); return !!s && s.dataset.peers === '{peers}' && s.textContent.includes('online');"
        ),
    )
    .await
}

/// Ana (the first app, a facilitator) invites Bo (a second app, its own
/// data directory, on loopback): Bo joins through the join dialog of his
/// first run, both see each other online in the footer and the members
/// list, both type in one note and each sees the other's typing with his
/// own cursor kept; Ana makes Bo a reader and Bo's editor turns read-only,
/// saying why. Screenshots of the invite dialog and the members list.
pub async fn two_members(ana: &App, bo: &App, dir: &Path) -> anyhow::Result<()> {
    // Ana makes a ticket.
    ana.switch_to("seed", "Seed ideas").await?;
    ana.command("Theme: dark").await?;
    ana.command("Show members").await?;
    app_until_members(ana, 1).await?;
    ana.click(".member-actions button.primary").await?;
    ana.find(".modal input[value=member]").await?;
    ana.click(".modal button[type=submit]").await?;
    ana.find("#invite-ticket").await?;
    let ticket = ana
        .js("return document.querySelector('#invite-ticket').value;")
        .await?;
    let ticket = ticket.as_str().context("no ticket shown")?.to_owned();
    ensure!(ticket.starts_with("loam1"), "the ticket reads {ticket:?}");
    ana.find(".qr canvas").await?;
    settle(ana).await?;
    ana.screenshot(&dir.join("invite-dark.png")).await?;
    ana.click(".invite-result > .buttons button").await?;
    ana.until(
        "the invite dialog to close",
        "return !document.querySelector('.modal');",
    )
    .await?;
    ana.command("Theme: light").await?;

    // Bo's first run: a name, then the ticket instead of the demo garden.
    bo.click("#display-name").await?;
    bo.keys("Bo").await?;
    bo.click(".join-instead").await?;
    bo.click("#join-ticket").await?;
    bo.keys(&ticket).await?;
    bo.until(
        "the ticket to be read",
        "const i = document.querySelector('.ticket-info'); return !!i && i.textContent.includes('Demo garden');",
    )
    .await?;
    bo.click(".join-form button[type=submit]").await?;
    // The garden opens (on a recent note: the two apps share the webview's
    // storage, as two windows of one browser would).
    bo.until(
        "the joined garden to open",
        "return document.documentElement.dataset.editorReady === 'true' && !!document.querySelector('.note-title') && document.querySelector('.garden-switch .garden-label').textContent === 'Demo garden';",
    )
    .await?;
    bo.js("window.__loamErrors = []; window.addEventListener('error', e => window.__loamErrors.push(String(e.message))); window.addEventListener('unhandledrejection', e => window.__loamErrors.push(String(e.reason && (e.reason.message || JSON.stringify(e.reason))))); return true;").await?;
    // A newcomer is shown the garden's guidelines and acknowledges them.
    bo.until(
        "the guidelines shown to Bo on joining",
        "const m = document.querySelector('.modal .guidelines'); return !!m && m.textContent.includes('Be kind') && !!m.querySelector('button.acknowledge');",
    )
    .await?;
    bo.click(".modal button.acknowledge").await?;
    bo.until(
        "the guidelines acknowledged",
        "return !document.querySelector('.modal');",
    )
    .await?;
    until_peers_online(bo, 1).await?;
    until_peers_online(ana, 1).await?;

    // Both in one note; each types, each sees the other's typing.
    ana.switch_to("seed", "Seed ideas").await?;
    bo.switch_to("seed", "Seed ideas").await?;
    let start = editor_text(ana).await?;
    bo.until_editor(&start).await?;
    bo.click(".cm-content").await?;
    bo.keys(&chord(&[Key::Control], &char::from(Key::End).to_string()))
        .await?;
    bo.keys(" Bo was here").await?;
    until_editor_has(ana, " Bo was here").await?;
    // Ana types at the top while Bo's cursor waits at the end.
    ana.click(".cm-content").await?;
    ana.keys(&chord(&[Key::Control], &char::from(Key::Home).to_string()))
        .await?;
    ana.keys("Ana too. ").await?;
    until_editor_has(bo, "Ana too. ").await?;
    // Bo goes on typing: his cursor stayed where he left it.
    bo.keys(", twice.").await?;
    let both = format!("Ana too. {start} Bo was here, twice.");
    bo.until_editor(&both).await?;
    ana.until_editor(&both).await?;
    ana.until_saved().await?;
    bo.until_saved().await?;

    // The members list shows both, online.
    ana.command("Show members").await?;
    app_until_members(ana, 2).await?;
    ana.until(
        "both members online",
        "const rows = [...document.querySelectorAll('.member-row')]; return rows.length === 2 && rows.every(r => r.dataset.online === 'true') && rows.some(r => r.textContent.includes('Bo'));",
    )
    .await?;
    settle(ana).await?;
    ana.screenshot(&dir.join("members-light.png")).await?;
    bo.command("Show members").await?;
    app_until_members(bo, 2).await?;

    // Ana makes Bo a reader: Bo's editor turns read-only and says why.
    ana.js(
        "const row = [...document.querySelectorAll('.member-row')].find(r => r.textContent.includes('Bo'));
         const select = row.querySelector('select');
         select.value = 'reader';
         select.dispatchEvent(new Event('change', { bubbles: true }));
         return true;",
    )
    .await?;
    bo.until(
        "Bo's editor to be read-only with the reason",
        "const b = document.querySelector('.read-only-banner'); const c = document.querySelector('.cm-content'); return !!b && b.textContent.includes('reader') && !!c && c.getAttribute('contenteditable') === 'false';",
    )
    .await?;
    no_errors(bo).await?;
    no_errors(ana).await?;
    ana.command("Theme: follow the system").await?;
    Ok(())
}

/// Wait until the members list shows `count` members.
async fn app_until_members(app: &App, count: usize) -> anyhow::Result<()> {
    app.until(
        &format!("{count} member(s) listed"),
        &format!("return document.querySelectorAll('.member-row').length === {count};"),
    )
    .await
}

/// Type `text` into the one-line prompt dialog and confirm it.
async fn answer_prompt(app: &App, text: &str) -> anyhow::Result<()> {
    app.click("#prompt-value").await?;
    app.keys(text).await?;
    app.click(".prompt-form button[type=submit]").await?;
    app.until(
        "the prompt to close",
        "return !document.querySelector('.prompt-form');",
    )
    .await
}

/// Set Ana's role for Bo from the members list.
async fn set_role_of_bo(ana: &App, role: &str) -> anyhow::Result<()> {
    ana.command("Show members").await?;
    app_until_members(ana, 2).await?;
    ana.js(&format!(
        "const row = [...document.querySelectorAll('.member-row')].find(r => r.textContent.includes('Bo'));
         const select = row.querySelector('select');
         select.value = '{role}';
         select.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return true;"
    ))
    .await?;
    Ok(())
}

/// The community layer across the two apps: Bo, a reader, sees the index
/// but not its controls, and is told why; made a member again, he sees the
/// page Ana features with her reason, and gives kudos that appear on Ana's
/// profile. Screenshots of the home (the curated index) and the dashboard,
/// light and dark.
pub async fn community(ana: &App, bo: &App, dir: &Path) -> anyhow::Result<()> {
    // A reader cannot edit the index, and sees why.
    bo.click(".view-link[data-view=home]").await?;
    bo.until(
        "the reader to be told why the index is not his to change",
        "const w = document.querySelector('.index-why'); const b = document.querySelector('.add-section');
         const t = w ? w.textContent.toLowerCase() : '';
         return t.includes('only facilitators') && t.includes('you are a reader') && !!b && b.disabled;",
    )
    .await?;
    // Nor can he get round the disabled button: the node refuses the edit.
    let refused = bo
        .js_async(
            r#"const done = arguments[arguments.length - 1];
window.__TAURI_INTERNALS__.invoke("index_edit", { edit: { op: "addSection", title: "Mine" } })
  .then(() => done("accepted"), e => done(e));"#,
        )
        .await?;
    ensure!(
        refused["kind"] == "notAllowed"
            && refused["message"]
                .as_str()
                .is_some_and(|m| m.contains("you are a reader")),
        "a reader's index edit was not refused as expected: {refused}"
    );
    set_role_of_bo(ana, "member").await?;
    bo.until(
        "Bo to be a member again",
        "const w = document.querySelector('.index-why'); const t = w ? w.textContent.toLowerCase() : ''; return t.includes('you are a member') && t.includes('suggest');",
    )
    .await?;

    // Ana curates: a section (after the demo garden's three), an entry,
    // featured with a reason.
    ana.click(".view-link[data-view=home]").await?;
    ana.until(
        "the demo garden's index",
        "return document.querySelectorAll('.index-section').length === 3 && [...document.querySelectorAll('.featured-reason')].some(r => r.textContent.includes('read it first'));",
    )
    .await?;
    ana.click(".add-section").await?;
    answer_prompt(ana, "From the first day").await?;
    ana.until(
        "the new section",
        "return [...document.querySelectorAll('.index-section h2')].some(h => h.textContent === 'From the first day');",
    )
    .await?;
    let section = ana
        .js("return [...document.querySelectorAll('.index-section')].find(s => s.querySelector('h2').textContent === 'From the first day').dataset.section;")
        .await?;
    let section = format!(
        ".index-section[data-section='{}']",
        section.as_str().context("no section id")?
    );
    ana.js(&format!(
        "const select = document.querySelector(\"{section} .add-entry select\");
         const option = [...select.options].find(o => o.textContent.startsWith('Seed ideas'));
         select.value = option.value;
         select.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return true;"
    ))
    .await?;
    ana.click(&format!("{section} .add-entry button")).await?;
    ana.until_text(
        &format!("{section} .index-entry .entry-title"),
        "Seed ideas",
    )
    .await?;
    ana.click(&format!("{section} .index-entry button.feature"))
        .await?;
    answer_prompt(ana, "the best place to start").await?;
    ana.until_text(
        &format!("{section} .index-entry .featured-reason"),
        "★ Featured: the best place to start",
    )
    .await?;
    // The top of the home for the screenshots: the demo's featured page,
    // the guidelines and the reading path.
    let top = "document.querySelector('.home-body').scrollTop = 0; return true;";
    ana.js(top).await?;
    settle(ana).await?;
    ana.screenshot(&dir.join("home-light.png")).await?;
    ana.command("Theme: dark").await?;
    ana.js(top).await?;
    settle(ana).await?;
    ana.screenshot(&dir.join("home-dark.png")).await?;

    // Bo sees it featured, with the reason.
    bo.until(
        "the featured page and its reason at Bo's",
        "return [...document.querySelectorAll('.index-entry')].some(e => e.querySelector('.entry-title').textContent === 'Seed ideas' && !!e.querySelector('.featured-reason') && e.querySelector('.featured-reason').textContent.includes('the best place to start'));",
    )
    .await?;

    // Bo gives kudos on Ana's page; Ana's profile shows them.
    bo.switch_to("seed", "Seed ideas").await?;
    bo.command("Show the discussion").await?;
    bo.click(".give-kudos").await?;
    answer_prompt(bo, "thanks for the seeds").await?;
    bo.until(
        "the kudos on the page",
        "const k = document.querySelector('.kudos-count'); return !!k && k.dataset.count === '1';",
    )
    .await?;
    ana.click(".view-link[data-view=people]").await?;
    ana.until(
        "Bo's kudos on Ana's profile",
        "const p = [...document.querySelectorAll('.profile')].find(p => p.querySelector('.profile-name').textContent.startsWith('Ana'));
         return !!p && [...p.querySelectorAll('.kudos-item')].some(k => k.textContent.includes('Bo') && k.textContent.includes('thanks for the seeds'));",
    )
    .await?;

    // The dashboard, dark then light.
    ana.click(".view-link[data-view=dashboard]").await?;
    ana.until(
        "the dashboard's charts",
        "return document.querySelectorAll('.chart-card canvas').length >= 4 && !!document.querySelector('.figure-value');",
    )
    .await?;
    settle(ana).await?;
    ana.screenshot(&dir.join("dashboard-dark.png")).await?;
    ana.command("Theme: light").await?;
    settle(ana).await?;
    ana.screenshot(&dir.join("dashboard-light.png")).await?;
    // A chart's table view.
    ana.click(".chart-card[data-chart=contributions] .show-table")
        .await?;
    ana.find(".chart-card[data-chart=contributions] table.figures td")
        .await?;
    ana.command("Theme: follow the system").await?;
    no_errors(bo).await?;
    no_errors(ana).await?;
    Ok(())
}

/// The documents in Ana's garden by now: the demo garden's eight, Seed
/// ideas, Cover crops and Hostile (hers), and Bo's beds (his).
const GRAPH_NODES: u32 = 12;

/// Wait until the graph box says `attribute` is `value`.
async fn until_graph(app: &App, attribute: &str, value: u32) -> anyhow::Result<()> {
    app.until(
        &format!("the graph's {attribute} to be {value}"),
        &format!(
            "const b = document.querySelector('.graph-box'); return !!b && b.dataset.{attribute} === '{value}';"
        ),
    )
    .await
}

/// Choose the option of the graph's `select` whose text is `text` (or the
/// first, "every …", when `text` is empty).
async fn graph_filter(app: &App, select: &str, text: &str) -> anyhow::Result<()> {
    let chosen = app
        .js(&format!(
            "const s = document.querySelector('select.{select}');
             const o = {text:?} === '' ? s.options[0] : [...s.options].find(o => o.textContent === {text:?});
             if (!o) return [...s.options].map(o => o.textContent);
             s.value = o.value;
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return true;"
        ))
        .await?;
    ensure!(
        chosen == Value::Bool(true),
        "no option {text:?} in the graph's {select} filter: {chosen}"
    );
    Ok(())
}

/// The link graph at Ana's: Bo's new note arrives and every document is
/// drawn (sigma's graph order, the canvas not blank) and laid out; the tag
/// and member filters leave the documents the demo garden should; the open
/// note's neighbourhood is highlighted. Screenshot `graph.png`.
pub async fn graph(ana: &App, bo: &App, dir: &Path) -> anyhow::Result<()> {
    let created = bo
        .js_async(
            r#"const done = arguments[arguments.length - 1];
window.__TAURI_INTERNALS__.invoke("create_note", { request: { title: "Bo's beds", kind: "note", folder: "", body: "Raised beds, fed from the [[Compost heap]]. #beds" } })
  .then(id => done(id), e => done("error: " + JSON.stringify(e)));"#,
        )
        .await?;
    ensure!(
        created.as_str().is_some_and(|s| s.len() == 32),
        "Bo could not start a note: {created}"
    );
    // Let it reach Ana and her views redraw before typing: a redraw can
    // remove the element that has the focus (the dashboard's buttons).
    // The list must show every note: once, a #compost filter was left on
    // by an earlier step (the People view's tag chips set it), hiding Bo's.
    ana.js(
        "const chip = document.querySelector(\"button.chip[title='Clear the tag filter']\"); if (chip) chip.click(); return true;",
    )
    .await?;
    ana.until(
        "Bo's note in Ana's list",
        "return [...document.querySelectorAll('.note-list .title')].some(t => t.textContent === \"Bo's beds\");",
    )
    .await?;
    settle(ana).await?;
    ana.command("Theme: light").await?;
    ana.switch_to("compost", "Compost heap").await?;
    ana.click(".view-link[data-view=graph]").await?;
    until_graph(ana, "order", GRAPH_NODES).await?;
    ana.until(
        "the graph drawn and laid out",
        "const b = document.querySelector('.graph-box'); return Number(b.dataset.draws) > 0 && b.dataset.layout === 'done' && b.querySelectorAll('canvas').length >= 2;",
    )
    .await?;
    // Compost heap, and what links to it: Workshop ideas, Seed ideas, Bo's beds.
    until_graph(ana, "near", 4).await?;
    ana.until(
        "the legend to name the highlighted neighbourhood",
        "return document.querySelector('.graph-legend').textContent.includes('“Compost heap” and its 3 neighbours are highlighted');",
    )
    .await?;
    settle(ana).await?;
    let shot = dir.join("graph.png");
    ana.screenshot(&shot).await?;
    let rect = ana
        .js("const r = document.querySelector('.graph-box').getBoundingClientRect(); return [r.left, r.top, r.width, r.height].map(Math.round);")
        .await?;
    check_drawn(&shot, &rect)?;

    // By tag: #compost on the heap and the workshop's ideas; the guide's
    // five pages carry #loam/help; Bo's note alone #beds.
    for (tag, visible) in [("#compost", 2), ("#loam/help", 5), ("#beds", 1)] {
        graph_filter(ana, "graph-tag", tag).await?;
        until_graph(ana, "visible", visible).await?;
    }
    graph_filter(ana, "graph-tag", "").await?;
    until_graph(ana, "visible", GRAPH_NODES).await?;
    // By who started it: Bo one, Ana the rest.
    graph_filter(ana, "graph-member", "Bo").await?;
    until_graph(ana, "visible", 1).await?;
    ana.until(
        "the count to say how many are shown",
        &format!("return document.querySelector('.graph-count').textContent.startsWith('1 of {GRAPH_NODES} documents');"),
    )
    .await?;
    graph_filter(ana, "graph-member", "Ana").await?;
    until_graph(ana, "visible", GRAPH_NODES - 1).await?;
    graph_filter(ana, "graph-member", "").await?;
    until_graph(ana, "visible", GRAPH_NODES).await?;

    // Another note open: its own neighbourhood (Seed ideas links to
    // Compost heap and Cover crops).
    ana.switch_to("seed", "Seed ideas").await?;
    ana.click(".view-link[data-view=graph]").await?;
    until_graph(ana, "near", 3).await?;
    no_errors(ana).await?;
    no_errors(bo).await?;
    ana.command("Theme: follow the system").await?;
    Ok(())
}

/// The graph's part of a screenshot (`rect`: left, top, width, height in
/// CSS pixels) is not blank: dots, links and labels make many colours.
fn check_drawn(png: &Path, rect: &Value) -> anyhow::Result<()> {
    let n = |i: usize| rect[i].as_i64().unwrap_or(0).max(0);
    let (left, top, width, height) = (n(0), n(1), n(2), n(3));
    ensure!(width > 100 && height > 100, "the graph box is {rect}");
    let region = format!("{}[{width}x{height}+{left}+{top}]", png.display());
    let output = match std::process::Command::new("identify")
        .args(["-format", "%k", &region])
        .output()
    {
        Ok(output) => output,
        Err(_) => {
            eprintln!("e2e: not checking the graph's pixels (ImageMagick missing)");
            return Ok(());
        }
    };
    let colours: u64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .with_context(|| format!("identify said {output:?}"))?;
    ensure!(
        colours >= 16,
        "the graph's box has {colours} colours in {}: nothing drawn",
        png.display()
    );
    Ok(())
}
