//! The commands as the UI calls them, through Tauri's mock runtime (no
//! display): JSON in, JSON out, with the app's real capabilities.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use std::sync::{Arc, Mutex};

use loam_desktop::state::AppState;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, Channel, InvokeBody, InvokeResponseBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

struct Fixture {
    _dir: tempfile::TempDir,
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    // The app's commands and capabilities on the mock runtime.
    let app = loam_desktop::with_commands(mock_builder())
        .build(tauri::generate_context!())
        .unwrap();
    loam_desktop::manage_node(app.handle(), dir.path().to_owned()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Fixture {
        _dir: dir,
        app,
        window,
    }
}

fn request(cmd: &str, body: InvokeBody) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // The app's own origin in a build without custom-protocol: the devUrl.
        url: "http://localhost:5173".parse().unwrap(),
        body,
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

impl Fixture {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(&self.window, request(cmd, InvokeBody::Json(args)))
            .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn ready(self) -> Self {
        self.ok("finish_first_run", json!({"name": "Ana"}));
        self
    }

    fn id_of(&self, title: &str) -> String {
        let link = self.ok("resolve_link", json!({"target": title}));
        link["id"].as_str().unwrap().to_owned()
    }

    fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }
}

#[test]
fn first_run_asks_for_a_name_then_plants_the_demo_garden() {
    let f = fixture();
    let status = f.ok("app_status", json!({}));
    assert_eq!(status["ready"], false);
    let err = f.call("list_notes", json!({"request": {"tag": null, "sort": "title", "descending": false, "archived": false}})).unwrap_err();
    assert_eq!(err["kind"], "notReady");
    let err = f
        .call("finish_first_run", json!({"name": "  "}))
        .unwrap_err();
    assert_eq!(err["kind"], "invalid");

    let status = f.ok("finish_first_run", json!({"name": "Ana"}));
    assert_eq!(status["ready"], true);
    assert_eq!(status["displayName"], "Ana");
    assert_eq!(status["garden"]["name"], "Demo garden");
    let notes = f.ok(
        "list_notes",
        json!({"request": {"tag": null, "sort": "title", "descending": false, "archived": false}}),
    );
    let titles: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Welcome to Loam"), "{titles:?}");
    // A second call keeps the garden and changes the name.
    let status = f.ok("finish_first_run", json!({"name": "Ana B"}));
    assert_eq!(status["displayName"], "Ana B");
    assert_eq!(
        f.ok("titles", json!({})).as_array().unwrap().len(),
        titles.len()
    );
}

#[test]
fn create_link_search_and_backlinks() {
    let f = fixture().ready();
    let soil = f.ok(
        "create_note",
        json!({"request": {"title": "Soil", "kind": "page", "folder": "", "body": "Loam is soil."}}),
    );
    let heap = f.ok(
        "create_note",
        json!({"request": {"title": "Heap", "kind": "note", "folder": "Garden/", "body": "Feeds the [[Soil]] and the soil again. #compost"}}),
    );
    let back = f.ok("backlinks", json!({"id": soil}));
    assert_eq!(back[0]["source"]["title"], "Heap");
    let marked: String = back[0]["context"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let t = p["text"].as_str().unwrap();
            if p["hit"] == true {
                format!("<{t}>")
            } else {
                t.to_owned()
            }
        })
        .collect();
    assert_eq!(marked, "Feeds the <[[Soil]]> and the soil again. #compost");
    let out = f.ok("outgoing_links", json!({"id": heap}));
    assert_eq!(out[0]["resolved"], soil);
    assert_eq!(
        f.ok("resolve_link", json!({"target": "soil#Top|x"}))["id"],
        soil
    );
    assert_eq!(
        f.ok("resolve_link", json!({"target": "Nowhere"}))["id"],
        Value::Null
    );

    let hits = f.ok("search", json!({"query": "feeds"}));
    assert_eq!(hits[0]["row"]["title"], "Heap");
    assert!(
        hits[0]["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["hit"] == true && p["text"] == "Feeds")
    );
    let tags = f.ok("tags", json!({}));
    assert!(
        tags.as_array()
            .unwrap()
            .iter()
            .any(|t| t["tag"] == "compost")
    );
    let html = f.ok("render_note", json!({"id": heap}));
    assert!(
        html.as_str()
            .unwrap()
            .contains(&format!("loam://doc/{}", soil.as_str().unwrap())),
        "{html}"
    );
    assert_eq!(
        f.ok("get_note", json!({"id": heap}))["row"]["folder"],
        "Garden"
    );

    let err = f.call("get_note", json!({"id": "nope"})).unwrap_err();
    assert_eq!(err["kind"], "invalid");
    let err = f
        .call(
            "create_note",
            json!({"request": {"title": "Soil", "kind": "page", "folder": "", "body": ""}}),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "invalid");
    assert!(
        err["message"].as_str().unwrap().contains("exists already"),
        "{err}"
    );
}

#[test]
fn rename_archive_mentions_and_link_it() {
    let f = fixture().ready();
    let soil = f.ok(
        "create_note",
        json!({"request": {"title": "Soil", "kind": "page", "folder": "", "body": ""}}),
    );
    let heap = f.ok("create_note", json!({"request": {"title": "Heap", "kind": "note", "folder": "", "body": "Good soil here."}}));
    let mentions = f.ok("unlinked_mentions", json!({"id": soil}));
    assert_eq!(mentions[0]["source"]["id"], heap);
    assert!(
        f.ok("link_mention", json!({"source": heap, "target": soil}))
            .as_bool()
            .unwrap()
    );
    assert_eq!(
        f.ok("get_note", json!({"id": heap}))["text"],
        "Good [[Soil|soil]] here."
    );
    let renamed = f.ok("rename_note", json!({"id": soil, "title": "Living soil"}));
    assert_eq!(renamed["rewritten"], 1);
    assert_eq!(
        f.ok("get_note", json!({"id": heap}))["text"],
        "Good [[Living soil|soil]] here."
    );
    assert_eq!(f.ok("archive_note", json!({"id": heap})), true);
    let archived = f.ok(
        "list_notes",
        json!({"request": {"tag": null, "sort": "updated", "descending": true, "archived": true}}),
    );
    assert_eq!(archived[0]["id"], heap);
    assert_eq!(f.ok("restore_note", json!({"id": heap})), true);
}

#[test]
fn history_versions_and_restore() {
    let f = fixture().ready();
    let id = f.id_of("Compost heap");
    let original = f.ok("get_note", json!({"id": id}))["text"]
        .as_str()
        .unwrap()
        .to_owned();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let garden = f.state().garden().unwrap();
    garden.replace_text(id.parse().unwrap(), "Gone.").unwrap();
    let history = f.ok("history", json!({"id": id}));
    assert_eq!(history["changes"], 2);
    assert_eq!(history["sessions"][0]["author"]["name"], "Ana");
    assert_eq!(history["sessions"][0]["author"]["you"], true);
    let first = f.ok("version_at", json!({"id": id, "when": "#1"}));
    // Both changes fall in one session (minutes apart at most): the first
    // change names the original.
    let _ = first;
    let changes = garden.history_changes(id.parse().unwrap()).unwrap();
    let hash = loam_node::short_hash(&changes[0].hash);
    let old = f.ok("version_at", json!({"id": id, "when": hash}));
    assert_eq!(old["text"], original.as_str());
    assert_eq!(old["current"], false);
    let restored = f.ok("restore_version", json!({"id": id, "when": hash}));
    assert_eq!(restored["changed"], true);
    assert_eq!(
        f.ok("get_note", json!({"id": id}))["text"],
        original.as_str()
    );
    let err = f
        .call("version_at", json!({"id": id, "when": "#99"}))
        .unwrap_err();
    assert_eq!(err["kind"], "notFound");
}

/// The editor's sync session, as the webview drives it: load the bytes,
/// exchange raw sync messages over the channel and `editor_sync`.
#[test]
fn editor_sessions_speak_the_sync_protocol() {
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};

    let f = fixture().ready();
    let id = f.id_of("Reading list");
    let sent: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let inbox = sent.clone();
    let channel = Channel::new(move |body| {
        if let InvokeResponseBody::Raw(bytes) = body {
            inbox.lock().unwrap().push(bytes);
        }
        Ok(())
    });
    let state = f.state();
    let garden = state.garden().unwrap();
    let session = state
        .editors
        .open(garden.clone(), id.parse().unwrap(), channel);
    let mut doc = AutoCommit::load(&state.editors.load(session).unwrap()).unwrap();
    let actor = garden.replica_actor();
    let bytes: Vec<u8> = (0..actor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&actor[i..i + 2], 16).unwrap())
        .collect();
    doc.set_actor(ActorId::from(bytes));
    let body = match doc.get(ROOT, "body").unwrap() {
        Some((automerge::Value::Object(ObjType::Text), b)) => b,
        _ => panic!("no body"),
    };
    let mut sync = automerge::sync::State::new();
    doc.splice_text(&body, 0, 0, "Typed in the webview. ")
        .unwrap();
    doc.commit();
    // Through the command, as the UI sends it: raw bytes and a header.
    let exchange = |doc: &mut AutoCommit, sync: &mut automerge::sync::State| {
        for _ in 0..20 {
            let out = doc.sync().generate_sync_message(sync);
            if let Some(m) = &out {
                let mut req = request("editor_sync", InvokeBody::Raw(m.clone().encode()));
                req.headers
                    .insert("loam-session", session.to_string().parse().unwrap());
                get_ipc_response(&f.window, req).unwrap();
            }
            let incoming: Vec<Vec<u8>> = std::mem::take(&mut *sent.lock().unwrap());
            if out.is_none() && incoming.is_empty() {
                return;
            }
            for m in incoming {
                doc.sync()
                    .receive_sync_message(sync, automerge::sync::Message::decode(&m).unwrap())
                    .unwrap();
            }
        }
        panic!("no quiet after 20 rounds");
    };
    exchange(&mut doc, &mut sync);
    let stored = garden.note(id.parse().unwrap()).unwrap().text;
    assert!(stored.starts_with("Typed in the webview. "), "{stored}");
    // A change made elsewhere reaches the webview through the event path.
    garden
        .replace_text(id.parse().unwrap(), &format!("{stored}And from Rust.\n"))
        .unwrap();
    state.editors.changed(id.parse().unwrap());
    exchange(&mut doc, &mut sync);
    assert!(doc.text(&body).unwrap().ends_with("And from Rust.\n"));
    // The author is the member.
    let history = f.ok("history", json!({"id": id}));
    assert_eq!(history["sessions"][0]["author"]["you"], true);

    let mut bad = request("editor_sync", InvokeBody::Raw(b"junk".to_vec()));
    bad.headers
        .insert("loam-session", session.to_string().parse().unwrap());
    let err = get_ipc_response(&f.window, bad).unwrap_err();
    assert_eq!(err["kind"], "invalid");
    f.ok("editor_close", json!({"session": session}));
    assert!(state.editors.is_empty());
    let err = f
        .call("editor_load", json!({"session": session}))
        .unwrap_err();
    assert_eq!(err["kind"], "notFound");
}

/// Only the main window may invoke commands, and only Loam's own.
#[test]
fn capabilities_are_minimal() {
    let f = fixture().ready();
    let other = WebviewWindowBuilder::new(&f.app, "other", Default::default())
        .build()
        .unwrap();
    let denied = get_ipc_response(&other, request("app_status", InvokeBody::Json(json!({}))));
    assert!(denied.is_err(), "{denied:?}");
    let plugin = f.call("plugin:fs|read_file", json!({"path": "/etc/passwd"}));
    assert!(plugin.is_err());

    let caps: Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let allowed: Vec<&str> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let expected: Vec<String> = loam_desktop::COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert_eq!(allowed, expected);
}

/// Closing the window first asks a listening UI to send its last edits.
#[test]
fn closing_waits_for_the_ui_once() {
    let f = fixture().ready();
    let state = f.state();
    // Nobody listens (the first-run form): close at once.
    assert!(!state.begin_closing());
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    let inbox = heard.clone();
    state.listen(Channel::new(move |body| {
        let event: Value = body.deserialize().unwrap();
        inbox
            .lock()
            .unwrap()
            .push(event["type"].as_str().unwrap().to_owned());
        Ok(())
    }));
    assert!(state.begin_closing());
    assert_eq!(*heard.lock().unwrap(), ["closing"]);
    // Asked again (the UI is stuck, or done): close.
    assert!(!state.begin_closing());
}
