// The documents opened most recently, newest first, kept across restarts.
const KEY = "loam.recent";
const MAX = 50;

export function loadRecent(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): string[] {
  try {
    const raw = storage?.getItem(KEY);
    const list = raw ? JSON.parse(raw) : [];
    return Array.isArray(list) ? list.filter((x) => typeof x === "string").slice(0, MAX) : [];
  } catch {
    return [];
  }
}

/** `list` with `id` moved to the front. */
export function touch(list: string[], id: string): string[] {
  return [id, ...list.filter((x) => x !== id)].slice(0, MAX);
}

export function saveRecent(list: string[], storage: Pick<Storage, "setItem"> | undefined = globalThis.localStorage) {
  try {
    storage?.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
  } catch {
    // Storage full or unavailable: recent order is a convenience.
  }
}
