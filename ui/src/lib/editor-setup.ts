// CodeMirror for a note: markdown highlighting, `[[` and `#` completion,
// Ctrl/Cmd+click (or Ctrl/Cmd+Enter) to follow a link, and the bridge to
// the Automerge replica (local edits out, remote edits in).
import { Annotation, EditorState, Transaction, type Extension } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  MatchDecorator,
  ViewPlugin,
  drawSelection,
  highlightActiveLine,
  keymap,
  placeholder,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import {
  autocompletion,
  completionKeymap,
  type CompletionContext,
  type CompletionResult,
} from "@codemirror/autocomplete";
import { searchKeymap } from "@codemirror/search";
import { tags as t } from "@lezer/highlight";
import { linkAt } from "./wikilink";
import { toChangeSet, type TextChange } from "./patches";
import { tagCompletions, titleCompletions, type TitleSource } from "./completion";
import type { TagDto } from "./ipc-types";

/** Marks transactions that carry edits from elsewhere (not to be sent back,
 * not undoable). */
export const remoteEdit = Annotation.define<boolean>();

export interface EditorHooks {
  /** Edits the member made, in order (each relative to the text after the
   * one before). */
  onLocal(changes: TextChange[]): void;
  /** Follow a `[[link]]` to this title. */
  follow(target: string): void;
  titles(): TitleSource[];
  tags(): TagDto[];
}

const highlight = HighlightStyle.define([
  { tag: t.heading1, fontSize: "1.45em", fontWeight: "700" },
  { tag: t.heading2, fontSize: "1.25em", fontWeight: "700" },
  { tag: t.heading3, fontSize: "1.1em", fontWeight: "700" },
  { tag: [t.heading4, t.heading5, t.heading6], fontWeight: "700" },
  { tag: t.strong, fontWeight: "700" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: t.link, color: "var(--accent)" },
  { tag: t.url, color: "var(--muted)" },
  { tag: t.monospace, fontFamily: "var(--mono)", color: "var(--code)" },
  { tag: t.quote, color: "var(--muted)", fontStyle: "italic" },
  // Markup: list marks, heading #s, emphasis stars, link brackets.
  { tag: [t.processingInstruction, t.meta], color: "var(--accent-2)" },
  { tag: t.contentSeparator, color: "var(--muted)" },
]);

const linkMark = Decoration.mark({ class: "cm-wikilink" });
const tagMark = Decoration.mark({ class: "cm-hashtag" });

const wikilinks = new MatchDecorator({
  regexp: /!?\[\[[^\[\]\n]+?\]\]|(?<=^|\s)#[\p{L}\p{N}_\-/]+/gu,
  decoration: (m) => (m[0].startsWith("#") ? tagMark : linkMark),
});

const linkHighlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = wikilinks.createDeco(view);
    }
    update(u: ViewUpdate) {
      this.decorations = wikilinks.updateDeco(u, this.decorations);
    }
  },
  { decorations: (v) => v.decorations },
);

/** The link under `pos`, if any. */
export function linkAtPos(state: EditorState, pos: number): string | null {
  const line = state.doc.lineAt(pos);
  return linkAt(line.text, pos - line.from)?.target ?? null;
}

/** Every extension of the note editor. */
export function noteEditor(hooks: EditorHooks): Extension {
  const followAtCursor = (view: EditorView) => {
    const target = linkAtPos(view.state, view.state.selection.main.head);
    if (!target) return false;
    hooks.follow(target);
    return true;
  };
  return [
    history(),
    drawSelection(),
    highlightActiveLine(),
    EditorView.lineWrapping,
    // GitHub-flavoured: tables, task lists, strikethrough, as the preview renders them.
    markdown({ base: markdownLanguage }),
    syntaxHighlighting(highlight),
    linkHighlighter,
    placeholder("Write here. [[ links a page, # adds a tag."),
    autocompletion({
      override: [
        (ctx: CompletionContext): CompletionResult | null => titleCompletions(ctx, hooks.titles()),
        (ctx: CompletionContext): CompletionResult | null => tagCompletions(ctx, hooks.tags()),
      ],
      activateOnTyping: true,
    }),
    keymap.of([
      { key: "Mod-Enter", run: followAtCursor },
      ...completionKeymap,
      ...defaultKeymap,
      ...historyKeymap,
      ...searchKeymap,
    ]),
    EditorView.domEventHandlers({
      mousedown(event, view) {
        if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
        const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
        if (pos === null) return false;
        const target = linkAtPos(view.state, pos);
        if (!target) return false;
        event.preventDefault();
        hooks.follow(target);
        return true;
      },
    }),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      for (const tr of update.transactions) {
        if (!tr.docChanged || tr.annotation(remoteEdit)) continue;
        const changes: TextChange[] = [];
        tr.changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
          // In ascending order, fromB is where the change lands once the
          // ones before it are applied: sequential positions.
          changes.push({ from: fromB, to: fromB + (toA - fromA), insert: inserted.toString() });
        });
        hooks.onLocal(changes);
      }
    }),
    EditorView.contentAttributes.of({ "aria-label": "Note text", spellcheck: "true" }),
  ];
}

/** Apply edits from elsewhere, keeping the member's cursor where it was in
 * the text around it. `text` is what the editor must show afterwards. */
export function applyRemote(view: EditorView, changes: TextChange[] | null, text: string): void {
  const annotations = [remoteEdit.of(true), Transaction.addToHistory.of(false)];
  if (changes !== null) {
    try {
      const set = toChangeSet(changes, view.state.doc.length);
      view.dispatch({ changes: set, annotations });
    } catch {
      changes = null;
    }
  }
  if (changes === null || view.state.doc.length !== text.length || view.state.doc.toString() !== text) {
    const head = Math.min(view.state.selection.main.head, text.length);
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      selection: { anchor: head },
      annotations,
    });
  }
}
