// Fuzzy ranking for the quick switcher, the command palette and `[[`
// autocomplete: an exact title beats a prefix, a prefix beats a word
// start, a word start beats a substring, a substring beats letters in
// order; recently opened documents win ties and near-ties; equals keep their order.

export interface Candidate {
  /** What is matched (a title, an alias, an action's name). */
  text: string;
  /** Position in the recently-opened list, 0 = most recent; absent if never. */
  recent?: number;
}

/** How well `query` matches `text`: higher is better, 0 is no match. */
export function score(query: string, text: string): number {
  const q = query.trim().toLowerCase();
  const t = text.toLowerCase();
  if (!q) return 1;
  if (t === q) return 1000;
  if (t.startsWith(q)) return 800 - Math.min(t.length - q.length, 100);
  const words = t.split(/[\s\-_/.]+/);
  if (words.some((w) => w.startsWith(q))) return 600 - Math.min(t.length, 100);
  const at = t.indexOf(q);
  if (at >= 0) return 400 - Math.min(at, 100);
  // Letters in order: fewer and shorter gaps score higher.
  let i = 0;
  let gaps = 0;
  let last = -1;
  for (let j = 0; j < t.length && i < q.length; j++) {
    if (t[j] === q[i]) {
      if (last >= 0 && j > last + 1) gaps += 1;
      last = j;
      i += 1;
    }
  }
  if (i < q.length) return 0;
  return Math.max(1, 200 - gaps * 20 - Math.min(t.length, 100) / 10);
}

/** Candidates matching `query`, best first, at most `limit`. */
export function rank<T extends Candidate>(query: string, candidates: T[], limit = 50): T[] {
  const scored: { c: T; s: number; i: number }[] = [];
  for (const [i, c] of candidates.entries()) {
    let s = score(query, c.text);
    if (s === 0) continue;
    if (c.recent !== undefined) s += Math.max(0, 150 - c.recent * 10);
    scored.push({ c, s, i });
  }
  // Equals keep the order they came in (most used, alphabetical...).
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, limit).map((x) => x.c);
}
