// The community's state in the app: what the member's role allows (and
// why not), the curated index, the guidelines and the reading paths, kept
// fresh as the node announces community changes. Views that need more
// (a discussion, the directory, the dashboard) ask the node themselves on
// `store.communityRevision`.
import { api, errorMessage } from "./ipc";
import type { GuidelinesDto, IndexDto, IndexEdit, ModerationAct, PathDto, PermissionsDto } from "./ipc";
import { store } from "./store.svelte";

class Community {
  perms = $state<PermissionsDto | null>(null);
  index = $state<IndexDto | null>(null);
  guidelines = $state<GuidelinesDto | null>(null);
  paths = $state<PathDto[]>([]);
  /** The guidelines version already shown to the member this session (so
   * the dialog opens once per new version). */
  private shownVersion = 0;

  async load() {
    try {
      const [perms, index, guidelines, paths] = await Promise.all([
        api.permissions(),
        api.communityIndex(),
        api.guidelines(),
        api.readingPaths(),
      ]);
      this.perms = perms;
      this.index = index;
      this.guidelines = guidelines;
      this.paths = paths;
      this.offerGuidelines();
    } catch (e) {
      store.say(errorMessage(e));
    }
  }

  /** A newcomer (or anyone behind on a new version) is shown the
   * guidelines once, with the acknowledge button. */
  private offerGuidelines() {
    const g = this.guidelines;
    if (!g || !g.needsAck || g.version <= this.shownVersion || store.modal) return;
    this.shownVersion = g.version;
    store.modal = { kind: "guidelines" };
  }

  /** Change the index; say `done` when it worked, the reason when not. */
  async editIndex(edit: IndexEdit, done?: string): Promise<boolean> {
    try {
      this.index = await api.indexEdit(edit);
      if (done) store.say(done);
      return true;
    } catch (e) {
      store.say(errorMessage(e));
      return false;
    }
  }

  async acknowledge() {
    try {
      this.guidelines = await api.acknowledgeGuidelines();
      store.say(`Guidelines acknowledged (version ${this.guidelines.version})`);
      store.modal = null;
    } catch (e) {
      store.say(errorMessage(e));
    }
  }

  async setGuidelines(text: string): Promise<boolean> {
    try {
      this.guidelines = await api.setGuidelines(text);
      this.shownVersion = this.guidelines.version;
      store.say(`Guidelines saved as version ${this.guidelines.version}: members are asked to read them`);
      return true;
    } catch (e) {
      store.say(errorMessage(e));
      return false;
    }
  }

  async markRead(doc: string, read: boolean) {
    try {
      this.paths = await api.markRead(doc, read);
      store.say(read ? "Marked read" : "Marked unread");
    } catch (e) {
      store.say(errorMessage(e));
    }
  }

  /** Whether this member marked `doc` read (on any reading path). */
  isRead(doc: string): boolean {
    return this.paths.some((p) => p.pages.some((pg) => pg.doc === doc && pg.read));
  }

  async moderate(act: ModerationAct): Promise<boolean> {
    try {
      store.say(await api.moderate(act));
      store.communityRevision += 1;
      return true;
    } catch (e) {
      store.say(errorMessage(e));
      return false;
    }
  }
}

export const community = new Community();

/** Ask the member for one line of text (a reason, a heading), then run
 * `submit` with it; the dialog closes when `submit` says it worked. */
export function ask(
  title: string,
  label: string,
  ok: string,
  submit: (value: string) => Promise<boolean>,
  options: { value?: string; required?: boolean } = {},
) {
  store.modal = {
    kind: "prompt",
    title,
    label,
    ok,
    value: options.value ?? "",
    required: options.required ?? true,
    submit,
  };
}
