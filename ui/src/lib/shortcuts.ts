// Keyboard shortcuts written as "Mod+Shift+F" (Mod: Ctrl, or Cmd on a Mac).
export const isMac = typeof navigator !== "undefined" && /Mac/.test(navigator.platform);

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether `event` is `shortcut`. */
export function matches(event: KeyLike, shortcut: string, mac = isMac): boolean {
  const parts = shortcut.split("+");
  const key = parts[parts.length - 1].toLowerCase();
  const want = new Set(parts.slice(0, -1).map((p) => p.toLowerCase()));
  const mod = mac ? event.metaKey : event.ctrlKey;
  if (want.has("mod") !== mod) return false;
  if (!want.has("mod") && (event.ctrlKey || event.metaKey)) return false;
  if (want.has("shift") !== event.shiftKey) return false;
  if (want.has("alt") !== event.altKey) return false;
  return event.key.toLowerCase() === key;
}

/** `shortcut` as shown to the member ("Ctrl+Shift+F", "⌘⇧F"). */
export function label(shortcut: string, mac = isMac): string {
  if (!mac) return shortcut.replace("Mod", "Ctrl");
  return shortcut
    .replace("Mod+", "⌘")
    .replace("Shift+", "⇧")
    .replace("Alt+", "⌥");
}
