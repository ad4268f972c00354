// Automerge patches to editor changes. The webview's replica reports what a
// sync message changed as patches (UTF-16 positions, applied one after the
// other); CodeMirror wants one change set relative to the text before.
import { ChangeSet } from "@codemirror/state";

/** One edit of the text, positions in UTF-16 units. */
export interface TextChange {
  from: number;
  to: number;
  insert: string;
}

/** The part of an Automerge patch this module reads. */
export interface PatchLike {
  action: string;
  path: (string | number)[];
  value?: unknown;
  length?: number;
}

/**
 * The edits `patches` make to the text at `field`, in order, each relative
 * to the text after the one before; `null` when the text was replaced as a
 * whole (the caller reloads it). Patches to other fields are skipped.
 */
export function textChanges(patches: PatchLike[], field = "body"): TextChange[] | null {
  const out: TextChange[] = [];
  for (const p of patches) {
    if (p.path[0] !== field) continue;
    if (p.path.length === 1) return null; // the field itself was set
    if (p.path.length !== 2 || typeof p.path[1] !== "number") continue;
    const at = p.path[1];
    if (p.action === "splice" && typeof p.value === "string") {
      out.push({ from: at, to: at, insert: p.value });
    } else if (p.action === "del") {
      out.push({ from: at, to: at + (p.length ?? 1), insert: "" });
    }
  }
  return out;
}

/** Sequential edits as one change set over a text `length` long. */
export function toChangeSet(changes: TextChange[], length: number): ChangeSet {
  let set = ChangeSet.empty(length);
  for (const c of changes) {
    const next = ChangeSet.of([c], set.newLength);
    set = set.compose(next);
  }
  return set;
}

/** Sequential edits applied to a string (what the tests and fallbacks use). */
export function applyChanges(text: string, changes: TextChange[]): string {
  for (const c of changes) {
    text = text.slice(0, c.from) + c.insert + text.slice(c.to);
  }
  return text;
}
