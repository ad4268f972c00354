// ForceAtlas2 (graphology-layout-forceatlas2) over a layout request, for a
// bounded number of iterations, in batches so the view can draw the graph
// settling. Pure and synchronous: the web worker
// (`graph-layout.worker.ts`) is a thin wrapper, and Vitest runs this as is.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import type { LayoutAnswer, LayoutRequest } from "./graph-layout";

/** ForceAtlas2's settings for a graph of `order` nodes: the library's
 * inferred ones, with a stronger pull to the centre for small gardens (so
 * a few unlinked notes do not drift to the corners) and Barnes–Hut at
 * Gephi's accuracy (theta 1.2) for large ones (half the time of the
 * library's 0.5 at 10,000 nodes, and as readable). */
export function forceSettings(order: number) {
  const inferred = forceAtlas2.inferSettings(order);
  return {
    ...inferred,
    ...(order <= 500 ? { gravity: 1 } : {}),
    ...(inferred.barnesHutOptimize ? { barnesHutTheta: 1.2 } : {}),
  };
}

/** Run the request, calling `answer` after every batch (the last one with
 * `finished`). Synchronous and bounded by `iterations`. */
export function runLayout(request: LayoutRequest, answer: (a: LayoutAnswer) => void): void {
  const { order, edges, run } = request;
  const graph = new Graph({ type: "undirected", multi: false, allowSelfLoops: false });
  for (let i = 0; i < order; i++) graph.addNode(i, { x: request.x[i], y: request.y[i] });
  for (let e = 0; e + 1 < edges.length; e += 2) {
    const a = edges[e];
    const b = edges[e + 1];
    if (a !== b && a < order && b < order && !graph.hasEdge(a, b)) graph.addEdge(a, b);
  }
  const settings = forceSettings(order);
  const iterations = Math.max(0, Math.floor(request.iterations));
  const batch = Math.max(1, Math.floor(request.batch));
  let done = 0;
  const positions = () => {
    const x = new Float32Array(order);
    const y = new Float32Array(order);
    graph.forEachNode((key, attrs) => {
      const i = Number(key);
      x[i] = attrs.x;
      y[i] = attrs.y;
    });
    return { x, y };
  };
  if (order === 0 || iterations === 0) {
    answer({ run, ...positions(), done, finished: true });
    return;
  }
  while (done < iterations) {
    const step = Math.min(batch, iterations - done);
    forceAtlas2.assign(graph, { iterations: step, settings });
    done += step;
    answer({ run, ...positions(), done, finished: done >= iterations });
  }
}
