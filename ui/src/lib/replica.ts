// The open document as an Automerge replica in the webview, kept in step
// with the node's by the Automerge sync protocol. Only sync messages cross
// to Rust; text positions stay here (UTF-16, as JavaScript and CodeMirror
// count them).
//
// Keystrokes are not one change each: local edits wait as pending splices
// and become one change when typing pauses (`idleMs`), when a burst has
// lasted `maxMs`, before a remote message is applied, and on close.
import type { Doc, SyncState } from "@automerge/automerge/slim";
import type { A as Automerge } from "./automerge";
import { textChanges, type PatchLike, type TextChange } from "./patches";

/** Where sync messages go. Sends are made one at a time, in order. */
export interface Transport {
  send(message: Uint8Array): Promise<unknown>;
}

export type SaveState = "saved" | "pending" | "sending" | "error";

export interface ReplicaOptions {
  /** Commit after typing pauses this long (ms). */
  idleMs?: number;
  /** Commit a burst of typing at least this often (ms). */
  maxMs?: number;
  /** The clock (ms since the epoch). */
  now?: () => number;
  /** Edits that came from elsewhere: sequential changes, or `null` when the
   * whole text must be reloaded from `text`. */
  onRemote?: (changes: TextChange[] | null, text: string) => void;
  onSaveState?: (state: SaveState, error?: unknown) => void;
}

type Note = Record<string, unknown>;

export class Replica {
  private doc: Doc<Note>;
  private sync: SyncState;
  private pending: TextChange[] = [];
  private firstPendingAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private closed = false;
  /** How many changes this replica has committed (for tests and stats). */
  commits = 0;
  readonly field: string;
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(
    private readonly am: Automerge,
    doc: Doc<Note>,
    private readonly transport: Transport,
    private readonly options: ReplicaOptions = {},
  ) {
    this.doc = doc;
    this.sync = am.initSyncState();
    this.field = typeof doc.body === "string" ? "body" : "text";
    this.idleMs = options.idleMs ?? 600;
    this.maxMs = options.maxMs ?? 4000;
    this.now = options.now ?? Date.now;
  }

  /** A replica of the document saved in `bytes`, writing as `actor`. */
  static load(
    am: Automerge,
    bytes: Uint8Array,
    actor: string,
    transport: Transport,
    options?: ReplicaOptions,
  ): Replica {
    const doc = am.load<Note>(bytes, { actor: actor as never });
    const replica = new Replica(am, doc, transport, options);
    replica.syncNow();
    return replica;
  }

  /** The text, including edits not yet committed. */
  text(): string {
    const committed = String(this.doc[this.field] ?? "");
    let text = committed;
    for (const c of this.pending) text = text.slice(0, c.from) + c.insert + text.slice(c.to);
    return text;
  }

  /** Edits the member made, in order (each relative to the text after the
   * one before). */
  edit(changes: TextChange[]): void {
    if (this.closed || changes.length === 0) return;
    if (this.pending.length === 0) this.firstPendingAt = this.now();
    this.pending.push(...changes);
    this.setState("pending");
    if (this.timer) clearTimeout(this.timer);
    const waited = this.now() - this.firstPendingAt;
    const wait = Math.max(0, Math.min(this.idleMs, this.maxMs - waited));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Commit pending edits as one change and send it. False if none. */
  flush(): boolean {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return false;
    const edits = this.pending;
    this.pending = [];
    const now = this.now();
    const field = this.field;
    this.doc = this.am.change(this.doc, { time: now }, (d) => {
      for (const e of edits) this.am.splice(d, [field], e.from, e.to - e.from, e.insert);
      d.updated = new Date(now);
    });
    this.commits += 1;
    this.syncNow();
    return true;
  }

  /** A sync message from the node. */
  receive(message: Uint8Array): void {
    if (this.closed) return;
    this.flush();
    let changes: TextChange[] | null = [];
    const [doc, sync] = this.am.receiveSyncMessage(this.doc, this.sync, message, {
      patchCallback: (patches) => {
        const more = textChanges(patches as PatchLike[], this.field);
        changes = changes === null || more === null ? null : changes.concat(more);
      },
    });
    this.doc = doc;
    this.sync = sync;
    if (changes === null || changes.length > 0) {
      this.options.onRemote?.(changes, this.text());
    }
    this.syncNow();
  }

  /** Send what the node lacks, if anything, after what is already queued. */
  private syncNow(): void {
    const [sync, message] = this.am.generateSyncMessage(this.doc, this.sync);
    this.sync = sync;
    if (!message) {
      if (this.inFlight === 0 && this.pending.length === 0) this.setState("saved");
      return;
    }
    this.inFlight += 1;
    this.setState("sending");
    this.queue = this.queue
      .then(() => this.transport.send(message))
      .then(
        () => {
          this.inFlight -= 1;
          if (this.inFlight === 0 && this.pending.length === 0) this.setState("saved");
        },
        (e) => {
          this.inFlight -= 1;
          this.setState("error", e);
        },
      );
  }

  /** Commit what is pending and wait until every message is sent. */
  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    await this.queue;
  }

  /** Whether edits wait to be committed. */
  hasPending(): boolean {
    return this.pending.length > 0;
  }

  private setState(state: SaveState, error?: unknown) {
    this.options.onSaveState?.(state, error);
  }
}
