/**
 * The run pipeline: the one way a request becomes images in the workspace, whatever asked for it
 * (the palette, the Studio, the Gallery's Run Again; later agents, editor commands and the asset
 * manifest). Validation against the model (a clear refusal before any network call), the output
 * folder, the key, the engine with progress and cancel, the recipe embedded, the files written
 * (unique names, never overwriting), then the observer; errors through one helper with the
 * entry point's own actions (edit the prompt, pick another model, retry).
 */
import * as vscode from 'vscode';
import type { PartialImage, RunStatus } from '../../core/engine';
import { classifyError, type ErrorInfo } from '../../core/errors';
import { embedRecord } from '../../core/metadata';
import { ModelTable, type ModelCapabilities } from '../../core/models';
import { imageFileName } from '../../core/naming';
import type { GenerationRecord } from '../../core/record';
import { requestOptions, validateRequest, type ImageRequest } from '../../core/request';
import { loadEngine } from '../platform/engineLoader';
import { describeError, showError } from '../platform/errors';
import { Disposable } from '../platform/lifecycle';
import type { Log } from '../platform/log';
import { providerConfig, providerRecord } from '../platform/provider';
import { ApiKeyStore } from '../platform/secrets';
import { openSettings, readSettings, type PixelwrightSettings } from '../platform/settings';
import { OutputFolderError, outputFolderUri, writeAsset } from './assets';
import type { RunHistory } from './history';

/** One image of a run, as an observer sees it. */
export interface ImageProgress {
  readonly index: number;
  /** requesting / waiting (a rate limit or overload is waited out) / received (not saved yet) / failed. */
  readonly state: 'requesting' | 'waiting' | 'received' | 'failed';
  /** Why it failed, in the user's words. */
  readonly error?: string;
}

/** How a run ended, for an observer. */
export interface RunEnd {
  readonly written: readonly vscode.Uri[];
  /** Cancelled (nothing was saved). */
  readonly cancelled: boolean;
  /** What went wrong (all or some images), in the user's words. */
  readonly error?: string;
  readonly failed: number;
}

/** A caller that shows the run itself (the Studio). Every member is optional. */
export interface RunObserver {
  /** Cancels the run like the notification's Cancel (nothing is saved). */
  readonly token?: vscode.CancellationToken;
  /** Where VS Code shows the progress; a notification with Cancel when absent. */
  readonly progressLocation?: vscode.ProgressLocation | { readonly viewId: string };
  /** Partial images of streaming models: setting this makes them stream. */
  onPartial?(partial: PartialImage): void;
  onImageState?(state: ImageProgress): void;
  /** The status line the notification shows. */
  onStatus?(message: string): void;
  /** Each image once written, with the bytes written (for thumbnails). */
  onSaved?(saved: { readonly index: number; readonly uri: vscode.Uri; readonly bytes: Uint8Array; readonly format: string }): void;
  /** Always called once, however the run ends (also when refused before any request). */
  onDone?(end: RunEnd): void;
}

/** How an entry point runs a request: where the files go, who watches, what an error's buttons do. */
export interface RunOptions {
  /** The output folder setting for this run (the configured one when absent). */
  readonly outputFolder?: string;
  /** Leave the written files closed (the Studio shows them itself). */
  readonly noOpen?: boolean;
  readonly observer?: RunObserver;
  /** An error's buttons: each entry point knows how to edit its prompt, pick a model, or retry so that it shows. */
  readonly actions?: { readonly editPrompt?: () => unknown; readonly pickModel?: () => unknown; readonly retry?: () => unknown };
}

export class RunPipeline extends Disposable {
  private readonly status = this._register(vscode.window.createStatusBarItem('pixelwright.status', vscode.StatusBarAlignment.Left, 10));
  private running = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly keys: ApiKeyStore,
    private readonly history: RunHistory,
  ) {
    super();
    this.status.name = 'Pixelwright';
    this.status.command = 'pixelwright.showLog';
  }

  /**
   * Runs a request with progress, writes what came back, opens or reveals it. The palette and
   * the Studio both come here; an `observer` (the Studio) also sees partial images, each image's
   * state and the files written, and its token cancels like the notification's Cancel button.
   * A cancelled run saves nothing.
   */
  async run(req: ImageRequest, caps: ModelCapabilities, settings: PixelwrightSettings, opts: RunOptions = {}): Promise<vscode.Uri[]> {
    const t = vscode.l10n.t;
    const observer = opts.observer ?? {};
    const ctx = this.errorContext(settings, req, opts);
    const end = (o: Partial<RunEnd> = {}) => observer.onDone?.({ written: [], cancelled: false, failed: 0, ...o });
    const fail = (info: ErrorInfo) => end({ error: describeError(info, ctx).message, failed: req.n });
    try {
      validateRequest(req, caps);
    } catch (err) {
      const info = classifyError(err);
      // "Edit Prompt" on a prompt refusal reopens the palette with this prompt in the box.
      if (info.param === 'prompt') await this.history.keepDraft(req.prompt);
      void showError(info, ctx);
      fail(info);
      return [];
    }
    let folder: vscode.Uri | undefined;
    try {
      folder = await this.targetFolder(opts.outputFolder ?? settings.outputFolder);
    } catch (err) {
      if (err instanceof OutputFolderError) {
        void vscode.window.showErrorMessage(`Pixelwright: ${err.message}`, t('Open Settings')).then((a) => a && openSettings('outputFolder'));
        end({ error: err.message, failed: req.n });
        return [];
      }
      throw err;
    }
    if (!folder) {
      end({ cancelled: true });
      return [];
    }
    const apiKey = await this.keys.getOrAsk(settings);
    if (!apiKey) {
      const said = t('Pixelwright: no API key was given, so nothing was generated.');
      void vscode.window.showInformationMessage(said);
      end({ error: said, failed: req.n });
      return [];
    }
    if (observer.token?.isCancellationRequested) {
      end({ cancelled: true });
      return [];
    }

    const what = req.n === 1 ? t('Generating an image with {0}', req.model) : t('Generating {0} images with {1}', req.n, req.model);
    this.setBusy(+1, what);
    const written: vscode.Uri[] = [];
    let failures: ErrorInfo[] = [];
    let cancelled = false;
    const location = observer.progressLocation ?? vscode.ProgressLocation.Notification;
    try {
      await vscode.window.withProgress({ location, title: 'Pixelwright', cancellable: location === vscode.ProgressLocation.Notification }, async (progress, token) => {
        const abort = new AbortController();
        const subs = [token.onCancellationRequested(() => abort.abort())];
        if (observer.token) subs.push(observer.token.onCancellationRequested(() => abort.abort()));
        const isCancelled = () => abort.signal.aborted;
        let reported = 0;
        const report = (message: string, done = reported) => {
          progress.report({ message, increment: ((done - reported) / req.n) * 100 });
          reported = done;
          this.status.text = `$(loading~spin) ${message}`;
          observer.onStatus?.(message);
        };
        try {
          report(t('Preparing…'));
          const engine = await loadEngine();
          const started = Date.now();
          this.log.info(`${what}: ${settings.provider}, ${JSON.stringify(requestOptions(req))}`);
          report(`${what}…`);
          const outcome = await engine.runImageRequest(providerConfig(settings, apiKey), req, caps, {
            signal: abort.signal,
            concurrency: settings.maxConcurrentRequests,
            maxWaitMs: settings.rateLimitMaxWaitSeconds * 1000,
            log: this.log,
            onStatus: (s) => report(statusText(s, what), s.done),
            onPartial: observer.onPartial && ((p) => !isCancelled() && observer.onPartial!(p)),
            onImageState: observer.onImageState && ((s) => observer.onImageState!({ index: s.index, state: s.state, error: s.error && describeError(s.error, ctx).message })),
            onImage: observer.onImageState && ((image) => observer.onImageState!({ index: image.index, state: 'received' })),
          });
          if (isCancelled()) {
            cancelled = true;
            return;
          }
          failures = outcome.failures;
          if (outcome.images.length) report(t('Saving…'), reported);
          const createdAt = new Date();
          for (const image of outcome.images) {
            if (isCancelled()) break;
            const record: GenerationRecord = {
              v: 1,
              operation: req.operation,
              prompt: req.prompt,
              revisedPrompt: image.revisedPrompt,
              model: req.model,
              options: requestOptions(req),
              provider: providerRecord(settings),
              createdAt: createdAt.toISOString(),
              requestId: image.requestId,
              index: image.index,
              count: req.n,
              tool: `Pixelwright ${this.context.extension.packageJSON.version ?? ''}`.trim(),
            };
            const name = imageFileName({ prompt: req.prompt, time: createdAt, index: image.index, count: req.n, format: image.format });
            written.push(await writeAsset(folder!, name, embedRecord(image.bytes, record)));
          }
          if (isCancelled()) {
            // Cancelled while saving: take back what this run wrote, so a cancelled run leaves nothing.
            for (const f of written.splice(0)) await vscode.workspace.fs.delete(f, { useTrash: false }).then(undefined, () => undefined);
            cancelled = true;
            return;
          }
          outcome.images.forEach((image, i) => observer.onSaved?.({ index: image.index, uri: written[i], bytes: image.bytes, format: image.format }));
          this.log.info(`${what}: ${written.length} of ${req.n} saved in ${Date.now() - started} ms to ${folder!.toString(true)}`);
        } finally {
          for (const sub of subs) sub.dispose();
        }
      });
    } catch (err) {
      const info = classifyError(err, [apiKey]);
      if (info.kind === 'cancelled') {
        this.log.info(`${what}: cancelled, nothing saved`);
        end({ cancelled: true });
        return written;
      }
      this.log.error(`${what}: ${info.kind} ${info.serverMessage ?? ''}`);
      if (info.kind === 'content-policy') await this.history.keepDraft(req.prompt);
      void showError(info, ctx);
      end({ written, error: describeError(info, ctx).message, failed: req.n - written.length });
      return written;
    } finally {
      this.setBusy(-1);
    }
    if (cancelled) {
      this.log.info(`${what}: cancelled, nothing saved`);
      end({ cancelled: true });
      return [];
    }

    if (written.length && !opts.noOpen) await this.present(written, settings);
    let error: string | undefined;
    if (failures.length) {
      error = describeError(failures[0], ctx).message;
      if (written.length === 0) {
        const first = failures[0];
        if (first.kind === 'content-policy') await this.history.keepDraft(req.prompt);
        void showError(first, ctx);
      } else {
        void vscode.window
          .showWarningMessage(t('Pixelwright: saved {0} of {1} images; the rest failed: {2}', written.length, req.n, error), t('Show Log'))
          .then((a) => a && this.log.show());
      }
    } else if (written.length) {
      await this.history.keepDraft(undefined);
    }
    end({ written, error, failed: req.n - written.length });
    return written;
  }

  /** What an error's buttons do for a run: the entry point's own actions, else a plain retry. */
  errorContext(settings: PixelwrightSettings, req?: ImageRequest, opts: RunOptions = {}) {
    return {
      settings,
      onShowLog: () => this.log.show(),
      onOpenSettings: (key?: string) => openSettings(key),
      onSetKey: () => this.keys.ask(settings),
      onEditPrompt: opts.actions?.editPrompt,
      onPickModel: opts.actions?.pickModel,
      onRetry: req ? (opts.actions?.retry ?? (() => this.run(req, new ModelTable(settings.customModels).get(req.model)!, readSettings(), { ...opts, observer: undefined }))) : undefined,
    };
  }

  /** The output folder under the workspace; with no folder open, asks where to save. */
  private async targetFolder(setting: string): Promise<vscode.Uri | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const active = vscode.window.activeTextEditor?.document.uri;
    const root = (active && vscode.workspace.getWorkspaceFolder(active)?.uri) ?? folders[0]?.uri;
    if (root) return outputFolderUri(root, setting);
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: vscode.l10n.t('Save Images Here'),
      title: vscode.l10n.t('No folder is open: where should Pixelwright save the images?'),
    });
    return picked?.[0];
  }

  private async present(files: vscode.Uri[], settings: PixelwrightSettings): Promise<void> {
    const mode = settings.openResults === 'auto' ? (files.length === 1 ? 'open' : 'reveal') : settings.openResults;
    if (mode === 'open') {
      for (const f of files) await vscode.commands.executeCommand('vscode.open', f, { preview: files.length === 1 });
    } else if (mode === 'reveal') {
      await vscode.commands.executeCommand('revealInExplorer', files[0]).then(undefined, () => undefined);
      const open = vscode.l10n.t('Open');
      const where = vscode.workspace.asRelativePath(files[0].with({ path: files[0].path.replace(/\/[^/]*$/, '') }));
      const said = files.length === 1 ? vscode.l10n.t('Pixelwright: the image was saved to {0}.', where) : vscode.l10n.t('Pixelwright: {0} images saved to {1}.', files.length, where);
      void vscode.window.showInformationMessage(said, open).then((a) => {
        if (a === open) for (const f of files) void vscode.commands.executeCommand('vscode.open', f, { preview: false });
      });
    }
  }

  private setBusy(delta: number, text?: string): void {
    this.running += delta;
    if (text) this.status.text = `$(loading~spin) ${text}…`;
    this.status.tooltip = vscode.l10n.t('Pixelwright is working. Click to show the log.');
    if (this.running > 0) this.status.show();
    else this.status.hide();
  }
}

function statusText(s: RunStatus, what: string): string {
  const t = vscode.l10n.t;
  switch (s.phase) {
    case 'requesting':
      return s.total > 1 ? t('{0}: {1} of {2} done', what, s.done, s.total) : `${what}…`;
    case 'downloading':
      return t('Downloading the result…');
    case 'waiting':
      return s.reason === 'rate-limit'
        ? t('Rate limited: waiting {0} s before trying again ({1} of {2} done)', s.seconds, s.done, s.total)
        : t('The server is busy: waiting {0} s before trying again ({1} of {2} done)', s.seconds, s.done, s.total);
  }
}
