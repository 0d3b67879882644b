/**
 * Where the link of "Generate Image from Selection" goes, kept up to date while the image is made
 * and the user goes on typing: the selection (or the cursor) as offsets, moved by each edit, and
 * marked `touched` when an edit reaches into it. Pure (no `vscode`): the command feeds it the
 * document's change events; plain Node tests cover the cases.
 */

/** A range of offsets in a document: [start, end), start === end for a cursor. */
export interface TrackedOffsets {
  readonly start: number;
  readonly end: number;
  /** An edit changed the text inside the range (or, for a cursor, around it). */
  readonly touched: boolean;
}

/** One content change of a document change event: the replaced range (offsets in the document before the event) and its new text's length. */
export interface OffsetChange {
  readonly offset: number;
  readonly length: number;
  readonly textLength: number;
}

/**
 * The range after one change. An edit wholly before it moves it (typing at a cursor's very spot
 * counts as before: the link follows what was typed); an edit wholly after it (typing right after
 * a selection too) leaves it; any other edit marks it touched and stretches it over the new text.
 */
export function trackChange(r: TrackedOffsets, c: OffsetChange): TrackedOffsets {
  const cEnd = c.offset + c.length;
  const delta = c.textLength - c.length;
  if (cEnd <= r.start) {
    return { start: r.start + delta, end: r.end + delta, touched: r.touched };
  }
  if (c.offset >= r.end) return r;
  const start = Math.min(r.start, c.offset);
  const end = cEnd <= r.end ? r.end + delta : c.offset + c.textLength;
  return { start, end: Math.max(start, end), touched: true };
}

/**
 * The range after one change event, whose changes all refer to the document before it (VS Code
 * reports a multi-cursor edit as several): applied from the last offset to the first, so each one's
 * offsets still hold when it is applied.
 */
export function trackEvent(r: TrackedOffsets, changes: readonly OffsetChange[]): TrackedOffsets {
  return [...changes].sort((a, b) => b.offset - a.offset).reduce(trackChange, r);
}
