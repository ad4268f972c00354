//! Loam's desktop app: the Tauri shell over loam-node.
//!
//! The shell owns no logic of its own: it opens the node on the OS app
//! data directory (or `LOAM_DATA_DIR`), answers the UI's commands
//! ([`commands`]) with the wire types of [`dto`], runs the editor's
//! Automerge sync sessions ([`editor`]) and passes the node's events on
//! ([`state`]), answers the community layer's commands ([`community`]:
//! roles, the curated index, discussion, guidelines, the directory, reading
//! paths, moderation, the dashboard and the graph), serves attachments to
//! the preview ([`attachments`]), and
//! puts the node on the network while a garden is open ([`network`], with
//! joining by ticket in [`join`]). The UI (Svelte, in `ui/`) is served from
//! inside the binary.
//!
//! Only this crate knows Tauri; it depends on loam-node alone.

pub mod attachments;
pub mod commands;
pub mod community;
pub mod dto;
pub mod editor;
mod error;
pub mod join;
pub mod network;
mod qr;
pub mod rendering;
pub mod state;

use std::path::PathBuf;

use tauri::{Manager, Runtime};

use crate::state::AppState;

/// Where the data lives when this is set (tests, benchmarks, a second
/// instance beside the first).
pub const DATA_DIR_ENV: &str = "LOAM_DATA_DIR";

/// How long a closing window waits for the UI to send its last edits.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

include!("command_names.rs");

/// `builder` with every command registered, for any runtime (the tests use
/// Tauri's mock runtime and its builder).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    use commands::*;
    builder
        .register_asynchronous_uri_scheme_protocol(attachments::SCHEME, attachments::handle)
        .invoke_handler(tauri::generate_handler![
            app_status,
            finish_first_run,
            list_notes,
            get_note,
            render_note,
            titles,
            search,
            backlinks,
            unlinked_mentions,
            link_mention,
            outgoing_links,
            resolve_link,
            tags,
            history,
            history_changes,
            version_at,
            restore_version,
            create_note,
            rename_note,
            archive_note,
            restore_note,
            editor_open,
            editor_load,
            editor_sync,
            editor_close,
            subscribe_events,
            close_window,
            sync_status,
            members,
            set_member_role,
            remove_member,
            create_invite,
            read_ticket,
            join_garden,
            list_gardens,
            switch_garden,
            create_garden,
            community::permissions,
            community::community_index,
            community::index_edit,
            community::discussion,
            community::discussion_write,
            community::open_threads,
            community::guidelines,
            community::acknowledge_guidelines,
            community::set_guidelines,
            community::directory,
            community::reading_paths,
            community::mark_read,
            community::path_edit,
            community::moderation,
            community::moderate,
            community::garden_stats,
            community::link_graph,
        ])
}

/// Open the node in `data_dir`, manage it as the app's state and pass its
/// events on for as long as the node lives.
pub fn manage_node<R: Runtime>(
    app: &tauri::AppHandle<R>,
    data_dir: PathBuf,
) -> Result<(), loam_node::NodeError> {
    let state = AppState::open(data_dir)?;
    let mut events = state.node().subscribe();
    app.manage(state);
    let handle = app.clone();
    std::thread::Builder::new()
        .name("loam-events".into())
        .spawn(move || {
            use tokio::sync::broadcast::error::RecvError;
            // Ends when the node (and with it the sender) is gone.
            loop {
                match events.blocking_recv() {
                    Ok(event) => handle.state::<AppState>().dispatch(&event),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                }
            }
        })
        .map_err(|source| loam_node::NodeError::DataDir {
            path: PathBuf::new(),
            source,
        })?;
    Ok(())
}

/// Run the app until its window closes: the network starts once a garden
/// is shown and stops (saying goodbye to peers) when the app exits.
pub fn run() -> Result<(), tauri::Error> {
    let app = with_commands(tauri::Builder::<tauri::Wry>::new())
        .setup(|app| {
            let data_dir = match std::env::var_os(DATA_DIR_ENV) {
                Some(dir) => PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            manage_node(app.handle(), data_dir)?;
            app.state::<AppState>().net.start_automatically();
            network::start_in_background(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.state::<AppState>().begin_closing()
            {
                // The UI sends its editor's last edits, then closes the
                // window; if it cannot, the window closes anyway.
                api.prevent_close();
                let window = window.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(CLOSE_GRACE);
                    let _ = window.destroy();
                });
            }
        })
        .build(tauri::generate_context!())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event
            && let Some(state) = handle.try_state::<AppState>()
        {
            network::stop(&state);
        }
    });
    Ok(())
}
