// The link graph's layout as the view plans it: where nodes start, how
// many ForceAtlas2 iterations a graph gets, and the messages to and from
// the web worker that runs them (`graph-forces.ts`). No dependencies, so
// the view can import it without loading graphology.

/** What the worker is asked: nodes by index, edges as index pairs, the
 * starting positions, and how many iterations to run. */
export interface LayoutRequest {
  /** Tells answers to an old request from the current one's. */
  run: number;
  /** Node count; nodes are 0..order-1. */
  order: number;
  /** Edges: `[a0, b0, a1, b1, …]`. */
  edges: Uint32Array;
  x: Float32Array;
  y: Float32Array;
  /** Iterations in all. */
  iterations: number;
  /** Iterations between two answers. */
  batch: number;
}

/** Positions after `done` of the request's iterations. */
export interface LayoutAnswer {
  run: number;
  x: Float32Array;
  y: Float32Array;
  done: number;
  finished: boolean;
}

/** How many iterations a graph of `order` nodes gets, and how many per
 * answer: fewer for large graphs (each iteration costs more; Barnes–Hut
 * keeps it O(n log n)), so a 10,000-note garden settles in seconds. */
export function layoutPlan(order: number): { iterations: number; batch: number } {
  if (order <= 500) return { iterations: 300, batch: 300 };
  if (order <= 3_000) return { iterations: 200, batch: 25 };
  return { iterations: 120, batch: 10 };
}

/** A number in [0, 1) from `id` and `salt` (FNV-1a): the same id starts
 * in the same place every time, so the layout is the same every time. */
function unit(id: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

/** Starting positions: where `known` says (a layout from before), else a
 * place in a disc derived from the id, near a known neighbour if any.
 * `edges` are positions in `ids`. */
export function seedPositions(
  ids: string[],
  edges: [number, number][],
  known: Map<string, { x: number; y: number }> = new Map(),
): { x: Float32Array; y: Float32Array } {
  const radius = Math.sqrt(ids.length) * 10;
  const near = new Map<number, { x: number; y: number }>();
  for (const [a, b] of edges) {
    const ka = known.get(ids[a]);
    const kb = known.get(ids[b]);
    if (kb && !ka && !near.has(a)) near.set(a, kb);
    if (ka && !kb && !near.has(b)) near.set(b, ka);
  }
  const x = new Float32Array(ids.length);
  const y = new Float32Array(ids.length);
  ids.forEach((id, i) => {
    const k = known.get(id);
    if (k) {
      x[i] = k.x;
      y[i] = k.y;
      return;
    }
    const angle = 2 * Math.PI * unit(id, 1);
    const anchor = near.get(i);
    const r = anchor ? 10 * unit(id, 2) : radius * Math.sqrt(unit(id, 2));
    x[i] = (anchor?.x ?? 0) + r * Math.cos(angle);
    y[i] = (anchor?.y ?? 0) + r * Math.sin(angle);
  });
  return { x, y };
}
