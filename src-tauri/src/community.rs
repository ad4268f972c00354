//! The community layer's commands: what a role allows, the curated index,
//! discussion and kudos, guidelines, the member directory and reading
//! paths, moderation, the dashboard and the link graph. Each is a thin
//! mapping onto loam-node's community API, which checks the member's role
//! before it writes; a refusal reaches the UI as `notAllowed` with the
//! reason in words.

use std::collections::HashMap;

use loam_node::{DocId, Garden, KudosTarget, ListQuery, ModerationTarget};
use tauri::State;

use crate::commands::Answer;
use crate::dto::community::{
    DiscussionDto, DiscussionWrite, FlagDto, GraphDto, GraphNodeDto, GuidelinesDto, IndexDto,
    IndexEdit, KudosFor, MemberRef, ModerationAct, ModerationDto, ModerationLogDto, Names,
    OpenThreadsDto, PathDto, PathEdit, PermissionsDto, ProfileDto, StatsDto, TargetDto,
    ThreadViews,
};
use crate::dto::{CommandError, ErrorKind};
use crate::state::{AppState, parse_id};

/// Titles of every document, archived ones too.
struct Titles(HashMap<DocId, String>);

impl Titles {
    fn of(garden: &Garden) -> Answer<Self> {
        Ok(Self(
            garden
                .titles()?
                .into_iter()
                .map(|t| (t.id, t.title))
                .collect(),
        ))
    }

    fn get(&self, doc: DocId) -> String {
        self.0
            .get(&doc)
            .cloned()
            .unwrap_or_else(|| "(not synced yet)".to_owned())
    }
}

fn names(state: &AppState, garden: &Garden) -> Answer<Names> {
    Ok(Names::new(&garden.members()?, state.node().member_id()))
}

fn parse_member(id: &str) -> Answer<loam_node::MemberId> {
    id.parse()
        .map_err(|_| CommandError::new(ErrorKind::Invalid, format!("`{id}` is not a member id")))
}

/// What this member may do in the community, and why not.
#[tauri::command]
pub async fn permissions(state: State<'_, AppState>) -> Answer<PermissionsDto> {
    Ok(state.garden()?.permissions()?.into())
}

fn index_of(state: &AppState, garden: &Garden) -> Answer<IndexDto> {
    let titles = Titles::of(garden)?;
    Ok(IndexDto::new(
        garden.index()?,
        &names(state, garden)?,
        |d| titles.get(d),
    ))
}

/// The curated index and the suggestions waiting for a facilitator.
#[tauri::command]
pub async fn community_index(state: State<'_, AppState>) -> Answer<IndexDto> {
    let garden = state.garden()?;
    index_of(&state, &garden)
}

/// Change the index (or suggest an entry); the index after.
#[tauri::command]
pub async fn index_edit(edit: IndexEdit, state: State<'_, AppState>) -> Answer<IndexDto> {
    let garden = state.garden()?;
    let at = |n: Option<u32>| n.map(|n| n as usize);
    match edit {
        IndexEdit::AddSection { title } => {
            garden.add_section(title.trim(), None)?;
        }
        IndexEdit::RenameSection { section, title } => {
            garden.rename_section(&section, title.trim())?;
        }
        IndexEdit::RemoveSection { section } => garden.remove_section(&section)?,
        IndexEdit::AddEntry {
            section,
            doc,
            at: n,
        } => {
            garden.add_to_index(&section, parse_id(&doc)?, at(n))?;
        }
        IndexEdit::RemoveEntry { section, doc } => {
            garden.remove_from_index(&section, parse_id(&doc)?)?;
        }
        IndexEdit::MoveEntry { section, doc, to } => {
            garden.move_in_index(&section, parse_id(&doc)?, to as usize)?;
        }
        IndexEdit::Feature { doc, reason } => {
            garden.feature(parse_id(&doc)?, reason.as_deref().map(str::trim))?;
        }
        IndexEdit::Suggest {
            doc,
            section,
            reason,
        } => {
            garden.suggest(parse_id(&doc)?, section.as_deref(), reason.trim())?;
        }
        IndexEdit::Accept {
            suggestion,
            section,
        } => garden.accept_suggestion(&suggestion, section.as_deref())?,
        IndexEdit::Decline { suggestion, note } => {
            garden.decline_suggestion(&suggestion, note.trim())?;
        }
    }
    index_of(&state, &garden)
}

fn thread_views<'a>(
    garden: &Garden,
    names: &'a Names,
    kudos: &'a [loam_node::Kudos],
    title: &'a dyn Fn(DocId) -> String,
) -> Answer<ThreadViews<'a>> {
    Ok(ThreadViews {
        names,
        kudos,
        title,
        facilitator: garden.my_role()? == Some(loam_node::Role::Facilitator),
    })
}

/// The threads, questions and kudos of a page or note.
#[tauri::command]
pub async fn discussion(doc: String, state: State<'_, AppState>) -> Answer<DiscussionDto> {
    let garden = state.garden()?;
    let doc = parse_id(&doc)?;
    let community = garden.community()?;
    let names = names(&state, &garden)?;
    let titles = Titles::of(&garden)?;
    let title = |d| titles.get(d);
    let views = thread_views(&garden, &names, &community.kudos, &title)?;
    Ok(DiscussionDto {
        doc: doc.to_string(),
        threads: community
            .threads
            .iter()
            .filter(|t| t.doc == doc)
            .map(|t| views.thread(t))
            .collect(),
        kudos: views.doc_kudos(doc),
    })
}

/// Open a thread, comment, reply, resolve, answer or give kudos; the
/// reference of what was made (`None` for a resolution).
#[tauri::command]
pub async fn discussion_write(
    write: DiscussionWrite,
    state: State<'_, AppState>,
) -> Answer<Option<String>> {
    let garden = state.garden()?;
    Ok(match write {
        DiscussionWrite::Open {
            doc,
            title,
            text,
            question,
        } => Some(
            garden
                .open_thread(parse_id(&doc)?, title.trim(), &text, question)?
                .encode(),
        ),
        DiscussionWrite::Comment {
            thread,
            text,
            reply,
        } => Some(garden.comment(&thread, &text, reply.as_deref())?.encode()),
        DiscussionWrite::Resolve { thread, resolved } => {
            garden.resolve_thread(&thread, resolved)?;
            None
        }
        DiscussionWrite::Answer {
            question,
            note,
            text,
        } => Some(
            garden
                .answer_question(&question, parse_id(&note)?, &text)?
                .encode(),
        ),
        DiscussionWrite::Kudos { target, message } => {
            let target = match target {
                KudosFor::Doc { id } => KudosTarget::Doc(parse_id(&id)?),
                KudosFor::Comment { id } => garden.comment_target(&id)?,
            };
            Some(garden.give_kudos(&target, message.trim())?.encode())
        }
    })
}

/// Threads not resolved and questions not answered, across the garden.
#[tauri::command]
pub async fn open_threads(state: State<'_, AppState>) -> Answer<OpenThreadsDto> {
    let garden = state.garden()?;
    let community = garden.community()?;
    let names = names(&state, &garden)?;
    let titles = Titles::of(&garden)?;
    let title = |d| titles.get(d);
    let views = thread_views(&garden, &names, &community.kudos, &title)?;
    Ok(OpenThreadsDto {
        unresolved: community
            .unresolved()
            .filter(|t| t.hidden.is_none())
            .map(|t| views.thread(t))
            .collect(),
        unanswered: community
            .unanswered()
            .filter(|t| t.hidden.is_none())
            .map(|t| views.thread(t))
            .collect(),
    })
}

fn guidelines_of(state: &AppState, garden: &Garden) -> Answer<GuidelinesDto> {
    Ok(GuidelinesDto::new(
        garden.guidelines()?,
        garden.guidelines_acks()?,
        &names(state, garden)?,
    ))
}

/// The guidelines, whether this member acknowledged them, what changed.
#[tauri::command]
pub async fn guidelines(state: State<'_, AppState>) -> Answer<GuidelinesDto> {
    let garden = state.garden()?;
    guidelines_of(&state, &garden)
}

/// Acknowledge the current guidelines (readers too).
#[tauri::command]
pub async fn acknowledge_guidelines(state: State<'_, AppState>) -> Answer<GuidelinesDto> {
    let garden = state.garden()?;
    garden.acknowledge_guidelines()?;
    guidelines_of(&state, &garden)
}

/// Write a new version of the guidelines (facilitators).
#[tauri::command]
pub async fn set_guidelines(text: String, state: State<'_, AppState>) -> Answer<GuidelinesDto> {
    let garden = state.garden()?;
    if text.trim().is_empty() {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "the guidelines cannot be empty",
        ));
    }
    garden.set_guidelines(&text)?;
    guidelines_of(&state, &garden)
}

/// Every member's profile: contributions, kudos, pages started, who knows
/// what.
#[tauri::command]
pub async fn directory(state: State<'_, AppState>) -> Answer<Vec<ProfileDto>> {
    let garden = state.garden()?;
    let names = names(&state, &garden)?;
    let titles = Titles::of(&garden)?;
    let title = |d| titles.get(d);
    Ok(garden
        .directory()?
        .into_iter()
        .map(|p| ProfileDto::new(p, &names, &title))
        .collect())
}

fn paths_of(state: &AppState, garden: &Garden) -> Answer<Vec<PathDto>> {
    Ok(garden
        .paths(state.node().member_id())?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The reading paths with this member's progress.
#[tauri::command]
pub async fn reading_paths(state: State<'_, AppState>) -> Answer<Vec<PathDto>> {
    let garden = state.garden()?;
    paths_of(&state, &garden)
}

/// Mark a page read (or not); the paths after.
#[tauri::command]
pub async fn mark_read(
    doc: String,
    read: bool,
    state: State<'_, AppState>,
) -> Answer<Vec<PathDto>> {
    let garden = state.garden()?;
    garden.mark_read(parse_id(&doc)?, read)?;
    paths_of(&state, &garden)
}

/// Make, change or remove a reading path (facilitators); the paths after.
#[tauri::command]
pub async fn path_edit(edit: PathEdit, state: State<'_, AppState>) -> Answer<Vec<PathDto>> {
    let garden = state.garden()?;
    let ids =
        |pages: &[String]| -> Answer<Vec<DocId>> { pages.iter().map(|p| parse_id(p)).collect() };
    match edit {
        PathEdit::Add { title, pages } => {
            garden.add_path(title.trim(), &ids(&pages)?)?;
        }
        PathEdit::SetPages { path, pages } => garden.set_path_pages(&path, &ids(&pages)?)?,
        PathEdit::Remove { path } => garden.remove_path(&path)?,
    }
    paths_of(&state, &garden)
}

/// What a stored target (`doc:<id>`, `thread:<ref>`, `comment:<ref>`, or a
/// bare document id) is, in words, and the document it concerns.
fn describe(
    target: &str,
    community: &loam_node::Community,
    titles: &Titles,
) -> (String, Option<String>) {
    let thread_doc = |t: &loam_node::Thread| Some(t.doc.to_string());
    if let Ok(doc) = target
        .strip_prefix("doc:")
        .unwrap_or(target)
        .parse::<DocId>()
    {
        return (format!("“{}”", titles.get(doc)), Some(doc.to_string()));
    }
    if let Some(r) = target.strip_prefix("thread:") {
        if let Ok(t) = community.thread(r) {
            return (
                format!("the thread “{}” on “{}”", t.title, titles.get(t.doc)),
                thread_doc(t),
            );
        }
        return ("a thread".to_owned(), None);
    }
    if let Some(r) = target.strip_prefix("comment:") {
        if let Some((t, _)) = community.comment(r) {
            return (
                format!("a comment in “{}” on “{}”", t.title, titles.get(t.doc)),
                thread_doc(t),
            );
        }
        return ("a comment".to_owned(), None);
    }
    ("a flag".to_owned(), None)
}

/// Open flags and the moderation log (newest first).
#[tauri::command]
pub async fn moderation(state: State<'_, AppState>) -> Answer<ModerationDto> {
    let garden = state.garden()?;
    let community = garden.community()?;
    let names = names(&state, &garden)?;
    let titles = Titles::of(&garden)?;
    let flags = garden
        .open_flags()?
        .into_iter()
        .map(|f| {
            let (what, doc) = describe(&f.target, &community, &titles);
            FlagDto {
                id: f.id.encode(),
                by: names.of(f.author),
                what,
                doc,
                reason: f.reason,
                created: f.created,
            }
        })
        .collect();
    let log = garden
        .moderation_log()?
        .into_iter()
        .rev()
        .map(|r| {
            let (what, _) = describe(&r.target, &community, &titles);
            ModerationLogDto::new(r, &names, what)
        })
        .collect();
    Ok(ModerationDto { flags, log })
}

fn target(t: TargetDto, garden: &Garden) -> Answer<ModerationTarget> {
    Ok(match t {
        TargetDto::Doc { id } => ModerationTarget::Doc(parse_id(&id)?),
        TargetDto::Thread { id } | TargetDto::Comment { id } => garden.item_target(&id)?,
    })
}

/// Flag something, or moderate (facilitators); what was done, in words.
#[tauri::command]
pub async fn moderate(act: ModerationAct, state: State<'_, AppState>) -> Answer<String> {
    let garden = state.garden()?;
    Ok(match act {
        ModerationAct::Flag { target: t, reason } => {
            garden.flag(&target(t, &garden)?, reason.trim())?;
            "Flagged for the facilitators".to_owned()
        }
        ModerationAct::Archive { doc, reason } => {
            garden.moderate_archive(parse_id(&doc)?, reason.trim())?;
            "Archived: hidden from lists, search and links, kept in full".to_owned()
        }
        ModerationAct::Restore { doc, reason } => {
            garden.moderate_restore(parse_id(&doc)?, reason.trim())?;
            "Brought back from the archive".to_owned()
        }
        ModerationAct::Hide { target: t, reason } => {
            let shown = reason.is_none();
            garden.hide(&target(t, &garden)?, reason.as_deref())?;
            if shown { "Shown again" } else { "Hidden" }.to_owned()
        }
        ModerationAct::Revert {
            doc,
            member,
            reason,
        } => {
            let r = garden.revert_member(parse_id(&doc)?, parse_member(&member)?, reason.trim())?;
            if r.changes == 0 {
                "That member made no changes to this page".to_owned()
            } else {
                format!(
                    "Reverted {} change{}: {} character{} taken out, {} put back",
                    r.changes,
                    if r.changes == 1 { "" } else { "s" },
                    r.deleted,
                    if r.deleted == 1 { "" } else { "s" },
                    r.inserted
                )
            }
        }
        ModerationAct::Dismiss { flag, note } => {
            garden.dismiss_flag(&flag, note.trim())?;
            "Flag dismissed".to_owned()
        }
    })
}

/// The knowledge-creation dashboard's figures.
#[tauri::command]
pub async fn garden_stats(state: State<'_, AppState>) -> Answer<StatsDto> {
    let garden = state.garden()?;
    let names = names(&state, &garden)?;
    let titles = Titles::of(&garden)?;
    let title = |d| titles.get(d);
    Ok(StatsDto::new(garden.stats()?, &names, &title))
}

/// The link graph: documents (not archived) with tags and who started
/// them, and the links between them (by position).
#[tauri::command]
pub async fn link_graph(state: State<'_, AppState>) -> Answer<GraphDto> {
    let garden = state.garden()?;
    let names = names(&state, &garden)?;
    let rows = garden.list(&ListQuery::default())?;
    let facts = garden.stats_input()?;
    let creators: HashMap<DocId, loam_node::MemberId> = facts
        .notes
        .iter()
        .filter_map(|n| n.creator.map(|c| (n.doc, c)))
        .collect();
    let at: HashMap<DocId, u32> = rows.iter().zip(0u32..).map(|(r, i)| (r.id, i)).collect();
    let mut members: Vec<MemberRef> = Vec::new();
    let mut member_at: HashMap<loam_node::MemberId, u32> = HashMap::new();
    let nodes = rows
        .into_iter()
        .map(|r| {
            let creator = creators.get(&r.id).map(|c| {
                *member_at.entry(*c).or_insert_with(|| {
                    members.push(names.of(*c));
                    u32::try_from(members.len() - 1).unwrap_or(u32::MAX)
                })
            });
            GraphNodeDto {
                id: r.id.to_string(),
                title: r.title,
                kind: r.kind.into(),
                tags: r.tags,
                creator,
            }
        })
        .collect();
    let mut edges: Vec<(u32, u32)> = facts
        .links
        .iter()
        .filter(|l| l.from != l.to)
        .filter_map(|l| Some((*at.get(&l.from)?, *at.get(&l.to)?)))
        .collect();
    edges.sort_unstable();
    edges.dedup();
    Ok(GraphDto {
        nodes,
        edges,
        members,
    })
}
