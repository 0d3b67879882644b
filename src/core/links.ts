/**
 * Links to images in a document's own syntax, and finding them again: what "Generate Image from
 * Selection" and the Gallery's "Insert into Editor" type, and what the editor's hover and code
 * actions read back. Pure string work (no `vscode`, no Node APIs), so plain Node tests cover every
 * syntax and the Copilot tools or the MCP server can write the same links.
 *
 * Lives in src/core rather than src/shared: only host-side code (the editor feature, the gallery,
 * an agent tool) writes into documents; no webview needs it.
 *
 * Paths are the document-relative paths of `referenceFor` (forward slashes). Each syntax encodes
 * what it must and nothing more, so a link stays readable:
 *
 *   markdown  ![alt](path)                     URL: percent-encodes spaces, ()<>"'`, %, #, ?, []{}|^\
 *   html      <img src="path" alt="alt">       the same URL encoding, then & < > " as entities
 *   jsx       <img src="path" alt="alt" />     as html, braces in the alt as entities
 *   css       url("path")                      the same URL encoding (a quote or a backslash cannot stay)
 *   rst       .. image:: path                  a directive on its own line; spaces and \ backslash-escaped
 *                :alt: alt
 *   asciidoc  image::path[alt]                 a block macro on its own line; [ encoded; alt quoted when needed
 *   latex     \includegraphics{path}           TeX's special characters as \string\X (LaTeX 2019 or later)
 *   path      path                             as it is
 *
 * Non-ASCII names stay as they are in every syntax (CommonMark, HTML, CSS, docutils, Asciidoctor
 * and LaTeX since 2018 read UTF-8), so `images/雪山.png` reads as written.
 */

export type LinkSyntax = 'markdown' | 'html' | 'jsx' | 'css' | 'rst' | 'asciidoc' | 'latex' | 'path';

/** VS Code language ids and the link syntax each takes; every other language gets a plain path. */
const LANGUAGE_SYNTAX: Readonly<Record<LinkSyntax, readonly string[]>> = {
  markdown: ['markdown', 'mdx', 'quarto', 'rmd', 'prompt', 'instructions', 'chatmode'],
  // Vue, Svelte and Astro files are HTML templates first (their <style> parts are the exception).
  html: ['html', 'vue', 'svelte', 'astro', 'php', 'handlebars', 'razor', 'aspnetcorerazor', 'erb', 'django-html', 'jinja', 'jinja-html', 'nunjucks', 'twig', 'liquid'],
  jsx: ['javascriptreact', 'typescriptreact'],
  css: ['css', 'scss', 'sass', 'less', 'stylus', 'postcss'],
  rst: ['restructuredtext', 'rst'],
  asciidoc: ['asciidoc', 'asciidoctor'],
  latex: ['latex', 'tex', 'doctex'],
  path: [],
};

let syntaxByLanguage: Map<string, LinkSyntax> | undefined;

/** Which syntax suits a document of this VS Code language; `path` for any other. */
export function syntaxFor(languageId: string): LinkSyntax {
  syntaxByLanguage ??= new Map(
    (Object.entries(LANGUAGE_SYNTAX) as [LinkSyntax, readonly string[]][]).flatMap(([syntax, ids]) => ids.map((id): [string, LinkSyntax] => [id, syntax])),
  );
  return syntaxByLanguage.get(languageId) ?? 'path';
}

/** Syntaxes whose link is a block on its own line (a directive or a block macro). */
export function isBlockSyntax(syntax: LinkSyntax): boolean {
  return syntax === 'rst' || syntax === 'asciidoc';
}

// ---- paths -------------------------------------------------------------------------------------

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
  return [...Array<string>(up).fill('..'), ...target.slice(common)].join('/');
}

/** A URI's parts that decide whether two files share a file system. */
export interface UriLike {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
}

/**
 * The reference to an image from a document: relative to the document's folder when both live on
 * the same file system (same scheme and authority; also for a document outside the workspace, so
 * the link works from where the document is), else `workspaceRelative` (an untitled document has
 * no folder yet; callers say so).
 */
export function referenceFor(image: UriLike, doc: UriLike | undefined, workspaceRelative: string): string {
  if (!doc || doc.scheme !== image.scheme || doc.authority !== image.authority || doc.scheme === 'untitled') return workspaceRelative;
  const dir = doc.path.replace(/\/[^/]*$/, '') || '/';
  return relativePath(dir, image.path);
}

/** `a/./b/../c` -> `a/c`; keeps a leading `/`; `..` above the root is dropped. */
export function normalizePath(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(seg);
  }
  return (absolute ? '/' : '') + out.join('/');
}

// ---- alt text ----------------------------------------------------------------------------------

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

// ---- writing -----------------------------------------------------------------------------------

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * A relative path as a URL path: the characters that would end the URL early, start a query or
 * fragment, or be read as an escape are percent-encoded; letters of any script stay readable.
 */
export function encodeUrlPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  return path.replace(/[\u0000-\u0020\u007f"#%'()<>?[\\\]^`{|}]/g, hex);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function escapeMarkdownText(s: string): string {
  return s.replace(/[\\[\]<`]/g, (c) => `\\${c}`);
}

/** docutils drops unescaped whitespace from a URI and reads `\x` as `x`. */
function escapeRstUri(path: string): string {
  return path.replace(/[\\\s]/g, (c) => `\\${c}`);
}

/** An attribute value Asciidoctor reads as one positional attribute (quoted when it would split or name one). */
function asciidocAttribute(s: string): string {
  return /[,="\]]|^['\s]|\s$/.test(s) ? `"${s.replace(/"/g, '\\"')}"` : s;
}

/** TeX's special characters as `\string\X`: LaTeX (2019 and later) reads file names with \escapechar=-1. */
function escapeLatexPath(path: string): string {
  return path.replace(/[\\{}%#&$^_~]/g, (c) => (c === '~' ? '\\string~' : `\\string\\${c}`));
}

/** One image's link, for a path `ref` already relative to the document, with `alt` from altText(). */
export function imageLink(syntax: LinkSyntax, ref: string, alt: string): string {
  switch (syntax) {
    case 'markdown':
      return `![${escapeMarkdownText(alt)}](${encodeUrlPath(ref)})`;
    case 'html':
      return `<img src="${escapeHtml(encodeUrlPath(ref))}" alt="${escapeHtml(alt)}">`;
    case 'jsx':
      return `<img src="${escapeHtml(encodeUrlPath(ref))}" alt="${escapeHtml(alt).replace(/[{}]/g, (c) => (c === '{' ? '&#123;' : '&#125;'))}" />`;
    case 'css':
      return `url("${encodeUrlPath(ref)}")`;
    case 'rst':
      return alt ? `.. image:: ${escapeRstUri(ref)}\n   :alt: ${alt}` : `.. image:: ${escapeRstUri(ref)}`;
    case 'asciidoc':
      return `image::${ref.replace(/\[/g, '%5B')}[${asciidocAttribute(alt)}]`;
    case 'latex':
      return `\\includegraphics{${escapeLatexPath(ref)}}`;
    case 'path':
      return ref;
  }
}

/** A position in a document, as VS Code's `Position` has it (0-based line and UTF-16 column). */
export interface TextPosition {
  readonly line: number;
  readonly character: number;
}

/** Where a link goes: a range (VS Code's `Range` fits) that it replaces; empty to insert. */
export interface TextSpan {
  readonly start: TextPosition;
  readonly end: TextPosition;
}

const INLINE_NEIGHBOUR = /[\p{L}\p{N}.,;:!?]/u;

/**
 * The text to put in place of `span` for `links` (one per image, from imageLink), given the
 * document's lines (`lineAt` answers undefined outside the document). Several links go one per
 * line (comma-separated layers in CSS, a blank line apart for blocks), continuation lines indented
 * like the line; a block (rST, AsciiDoc) gets the blank lines it needs to stand alone; an inline
 * link gets a space where it would touch a word.
 */
export function placeLinks(syntax: LinkSyntax, links: readonly string[], span: TextSpan, lineAt: (line: number) => string | undefined): string {
  const before = (lineAt(span.start.line) ?? '').slice(0, span.start.character);
  const after = (lineAt(span.end.line) ?? '').slice(span.end.character);
  const indent = /^[ \t]*/.exec(before)![0];
  const block = isBlockSyntax(syntax);
  const joined = links.join(syntax === 'css' ? ', ' : block ? '\n\n' : '\n');
  let text = joined.replace(/\n(?!\n)/g, `\n${indent}`);
  if (block) {
    const blank = (s: string | undefined) => s === undefined || s.trim() === '';
    if (before.trim()) text = `\n\n${indent}${text}`;
    else if (!blank(lineAt(span.start.line - 1))) text = `\n${indent}${text}`;
    if (after.trim()) text = `${text}\n\n${indent}`;
    else if (!blank(lineAt(span.end.line + 1))) text = `${text}\n`;
    return text;
  }
  if (INLINE_NEIGHBOUR.test(before.slice(-1))) text = ` ${text}`;
  if (/[\p{L}\p{N}]/u.test(after.charAt(0))) text = `${text} `;
  return text;
}

// ---- reading -----------------------------------------------------------------------------------

/** The image files the editor's hover and code actions know (the formats Pixelwright edits). */
export const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/**
 * The languages whose documents get the hover and the code actions on image links (and activate
 * the extension: package.json lists each as `onLanguage:`; a unit test keeps the two in step).
 * A plain path is read in any of them; other languages keep their own hovers to themselves.
 */
export const IMAGE_LINK_LANGUAGES: readonly string[] = [
  'markdown', 'mdx', 'html', 'vue', 'svelte', 'astro', 'javascriptreact', 'typescriptreact',
  'css', 'scss', 'sass', 'less', 'restructuredtext', 'asciidoc', 'latex', 'tex', 'plaintext',
];

/** A cheap first look: whether a line may hold a reference to an image at all. */
export function mayHoldImageReference(line: string): boolean {
  return /\.(png|jpe?g|webp)/i.test(line);
}

/** A reference to an image found in a line of text. */
export interface ImageReference {
  /** Columns (UTF-16) of the whole link in the line: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The path as the file system names it: decoded, without a URL's query or fragment. */
  readonly target: string;
  /** Which syntax it was read as. */
  readonly syntax: LinkSyntax;
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%[0-9a-f]{2}/gi, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

/** A URL's path: query and fragment off, percent-escapes decoded. */
function urlPath(s: string): string {
  return percentDecode(s.replace(/[?#].*$/s, ''));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function decodeCssString(s: string): string {
  return s.replace(/\\(?:([0-9a-f]{1,6})\s?|\n|(.))/gis, (_m, h: string | undefined, c: string | undefined) => (h ? String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)) : (c ?? '')));
}

function decodeBackslashes(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

interface Reader {
  readonly syntax: LinkSyntax;
  readonly re: RegExp;
  readonly target: (m: RegExpExecArray) => string | undefined;
}

const READERS: readonly Reader[] = [
  {
    // ![alt](dest "title") and [text](dest): dest in <...> or bare with balanced parentheses.
    syntax: 'markdown',
    re: /!?\[(?:\\.|[^\\\]])*\]\(\s*(?:<((?:\\.|[^<>\\\n])*)>|((?:\\.|[^\s()\\]|\((?:\\.|[^\s()\\])*\))+))(?:\s+(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\((?:\\.|[^()\\])*\)))?\s*\)/g,
    target: (m) => urlPath(decodeBackslashes(m[1] ?? m[2])),
  },
  {
    // <img src="..."> / <a href='...'>: the whole tag when it is on one line (a JSX attribute
    // string is read like HTML's)...
    syntax: 'html',
    re: /<[a-z][\w-]*\b[^<>]*?\s(?:src|href|poster|data-src)\s*=\s*(?:"([^"]*)"|'([^']*)')[^<>]*>?/gi,
    target: (m) => urlPath(decodeHtml(m[1] ?? m[2])),
  },
  {
    // ...else the attribute alone (a tag over several lines).
    syntax: 'html',
    re: /\b(?:src|href|poster|data-src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi,
    target: (m) => urlPath(decodeHtml(m[1] ?? m[2])),
  },
  {
    syntax: 'css',
    re: /\burl\(\s*(?:"((?:\\.|[^"\\\n])*)"|'((?:\\.|[^'\\\n])*)'|((?:\\.|[^\s"'()\\])*))\s*\)/gi,
    target: (m) => urlPath(decodeCssString(m[1] ?? m[2] ?? m[3])),
  },
  {
    // .. image:: path / .. figure:: path (the whole line)
    syntax: 'rst',
    re: /^\s*\.\.\s+(?:image|figure)::[ \t]+(.+?)\s*$/g,
    target: (m) => m[1].replace(/\\(\s)|\\(.)|\s+/g, (_all, esc: string | undefined, other: string | undefined) => esc ?? other ?? ''),
  },
  {
    // image::path[...] (block) and image:path[...] (inline)
    syntax: 'asciidoc',
    re: /\bimage::?([^\s[](?:[^[]*[^\s[])?)\[[^\n]*?\]/g,
    target: (m) => percentDecode(m[1]),
  },
  {
    syntax: 'latex',
    re: /\\includegraphics\*?\s*(?:\[[^\]]*\]\s*)?\{((?:\\string\s*\\?.|[^{}])*)\}/g,
    target: (m) => m[1].replace(/\\string\s*\\?(.)/g, '$1').replace(/^"(.*)"$/, '$1').trim(),
  },
  {
    // a quoted path ('images/a.png', "images/a b.png", `x.png`): in code, JSON, YAML...
    syntax: 'path',
    re: /(["'`])((?:(?!\1)[^\\\n]|\\.)*?\.(?:png|jpe?g|webp))\1/gi,
    target: (m) => m[2].replace(/\\\\/g, '\\'),
  },
  {
    // a bare path: no spaces, no brackets or quotes
    syntax: 'path',
    re: /[^\s"'`()<>[\]{}|,;=*?]+\.(?:png|jpe?g|webp)\b/gi,
    target: (m) => m[0],
  },
];

/**
 * The reference to an image at `column` of `line` (the column may sit anywhere on the link,
 * including just after it); undefined when there is none there. Every syntax is tried whatever
 * the document's language (Markdown holds HTML, Vue holds CSS), the link forms before a plain path.
 * Only targets naming a PNG, JPEG or WebP file count.
 */
export function findImageReference(line: string, column: number): ImageReference | undefined {
  for (const reader of READERS) {
    reader.re.lastIndex = 0;
    for (let m = reader.re.exec(line); m; m = reader.re.exec(line)) {
      if (m[0] === '') {
        reader.re.lastIndex++;
        continue;
      }
      const start = m.index;
      const end = start + m[0].length;
      if (column < start || column > end) continue;
      const target = reader.target(m);
      if (target && IMAGE_FILE.test(target)) return { start, end, target, syntax: reader.syntax };
    }
  }
  return undefined;
}

/** Where a document is, for resolving the paths found in it. */
export interface ResolveContext {
  /** The document's folder (a URI path); undefined for an untitled document. */
  readonly docDir?: string;
  /** The workspace folders' paths (URI paths). */
  readonly roots: readonly string[];
}

/**
 * The URI paths a found target may name, most likely first: relative to the document's folder,
 * then to each workspace folder; a path starting with `/` is taken from a workspace folder's root
 * (as the Markdown preview does) and then as an absolute path. URLs with a scheme other than
 * `file:` name no file here (an empty list).
 */
export function candidatePaths(target: string, ctx: ResolveContext): string[] {
  let t = target.trim();
  const out: string[] = [];
  const add = (p: string) => {
    const n = normalizePath(p);
    if (n.startsWith('/') && !out.includes(n)) out.push(n);
  };
  // A file: URL or a Windows path is absolute, never taken from a folder.
  if (/^file:\/\//i.test(t)) {
    add(percentDecode(t.replace(/^file:\/\/[^/]*/i, '')));
    return out;
  }
  if (/^[a-z]:[\\/]/i.test(t)) {
    add(`/${t.replace(/\\/g, '/')}`);
    return out;
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(t) || t.startsWith('//')) return out;
  t = t.replace(/\\/g, '/');
  if (t.startsWith('/')) {
    for (const r of ctx.roots) add(`${r}/${t}`);
    add(t);
  } else {
    if (ctx.docDir !== undefined) add(`${ctx.docDir}/${t}`);
    for (const r of ctx.roots) add(`${r}/${t}`);
  }
  return out;
}
