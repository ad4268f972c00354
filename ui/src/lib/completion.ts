// `[[` and `#` completion: which titles, aliases and tags to offer, best
// first.
import type { CompletionContext, CompletionResult, Completion } from "@codemirror/autocomplete";
import { rank } from "./ranking";
import type { TagDto, TitleDto } from "./ipc-types";

export type TitleSource = Pick<TitleDto, "title" | "aliases" | "kind">;

/** One option per title and alias matching `query`, best first. */
export function titleOptions(query: string, titles: TitleSource[], limit = 30): Completion[] {
  const candidates = titles.flatMap((t) => [
    { text: t.title, title: t.title, alias: null as string | null, kind: t.kind },
    ...t.aliases.map((a) => ({ text: a, title: t.title, alias: a, kind: t.kind })),
  ]);
  return rank(query, candidates, limit).map((c, i) => ({
    label: c.text,
    detail: c.alias ? `alias of ${c.title}` : c.kind,
    // An alias links to the title and reads as the alias.
    apply: c.alias ? `${c.title}|${c.alias}]]` : `${c.title}]]`,
    boost: -i,
    type: c.kind === "page" ? "class" : "text",
  }));
}

/** Tags matching `query` (prefix first), most used first among equals. */
export function tagOptions(query: string, tags: TagDto[], limit = 30): Completion[] {
  const byUse = [...tags].sort((a, b) => b.count - a.count);
  return rank(query, byUse.map((t) => ({ text: t.tag, count: t.count })), limit).map((t, i) => ({
    label: t.text,
    detail: `${t.count}`,
    boost: -i,
    type: "keyword",
  }));
}

export function titleCompletions(ctx: CompletionContext, titles: TitleSource[]): CompletionResult | null {
  const m = ctx.matchBefore(/\[\[[^\[\]|#\n]*$/);
  if (!m) return null;
  const query = m.text.slice(2);
  // Do not add a second `]]` when the link is closed already.
  const closed = ctx.state.sliceDoc(ctx.pos, ctx.pos + 2) === "]]";
  const options = titleOptions(query, titles).map((o) => ({
    ...o,
    apply: closed && typeof o.apply === "string" ? o.apply.slice(0, -2) : o.apply,
  }));
  return { from: m.from + 2, options, filter: false };
}

export function tagCompletions(ctx: CompletionContext, tags: TagDto[]): CompletionResult | null {
  const m = ctx.matchBefore(/(?:^|\s)#[\p{L}\p{N}_\-/]*$/u);
  if (!m) return null;
  const hash = m.text.indexOf("#");
  const query = m.text.slice(hash + 1);
  if (!query && !ctx.explicit && tags.length === 0) return null;
  return { from: m.from + hash + 1, options: tagOptions(query, tags), filter: false };
}
