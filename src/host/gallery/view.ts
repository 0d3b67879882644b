/**
 * The gallery view (pixelwright.gallery, in the Pixelwright activity bar container): every image
 * Pixelwright wrote in this workspace, newest first, with thumbnails made on the host and sent only
 * for the tiles on screen, and the actions on each image.
 *
 * retainContextWhenHidden stays off: the webview holds nothing the host cannot send again (the list
 * comes from the index, thumbnails from the cache), and its UI state (scroll position, focused
 * tile, filter) is kept with setState. A reloaded webview says `ready` and gets everything again.
 */
import * as vscode from 'vscode';
import { redactSecrets } from '../../core/errors';
import { altText, imageLink, placeLinks, referenceFor, syntaxFor } from '../../core/links';
import type { Logger } from '../../core/log';
import { loadEngine } from '../platform/engineLoader';
import { errorMessage } from '../platform/messages';
import {
  parseFromGallery,
  type FromGallery,
  type GalleryActionMessage,
  type GalleryDetails,
  type GalleryReadyMessage,
  type GalleryShownMessage,
  type GalleryThumbsRequest,
  type ToGallery,
} from '../../shared/galleryProtocol';
import { DateText, DEFAULT_FIRST_SCREEN, GalleryFeed } from './feed';
import { GalleryIndex, type IndexedImage } from './imageIndex';
import { deleteSidecar, followSidecars } from './sidecars';
import { ThumbnailCache, type MakeThumbnail, type ThumbJob } from './thumbnails';
import { WebviewBase } from '../webview/base';
import type { ReplyBody } from '../webview/channel';
import { localizeAll } from '../webview/strings';

/**
 * A kept list's check (a stat of every file, after findFiles) waits this long at most for the
 * first screen to be drawn, so that it does not compete with the page while it loads.
 */
const SCAN_AFTER_FIRST_SCREEN_MS = 3000;

export class GalleryViewProvider extends WebviewBase<ToGallery, FromGallery> implements vscode.WebviewViewProvider {
  static readonly viewType = 'pixelwright.gallery';

  private readonly index: GalleryIndex;
  private readonly thumbs: ThumbnailCache;
  private readonly feed: GalleryFeed<IndexedImage>;
  private warnedNoMaker = false;
  private readyBefore = false;

  constructor(context: vscode.ExtensionContext, log: Logger) {
    super(context.extensionUri, log, { name: 'gallery', label: 'gallery', parse: parseFromGallery, imageSources: ['blob:'] });
    const storage = context.storageUri?.scheme === 'file' ? context.storageUri : undefined;
    this.index = this._register(new GalleryIndex(log, { cacheFile: storage && vscode.Uri.joinPath(storage, 'gallery-index.json').fsPath }));
    const dir = storage ? vscode.Uri.joinPath(storage, 'gallery-thumbnails') : undefined;
    this.thumbs = new ThumbnailCache(dir?.scheme === 'file' ? dir.fsPath : undefined, () => this.loadMaker(), {
      concurrency: 2,
      memoryEntries: 400,
      onError: (job, err) => this.log.warn(`gallery: no thumbnail for ${job.id}: ${redactSecrets(err instanceof Error ? err.message : String(err))}`),
    });
    const index = this.index;
    this.feed = new GalleryFeed(
      this.thumbs,
      {
        items: () => index.items(),
        get: (id) => index.get(id),
        get scanning() {
          return index.scanning;
        },
        noWorkspace: () => !vscode.workspace.workspaceFolders?.length,
        name: (image) => baseName(image.uri),
        job: (image) => this.job(image),
      },
      { locale: vscode.env.language || 'en', strings: uiStrings, post: (m) => this.post(m), isReady: () => this.isReady },
    );
    // Recipe sidecars go along with their images when those are renamed or deleted in VS Code.
    this._register(followSidecars(log));
    this._register({ dispose: () => this.thumbs.dispose() });
    this._register({ dispose: () => this.feed.dispose() });
    this._register(
      this.index.onDidChange(() => {
        if (this.isReady) this.feed.listChanged();
        // While the page loads, the first screen's thumbnails are read (or made) already.
        else if (this.isAttached) this.feed.prefetch();
      }),
    );
    // Old thumbnails (of files changed or gone) are cleared once, a while after the first scan.
    let pruned = false;
    this._register(
      this.index.onDidChange(() => {
        if (pruned || this.index.scanning || !this.index.lastScan) return;
        pruned = true;
        const t = setTimeout(() => void this.thumbs.prune(this.index.items()).then((n) => n && this.log.info(`gallery: removed ${n} old thumbnail(s)`)), 30_000);
        this._register({ dispose: () => clearTimeout(t) });
      }),
    );
  }

  /** The index (for tests and other views). */
  get images(): GalleryIndex {
    return this.index;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view, { title: vscode.l10n.t('Gallery'), loading: vscode.l10n.t('Loading the gallery…') });
    // While the page loads: the thumbnail cache listed, the kept list read; a kept list is checked
    // against the disk once the first screen is out (or a few seconds later, if no page says ready).
    void this.thumbs.warm().then(() => {
      // few thumbnails kept: some will be made, so sharp loads now rather than when the list is known
      if (this.thumbs.onDiskCount < DEFAULT_FIRST_SCREEN) void loadEngine().then((e) => e.loadSharp(), () => undefined);
    });
    const firstOut = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, SCAN_AFTER_FIRST_SCREEN_MS);
      void this.feed.firstScreenSent.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
    void this.index.start({ scanAfter: firstOut });
    // dates are written by the host: its formatter is made while the page loads
    setTimeout(() => this.feed.dates.warm(), 0);
  }

  // ---- messages ------------------------------------------------------------------------------

  protected override sendState(ready: GalleryReadyMessage): void {
    // Shown again (a hidden view loses its page): what the watcher missed meanwhile is looked for.
    if (this.readyBefore) void this.index.revalidate();
    this.readyBefore = true;
    // posted in order, without waiting for the page to take each: the first screen, then the rest
    this.feed.onReady(ready);
  }

  protected override onMessage(msg: GalleryThumbsRequest | GalleryShownMessage): void {
    if (msg.type === 'shown') this.feed.onShown();
    else this.feed.request(msg.items, msg.size);
  }

  protected override onRequest(msg: GalleryActionMessage): Promise<ReplyBody<ToGallery>> {
    return this.act(msg);
  }

  private job(image: IndexedImage): ThumbJob {
    const uri = image.uri;
    return { id: image.id, rev: image.rev, source: uri.scheme === 'file' ? uri.fsPath : () => Promise.resolve(vscode.workspace.fs.readFile(uri)) };
  }

  private async loadMaker(): Promise<MakeThumbnail | undefined> {
    const engine = (await loadEngine()) as unknown as { makeThumbnail?: MakeThumbnail };
    if (typeof engine.makeThumbnail !== 'function') {
      if (!this.warnedNoMaker) this.log.error('gallery: the engine bundle has no makeThumbnail: thumbnails are off');
      this.warnedNoMaker = true;
      return undefined;
    }
    return engine.makeThumbnail;
  }

  // ---- actions -------------------------------------------------------------------------------

  private async act({ action, item }: GalleryActionMessage): Promise<ReplyBody<ToGallery>> {
    const t = vscode.l10n.t;
    const image = this.index.get(item);
    if (!image) return { error: t('{0} is no longer in the workspace.', item) };
    const uri = image.uri;
    switch (action) {
      case 'open':
        await vscode.commands.executeCommand('vscode.open', uri, { preview: true });
        return {};
      case 'reveal':
        await vscode.commands.executeCommand('revealInExplorer', uri);
        return {};
      case 'copyPath':
        await vscode.env.clipboard.writeText(image.id);
        return { notice: t('Copied {0}', image.id) };
      case 'insert':
        return await this.insert(image);
      case 'edit':
        await vscode.commands.executeCommand('pixelwright.editImage', uri, [uri]);
        return {};
      case 'variations':
        await vscode.commands.executeCommand('pixelwright.createVariations', uri, [uri]);
        return {};
      case 'runAgain':
        if (image.record.operation !== 'generate') return { error: t('Run Again repeats generations. For an edited image or a variation, use Edit with Mask or Create Variations.') };
        return this.runAgain(image);
      case 'details':
        return { details: details(image, this.feed.dates) };
      case 'showRecipe':
      case 'remix':
      case 'rework':
      case 'copyPrompt':
        return this.recipeAction(action, uri);
      case 'delete':
        return await this.delete(image);
    }
  }

  /**
   * Runs the image's recipe again: the recipe's Remake, which runs it through the pipeline with
   * `askFirst` (a file in the workspace may come from anyone). The pipeline's one question shows
   * what will run (the file, prompt, model, count, size, quality) and the estimate; nothing else asks.
   */
  private runAgain(image: IndexedImage): Record<string, never> {
    this.log.info(`gallery: run again of ${image.id}`);
    void vscode.commands.executeCommand('pixelwright.remake', image.uri);
    return {};
  }

  /** The recipe actions on a tile: the recipe commands, on this image. */
  private async recipeAction(action: 'showRecipe' | 'remix' | 'rework' | 'copyPrompt', uri: vscode.Uri): Promise<{ notice?: string }> {
    if (action === 'showRecipe') void vscode.commands.executeCommand('pixelwright.showRecipe', uri);
    else if (action === 'remix') void vscode.commands.executeCommand('pixelwright.remix', uri);
    else if (action === 'rework') await vscode.commands.executeCommand('pixelwright.rework', uri);
    else {
      await vscode.commands.executeCommand('pixelwright.copyPrompt', uri);
      return { notice: vscode.l10n.t('Prompt copied.') };
    }
    return {};
  }

  /** Inserts a reference to the image at each selection of the active text editor. */
  private async insert(image: IndexedImage): Promise<{ error?: string; notice?: string }> {
    const t = vscode.l10n.t;
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) return { error: t('Open a text editor first: the image is inserted where its cursor is.') };
    const doc = editor.document;
    const ref = referenceFor(image.uri, doc.uri, image.id.replace(/\\/g, '/'));
    const syntax = syntaxFor(doc.languageId);
    const link = imageLink(syntax, ref, altText(image.record.prompt, image.uri.path.slice(image.uri.path.lastIndexOf('/') + 1)));
    const ok = await editor.edit((e) => {
      for (const s of editor.selections) e.replace(s, placeLinks(syntax, [link], s, (n) => (n >= 0 && n < doc.lineCount ? doc.lineAt(n).text : undefined)));
    });
    if (!ok) return { error: t('{0} could not be changed.', baseName(doc.uri)) };
    await vscode.window.showTextDocument(doc, { viewColumn: editor.viewColumn, preserveFocus: false });
    return { notice: t('Inserted {0} into {1}', image.id, baseName(doc.uri)) };
  }

  /** Asks, then moves the file to the trash (or, when there is none and the user agrees, deletes it). */
  private async delete(image: IndexedImage): Promise<{ error?: string; notice?: string }> {
    const t = vscode.l10n.t;
    const name = baseName(image.uri);
    const toTrash = t('Move to Trash');
    const pick = await vscode.window.showWarningMessage(t('Delete {0}?', name), { modal: true, detail: t('{0} goes to the trash; you can restore it from there.', image.id) }, toTrash);
    if (pick !== toTrash) return {};
    try {
      await vscode.workspace.fs.delete(image.uri, { useTrash: true, recursive: false });
    } catch (err) {
      const forGood = t('Delete Permanently');
      const again = await vscode.window.showWarningMessage(
        t('{0} could not be moved to the trash. Delete it permanently?', name),
        { modal: true, detail: redactSecrets(errorText(err)) },
        forGood,
      );
      if (again !== forGood) return {};
      await vscode.workspace.fs.delete(image.uri, { useTrash: false, recursive: false });
    }
    await deleteSidecar(image.uri, this.log);
    this.index.forget(image.uri);
    this.log.info(`gallery: deleted ${image.id}`);
    return { notice: t('Deleted {0}', image.id) };
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function details(i: IndexedImage, dates: DateText): GalleryDetails {
  const r = i.record;
  const provider = [r.provider?.kind, r.provider?.deployment, r.provider?.baseUrl].filter((s): s is string => typeof s === 'string' && s !== '').join(' · ');
  const options: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(r.options ?? {})) if (['string', 'number', 'boolean'].includes(typeof v)) options[k] = v;
  return {
    id: i.id,
    prompt: r.prompt,
    revisedPrompt: typeof r.revisedPrompt === 'string' ? r.revisedPrompt : undefined,
    model: r.model,
    operation: String(r.operation ?? 'generate'),
    createdAt: typeof r.createdAt === 'string' ? r.createdAt : '',
    when: dates.text(r.createdAt),
    options,
    sources: Array.isArray(r.sources) ? r.sources.filter((s): s is string => typeof s === 'string') : undefined,
    provider,
    tool: typeof r.tool === 'string' ? r.tool : undefined,
    truncated: Array.isArray(r.truncated) ? r.truncated.map(String) : undefined,
    width: i.width,
    height: i.height,
    bytes: i.size,
  };
}

/**
 * Every string the webview shows, localized, keyed by its English text (the webview falls back to
 * the key). test/unit/house/webviewStrings.test.ts checks that every s('...') in src/webview/gallery has
 * its entry here.
 */
const UI_STRINGS = [
  'Open',
  'Reveal in Explorer',
  'Copy Path',
  'Insert into Editor',
  'Edit with Mask…',
  'Create Variations…',
  'Run Again',
  'Show Recipe',
  'Remix…',
  'Rework…',
  'Copy Prompt',
  'Show Prompt and Settings',
  'Delete…',
  '1 image',
  '{0} images',
  '{0} of {1} images',
  'Actions for {0}',
  'Arrow keys move between images, Enter opens one, Shift+F10 or the Menu key lists its actions.',
  'Close',
  'Created',
  'File',
  'Filter',
  'Search: words, model:, op:edit, after:2026-01-01, before:, on:2026-05',
  'Images Pixelwright made',
  'Looking for images…',
  'Model',
  'More actions',
  'No image matches the filter.',
  'No images yet. The images Pixelwright makes in this workspace appear here, newest first.',
  'No preview',
  'Open a folder to see the images Pixelwright made in it.',
  'Operation',
  'Options',
  'Prompt',
  'Prompt and settings',
  'Provider',
  'Revised prompt (by the model)',
  'Shortened to fit the file: {0}',
  'Sources',
  'Tool',
  'edit',
  'generation',
  'variation',
  '{0} × {1} px, {2}',
  '{0}, {1}, {2}',
] as const;

export function uiStrings(): Record<string, string> {
  return localizeAll(UI_STRINGS);
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
}

/** An error in the user's words: a message id from core translated, else the error's own message. */
function errorText(err: unknown): string {
  return errorMessage(err);
}

