//! Members by name, for the community commands' output: the name a member
//! is shown by, and the member a name (or id prefix) on the command line
//! means.

use std::collections::HashMap;

use loam_node::{Garden, MemberId};

/// Every member's (and removed member's) name.
pub fn names(garden: &Garden) -> anyhow::Result<HashMap<MemberId, String>> {
    let m = garden.members()?;
    Ok(m.members()
        .map(|i| (i.id, i.name.clone()))
        .chain(m.removed().map(|r| (r.id, r.name.clone())))
        .collect())
}

/// The name `member` is shown by, or their short id.
pub fn name_of(names: &HashMap<MemberId, String>, member: MemberId) -> String {
    names
        .get(&member)
        .cloned()
        .unwrap_or_else(|| member.short())
}
