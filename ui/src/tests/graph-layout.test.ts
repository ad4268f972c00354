import { describe, expect, it } from "vitest";
import { layoutPlan, seedPositions, type LayoutAnswer } from "../lib/graph-layout";
import { runLayout } from "../lib/graph-forces";

/** Two clusters of `size` nodes (a ring each, plus chords), one link
 * between them: ids `a0…` and `b0…`, links by position. */
function twoClusters(size: number): { ids: string[]; edges: [number, number][] } {
  const ids: string[] = [];
  const edges: [number, number][] = [];
  for (const [c, base] of [["a", 0], ["b", size]] as const) {
    for (let i = 0; i < size; i++) {
      ids.push(`${c}${i}`);
      edges.push([base + i, base + ((i + 1) % size)]);
      edges.push([base + i, base + ((i + 3) % size)]);
    }
  }
  edges.push([0, size]);
  return { ids, edges };
}

function lay(ids: string[], edges: [number, number][], iterations: number, batch: number): LayoutAnswer[] {
  const pairs = new Uint32Array(edges.flat());
  const { x, y } = seedPositions(ids, edges);
  const answers: LayoutAnswer[] = [];
  runLayout({ run: 7, order: ids.length, edges: pairs, x, y, iterations, batch }, (a) => answers.push(a));
  return answers;
}

describe("the graph's layout", () => {
  it("plans fewer iterations, in more batches, for larger graphs", () => {
    const check = (order: number, iterations: number, batch: number) =>
      expect(layoutPlan(order)).toEqual({ iterations, batch });
    check(12, 300, 300);
    check(1_000, 200, 25);
    check(10_000, 120, 10);
  });

  it("seeds the same positions for the same ids, and keeps known ones", () => {
    const { ids, edges } = twoClusters(5);
    const one = seedPositions(ids, edges);
    const two = seedPositions(ids, edges);
    expect([...one.x]).toEqual([...two.x]);
    expect(new Set(one.x).size).toBe(ids.length);
    const known = new Map([["a0", { x: 1000, y: -1000 }]]);
    const kept = seedPositions(ids, edges, known);
    expect([kept.x[0], kept.y[0]]).toEqual([1000, -1000]);
    // a1 (linked to a0, not known) starts near it.
    expect(Math.hypot(kept.x[1] - 1000, kept.y[1] + 1000)).toBeLessThanOrEqual(10.001);
  });

  it("answers after every batch, bounded by the iterations", () => {
    const { ids, edges } = twoClusters(10);
    const answers = lay(ids, edges, 25, 10);
    expect(answers.map((a) => [a.run, a.done, a.finished])).toEqual([
      [7, 10, false],
      [7, 20, false],
      [7, 25, true],
    ]);
    expect(answers.every((a) => a.x.length === ids.length && [...a.x, ...a.y].every(Number.isFinite))).toBe(true);
  });

  it("pulls linked nodes together: each cluster ends closer to itself than to the other", () => {
    const size = 30;
    const { ids, edges } = twoClusters(size);
    const last = lay(ids, edges, 300, 300).at(-1)!;
    const centre = (from: number) => {
      let x = 0;
      let y = 0;
      for (let i = from; i < from + size; i++) {
        x += last.x[i];
        y += last.y[i];
      }
      return { x: x / size, y: y / size };
    };
    const spread = (from: number, c: { x: number; y: number }) => {
      let d = 0;
      for (let i = from; i < from + size; i++) d += Math.hypot(last.x[i] - c.x, last.y[i] - c.y);
      return d / size;
    };
    const a = centre(0);
    const b = centre(size);
    const apart = Math.hypot(a.x - b.x, a.y - b.y);
    expect(apart).toBeGreaterThan(spread(0, a));
    expect(apart).toBeGreaterThan(spread(size, b));
  });

  it("answers at once for an empty graph", () => {
    const answers = lay([], [], 100, 10);
    expect(answers.map((a) => [a.done, a.finished])).toEqual([[0, true]]);
  });
});
