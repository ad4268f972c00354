// The note list as folders: rows grouped by folder, folders in name order,
// the root first; each folder's rows keep the list's order.
import type { NoteRow } from "./ipc-types";

export interface Folder {
  /** `""` for the root, `a/b` for a nested folder. */
  path: string;
  /** How deep (root and top-level folders: 0). */
  depth: number;
  /** The last part of the path. */
  name: string;
  rows: NoteRow[];
}

export function groupByFolder(rows: NoteRow[]): Folder[] {
  const folders = new Map<string, NoteRow[]>();
  for (const row of rows) {
    const path = row.folder;
    // Every ancestor appears, even with no rows of its own.
    const parts = path ? path.split("/") : [];
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!folders.has(parent)) folders.set(parent, []);
    }
    const list = folders.get(path) ?? [];
    list.push(row);
    folders.set(path, list);
  }
  const paths = [...folders.keys()].sort((a, b) =>
    a === "" ? -1 : b === "" ? 1 : a.localeCompare(b, undefined, { sensitivity: "base" }),
  );
  return paths.map((path) => {
    const parts = path ? path.split("/") : [];
    return {
      path,
      depth: Math.max(0, parts.length - 1),
      name: parts[parts.length - 1] ?? "",
      rows: folders.get(path) ?? [],
    };
  });
}

/** Whether `path` is hidden because an ancestor is collapsed. */
export function hiddenBy(path: string, collapsed: Set<string>): boolean {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) {
    if (collapsed.has(parts.slice(0, i).join("/"))) return true;
  }
  return false;
}
