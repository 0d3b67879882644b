/**
 * The mask editor panel: a webview where the user paints over the part of an image to change,
 * describes the new picture, and compares, keeps or discards the results (or makes variations).
 *
 * The panel answers the webview's messages (the plumbing, and the check of every message by
 * parseFromMaskEditor, is the webview base's: src/host/webview/base.ts); an EditBackend does the
 * work (API, preparation, workspace writes).
 *
 * retainContextWhenHidden is on, deliberately: the painted mask (at the image's full
 * resolution) and its undo history live only in the webview, and are the user's unfinished work.
 * Rebuilding them after every tab switch would mean sending the whole mask to the host after
 * every stroke. A reload (e.g. "Developer: Reload Webviews") still recovers: the webview says
 * `ready` again and gets the current image, the options, the results still held and the run in
 * flight; only the painting is lost then.
 */
import * as vscode from 'vscode';
import { redactSecrets } from '../../core/errors';
import { errorMessage } from '../platform/messages';
import type { Logger } from '../../core/log';
import {
  parseFromMaskEditor,
  type EditOptions,
  type FromMaskEditor,
  type InitMessage,
  type RemoveReferenceMessage,
  type ResultActionMessage,
  type ResultImage,
  type RunMessage,
  type ToMaskEditor,
} from '../../shared/editProtocol';
import { fitEditOptions } from '../../shared/modelRules';
import type { EditBackend } from './session';
import { WebviewBase } from '../webview/base';
import type { NoticeOf, ReplyBody, RequestOf } from '../webview/channel';
import { localizeAll } from '../webview/strings';

type Operation = 'edit' | 'variation';

/** What every editor panel shares: the backend, the log, and the open panels (one per image and operation). */
export interface EditPanelDeps {
  readonly context: vscode.ExtensionContext;
  readonly backend: EditBackend;
  readonly log: Logger;
  /** Owned by the edit feature (editOpener), never static. */
  readonly panels: Map<string, MaskEditorPanel>;
}

/** Where a new editor starts (a Rework from a recipe): the prompt and options, fitted to the model when shown. */
export interface EditPreset {
  readonly prompt: string;
  readonly options: Partial<EditOptions>;
}

function panelKey(source: vscode.Uri, operation: Operation): string {
  return `${operation}:${source.toString()}`;
}

/** Masks larger than this are refused (a 16k x 16k PNG of a busy mask stays far below it). */
const MAX_MASK_BYTES = 64 * 1024 * 1024;
const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp'];

type Reply = ReplyBody<ToMaskEditor>;

export class MaskEditorPanel extends WebviewBase<ToMaskEditor, FromMaskEditor> {
  static readonly viewType = 'pixelwright.maskEditor';
  /**
   * Opens the editor for an image, or reveals the one already open for it (and this operation).
   * `references` are extra images for GPT image edits.
   */
  static open(deps: EditPanelDeps, source: vscode.Uri, operation: Operation, references: vscode.Uri[] = [], preset?: EditPreset): MaskEditorPanel {
    const existing = deps.panels.get(panelKey(source, operation));
    if (existing) {
      existing.addReferences(references);
      existing.panel.reveal();
      // An open editor keeps its painting and its form: the preset is not forced on it.
      if (preset) void vscode.window.showInformationMessage(vscode.l10n.t('The editor of {0} is already open: its settings were kept.', baseName(source)));
      return existing;
    }
    const panel = new MaskEditorPanel(deps, source, operation, references);
    if (preset) {
      panel.lastPrompt = preset.prompt;
      panel.preset = preset.options;
    }
    return panel;
  }

  private readonly panel: vscode.WebviewPanel;
  private source: vscode.Uri;
  private readonly references: vscode.Uri[] = [];
  /** The results the backend holds for this panel, by id: re-sent after a reload, and the only ids accepted back. */
  private readonly held = new Map<string, ResultImage>();
  private running: { id: number; cts: vscode.CancellationTokenSource; progress?: ToMaskEditor } | undefined;
  private lastPrompt: string | undefined;
  private lastOptions: EditOptions | undefined;
  /** The options a Rework starts from, fitted to the model when the page first loads. */
  private preset: Partial<EditOptions> | undefined;
  private initSeq = 0;
  private closed = false;

  private readonly backend: EditBackend;
  private readonly panels: Map<string, MaskEditorPanel>;

  private constructor(
    deps: EditPanelDeps,
    source: vscode.Uri,
    private readonly operation: Operation,
    references: vscode.Uri[],
  ) {
    super(deps.context.extensionUri, deps.log, { name: 'edit', label: 'mask editor', parse: parseFromMaskEditor, imageSources: ['blob:', 'data:'], retainContextWhenHidden: true });
    ({ backend: this.backend, panels: this.panels } = deps);
    this.source = source;
    this.addReferences(references);
    this.allowFolder(parentOf(source));
    this.panel = this._register(
      vscode.window.createWebviewPanel(
        MaskEditorPanel.viewType,
        this.title(),
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        { ...this.webviewOptions, retainContextWhenHidden: true },
      ),
    );
    this.panels.set(panelKey(source, operation), this);
    this._register({ dispose: () => this.forget() });
    // Closing the panel cancels the run in flight.
    this._register({ dispose: () => this.running?.cts.cancel() });
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this.attach(this.panel, { title: this.title(), loading: vscode.l10n.t('Loading the image…') });
  }

  override dispose(): void {
    if (!this.closed) this.offerUnsaved();
    this.closed = true;
    super.dispose();
  }

  /**
   * Paid results the user neither kept nor discarded are never lost silently: when the editor
   * closes with some held, the user is offered to save them (dismissing discards them).
   */
  private offerUnsaved(): void {
    const ids = [...this.held.keys()].filter((id) => !this.backend.isKept(id));
    if (!ids.length) return;
    const t = vscode.l10n.t;
    const backend = this.backend;
    const name = baseName(this.source);
    const save = t('Save All');
    const discard = t('Discard');
    const text = ids.length === 1 ? t('The editor of {0} closed with 1 result not saved.', name) : t('The editor of {0} closed with {1} results not saved.', name, ids.length);
    void vscode.window.showWarningMessage(text, save, discard).then(async (choice) => {
      if (choice !== save) {
        for (const id of ids) backend.discard(id);
        return;
      }
      const saved: vscode.Uri[] = [];
      for (const id of ids) {
        try {
          saved.push(await backend.keep(id));
        } catch (err) {
          void vscode.window.showErrorMessage(t('Pixelwright could not save a result: {0}', redactSecrets(errorText(err))));
        }
      }
      if (!saved.length) return;
      const reveal = t('Reveal in Explorer');
      const paths = saved.map((u) => vscode.workspace.asRelativePath(u, false)).join(', ');
      const pick = await vscode.window.showInformationMessage(t('Saved: {0}', paths), reveal);
      if (pick === reveal) await vscode.commands.executeCommand('revealInExplorer', saved[0]);
    });
  }

  private forget(): void {
    const key = panelKey(this.source, this.operation);
    if (this.panels.get(key) === this) this.panels.delete(key);
  }

  private title(): string {
    const name = baseName(this.source);
    return this.operation === 'edit' ? vscode.l10n.t('Edit: {0}', name) : vscode.l10n.t('Variations: {0}', name);
  }

  private addReferences(uris: readonly vscode.Uri[]): void {
    for (const u of uris) {
      if (u.toString() !== this.source.toString() && !this.references.some((r) => r.toString() === u.toString())) this.references.push(u);
    }
  }

  // ---- messages ------------------------------------------------------------------------------

  protected override async onMessage(msg: NoticeOf<FromMaskEditor>): Promise<void> {
    switch (msg.type) {
      case 'run':
        return await this.run(msg);
      case 'cancel':
        if (this.running?.id === msg.runId) this.running.cts.cancel();
        return;
    }
  }

  protected override async onRequest(msg: RequestOf<FromMaskEditor>): Promise<Reply> {
    switch (msg.type) {
      case 'keep':
      case 'discard':
      case 'useAsInput':
        return await this.resultAction(msg);
      case 'addReference':
        return await this.addReference();
      case 'removeReference':
        return this.removeReference(msg);
    }
  }

  private async describe(uri: vscode.Uri): Promise<InitMessage['image']> {
    const { width, height, hasAlpha } = await this.backend.describe(uri);
    return { src: this.panel.webview.asWebviewUri(uri).toString(), name: baseName(uri), width, height, hasAlpha };
  }

  /** Sends everything the webview shows; again whenever it (re)loads. */
  protected override async sendState(): Promise<void> {
    const seq = ++this.initSeq;
    let image: InitMessage['image'];
    try {
      image = await this.describe(this.source);
    } catch (err) {
      if (this.closed) return;
      void vscode.window.showErrorMessage(vscode.l10n.t('Pixelwright cannot open {0}: {1}', baseName(this.source), errorText(err)));
      this.panel.dispose();
      return;
    }
    if (seq !== this.initSeq || this.closed) return;
    const choices = this.backend.choices(this.operation);
    if (!choices.models.length) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pixelwright: no configured model can do this.'));
      this.panel.dispose();
      return;
    }
    if (this.preset && !this.lastOptions) {
      // A Rework: the recipe's options fitted to its model, when that model is offered here.
      const m = choices.models.find((x) => x.id === this.preset!.model);
      if (m) this.lastOptions = fitEditOptions(m, this.preset, this.preset.keepUnmasked ?? choices.options.keepUnmasked);
      this.preset = undefined;
    }
    const last = this.lastOptions && choices.models.some((m) => m.id === this.lastOptions!.model) ? this.lastOptions : undefined;
    await this.post({
      type: 'init',
      operation: this.operation,
      image,
      references: this.references.map((u) => vscode.workspace.asRelativePath(u, false)),
      models: choices.models,
      options: last ?? choices.options,
      prompt: this.lastPrompt ?? choices.prompt,
      strings: uiStrings(),
    });
    // After a reload: the results still held, and where the run in flight is.
    if (this.held.size) await this.post({ type: 'runFinished', runId: 0, results: [...this.held.values()] });
    if (this.running?.progress) await this.post(this.running.progress);
  }

  private async run(msg: RunMessage): Promise<void> {
    if (this.running) {
      await this.post({ type: 'runFinished', runId: msg.runId, results: [], error: vscode.l10n.t('A run is already in progress: wait for it, or cancel it.') });
      return;
    }
    if (msg.mask && (this.operation !== 'edit' || msg.mask.byteLength > MAX_MASK_BYTES)) {
      this.log.warn(`mask editor: refused a mask of ${msg.mask.byteLength} bytes for ${this.operation}`);
      await this.post({ type: 'runFinished', runId: msg.runId, results: [], error: vscode.l10n.t('The painted mask could not be used.') });
      return;
    }
    if (msg.guide && (this.operation !== 'edit' || msg.guide.byteLength > MAX_MASK_BYTES)) {
      this.log.warn(`mask editor: refused a guide of ${msg.guide.byteLength} bytes for ${this.operation}`);
      await this.post({ type: 'runFinished', runId: msg.runId, results: [], error: vscode.l10n.t('The drawn guide could not be used.') });
      return;
    }
    const cts = new vscode.CancellationTokenSource();
    const running: NonNullable<MaskEditorPanel['running']> = { id: msg.runId, cts };
    this.running = running;
    this.lastPrompt = msg.prompt;
    this.lastOptions = msg.options;
    try {
      const outcome = await this.backend.run(
        { operation: this.operation, source: this.source, references: [...this.references], prompt: msg.prompt, options: msg.options, mask: msg.mask, guide: msg.guide },
        cts.token,
        (message, done, total) => {
          running.progress = { type: 'progress', runId: msg.runId, message, done, total };
          void this.post(running.progress);
        },
      );
      for (const r of outcome.results) this.held.set(r.id, r);
      await this.post({ type: 'runFinished', runId: msg.runId, results: outcome.results, error: outcome.error, cancelled: outcome.cancelled, notice: outcome.notice });
    } catch (err) {
      const cancelled = cts.token.isCancellationRequested;
      if (!cancelled) this.log.error(`mask editor: ${this.operation} failed: ${redactSecrets(errorText(err))}`);
      await this.post({ type: 'runFinished', runId: msg.runId, results: [], error: cancelled ? undefined : redactSecrets(errorText(err)), cancelled });
    } finally {
      cts.dispose();
      if (this.running === running) this.running = undefined;
    }
  }

  private async resultAction(msg: ResultActionMessage): Promise<Reply> {
    if (!this.held.has(msg.resultId)) return { error: vscode.l10n.t('This result is no longer available.') };
    switch (msg.type) {
      case 'keep': {
        const uri = await this.backend.keep(msg.resultId);
        return { path: vscode.workspace.asRelativePath(uri, false) };
      }
      case 'discard':
        this.backend.discard(msg.resultId);
        this.held.delete(msg.resultId);
        return {};
      case 'useAsInput': {
        const uri = await this.backend.materialize(msg.resultId);
        await this.replaceSource(uri);
        return { path: vscode.workspace.asRelativePath(uri, false) };
      }
    }
  }

  /** "Use as input": the editor starts over on `uri`. */
  private async replaceSource(uri: vscode.Uri): Promise<void> {
    const image = await this.describeAllowing(uri);
    this.forget();
    this.source = uri;
    const key = panelKey(uri, this.operation);
    if (!this.panels.has(key)) this.panels.set(key, this);
    this.panel.title = this.title();
    await this.post({ type: 'replaceImage', image });
  }

  /** Describes an image, first letting the webview load from its folder (may reload the webview). */
  private async describeAllowing(uri: vscode.Uri): Promise<InitMessage['image']> {
    this.allowFolder(parentOf(uri));
    return this.describe(uri);
  }

  private async addReference(): Promise<Reply> {
    const t = vscode.l10n.t;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      canSelectFolders: false,
      title: t('Add a reference image'),
      openLabel: t('Add Reference'),
      filters: { [t('Images')]: IMAGE_EXTENSIONS },
      defaultUri: vscode.workspace.getWorkspaceFolder(this.source)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    const uri = picked?.[0];
    if (!uri) return {};
    const name = baseName(uri);
    if (!vscode.workspace.getWorkspaceFolder(uri)) return { error: t('{0} is outside the workspace: pick an image inside it.', name) };
    if (!IMAGE_EXTENSIONS.includes(name.slice(name.lastIndexOf('.') + 1).toLowerCase())) return { error: t('{0} is not a PNG, JPEG or WebP image.', name) };
    if (uri.toString() === this.source.toString() || this.references.some((r) => r.toString() === uri.toString())) {
      return { error: t('{0} is already used.', name) };
    }
    this.references.push(uri);
    return { path: vscode.workspace.asRelativePath(uri, false) };
  }

  private removeReference(msg: RemoveReferenceMessage): Reply {
    const i = this.references.findIndex((u) => vscode.workspace.asRelativePath(u, false) === msg.path);
    if (i < 0) return { error: vscode.l10n.t('This reference is no longer used.') };
    this.references.splice(i, 1);
    return { path: msg.path };
  }
}

// ---- helpers ---------------------------------------------------------------------------------

/**
 * Every string the webview shows, localized, keyed by its English text (the webview falls back to
 * the key). test/unit/house/webviewStrings.test.ts checks that every s('...') in
 * src/webview/edit has its entry here.
 */
const UI_STRINGS = [
  '1 result: compare it with the original below.',
  'Actual size (100%)',
  'Add reference image…',
  'Arrow keys',
  'Back to the mask',
  'Back to the mask (Escape)',
  'Background',
  'Brush',
  'Brush / eraser',
  'Brush size',
  'Cancel',
  'Cancelled.',
  'Cancelling…',
  'Clear mask',
  'Compare mode',
  'Compare with the original',
  'Compare {0} with the original',
  'Create variations',
  'Crop (the centre square is sent)',
  'Describe the picture you want first.',
  'Describe the whole new picture',
  'Discard',
  'Discard {0}',
  'Edit',
  'Edit: {0}',
  'Eraser',
  'File format',
  'Fit to view',
  'Guidance (optional)',
  'High keeps faces, logos and fine detail of the input closer.',
  'Complexity',
  'How much the model plans the image, apart from its quality.',
  'medium',
  'Images',
  'Input fidelity',
  'Invert mask',
  'Keep',
  'Keep unmasked pixels',
  'Keep {0}',
  'Kept',
  'Keyboard and mouse',
  'Keyboard shortcuts',
  'Make it square',
  'Mask over {0}',
  'Mask tools',
  'Model',
  'Nothing painted: the whole picture may change.',
  'Now editing {0}. Paint the next change.',
  'Opening…',
  'Original',
  'Other images the model may draw from (people, products, styles).',
  'Outside the painted area, results keep the original pixels exactly.',
  'Pad (the whole image is sent)',
  'Paint over what should change, then describe the entire image as it should look, not only the painted part.',
  'Painted: {0} of the image',
  'Pan',
  'Preparing the mask…',
  'Prompt and options',
  'Quality',
  'Redo',
  'Reference images',
  'Remove {0}',
  'Result {0}',
  'Results',
  'Results appear here. Select one to compare it with the original.',
  'Saved as {0}',
  'Saving…',
  'Sending…',
  'Show mask',
  'Show or hide the mask',
  'Side by side',
  'Size',
  'Smaller / larger brush',
  'Space+drag, middle drag',
  'Swap brush and eraser',
  'Swipe',
  'Swipe between the original (left) and the result (right)',
  'The image could not be shown.',
  'Tool',
  'Undo',
  'Use as input',
  'Use {0} as input',
  'Variations keep the subject and style; add words to steer them.',
  'Variations: {0}',
  'View',
  'Wheel, + / -',
  'Zoom',
  'Zoom in',
  'Zoom level',
  'Zoom out',
  'Arrow',
  'Black',
  'Blue',
  'Box',
  'Clear guide',
  'Colour',
  'Draw a guide',
  'Draw arrows, outlines and marks over the image, then describe the entire image as it should look.',
  'Draw arrows, outlines and marks that guide the edit',
  'Ellipse',
  'Green',
  'Guide',
  'Guide over {0}',
  'Guide tools',
  'Guide: drawn over {0} of the image',
  'Guide: pen, arrow, box, ellipse',
  'Layer',
  'Mask',
  'Mask / guide layer',
  'Nothing drawn on the guide yet.',
  'Nothing is drawn on the guide: draw on it, or use the mask.',
  'Only the guide is sent; the painted mask is kept for later.',
  'Only the mask is sent; the guide is kept for later.',
  'Paint where to edit',
  'Pen',
  'Preparing the guide…',
  'Red',
  'Switch to {0}',
  'Use the mask',
  'White',
  'Yellow',
  '{0} also takes a guide: arrows, outlines and marks drawn over the image.',
  '{0} takes a mask, not a guide: guides are for GPT Image 2.5 models.',
  '{0} takes the guide instead of a mask: only the guide is sent.',
  'auto',
  'default',
  'has transparency',
  'high',
  'low',
  'opaque',
  'transparent',
  '{0} accepts at most {1} characters; this prompt has {2}.',
  '{0} and the original',
  '{0} takes no reference images: they are not sent.',
  '{0} takes at most {1} reference images: the others are not sent.',
  '{0} makes variations without a prompt.',
  '{0} pixels',
  '{0} results: compare them with the original below.',
  '{0} takes square images only.',
  '{0} to run',
  '{0}: paint over the area to change',
] as const;

function uiStrings(): Record<string, string> {
  return localizeAll(UI_STRINGS);
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
}

function parentOf(u: vscode.Uri): vscode.Uri {
  return u.with({ path: u.path.replace(/\/[^/]*$/, '') || '/' });
}

/** An error in the user's words (a preparation refusal translated). */
function errorText(err: unknown): string {
  return errorMessage(err);
}

