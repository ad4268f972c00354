import { describe, expect, it } from "vitest";
import { rank, score } from "../lib/ranking";
import { tagOptions, titleOptions } from "../lib/completion";

const titles = (...names: string[]) => names.map((text) => ({ text }));

describe("ranking", () => {
  const check = (query: string, candidates: { text: string; recent?: number }[], expected: string[]) =>
    expect(rank(query, candidates).map((c) => c.text)).toEqual(expected);

  it("puts exact, prefix, word start, substring, then letters in order", () => {
    check("soil", titles("Topsoil", "Soil life", "Soil", "Living soil", "S-o-i-l notes", "Compost"), [
      "Soil",
      "Soil life",
      "Living soil",
      "Topsoil",
      "S-o-i-l notes",
    ]);
  });

  it("leaves out what does not match", () => {
    check("xyz", titles("Soil", "Compost"), []);
    expect(score("abc", "acb")).toBe(0);
  });

  it("lets recent documents win near-ties", () => {
    check("co", [{ text: "Compost heap" }, { text: "Cover crops", recent: 0 }], ["Cover crops", "Compost heap"]);
  });

  it("keeps every candidate, in order, for an empty query", () => {
    check("", titles("b", "a"), ["b", "a"]);
  });
});

describe("autocomplete", () => {
  const docs = [
    { title: "Welcome to Loam", aliases: [], kind: "page" as const },
    { title: "Links and backlinks", aliases: ["Linking"], kind: "page" as const },
    { title: "Reading list", aliases: [], kind: "note" as const },
  ];

  it("offers titles and aliases, an alias linking to its title", () => {
    const options = titleOptions("link", docs);
    expect(options.map((o) => o.label)).toEqual(["Linking", "Links and backlinks"]);
    expect(options[0].apply).toBe("Links and backlinks|Linking]]");
    expect(options[1].apply).toBe("Links and backlinks]]");
  });

  it("ranks tags by match, then by use", () => {
    const tags = [
      { tag: "garden", count: 2 },
      { tag: "gardening", count: 9 },
      { tag: "workshop/garden", count: 1 },
    ];
    expect(tagOptions("garden", tags).map((o) => o.label)).toEqual(["garden", "gardening", "workshop/garden"]);
    expect(tagOptions("", tags).map((o) => o.label)).toEqual(["gardening", "garden", "workshop/garden"]);
  });
});
