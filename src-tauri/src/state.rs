//! What the app holds while it runs: the node, the garden shown, the
//! editor sessions and the UI's event channels.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use loam_node::{DocId, Event, Garden, Node, NodeError};
use tauri::ipc::Channel;

use crate::dto::{AppEvent, AppStatus, CommandError, GardenDto};
use crate::editor::Editors;
use crate::network::NetState;

/// The name of the garden planted on the first run.
pub const DEMO_GARDEN: &str = "Demo garden";

/// The app's state, managed by Tauri.
pub struct AppState {
    node: Arc<Node>,
    garden: RwLock<Option<Arc<Garden>>>,
    /// Open editor sessions.
    pub editors: Editors,
    listeners: Mutex<Vec<Channel<AppEvent>>>,
    closing: std::sync::atomic::AtomicBool,
    /// The node on the network, and sync status.
    pub net: NetState,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("node", &self.node)
            .field("editors", &self.editors)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Open the data directory (created if needed) and its default garden,
    /// if it has one.
    pub fn open(data_dir: PathBuf) -> Result<Self, NodeError> {
        let node = Node::open(data_dir)?;
        let garden = match node.default_garden() {
            Ok(garden) => Some(garden),
            Err(NodeError::NoGarden) => None,
            Err(e) => return Err(e),
        };
        Ok(Self {
            node: Arc::new(node),
            garden: RwLock::new(garden),
            editors: Editors::default(),
            listeners: Mutex::new(Vec::new()),
            closing: std::sync::atomic::AtomicBool::new(false),
            net: NetState::default(),
        })
    }

    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The garden shown; an error until the first run is finished.
    pub fn garden(&self) -> Result<Arc<Garden>, CommandError> {
        match (self.shown(), self.node.display_name()) {
            (Some(garden), Some(_)) => Ok(garden),
            _ => Err(CommandError::not_ready()),
        }
    }

    /// The garden shown, if any, first run finished or not.
    pub fn shown(&self) -> Option<Arc<Garden>> {
        self.garden
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Show `garden` from now on, and make it the default when there was
    /// none to show.
    pub fn show(&self, garden: Arc<Garden>) -> Result<(), CommandError> {
        let mut shown = self.garden.write().unwrap_or_else(PoisonError::into_inner);
        if shown.is_none() {
            self.node.set_default_garden(garden.id())?;
        }
        *shown = Some(garden);
        Ok(())
    }

    /// Show `garden` from now on, and open it first when the app next
    /// starts (the garden switcher).
    pub fn switch_to(&self, garden: Arc<Garden>) -> Result<(), CommandError> {
        let mut shown = self.garden.write().unwrap_or_else(PoisonError::into_inner);
        self.node.set_default_garden(garden.id())?;
        *shown = Some(garden);
        Ok(())
    }

    /// What the UI should show.
    pub fn status(&self) -> AppStatus {
        let garden = self.shown();
        let display_name = self.node.display_name();
        let role = garden
            .as_ref()
            .and_then(|g| g.my_role().ok().flatten())
            .map(Into::into);
        let read_only = garden
            .as_ref()
            .and_then(|g| g.check_can_write().err())
            .map(|e| e.to_string());
        AppStatus {
            role,
            read_only,
            ready: garden.is_some() && display_name.is_some(),
            display_name,
            member_id: self.node.member_id().to_string(),
            garden: garden.map(|g| GardenDto {
                id: g.id().to_string(),
                name: g.name().to_owned(),
            }),
            data_dir: self.node.data_dir().display().to_string(),
        }
    }

    /// The first run: the member's display name, and the demo garden
    /// planted if there is no garden yet (unless `demo` is false: the
    /// member joins a garden instead).
    pub fn finish_first_run(&self, name: &str, demo: bool) -> Result<AppStatus, CommandError> {
        if name.trim().is_empty() {
            return Err(CommandError::new(
                crate::dto::ErrorKind::Invalid,
                "a display name cannot be empty",
            ));
        }
        self.node.set_display_name(name)?;
        if !demo {
            return Ok(self.status());
        }
        let mut garden = self.garden.write().unwrap_or_else(PoisonError::into_inner);
        if garden.is_none() {
            *garden = Some(self.node.create_demo_garden(DEMO_GARDEN)?);
        }
        drop(garden);
        Ok(self.status())
    }

    /// Send the UI's view of events to `channel` from now on.
    pub fn listen(&self, channel: Channel<AppEvent>) {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(channel);
    }

    /// The window was asked to close. True the first time when a UI
    /// listens: it is told to send what its editor holds (and then closes
    /// the window itself); false when the window may close at once.
    pub fn begin_closing(&self) -> bool {
        let listening = !self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty();
        if !listening || self.closing.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        self.send(&AppEvent::Closing);
        true
    }

    /// Send `event` to every listening UI.
    pub fn send(&self, event: &AppEvent) {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|channel| channel.send(event.clone()).is_ok());
    }

    /// Pass a node event on: to the editor sessions of its document and to
    /// the UI's listeners (a listener whose webview is gone is dropped).
    pub fn dispatch(&self, event: &Event) {
        if let Event::DocChanged { doc, .. } = event {
            // The manifest or a journal: community views reload, the note
            // list does not.
            let community = self
                .shown()
                .and_then(|g| g.community_document(*doc).ok().flatten())
                .is_some();
            if community {
                self.send(&AppEvent::CommunityChanged);
                return;
            }
            self.editors.changed(*doc);
        }
        if let Some(app_event) = AppEvent::from_event(event) {
            self.send(&app_event);
        }
    }
}

/// A document id the UI sent.
pub fn parse_id(id: &str) -> Result<DocId, CommandError> {
    id.parse().map_err(|_| CommandError::bad_id(id))
}
