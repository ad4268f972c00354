//! `loam id`, `loam members` and `loam member set-role|remove`: who this
//! install is, who belongs to the garden, and (for facilitators) changing
//! that.

use loam_node::{Garden, InviteInfo, Joined, MemberId, Membership, Role};
use serde::Serialize;

use crate::context::Context;
use crate::table::{Column, Paint, Table};
use crate::when;

/// `loam id`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The member id is the public key of this install's identity (`identity.key` in the data
directory). Facilitators add members by it; `loam whoami` shows it with your name.")]
pub struct IdArgs {}

/// `loam members`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Membership is a signed log every member's Loam folds to the same list. Facilitators
invite, change roles and remove members; members read and write; readers only read.")]
pub struct MembersArgs {}

/// `loam member ...`
#[derive(Debug, clap::Args)]
pub struct MemberArgs {
    #[command(subcommand)]
    command: MemberCommand,
}

#[derive(Debug, clap::Subcommand)]
enum MemberCommand {
    /// Add a member by their member id (facilitators only)
    #[command(after_help = "\
The new member tells you their id: `loam id` prints it. Without an invite ticket, this
is how a facilitator lets someone in.")]
    Add {
        /// Their member id (64 hex digits, from `loam id`)
        id: MemberId,
        /// Their role
        #[arg(long, value_enum, default_value_t = RoleArg::Member)]
        role: RoleArg,
        /// The name to show them by
        #[arg(long)]
        name: String,
    },
    /// Change a member's role (facilitators only)
    #[command(after_help = "\
MEMBER is a member's name (ignoring case), member id, or the first digits of it (at
least 4). Roles: facilitator (manages membership), member (reads and writes), reader
(reads only). The last facilitator cannot step down.")]
    SetRole {
        /// The member: name, id or id prefix
        member: String,
        /// The new role
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Remove a member from the garden (facilitators only)
    #[command(after_help = "\
MEMBER is a member's name (ignoring case), member id, or the first digits of it (at
least 4). A removed member's later changes are refused by every other member. The last
facilitator cannot be removed.")]
    Remove {
        /// The member: name, id or id prefix
        member: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RoleArg {
    Facilitator,
    Member,
    Reader,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Facilitator => Role::Facilitator,
            RoleArg::Member => Role::Member,
            RoleArg::Reader => Role::Reader,
        }
    }
}

pub fn id(ctx: &mut Context, _args: IdArgs) -> anyhow::Result<()> {
    let member = ctx.node()?.member_id();
    if ctx.json() {
        return ctx
            .out
            .json(&serde_json::json!({ "member_id": member, "short": member.short() }));
    }
    ctx.out.line(member.to_string())
}

#[derive(Debug, Serialize)]
struct MemberRow {
    id: MemberId,
    short: String,
    name: String,
    role: Role,
    joined: String,
    #[serde(skip)]
    joined_ms: i64,
    how: Joined,
    you: bool,
}

#[derive(Debug, Serialize)]
struct InviteRow {
    invite_key: MemberId,
    role: Role,
    uses: u32,
    uses_left: u32,
    expires: Option<String>,
    state: &'static str,
    by: MemberId,
}

#[derive(Debug, Serialize)]
struct RemovedRow {
    id: MemberId,
    name: String,
    removed: String,
}

#[derive(Debug, Serialize)]
struct Members {
    garden: String,
    members: Vec<MemberRow>,
    removed: Vec<RemovedRow>,
    invites: Vec<InviteRow>,
}

/// An invite's state at `now`.
fn invite_state(invite: &InviteInfo, now: i64) -> &'static str {
    match invite.check(now) {
        Ok(_) => "open",
        Err(loam_node::InviteRefusal::Revoked) => "revoked",
        Err(loam_node::InviteRefusal::UsedUp { .. }) => "used up",
        Err(_) => "expired",
    }
}

fn collect(membership: &Membership, me: MemberId, now: i64) -> Members {
    let mut members: Vec<MemberRow> = membership
        .members()
        .map(|m| MemberRow {
            id: m.id,
            short: m.id.short(),
            name: m.name.clone(),
            role: m.role,
            joined: when::iso(m.joined_ms),
            joined_ms: m.joined_ms,
            how: m.joined,
            you: m.id == me,
        })
        .collect();
    // Facilitators first, then by name.
    members.sort_by(|a, b| {
        (std::cmp::Reverse(a.role), a.name.to_lowercase())
            .cmp(&(std::cmp::Reverse(b.role), b.name.to_lowercase()))
    });
    Members {
        garden: membership.garden_name().to_owned(),
        members,
        removed: membership
            .removed()
            .map(|m| RemovedRow {
                id: m.id,
                name: m.name.clone(),
                removed: when::iso(m.removed_ms),
            })
            .collect(),
        invites: membership
            .invites()
            .map(|i| InviteRow {
                invite_key: i.invite_key,
                role: i.role,
                uses: i.uses,
                uses_left: i.uses_left,
                expires: i.expires_ms.map(when::iso),
                state: invite_state(i, now),
                by: i.by,
            })
            .collect(),
    }
}

pub fn members(ctx: &mut Context, _args: MembersArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let me = ctx.node()?.member_id();
    let now = when::now();
    let list = collect(&garden.members()?, me, now);
    if ctx.json() {
        return ctx.out.json(&list);
    }
    let mut table = Table::new(&[
        Column::new("name", 40),
        Column::new("id", 8),
        Column::new("role", 11),
        Column::new("joined", 12),
    ]);
    for m in &list.members {
        let name = if m.you {
            format!("{} (you)", m.name)
        } else {
            m.name.clone()
        };
        let joined = when::ago(m.joined_ms, now);
        table.row(vec![
            (name, Paint::Bold),
            (m.short.clone(), Paint::Dim),
            (m.role.to_string(), Paint::Plain),
            (joined, Paint::Dim),
        ]);
    }
    for line in table.render(ctx.out.style) {
        ctx.out.line(line)?;
    }
    if !list.invites.is_empty() {
        ctx.out.blank()?;
        ctx.out.line("Invites:")?;
        let mut table = Table::new(&[
            Column::new("invite", 8),
            Column::new("role", 11),
            Column::new("uses left", 9),
            Column::new("expires", 10),
            Column::new("state", 8),
        ]);
        for i in &list.invites {
            table.row(vec![
                (i.invite_key.short(), Paint::Dim),
                (i.role.to_string(), Paint::Plain),
                (format!("{}/{}", i.uses_left, i.uses), Paint::Plain),
                (
                    i.expires
                        .as_deref()
                        .map_or("never", |e| &e[..10])
                        .to_owned(),
                    Paint::Dim,
                ),
                (i.state.to_owned(), Paint::Plain),
            ]);
        }
        for line in table.render(ctx.out.style) {
            ctx.out.line(line)?;
        }
    }
    if !list.removed.is_empty() {
        let names: Vec<String> = list
            .removed
            .iter()
            .map(|r| format!("{} ({})", r.name, r.id.short()))
            .collect();
        ctx.out.blank()?;
        ctx.out
            .line(ctx.out.style.dim(&format!("Removed: {}", names.join(", "))))?;
    }
    Ok(())
}

pub fn member(ctx: &mut Context, args: MemberArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    match args.command {
        MemberCommand::Add { id, role, name } => {
            let role = Role::from(role);
            garden.add_member(id, role, &name)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "member": id, "name": name, "role": role }));
            }
            ctx.out.line(format!(
                "Added {name} ({}) to {} as a {role}.",
                id.short(),
                garden.name()
            ))
        }
        MemberCommand::SetRole { member, role } => {
            let id = garden.find_member(&member)?;
            let role = Role::from(role);
            garden.set_role(id, role)?;
            let name = display_name(&garden, id);
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "member": id, "name": name, "role": role }));
            }
            ctx.out
                .line(format!("{name} ({}) is now a {role}.", id.short()))
        }
        MemberCommand::Remove { member } => {
            let id = garden.find_member(&member)?;
            let name = display_name(&garden, id);
            garden.remove_member(id)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "member": id, "name": name, "removed": true }));
            }
            ctx.out.line(format!(
                "Removed {name} ({}) from {}.",
                id.short(),
                garden.name()
            ))
        }
    }
}

/// The name `member` is shown by (their short id if none is known).
fn display_name(garden: &Garden, member: MemberId) -> String {
    garden
        .members()
        .ok()
        .and_then(|m| {
            m.member(member)
                .map(|i| i.name.clone())
                .or_else(|| m.removed().find(|r| r.id == member).map(|r| r.name.clone()))
        })
        .unwrap_or_else(|| member.short())
}
