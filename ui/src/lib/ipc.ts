// Typed calls to the Rust commands (src-tauri/src/commands.rs). Every type
// comes from ipc-types.ts, generated from src-tauri/src/dto.rs.
import { invoke, Channel } from "@tauri-apps/api/core";
import type {
  AppEvent,
  AppStatus,
  ChangeDto,
  CommandError,
  ContextDto,
  CreateRequest,
  EditDto,
  EditorOpened,
  GardenEntryDto,
  HistoryDto,
  InviteDto,
  InviteRequest,
  JoinedDto,
  ListRequest,
  MembersDto,
  NoteDto,
  NoteRow,
  OutLinkDto,
  RenameDto,
  ResolvedLink,
  RoleDto,
  SearchHitDto,
  SyncStatus,
  TagDto,
  TicketInfo,
  TitleDto,
  VersionDto,
  PermissionsDto,
  IndexDto,
  IndexEdit,
  DiscussionDto,
  DiscussionWrite,
  OpenThreadsDto,
  GuidelinesDto,
  ProfileDto,
  PathDto,
  PathEdit,
  ModerationDto,
  ModerationAct,
  StatsDto,
  GraphDto,
} from "./ipc-types";

export type * from "./ipc-types";

/** The words of a failed command, whatever it threw. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    return String((e as CommandError).message);
  }
  return String(e);
}

export const api = {
  appStatus: () => invoke<AppStatus>("app_status"),
  finishFirstRun: (name: string, demo = true) => invoke<AppStatus>("finish_first_run", { name, demo }),
  listNotes: (request: ListRequest) => invoke<NoteRow[]>("list_notes", { request }),
  getNote: (id: string) => invoke<NoteDto>("get_note", { id }),
  renderNote: (id: string) => invoke<string>("render_note", { id }),
  titles: () => invoke<TitleDto[]>("titles"),
  search: (query: string) => invoke<SearchHitDto[]>("search", { query }),
  backlinks: (id: string) => invoke<ContextDto[]>("backlinks", { id }),
  unlinkedMentions: (id: string) => invoke<ContextDto[]>("unlinked_mentions", { id }),
  linkMention: (source: string, target: string) =>
    invoke<boolean>("link_mention", { source, target }),
  outgoingLinks: (id: string) => invoke<OutLinkDto[]>("outgoing_links", { id }),
  resolveLink: (target: string) => invoke<ResolvedLink>("resolve_link", { target }),
  tags: () => invoke<TagDto[]>("tags"),
  history: (id: string) => invoke<HistoryDto>("history", { id }),
  historyChanges: (id: string) => invoke<ChangeDto[]>("history_changes", { id }),
  versionAt: (id: string, when: string) => invoke<VersionDto>("version_at", { id, when }),
  restoreVersion: (id: string, when: string) =>
    invoke<EditDto>("restore_version", { id, when }),
  createNote: (request: CreateRequest) => invoke<string>("create_note", { request }),
  renameNote: (id: string, title: string) => invoke<RenameDto>("rename_note", { id, title }),
  archiveNote: (id: string) => invoke<boolean>("archive_note", { id }),
  restoreNote: (id: string) => invoke<boolean>("restore_note", { id }),
  closeWindow: () => invoke<null>("close_window"),
  syncStatus: () => invoke<SyncStatus>("sync_status"),
  members: () => invoke<MembersDto>("members"),
  setMemberRole: (member: string, role: RoleDto) => invoke<MembersDto>("set_member_role", { member, role }),
  removeMember: (member: string) => invoke<MembersDto>("remove_member", { member }),
  createInvite: (request: InviteRequest) => invoke<InviteDto>("create_invite", { request }),
  readTicket: (ticket: string) => invoke<TicketInfo>("read_ticket", { ticket }),
  joinGarden: (ticket: string) => invoke<JoinedDto>("join_garden", { ticket }),
  listGardens: () => invoke<GardenEntryDto[]>("list_gardens"),
  switchGarden: (id: string) => invoke<AppStatus>("switch_garden", { id }),
  createGarden: (name: string) => invoke<AppStatus>("create_garden", { name }),
  permissions: () => invoke<PermissionsDto>("permissions"),
  communityIndex: () => invoke<IndexDto>("community_index"),
  indexEdit: (edit: IndexEdit) => invoke<IndexDto>("index_edit", { edit }),
  discussion: (doc: string) => invoke<DiscussionDto>("discussion", { doc }),
  discussionWrite: (write: DiscussionWrite) => invoke<string | null>("discussion_write", { write }),
  openThreads: () => invoke<OpenThreadsDto>("open_threads"),
  guidelines: () => invoke<GuidelinesDto>("guidelines"),
  acknowledgeGuidelines: () => invoke<GuidelinesDto>("acknowledge_guidelines"),
  setGuidelines: (text: string) => invoke<GuidelinesDto>("set_guidelines", { text }),
  directory: () => invoke<ProfileDto[]>("directory"),
  readingPaths: () => invoke<PathDto[]>("reading_paths"),
  markRead: (doc: string, read: boolean) => invoke<PathDto[]>("mark_read", { doc, read }),
  pathEdit: (edit: PathEdit) => invoke<PathDto[]>("path_edit", { edit }),
  moderation: () => invoke<ModerationDto>("moderation"),
  moderate: (act: ModerationAct) => invoke<string>("moderate", { act }),
  gardenStats: () => invoke<StatsDto>("garden_stats"),
  linkGraph: () => invoke<GraphDto>("link_graph"),
  subscribeEvents: (onEvent: (e: AppEvent) => void) => {
    const channel = new Channel<AppEvent>();
    channel.onmessage = onEvent;
    return invoke<null>("subscribe_events", { channel });
  },
};

/** The editor's side of a sync session with the node. */
export const editorApi = {
  open: (id: string, onMessage: (message: Uint8Array) => void) => {
    const channel = new Channel<ArrayBuffer>();
    channel.onmessage = (m) => onMessage(new Uint8Array(m));
    return invoke<EditorOpened>("editor_open", { id, channel });
  },
  load: async (session: number) =>
    new Uint8Array(await invoke<ArrayBuffer>("editor_load", { session })),
  sync: (session: number, message: Uint8Array) =>
    invoke<null>("editor_sync", message, { headers: { "loam-session": String(session) } }),
  close: (session: number) => invoke<null>("editor_close", { session }),
};
