//! Fuzz target body (feature `fuzzing`): invite tickets. The cargo-fuzz
//! target in `fuzz/` and this crate's stable test (`tests/fuzz_bodies.rs`)
//! call this same function.

// A fuzz body's job is to panic when an invariant breaks.
#![allow(clippy::expect_used)]

use crate::ticket::{InviteTicket, MAX_TICKET_CHARS};

/// Invite tickets: `data` as the binary form and as text (`loam1…` or the
/// QR form). A ticket that parses encodes to a form that parses back to the
/// same encoding, in binary, text and QR text.
pub fn ticket(data: &[u8]) {
    let data = &data[..data.len().min(4 * MAX_TICKET_CHARS)];
    if let Ok(ticket) = InviteTicket::from_bytes(data) {
        stable(&ticket);
    }
    if let Ok(ticket) = String::from_utf8_lossy(data).parse::<InviteTicket>() {
        stable(&ticket);
    }
}

fn stable(ticket: &InviteTicket) {
    let bytes = ticket.to_bytes();
    let again = InviteTicket::from_bytes(&bytes).expect("an encoded ticket decodes");
    assert_eq!(again.to_bytes(), bytes);
    let text: InviteTicket = ticket.to_string().parse().expect("a ticket's text parses");
    assert_eq!(text.to_bytes(), bytes);
    let qr: InviteTicket = ticket
        .to_qr_string()
        .parse()
        .expect("a ticket's QR text parses");
    assert_eq!(qr.to_bytes(), bytes);
}
