//! The commands the UI invokes. Each is a thin mapping: parse what the UI
//! sent, ask the node, answer with [`crate::dto`] types.

use loam_node::{ArchivedFilter, ListQuery, NewDoc, SearchQuery, Sort, When};
use tauri::State;
use tauri::ipc::{Channel, InvokeBody, InvokeResponseBody, Request, Response};

use crate::dto::{
    AppEvent, AppStatus, ChangeDto, CommandError, ContextDto, CreateRequest, EditDto, EditorOpened,
    ErrorKind, GardenDto, GardenEntryDto, HistoryDto, InviteDto, InviteRequest, JoinedDto,
    ListRequest, MemberDto, MembersDto, NoteDto, NoteRow, OutLinkDto, RenameDto, ResolvedLink,
    RoleDto, SearchHitDto, SortKey, SyncStatus, TagDto, TicketInfo, TitleDto, VersionDto,
    text_parts,
};
use crate::network;
use crate::state::{AppState, parse_id};

/// A command's result.
pub type Answer<T> = Result<T, CommandError>;

/// The header naming the editor session of an `editor_sync` message.
pub const SESSION_HEADER: &str = "loam-session";

/// What to show: the first-run form or the garden.
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Answer<AppStatus> {
    Ok(state.status())
}

/// Set the display name and, the first time, plant the demo garden
/// (unless `demo` is false: the member joins a garden with a ticket next).
/// A garden shown goes online.
#[tauri::command]
pub async fn finish_first_run<R: tauri::Runtime>(
    name: String,
    demo: Option<bool>,
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<AppStatus> {
    let status = state.finish_first_run(&name, demo.unwrap_or(true))?;
    network::start_in_background(&app);
    Ok(status)
}

/// The notes and pages, as the note list shows them.
#[tauri::command]
pub async fn list_notes(request: ListRequest, state: State<'_, AppState>) -> Answer<Vec<NoteRow>> {
    let query = ListQuery {
        tag: request.tag.filter(|t| !t.trim().is_empty()),
        archived: if request.archived {
            ArchivedFilter::Only
        } else {
            ArchivedFilter::Exclude
        },
        sort: match request.sort {
            SortKey::Title => Sort::Title,
            SortKey::Updated => Sort::Updated,
            SortKey::Created => Sort::Created,
        },
        descending: request.descending,
        ..ListQuery::default()
    };
    let rows = state.garden()?.list(&query)?;
    Ok(rows.into_iter().map(NoteRow::from).collect())
}

/// A note with its text.
#[tauri::command]
pub async fn get_note(id: String, state: State<'_, AppState>) -> Answer<NoteDto> {
    let view = state.garden()?.note(parse_id(&id)?)?;
    Ok(NoteDto {
        row: view.row.into(),
        text: view.text,
    })
}

/// A note as sanitised HTML (every HTML string the UI shows comes from
/// here, made by loam-markdown's sanitising renderer).
#[tauri::command]
pub async fn render_note(id: String, state: State<'_, AppState>) -> Answer<String> {
    Ok(state.garden()?.render(parse_id(&id)?)?)
}

/// Every title and alias.
#[tauri::command]
pub async fn titles(state: State<'_, AppState>) -> Answer<Vec<TitleDto>> {
    let titles = state.garden()?.titles()?;
    Ok(titles
        .into_iter()
        .filter(|t| !t.archived)
        .map(TitleDto::from)
        .collect())
}

/// Full-text search, best first.
#[tauri::command]
pub async fn search(query: String, state: State<'_, AppState>) -> Answer<Vec<SearchHitDto>> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SearchQuery::new(query);
    q.limit = 50;
    let hits = state.garden()?.search(&q)?;
    Ok(hits.into_iter().map(SearchHitDto::from).collect())
}

/// Documents linking to `id`, each with the line around its link.
#[tauri::command]
pub async fn backlinks(id: String, state: State<'_, AppState>) -> Answer<Vec<ContextDto>> {
    let garden = state.garden()?;
    let mut out = Vec::new();
    for link in garden.backlinks(parse_id(&id)?)? {
        let text = garden.note(link.source.id)?.text;
        out.push(ContextDto::backlink(link, &text));
    }
    Ok(out)
}

/// Documents mentioning `id`'s title without linking to it.
#[tauri::command]
pub async fn unlinked_mentions(id: String, state: State<'_, AppState>) -> Answer<Vec<ContextDto>> {
    let mentions = state.garden()?.unlinked_mentions(parse_id(&id)?)?;
    Ok(mentions
        .into_iter()
        .map(|m| ContextDto {
            context: text_parts(&m.context, &[m.range]),
            source: m.source.into(),
        })
        .collect())
}

/// "Link it": make `source`'s first mention of `target` a link.
#[tauri::command]
pub async fn link_mention(
    source: String,
    target: String,
    state: State<'_, AppState>,
) -> Answer<bool> {
    Ok(state
        .garden()?
        .link_mention(parse_id(&source)?, parse_id(&target)?)?)
}

/// Links going out of `id`.
#[tauri::command]
pub async fn outgoing_links(id: String, state: State<'_, AppState>) -> Answer<Vec<OutLinkDto>> {
    let links = state.garden()?.outgoing(parse_id(&id)?)?;
    Ok(links.into_iter().map(OutLinkDto::from).collect())
}

/// Where a `[[target]]` leads, if anywhere.
#[tauri::command]
pub async fn resolve_link(target: String, state: State<'_, AppState>) -> Answer<ResolvedLink> {
    let garden = state.garden()?;
    let title = target
        .split(['#', '|'])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    let id = match garden.resolve(&title) {
        Ok(id) => Some(id.to_string()),
        Err(loam_node::NodeError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(ResolvedLink { target: title, id })
}

/// Tags with their counts.
#[tauri::command]
pub async fn tags(state: State<'_, AppState>) -> Answer<Vec<TagDto>> {
    Ok(state
        .garden()?
        .tags()?
        .into_iter()
        .map(TagDto::from)
        .collect())
}

/// A note's edit sessions, newest first.
#[tauri::command]
pub async fn history(id: String, state: State<'_, AppState>) -> Answer<HistoryDto> {
    let history = state.garden()?.history(parse_id(&id)?)?;
    Ok(HistoryDto::new(
        &history,
        state.node().display_name().as_deref(),
    ))
}

/// Every change of a note, newest first.
#[tauri::command]
pub async fn history_changes(id: String, state: State<'_, AppState>) -> Answer<Vec<ChangeDto>> {
    let changes = state.garden()?.history_changes(parse_id(&id)?)?;
    let me = state.node().display_name();
    Ok(changes
        .iter()
        .rev()
        .map(|c| ChangeDto::new(c, me.as_deref()))
        .collect())
}

/// A note's text at the version `when` names (`#3`: after session 3).
#[tauri::command]
pub async fn version_at(
    id: String,
    when: String,
    state: State<'_, AppState>,
) -> Answer<VersionDto> {
    let garden = state.garden()?;
    let id = parse_id(&id)?;
    let version = garden.version_at(id, &When::parse(&when)?)?;
    let text = garden.text_at(id, &version)?;
    Ok(VersionDto {
        label: version.label,
        current: version.current,
        text,
    })
}

/// Make the version `when` names current again, as a new change.
#[tauri::command]
pub async fn restore_version(
    id: String,
    when: String,
    state: State<'_, AppState>,
) -> Answer<EditDto> {
    let garden = state.garden()?;
    let id = parse_id(&id)?;
    let version = garden.version_at(id, &When::parse(&when)?)?;
    Ok(garden.restore_version(id, &version)?.into())
}

/// Create a note or page; its id.
#[tauri::command]
pub async fn create_note(request: CreateRequest, state: State<'_, AppState>) -> Answer<String> {
    let id = state.garden()?.create(NewDoc {
        kind: request.kind.into(),
        title: request.title.trim().to_owned(),
        body: request.body,
        tags: Vec::new(),
        folder: request.folder.trim().trim_matches('/').to_owned(),
        path: String::new(),
    })?;
    Ok(id.to_string())
}

/// Rename, rewriting links to the old title.
#[tauri::command]
pub async fn rename_note(
    id: String,
    title: String,
    state: State<'_, AppState>,
) -> Answer<RenameDto> {
    Ok(state.garden()?.rename(parse_id(&id)?, title.trim())?.into())
}

/// Hide a note from lists and search (kept in full).
#[tauri::command]
pub async fn archive_note(id: String, state: State<'_, AppState>) -> Answer<bool> {
    Ok(state.garden()?.archive(parse_id(&id)?)?)
}

/// Bring an archived note back.
#[tauri::command]
pub async fn restore_note(id: String, state: State<'_, AppState>) -> Answer<bool> {
    Ok(state.garden()?.restore(parse_id(&id)?)?)
}

/// Open an editor session on `id`: sync messages for the webview's replica
/// go down `channel`.
#[tauri::command]
pub async fn editor_open(
    id: String,
    channel: Channel<InvokeResponseBody>,
    state: State<'_, AppState>,
) -> Answer<EditorOpened> {
    let garden = state.garden()?;
    let doc = parse_id(&id)?;
    let row = garden.note(doc)?.row;
    let actor = garden.replica_actor();
    let session = state.editors.open(garden, doc, channel);
    Ok(EditorOpened {
        session,
        actor,
        row: row.into(),
    })
}

/// The open document's bytes, raw, for the webview to load.
#[tauri::command]
pub async fn editor_load(session: u32, state: State<'_, AppState>) -> Answer<Response> {
    Ok(Response::new(state.editors.load(session)?))
}

/// A sync message from the webview's replica: the raw request body, the
/// session in the `loam-session` header.
#[tauri::command]
pub async fn editor_sync(request: Request<'_>, state: State<'_, AppState>) -> Answer<()> {
    let session = request
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok())
        .ok_or_else(|| CommandError::new(ErrorKind::Invalid, "a sync message names no session"))?;
    let InvokeBody::Raw(message) = request.body() else {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "a sync message must be raw bytes",
        ));
    };
    state.editors.receive(session, message)
}

/// End an editor session.
#[tauri::command]
pub async fn editor_close(session: u32, state: State<'_, AppState>) -> Answer<()> {
    state.editors.close(session);
    Ok(())
}

/// Receive the garden's events on `channel` from now on.
#[tauri::command]
pub async fn subscribe_events(
    channel: Channel<AppEvent>,
    state: State<'_, AppState>,
) -> Answer<()> {
    state.listen(channel);
    Ok(())
}

/// Close the window: the UI calls this once its editor has sent everything
/// (after a `Closing` event).
#[tauri::command]
pub async fn close_window<R: tauri::Runtime>(window: tauri::Window<R>) -> Answer<()> {
    window.destroy().map_err(|e| {
        CommandError::new(ErrorKind::Internal, format!("cannot close the window: {e}"))
    })
}

/// Sync with other members now: peers, path, last sync, problems.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Answer<SyncStatus> {
    Ok(network::status(&state))
}

/// The garden's members, with who is online.
#[tauri::command]
pub async fn members(state: State<'_, AppState>) -> Answer<MembersDto> {
    members_of(&state)
}

fn members_of(state: &AppState) -> Answer<MembersDto> {
    let garden = state.garden()?;
    let membership = garden.members()?;
    let me = state.node().member_id();
    let online = network::status(state).online;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let mut members: Vec<MemberDto> = membership
        .members()
        .map(|m| MemberDto {
            id: m.id.to_string(),
            short: m.id.short(),
            name: m.name.clone(),
            role: m.role.into(),
            you: m.id == me,
            online: m.id == me || online.contains(&m.id.to_string()),
            joined: m.joined_ms,
        })
        .collect();
    // Facilitators first, then by name.
    let rank = |r: RoleDto| match r {
        RoleDto::Facilitator => 0,
        RoleDto::Member => 1,
        RoleDto::Reader => 2,
    };
    members.sort_by(|a, b| {
        (rank(a.role), a.name.to_lowercase()).cmp(&(rank(b.role), b.name.to_lowercase()))
    });
    let my_role = membership.role(me);
    Ok(MembersDto {
        members,
        my_role: my_role.map(Into::into),
        can_manage: my_role.is_some_and(|r| r.can_manage()),
        shareable: garden.shareable(),
        open_invites: u32::try_from(
            membership
                .invites()
                .filter(|i| i.check(now).is_ok())
                .count(),
        )
        .unwrap_or(u32::MAX),
    })
}

fn parse_member(id: &str) -> Answer<loam_node::MemberId> {
    id.parse()
        .map_err(|_| CommandError::new(ErrorKind::Invalid, format!("`{id}` is not a member id")))
}

/// Change a member's role (facilitators only); the members after.
#[tauri::command]
pub async fn set_member_role(
    member: String,
    role: RoleDto,
    state: State<'_, AppState>,
) -> Answer<MembersDto> {
    state
        .garden()?
        .set_role(parse_member(&member)?, role.into())?;
    members_of(&state)
}

/// Remove a member (facilitators only); the members after.
#[tauri::command]
pub async fn remove_member(member: String, state: State<'_, AppState>) -> Answer<MembersDto> {
    state.garden()?.remove_member(parse_member(&member)?)?;
    members_of(&state)
}

/// Make an invite (facilitators only): the ticket reaches this member
/// where the network listens now.
#[tauri::command]
pub async fn create_invite(
    request: InviteRequest,
    state: State<'_, AppState>,
) -> Answer<InviteDto> {
    if request.uses == 0 {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "an invite needs at least one use",
        ));
    }
    let garden = state.garden()?;
    if !garden.shareable() {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            format!(
                "garden `{}` was made before sharing existed and cannot be shared",
                garden.name()
            ),
        ));
    }
    let inviter = match state.net.running() {
        Some(net) => net.addr()?,
        None => loam_node::network::saved_addr(state.node()).ok_or_else(|| {
            CommandError::new(
                ErrorKind::Network,
                "Loam is not online yet, so a ticket could not say where to find you: try again in a moment",
            )
        })?,
    };
    let expires = request
        .expires_hours
        .map(|h| std::time::Duration::from_secs(u64::from(h) * 3600));
    let invite = garden.invite(request.role.into(), expires, request.uses)?;
    let ticket = loam_node::network::invite_ticket(&garden, &invite, inviter);
    let qr = ticket.to_qr_string();
    let (qr_modules, qr_size) = crate::qr::modules(&qr);
    Ok(InviteDto {
        ticket: ticket.to_string(),
        qr,
        qr_modules,
        qr_size,
        role: request.role,
        uses: request.uses,
        expires: ticket.expires_ms,
    })
}

/// Read a pasted ticket: what it offers, or why it cannot be used.
#[tauri::command]
pub async fn read_ticket(ticket: String, state: State<'_, AppState>) -> Answer<TicketInfo> {
    let ticket = crate::join::parse_ticket(&ticket)?;
    crate::join::check_not_expired(&ticket)?;
    Ok(TicketInfo {
        garden: ticket.garden_name.clone(),
        role: ticket.role.clone(),
        expires: ticket.expires_ms,
        inviter: ticket.inviter.member.short(),
        have_it: state.node().garden_by_id(ticket.garden).is_ok(),
    })
}

/// Every garden this install holds, by name, the one shown marked.
#[tauri::command]
pub fn list_gardens(state: State<'_, AppState>) -> Answer<Vec<GardenEntryDto>> {
    state.garden()?;
    let node = state.node();
    let shown = state.shown().map(|g| g.id());
    Ok(node
        .gardens()?
        .into_iter()
        .map(|info| {
            let role = match info.problem {
                None => node
                    .garden_by_id(info.id)
                    .ok()
                    .and_then(|g| g.my_role().ok().flatten())
                    .map(Into::into),
                Some(_) => None,
            };
            GardenEntryDto {
                id: info.id.to_string(),
                name: info.name,
                docs: info.docs,
                role,
                shown: shown == Some(info.id),
                problem: info.problem,
            }
        })
        .collect())
}

/// Show the garden `id` from now on, and when the app next starts.
#[tauri::command]
pub fn switch_garden(id: String, state: State<'_, AppState>) -> Answer<AppStatus> {
    state.garden()?;
    let id = id
        .parse()
        .map_err(|_| CommandError::new(ErrorKind::Invalid, format!("no garden has the id {id}")))?;
    switch_to(&state, state.node().garden_by_id(id)?)
}

/// Plant a new, empty garden, the member its facilitator, and show it.
#[tauri::command]
pub fn create_garden(name: String, state: State<'_, AppState>) -> Answer<AppStatus> {
    state.garden()?;
    switch_to(&state, state.node().create_garden(&name)?)
}

/// Show `garden` from now on; the footer follows it.
fn switch_to(state: &AppState, garden: std::sync::Arc<loam_node::Garden>) -> Answer<AppStatus> {
    state.switch_to(garden)?;
    network::refresh(state);
    Ok(state.status())
}

/// Join a garden with a ticket: reach the inviting member, be admitted,
/// receive the garden and show it.
#[tauri::command]
pub async fn join_garden<R: tauri::Runtime>(
    ticket: String,
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Answer<JoinedDto> {
    if state.node().display_name().is_none() {
        return Err(CommandError::not_ready());
    }
    let ticket = crate::join::parse_ticket(&ticket)?;
    crate::join::check_not_expired(&ticket)?;
    let handle = app.clone();
    let report = network::off_runtime(move || crate::join::join(&handle, &ticket)).await??;
    let garden = state.node().garden_by_id(report.garden)?;
    state.show(garden.clone())?;
    network::refresh(&state);
    Ok(JoinedDto {
        garden: GardenDto {
            id: garden.id().to_string(),
            name: garden.name().to_owned(),
        },
        role: report.role.into(),
        docs: report.docs,
        status: state.status(),
    })
}
