import { describe, expect, it } from "vitest";
import { groupByFolder, hiddenBy } from "../lib/folders";
import { touch, loadRecent, saveRecent } from "../lib/recent";
import { matches, label } from "../lib/shortcuts";
import type { NoteRow } from "../lib/ipc-types";

const row = (title: string, folder = ""): NoteRow => ({
  id: title,
  kind: "note",
  title,
  folder,
  archived: false,
  created: 0,
  updated: 0,
  tags: [],
  aliases: [],
  chars: 0,
});

describe("folders", () => {
  it("groups rows, root first, ancestors included", () => {
    const folders = groupByFolder([row("a"), row("b", "Guide"), row("c", "Work/Deep"), row("d", "guide2")]);
    expect(folders.map((f) => [f.path, f.depth, f.rows.map((r) => r.title).join(",")])).toEqual([
      ["", 0, "a"],
      ["Guide", 0, "b"],
      ["guide2", 0, "d"],
      ["Work", 0, ""],
      ["Work/Deep", 1, "c"],
    ]);
  });

  it("hides what a collapsed ancestor holds", () => {
    expect(hiddenBy("Work/Deep", new Set(["Work"]))).toBe(true);
    expect(hiddenBy("Work", new Set(["Work"]))).toBe(false);
  });
});

describe("recent documents", () => {
  it("moves the opened one to the front, once", () => {
    expect(touch(["a", "b", "c"], "c")).toEqual(["c", "a", "b"]);
    expect(touch([], "x")).toEqual(["x"]);
  });

  it("survives damaged storage", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveRecent(["a", "b"], storage);
    expect(loadRecent(storage)).toEqual(["a", "b"]);
    store.set("loam.recent", "{not json");
    expect(loadRecent(storage)).toEqual([]);
  });
});

describe("shortcuts", () => {
  const key = (k: string, mods: Partial<{ ctrl: boolean; meta: boolean; shift: boolean; alt: boolean }> = {}) => ({
    key: k,
    ctrlKey: !!mods.ctrl,
    metaKey: !!mods.meta,
    shiftKey: !!mods.shift,
    altKey: !!mods.alt,
  });

  it("matches Mod as Ctrl, or Cmd on a Mac", () => {
    expect(matches(key("o", { ctrl: true }), "Mod+O", false)).toBe(true);
    expect(matches(key("O", { ctrl: true, shift: true }), "Mod+O", false)).toBe(false);
    expect(matches(key("F", { ctrl: true, shift: true }), "Mod+Shift+F", false)).toBe(true);
    expect(matches(key("o", { meta: true }), "Mod+O", true)).toBe(true);
    expect(matches(key("o", { ctrl: true }), "Mod+O", true)).toBe(false);
    expect(matches(key("F2"), "F2", false)).toBe(true);
    expect(matches(key("F2", { ctrl: true }), "F2", false)).toBe(false);
  });

  it("shows shortcuts the platform's way", () => {
    expect(label("Mod+Shift+F", false)).toBe("Ctrl+Shift+F");
    expect(label("Mod+Shift+F", true)).toBe("⌘⇧F");
  });
});
