/**
 * The Gallery's search: plain words match the prompt, the model and the file name (all words,
 * any order, any case); fields narrow further:
 *   model:gpt-image-1.5   the model's id contains it
 *   op:edit               the operation (generate|generation, edit, variation; op: or operation:)
 *   after:2026-05-01      made on or after that day (YYYY, YYYY-MM or YYYY-MM-DD)
 *   before:2026-06        made before that period starts
 *   on:2026-05            made in that year, month or day
 * Dates compare with the record's createdAt (ISO 8601, UTC), as the list shows them. A field
 * whose value cannot be read (`after:soon`) matches nothing, so a typo does not look like "all".
 * Pure (the webview runs it; unit tests too).
 */

export interface Searchable {
  readonly prompt: string;
  readonly model: string;
  readonly name: string;
  readonly operation: string;
  /** ISO 8601 */
  readonly createdAt: string;
}

export interface GalleryQuery {
  readonly words: readonly string[];
  readonly model?: string;
  readonly operation?: string;
  /** Inclusive lower and exclusive upper bounds, ISO date prefixes compared as text. */
  readonly from?: string;
  readonly to?: string;
  /** A field could not be read: nothing matches. */
  readonly invalid?: boolean;
}

const OPS: Record<string, string> = { generate: 'generate', generation: 'generate', gen: 'generate', edit: 'edit', edits: 'edit', variation: 'variation', variations: 'variation', var: 'variation' };

/** The first instant after a YYYY, YYYY-MM or YYYY-MM-DD period, as an ISO prefix; undefined when not a date. */
function periodEnd(d: string): string | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(d);
  if (!m) return undefined;
  const y = Number(m[1]);
  if (m[3]) {
    const t = Date.UTC(y, Number(m[2]) - 1, Number(m[3]) + 1);
    return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : undefined;
  }
  if (m[2]) {
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return undefined;
    return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }
  return String(y + 1);
}

function isPeriod(d: string): boolean {
  return periodEnd(d) !== undefined;
}

export function parseGalleryQuery(text: string): GalleryQuery {
  const words: string[] = [];
  let model: string | undefined;
  let operation: string | undefined;
  let from: string | undefined;
  let to: string | undefined;
  let invalid = false;
  for (const token of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = /^(model|op|operation|after|before|on|date):(.*)$/.exec(token);
    if (!m) {
      words.push(token);
      continue;
    }
    const [, key, value] = m;
    if (!value) continue; // still being typed
    if (key === 'model') model = value;
    else if (key === 'op' || key === 'operation') {
      operation = OPS[value];
      if (!operation) invalid = true;
    } else if (!isPeriod(value)) invalid = true;
    else if (key === 'after') from = value;
    else if (key === 'before') to = value;
    else {
      from = value;
      to = periodEnd(value);
    }
  }
  return { words, model, operation, from, to, invalid: invalid || undefined };
}

/** Whether an image matches the query. */
export function matchesGalleryQuery(item: Searchable, q: GalleryQuery): boolean {
  if (q.invalid) return false;
  if (q.model && !item.model.toLowerCase().includes(q.model)) return false;
  if (q.operation && (OPS[item.operation] ?? 'generate') !== q.operation) return false;
  if (q.from || q.to) {
    const at = item.createdAt;
    if (!at) return false;
    // ISO 8601 strings in UTC compare as text; a period prefix sorts before everything in it.
    if (q.from && at < q.from) return false;
    if (q.to && at >= q.to) return false;
  }
  if (q.words.length) {
    const hay = `${item.prompt}\n${item.model}\n${item.name}`.toLowerCase();
    if (!q.words.every((w) => hay.includes(w))) return false;
  }
  return true;
}
