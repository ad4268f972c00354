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

/// The garden switcher: a second garden is planted and shown, its notes
/// apart from the demo garden's, and the app opens the last one shown.
#[test]
fn gardens_are_listed_created_and_switched() {
    let f = fixture().ready();
    let gardens = f.ok("list_gardens", json!({}));
    assert_eq!(gardens.as_array().unwrap().len(), 1, "{gardens}");
    assert_eq!(gardens[0]["name"], "Demo garden");
    assert_eq!(gardens[0]["shown"], true);
    assert_eq!(gardens[0]["role"], "facilitator");
    let demo_id = gardens[0]["id"].as_str().unwrap().to_owned();
    let demo_notes = gardens[0]["docs"].as_u64().unwrap();
    assert!(demo_notes > 0, "{gardens}");

    let err = f.call("create_garden", json!({"name": "  "})).unwrap_err();
    assert_eq!(err["kind"], "invalid", "{err}");
    let err = f
        .call("create_garden", json!({"name": "demo GARDEN"}))
        .unwrap_err();
    assert_eq!(err["kind"], "invalid", "{err}");

    let status = f.ok("create_garden", json!({"name": "Reading circle"}));
    assert_eq!(status["garden"]["name"], "Reading circle");
    assert_eq!(status["role"], "facilitator");
    let listed = f.ok(
        "list_notes",
        json!({"request": {"tag": null, "sort": "title", "descending": false, "archived": false}}),
    );
    assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");
    f.ok(
        "create_note",
        json!({"request": {"title": "Chapter one", "kind": "note", "folder": "", "body": "We read it aloud."}}),
    );
    let gardens = f.ok("list_gardens", json!({}));
    let names: Vec<(&str, bool, u64)> = gardens
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap(),
                g["shown"].as_bool().unwrap(),
                g["docs"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Demo garden", false, demo_notes),
            ("Reading circle", true, 1)
        ]
    );

    let status = f.ok("switch_garden", json!({"id": demo_id}));
    assert_eq!(status["garden"]["name"], "Demo garden");
    let titles = f.ok("titles", json!({}));
    assert!(
        !titles
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["title"] == "Chapter one"),
        "{titles}"
    );
    let err = f
        .call("switch_garden", json!({"id": "nonsense"}))
        .unwrap_err();
    assert_eq!(err["kind"], "invalid", "{err}");
    let err = f
        .call(
            "switch_garden",
            json!({"id": "00000000000000000000000000000000"}),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "notFound", "{err}");
    assert_eq!(
        f.ok("app_status", json!({}))["garden"]["name"],
        "Demo garden"
    );

    // The garden shown last is the one the app opens next time.
    let reading = gardens[1]["id"].as_str().unwrap().to_owned();
    f.ok("switch_garden", json!({"id": reading}));
    let data = f.state().node().data_dir().to_owned();
    let reopened = AppState::open(data).unwrap();
    assert_eq!(reopened.status().garden.unwrap().name, "Reading circle");
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
    // Events about the demo garden planted by `ready` may still be on their way; only the
    // closing request matters here, and it is sent once.
    let closing = heard
        .lock()
        .unwrap()
        .iter()
        .filter(|e| *e == "closing")
        .count();
    assert_eq!(closing, 1, "heard {:?}", heard.lock().unwrap());
    // Asked again (the UI is stuck, or done): close.
    assert!(!state.begin_closing());
}

impl Fixture {
    /// Put the app on the network, on 127.0.0.1 only.
    fn online(self) -> Self {
        loam_desktop::network::start(self.app.handle(), loam_node::network::NetConfig::loopback())
            .unwrap();
        self
    }

    /// Call `cmd` until `check` holds for its answer (sync takes a moment).
    fn until(&self, cmd: &str, args: Value, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let start = std::time::Instant::now();
        loop {
            let answer = self.ok(cmd, args.clone());
            if check(&answer) {
                return answer;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "waited 30 s for {what}; last answer: {answer}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    fn invite(&self, role: &str, uses: u32) -> String {
        let invite = self.ok(
            "create_invite",
            json!({"request": {"role": role, "expiresHours": 24, "uses": uses}}),
        );
        invite["ticket"].as_str().unwrap().to_owned()
    }
}

fn names_and_roles(members: &Value) -> Vec<String> {
    members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}:{}",
                m["name"].as_str().unwrap(),
                m["role"].as_str().unwrap()
            )
        })
        .collect()
}

/// Members, invites and tickets as the dialogs see them, on one machine.
#[test]
fn members_invites_and_tickets() {
    let f = fixture().ready();
    let members = f.ok("members", json!({}));
    assert_eq!(names_and_roles(&members), ["Ana:facilitator"]);
    assert_eq!(members["canManage"], true);
    assert_eq!(members["members"][0]["you"], true);
    assert_eq!(members["members"][0]["online"], true);
    let status = f.ok("app_status", json!({}));
    assert_eq!(status["role"], "facilitator");
    assert_eq!(status["readOnly"], Value::Null);
    // Not online yet, never was: a ticket could not say where to go.
    assert_eq!(f.ok("sync_status", json!({}))["network"], "starting");
    let err = f
        .call(
            "create_invite",
            json!({"request": {"role": "member", "expiresHours": null, "uses": 1}}),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "network", "{err}");

    let f = f.online();
    let status = f.ok("sync_status", json!({}));
    assert_eq!(status["network"], "online");
    assert_eq!(status["peersOnline"], 0);
    assert_eq!(status["problem"], Value::Null, "{status}");
    let err = f
        .call(
            "create_invite",
            json!({"request": {"role": "member", "expiresHours": 1, "uses": 0}}),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "invalid");
    let invite = f.ok(
        "create_invite",
        json!({"request": {"role": "reader", "expiresHours": 24, "uses": 2}}),
    );
    let ticket = invite["ticket"].as_str().unwrap();
    assert!(ticket.starts_with("loam1"), "{ticket}");
    assert!(invite["qr"].as_str().unwrap().starts_with("LOAM1"));
    let size = invite["qrSize"].as_u64().unwrap();
    assert!(size > 20);
    assert_eq!(
        invite["qrModules"].as_str().unwrap().len() as u64,
        size * size
    );
    assert_eq!(f.ok("members", json!({}))["openInvites"], 1);

    // A pasted ticket, with the line breaks a chat app adds.
    let broken = format!("  {}\n{} ", &ticket[..40], &ticket[40..]);
    let info = f.ok("read_ticket", json!({"ticket": broken}));
    assert_eq!(info["garden"], "Demo garden");
    assert_eq!(info["role"], "reader");
    assert_eq!(info["haveIt"], true);
    // Words for what cannot be used.
    let check = |text: &str, kind: &str, words: &str| {
        let err = f.call("read_ticket", json!({"ticket": text})).unwrap_err();
        assert_eq!(err["kind"], kind, "{err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(words), "{message:?} lacks {words:?}");
    };
    check("", "invalid", "Paste the ticket");
    check("hello", "invalid", "starts with `loam1`");
    check(&ticket[..60], "invalid", "copy");
    let mut expired: loam_node::network::InviteTicket = ticket.parse().unwrap();
    expired.expires_ms = Some(1);
    check(&expired.to_string(), "network", "expired");

    // Managing members: the last facilitator cannot step down.
    let me = members["members"][0]["id"].as_str().unwrap().to_owned();
    let err = f
        .call("set_member_role", json!({"member": me, "role": "reader"}))
        .unwrap_err();
    assert_eq!(err["kind"], "notAllowed", "{err}");
    let err = f
        .call("remove_member", json!({"member": "nobody"}))
        .unwrap_err();
    assert_eq!(err["kind"], "invalid");
}

/// Two apps on one machine (separate data directories, loopback): Bo joins
/// Ana's garden with a ticket, they see each other online, Ana makes Bo a
/// reader (Bo's editor turns read-only, with the reason) and removes him; a
/// used-up ticket and an unreachable inviter are refused in words.
#[test]
fn two_apps_join_sync_and_manage_members() {
    let ana = fixture().ready().online();
    let ticket = ana.invite("member", 1);

    let bo = fixture();
    // The first run without the demo garden: a name, then the ticket.
    let status = bo.ok("finish_first_run", json!({"name": "Bo", "demo": false}));
    assert_eq!(status["ready"], false);
    assert_eq!(status["displayName"], "Bo");
    let bo = bo.online();
    let joined = bo.ok("join_garden", json!({"ticket": ticket}));
    assert_eq!(joined["garden"]["name"], "Demo garden");
    assert_eq!(joined["role"], "member");
    assert!(joined["docs"].as_u64().unwrap() > 0, "{joined}");
    assert_eq!(joined["status"]["ready"], true);
    assert_eq!(joined["status"]["readOnly"], Value::Null);
    let welcome = bo.id_of("Welcome to Loam");
    assert_eq!(welcome, ana.id_of("Welcome to Loam"));

    // Both online to each other, both listed.
    bo.until("sync_status", json!({}), "Bo to see Ana online", |s| {
        s["peersOnline"] == 1 && s["path"] == "direct" && !s["lastSync"].is_null()
    });
    ana.until("sync_status", json!({}), "Ana to see Bo online", |s| {
        s["peersOnline"] == 1
    });
    let members = ana.until("members", json!({}), "both members online", |m| {
        m["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["online"] == true)
    });
    assert_eq!(names_and_roles(&members), ["Ana:facilitator", "Bo:member"]);
    let bo_id = members["members"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(bo.ok("members", json!({}))["canManage"], false);
    let err = bo
        .call(
            "create_invite",
            json!({"request": {"role": "member", "expiresHours": 1, "uses": 1}}),
        )
        .unwrap_err();
    assert_eq!(err["kind"], "notAllowed", "{err}");

    // A change Ana makes reaches Bo.
    ana.ok(
        "create_note",
        json!({"request": {"title": "From Ana", "kind": "note", "folder": "", "body": "hello Bo"}}),
    );
    bo.until("titles", json!({}), "Ana's note at Bo's", |t| {
        t.as_array()
            .unwrap()
            .iter()
            .any(|t| t["title"] == "From Ana")
    });

    // Reader: Bo's app says why it is read-only.
    let members = ana.ok(
        "set_member_role",
        json!({"member": bo_id, "role": "reader"}),
    );
    assert_eq!(names_and_roles(&members), ["Ana:facilitator", "Bo:reader"]);
    let status = bo.until("app_status", json!({}), "Bo to be a reader", |s| {
        s["role"] == "reader"
    });
    let reason = status["readOnly"].as_str().unwrap();
    assert!(
        reason.contains("reader") && reason.contains("Ana"),
        "{reason}"
    );

    // The ticket was good for one: a third member is refused in words.
    let cy = fixture();
    cy.ok("finish_first_run", json!({"name": "Cy", "demo": false}));
    let cy = cy.online();
    let err = cy
        .call("join_garden", json!({"ticket": ticket}))
        .unwrap_err();
    assert_eq!(err["kind"], "network", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("used up"), "{message}");
    assert!(message.contains("new ticket"), "{message}");
    assert!(!message.contains("connection"), "{message}");

    // Removed: Ana's peers refuse Bo from now on, and Bo's footer says so
    // in words. Bo is sent the entry that removed him first, so his own
    // app knows he is no longer a member.
    let members = ana.ok("remove_member", json!({"member": bo_id}));
    assert_eq!(names_and_roles(&members), ["Ana:facilitator"]);
    bo.until(
        "sync_status",
        json!({}),
        "Bo to be refused, in words",
        |s| {
            s["peersOnline"] == 0
                && s["problem"] == "Refused by Ana: you were removed from this garden"
        },
    );
    bo.until(
        "members",
        json!({}),
        "Bo's app to know he was removed",
        |m| !names_and_roles(m).iter().any(|n| n.starts_with("Bo:")),
    );

    // Ana goes offline: a fresh ticket cannot reach her.
    let ticket = ana.invite("member", 1);
    loam_desktop::network::stop(&ana.state());
    assert_eq!(ana.ok("sync_status", json!({}))["network"], "stopped");
    let err = cy
        .call("join_garden", json!({"ticket": ticket}))
        .unwrap_err();
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("Cannot reach"), "{message}");
}
