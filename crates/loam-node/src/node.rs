//! The node: one install's data directory and the gardens in it.
//!
//! ```text
//! <data dir>/
//!   identity.key               the member's secret key (mode 0600, see identity)
//!   settings.json              the member's settings (default garden, name)
//!   gardens/<garden id>/garden.db   one SQLite database per garden
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use loam_core::{Entry, EntryHash, GardenId, MemberId, MemberKey, MembershipLog};
use loam_store::Store;
use tokio::sync::broadcast;

use crate::config::Config;
use crate::events::{CAPACITY, Event};
use crate::garden::{Garden, GardenInfo};
use crate::identity::Identity;
use crate::members::{load_log, member_name, random_nonce};
use crate::{NodeError, demo, time};

const GARDENS: &str = "gardens";
const DATABASE: &str = "garden.db";

/// One install's data directory: its gardens, settings and event stream.
#[derive(Debug)]
pub struct Node {
    data_dir: PathBuf,
    identity: Identity,
    config: Mutex<Config>,
    open: Mutex<HashMap<GardenId, Arc<Garden>>>,
    events: broadcast::Sender<Event>,
}

impl Node {
    /// Open (creating if needed) the data directory and the member's
    /// identity in it (see [`crate::identity`]). Loads no garden.
    pub fn open(data_dir: impl Into<PathBuf>) -> Result<Self, NodeError> {
        let data_dir = data_dir.into();
        create_private_dir(&data_dir).map_err(|source| NodeError::DataDir {
            path: data_dir.clone(),
            source,
        })?;
        let gardens = data_dir.join(GARDENS);
        std::fs::create_dir_all(&gardens).map_err(|source| NodeError::DataDir {
            path: gardens,
            source,
        })?;
        let identity = Identity::load_or_create(&data_dir)?;
        let config = Config::load(&data_dir)?;
        let (events, _) = broadcast::channel(CAPACITY);
        Ok(Self {
            data_dir,
            identity,
            config: Mutex::new(config),
            open: Mutex::new(HashMap::new()),
            events,
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Receive every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    fn config(&self) -> MutexGuard<'_, Config> {
        self.config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// This install's member: the public key of its identity, which every
    /// change made here is attributed to.
    pub fn member_id(&self) -> MemberId {
        self.identity.member()
    }

    /// This install's signing key (the network layer's endpoint key is
    /// made from its seed).
    pub fn member_key(&self) -> &MemberKey {
        self.identity.key()
    }

    /// The name this member founds and joins gardens with: the display
    /// name, or the short member id.
    fn founder_name(&self) -> String {
        member_name(self.display_name(), self.member_id())
    }

    /// The member's display name, if set.
    pub fn display_name(&self) -> Option<String> {
        self.config().display_name.clone()
    }

    /// Set the name shown to other members.
    pub fn set_display_name(&self, name: &str) -> Result<(), NodeError> {
        let mut config = self.config();
        config.display_name = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
        config.save(&self.data_dir)
    }

    fn garden_dir(&self, id: GardenId) -> PathBuf {
        self.data_dir.join(GARDENS).join(id.to_string())
    }

    /// Create a garden: found its membership log (this member is its
    /// facilitator) and derive its id from the log's genesis. The first
    /// garden becomes the default one.
    pub fn create_garden(&self, name: &str) -> Result<Arc<Garden>, NodeError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(NodeError::EmptyGardenName);
        }
        if self
            .gardens()?
            .iter()
            .any(|g| g.name.eq_ignore_ascii_case(name))
        {
            return Err(NodeError::GardenExists(name.to_owned()));
        }
        let (log, genesis) = MembershipLog::found(
            self.member_key(),
            name,
            &self.founder_name(),
            time::now(),
            random_nonce(GardenId::from_bytes([0; 16]))?,
        )?;
        let id = log.garden();
        let garden = self.add_garden(id, name, log, &[&genesis])?;
        {
            let mut config = self.config();
            if config.default_garden.is_none() {
                config.default_garden = Some(id);
                config.save(&self.data_dir)?;
            }
        }
        let _ = self.events.send(Event::GardenCreated {
            garden: id,
            name: name.to_owned(),
        });
        Ok(garden)
    }

    /// Make the directory and database of garden `id` holding `entries`
    /// of `log`, and open it.
    fn add_garden(
        &self,
        id: GardenId,
        name: &str,
        log: MembershipLog,
        entries: &[&Entry],
    ) -> Result<Arc<Garden>, NodeError> {
        let dir = self.garden_dir(id);
        std::fs::create_dir_all(&dir).map_err(|source| NodeError::DataDir {
            path: dir.clone(),
            source,
        })?;
        let mut store = Store::open(&dir.join(DATABASE))?;
        store.set_meta("id", &id.to_string())?;
        store.set_meta("name", name)?;
        let rows: Vec<(EntryHash, &[u8])> =
            entries.iter().map(|e| (e.hash(), e.encoded())).collect();
        store.add_membership_entries(&rows)?;
        let garden = Arc::new(Garden::new(
            id,
            name.to_owned(),
            store,
            self.member_key().clone(),
            log,
            self.events.clone(),
        ));
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id, garden.clone());
        Ok(garden)
    }

    /// Add a garden this member joins, from its membership log as received
    /// from a member (encoded entries, the genesis among them). The
    /// garden's id is derived from the genesis; a garden held already is
    /// opened, with the entries added to its log.
    pub fn join_garden(&self, entries: &[&[u8]]) -> Result<Arc<Garden>, NodeError> {
        let decoded = entries
            .iter()
            .map(|bytes| Entry::decode(bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let log = MembershipLog::from_entries(decoded)?;
        let id = log.garden();
        if self.garden_dir(id).join(DATABASE).exists() {
            let garden = self.garden_by_id(id)?;
            garden.add_membership_entries(entries)?;
            return Ok(garden);
        }
        let name = log.state().garden_name().to_owned();
        let all: Vec<Entry> = log.entries().cloned().collect();
        let refs: Vec<&Entry> = all.iter().collect();
        let garden = self.add_garden(id, &name, log, &refs)?;
        let _ = self.events.send(Event::GardenCreated { garden: id, name });
        Ok(garden)
    }

    /// The redeem entry by which this member joins `garden` with the invite
    /// whose secret seed is `invite_seed` (from the ticket), on `parents`
    /// (at least the invite entry's hash, from the ticket), named by the
    /// display name (or short id). Encoded, for the hello to a member.
    pub fn redeem_entry(
        &self,
        invite_seed: &[u8; 32],
        garden: GardenId,
        parents: Vec<EntryHash>,
    ) -> Result<Vec<u8>, NodeError> {
        let entry = Entry::redeem(
            self.member_key(),
            invite_seed,
            garden,
            parents,
            &self.founder_name(),
            time::now(),
        )?;
        Ok(entry.encoded().to_vec())
    }

    /// Create a garden filled with the demo notes (see [`demo`]).
    pub fn create_demo_garden(&self, name: &str) -> Result<Arc<Garden>, NodeError> {
        let garden = self.create_garden(name)?;
        demo::plant(&garden)?;
        Ok(garden)
    }

    /// The ids of the gardens on disk, in no particular order.
    pub(crate) fn garden_ids(&self) -> Result<Vec<GardenId>, NodeError> {
        let dir = self.data_dir.join(GARDENS);
        let entries = std::fs::read_dir(&dir).map_err(|source| NodeError::DataDir {
            path: dir.clone(),
            source,
        })?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| NodeError::DataDir {
                path: dir.clone(),
                source,
            })?;
            let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<GardenId>().ok())
            else {
                continue;
            };
            if entry.path().join(DATABASE).exists() {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Every garden, by name.
    pub fn gardens(&self) -> Result<Vec<GardenInfo>, NodeError> {
        let default = self.config().default_garden;
        let mut out = Vec::new();
        for id in self.garden_ids()? {
            let info = self
                .garden_by_id(id)
                .and_then(|g| g.info(default == Some(id)));
            out.push(info.unwrap_or_else(|e| GardenInfo {
                id,
                name: id.to_string(),
                docs: 0,
                default: default == Some(id),
                problem: Some(e.to_string()),
            }));
        }
        out.sort_by_key(|g| g.name.to_lowercase());
        Ok(out)
    }

    /// The garden with this id, opened once and shared.
    pub fn garden_by_id(&self, id: GardenId) -> Result<Arc<Garden>, NodeError> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(garden) = open.get(&id) {
            return Ok(garden.clone());
        }
        let path = self.garden_dir(id).join(DATABASE);
        if !path.exists() {
            return Err(NodeError::UnknownGarden {
                name: id.to_string(),
                available: Vec::new(),
            });
        }
        let mut store = Store::open(&path)?;
        let name = store.meta("name")?.unwrap_or_else(|| id.to_string());
        let log = load_log(
            &mut store,
            id,
            &name,
            self.member_key(),
            &self.founder_name(),
        )?;
        let garden = Arc::new(Garden::new(
            id,
            name,
            store,
            self.member_key().clone(),
            log,
            self.events.clone(),
        ));
        open.insert(id, garden.clone());
        Ok(garden)
    }

    /// The garden named `selector` (name, ignoring case, or id, or a prefix of
    /// an id of at least 4 digits).
    pub fn garden(&self, selector: &str) -> Result<Arc<Garden>, NodeError> {
        let gardens = self.gardens()?;
        let selector = selector.trim();
        let by_name: Vec<&GardenInfo> = gardens
            .iter()
            .filter(|g| g.name.eq_ignore_ascii_case(selector))
            .collect();
        let found = match by_name.as_slice() {
            [one] => Some(one.id),
            _ => {
                let lower = selector.to_ascii_lowercase();
                let by_id: Vec<&GardenInfo> = gardens
                    .iter()
                    .filter(|g| lower.len() >= 4 && g.id.to_string().starts_with(&lower))
                    .collect();
                match by_id.as_slice() {
                    [one] => Some(one.id),
                    _ => None,
                }
            }
        };
        match found {
            Some(id) => self.garden_by_id(id),
            None => Err(NodeError::UnknownGarden {
                name: selector.to_owned(),
                available: gardens.into_iter().map(|g| g.name).collect(),
            }),
        }
    }

    /// The default garden: the one set as default, else the only one.
    pub fn default_garden(&self) -> Result<Arc<Garden>, NodeError> {
        let default = self.config().default_garden;
        if let Some(id) = default
            && self.garden_dir(id).join(DATABASE).exists()
        {
            return self.garden_by_id(id);
        }
        match self.garden_ids()?.as_slice() {
            [] => Err(NodeError::NoGarden),
            [only] => self.garden_by_id(*only),
            _ => Err(NodeError::UnknownGarden {
                name: "(default)".to_owned(),
                available: self.gardens()?.into_iter().map(|g| g.name).collect(),
            }),
        }
    }

    /// Make `id` the garden commands use when none is named.
    pub fn set_default_garden(&self, id: GardenId) -> Result<(), NodeError> {
        self.garden_by_id(id)?;
        let mut config = self.config();
        config.default_garden = Some(id);
        config.save(&self.data_dir)
    }
}

/// Create `dir` (and missing parents) so that only its owner may enter it:
/// the garden databases inside are not encrypted, and other users of the
/// machine should not read them. An existing directory is left as it is
/// (its owner chose it).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
