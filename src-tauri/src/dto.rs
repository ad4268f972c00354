//! Every type that crosses the IPC boundary, and the TypeScript made from
//! them (`cargo xtask codegen` writes `ui/src/lib/ipc-types.ts`).
//!
//! Core and node types are never sent as they are: this module maps them to
//! wire types that say what the UI needs, in units the UI can use. Byte
//! ranges (what Rust measures) never reach the webview (which counts UTF-16
//! units); highlighted text travels as [`TextPart`]s instead.

use std::ops::Range;

use loam_node::{
    Author, Backlink, ChangeInfo, DocKind, DocRow, EditSummary, Event, History, OutLink,
    RenameReport, Role, SearchHit, SessionInfo, TagCount, TitleEntry,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub mod community;

/// What the app is showing: the first-run form, or a garden.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// The member has a display name and a garden: the garden can be shown.
    pub ready: bool,
    /// The member's display name, once chosen.
    pub display_name: Option<String>,
    /// The member's id (64 hex digits).
    pub member_id: String,
    /// The garden being shown.
    pub garden: Option<GardenDto>,
    /// Where the data lives.
    pub data_dir: String,
    /// The member's role in the garden shown, `None` when not (or no
    /// longer) a member.
    pub role: Option<RoleDto>,
    /// Why the member cannot edit this garden, in words (a reader, or
    /// removed); `None` when they can.
    pub read_only: Option<String>,
}

/// A garden.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GardenDto {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A garden this install holds, for the garden switcher.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GardenEntryDto {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Notes and pages in it, archived ones aside.
    #[ts(type = "number")]
    pub docs: u64,
    /// The member's role in it; `None` when not (or no longer) a member.
    pub role: Option<RoleDto>,
    /// Whether it is the garden shown.
    pub shown: bool,
    /// Why it cannot be opened, if it cannot (a damaged database).
    pub problem: Option<String>,
}

/// Note or page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// A member's note; titles may repeat.
    Note,
    /// A wiki page; its title is unique.
    Page,
}

impl From<DocKind> for NoteKind {
    fn from(kind: DocKind) -> Self {
        match kind {
            DocKind::Page => Self::Page,
            _ => Self::Note,
        }
    }
}

impl From<NoteKind> for DocKind {
    fn from(kind: NoteKind) -> Self {
        match kind {
            NoteKind::Note => Self::Note,
            NoteKind::Page => Self::Page,
        }
    }
}

/// A note or page as lists show it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NoteRow {
    /// Its id (32 hex digits).
    pub id: String,
    /// Note or page.
    pub kind: NoteKind,
    /// Its title.
    pub title: String,
    /// Its folder, `""` for the root.
    pub folder: String,
    /// Hidden from lists and search.
    pub archived: bool,
    /// Created, ms since the epoch.
    #[ts(type = "number")]
    pub created: i64,
    /// Last changed, ms since the epoch.
    #[ts(type = "number")]
    pub updated: i64,
    /// Its tags (stored and inline).
    pub tags: Vec<String>,
    /// Other titles it answers to.
    pub aliases: Vec<String>,
    /// Length of the text, in characters.
    #[ts(type = "number")]
    pub chars: u64,
}

impl From<DocRow> for NoteRow {
    fn from(row: DocRow) -> Self {
        Self {
            id: row.id.to_string(),
            kind: row.kind.into(),
            title: row.title,
            folder: row.folder,
            archived: row.archived,
            created: row.created,
            updated: row.updated,
            tags: row.tags,
            aliases: row.aliases,
            chars: row.chars,
        }
    }
}

/// The order of the note list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    /// By title.
    Title,
    /// By last change.
    Updated,
    /// By creation.
    Created,
}

/// Which notes to list.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    /// Only notes with this tag (or one nested under it).
    pub tag: Option<String>,
    /// The order.
    pub sort: SortKey,
    /// Newest (or Z) first.
    pub descending: bool,
    /// List archived notes instead.
    pub archived: bool,
}

/// A note with its text.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NoteDto {
    /// What the index knows of it.
    pub row: NoteRow,
    /// Its markdown.
    pub text: String,
}

/// A title or alias, for autocomplete and the quick switcher.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TitleDto {
    /// The document.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Note or page.
    pub kind: NoteKind,
    /// Its aliases.
    pub aliases: Vec<String>,
}

impl From<TitleEntry> for TitleDto {
    fn from(t: TitleEntry) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title,
            kind: t.kind.into(),
            aliases: t.aliases,
        }
    }
}

/// A stretch of text, highlighted or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextPart {
    /// The text.
    pub text: String,
    /// Whether it matched.
    pub hit: bool,
}

/// `text` cut into parts at the byte ranges `hits` (sorted or not,
/// overlapping or out of range: each byte is a hit at most once, and ranges
/// that do not fall on character boundaries are left out).
pub fn text_parts(text: &str, hits: &[Range<usize>]) -> Vec<TextPart> {
    let mut hits: Vec<Range<usize>> = hits
        .iter()
        .filter(|r| {
            r.start < r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    hits.sort_by_key(|r| r.start);
    let mut parts = Vec::new();
    let mut at = 0;
    for hit in hits {
        let start = hit.start.max(at);
        if start >= hit.end {
            continue;
        }
        if start > at {
            parts.push(TextPart {
                text: text[at..start].to_owned(),
                hit: false,
            });
        }
        parts.push(TextPart {
            text: text[start..hit.end].to_owned(),
            hit: true,
        });
        at = hit.end;
    }
    if at < text.len() {
        parts.push(TextPart {
            text: text[at..].to_owned(),
            hit: false,
        });
    }
    parts
}

/// A search result.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHitDto {
    /// The document.
    pub row: NoteRow,
    /// Its title, matched words marked.
    pub title: Vec<TextPart>,
    /// Text around the best match, matched words marked.
    pub snippet: Vec<TextPart>,
}

impl From<SearchHit> for SearchHitDto {
    fn from(hit: SearchHit) -> Self {
        let ranges = |h: &[(usize, usize)]| h.iter().map(|&(s, e)| s..e).collect::<Vec<_>>();
        Self {
            title: text_parts(&hit.row.title, &ranges(&hit.title_highlights)),
            snippet: text_parts(&hit.snippet, &ranges(&hit.highlights)),
            row: hit.row.into(),
        }
    }
}

/// A document that links to the open one, or mentions its title.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextDto {
    /// The document.
    pub source: NoteRow,
    /// The line around the link or mention, the link or mention marked.
    pub context: Vec<TextPart>,
}

impl ContextDto {
    /// A backlink, shown with the line around its first link in `text`.
    pub fn backlink(link: Backlink, text: &str) -> Self {
        let context = link
            .links
            .first()
            .map(|l| {
                let (line, range) = line_around(text, l.start..l.end);
                text_parts(&line, &[range])
            })
            .unwrap_or_default();
        Self {
            source: link.source.into(),
            context,
        }
    }
}

/// The line of `text` holding `range` and the range within it.
fn line_around(text: &str, range: Range<usize>) -> (String, Range<usize>) {
    if range.end > text.len() || !text.is_char_boundary(range.start) {
        return (String::new(), 0..0);
    }
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    (
        text[start..end].to_owned(),
        range.start - start..range.end - start,
    )
}

/// A link going out of the open document.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutLinkDto {
    /// The title as written.
    pub target: String,
    /// `![[...]]`
    pub embed: bool,
    /// The document it leads to, if any.
    pub resolved: Option<String>,
}

impl From<OutLink> for OutLinkDto {
    fn from(l: OutLink) -> Self {
        Self {
            target: l.link.target,
            embed: l.link.embed,
            resolved: l.resolved.map(|id| id.to_string()),
        }
    }
}

/// A tag and how many documents carry it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagDto {
    /// The tag (`a/b` when nested).
    pub tag: String,
    /// How many documents.
    #[ts(type = "number")]
    pub count: u64,
}

impl From<TagCount> for TagDto {
    fn from(t: TagCount) -> Self {
        Self {
            tag: t.tag,
            count: t.count,
        }
    }
}

/// Who made changes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuthorDto {
    /// How to show them: the display name for this member, a short id for
    /// others.
    pub name: String,
    /// The member id or actor, in full.
    pub id: String,
    /// This install's member.
    pub you: bool,
}

impl AuthorDto {
    /// `author` as shown to a member whose display name is `me`.
    pub fn new(author: &Author, me: Option<&str>) -> Self {
        let name = match (author.you, author.member.is_some(), me) {
            (true, _, Some(name)) => name.to_owned(),
            (true, _, None) => "you".to_owned(),
            (false, true, _) => format!("member {}", author.short),
            (false, false, _) => "outside Loam".to_owned(),
        };
        Self {
            name,
            id: author.id.clone(),
            you: author.you,
        }
    }
}

/// An edit session.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    /// 1 is the oldest.
    pub number: u32,
    /// Who.
    pub author: AuthorDto,
    /// First change, ms since the epoch.
    #[ts(type = "number")]
    pub start: i64,
    /// Last change.
    #[ts(type = "number")]
    pub end: i64,
    /// How many changes.
    #[ts(type = "number")]
    pub changes: u64,
    /// Characters inserted.
    #[ts(type = "number")]
    pub inserted: u64,
    /// Characters deleted.
    #[ts(type = "number")]
    pub deleted: u64,
}

impl SessionDto {
    fn new(s: &SessionInfo, me: Option<&str>) -> Self {
        Self {
            number: u32::try_from(s.number).unwrap_or(u32::MAX),
            author: AuthorDto::new(&s.author, me),
            start: s.start,
            end: s.end,
            changes: s.changes,
            inserted: s.inserted,
            deleted: s.deleted,
        }
    }
}

/// A note's history, newest session first.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDto {
    /// Edit sessions, newest first.
    pub sessions: Vec<SessionDto>,
    /// How many changes in all.
    #[ts(type = "number")]
    pub changes: u64,
}

impl HistoryDto {
    /// `history` as shown to a member named `me`.
    pub fn new(history: &History, me: Option<&str>) -> Self {
        Self {
            sessions: history
                .sessions
                .iter()
                .rev()
                .map(|s| SessionDto::new(s, me))
                .collect(),
            changes: history.changes,
        }
    }
}

/// One change, as a session's list shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangeDto {
    /// Its hash in full: names the version after it in `version_at`.
    pub hash: String,
    /// Its first 8 hex digits.
    pub short: String,
    /// The session it belongs to.
    pub session: u32,
    /// Who made it.
    pub author: AuthorDto,
    /// When, ms since the epoch.
    #[ts(type = "number")]
    pub time: i64,
    /// Characters inserted.
    #[ts(type = "number")]
    pub inserted: u64,
    /// Characters deleted.
    #[ts(type = "number")]
    pub deleted: u64,
}

impl ChangeDto {
    /// `change` as shown to a member named `me`.
    pub fn new(change: &ChangeInfo, me: Option<&str>) -> Self {
        Self {
            hash: change.hash.to_string(),
            short: loam_node::short_hash(&change.hash),
            session: u32::try_from(change.session).unwrap_or(u32::MAX),
            author: AuthorDto::new(&change.author, me),
            time: change.time,
            inserted: change.inserted,
            deleted: change.deleted,
        }
    }
}

/// A past version's text.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VersionDto {
    /// How to name it: `session #3 (2026-11-20 14:05)`.
    pub label: String,
    /// Whether it is the current version.
    pub current: bool,
    /// Its text.
    pub text: String,
}

/// What an edit changed.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EditDto {
    /// False when the text was the same already.
    pub changed: bool,
    /// Characters after.
    #[ts(type = "number")]
    pub chars_after: u64,
}

impl From<EditSummary> for EditDto {
    fn from(e: EditSummary) -> Self {
        Self {
            changed: e.changed,
            chars_after: e.chars_after as u64,
        }
    }
}

/// What a rename did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenameDto {
    /// The title before.
    pub from: String,
    /// The title after.
    pub to: String,
    /// How many documents had their links rewritten.
    pub rewritten: u32,
}

impl From<RenameReport> for RenameDto {
    fn from(r: RenameReport) -> Self {
        Self {
            rewritten: u32::try_from(r.rewritten.len()).unwrap_or(u32::MAX),
            from: r.from,
            to: r.to,
        }
    }
}

/// A note or page to create.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    /// Its title.
    pub title: String,
    /// Note or page.
    pub kind: NoteKind,
    /// Its folder, `""` for the root.
    pub folder: String,
    /// Its markdown.
    pub body: String,
}

/// Where a `[[link]]` leads.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedLink {
    /// The title as written.
    pub target: String,
    /// The document, or `None` when no document has that title or alias.
    pub id: Option<String>,
}

/// An editor session opened on a document.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EditorOpened {
    /// Names the session in `editor_sync`, `editor_load` and `editor_close`.
    pub session: u32,
    /// The Automerge actor id (hex) the webview's replica writes as.
    pub actor: String,
    /// The document, as the index knows it.
    pub row: NoteRow,
}

/// Something changed in the garden.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum AppEvent {
    /// A document was created.
    DocCreated {
        /// The document.
        doc: String,
        /// Its title.
        title: String,
    },
    /// A document changed (stored).
    DocChanged {
        /// The document.
        doc: String,
    },
    /// A document was renamed.
    DocRenamed {
        /// The document.
        doc: String,
        /// The new title.
        to: String,
    },
    /// A document was archived or restored.
    DocArchived {
        /// The document.
        doc: String,
        /// Archived (true) or restored.
        archived: bool,
    },
    /// The window is closing: send what the editor holds, then call
    /// `close_window`.
    Closing,
    /// The garden's membership changed (a role, a member joined or left).
    MembersChanged {
        /// The garden.
        garden: String,
    },
    /// The community changed (the index, guidelines, a discussion, kudos,
    /// read marks, moderation): community views reload.
    CommunityChanged,
    /// Sync with other members changed: peers, path, last sync, problems.
    Sync {
        /// The status now.
        status: SyncStatus,
    },
}

impl AppEvent {
    /// The UI's view of a node event, `None` for what it does not show.
    pub fn from_event(event: &Event) -> Option<Self> {
        Some(match event {
            Event::DocCreated { doc, title, .. } => Self::DocCreated {
                doc: doc.to_string(),
                title: title.clone(),
            },
            Event::DocChanged { doc, .. } => Self::DocChanged {
                doc: doc.to_string(),
            },
            Event::DocRenamed { doc, to, .. } => Self::DocRenamed {
                doc: doc.to_string(),
                to: to.clone(),
            },
            Event::DocArchived { doc, archived, .. } => Self::DocArchived {
                doc: doc.to_string(),
                archived: *archived,
            },
            Event::MembershipChanged { garden, .. } => Self::MembersChanged {
                garden: garden.to_string(),
            },
            _ => return None,
        })
    }
}

/// A member's role in a garden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RoleDto {
    /// Manages membership, and reads and writes.
    Facilitator,
    /// Reads and writes.
    Member,
    /// Reads only.
    Reader,
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::Facilitator => Self::Facilitator,
            Role::Member => Self::Member,
            Role::Reader => Self::Reader,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::Facilitator => Self::Facilitator,
            RoleDto::Member => Self::Member,
            RoleDto::Reader => Self::Reader,
        }
    }
}

/// Whether the app is on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NetworkState {
    /// Not started yet (no garden yet, or starting).
    Starting,
    /// Listening, and reaching known peers.
    Online,
    /// It could not start (see `problem`).
    Failed,
    /// Shut down (the app is closing).
    Stopped,
}

/// How the connected peers are reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncPath {
    /// Straight between the machines: on the LAN, or hole-punched.
    Direct,
    /// Through a relay server.
    Relay,
    /// Some peers one way, some the other.
    Mixed,
}

/// Sync with the garden's other members, as the footer shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether the app is on the network.
    pub network: NetworkState,
    /// Members with a live session now.
    pub peers_online: u32,
    /// The garden's other members.
    pub peers_known: u32,
    /// The ids of the members online.
    pub online: Vec<String>,
    /// How they are reached, when any is.
    pub path: Option<SyncPath>,
    /// When changes were last exchanged and settled, ms since the epoch.
    #[ts(type = "number | null")]
    pub last_sync: Option<i64>,
    /// What is wrong, in words (offline, refused, cannot start).
    pub problem: Option<String>,
}

/// A member of the garden, as the members list shows them.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberDto {
    /// Their member id (64 hex digits).
    pub id: String,
    /// Its first 8 digits.
    pub short: String,
    /// Their name in the garden.
    pub name: String,
    /// Their role.
    pub role: RoleDto,
    /// This install's member.
    pub you: bool,
    /// Connected now.
    pub online: bool,
    /// When they joined, ms since the epoch.
    #[ts(type = "number")]
    pub joined: i64,
}

/// The garden's members.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MembersDto {
    /// Facilitators first, then by name.
    pub members: Vec<MemberDto>,
    /// This member's role, `None` when not (or no longer) a member.
    pub my_role: Option<RoleDto>,
    /// Whether this member may invite, change roles and remove.
    pub can_manage: bool,
    /// Whether the garden can be shared at all (made with a membership log).
    pub shareable: bool,
    /// Invites that can still be redeemed.
    pub open_invites: u32,
}

/// An invite to make.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteRequest {
    /// The role the newcomer gets.
    pub role: RoleDto,
    /// How many hours it works, `None` for no expiry.
    pub expires_hours: Option<u32>,
    /// How many people may join with it.
    pub uses: u32,
}

/// A new invite: the ticket to give.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteDto {
    /// The ticket (`loam1…`).
    pub ticket: String,
    /// The same in the QR-friendly form (uppercase).
    pub qr: String,
    /// The QR code of `qr`: `size` × `size` modules, row by row, `1` dark.
    pub qr_modules: String,
    /// Modules per side.
    pub qr_size: u32,
    /// The role granted.
    pub role: RoleDto,
    /// How many people may join with it.
    pub uses: u32,
    /// When it expires, ms since the epoch.
    #[ts(type = "number | null")]
    pub expires: Option<i64>,
}

/// What a pasted ticket offers, before joining.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TicketInfo {
    /// The garden's name.
    pub garden: String,
    /// The role offered (`member`, `reader`, ...).
    pub role: String,
    /// When it expires, ms since the epoch.
    #[ts(type = "number | null")]
    pub expires: Option<i64>,
    /// The inviting member's short id.
    pub inviter: String,
    /// Whether this install holds the garden already.
    pub have_it: bool,
}

/// What joining did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinedDto {
    /// The garden joined.
    pub garden: GardenDto,
    /// The role granted.
    pub role: RoleDto,
    /// Documents received.
    #[ts(type = "number")]
    pub docs: u64,
    /// What the app shows now.
    pub status: AppStatus,
}

/// Why a command failed, in words.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What went wrong and what to do, for the member.
    pub message: String,
}

/// Kinds of failure the UI treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// No such note, page or version.
    NotFound,
    /// The request cannot be done as asked (a bad title, a taken name).
    Invalid,
    /// The first run is not finished.
    NotReady,
    /// The member's role does not allow it (a reader editing, a member
    /// managing members), or membership refused it (the last facilitator).
    NotAllowed,
    /// The network could not do it: a peer unreachable, an invite refused.
    Network,
    /// Anything else: a damaged database, a failed disk.
    Internal,
}

/// The TypeScript for every IPC type, as `cargo xtask codegen` writes it.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut decls = vec![
        AppStatus::decl(&cfg),
        GardenDto::decl(&cfg),
        GardenEntryDto::decl(&cfg),
        NoteKind::decl(&cfg),
        NoteRow::decl(&cfg),
        SortKey::decl(&cfg),
        ListRequest::decl(&cfg),
        NoteDto::decl(&cfg),
        TitleDto::decl(&cfg),
        TextPart::decl(&cfg),
        SearchHitDto::decl(&cfg),
        ContextDto::decl(&cfg),
        OutLinkDto::decl(&cfg),
        TagDto::decl(&cfg),
        AuthorDto::decl(&cfg),
        SessionDto::decl(&cfg),
        HistoryDto::decl(&cfg),
        ChangeDto::decl(&cfg),
        VersionDto::decl(&cfg),
        EditDto::decl(&cfg),
        RenameDto::decl(&cfg),
        CreateRequest::decl(&cfg),
        ResolvedLink::decl(&cfg),
        EditorOpened::decl(&cfg),
        RoleDto::decl(&cfg),
        NetworkState::decl(&cfg),
        SyncPath::decl(&cfg),
        SyncStatus::decl(&cfg),
        MemberDto::decl(&cfg),
        MembersDto::decl(&cfg),
        InviteRequest::decl(&cfg),
        InviteDto::decl(&cfg),
        TicketInfo::decl(&cfg),
        JoinedDto::decl(&cfg),
        AppEvent::decl(&cfg),
        CommandError::decl(&cfg),
        ErrorKind::decl(&cfg),
    ];
    decls.extend(community::decls(&cfg));
    let mut out = String::from(
        "// Generated by `cargo xtask codegen` from src-tauri/src/dto.rs. Do not edit.\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

/// Where the generated TypeScript lives, from the workspace root.
pub const TYPESCRIPT_PATH: &str = "ui/src/lib/ipc-types.ts";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // One hit is a list of one range.
    fn text_parts_mark_hits() {
        let check = |text: &str, hits: &[Range<usize>], expected: &str| {
            let shown: String = text_parts(text, hits)
                .iter()
                .map(|p| {
                    if p.hit {
                        format!("[{}]", p.text)
                    } else {
                        p.text.clone()
                    }
                })
                .collect();
            assert_eq!(shown, expected);
        };
        check("compost heap", &[0..7], "[compost] heap");
        check("compost heap", &[8..12, 0..7], "[compost] [heap]");
        check("compost heap", &[0..7, 3..9], "[compost][ h]eap");
        check("compost", &[3..99], "compost");
        check("é soil", &[1..2, 3..7], "é [soil]");
        check("", &[], "");
    }

    /// The generated file is what dto.rs says: `cargo xtask codegen`
    /// rewrites it (LOAM_CODEGEN=write), every test run checks it.
    #[test]
    fn typescript_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(TYPESCRIPT_PATH);
        let want = typescript();
        if std::env::var("LOAM_CODEGEN").as_deref() == Ok("write") {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: run `cargo xtask codegen`",
            path.display()
        );
    }
}
