//! Who belongs to a garden and what they may do.

use std::fmt;

/// What a member may do in a garden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, writes nothing.
    Reader,
    /// Reads and writes notes and pages.
    Member,
    /// A member who also changes membership: invites, roles, removals.
    Facilitator,
}

impl Role {
    /// Every role, least to most powerful.
    pub const ALL: [Role; 3] = [Role::Reader, Role::Member, Role::Facilitator];

    /// Whether this role may change documents.
    pub fn can_write(self) -> bool {
        self >= Role::Member
    }

    /// Whether this role may change membership.
    pub fn can_manage(self) -> bool {
        self == Role::Facilitator
    }

    /// The lowercase name (`facilitator`, `member`, `reader`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Member => "member",
            Role::Facilitator => "facilitator",
        }
    }

    /// The role with this name, in any case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_by_power() {
        assert!(!Role::Reader.can_write());
        assert!(Role::Member.can_write() && !Role::Member.can_manage());
        assert!(Role::Facilitator.can_manage());
        for role in Role::ALL {
            assert_eq!(Role::parse(&role.to_string().to_uppercase()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
