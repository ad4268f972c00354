//! Declares the app's commands so that the capability files can allow
//! each by name (and nothing undeclared can be invoked).

/// Must equal `loam_desktop::COMMANDS` (a test checks the capability file).
const COMMANDS: &[&str] = &[
    "app_status",
    "finish_first_run",
    "list_notes",
    "get_note",
    "render_note",
    "titles",
    "search",
    "backlinks",
    "unlinked_mentions",
    "link_mention",
    "outgoing_links",
    "resolve_link",
    "tags",
    "history",
    "history_changes",
    "version_at",
    "restore_version",
    "create_note",
    "rename_note",
    "archive_note",
    "restore_note",
    "editor_open",
    "editor_load",
    "editor_sync",
    "editor_close",
    "subscribe_events",
    "close_window",
    "sync_status",
    "members",
    "set_member_role",
    "remove_member",
    "create_invite",
    "read_ticket",
    "join_garden",
    "permissions",
    "community_index",
    "index_edit",
    "discussion",
    "discussion_write",
    "open_threads",
    "guidelines",
    "acknowledge_guidelines",
    "set_guidelines",
    "directory",
    "reading_paths",
    "mark_read",
    "path_edit",
    "moderation",
    "moderate",
    "garden_stats",
    "link_graph",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
