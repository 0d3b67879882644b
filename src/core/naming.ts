/**
 * File names for generated images: a readable slug of the prompt, the local time, a batch index,
 * and, on collision, a `~N` counter. Pure string work (no `vscode`, no `path`), the same on
 * every OS and remote.
 *
 *   sea-otter-in-a-beret-20261123-142501.png        one image
 *   sea-otter-in-a-beret-20261123-142501-03.png     third of a batch of 10 (batch index: `-N`)
 *   sea-otter-in-a-beret-20261123-142501~2.png      the name was taken (collision counter: `~N`)
 *
 * `~N` rather than ` (N)`: no spaces or parentheses, so the names need no quoting in shells,
 * Markdown links, CSS `url()` or HTML; and it can never be mistaken for a batch index.
 */
import { randomBytes } from 'node:crypto';
import { isResultFormat, RESULT_EXTENSIONS, type ResultFormat } from '../shared/imageFormat';

/** What a written file can be: a raster format or SVG. */
export type ImageFileFormat = ResultFormat;

const DEFAULT_SLUG_LENGTH = 48;
/** slugify never makes slugs shorter than this, whatever maxLength says. */
const MIN_SLUG_LENGTH = 10;
/** uniqueName tries `name`, then `stem~2.ext` ... `stem~100.ext`. */
const MAX_UNIQUE_TRIES = 100;
const FALLBACK_SLUG = 'image';

/** Device names Windows reserves (with any extension), compared case-insensitively. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** A letter, digit or combining mark (the inside of a word). */
const WORD_CHAR = /[\p{L}\p{N}\p{Mn}\p{Mc}]/u;

/**
 * A readable, filesystem-safe slug of a prompt: NFKC-normalized and lower-cased; runs of letters,
 * digits and combining marks (any script) kept as words, joined by '-'; punctuation, symbols,
 * emoji, spaces and control characters dropped (an apostrophe inside a word just disappears:
 * "otter's" gives "otters"). At most `maxLength` code points (at least 10), cut at the last word
 * boundary when that keeps at least half of it, else between two characters (never inside a
 * surrogate pair or before a combining mark). Never a Windows device name; 'image' when nothing is left.
 */
export function slugify(prompt: string, maxLength = DEFAULT_SLUG_LENGTH): string {
  const limit = Number.isFinite(maxLength) ? Math.max(MIN_SLUG_LENGTH, Math.floor(maxLength)) : DEFAULT_SLUG_LENGTH;
  const text = String(prompt)
    .normalize('NFKC')
    .toLowerCase()
    // Variation selectors and enclosing marks belong to emoji and keycaps, not to words.
    .replace(/[\uFE00-\uFE0F\u{E0100}-\u{E01EF}\p{Me}]/gu, '')
    .replace(/(?<=[\p{L}\p{N}])['\u2019](?=[\p{L}\p{N}])/gu, '');

  const words: string[] = [];
  let word = '';
  for (const ch of text) {
    // A mark only counts with a base character before it.
    if (WORD_CHAR.test(ch) && (word !== '' || !/\p{M}/u.test(ch))) word += ch;
    else if (word) {
      words.push(word);
      word = '';
    }
  }
  if (word) words.push(word);

  let slug = cut(words, limit);
  if (!slug) return FALLBACK_SLUG;
  if (WINDOWS_RESERVED.test(slug)) slug = `${slug}-${FALLBACK_SLUG}`;
  return slug;
}

function cut(words: readonly string[], limit: number): string {
  const whole = words.join('-');
  const cps = Array.from(whole);
  if (cps.length <= limit) return whole;
  // Word boundary: the longest run of whole words that fits.
  let kept = '';
  let keptLength = 0;
  for (const w of words) {
    const len = Array.from(w).length + (kept ? 1 : 0);
    if (keptLength + len > limit) break;
    kept += (kept ? '-' : '') + w;
    keptLength += len;
  }
  if (keptLength >= limit / 2) return kept;
  // Character boundary, not before a combining mark (it would lose its base).
  let n = limit;
  while (n > 0 && /\p{M}/u.test(cps[n])) n--;
  return cps.slice(0, n).join('').replace(/-+$/, '');
}

/** The extension written for `format`, with its dot; undefined for an unknown format. */
function extensionOf(format: string): string | undefined {
  return isResultFormat(format) ? `.${RESULT_EXTENSIONS[format][0]}` : undefined;
}

export function extensionFor(format: ImageFileFormat): string {
  return extensionOf(format)!;
}

/**
 * `slug-yyyyMMdd-HHmmss[-NN].ext`, in the local time of `time`. `index` is 0-based (as in the
 * record) and shown 1-based, zero-padded to the width of `count`, only when `count` > 1.
 */
export function imageFileName(opts: { prompt: string; time: Date; index?: number; count?: number; format: ImageFileFormat }): string {
  const t = opts.time;
  if (!(t instanceof Date) || Number.isNaN(t.getTime())) throw new RangeError('imageFileName: time is not a valid date');
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${t.getFullYear()}${p2(t.getMonth() + 1)}${p2(t.getDate())}-${p2(t.getHours())}${p2(t.getMinutes())}${p2(t.getSeconds())}`;
  let suffix = '';
  const count = opts.count ?? 1;
  if (count > 1 && opts.index !== undefined && Number.isInteger(opts.index) && opts.index >= 0) {
    suffix = '-' + String(opts.index + 1).padStart(String(Math.floor(count)).length, '0');
  }
  const ext = extensionOf(opts.format);
  if (!ext) throw new RangeError(`imageFileName: unknown format ${JSON.stringify(opts.format)}`);
  return `${slugify(opts.prompt)}-${stamp}${suffix}${ext}`;
}

/** `name` split at its last dot; a leading dot (".hidden") is part of the stem. */
function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? { stem: name.slice(0, dot), ext: name.slice(dot) } : { stem: name, ext: '' };
}

/**
 * `name` if `exists` says it is free, else the first free `stem~2.ext`, `stem~3.ext`...
 * Throws after 100 names. Errors of `exists` are passed on.
 */
export async function uniqueName(name: string, exists: (candidate: string) => boolean | Promise<boolean>): Promise<string> {
  if (!name) throw new RangeError('uniqueName: empty name');
  if (!(await exists(name))) return name;
  const { stem, ext } = splitExtension(name);
  for (let n = 2; n <= MAX_UNIQUE_TRIES; n++) {
    const candidate = `${stem}~${n}${ext}`;
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`No free file name for "${name}": "${stem}~2${ext}" to "${stem}~${MAX_UNIQUE_TRIES}${ext}" are all taken.`);
}

/** Longest part of the final name kept in a temp name, in UTF-8 bytes (file names: 255 bytes). */
const TEMP_STEM_BYTES = 200;

/**
 * A hidden name in the same folder to write to before renaming to `finalName`:
 * `.finalName.<12 hex>.tmp` (the final name shortened if very long).
 */
export function tempName(finalName: string): string {
  let base = '';
  let bytes = 0;
  for (const ch of finalName) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > TEMP_STEM_BYTES) break;
    base += ch;
    bytes += size;
  }
  return `.${base}.${randomBytes(6).toString('hex')}.tmp`;
}
