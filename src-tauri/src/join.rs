//! Joining a garden with an invite ticket, and saying in words why it did
//! not work: a ticket cut short, expired, used up, or a member who cannot
//! be reached.

use std::time::Duration;

use loam_node::NodeError;
use loam_node::network::{InviteTicket, JoinReport};
use tauri::{AppHandle, Manager, Runtime};

use crate::dto::{CommandError, ErrorKind};
use crate::network;
use crate::state::AppState;

/// How long joining may take: reaching the inviter and receiving the garden.
const JOIN_TIMEOUT: Duration = Duration::from_secs(60);

/// The ticket in `text` (surrounding blanks and line breaks ignored).
pub fn parse_ticket(text: &str) -> Result<InviteTicket, CommandError> {
    let compact: String = text.split_whitespace().collect();
    if compact.is_empty() {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "Paste the ticket you were given (it starts with loam1)",
        ));
    }
    compact.parse::<InviteTicket>().map_err(|e| {
        CommandError::new(
            ErrorKind::Invalid,
            format!("This is not a ticket Loam can use: {e}"),
        )
    })
}

/// Refuse a ticket whose time is up, before going online for it.
pub fn check_not_expired(ticket: &InviteTicket) -> Result<(), CommandError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    if ticket.is_expired(now) {
        return Err(CommandError::new(
            ErrorKind::Network,
            "This invite has expired: ask for a new one",
        ));
    }
    Ok(())
}

/// Go online if need be, and redeem `ticket`. Blocking: run it on a thread
/// of its own.
pub fn join<R: Runtime>(
    app: &AppHandle<R>,
    ticket: &InviteTicket,
) -> Result<JoinReport, CommandError> {
    let net = match app.state::<AppState>().net.running() {
        Some(net) => net,
        None => network::start(app, network::config_from_env()?)?,
    };
    net.join(ticket, JOIN_TIMEOUT)
        .map_err(|e| join_error(e, ticket))
}

/// Why joining failed, in words the member can act on.
pub fn join_error(e: NodeError, ticket: &InviteTicket) -> CommandError {
    let inviter = ticket.inviter.member.short();
    let message = match &e {
        NodeError::Net(net) => format!(
            "Cannot reach the member who invited you (member {inviter}): they need Loam open and online until you have joined ({net})"
        ),
        NodeError::InviteRefused(detail) => {
            if detail.contains("connection lost") {
                // The inviter's node went away before any answer.
                format!(
                    "Member {inviter} closed the connection before letting you in (they may have closed Loam): try again while they are online"
                )
            } else if detail.contains("timed out") {
                format!(
                    "Joining took too long: member {inviter} was reached but the garden did not arrive in {} s; try again",
                    JOIN_TIMEOUT.as_secs()
                )
            } else if detail.contains("ask for a new ticket") {
                format!("The invite was refused: {detail}")
            } else {
                format!("The invite was refused: {detail}; ask member {inviter} for a new ticket")
            }
        }
        _ => return e.into(),
    };
    CommandError::new(ErrorKind::Network, message)
}
