/**
 * On a link or a path to an image in the workspace (any syntax src/core/links.ts reads): a hover
 * with a thumbnail and the image's recipe, and the code actions "Edit with Mask", "Create
 * Variations" and, for a generated image, "Remake" (the recipe's prompt, model and options run
 * through `pixelwright.generate`, which asks how many images before anything is spent: a recipe
 * is whatever the file carries, and a file in the workspace may come from anyone).
 *
 * Registered at activation by src/extension.ts, which only looks whether the line may hold an
 * image reference at all before this (in the lazily loaded features bundle) reads anything.
 */
import * as vscode from 'vscode';
import { generateArgsFromRecord } from '../../core/args';
import { candidatePaths, findImageReference } from '../../core/links';
import type { StoredRecord } from '../../core/metadata';
import type { Log } from '../platform/log';
import { readRecipe, sidecarUri } from '../run/recipes';

/** Longest side of the hover's thumbnail, in CSS pixels (a hover is about 250 px high: the recipe fits below). */
const THUMB_SIDE = 128;
/** Longest prompt the hover shows. */
const PROMPT_CHARS = 300;
/** Images whose recipe and size are remembered (by path, mtime and size). */
const CACHE_ENTRIES = 64;

interface ImageInfo {
  readonly record?: StoredRecord;
  readonly size?: { readonly width: number; readonly height: number };
}

/** An image found under the cursor: where the link is, and the file it names. */
interface FoundImage {
  readonly range: vscode.Range;
  readonly uri: vscode.Uri;
  readonly info: ImageInfo;
}

export class ImageLinkProvider implements vscode.HoverProvider, vscode.CodeActionProvider {
  private readonly cache = new Map<string, { readonly stamp: string; readonly info: ImageInfo }>();

  constructor(private readonly log: Log) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const found = await this.find(doc, pos, token);
    if (!found || token.isCancellationRequested) return undefined;
    return new vscode.Hover(hoverText(found), found.range);
  }

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, _ctx: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    const found = await this.find(doc, range.start, token);
    if (!found || token.isCancellationRequested) return [];
    const t = vscode.l10n.t;
    const action = (title: string, command: string, args: unknown[]) => {
      const a = new vscode.CodeAction(title);
      a.command = { title, command, arguments: args };
      return a;
    };
    const { uri, info } = found;
    const actions = [
      action(t('Pixelwright: Edit with Mask'), 'pixelwright.editImage', [uri, [uri]]),
      action(t('Pixelwright: Create Variations'), 'pixelwright.createVariations', [uri, [uri]]),
    ];
    if (info.record?.operation === 'generate' && info.record.prompt.trim()) {
      // Without `n`, the palette asks how many: the one step between a recipe and a paid request.
      const { n: _n, ...args } = generateArgsFromRecord(info.record);
      actions.push(action(t('Pixelwright: Remake'), 'pixelwright.generate', [args]));
    }
    return actions;
  }

  /** The image whose link or path is at `pos`, if it is a file in the workspace. */
  private async find(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<FoundImage | undefined> {
    const line = doc.lineAt(pos.line).text;
    const ref = findImageReference(line, pos.character);
    if (!ref) return undefined;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const ownFolder = doc.uri.scheme !== 'untitled';
    const paths = candidatePaths(ref.target, { docDir: ownFolder ? doc.uri.path.replace(/\/[^/]*$/, '') : undefined, roots: folders.map((f) => f.uri.path) });
    // The document's own file system first, then each workspace folder's.
    const bases = [...(ownFolder ? [doc.uri] : []), ...folders.map((f) => f.uri)];
    const tried = new Set<string>();
    for (const p of paths) {
      for (const base of bases) {
        const uri = base.with({ path: p, query: '', fragment: '' });
        const key = uri.toString();
        if (tried.has(key)) continue;
        tried.add(key);
        if (!vscode.workspace.getWorkspaceFolder(uri)) continue;
        const info = await this.read(uri);
        if (token.isCancellationRequested) return undefined;
        if (info) return { range: new vscode.Range(pos.line, ref.start, pos.line, ref.end), uri, info };
      }
    }
    return undefined;
  }

  /** The image's recipe and size (cached while the file stays the same); undefined when it is not a file. */
  private async read(uri: vscode.Uri): Promise<ImageInfo | undefined> {
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      return undefined;
    }
    if (!(stat.type & vscode.FileType.File)) return undefined;
    const key = uri.toString();
    const side = await vscode.workspace.fs.stat(sidecarUri(uri)).then((st) => `${st.mtime}:${st.size}`, () => '-');
    const stamp = `${stat.mtime}:${stat.size}:${side}`;
    const hit = this.cache.get(key);
    if (hit?.stamp === stamp) return hit.info;
    let info: ImageInfo = {};
    try {
      // The head only (the recipe sits near the start), else the sidecar.
      const found = await readRecipe(uri);
      info = { record: found.record, size: found.width && found.height ? { width: found.width, height: found.height } : undefined };
    } catch (err) {
      this.log.warn(`editor: could not read ${vscode.workspace.asRelativePath(uri)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.cache.delete(key);
    this.cache.set(key, { stamp, info });
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return info;
  }
}

/** The hover: the thumbnail, the file and its size, then the recipe (or a word that there is none). */
function hoverText({ uri, info }: FoundImage): vscode.MarkdownString {
  const t = vscode.l10n.t;
  const md = new vscode.MarkdownString();
  const { width, height } = info.size ?? { width: THUMB_SIDE, height: THUMB_SIDE };
  const scale = Math.min(1, THUMB_SIDE / Math.max(width, height, 1));
  const name = vscode.workspace.asRelativePath(uri, false);
  md.appendMarkdown(`![${escapeMarkdown(name)}](${uri.toString().replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'))}|width=${Math.round(width * scale)},height=${Math.round(height * scale)})\n\n`);
  // Values are escaped here rather than with appendText, which turns every space into &nbsp; and
  // so keeps a long prompt from wrapping.
  const line = (label: string, value: string) => md.appendMarkdown(`**${escapeMarkdown(label)}** ${escapeMarkdown(value)}  \n`);
  md.appendMarkdown(escapeMarkdown(name));
  md.appendMarkdown(info.size ? ` · ${info.size.width} × ${info.size.height}\n\n` : '\n\n');
  const r = info.record;
  if (!r) {
    md.appendMarkdown(escapeMarkdown(t('No Pixelwright recipe in this image.')));
    return md;
  }
  // One command only may run from this hover: Show Recipe, on this image.
  md.isTrusted = { enabledCommands: ['pixelwright.showRecipe'] };
  const showRecipe = `command:pixelwright.showRecipe?${encodeURIComponent(JSON.stringify([uri.toString()]))}`;
  const prompt = r.prompt.replace(/\s+/g, ' ').trim();
  if (prompt) line(t('Prompt:'), prompt.length > PROMPT_CHARS ? `${prompt.slice(0, PROMPT_CHARS)}…` : prompt);
  const created = new Date(r.createdAt);
  const when = Number.isFinite(created.getTime()) ? created.toLocaleString(vscode.env.language) : r.createdAt;
  line(t('Model:'), `${r.model} · ${operationName(r.operation)} · ${when}`);
  const options = Object.entries(r.options ?? {}).map(([k, v]) => `${k} ${String(v)}`);
  if (options.length) line(t('Options:'), options.join(', '));
  if (r.sources?.length) line(t('Sources:'), r.sources.join(', '));
  md.appendMarkdown(`\n[${escapeMarkdown(t('Show Recipe'))}](${showRecipe} "${escapeMarkdown(t('Show the whole recipe, with Remake, Rework, Remix and Copy Prompt'))}")`);
  return md;
}

function operationName(op: string): string {
  const t = vscode.l10n.t;
  return op === 'generate' ? t('generation') : op === 'edit' ? t('edit') : op === 'variation' ? t('variation') : op;
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`);
}
