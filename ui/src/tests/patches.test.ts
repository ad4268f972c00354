import { describe, expect, it } from "vitest";
import { Text } from "@codemirror/state";
import { applyChanges, textChanges, toChangeSet, type PatchLike } from "../lib/patches";
import { linkAt } from "../lib/wikilink";

describe("patch application", () => {
  const check = (before: string, patches: PatchLike[], after: string) => {
    const changes = textChanges(patches);
    expect(changes).not.toBeNull();
    expect(applyChanges(before, changes!)).toBe(after);
    // The same edits as one CodeMirror change set over the text before.
    const set = toChangeSet(changes!, before.length);
    expect(set.apply(Text.of(before.split("\n"))).toString()).toBe(after);
  };

  it("applies splices and deletions in order", () => {
    check("hello world", [{ action: "splice", path: ["body", 5], value: "," }], "hello, world");
    check(
      "abcdef",
      [
        { action: "del", path: ["body", 1], length: 2 },
        { action: "splice", path: ["body", 3], value: "XY" },
        { action: "del", path: ["body", 0] },
      ],
      "deXYf",
    );
  });

  it("counts UTF-16 units, as JavaScript does", () => {
    check("🌱 soil", [{ action: "splice", path: ["body", 2], value: "!" }], "🌱! soil");
  });

  it("skips other fields and asks for a reload when the text is replaced", () => {
    check("x", [{ action: "put", path: ["updated"], value: 5 }, { action: "splice", path: ["title", 0], value: "T" }], "x");
    expect(textChanges([{ action: "put", path: ["body"], value: "" }])).toBeNull();
  });

  it("maps a cursor past remote edits before it", () => {
    const changes = textChanges([{ action: "splice", path: ["body", 0], value: "new " }])!;
    const set = toChangeSet(changes, 10);
    expect(set.mapPos(5)).toBe(9);
    // An insertion at the cursor lands after it: the cursor stays put.
    expect(toChangeSet(textChanges([{ action: "splice", path: ["body", 5], value: "zz" }])!, 10).mapPos(5)).toBe(5);
  });
});

describe("wikilinks at a position", () => {
  const check = (line: string, pos: number, expected: string | null) =>
    expect(linkAt(line, pos)?.target ?? null).toBe(expected);

  it("finds the link under the cursor", () => {
    check("see [[Soil]] and [[Compost heap#Greens|heap]]", 7, "Soil");
    check("see [[Soil]] and [[Compost heap#Greens|heap]]", 30, "Compost heap");
    check("see [[Soil]] and", 2, null);
    check("![[diagram.png]]", 4, "diagram.png");
    check("[[ ]]", 2, null);
  });
});
