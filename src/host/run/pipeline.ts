/**
 * The run pipeline: the one way a request becomes images in the workspace, whatever asked for it
 * (the palette, the Studio, the mask editor, the Gallery's Run Again; later agents, editor
 * commands and the asset manifest). Validation against the model (a clear refusal before any
 * network call), the output folder, the key, preparation of the source images (edits and
 * variations), the engine with progress and cancel, the kept pixels pasted back, the recipe
 * embedded, the files written (unique names, never overwriting), then the observer; errors
 * through one helper with the entry point's own actions (edit the prompt, pick another model,
 * retry). The mask editor asks to hold the results instead of writing them: it writes the ones
 * the user keeps through `save`, the same writer.
 */
import * as vscode from 'vscode';
import { checkRunRequest } from '../../core/apiRequest';
import type { PartialImage, RunStatus } from '../../core/engine';
import { classifyError, type ErrorInfo } from '../../core/errors';
import { embedRecord } from '../../core/metadata';
import type { ModelCapabilities } from '../../core/models';
import type { PrepareError } from '../../core/prepare';
import { requestOptions } from '../../core/request';
import type { MadeImage, RunRequestOf, RunSourcesOf, SourceFile } from '../../core/run';
import { loadEngine } from '../platform/engineLoader';
import { describeError, showError } from '../platform/errors';
import { Disposable } from '../platform/lifecycle';
import type { Log } from '../platform/log';
import { providerConfig, providerRecord } from '../../core/provider';
import { ApiKeyStore } from '../platform/secrets';
import { modelTable, openSettings, readSettings, type PixelwrightSettings } from '../platform/settings';
import { OutputFolderError, outputFolderUri, writeAsset } from './assets';
import type { RunHistory } from './history';

/** Edits and variations start from files in the workspace: the pipeline reads and prepares them. */
export type RunSources = RunSourcesOf<vscode.Uri>;

/**
 * What an entry point asks for: the options of an ImageRequest (the pipeline fills in the
 * prepared input images), and for edits and variations the files they start from. A variation
 * keeps the user's own prompt (possibly empty); the pipeline turns it into what the model takes.
 */
export type RunRequest = RunRequestOf<vscode.Uri>;

export type { MadeImage };

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
  /** Something the user should know about the results (kept pixels not exact, say). */
  readonly notice?: string;
}

/** A caller that shows the run itself (the Studio, the mask editor). Every member is optional. */
export interface RunObserver {
  /** Cancels the run like the notification's Cancel (nothing is saved). */
  readonly token?: vscode.CancellationToken;
  /** Where VS Code shows the progress; a notification with Cancel when absent; 'none': the observer shows it. */
  readonly progressLocation?: vscode.ProgressLocation | { readonly viewId: string } | 'none';
  /** Partial images of streaming models: setting this makes them stream. */
  onPartial?(partial: PartialImage): void;
  onImageState?(state: ImageProgress): void;
  /** The status line the notification shows, with how many images of how many are done. */
  onStatus?(message: string, done: number, total: number): void;
  /** Each image once written, with the bytes written (for thumbnails) and the model's revised prompt. */
  onSaved?(saved: { readonly index: number; readonly uri: vscode.Uri; readonly bytes: Uint8Array; readonly format: string; readonly revisedPrompt?: string }): void;
  /** With `hold`: each image made, not written; `RunPipeline.save` writes it. */
  onHeld?(image: MadeImage): void;
  /** Always called once, however the run ends (also when refused before any request). */
  onDone?(end: RunEnd): void;
}

/** How an entry point runs a request: where the files go, who watches, what an error's buttons do. */
export interface RunOptions {
  /** The output folder setting for this run (the configured one when absent). */
  readonly outputFolder?: string;
  /** The file name to write (numbered when several images come back; made unique, never overwriting). */
  readonly fileName?: string;
  /** Leave the written files closed (the Studio shows them itself). */
  readonly noOpen?: boolean;
  /** Hand the images to `observer.onHeld` instead of writing them (the mask editor: the user keeps some). */
  readonly hold?: boolean;
  /** Errors go to the observer only (the mask editor shows them in its form), not to a notification. */
  readonly quiet?: boolean;
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
   * Runs a request with progress, writes what came back (or holds it), opens or reveals it.
   * Every entry point comes here; an `observer` also sees partial images, each image's state
   * and the files written, and its token cancels like the notification's Cancel button. A
   * cancelled run saves nothing.
   */
  async run(request: RunRequest, caps: ModelCapabilities, settings: PixelwrightSettings, opts: RunOptions = {}): Promise<vscode.Uri[]> {
    const t = vscode.l10n.t;
    const observer = opts.observer ?? {};
    const { sources } = request;
    const generation = request.operation === 'generate';
    const ctx = this.errorContext(settings, request, opts);
    const end = (o: Partial<RunEnd> = {}) => observer.onDone?.({ written: [], cancelled: false, failed: 0, ...o });
    const refuse = (info: ErrorInfo) => {
      if (!opts.quiet) void showError(info, ctx);
      end({ error: describeError(info, ctx).message, failed: request.n });
    };
    // Checked now without the input images (a clear refusal before reading anything), and again
    // by the run once they are prepared.
    try {
      checkRunRequest(request, caps);
    } catch (err) {
      const info = classifyError(err);
      // "Edit Prompt" on a prompt refusal reopens the palette with this prompt in the box.
      if (info.param === 'prompt' && generation) await this.history.keepDraft(request.prompt);
      refuse(info);
      return [];
    }
    let folder: vscode.Uri | undefined;
    if (!opts.hold) {
      try {
        folder = await this.targetFolder(opts.outputFolder ?? settings.outputFolder);
      } catch (err) {
        if (err instanceof OutputFolderError) {
          if (!opts.quiet) void vscode.window.showErrorMessage(`Pixelwright: ${err.message}`, t('Open Settings')).then((a) => a && openSettings('outputFolder'));
          end({ error: err.message, failed: request.n });
          return [];
        }
        throw err;
      }
      if (!folder) {
        end({ cancelled: true });
        return [];
      }
    }
    const apiKey = await this.keys.getOrAsk(settings);
    if (!apiKey) {
      const said = generation ? t('Pixelwright: no API key was given, so nothing was generated.') : t('No API key was given, so nothing was sent.');
      if (!opts.quiet) void vscode.window.showInformationMessage(said);
      end({ error: said, failed: request.n });
      return [];
    }
    if (observer.token?.isCancellationRequested) {
      end({ cancelled: true });
      return [];
    }

    const what = activity(request.operation, request.n, caps.id);
    this.setBusy(+1, what);
    const made: MadeImage[] = [];
    const written: vscode.Uri[] = [];
    let failures: ErrorInfo[] = [];
    let cancelled = false;
    let notice: string | undefined;
    const location = observer.progressLocation ?? vscode.ProgressLocation.Notification;
    const work = async (progress: vscode.Progress<{ message?: string; increment?: number }> | undefined, token: vscode.CancellationToken | undefined) => {
      const abort = new AbortController();
      const subs = [token, observer.token].filter((x) => !!x).map((x) => x!.onCancellationRequested(() => abort.abort()));
      const isCancelled = () => abort.signal.aborted;
      let reported = 0;
      const report = (message: string, done = reported) => {
        progress?.report({ message, increment: ((done - reported) / request.n) * 100 });
        reported = done;
        this.status.text = `$(loading~spin) ${message}`;
        observer.onStatus?.(message, done, request.n);
      };
      try {
        report(sources ? t('Preparing the image…') : t('Preparing…'));
        const engine = await loadEngine();
        const started = Date.now();
        const outcome = await engine.makeImages({ ...request, sources: sources && (await this.readSources(sources)) }, caps, {
          provider: providerConfig(settings, apiKey),
          providerRecord: providerRecord(settings),
          tool: `Pixelwright ${this.context.extension.packageJSON.version ?? ''}`.trim(),
          fileName: opts.fileName,
          signal: abort.signal,
          concurrency: settings.maxConcurrentRequests,
          maxWaitMs: settings.rateLimitMaxWaitSeconds * 1000,
          log: this.log,
          onPrepared: () => {
            this.log.info(`${what}: ${settings.provider}, ${JSON.stringify(requestOptions(checkRunRequest(request, caps)))}`);
            report(`${what}…`);
          },
          onStatus: (s) => report(statusText(s, what), s.done),
          onPartial: observer.onPartial && ((p) => !isCancelled() && observer.onPartial!(p)),
          onImageState: observer.onImageState && ((s) => observer.onImageState!({ index: s.index, state: s.state, error: s.error && describeError(s.error, ctx).message })),
          onImage: observer.onImageState && ((image) => observer.onImageState!({ index: image.index, state: 'received' })),
        });
        if (isCancelled()) return void (cancelled = true);
        failures = outcome.failures;
        made.push(...outcome.images);
        if (outcome.inexact) notice = t('Outside the painted area the kept pixels are close to the original, not exact: its colours (CMYK or its colour profile) cannot be stored in the PNG result. The log has details.');
        if (opts.hold) {
          for (const m of made) observer.onHeld?.(m);
          return;
        }
        if (made.length) report(t('Saving…'), reported);
        for (const m of made) {
          if (isCancelled()) break;
          written.push(await writeAsset(folder!, m.name, embedRecord(m.bytes, m.record)));
        }
        if (isCancelled()) {
          // Cancelled while saving: take back what this run wrote, so a cancelled run leaves nothing.
          for (const f of written.splice(0)) await vscode.workspace.fs.delete(f, { useTrash: false }).then(undefined, () => undefined);
          return void (cancelled = true);
        }
        made.forEach((m, i) => observer.onSaved?.({ index: m.index, uri: written[i], bytes: m.bytes, format: m.format, revisedPrompt: m.record.revisedPrompt }));
        this.log.info(`${what}: ${written.length} of ${request.n} saved in ${Date.now() - started} ms to ${folder!.toString(true)}`);
      } finally {
        for (const sub of subs) sub.dispose();
      }
    };
    try {
      if (location === 'none') await work(undefined, undefined);
      else await vscode.window.withProgress({ location, title: 'Pixelwright', cancellable: location === vscode.ProgressLocation.Notification }, work);
    } catch (err) {
      if (isPrepareError(err)) {
        // The image cannot be sent as it is: its own plain words; the decoder's only in the log.
        if (err.detail) this.log.warn(`prepare: ${err.message} (${err.detail})`);
        if (err.code === 'cancelled') {
          end({ cancelled: true });
          return [];
        }
        if (!opts.quiet) void vscode.window.showErrorMessage(`Pixelwright: ${err.message}`);
        end({ error: err.message, failed: request.n });
        return [];
      }
      const info = classifyError(err, [apiKey]);
      if (info.kind === 'cancelled' || observer.token?.isCancellationRequested) {
        this.log.info(`${what}: cancelled, nothing saved`);
        end({ cancelled: true });
        return written;
      }
      this.log.error(`${what}: ${info.kind} ${info.serverMessage ?? ''}`);
      if (info.kind === 'content-policy' && generation) await this.history.keepDraft(request.prompt);
      if (!opts.quiet) void showError(info, ctx);
      end({ written, error: describeError(info, ctx).message, failed: request.n - written.length });
      return written;
    } finally {
      this.setBusy(-1);
    }
    if (cancelled) {
      this.log.info(`${what}: cancelled, nothing saved`);
      end({ cancelled: true });
      return [];
    }

    if (written.length) void reached(generation ? 'pixelwright.madeImage' : 'pixelwright.editedImage');
    if (written.length && !opts.noOpen) await this.present(written, settings);
    const done = opts.hold ? made.length : written.length;
    let error: string | undefined;
    if (failures.length) {
      error = describeError(failures[0], ctx).message;
      if (opts.quiet) {
        // The observer says it in its own place.
      } else if (done === 0) {
        const first = failures[0];
        if (first.kind === 'content-policy' && generation) await this.history.keepDraft(request.prompt);
        void showError(first, ctx);
      } else {
        void vscode.window
          .showWarningMessage(t('Pixelwright: saved {0} of {1} images; the rest failed: {2}', done, request.n, error), t('Show Log'))
          .then((a) => a && this.log.show());
      }
    } else if (done && generation) {
      await this.history.keepDraft(undefined);
    }
    end({ written, error, failed: request.n - done, notice });
    return written;
  }

  /**
   * Writes an image a held run made (the mask editor's Keep): the same folder rule, unique name
   * and recipe as every other run's images.
   */
  async save(image: MadeImage, outputFolder?: string): Promise<vscode.Uri> {
    const folder = await this.targetFolder(outputFolder ?? readSettings().outputFolder);
    if (!folder) throw new Error(vscode.l10n.t('Open a folder to keep results in it.'));
    const uri = await writeAsset(folder, image.name, embedRecord(image.bytes, image.record));
    void reached(image.record.operation === 'generate' ? 'pixelwright.madeImage' : 'pixelwright.editedImage');
    this.log.info(`kept ${uri.toString(true)}`);
    return uri;
  }

  /** Reads the source files; the recipe names them by their workspace-relative paths. */
  private async readSources(sources: RunSources): Promise<RunSourcesOf<SourceFile>> {
    const read = async (u: vscode.Uri): Promise<SourceFile> => ({ name: baseName(u), bytes: await vscode.workspace.fs.readFile(u), path: vscode.workspace.asRelativePath(u, false) });
    return { ...sources, image: await read(sources.image), references: await Promise.all((sources.references ?? []).map(read)) };
  }

  /** What an error's buttons do for a run: the entry point's own actions, else a plain retry. */
  errorContext(settings: PixelwrightSettings, req?: RunRequest, opts: RunOptions = {}) {
    return {
      settings,
      onShowLog: () => this.log.show(),
      onOpenSettings: (key?: string) => openSettings(key),
      onSetKey: () => this.keys.ask(settings),
      onEditPrompt: opts.actions?.editPrompt,
      onPickModel: opts.actions?.pickModel,
      onRetry: req ? (opts.actions?.retry ?? (() => this.run(req, modelTable(settings).get(req.model)!, readSettings(), { ...opts, observer: undefined }))) : undefined,
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

/** A milestone of the walkthrough (its steps complete on these context keys). */
function reached(key: 'pixelwright.madeImage' | 'pixelwright.editedImage') {
  return vscode.commands.executeCommand('setContext', key, true);
}

/** What the run does, for the status bar, the notification and the log. */
function activity(operation: RunRequest['operation'], n: number, model: string): string {
  const t = vscode.l10n.t;
  if (operation === 'edit') return t('Editing with {0}', model);
  if (operation === 'variation') return t('Making variations with {0}', model);
  return n === 1 ? t('Generating an image with {0}', model) : t('Generating {0} images with {1}', n, model);
}

/** The preparation's refusals (the engine bundle's class, so known by name here). */
function isPrepareError(err: unknown): err is PrepareError {
  return err instanceof Error && err.name === 'PrepareError';
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
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
