//! What every command works with: the data directory, the garden chosen
//! with `--garden` (or the default one), and where to write.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use loam_node::{Garden, Node};

use crate::cli::GlobalArgs;
use crate::errors::{Exit, Failure};
use crate::output::Output;
use crate::style::Style;

/// The state of one `loam` invocation.
#[derive(Debug)]
pub struct Context {
    /// Standard output.
    pub out: Output,
    data_dir: Option<PathBuf>,
    garden: Option<String>,
    node: OnceCell<Arc<Node>>,
}

impl Context {
    /// From the global options.
    pub fn new(global: &GlobalArgs) -> Self {
        let data_dir = global.data_dir.clone().or_else(default_data_dir);
        let style = Style::detect(global.color, &std::io::stdout());
        Self {
            out: Output::stdout(global.json, style),
            data_dir,
            garden: global.garden.clone().filter(|g| !g.trim().is_empty()),
            node: OnceCell::new(),
        }
    }

    /// The data directory in use.
    pub fn data_dir(&self) -> anyhow::Result<&Path> {
        self.data_dir.as_deref().ok_or_else(|| {
            Failure::new("cannot find a data directory for this user", Exit::IoErr)
                .with_hint("pass --data-dir DIR or set LOAM_DATA_DIR")
                .into()
        })
    }

    /// The node, opened on first use.
    pub fn node(&self) -> anyhow::Result<&Node> {
        Ok(self.shared_node()?)
    }

    /// The node, shareable with the network's background work.
    pub fn shared_node(&self) -> anyhow::Result<&Arc<Node>> {
        if let Some(node) = self.node.get() {
            return Ok(node);
        }
        let node = Arc::new(Node::open(self.data_dir()?)?);
        Ok(self.node.get_or_init(|| node))
    }

    /// The garden named with `--garden`, else the default garden.
    pub fn garden(&self) -> anyhow::Result<Arc<Garden>> {
        let node = self.node()?;
        Ok(match &self.garden {
            Some(selector) => node.garden(selector)?,
            None => node.default_garden()?,
        })
    }

    /// Whether `--json` was given.
    pub fn json(&self) -> bool {
        self.out.json
    }
}

/// The OS's data directory for Loam (`~/.local/share/loam` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "Loam", "loam").map(|dirs| dirs.data_dir().to_path_buf())
}
