// The community views' pure parts, so Vitest covers them: where a dragged
// index entry lands, the @mention being typed and the members it could
// name, comments as a reply tree, CSV for the dashboard's tables, and the
// graph's filter and neighbourhood.
import type { CommentDto, GraphDto, MemberRef } from "./ipc-types";

/** Where an entry dragged from `from` and dropped on the row at `over`
 * goes, as the position the node's `moveEntry` takes (0 = first); `null`
 * when it stays. Dropping on the lower half of a row puts it after. */
export function dropPosition(from: number, over: number, after: boolean): number | null {
  let to = after ? over + 1 : over;
  if (to > from) to -= 1;
  return to === from ? null : to;
}

/** The position a keyboard move (`-1` up, `+1` down) takes an entry at
 * `at` of `count` to, `null` at an end. */
export function keyboardMove(at: number, delta: -1 | 1, count: number): number | null {
  const to = at + delta;
  return to < 0 || to >= count ? null : to;
}

/** The `@name` being typed before `caret` in `text`: where it starts and
 * what is typed so far; `null` when the caret is not in a mention. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s(])@([\p{L}\p{N}_.-]*)$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** Members whose name starts with (then contains) `query`, ignoring case;
 * you last, at most `limit`. */
export function mentionChoices<T extends { name: string; you: boolean }>(
  members: T[],
  query: string,
  limit = 6,
): T[] {
  const q = query.toLowerCase();
  const rank = (m: T) => {
    const n = m.name.toLowerCase();
    const at = n.indexOf(q);
    if (at < 0) return -1;
    return (at === 0 ? 0 : 1) + (m.you ? 2 : 0);
  };
  return members
    .map((m) => ({ m, r: rank(m) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.m.name.localeCompare(b.m.name))
    .slice(0, limit)
    .map((x) => x.m);
}

/** `text` with the mention at `start..caret` replaced by `@name `; the new
 * text and caret. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

export interface CommentNode {
  comment: CommentDto;
  depth: number;
}

/** Comments in reading order: each reply right under what it answers,
 * indented one deeper (at most `maxDepth`); replies to a comment that is
 * not there are shown at the top level. */
export function replyTree(comments: CommentDto[], maxDepth = 4): CommentNode[] {
  const ids = new Set(comments.map((c) => c.id));
  const children = new Map<string, CommentDto[]>();
  const roots: CommentDto[] = [];
  for (const c of comments) {
    if (c.replyTo && ids.has(c.replyTo) && c.replyTo !== c.id) {
      const list = children.get(c.replyTo) ?? [];
      list.push(c);
      children.set(c.replyTo, list);
    } else {
      roots.push(c);
    }
  }
  const out: CommentNode[] = [];
  const seen = new Set<string>();
  const walk = (c: CommentDto, depth: number) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    out.push({ comment: c, depth: Math.min(depth, maxDepth) });
    for (const child of children.get(c.id) ?? []) walk(child, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
function field(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV (RFC 4180, CRLF line ends). */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}

/** A share (0..1) as a whole percentage. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A duration in ms in words ("3 h", "2 days"); "—" for none. */
export function duration(ms: number | null): string {
  if (ms === null) return "—";
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/** The ids of the graph's nodes a filter keeps: with `tag` (or a tag
 * nested under it) and started by `member` (an id); `null` for no filter. */
export function graphKeep(graph: GraphDto, tag: string | null, member: string | null): Set<string> {
  const t = tag?.toLowerCase() ?? null;
  return new Set(
    graph.nodes
      .filter((n) => !t || n.tags.some((x) => x.toLowerCase() === t || x.toLowerCase().startsWith(`${t}/`)))
      .filter((n) => !member || (n.creator !== null && graph.members[n.creator]?.id === member))
      .map((n) => n.id),
  );
}

/** `id` and the documents it links to or is linked from. */
export function neighbourhood(graph: GraphDto, id: string | null): Set<string> {
  const out = new Set<string>();
  if (!id) return out;
  const at = graph.nodes.findIndex((n) => n.id === id);
  if (at < 0) return out;
  out.add(id);
  for (const [from, to] of graph.edges) {
    if (from === at) out.add(graph.nodes[to]?.id ?? id);
    if (to === at) out.add(graph.nodes[from]?.id ?? id);
  }
  return out;
}

/** A member's name with "(you)". */
export function who(m: MemberRef | null | undefined): string {
  if (!m) return "someone";
  return m.you ? `${m.name} (you)` : m.name;
}
