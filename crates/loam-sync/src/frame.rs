//! Wire frames: what one peer says to another.
//!
//! ```text
//! frame   = length (u32 BE, of what follows) ++ version (u8, 1) ++ kind (u8) ++ payload
//! varint  = unsigned LEB128, at most 10 bytes
//! bytes   = varint length ++ bytes        list = varint count ++ items
//! ```
//!
//! | kind | frame        | payload                                                          |
//! |------|--------------|------------------------------------------------------------------|
//! | 1    | `Hello`      | protocol (varint), garden (16), heads (list of 32), docs, join?  |
//! | 2    | `Welcome`    | heads (list of 32), docs, role of you (u8)                       |
//! | 3    | `Refuse`     | code (u8), reason (bytes, UTF-8)                                 |
//! | 4    | `Membership` | entries (list of bytes), heads (list of 32)                      |
//! | 5    | `Ranges`     | list of (upper bound, payload)                                   |
//! | 6    | `DocSync`    | doc (16), sync message (bytes), signature batches (list of bytes)|
//! | 7    | `DocRefused` | doc (16), reason                                                 |
//! | 8    | `Bye`        | reason                                                           |
//! | 9    | `Peers`      | list of (member (32), direct addresses (list), relay?)           |
//!
//! `docs` is a [`Fingerprint`]: count (varint) ++ hash (16). `join?` is 0, or
//! 1 ++ bytes. A range bound is a prefix length (0 to 16) and that many bytes
//! of a document id (the rest are zero), or 255 for the end of the id space.
//! A range payload is 0 (skip), 1 ++ fingerprint, or 2 ++ list of items
//! (doc id (16) ++ the first 16 bytes of its heads digest). A direct address
//! is 4 ++ IPv4 (4) ++ port (u16 BE), or 6 ++ IPv6 (16) ++ port; `relay?` is
//! 0, or 1 ++ a URL of at most [`MAX_RELAY_URL`] bytes.
//!
//! Every frame decodes completely or not at all: unknown versions and kinds,
//! truncation and trailing bytes are errors, never panics, and a count is
//! checked against its limit and the bytes left before anything is
//! allocated for it.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use loam_core::{DocId, GardenId, MemberId, Role};

use crate::codec::{Counter, Reader, Sink};
use crate::fingerprint::Fingerprint;
use crate::limits::Limits;

/// The frame encoding's version (the byte after the length).
pub const FRAME_VERSION: u8 = 1;

/// The protocol version a `Hello` announces: 2 brought the `Peers` and
/// `Idle` frames (a version 1 peer would end the session on them); 3
/// stopped counting `Peers` frames in an `Idle`'s `seen`.
pub const PROTOCOL_VERSION: u32 = 3;

/// The length prefix's size.
pub const LENGTH_PREFIX: usize = 4;

/// The longest relay URL a [`PeerHint`] may carry, in bytes.
pub const MAX_RELAY_URL: usize = 256;

/// The hash naming a membership log entry.
pub type EntryHash = [u8; 32];

/// The first 16 bytes of a document's heads digest, as listed in a range.
pub type ShortDigest = [u8; 16];

/// Why bytes are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The length prefix announces more than [`Limits::max_frame`].
    #[error("frame of {len} bytes is over the limit of {limit}")]
    TooLarge {
        /// The announced length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A frame too short to hold its version and kind.
    #[error("frame of {0} bytes is too short")]
    TooShort(usize),
    /// A frame encoding this side does not know.
    #[error("unknown frame version {0}")]
    UnknownVersion(u8),
    /// A frame kind this side does not know.
    #[error("unknown frame kind {0}")]
    UnknownKind(u8),
    /// The payload ends before its fields do.
    #[error("frame payload is truncated")]
    Truncated,
    /// The payload goes on after its last field.
    #[error("frame has {0} trailing bytes")]
    TrailingBytes(usize),
    /// A list longer than its limit.
    #[error("frame lists more {what} than the limit of {limit}")]
    TooMany {
        /// What was listed.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A field holds a value it cannot hold.
    #[error("malformed frame: {0}")]
    Malformed(&'static str),
    /// The stream ended inside a frame.
    #[error("the stream ended inside a frame ({0} bytes buffered)")]
    EndOfStream(usize),
}

/// Why an acceptor refuses a `Hello`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefuseCode {
    /// The sender is not a member of the garden and brought no invite.
    NotAMember,
    /// This side does not hold the garden asked for.
    UnknownGarden,
    /// The invite was not valid (expired, used up, revoked, unknown).
    InviteRefused,
    /// The sender speaks a protocol version this side does not.
    UnsupportedVersion,
    /// Anything else (or a code from a newer peer).
    Other,
}

impl RefuseCode {
    fn to_byte(self) -> u8 {
        match self {
            Self::NotAMember => 1,
            Self::UnknownGarden => 2,
            Self::InviteRefused => 3,
            Self::UnsupportedVersion => 4,
            Self::Other => 0,
        }
    }

    fn from_byte(byte: u8) -> Self {
        match byte {
            1 => Self::NotAMember,
            2 => Self::UnknownGarden,
            3 => Self::InviteRefused,
            4 => Self::UnsupportedVersion,
            _ => Self::Other,
        }
    }
}

/// The exclusive upper end of a range of document ids. A range's lower end
/// is the previous range's upper end (the first starts at the smallest id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    /// Ids below `value`: the first `len` big-endian bytes of `value`
    /// (the rest are zero), so that a bound between two ids costs only the
    /// bytes needed to tell them apart.
    Below {
        /// The bound as a big-endian number.
        value: u128,
        /// How many leading bytes are significant (0 to 16).
        len: u8,
    },
    /// The end of the id space.
    End,
}

impl Bound {
    /// Whether the id (as a big-endian number) is below this bound.
    pub fn above(&self, id: u128) -> bool {
        match self {
            Self::Below { value, .. } => id < *value,
            Self::End => true,
        }
    }

    /// The shortest bound above `below` and at most `at` (`below < at`).
    pub fn between(below: u128, at: u128) -> Self {
        let a = below.to_be_bytes();
        let b = at.to_be_bytes();
        let differ = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(15);
        let len = differ + 1;
        let mut prefix = [0u8; 16];
        prefix[..len].copy_from_slice(&b[..len]);
        Self::Below {
            value: u128::from_be_bytes(prefix),
            len: len as u8,
        }
    }

    /// The bound as a number where there is one (`None` is the end).
    pub fn value(&self) -> Option<u128> {
        match self {
            Self::Below { value, .. } => Some(*value),
            Self::End => None,
        }
    }
}

/// What a range says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangePayload {
    /// Nothing: the sender found this range equal, or has finished with it.
    Skip,
    /// The sender's fingerprint of the range; the receiver answers.
    Fingerprint(Fingerprint),
    /// Every document the sender has in the range; the receiver starts
    /// syncing those that differ and answers nothing.
    Items(Vec<(DocId, ShortDigest)>),
}

/// One range of a `Ranges` frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// Where it ends (exclusive).
    pub upper: Bound,
    /// What the sender says about it.
    pub payload: RangePayload,
}

/// Where a member of the garden can be reached, as the sender of a
/// `Peers` frame knows it: what the receiver may dial. Only the member's
/// key, checked by TLS when dialled, proves who answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerHint {
    /// The member.
    pub member: MemberId,
    /// Direct (UDP) addresses, at most [`Limits::max_hint_addrs`].
    pub direct: Vec<SocketAddr>,
    /// Their home relay's URL, if any (at most [`MAX_RELAY_URL`] bytes).
    pub relay: Option<String>,
}

/// One message between two peers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// First frame, initiator to acceptor: who asks for which garden, and
    /// the state of its membership log. Nothing about the documents: the
    /// acceptor has not been checked yet (its key is proven, but the
    /// initiator may have dialled a former member), so the initiator's
    /// document count and digest wait for the `Welcome`'s reply.
    Hello {
        /// [`PROTOCOL_VERSION`] of the sender.
        protocol_version: u32,
        /// The garden asked for.
        garden: GardenId,
        /// The heads of the sender's membership log.
        membership_heads: Vec<EntryHash>,
        /// An encoded Redeem membership entry, when the sender joins with
        /// an invite.
        join: Option<Vec<u8>>,
    },
    /// The acceptor's yes.
    Welcome {
        /// The heads of the acceptor's membership log.
        membership_heads: Vec<EntryHash>,
        /// The fingerprint of the acceptor's whole document set.
        docs: Fingerprint,
        /// The role the initiator holds (after a join: the role granted).
        role_of_you: Role,
    },
    /// The acceptor's no; the connection closes.
    Refuse {
        /// Why, for programs.
        code: RefuseCode,
        /// Why, for people.
        reason: String,
    },
    /// Membership log entries the receiver lacks, and the sender's heads.
    Membership {
        /// Encoded entries, oldest first.
        entries: Vec<Vec<u8>>,
        /// The sender's heads after them.
        heads: Vec<EntryHash>,
    },
    /// A step of range-based set reconciliation of `(doc → heads digest)`.
    Ranges {
        /// Consecutive ranges, the first starting at the smallest id.
        ranges: Vec<Range>,
    },
    /// One Automerge sync message of one document and the signature
    /// batches covering the changes it carries.
    DocSync {
        /// The document.
        doc: DocId,
        /// `automerge::sync::Message::encode()`.
        message: Vec<u8>,
        /// `SignedChanges::encode()` of each batch.
        signatures: Vec<Vec<u8>>,
    },
    /// The sender stops syncing this document on this connection.
    DocRefused {
        /// The document.
        doc: DocId,
        /// Why.
        reason: String,
    },
    /// The sender closes the connection.
    Bye {
        /// Why.
        reason: String,
    },
    /// Where members of the garden can be reached, as the sender knows:
    /// its own address and other current members'. Sent once the
    /// membership logs agree, and again when what the sender knows
    /// changes; so members who met only through a third can reach each
    /// other when the third is away.
    Peers {
        /// At most [`Limits::max_peer_hints`].
        peers: Vec<PeerHint>,
    },
    /// The sender has nothing in flight and nothing waiting, having
    /// handled the first `seen` frames it received (not counting `Idle`
    /// and `Peers` frames, which nobody answers). Needs no answer. A side
    /// whose own count of frames sent (counted alike) equals `seen` knows
    /// the sync is over
    /// on both sides, even while the peer was still about to send
    /// documents it found this side lacks.
    Idle {
        /// Frames of the receiver's the sender had handled.
        seen: u64,
    },
}

const HELLO: u8 = 1;
const WELCOME: u8 = 2;
const REFUSE: u8 = 3;
const MEMBERSHIP: u8 = 4;
const RANGES: u8 = 5;
const DOC_SYNC: u8 = 6;
const DOC_REFUSED: u8 = 7;
const BYE: u8 = 8;
const PEERS: u8 = 9;
const IPV4: u8 = 4;
const IPV6: u8 = 6;
const IDLE: u8 = 10;

const BOUND_END: u8 = 0xff;
const SKIP: u8 = 0;
const FINGERPRINT: u8 = 1;
const ITEMS: u8 = 2;

impl Frame {
    /// The frame with its length prefix, ready to write.
    pub fn encode(&self) -> Vec<u8> {
        let len = self.body_len();
        let mut out = Vec::with_capacity(LENGTH_PREFIX + len);
        out.extend_from_slice(&(len as u32).to_be_bytes());
        self.encode_body(&mut out);
        out
    }

    /// How many bytes [`Frame::encode`] makes, prefix included, without
    /// encoding.
    pub fn encoded_len(&self) -> usize {
        LENGTH_PREFIX + self.body_len()
    }

    fn body_len(&self) -> usize {
        let mut counter = Counter::default();
        self.encode_body(&mut counter);
        counter.0
    }

    /// A short name of the frame's kind, for logs.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Hello { .. } => "hello",
            Self::Welcome { .. } => "welcome",
            Self::Refuse { .. } => "refuse",
            Self::Membership { .. } => "membership",
            Self::Ranges { .. } => "ranges",
            Self::DocSync { .. } => "doc-sync",
            Self::DocRefused { .. } => "doc-refused",
            Self::Bye { .. } => "bye",
            Self::Peers { .. } => "peers",
            Self::Idle { .. } => "idle",
        }
    }

    fn encode_body(&self, out: &mut impl Sink) {
        out.put_u8(FRAME_VERSION);
        match self {
            Self::Hello {
                protocol_version,
                garden,
                membership_heads,
                join,
            } => {
                out.put_u8(HELLO);
                out.put_varint(u64::from(*protocol_version));
                out.put(garden.as_bytes());
                put_heads(out, membership_heads);
                match join {
                    None => out.put_u8(0),
                    Some(bytes) => {
                        out.put_u8(1);
                        out.put_bytes(bytes);
                    }
                }
            }
            Self::Welcome {
                membership_heads,
                docs,
                role_of_you,
            } => {
                out.put_u8(WELCOME);
                put_heads(out, membership_heads);
                put_fingerprint(out, docs);
                out.put_u8(role_to_byte(*role_of_you));
            }
            Self::Refuse { code, reason } => {
                out.put_u8(REFUSE);
                out.put_u8(code.to_byte());
                out.put_str(reason);
            }
            Self::Membership { entries, heads } => {
                out.put_u8(MEMBERSHIP);
                out.put_len(entries.len());
                for entry in entries {
                    out.put_bytes(entry);
                }
                put_heads(out, heads);
            }
            Self::Ranges { ranges } => {
                out.put_u8(RANGES);
                out.put_len(ranges.len());
                for range in ranges {
                    put_bound(out, &range.upper);
                    match &range.payload {
                        RangePayload::Skip => out.put_u8(SKIP),
                        RangePayload::Fingerprint(fp) => {
                            out.put_u8(FINGERPRINT);
                            put_fingerprint(out, fp);
                        }
                        RangePayload::Items(items) => {
                            out.put_u8(ITEMS);
                            out.put_len(items.len());
                            for (doc, digest) in items {
                                out.put(doc.as_bytes());
                                out.put(digest);
                            }
                        }
                    }
                }
            }
            Self::DocSync {
                doc,
                message,
                signatures,
            } => {
                out.put_u8(DOC_SYNC);
                out.put(doc.as_bytes());
                out.put_bytes(message);
                out.put_len(signatures.len());
                for batch in signatures {
                    out.put_bytes(batch);
                }
            }
            Self::DocRefused { doc, reason } => {
                out.put_u8(DOC_REFUSED);
                out.put(doc.as_bytes());
                out.put_str(reason);
            }
            Self::Bye { reason } => {
                out.put_u8(BYE);
                out.put_str(reason);
            }
            Self::Peers { peers } => {
                out.put_u8(PEERS);
                out.put_len(peers.len());
                for hint in peers {
                    put_hint(out, hint);
                }
            }
            Self::Idle { seen } => {
                out.put_u8(IDLE);
                out.put_varint(*seen);
            }
        }
    }

    /// The frame in `body` (the bytes after the length prefix).
    pub fn decode(body: &[u8], limits: &Limits) -> Result<Self, FrameError> {
        if body.len() > limits.max_frame {
            return Err(FrameError::TooLarge {
                len: body.len(),
                limit: limits.max_frame,
            });
        }
        if body.len() < 2 {
            return Err(FrameError::TooShort(body.len()));
        }
        let mut r = Reader::new(body);
        let version = r.u8()?;
        if version != FRAME_VERSION {
            return Err(FrameError::UnknownVersion(version));
        }
        let kind = r.u8()?;
        let frame = match kind {
            HELLO => {
                let protocol_version = u32::try_from(r.varint()?)
                    .map_err(|_| FrameError::Malformed("protocol version"))?;
                let garden = GardenId::from_bytes(r.array()?);
                let membership_heads = read_heads(&mut r, limits)?;
                let join = match r.u8()? {
                    0 => None,
                    1 => Some(r.bytes()?.to_vec()),
                    _ => return Err(FrameError::Malformed("join flag")),
                };
                Self::Hello {
                    protocol_version,
                    garden,
                    membership_heads,
                    join,
                }
            }
            WELCOME => {
                let membership_heads = read_heads(&mut r, limits)?;
                let docs = read_fingerprint(&mut r)?;
                let role_of_you = role_from_byte(r.u8()?)?;
                Self::Welcome {
                    membership_heads,
                    docs,
                    role_of_you,
                }
            }
            REFUSE => {
                let code = RefuseCode::from_byte(r.u8()?);
                let reason = r.string()?;
                Self::Refuse { code, reason }
            }
            MEMBERSHIP => {
                let n = r.count("membership entries", limits.max_entries, 1)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    entries.push(r.bytes()?.to_vec());
                }
                let heads = read_heads(&mut r, limits)?;
                Self::Membership { entries, heads }
            }
            RANGES => {
                let n = r.count("ranges", limits.max_ranges, 2)?;
                let mut ranges = Vec::with_capacity(n);
                let mut items_total = 0usize;
                for _ in 0..n {
                    let upper = read_bound(&mut r)?;
                    let payload = match r.u8()? {
                        SKIP => RangePayload::Skip,
                        FINGERPRINT => RangePayload::Fingerprint(read_fingerprint(&mut r)?),
                        ITEMS => {
                            let left = limits.max_items.saturating_sub(items_total);
                            let n = r.count("range items", left, 32)?;
                            items_total += n;
                            let mut items = Vec::with_capacity(n);
                            for _ in 0..n {
                                let doc = DocId::from_bytes(r.array()?);
                                items.push((doc, r.array()?));
                            }
                            RangePayload::Items(items)
                        }
                        _ => return Err(FrameError::Malformed("range payload kind")),
                    };
                    ranges.push(Range { upper, payload });
                }
                Self::Ranges { ranges }
            }
            DOC_SYNC => {
                let doc = DocId::from_bytes(r.array()?);
                let message = r.bytes()?.to_vec();
                let n = r.count("signature batches", limits.max_signature_batches, 1)?;
                let mut signatures = Vec::with_capacity(n);
                for _ in 0..n {
                    signatures.push(r.bytes()?.to_vec());
                }
                Self::DocSync {
                    doc,
                    message,
                    signatures,
                }
            }
            DOC_REFUSED => {
                let doc = DocId::from_bytes(r.array()?);
                let reason = r.string()?;
                Self::DocRefused { doc, reason }
            }
            BYE => Self::Bye {
                reason: r.string()?,
            },
            PEERS => {
                // A hint takes at least 32 + 1 + 1 bytes.
                let n = r.count("peer hints", limits.max_peer_hints, 34)?;
                let mut peers = Vec::with_capacity(n);
                for _ in 0..n {
                    peers.push(read_hint(&mut r, limits)?);
                }
                Self::Peers { peers }
            }
            IDLE => Self::Idle { seen: r.varint()? },
            other => return Err(FrameError::UnknownKind(other)),
        };
        r.finish()?;
        Ok(frame)
    }
}

fn role_to_byte(role: Role) -> u8 {
    match role {
        Role::Reader => 0,
        Role::Member => 1,
        Role::Facilitator => 2,
    }
}

fn role_from_byte(byte: u8) -> Result<Role, FrameError> {
    match byte {
        0 => Ok(Role::Reader),
        1 => Ok(Role::Member),
        2 => Ok(Role::Facilitator),
        _ => Err(FrameError::Malformed("role")),
    }
}

fn put_heads(out: &mut impl Sink, heads: &[EntryHash]) {
    out.put_len(heads.len());
    for head in heads {
        out.put(head);
    }
}

fn read_heads(r: &mut Reader<'_>, limits: &Limits) -> Result<Vec<EntryHash>, FrameError> {
    let n = r.count("membership heads", limits.max_heads, 32)?;
    let mut heads = Vec::with_capacity(n);
    for _ in 0..n {
        heads.push(r.array()?);
    }
    Ok(heads)
}

fn put_hint(out: &mut impl Sink, hint: &PeerHint) {
    out.put(hint.member.as_bytes());
    out.put_len(hint.direct.len());
    for addr in &hint.direct {
        match addr {
            SocketAddr::V4(a) => {
                out.put_u8(IPV4);
                out.put(&a.ip().octets());
            }
            SocketAddr::V6(a) => {
                out.put_u8(IPV6);
                out.put(&a.ip().octets());
            }
        }
        out.put(&addr.port().to_be_bytes());
    }
    match &hint.relay {
        None => out.put_u8(0),
        Some(url) => {
            out.put_u8(1);
            out.put_str(url);
        }
    }
}

fn read_hint(r: &mut Reader<'_>, limits: &Limits) -> Result<PeerHint, FrameError> {
    let member = MemberId::from_bytes(r.array()?);
    // An address takes at least 1 + 4 + 2 bytes.
    let n = r.count("peer hint addresses", limits.max_hint_addrs, 7)?;
    let mut direct = Vec::with_capacity(n);
    for _ in 0..n {
        let ip: std::net::IpAddr = match r.u8()? {
            IPV4 => Ipv4Addr::from(r.array::<4>()?).into(),
            IPV6 => Ipv6Addr::from(r.array::<16>()?).into(),
            _ => return Err(FrameError::Malformed("address family")),
        };
        let port = u16::from_be_bytes(r.array()?);
        direct.push(SocketAddr::new(ip, port));
    }
    let relay = match r.u8()? {
        0 => None,
        1 => {
            let url = r.string()?;
            if url.len() > MAX_RELAY_URL {
                return Err(FrameError::Malformed("relay url too long"));
            }
            Some(url)
        }
        _ => return Err(FrameError::Malformed("relay flag")),
    };
    Ok(PeerHint {
        member,
        direct,
        relay,
    })
}

fn put_fingerprint(out: &mut impl Sink, fp: &Fingerprint) {
    out.put_varint(fp.count);
    out.put(&fp.hash);
}

fn read_fingerprint(r: &mut Reader<'_>) -> Result<Fingerprint, FrameError> {
    let count = r.varint()?;
    let hash = r.array()?;
    Ok(Fingerprint { count, hash })
}

fn put_bound(out: &mut impl Sink, bound: &Bound) {
    match bound {
        Bound::End => out.put_u8(BOUND_END),
        Bound::Below { value, len } => {
            let len = (*len).min(16);
            out.put_u8(len);
            out.put(&value.to_be_bytes()[..usize::from(len)]);
        }
    }
}

fn read_bound(r: &mut Reader<'_>) -> Result<Bound, FrameError> {
    let len = r.u8()?;
    if len == BOUND_END {
        return Ok(Bound::End);
    }
    if len > 16 {
        return Err(FrameError::Malformed("bound longer than an id"));
    }
    let bytes = r.take(usize::from(len))?;
    let mut padded = [0u8; 16];
    padded[..bytes.len()].copy_from_slice(bytes);
    Ok(Bound::Below {
        value: u128::from_be_bytes(padded),
        len,
    })
}

/// Splits a byte stream into frames: give it chunks as they arrive, take
/// frames out. A length over [`Limits::max_frame`] is refused as soon as its
/// 4 bytes arrive, before anything is buffered for it. After an error the
/// decoder stays failed (the stream cannot be resynchronised).
#[derive(Debug)]
pub struct FrameDecoder {
    limits: Limits,
    max_frame: usize,
    buf: Vec<u8>,
    start: usize,
    failed: Option<FrameError>,
}

impl FrameDecoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            max_frame: limits.max_frame,
            limits,
            buf: Vec::new(),
            start: 0,
            failed: None,
        }
    }

    /// A decoder for an acceptor that has not yet decided on the peer's
    /// `Hello`: frames are bounded by [`Limits::max_hello_frame`] until
    /// [`FrameDecoder::admitted`] lifts the bound to [`Limits::max_frame`].
    pub fn before_hello(limits: Limits) -> Self {
        let mut decoder = Self::new(limits);
        decoder.max_frame = decoder.limits.max_hello_frame.min(decoder.limits.max_frame);
        decoder
    }

    /// The peer was admitted: frames up to [`Limits::max_frame`] from now on.
    pub fn admitted(&mut self) {
        self.max_frame = self.limits.max_frame;
    }

    /// The largest frame this decoder accepts now.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// Append bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = self.try_next();
        if let Err(err) = &result {
            self.failed = Some(err.clone());
            self.buf = Vec::new();
            self.start = 0;
        }
        result
    }

    fn try_next(&mut self) -> Result<Option<Frame>, FrameError> {
        let pending = &self.buf[self.start..];
        let Some(prefix) = pending.get(..LENGTH_PREFIX) else {
            return Ok(None);
        };
        let len = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
        if len > self.max_frame {
            return Err(FrameError::TooLarge {
                len,
                limit: self.max_frame,
            });
        }
        if len < 2 {
            return Err(FrameError::TooShort(len));
        }
        let Some(body) = pending.get(LENGTH_PREFIX..LENGTH_PREFIX + len) else {
            return Ok(None);
        };
        let frame = Frame::decode(body, &self.limits)?;
        self.start += LENGTH_PREFIX + len;
        Ok(Some(frame))
    }

    /// How many bytes wait for the rest of their frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Call when the stream ends: an error if it ended inside a frame.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.buffered() {
            0 => Ok(()),
            n => Err(FrameError::EndOfStream(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn check(frame: Frame, expected_len: usize) {
        let bytes = frame.encode();
        assert_eq!(bytes.len(), expected_len, "{frame:?}");
        assert_eq!(frame.encoded_len(), expected_len);
        let mut decoder = FrameDecoder::new(Limits::default());
        for byte in &bytes {
            assert_eq!(decoder.next_frame().unwrap(), None);
            decoder.push(std::slice::from_ref(byte));
        }
        assert_eq!(decoder.next_frame().unwrap(), Some(frame));
        decoder.finish().unwrap();
    }

    #[test]
    fn every_kind_round_trips_at_its_size() {
        let fp = Fingerprint {
            count: 3,
            hash: [9; 16],
        };
        check(
            Frame::Hello {
                protocol_version: PROTOCOL_VERSION,
                garden: GardenId::from_bytes([1; 16]),
                membership_heads: vec![[2; 32]],
                join: Some(vec![1, 2, 3]),
            },
            4 + 2 + 1 + 16 + 1 + 32 + 1 + 4,
        );
        check(
            Frame::Welcome {
                membership_heads: vec![],
                docs: fp,
                role_of_you: Role::Reader,
            },
            4 + 2 + 1 + 17 + 1,
        );
        check(
            Frame::Refuse {
                code: RefuseCode::NotAMember,
                reason: "no".into(),
            },
            4 + 2 + 1 + 3,
        );
        check(
            Frame::Membership {
                entries: vec![vec![7; 3], vec![]],
                heads: vec![[1; 32]],
            },
            4 + 2 + 1 + 4 + 1 + 1 + 32,
        );
        check(
            Frame::Ranges {
                ranges: vec![
                    Range {
                        upper: Bound::between(0x0100 << 112, 0x0180 << 112),
                        payload: RangePayload::Skip,
                    },
                    Range {
                        upper: Bound::between(0x0200 << 112, 0x0300 << 112),
                        payload: RangePayload::Fingerprint(fp),
                    },
                    Range {
                        upper: Bound::End,
                        payload: RangePayload::Items(vec![(DocId::from_bytes([5; 16]), [6; 16])]),
                    },
                ],
            },
            4 + 2 + 1 + (3 + 1) + (2 + 1 + 17) + (1 + 1 + 1 + 32),
        );
        check(
            Frame::DocSync {
                doc: DocId::from_bytes([3; 16]),
                message: vec![0x42; 5],
                signatures: vec![vec![1; 129]],
            },
            4 + 2 + 16 + 6 + 1 + 2 + 129,
        );
        check(
            Frame::DocRefused {
                doc: DocId::from_bytes([3; 16]),
                reason: "reader".into(),
            },
            4 + 2 + 16 + 7,
        );
        check(
            Frame::Bye {
                reason: String::new(),
            },
            4 + 2 + 1,
        );
        check(
            Frame::Peers {
                peers: vec![
                    PeerHint {
                        member: MemberId::from_bytes([4; 32]),
                        direct: vec![
                            "127.0.0.1:4242".parse().unwrap(),
                            "[::1]:80".parse().unwrap(),
                        ],
                        relay: Some("https://relay.example/".into()),
                    },
                    PeerHint {
                        member: MemberId::from_bytes([5; 32]),
                        direct: vec![],
                        relay: None,
                    },
                ],
            },
            4 + 2 + 1 + (32 + 1 + 7 + 19 + 1 + 23) + (32 + 1 + 1),
        );
    }

    #[test]
    fn peer_hints_are_bounded() {
        let limits = Limits {
            max_peer_hints: 1,
            max_hint_addrs: 1,
            ..Limits::default()
        };
        let hint = |direct: usize, relay: usize| PeerHint {
            member: MemberId::from_bytes([4; 32]),
            direct: vec!["10.0.0.1:1".parse().unwrap(); direct],
            relay: (relay > 0).then(|| "r".repeat(relay)),
        };
        let decode = |peers: Vec<PeerHint>| {
            let bytes = Frame::Peers { peers }.encode();
            Frame::decode(&bytes[LENGTH_PREFIX..], &limits)
        };
        assert!(decode(vec![hint(1, MAX_RELAY_URL)]).is_ok());
        assert!(matches!(
            decode(vec![hint(0, 0), hint(0, 0)]),
            Err(FrameError::TooMany { .. })
        ));
        assert!(matches!(
            decode(vec![hint(2, 0)]),
            Err(FrameError::TooMany { .. })
        ));
        assert_eq!(
            decode(vec![hint(0, MAX_RELAY_URL + 1)]),
            Err(FrameError::Malformed("relay url too long"))
        );
        let mut family = Frame::Peers {
            peers: vec![hint(1, 0)],
        }
        .encode();
        family[LENGTH_PREFIX + 2 + 1 + 32 + 1] = 5;
        assert_eq!(
            Frame::decode(&family[LENGTH_PREFIX..], &limits),
            Err(FrameError::Malformed("address family"))
        );
    }

    #[test]
    fn bounds_are_the_shortest_prefix_between_two_ids() {
        let a = u128::from_be_bytes([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
        let b = u128::from_be_bytes([1, 2, 4, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let bound = Bound::between(a, b);
        assert_eq!(
            bound,
            Bound::Below {
                value: u128::from_be_bytes([1, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                len: 3
            }
        );
        assert!(bound.above(a) && !bound.above(b));
        let last = Bound::between(b - 1, b);
        assert!(last.above(b - 1) && !last.above(b));
    }

    #[test]
    fn bad_frames_are_errors() {
        let limits = Limits::default();
        let good = Frame::Bye { reason: "x".into() }.encode();
        let body = &good[4..];
        assert_eq!(
            Frame::decode(&body[..1], &limits),
            Err(FrameError::TooShort(1))
        );
        let mut version = body.to_vec();
        version[0] = 2;
        assert_eq!(
            Frame::decode(&version, &limits),
            Err(FrameError::UnknownVersion(2))
        );
        let mut kind = body.to_vec();
        kind[1] = 99;
        assert_eq!(
            Frame::decode(&kind, &limits),
            Err(FrameError::UnknownKind(99))
        );
        let mut trailing = body.to_vec();
        trailing.push(0);
        assert_eq!(
            Frame::decode(&trailing, &limits),
            Err(FrameError::TrailingBytes(1))
        );
        assert_eq!(
            Frame::decode(&body[..body.len() - 1], &limits),
            Err(FrameError::Truncated)
        );
    }

    #[test]
    fn an_oversized_length_is_refused_before_its_body_arrives() {
        let limits = Limits {
            max_frame: 1024,
            ..Limits::default()
        };
        let mut decoder = FrameDecoder::new(limits);
        decoder.push(&u32::MAX.to_be_bytes());
        assert_eq!(
            decoder.next_frame(),
            Err(FrameError::TooLarge {
                len: u32::MAX as usize,
                limit: 1024
            })
        );
        assert_eq!(decoder.buffered(), 0);
        decoder.push(&[0; 100]);
        assert!(decoder.next_frame().is_err(), "stays failed");
    }

    #[test]
    fn before_the_hello_only_small_frames_are_read() {
        let limits = Limits::default();
        let mut decoder = FrameDecoder::before_hello(limits.clone());
        assert_eq!(decoder.max_frame(), limits.max_hello_frame);
        let big = Frame::Bye {
            reason: "x".repeat(limits.max_hello_frame),
        }
        .encode();
        decoder.push(&big[..LENGTH_PREFIX]);
        assert!(matches!(
            decoder.next_frame(),
            Err(FrameError::TooLarge { limit, .. }) if limit == limits.max_hello_frame
        ));

        let mut decoder = FrameDecoder::before_hello(limits.clone());
        decoder.admitted();
        decoder.push(&big);
        assert!(matches!(decoder.next_frame(), Ok(Some(Frame::Bye { .. }))));
    }

    #[test]
    fn a_stream_that_stops_inside_a_frame_is_truncated() {
        let mut decoder = FrameDecoder::new(Limits::default());
        let bytes = Frame::Bye { reason: "x".into() }.encode();
        decoder.push(&bytes[..5]);
        assert_eq!(decoder.next_frame().unwrap(), None);
        assert_eq!(decoder.finish(), Err(FrameError::EndOfStream(5)));
    }
}
