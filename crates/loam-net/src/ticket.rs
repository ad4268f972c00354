//! Invite tickets: `loam1…` text a facilitator hands to a new member,
//! carrying what the newcomer needs to reach the garden and prove the
//! invite.
//!
//! The text is `loam1` followed by lowercase base32 (RFC 4648, no padding)
//! of a compact binary encoding. The same ticket in uppercase (`LOAM1…`)
//! uses only characters QR codes encode in their dense alphanumeric mode;
//! both forms parse.
//!
//! Version 1, all integers big-endian:
//! ```text
//! version u8 = 1
//! flags   u8      bit 0: expiry present, bit 1: relay present
//! garden  [16]
//! secret  [32]
//! inviter [32]    the inviter's member id (an ed25519 public key)
//! expires i64     milliseconds since the Unix epoch (if bit 0)
//! role    u8 len, UTF-8 (at most 32 bytes)
//! name    u16 len, UTF-8 (the garden's name, at most 1024 bytes)
//! addrs   u8 count (at most 16), each: 4 + [4] or 6 + [16], then port u16
//! relay   u16 len, UTF-8 URL (at most 512 bytes) (if bit 1)
//! check   [4]     the first 4 bytes of SHA-256 of everything before
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use data_encoding::BASE32_NOPAD;
use loam_core::{GardenId, MemberId};
use sha2::{Digest, Sha256};

use crate::peer_addr::{PeerAddr, parse_relay_url, public_key};

/// What every ticket's text starts with.
pub const TICKET_PREFIX: &str = "loam1";
/// The encoding version this build writes.
pub const TICKET_VERSION: u8 = 1;
/// The longest ticket text accepted, in characters: longer input is
/// refused before any decoding.
pub const MAX_TICKET_CHARS: usize = 4096;
/// The longest role name a ticket carries, in bytes.
pub const MAX_ROLE_BYTES: usize = 32;
/// The longest garden name a ticket carries, in bytes.
pub const MAX_NAME_BYTES: usize = 1024;
/// The most direct addresses a ticket carries.
pub const MAX_ADDRS: usize = 16;
/// The longest relay URL a ticket carries, in bytes.
pub const MAX_RELAY_BYTES: usize = 512;

const FLAG_EXPIRES: u8 = 1;
const FLAG_RELAY: u8 = 2;
const FLAG_ENTRY: u8 = 4;
const CHECK_BYTES: usize = 4;

/// An invitation to a garden.
///
/// Encoding never fails: fields beyond the bounds above are cut (a name or
/// role at a character boundary, extra addresses dropped, an unusable relay
/// URL left out). [`InviteTicket::check_bounds`] says whether anything
/// would be cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteTicket {
    /// The garden the invite is for.
    pub garden: GardenId,
    /// The garden's name, to show the newcomer before joining.
    pub garden_name: String,
    /// Where the inviting member can be reached.
    pub inviter: PeerAddr,
    /// The one-time secret whose hash the invite entry in the membership
    /// log records.
    pub secret: [u8; 32],
    /// The role the newcomer will have (`member`, `reader`, ...).
    pub role: String,
    /// When the invite stops working, in ms since the Unix epoch.
    pub expires_ms: Option<i64>,
    /// The hash of the invite's entry in the membership log: the joiner's
    /// redeem entry names it as its parent.
    pub invite_entry: Option<[u8; 32]>,
}

/// Why text is not a ticket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TicketError {
    /// The text is longer than any ticket.
    #[error(
        "the ticket is {len} characters long, more than the {max} a ticket can have: copy only the ticket"
    )]
    TooLong {
        /// Characters given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The text does not start with `loam1`.
    #[error("not a loam ticket: a ticket starts with `loam1`")]
    WrongPrefix,
    /// A character outside the base32 alphabet, or bits after the end.
    #[error(
        "the ticket has a character that cannot be in a ticket at position {position}: copy it again"
    )]
    BadBase32 {
        /// Character position after the prefix.
        position: usize,
    },
    /// The text or the bytes it holds end too early.
    #[error("the ticket is incomplete: copy all of it")]
    Truncated,
    /// A version this build does not read.
    #[error("the ticket has version {version}, which this loam does not know: update loam")]
    UnknownVersion {
        /// The version byte found.
        version: u8,
    },
    /// The checksum does not match: a character was changed.
    #[error("the ticket is damaged (its checksum does not match): copy it again")]
    Checksum,
    /// The bytes decode but make no sense.
    #[error("the ticket is malformed ({what}): ask for a new one")]
    Malformed {
        /// What is wrong.
        what: &'static str,
    },
}

impl InviteTicket {
    /// The ticket in the QR-friendly form: `LOAM1` and uppercase base32,
    /// only characters of QR's alphanumeric mode.
    pub fn to_qr_string(&self) -> String {
        let mut out = String::with_capacity(TICKET_PREFIX.len() + 64);
        out.push_str(&TICKET_PREFIX.to_ascii_uppercase());
        out.push_str(&BASE32_NOPAD.encode(&self.to_bytes()));
        out
    }

    /// Whether the invite has expired at `now_ms`.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expires_ms.is_some_and(|e| now_ms >= e)
    }

    /// `Ok` when the ticket encodes without cutting anything; otherwise
    /// which field is too big.
    pub fn check_bounds(&self) -> Result<(), TicketError> {
        let too_big = |what| Err(TicketError::Malformed { what });
        if self.role.len() > MAX_ROLE_BYTES {
            return too_big("role name longer than 32 bytes");
        }
        if self.garden_name.len() > MAX_NAME_BYTES {
            return too_big("garden name longer than 1024 bytes");
        }
        if self.inviter.direct.len() > MAX_ADDRS {
            return too_big("more than 16 addresses");
        }
        if let Some(relay) = &self.inviter.relay
            && (relay.len() > MAX_RELAY_BYTES || parse_relay_url(relay).is_err())
        {
            return too_big("relay url unusable or longer than 512 bytes");
        }
        Ok(())
    }

    /// The versioned binary encoding, checksum included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let relay = self
            .inviter
            .relay
            .as_deref()
            .filter(|r| r.len() <= MAX_RELAY_BYTES && parse_relay_url(r).is_ok());
        let mut flags = 0;
        if self.expires_ms.is_some() {
            flags |= FLAG_EXPIRES;
        }
        if relay.is_some() {
            flags |= FLAG_RELAY;
        }
        if self.invite_entry.is_some() {
            flags |= FLAG_ENTRY;
        }
        let mut out = Vec::with_capacity(128 + self.garden_name.len());
        out.push(TICKET_VERSION);
        out.push(flags);
        out.extend_from_slice(self.garden.as_bytes());
        out.extend_from_slice(&self.secret);
        out.extend_from_slice(self.inviter.member.as_bytes());
        if let Some(e) = self.expires_ms {
            out.extend_from_slice(&e.to_be_bytes());
        }
        if let Some(h) = self.invite_entry {
            out.extend_from_slice(&h);
        }
        let role = cut(&self.role, MAX_ROLE_BYTES);
        out.push(len_u8(role.len()));
        out.extend_from_slice(role.as_bytes());
        let name = cut(&self.garden_name, MAX_NAME_BYTES);
        out.extend_from_slice(&len_u16(name.len()).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        let addrs = &self.inviter.direct[..self.inviter.direct.len().min(MAX_ADDRS)];
        out.push(len_u8(addrs.len()));
        for a in addrs {
            match a.ip() {
                IpAddr::V4(ip) => {
                    out.push(4);
                    out.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    out.push(6);
                    out.extend_from_slice(&ip.octets());
                }
            }
            out.extend_from_slice(&a.port().to_be_bytes());
        }
        if let Some(r) = relay {
            out.extend_from_slice(&len_u16(r.len()).to_be_bytes());
            out.extend_from_slice(r.as_bytes());
        }
        let check = checksum(&out);
        out.extend_from_slice(&check);
        out
    }

    /// Reads the binary encoding. Never panics, whatever the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TicketError> {
        let mut r = Reader { bytes, pos: 0 };
        let version = r.u8()?;
        if version != TICKET_VERSION {
            return Err(TicketError::UnknownVersion { version });
        }
        let flags = r.u8()?;
        if flags & !(FLAG_EXPIRES | FLAG_RELAY | FLAG_ENTRY) != 0 {
            return Err(TicketError::Malformed {
                what: "unknown flags",
            });
        }
        let garden = GardenId::from_bytes(r.array()?);
        let secret = r.array::<32>()?;
        let member = MemberId::from_bytes(r.array()?);
        let expires_ms = if flags & FLAG_EXPIRES != 0 {
            Some(i64::from_be_bytes(r.array()?))
        } else {
            None
        };
        let invite_entry = if flags & FLAG_ENTRY != 0 {
            Some(r.array::<32>()?)
        } else {
            None
        };
        let role_len = usize::from(r.u8()?);
        if role_len > MAX_ROLE_BYTES {
            return Err(TicketError::Malformed {
                what: "role name too long",
            });
        }
        let role = r.text(role_len, "role name is not utf-8")?;
        let name_len = usize::from(r.u16()?);
        if name_len > MAX_NAME_BYTES {
            return Err(TicketError::Malformed {
                what: "garden name too long",
            });
        }
        let garden_name = r.text(name_len, "garden name is not utf-8")?;
        let count = usize::from(r.u8()?);
        if count > MAX_ADDRS {
            return Err(TicketError::Malformed {
                what: "too many addresses",
            });
        }
        let mut direct = Vec::with_capacity(count);
        for _ in 0..count {
            let ip = match r.u8()? {
                4 => IpAddr::V4(Ipv4Addr::from(r.array::<4>()?)),
                6 => IpAddr::V6(Ipv6Addr::from(r.array::<16>()?)),
                _ => {
                    return Err(TicketError::Malformed {
                        what: "unknown address kind",
                    });
                }
            };
            direct.push(SocketAddr::new(ip, r.u16()?));
        }
        let relay = if flags & FLAG_RELAY != 0 {
            let len = usize::from(r.u16()?);
            if len > MAX_RELAY_BYTES {
                return Err(TicketError::Malformed {
                    what: "relay url too long",
                });
            }
            let url = r.text(len, "relay url is not utf-8")?;
            if parse_relay_url(&url).is_err() {
                return Err(TicketError::Malformed {
                    what: "relay url does not parse",
                });
            }
            Some(url)
        } else {
            None
        };
        let body_end = r.pos;
        let check = r.array::<CHECK_BYTES>()?;
        if check != checksum(&bytes[..body_end]) {
            return Err(TicketError::Checksum);
        }
        if r.pos != bytes.len() {
            return Err(TicketError::Malformed {
                what: "bytes after the end",
            });
        }
        if public_key(member).is_err() {
            return Err(TicketError::Malformed {
                what: "inviter id is not a public key",
            });
        }
        Ok(Self {
            garden,
            garden_name,
            inviter: PeerAddr {
                member,
                direct,
                relay,
            },
            secret,
            role,
            expires_ms,
            invite_entry,
        })
    }
}

impl fmt::Display for InviteTicket {
    /// `loam1` and lowercase base32.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TICKET_PREFIX)?;
        f.write_str(&BASE32_NOPAD.encode(&self.to_bytes()).to_ascii_lowercase())
    }
}

impl FromStr for InviteTicket {
    type Err = TicketError;

    /// Either form, any case, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() > MAX_TICKET_CHARS {
            return Err(TicketError::TooLong {
                len: s.chars().count(),
                max: MAX_TICKET_CHARS,
            });
        }
        let body = match s.get(..TICKET_PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(TICKET_PREFIX) => &s[TICKET_PREFIX.len()..],
            _ => return Err(TicketError::WrongPrefix),
        };
        let upper = body.to_ascii_uppercase();
        let bytes = BASE32_NOPAD
            .decode(upper.as_bytes())
            .map_err(|e| match e.kind {
                // A cut ticket ends mid-symbol: either a length no encoding
                // has, or a last character with stray low bits.
                data_encoding::DecodeKind::Length | data_encoding::DecodeKind::Trailing => {
                    TicketError::Truncated
                }
                _ => TicketError::BadBase32 {
                    position: e.position,
                },
            })?;
        Self::from_bytes(&bytes)
    }
}

/// The first bytes of SHA-256 of `body`.
fn checksum(body: &[u8]) -> [u8; CHECK_BYTES] {
    let digest = Sha256::digest(body);
    let mut out = [0; CHECK_BYTES];
    out.copy_from_slice(&digest[..CHECK_BYTES]);
    out
}

/// The longest prefix of `s` of at most `max` bytes that ends on a
/// character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn len_u8(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn len_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// A cursor over the ticket's bytes; running out is [`TicketError::Truncated`].
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], TicketError> {
        let end = self.pos.checked_add(n).ok_or(TicketError::Truncated)?;
        let out = self
            .bytes
            .get(self.pos..end)
            .ok_or(TicketError::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], TicketError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, TicketError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, TicketError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn text(&mut self, len: usize, what: &'static str) -> Result<String, TicketError> {
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| TicketError::Malformed { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A member id that is a valid ed25519 key.
    fn member(seed: u8) -> MemberId {
        let key = iroh::SecretKey::from_bytes(&[seed; 32]).public();
        MemberId::from_bytes(*key.as_bytes())
    }

    fn sample() -> InviteTicket {
        InviteTicket {
            garden: GardenId::from_bytes([0x11; 16]),
            garden_name: "Allotment Society".to_owned(),
            inviter: PeerAddr {
                member: member(1),
                direct: vec!["127.0.0.1:4433".parse().unwrap()],
                relay: None,
            },
            secret: [0x22; 32],
            role: "member".to_owned(),
            expires_ms: Some(1_790_000_000_000),
            invite_entry: Some([5; 32]),
        }
    }

    fn check(input: &str, expected: Result<InviteTicket, TicketError>) {
        assert_eq!(input.parse::<InviteTicket>(), expected, "input: {input:?}");
    }

    #[test]
    fn both_forms_round_trip() {
        let t = sample();
        let text = t.to_string();
        assert!(text.starts_with("loam1"), "{text}");
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        let qr = t.to_qr_string();
        assert!(qr.starts_with("LOAM1"));
        assert!(
            qr.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert_eq!(qr.to_ascii_lowercase(), text);
        check(&text, Ok(t.clone()));
        check(&qr, Ok(t.clone()));
        check(&format!("  {text}\n"), Ok(t));
    }

    #[test]
    fn a_ticket_is_short_enough_to_paste() {
        // 1 + 1 + 16 + 32 + 32 + 8 + 32 + 7 + 19 + 1 + 7 + 4 bytes.
        assert_eq!(sample().to_string().len(), 5 + 256);
    }

    #[test]
    fn bad_tickets_say_what_is_wrong() {
        let text = sample().to_string();
        check("", Err(TicketError::WrongPrefix));
        check("loam", Err(TicketError::WrongPrefix));
        check(
            &text.replacen("loam1", "loam2", 1),
            Err(TicketError::WrongPrefix),
        );
        for cut_to in [
            text.len() - 1,
            text.len() - 2,
            text.len() - 7,
            text.len() - 30,
            6,
            7,
        ] {
            check(&text[..cut_to], Err(TicketError::Truncated));
        }
        check("loam1", Err(TicketError::Truncated));
        let mut bad = text.clone();
        bad.replace_range(20..21, "!");
        check(&bad, Err(TicketError::BadBase32 { position: 15 }));
        let mut flipped = text.clone().into_bytes();
        flipped[60] = if flipped[60] == b'a' { b'b' } else { b'a' };
        check(
            &String::from_utf8(flipped).unwrap(),
            Err(TicketError::Checksum),
        );
        let long = format!("loam1{}", "a".repeat(MAX_TICKET_CHARS));
        check(
            &long,
            Err(TicketError::TooLong {
                len: MAX_TICKET_CHARS + 5,
                max: MAX_TICKET_CHARS,
            }),
        );
        let mut v2 = sample().to_bytes();
        v2[0] = 2;
        check(
            &format!("loam1{}", BASE32_NOPAD.encode(&v2)),
            Err(TicketError::UnknownVersion { version: 2 }),
        );
        assert_eq!(
            TicketError::Checksum.to_string(),
            "the ticket is damaged (its checksum does not match): copy it again"
        );
    }

    #[test]
    fn oversized_fields_are_cut_not_refused() {
        let mut t = sample();
        t.garden_name = "é".repeat(MAX_NAME_BYTES);
        t.role = "r".repeat(100);
        t.inviter.direct = vec!["10.0.0.1:1".parse().unwrap(); 40];
        t.inviter.relay = Some("not a url".to_owned());
        assert!(t.check_bounds().is_err());
        let back: InviteTicket = t.to_string().parse().unwrap();
        assert_eq!(back.garden_name, "é".repeat(MAX_NAME_BYTES / 2));
        assert_eq!(back.role.len(), MAX_ROLE_BYTES);
        assert_eq!(back.inviter.direct.len(), MAX_ADDRS);
        assert_eq!(back.inviter.relay, None);
        assert!(back.check_bounds().is_ok());
    }

    fn socket_addr() -> impl Strategy<Value = SocketAddr> {
        prop_oneof![
            (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, p)| SocketAddr::from((ip, p))),
            (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, p)| SocketAddr::from((ip, p))),
        ]
    }

    fn ticket() -> impl Strategy<Value = InviteTicket> {
        (
            any::<[u8; 16]>(),
            "\\PC{0,60}",
            any::<u8>(),
            proptest::collection::vec(socket_addr(), 0..=MAX_ADDRS),
            proptest::option::of(prop_oneof![
                Just("https://relay.example.org./".to_owned()),
                Just("http://127.0.0.1:3340/".to_owned()),
                Just("https://euw1-1.relay.n0.iroh-canary.iroh.link./".to_owned()),
            ]),
            any::<[u8; 32]>(),
            "[a-z]{0,32}",
            proptest::option::of(any::<i64>()),
        )
            .prop_map(|(g, name, seed, direct, relay, secret, role, expires_ms)| {
                InviteTicket {
                    garden: GardenId::from_bytes(g),
                    garden_name: name,
                    inviter: PeerAddr {
                        member: member(seed),
                        direct,
                        relay,
                    },
                    secret,
                    role,
                    expires_ms,
                    invite_entry: expires_ms.map(|e| [e as u8; 32]),
                }
            })
    }

    proptest! {
        #[test]
        fn round_trips(t in ticket()) {
            prop_assert!(t.check_bounds().is_ok());
            prop_assert_eq!(t.to_string().parse::<InviteTicket>(), Ok(t.clone()));
            prop_assert_eq!(t.to_qr_string().parse::<InviteTicket>(), Ok(t));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = InviteTicket::from_bytes(&bytes);
            let text = format!("loam1{}", BASE32_NOPAD.encode(&bytes));
            let _ = text.parse::<InviteTicket>();
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
            let _ = s.parse::<InviteTicket>();
            let _ = format!("loam1{s}").parse::<InviteTicket>();
        }

        #[test]
        fn any_one_changed_character_is_caught(t in ticket(), at in any::<prop::sample::Index>(), c in "[a-z2-7]") {
            let text = t.to_string();
            let i = 5 + at.index(text.len() - 5);
            let mut changed = text.clone();
            changed.replace_range(i..=i, &c);
            prop_assume!(changed != text);
            prop_assert!(changed.parse::<InviteTicket>().is_err());
        }
    }
}
