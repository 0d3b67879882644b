/**
 * The gallery's pure logic, kept apart from `vscode` so plain Node tests and the benchmark can use
 * it: the order of the list, the `pixelwright.generate` argument built from a record ("run again"),
 * and the text "insert into the editor" puts into a document.
 */
import type { GenerateArgs } from '../../core/args';
import type { StoredRecord } from '../../core/metadata';
import { estimateCost, formatUsd, type CostEstimate } from '../../core/pricing';

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

// ---- run again ---------------------------------------------------------------------------------

const ENUMS: Record<string, readonly string[]> = {
  background: ['auto', 'transparent', 'opaque'],
  outputFormat: ['png', 'jpeg', 'webp'],
  moderation: ['auto', 'low'],
};

/**
 * The `pixelwright.generate` argument that makes the image again with the same settings: the
 * prompt (the user's, not the model's rewrite), the model, and the recorded options mapped from
 * the API's names (`output_format`...) to the command's (`outputFormat`...). Values of the wrong
 * type or outside what the command accepts are left out (the command then asks, or uses the
 * setting), so an old or hand-edited record never makes the command refuse.
 * `n` is the batch size of the original request (record.options.n, else record.count).
 */
export function generateArgsFromRecord(record: Pick<StoredRecord, 'prompt' | 'model' | 'options' | 'count'>): GenerateArgs {
  const o = (record.options ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { prompt: record.prompt, model: record.model };
  const str = (key: string, from: string) => {
    const v = o[from];
    if (typeof v === 'string' && v.trim()) out[key] = v.trim();
  };
  const oneOf = (key: string, from: string) => {
    const v = o[from];
    if (typeof v === 'string' && ENUMS[key].includes(v)) out[key] = v;
  };
  const int = (key: string, v: unknown, min: number, max: number) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) out[key] = v;
  };
  str('size', 'size');
  str('quality', 'quality');
  str('style', 'style');
  oneOf('background', 'background');
  oneOf('outputFormat', 'output_format');
  int('outputCompression', o.output_compression, 0, 100);
  oneOf('moderation', 'moderation');
  int('n', o.n ?? record.count, 1, 10);
  return out as GenerateArgs;
}

/**
 * What a run from a recipe would ask the provider for, shown before it starts: a recipe found in
 * the workspace may come from anyone (a repository can ship an image whose record asks for ten
 * images at high quality), so nothing is spent before the user has seen this. Size and quality the
 * args leave open are `auto` (the estimate then spans what the model may pick); the count is 1.
 */
export interface RunSummary {
  readonly model: string;
  readonly n: number;
  readonly size: string;
  readonly quality: string;
  readonly estimate: CostEstimate;
  /** The estimate in words: "$0.360", "$0.005 to $0.052"; undefined when there is no price to give. */
  readonly cost?: string;
}

export function runSummary(args: Pick<GenerateArgs, 'model' | 'n' | 'size' | 'quality'>): RunSummary {
  const model = args.model ?? '';
  const n = args.n ?? 1;
  const size = args.size ?? 'auto';
  const quality = args.quality ?? 'auto';
  const estimate = estimateCost(model, { n, size, quality });
  const cost = estimate.kind === 'per-image' ? (estimate.min === estimate.max ? formatUsd(estimate.min) : `${formatUsd(estimate.min)} – ${formatUsd(estimate.max)}`) : undefined;
  return { model, n, size, quality, estimate, cost };
}

// ---- insert into a document ----------------------------------------------------------------------

const MARKDOWN = new Set(['markdown', 'mdx', 'quarto', 'rmd', 'prompt', 'instructions', 'chatmode']);
const HTML = new Set(['html', 'vue', 'svelte', 'astro', 'php', 'handlebars', 'razor', 'aspnetcorerazor', 'erb', 'django-html', 'jinja', 'nunjucks', 'twig', 'liquid']);
const JSX = new Set(['javascriptreact', 'typescriptreact']);
const CSS = new Set(['css', 'scss', 'sass', 'less', 'stylus', 'postcss']);

export type SnippetKind = 'markdown' | 'html' | 'jsx' | 'css' | 'path';

/** Which form of reference suits a document of this language. */
export function snippetKind(languageId: string): SnippetKind {
  if (MARKDOWN.has(languageId)) return 'markdown';
  if (HTML.has(languageId)) return 'html';
  if (JSX.has(languageId)) return 'jsx';
  if (CSS.has(languageId)) return 'css';
  return 'path';
}

/**
 * The path from folder `fromDir` to file `to`, both absolute POSIX paths (URI paths), with `/`
 * separators: `../images/a.png`, `images/a.png`. Path segments compare case-sensitively.
 */
export function relativePath(fromDir: string, to: string): string {
  const from = fromDir.split('/').filter(Boolean);
  const target = to.split('/').filter(Boolean);
  let common = 0;
  while (common < from.length && common < target.length - 1 && from[common] === target[common]) common++;
  const up = from.length - common;
  const rel = [...Array<string>(up).fill('..'), ...target.slice(common)].join('/');
  return rel;
}

/** A one-line alt text from the prompt: whitespace collapsed, at most `max` characters (cut at a word). */
export function altText(prompt: string, fileName = '', max = 100): string {
  let one = prompt.replace(/\s+/g, ' ').trim();
  // A variation may have no prompt: the file's name (without extension, words apart) says more than nothing.
  if (!one) one = fileName.replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ').trim();
  if (one.length <= max) return one;
  const cut = one.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** Escapes the characters that would end a URL early or break it in Markdown / HTML / CSS. */
function encodeRef(path: string): string {
  return path.replace(/[ %()<>"'`\\\u0000-\u001f]/g, (c) => encodeURIComponent(c).replace(/[()'`]/g, (p) => `%${p.charCodeAt(0).toString(16).toUpperCase()}`));
}

function escapeHtmlAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function escapeMarkdownAlt(s: string): string {
  return s.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/**
 * What "insert into the editor" types for an image at `ref` (already relative to the document):
 * `![alt](ref)` in Markdown, `<img src alt>` in HTML-like languages (self-closed in JSX/TSX),
 * `url("ref")` in stylesheets, the bare path elsewhere.
 */
export function insertionText(kind: SnippetKind, ref: string, alt: string): string {
  const url = encodeRef(ref);
  switch (kind) {
    case 'markdown':
      return `![${escapeMarkdownAlt(alt)}](${url})`;
    case 'html':
      return `<img src="${escapeHtmlAttr(url)}" alt="${escapeHtmlAttr(alt)}">`;
    case 'jsx':
      return `<img src="${escapeHtmlAttr(url)}" alt="${escapeHtmlAttr(alt).replace(/[{}]/g, (c) => (c === '{' ? '&#123;' : '&#125;'))}" />`;
    case 'css':
      return `url("${url}")`;
    case 'path':
      return ref;
  }
}

/**
 * The reference to an image from a document: relative to the document's folder when both live on
 * the same file system (same scheme and authority, e.g. both in the workspace), else the
 * workspace-relative path (an untitled document has no folder).
 */
export function referenceFor(image: { scheme: string; authority: string; path: string }, doc: { scheme: string; authority: string; path: string } | undefined, workspaceRelative: string): string {
  if (!doc || doc.scheme !== image.scheme || doc.authority !== image.authority || doc.scheme === 'untitled') return workspaceRelative;
  const dir = doc.path.replace(/\/[^/]*$/, '') || '/';
  return relativePath(dir, image.path);
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
