import { describe, expect, it } from "vitest";
import {
  dropPosition,
  duration,
  graphKeep,
  insertMention,
  keyboardMove,
  mentionAt,
  mentionChoices,
  neighbourhood,
  percent,
  replyTree,
  toCsv,
} from "../lib/community";
import type { CommentDto, GraphDto } from "../lib/ipc-types";

describe("reordering the index", () => {
  const check = (from: number, over: number, after: boolean, expected: number | null) =>
    expect(dropPosition(from, over, after)).toBe(expected);

  it("puts a dragged entry where it was dropped", () => {
    check(0, 2, false, 1); // before the third: second
    check(0, 2, true, 2); // after the third: third
    check(2, 0, false, 0);
    check(2, 0, true, 1);
    check(1, 1, false, null); // on itself
    check(1, 0, true, null); // just after the one before: stays
  });

  it("moves with the keyboard within bounds", () => {
    expect(keyboardMove(0, -1, 3)).toBeNull();
    expect(keyboardMove(0, 1, 3)).toBe(1);
    expect(keyboardMove(2, 1, 3)).toBeNull();
    expect(keyboardMove(2, -1, 3)).toBe(1);
  });
});

describe("@mentions", () => {
  const members = [
    { name: "Ana", you: true },
    { name: "Bo", you: false },
    { name: "Anneke", you: false },
    { name: "Joanna", you: false },
  ];
  const names = (q: string) => mentionChoices(members, q).map((m) => m.name);

  it("finds the mention being typed", () => {
    expect(mentionAt("hi @An", 6)).toEqual({ start: 3, query: "An" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("mail a@b", 8)).toBeNull();
    expect(mentionAt("hi @Ana there", 13)).toBeNull();
  });

  it("ranks prefixes first, you last", () => {
    expect(names("an")).toEqual(["Anneke", "Joanna", "Ana"]);
    expect(names("")).toEqual(["Anneke", "Bo", "Joanna", "Ana"]);
    expect(names("x")).toEqual([]);
  });

  it("inserts the chosen name", () => {
    expect(insertMention("hi @An!", 3, 6, "Anneke")).toEqual({ text: "hi @Anneke !", caret: 11 });
  });
});

describe("reply trees", () => {
  const c = (id: string, replyTo: string | null = null) =>
    ({ id, replyTo, text: id, author: { id: "a", name: "A", you: false }, created: 0, mentions: [], hidden: null, kudos: [] }) as CommentDto;

  it("puts replies under what they answer, orphans at the top", () => {
    const tree = replyTree([c("a"), c("b"), c("a1", "a"), c("a1x", "a1"), c("z", "gone")]);
    expect(tree.map((n) => `${n.depth}${n.comment.id}`)).toEqual(["0a", "1a1", "2a1x", "0b", "0z"]);
  });

  it("survives a cycle and caps the depth", () => {
    const tree = replyTree([c("x", "y"), c("y", "x")]);
    expect(tree).toEqual([]);
    const deep = replyTree([c("1"), c("2", "1"), c("3", "2"), c("4", "3")], 2);
    expect(deep.map((n) => n.depth)).toEqual([0, 1, 2, 2]);
  });
});

describe("CSV and words", () => {
  it("quotes what needs quoting", () => {
    expect(toCsv(["week", "note"], [["2026-01-05", 3], ['say "hi", then', null]])).toBe(
      'week,note\r\n2026-01-05,3\r\n"say ""hi"", then",\r\n',
    );
  });

  it("words shares and durations", () => {
    expect(percent(0.333)).toBe("33%");
    expect(duration(null)).toBe("—");
    expect(duration(5 * 60_000)).toBe("5 min");
    expect(duration(3 * 3_600_000)).toBe("3 h");
    expect(duration(3 * 86_400_000)).toBe("3 days");
  });
});

describe("the graph", () => {
  const graph: GraphDto = {
    nodes: [
      { id: "a", title: "A", kind: "page", tags: ["soil"], creator: 0 },
      { id: "b", title: "B", kind: "note", tags: ["soil/clay"], creator: 1 },
      { id: "c", title: "C", kind: "note", tags: ["water"], creator: 0 },
      { id: "d", title: "D", kind: "note", tags: [], creator: null },
    ],
    edges: [
      [0, 1],
      [2, 0],
    ],
    members: [
      { id: "ana", name: "Ana", you: true },
      { id: "bo", name: "Bo", you: false },
    ],
  };

  it("filters by tag (nested too) and member", () => {
    expect([...graphKeep(graph, "soil", null)]).toEqual(["a", "b"]);
    expect([...graphKeep(graph, null, "ana")]).toEqual(["a", "c"]);
    expect([...graphKeep(graph, "soil", "bo")]).toEqual(["b"]);
  });

  it("finds the open note's neighbourhood", () => {
    expect([...neighbourhood(graph, "a")].sort()).toEqual(["a", "b", "c"]);
    expect([...neighbourhood(graph, "b")].sort()).toEqual(["a", "b"]);
    expect([...neighbourhood(graph, "d")]).toEqual(["d"]);
    expect(neighbourhood(graph, null).size).toBe(0);
  });
});
