// The app's state: what is listed, what is open, which panel and dialog
// show. Components read it and call its methods; only this module and the
// editor call the node.
import { api, errorMessage } from "./ipc";
import type {
  AppEvent,
  AppStatus,
  MemberDto,
  MembersDto,
  NoteKind,
  NoteRow,
  RoleDto,
  SortKey,
  SyncStatus,
  TagDto,
  TitleDto,
} from "./ipc";
import { loadRecent, saveRecent, touch } from "./recent";
import type { SaveState } from "./replica";

export type LeftTab = "notes" | "search" | "tags";
export type RightTab = "links" | "discuss" | "history" | "members";
/** What the middle of the window shows: the open note, or a community view. */
export type MainView = "note" | "home" | "people" | "dashboard" | "graph" | "moderation";
export type Theme = "system" | "light" | "dark";
export type ViewMode = "source" | "split" | "preview";

export type Modal =
  | { kind: "switcher" }
  | { kind: "palette" }
  | { kind: "create"; title: string; pageKind: NoteKind }
  | { kind: "confirm-create"; title: string }
  | { kind: "rename"; title: string }
  | { kind: "version"; when: string; label: string; text: string; current: boolean }
  | { kind: "invite" }
  | { kind: "join" }
  | { kind: "gardens" }
  | { kind: "confirm-remove"; member: MemberDto }
  | { kind: "guidelines" }
  | {
      kind: "prompt";
      /** The dialog's heading. */
      title: string;
      /** What to type, in words. */
      label: string;
      /** The text it starts with. */
      value: string;
      /** The button's word. */
      ok: string;
      /** Whether an empty answer is refused. */
      required: boolean;
      /** Done with the answer: true closes the dialog. */
      submit: (value: string) => Promise<boolean>;
    };

class Store {
  status = $state<AppStatus | null>(null);
  // The garden's lists are replaced whole on every refresh, never changed
  // in place: raw state, so that 10,000 rows are not each made a deep
  // reactive proxy (tens of MB at that size).
  notes = $state.raw<NoteRow[]>([]);
  titles = $state.raw<TitleDto[]>([]);
  tags = $state.raw<TagDto[]>([]);
  openId = $state<string | null>(null);
  openRow = $state<NoteRow | null>(null);
  recent = $state<string[]>(loadRecent());
  sort = $state<SortKey>("updated");
  descending = $state(true);
  tagFilter = $state<string | null>(null);
  showArchived = $state(false);
  leftTab = $state<LeftTab>("notes");
  rightTab = $state<RightTab>("links");
  main = $state<MainView>("note");
  view = $state<ViewMode>("source");
  modal = $state<Modal | null>(null);
  saveState = $state<SaveState>("saved");
  notice = $state<string | null>(null);
  /** Bumped whenever the garden changes: panels reload on it. */
  revision = $state(0);
  /** Bumped when the community (index, discussion, guidelines, roles)
   * changes: community views reload on it. */
  communityRevision = $state(0);
  /** Bumped when the open document changes. */
  openRevision = $state(0);
  /** Sync with other members (the footer). */
  sync = $state<SyncStatus | null>(null);
  /** The garden's members (the Members tab). */
  members = $state<MembersDto | null>(null);
  /** The clock the footer's "synced 2 min ago" reads, ticking. */
  now = $state(Date.now());
  theme = $state<Theme>((globalThis.localStorage?.getItem("loam.theme") as Theme) ?? "system");

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private subscribed = false;

  async start() {
    this.status = await api.appStatus();
    if (this.status.ready) await this.enterGarden();
  }

  /** The first run: a name, then the demo garden (or, with `demo` false,
   * nothing yet: the member joins a garden next). */
  async finishFirstRun(name: string, demo = true) {
    this.status = await api.finishFirstRun(name, demo);
    if (this.status.ready) await this.enterGarden();
  }

  /** Join a garden with a ticket and show it. Throws what went wrong. */
  async join(ticket: string) {
    const joined = await api.joinGarden(ticket);
    await this.showGarden(joined.status);
    this.say(
      `Joined “${joined.garden.name}” as ${joined.role} (${joined.docs} document${joined.docs === 1 ? "" : "s"} received)`,
    );
  }

  /** Show another garden this install holds (the garden switcher). */
  async switchGarden(id: string) {
    if (id === this.status?.garden?.id) {
      this.modal = null;
      return;
    }
    try {
      await this.showGarden(await api.switchGarden(id));
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  /** Plant a new garden, this member its facilitator, and show it; false
   * (and why, in the notice) when it could not be. */
  async createGarden(name: string): Promise<boolean> {
    try {
      await this.showGarden(await api.createGarden(name));
      this.say(`Planted “${name}”: invite others from the Members tab`);
      return true;
    } catch (e) {
      this.say(errorMessage(e));
      return false;
    }
  }

  /** The app now shows the garden `status` names: what belonged to the
   * one before (open note, filter, members, community views) goes. */
  private async showGarden(status: AppStatus) {
    this.modal = null;
    // The note open in the garden shown before closes (its editor sends
    // its last edits first).
    this.openId = null;
    this.openRow = null;
    this.tagFilter = null;
    this.main = "note";
    this.status = status;
    this.members = null;
    this.communityRevision += 1;
    await this.enterGarden();
  }

  private async enterGarden() {
    if (!this.subscribed) {
      this.subscribed = true;
      await api.subscribeEvents((e) => this.onEvent(e));
      setInterval(() => (this.now = Date.now()), 10_000);
    }
    this.sync = await api.syncStatus();
    await this.refresh();
    const first = this.recent.find((id) => this.titles.some((t) => t.id === id));
    const welcome = this.titles.find((t) => t.title === "Welcome to Loam");
    const id = first ?? welcome?.id ?? this.notes[0]?.id;
    if (id) await this.open(id);
  }

  async refresh() {
    try {
      const [notes, titles, tags] = await Promise.all([
        api.listNotes({
          tag: this.tagFilter,
          sort: this.sort,
          descending: this.descending,
          archived: this.showArchived,
        }),
        api.titles(),
        api.tags(),
      ]);
      this.notes = notes;
      this.titles = titles;
      this.tags = tags;
      if (this.openId) {
        this.openRow =
          notes.find((n) => n.id === this.openId) ?? (await api.getNote(this.openId)).row;
      }
      this.revision += 1;
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  /** What must run before the window closes (the editor's last edits). */
  readonly beforeClose = new Set<() => Promise<void>>();

  private async close() {
    // Bounded by Rust, which closes the window after a grace period anyway.
    await Promise.allSettled([...this.beforeClose].map((f) => f()));
    await api.closeWindow();
  }

  private onEvent(e: AppEvent) {
    if (e.type === "closing") {
      this.close();
      return;
    }
    if (e.type === "sync") {
      this.sync = e.status;
      this.now = Date.now();
      return;
    }
    if (e.type === "membersChanged") {
      this.membersChanged();
      this.communityRevision += 1;
      return;
    }
    if (e.type === "communityChanged") {
      this.communityRevision += 1;
      return;
    }
    const typing = e.type === "docChanged" && e.doc === this.openId;
    if (e.doc === this.openId) this.openRevision += 1;
    // Many events come in bursts (a rename touches several documents).
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    // The member's own typing reorders nothing under their hands: only the
    // open note's row, tags and panels follow it; the list waits for the
    // next change elsewhere or the next note opened.
    this.refreshTimer = setTimeout(() => (typing ? this.refreshOpen() : this.refresh()), 150);
  }

  /** The open note's row and the tags, after the member's own edits. */
  private async refreshOpen() {
    if (!this.openId) return;
    try {
      const [note, tags] = await Promise.all([api.getNote(this.openId), api.tags()]);
      this.openRow = note.row;
      this.tags = tags;
      this.revision += 1;
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  /** Roles changed, someone joined or left: the role (and with it whether
   * the editor is read-only) and the members list follow. */
  private async membersChanged() {
    try {
      this.status = await api.appStatus();
      if (this.members || this.rightTab === "members") await this.loadMembers();
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  async loadMembers() {
    try {
      this.members = await api.members();
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  async setRole(member: MemberDto, role: RoleDto) {
    try {
      this.members = await api.setMemberRole(member.id, role);
      this.say(`${member.name} is now a ${role}`);
    } catch (e) {
      this.say(errorMessage(e));
      await this.loadMembers();
    }
  }

  async removeMember(member: MemberDto) {
    try {
      this.members = await api.removeMember(member.id);
      this.modal = null;
      this.say(`Removed ${member.name} from the garden`);
    } catch (e) {
      this.modal = null;
      this.say(errorMessage(e));
    }
  }

  async open(id: string) {
    this.main = "note";
    if (id === this.openId) return;
    this.openId = id;
    // What was said about the previous note is not about this one.
    this.notice = null;
    this.recent = touch(this.recent, id);
    saveRecent(this.recent);
    try {
      this.openRow = (await api.getNote(id)).row;
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  /** Follow a `[[link]]`: open what it names, or offer to create it. */
  async follow(target: string) {
    const link = await api.resolveLink(target);
    if (link.id) await this.open(link.id);
    else this.modal = { kind: "confirm-create", title: link.target };
  }

  async create(title: string, kind: NoteKind, body = "") {
    const folder = kind === "note" ? (this.openRow?.folder ?? "") : "";
    try {
      const id = await api.createNote({ title, kind, folder, body });
      this.modal = null;
      await this.refresh();
      await this.open(id);
      return id;
    } catch (e) {
      this.say(errorMessage(e));
      return null;
    }
  }

  async rename(title: string) {
    if (!this.openId) return;
    try {
      const r = await api.renameNote(this.openId, title);
      this.modal = null;
      this.say(
        r.rewritten > 0
          ? `Renamed; links in ${r.rewritten} note${r.rewritten === 1 ? "" : "s"} updated`
          : "Renamed",
      );
      await this.refresh();
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  async archiveOpen() {
    if (!this.openId || !this.openRow) return;
    const archived = this.openRow.archived;
    try {
      if (archived) await api.restoreNote(this.openId);
      else await api.archiveNote(this.openId);
      this.say(archived ? "Brought back from the archive" : "Archived: hidden from lists and search");
      await this.refresh();
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  async viewVersion(when: string) {
    if (!this.openId) return;
    try {
      const v = await api.versionAt(this.openId, when);
      this.modal = { kind: "version", when, label: v.label, text: v.text, current: v.current };
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  async restoreVersion(when: string) {
    if (!this.openId) return;
    try {
      const r = await api.restoreVersion(this.openId, when);
      this.modal = null;
      this.say(r.changed ? "Restored as a new change" : "That version is the current text");
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  /** Source, then source beside preview, then preview alone. */
  cycleView() {
    this.view = this.view === "source" ? "split" : this.view === "split" ? "preview" : "source";
  }

  setTheme(theme: Theme) {
    this.theme = theme;
    globalThis.localStorage?.setItem("loam.theme", theme);
  }

  setTagFilter(tag: string | null) {
    this.tagFilter = tag;
    this.leftTab = "notes";
    this.refresh();
  }

  say(message: string) {
    this.notice = message;
    const shown = message;
    setTimeout(() => {
      if (this.notice === shown) this.notice = null;
    }, 6000);
  }
}

export const store = new Store();
