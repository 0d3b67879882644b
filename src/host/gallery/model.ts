/**
 * The gallery's pure logic, kept apart from `vscode` so plain Node tests and the benchmark can use
 * it: the order of the list and the folders left out. ("Run Again" is the recipe's Remake, which
 * asks first through the run pipeline.) The `pixelwright.generate` argument built from a record lives in src/core/args.ts and the
 * text "insert into the editor" puts into a document in src/core/links.ts (the editor uses both).
 */

// ---- order -----------------------------------------------------------------------------------

export interface Sortable {
  readonly id: string;
  /** record.createdAt in ms (NaN when the record's date is unreadable). */
  readonly time: number;
  /** The file's mtime in ms: the fallback when the record has no usable date. */
  readonly mtime: number;
}

/** The time an image sorts by: its record's createdAt, else the file's mtime. */
export function sortTime(item: Sortable): number {
  return Number.isFinite(item.time) ? item.time : item.mtime;
}

/**
 * Newest first. Equal times (a batch shares one createdAt) keep a stable order: by path, so that
 * `-01`, `-02`... of a batch read in their order.
 */
export function compareNewestFirst(a: Sortable, b: Sortable): number {
  const d = sortTime(b) - sortTime(a);
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Parses an ISO 8601 date; NaN when it is not one. */
export function parseTime(iso: unknown): number {
  return typeof iso === 'string' ? Date.parse(iso) : NaN;
}

// ---- excluded folders --------------------------------------------------------------------------

/**
 * A glob (as in files.exclude) as a regular expression over a whole workspace-relative path:
 * `**` any number of segments, `*` and `?` within a segment, `{a,b}` alternatives, `[...]` classes.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more whole segments; a trailing `**` matches the rest
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      re += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
    } else if (c === ',' && depth > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether a workspace-relative path (`a/b/c.png`) or any folder above it matches one of `patterns`. */
export function isExcluded(relativePath: string, patterns: readonly RegExp[]): boolean {
  const parts = relativePath.split('/');
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join('/');
    if (patterns.some((p) => p.test(prefix))) return true;
  }
  return false;
}
