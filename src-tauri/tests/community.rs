//! The community layer's commands as the UI calls them, through Tauri's
//! mock runtime: what a role allows and why not, the curated index,
//! discussion and kudos, guidelines, the directory, reading paths,
//! moderation, the dashboard and the graph; then two apps over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Fixture {
    _dir: tempfile::TempDir,
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
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

impl Fixture {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "http://localhost:5173".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// `cmd` fails as `kind`, with `words` in its message.
    fn refused(&self, cmd: &str, args: Value, kind: &str, words: &str) {
        let err = self.call(cmd, args).unwrap_err();
        assert_eq!(err["kind"], kind, "{cmd}: {err}");
        let message = err["message"].as_str().unwrap();
        assert!(
            message.contains(words),
            "{cmd}: {message:?} lacks {words:?}"
        );
    }

    fn ready(self, name: &str) -> Self {
        self.ok("finish_first_run", json!({"name": name}));
        self
    }

    fn page(&self, title: &str, body: &str) -> String {
        self.ok(
            "create_note",
            json!({"request": {"title": title, "kind": "page", "folder": "", "body": body}}),
        )
        .as_str()
        .unwrap()
        .to_owned()
    }

    fn note(&self, title: &str, body: &str) -> String {
        self.ok(
            "create_note",
            json!({"request": {"title": title, "kind": "note", "folder": "", "body": body}}),
        )
        .as_str()
        .unwrap()
        .to_owned()
    }

    fn index(&self, edit: Value) -> Value {
        self.ok("index_edit", json!({ "edit": edit }))
    }

    fn say(&self, write: Value) -> Value {
        self.ok("discussion_write", json!({ "write": write }))
    }

    fn id_of(&self, title: &str) -> String {
        let link = self.ok("resolve_link", json!({"target": title}));
        link["id"].as_str().unwrap().to_owned()
    }

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
}

/// The position of the section titled `title` (the demo garden has three
/// before any a test adds).
fn section_at(index: &Value, title: &str) -> usize {
    index["sections"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["title"] == title)
        .unwrap_or_else(|| panic!("no section {title:?} in {index}"))
}

/// Titles of a section's entries, in order, `*` marking featured ones.
fn entries(index: &Value, section: usize) -> Vec<String> {
    index["sections"][section]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let star = if e["featured"].is_null() { "" } else { "*" };
            format!("{}{star}", e["title"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn a_facilitator_curates_the_index() {
    let f = fixture().ready("Ana");
    let perms = f.ok("permissions", json!({}));
    assert_eq!(perms["role"], "facilitator");
    assert_eq!(perms["curate"], true);
    assert_eq!(perms["curateWhy"], Value::Null);

    let soil = f.page("Soil", "about soil");
    let water = f.page("Water", "about water");
    let seeds = f.page("Seeds", "about seeds");
    // The demo garden's own sections come first.
    let demo = f.ok("community_index", json!({}))["sections"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(demo, 3);
    let index = f.index(json!({"op": "addSection", "title": "Soil basics"}));
    let at = section_at(&index, "Soil basics");
    assert_eq!(at, demo, "a new section goes last");
    let section = index["sections"][at]["id"].as_str().unwrap().to_owned();
    for doc in [&soil, &water, &seeds] {
        f.index(json!({"op": "addEntry", "section": section, "doc": doc, "at": null}));
    }
    // Drag and drop (or the keyboard): Seeds to the top.
    let index = f.index(json!({"op": "moveEntry", "section": section, "doc": seeds, "to": 0}));
    assert_eq!(entries(&index, at), ["Seeds", "Soil", "Water"]);
    let index = f.index(json!({"op": "feature", "doc": soil, "reason": "the clearest intro"}));
    assert_eq!(entries(&index, at), ["Seeds", "Soil*", "Water"]);
    assert_eq!(
        index["sections"][at]["entries"][1]["featured"],
        "the clearest intro"
    );
    assert_eq!(
        index["sections"][at]["entries"][1]["addedBy"]["name"],
        "Ana"
    );
    assert_eq!(index["sections"][at]["entries"][1]["addedBy"]["you"], true);
    f.refused(
        "index_edit",
        json!({"edit": {"op": "feature", "doc": water, "reason": "  "}}),
        "invalid",
        "reason is shown to everyone",
    );
    let index = f.index(json!({"op": "renameSection", "section": section, "title": "Begin here"}));
    assert_eq!(index["sections"][at]["title"], "Begin here");
    let index = f.index(json!({"op": "removeEntry", "section": section, "doc": water}));
    assert_eq!(entries(&index, at), ["Seeds", "Soil*"]);

    // A suggestion, accepted; another, declined.
    f.index(json!({"op": "suggest", "doc": water, "section": section, "reason": "asked often"}));
    let index = f.ok("community_index", json!({}));
    let suggestion = &index["suggestions"][0];
    assert_eq!(suggestion["title"], "Water");
    assert_eq!(suggestion["reason"], "asked often");
    assert_eq!(suggestion["by"]["name"], "Ana");
    let index = f.index(json!({"op": "accept", "suggestion": suggestion["id"], "section": null}));
    assert_eq!(entries(&index, at), ["Seeds", "Soil*", "Water"]);
    assert!(index["suggestions"].as_array().unwrap().is_empty());
    let compost = f.note("Compost", "");
    let index = f.index(json!({"op": "suggest", "doc": compost, "section": null, "reason": "fun"}));
    let index = f.index(
        json!({"op": "decline", "suggestion": index["suggestions"][0]["id"], "note": "not yet"}),
    );
    assert!(index["suggestions"].as_array().unwrap().is_empty());
    f.refused(
        "index_edit",
        json!({"edit": {"op": "removeSection", "section": "nowhere"}}),
        "notFound",
        "no section `nowhere`",
    );
    let index = f.index(json!({"op": "removeSection", "section": section}));
    assert_eq!(index["sections"].as_array().unwrap().len(), demo);
}

fn thread_titled<'a>(discussion: &'a Value, title: &str) -> &'a Value {
    discussion["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == title)
        .unwrap()
}

#[test]
fn discussion_kudos_guidelines_paths_and_moderation() {
    let f = fixture().ready("Ana");
    let soil = f.page("Soil", "about soil");
    let clay = f.note("Clay", "clay is fine soil");

    // A thread with a mention, a comment and a reply; resolved.
    let thread = f.say(json!({"op": "open", "doc": soil, "title": "Sources?", "text": "where from, @Ana?", "question": false}));
    let thread = thread.as_str().unwrap().to_owned();
    let comment =
        f.say(json!({"op": "comment", "thread": thread, "text": "the archive", "reply": null}));
    f.say(json!({"op": "comment", "thread": thread, "text": "which one?", "reply": comment}));
    let question = f.say(
        json!({"op": "open", "doc": soil, "title": "What is clay?", "text": "", "question": true}),
    );
    // The demo garden's question is open from the start.
    let titles = |open: &Value, list: &str| -> Vec<String> {
        open[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                format!(
                    "{} ({})",
                    t["title"].as_str().unwrap(),
                    t["docTitle"].as_str().unwrap()
                )
            })
            .collect()
    };
    let demo_question = "Does lime belong in the heap? (Compost heap)";
    let open = f.ok("open_threads", json!({}));
    assert_eq!(open["unresolved"].as_array().unwrap().len(), 3);
    assert_eq!(
        titles(&open, "unanswered"),
        [demo_question, "What is clay? (Soil)"],
        "oldest first"
    );
    f.say(json!({"op": "answer", "question": question, "note": clay, "text": "see Clay"}));
    f.say(json!({"op": "resolve", "thread": thread, "resolved": true}));
    let open = f.ok("open_threads", json!({}));
    assert_eq!(titles(&open, "unanswered"), [demo_question], "{open}");
    assert_eq!(open["unresolved"].as_array().unwrap().len(), 2);

    let d = f.ok("discussion", json!({"doc": soil}));
    let t = thread_titled(&d, "Sources?");
    assert_eq!(t["title"], "Sources?");
    assert_eq!(t["mentions"][0]["name"], "Ana");
    assert_eq!(t["resolvedBy"]["name"], "Ana");
    assert_eq!(t["canResolve"], true);
    let reply = t["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == "which one?")
        .unwrap();
    assert_eq!(reply["replyTo"], comment);
    assert_eq!(
        thread_titled(&d, "What is clay?")["answers"][0]["noteTitle"],
        "Clay"
    );
    // Kudos are for others.
    f.refused(
        "discussion_write",
        json!({"write": {"op": "kudos", "target": {"kind": "doc", "id": soil}, "message": ""}}),
        "invalid",
        "kudos are for others",
    );

    // Guidelines: the demo's, acknowledged when planted; rewritten,
    // acknowledged, changed.
    let g = f.ok("guidelines", json!({}));
    assert_eq!(g["version"], 1);
    assert_eq!(g["needsAck"], false);
    let g = f.ok("set_guidelines", json!({"text": "Be kind.\nCite sources."}));
    assert_eq!(g["version"], 2);
    assert_eq!(g["needsAck"], true);
    let g = f.ok("acknowledge_guidelines", json!({}));
    assert_eq!(g["needsAck"], false);
    assert_eq!(g["acks"][0]["version"], 2);
    let g = f.ok(
        "set_guidelines",
        json!({"text": "Be kind.\nCite your sources."}),
    );
    assert_eq!(g["needsAck"], true);
    let changed: Vec<String> = g["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}{}",
                l["tag"].as_str().unwrap(),
                l["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changed,
        [" Be kind.", "-Cite sources.", "+Cite your sources."]
    );

    // A reading path (after the demo's), read halfway.
    let paths = f.ok(
        "path_edit",
        json!({"edit": {"op": "add", "title": "Newcomers", "pages": [soil, clay]}}),
    );
    assert_eq!(paths[0]["title"], "First steps");
    assert_eq!(paths[1]["total"], 2);
    let paths = f.ok("mark_read", json!({"doc": soil, "read": true}));
    assert_eq!(paths[1]["read"], 1);
    assert_eq!(paths[1]["pages"][0]["read"], true);
    assert_eq!(paths[1]["pages"][1]["title"], "Clay");

    // Moderation: a flag, dismissed; a page archived; both in the log.
    let said = f.ok(
        "moderate",
        json!({"act": {"op": "flag", "target": {"kind": "doc", "id": clay}, "reason": "spam?"}}),
    );
    assert_eq!(said, "Flagged for the facilitators");
    let m = f.ok("moderation", json!({}));
    assert_eq!(m["flags"][0]["what"], "“Clay”");
    assert_eq!(m["flags"][0]["reason"], "spam?");
    let flag = m["flags"][0]["id"].clone();
    f.ok(
        "moderate",
        json!({"act": {"op": "dismiss", "flag": flag, "note": "fine"}}),
    );
    f.ok(
        "moderate",
        json!({"act": {"op": "hide", "target": {"kind": "comment", "id": comment}, "reason": "off topic"}}),
    );
    f.ok(
        "moderate",
        json!({"act": {"op": "archive", "doc": clay, "reason": "duplicate"}}),
    );
    let m = f.ok("moderation", json!({}));
    assert!(m["flags"].as_array().unwrap().is_empty());
    let actions: Vec<&str> = m["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["archive", "hide", "dismiss-flag"]);
    assert_eq!(m["log"][0]["what"], "“Clay”");
    assert_eq!(m["log"][0]["reason"], "duplicate");
    assert!(
        m["log"][1]["what"].as_str().unwrap().contains("Sources?"),
        "{m}"
    );
    let d = f.ok("discussion", json!({"doc": soil}));
    let hidden = thread_titled(&d, "Sources?")["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == comment)
        .unwrap();
    assert_eq!(hidden["hidden"], "off topic");

    // The dashboard and the graph.
    let stats = f.ok("garden_stats", json!({}));
    assert_eq!(stats["kinds"][0], "note");
    assert_eq!(
        stats["questionsOpened"], 2,
        "the demo's question and this one"
    );
    assert_eq!(stats["questionsAnswered"], 1);
    assert!(stats["contributions"].as_u64().unwrap() >= 5, "{stats}");
    assert_eq!(
        stats["weeks"][0]["byKind"].as_array().unwrap().len(),
        stats["kinds"].as_array().unwrap().len()
    );
    let graph = f.ok("link_graph", json!({}));
    let nodes = graph["nodes"].as_array().unwrap();
    let soil_node = nodes.iter().find(|n| n["title"] == "Soil").unwrap();
    let creator = soil_node["creator"].as_u64().unwrap() as usize;
    assert_eq!(graph["members"][creator]["name"], "Ana");
    // Links are positions in `nodes`: the demo's Welcome links to Tags.
    let at = |title: &str| nodes.iter().position(|n| n["title"] == title).unwrap() as u64;
    assert!(
        graph["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e[0] == at("Welcome to Loam") && e[1] == at("Tags")),
        "{}",
        graph["edges"]
    );
    assert!(
        !graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == "Clay"),
        "archived documents are left out"
    );
    assert_eq!(graph["members"][0]["name"], "Ana");
}

/// Two apps over loopback: Ana (facilitator) features a page and Bo sees
/// why; Bo gives kudos and Ana's profile shows it; Bo, made a reader, is
/// refused the index in words and told why beforehand.
#[test]
fn two_apps_feature_kudos_and_a_reader_refused() {
    let ana = fixture().ready("Ana").online();
    let soil = ana.page("Soil", "about soil");
    let index = ana.index(json!({"op": "addSection", "title": "Soil basics"}));
    let section = index["sections"][section_at(&index, "Soil basics")]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ana.index(json!({"op": "addEntry", "section": section, "doc": soil, "at": null}));
    ana.index(json!({"op": "feature", "doc": soil, "reason": "the clearest intro"}));
    let invite = ana.ok(
        "create_invite",
        json!({"request": {"role": "member", "expiresHours": 24, "uses": 1}}),
    );

    let bo = fixture();
    bo.ok("finish_first_run", json!({"name": "Bo", "demo": false}));
    let bo = bo.online();
    bo.ok("join_garden", json!({"ticket": invite["ticket"]}));
    let index = bo.until("community_index", json!({}), "the index at Bo's", |i| {
        i["sections"].as_array().unwrap().iter().any(|s| {
            s["title"] == "Soil basics" && s["entries"][0]["featured"] == "the clearest intro"
        })
    });
    assert_eq!(
        entries(&index, section_at(&index, "Soil basics")),
        ["Soil*"]
    );
    // The demo's guidelines reach the newcomer, who is asked to read them.
    let g = bo.until("guidelines", json!({}), "the guidelines at Bo's", |g| {
        g["version"] == 1
    });
    assert_eq!(g["needsAck"], true);
    let g = bo.ok("acknowledge_guidelines", json!({}));
    assert_eq!(g["needsAck"], false);
    let perms = bo.ok("permissions", json!({}));
    assert_eq!(perms["role"], "member");
    assert_eq!(perms["discuss"], true);
    assert!(
        perms["curateWhy"]
            .as_str()
            .unwrap()
            .contains("only facilitators can arrange the index"),
        "{perms}"
    );
    bo.refused(
        "index_edit",
        json!({"edit": {"op": "addSection", "title": "Mine"}}),
        "notAllowed",
        "only facilitators",
    );

    // Kudos from Bo reach Ana's profile.
    let soil_at_bo = bo.id_of("Soil");
    bo.say(json!({"op": "kudos", "target": {"kind": "doc", "id": soil_at_bo}, "message": "lovely page"}));
    let dir = ana.until("directory", json!({}), "Bo's kudos at Ana's", |d| {
        d.as_array().unwrap().iter().any(|p| {
            p["member"]["name"] == "Ana" && p["kudosReceived"][0]["message"] == "lovely page"
        })
    });
    let ana_profile = dir
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["member"]["name"] == "Ana")
        .unwrap();
    assert_eq!(ana_profile["kudosReceived"][0]["from"]["name"], "Bo");
    assert_eq!(ana_profile["kudosReceived"][0]["what"], "Soil");
    assert!(
        ana_profile["pagesStarted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["title"] == "Soil"),
        "{ana_profile}"
    );

    // Bo a reader: told why before trying, refused in words if he does.
    let members = ana.ok("members", json!({}));
    let bo_id = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Bo")
        .unwrap()["id"]
        .clone();
    ana.ok(
        "set_member_role",
        json!({"member": bo_id, "role": "reader"}),
    );
    let perms = bo.until("permissions", json!({}), "Bo to be a reader", |p| {
        p["role"] == "reader"
    });
    assert_eq!(perms["discuss"], false);
    assert_eq!(perms["markRead"], true);
    let why = perms["curateWhy"].as_str().unwrap();
    assert!(
        why.contains("you are a reader") && why.contains("Ana"),
        "{why}"
    );
    assert!(perms["discussWhy"].as_str().unwrap().contains("reader"));
    bo.refused(
        "index_edit",
        json!({"edit": {"op": "suggest", "doc": soil_at_bo, "section": null, "reason": "x"}}),
        "notAllowed",
        "you are a reader",
    );
    // A reader still reads: marks read and acknowledges.
    bo.ok("mark_read", json!({"doc": soil_at_bo, "read": true}));
}
