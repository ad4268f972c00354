// Reading wikilinks out of the text around a position (the editor's
// Ctrl+click and Ctrl+Enter).

/** A `[[link]]` in the text. */
export interface LinkAt {
  /** The title linked to (`Title` in `[[Title#h|alias]]`). */
  target: string;
  from: number;
  to: number;
}

const LINK = /!?\[\[([^\[\]\n]+?)\]\]/g;

/** The wikilink covering `pos` in `line` (positions within the line). */
export function linkAt(line: string, pos: number): LinkAt | null {
  LINK.lastIndex = 0;
  for (let m = LINK.exec(line); m; m = LINK.exec(line)) {
    const from = m.index;
    const to = from + m[0].length;
    if (pos >= from && pos <= to) {
      const target = m[1].split("|")[0].split("#")[0].trim();
      if (!target) return null;
      return { target, from, to };
    }
  }
  return null;
}
