//! The member's settings for this install, kept as `settings.json` in the
//! data directory and written atomically (temp file, then rename).

use std::path::{Path, PathBuf};

use loam_core::GardenId;
use serde::{Deserialize, Serialize};

use crate::NodeError;

const FILE: &str = "settings.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Config {
    /// The garden commands use when none is named.
    pub(crate) default_garden: Option<GardenId>,
    /// The name shown to other members.
    pub(crate) display_name: Option<String>,
}

impl Config {
    pub(crate) fn load(data_dir: &Path) -> Result<Self, NodeError> {
        let path = data_dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| NodeError::Config {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(NodeError::DataDir { path, source }),
        }
    }

    pub(crate) fn save(&self, data_dir: &Path) -> Result<(), NodeError> {
        let path = data_dir.join(FILE);
        let tmp: PathBuf = data_dir.join(format!(".{FILE}.tmp"));
        let io = |source| NodeError::DataDir {
            path: path.clone(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }
}
