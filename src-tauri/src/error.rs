//! Command failures as the UI receives them: a kind and words.

use loam_node::NodeError;

use crate::dto::{CommandError, ErrorKind};

impl CommandError {
    /// A failure of `kind` described by `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The first run (display name, garden) is not finished.
    pub fn not_ready() -> Self {
        Self::new(ErrorKind::NotReady, "choose a display name first")
    }

    /// An id the UI sent that is not one.
    pub fn bad_id(id: &str) -> Self {
        Self::new(ErrorKind::Invalid, format!("`{id}` is not a document id"))
    }
}

impl From<NodeError> for CommandError {
    fn from(e: NodeError) -> Self {
        let kind = match &e {
            NodeError::NotFound { .. }
            | NodeError::UnknownDoc(_)
            | NodeError::UnknownChange { .. }
            | NodeError::UnknownSession { .. }
            | NodeError::NotYetCreated { .. }
            | NodeError::NoGarden
            | NodeError::UnknownGarden { .. } => ErrorKind::NotFound,
            NodeError::InvalidTitle { .. }
            | NodeError::PageTitleTaken { .. }
            | NodeError::Ambiguous { .. }
            | NodeError::AmbiguousChange { .. }
            | NodeError::BadWhen { .. }
            | NodeError::BadSyncMessage(_)
            | NodeError::EmptyGardenName
            | NodeError::GardenExists(_)
            | NodeError::UnknownMember { .. }
            | NodeError::AmbiguousMember { .. }
            | NodeError::AmbiguousItem { .. }
            | NodeError::Community(loam_node::CommunityError::Invalid(_)) => ErrorKind::Invalid,
            NodeError::UnknownItem { .. }
            | NodeError::Community(loam_node::CommunityError::NotFound { .. }) => {
                ErrorKind::NotFound
            }
            NodeError::ReadOnly { .. }
            | NodeError::Membership(_)
            | NodeError::NotAllowed { .. } => ErrorKind::NotAllowed,
            NodeError::Net(_)
            | NodeError::Network(_)
            | NodeError::NetworkStopped
            | NodeError::InviteRefused(_) => ErrorKind::Network,
            _ => ErrorKind::Internal,
        };
        Self::new(kind, e.to_string())
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}
