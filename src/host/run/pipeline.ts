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
import { errorMessage, translateMessage } from '../platform/messages';
import { Disposable } from '../platform/lifecycle';
import type { Log } from '../platform/log';
import { providerConfig, providerRecord } from '../../core/provider';
import { ApiKeyStore } from '../platform/secrets';
import { modelTable } from '../platform/models';
import { openSettings, readSettings, type PixelwrightSettings } from '../platform/settings';
import { OutputFolderError, outputFolderUri, writeAssetAt, type PlacedAsset } from './assets';
import type { GenerationRecord } from '../../core/record';
import { readRecipe, sidecarUri, writeImageWithRecipe } from './recipes';
import type { RunHistory } from './history';
import { checkBudget, type BudgetVerdict } from '../../core/budget';
import { estimateCost, formatCost, formatUsd, PRICE_LIST_DATE, spendEstimate, type ActualCost, type ImageUsage } from '../../core/pricing';
import { estimateText } from './costText';
import type { UsageLedger } from './usage';

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
  /** What the run cost, from the price list (undefined when nothing came back or no price is known). */
  readonly cost?: ActualCost;
  /** The cost in the user's words ("Cost: $0.27 for 2 images (8,532 tokens; price list of 2026-11)."), when images came back. */
  readonly costNote?: string;
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
  /**
   * The request comes from a recipe found in the workspace (Remake, Rework, a manifest): always
   * ask before sending, with the estimate, whatever the budget settings say.
   */
  readonly askFirst?: boolean;
  /** The file whose recipe this run comes from: the ask-first dialog names it. */
  readonly recipeFrom?: vscode.Uri;
}

export class RunPipeline extends Disposable {
  private readonly status = this._register(vscode.window.createStatusBarItem('pixelwright.status', vscode.StatusBarAlignment.Left, 10));
  private running = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly keys: ApiKeyStore,
    private readonly history: RunHistory,
    private readonly usage: UsageLedger,
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
    // The budget: the same rule for every entry point, before anything is read or sent.
    const budget = await this.checkBudget(request, caps, settings, opts);
    if (budget !== 'go') {
      if (budget.refused) end({ error: budget.refused, failed: request.n });
      else end({ cancelled: true });
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
    let cost: ActualCost | undefined;
    let costNote: string | undefined;
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
        // What came back was paid for, kept or not: into the ledger before anything else.
        if (outcome.images.length) {
          cost = outcome.cost;
          costNote = describeCost(outcome.cost, outcome.usage, outcome.images.length, caps.id);
          this.log.info(`${what}: ${costNote}`);
          await this.usage
            .record({ model: caps.id, images: outcome.images.length, usd: outcome.cost?.usd, tokens: outcome.usage?.totalTokens })
            .catch((err) => this.log.warn(`usage ledger: ${(err as Error).message}`));
        }
        if (isCancelled()) return void (cancelled = true);
        failures = outcome.failures;
        made.push(...outcome.images);
        const notes = outcome.notes.map(translateMessage);
        if (outcome.inexact) notes.push(t('Outside the painted area the kept pixels are close to the original, not exact: its colours (CMYK or its colour profile) cannot be stored in the PNG result. The log has details.'));
        notice = notes.join(' ') || undefined;
        if (opts.hold) {
          for (const m of made) observer.onHeld?.(m);
          return;
        }
        if (made.length) report(t('Saving…'), reported);
        for (const m of made) {
          if (isCancelled()) break;
          written.push(await writeImageWithRecipe(folder!, m.name, m.bytes, m.record, settings.recipeStorage));
        }
        if (isCancelled()) {
          // Cancelled while saving: take back what this run wrote, so a cancelled run leaves nothing.
          for (const f of written.splice(0)) {
            await vscode.workspace.fs.delete(f, { useTrash: false }).then(undefined, () => undefined);
            await vscode.workspace.fs.delete(sidecarUri(f), { useTrash: false }).then(undefined, () => undefined);
          }
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
        const said = errorMessage(err);
        if (!opts.quiet) void vscode.window.showErrorMessage(`Pixelwright: ${said}`);
        end({ error: said, failed: request.n });
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
    if (written.length && !opts.noOpen) await this.present(written, settings, costNote);
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
          .showWarningMessage(t('Pixelwright: saved {0} of {1} images; the rest failed: {2}', done, request.n, error) + (costNote ? ` ${costNote}` : ''), t('Show Log'))
          .then((a) => a && this.log.show());
      }
    } else if (done && generation) {
      await this.history.keepDraft(undefined);
    }
    // Callers without an observer of their own (the palette, the editor, keybindings): the cost in the status bar
    // (and in the notification that says where the images went, when there is one).
    if (costNote && done && !observer.onDone) vscode.window.setStatusBarMessage(`$(credit-card) ${t('Pixelwright: {0}', costNote)}`, 20_000);
    // What preparing the image changed (a crop, an empty mask...): said where the run shows, here when nothing else shows it.
    if (notice && done && !observer.onDone) void vscode.window.showInformationMessage(t('Pixelwright: {0}', notice));
    end({ written, error, failed: request.n - done, notice, cost, costNote });
    return written;
  }

  /**
   * The budget rule (core/budget.ts) for this run: 'go', or what stopped it (a refusal, shown
   * with "Open Settings", or a question the user did not answer with Run).
   */
  private async checkBudget(request: RunRequest, caps: ModelCapabilities, settings: PixelwrightSettings, opts: RunOptions): Promise<'go' | { refused?: string }> {
    const t = vscode.l10n.t;
    const limits = settings.budget;
    if (!opts.askFirst && !limits.monthlyLimit && !limits.askAbove) return 'go';
    const estimate = spendEstimate(caps.id, { quality: request.quality, size: request.size, n: request.n });
    const spent = limits.monthlyLimit ? await this.usage.monthSpent() : 0;
    const verdict = checkBudget({ estimate, monthSpent: spent, limits, askFirst: opts.askFirst });
    if (verdict.kind === 'go') return 'go';
    this.log.info(`budget: ${JSON.stringify(verdict)}`);
    if (verdict.kind === 'refuse') {
      const message =
        verdict.reason === 'reached'
          ? t('Pixelwright: nothing was sent. This month Pixelwright has spent {0}, which reaches your monthly limit of {1} (setting pixelwright.budget.monthlyLimit).', formatUsd(verdict.spent), formatUsd(verdict.limit))
          : t('Pixelwright: nothing was sent. This run is estimated at {0} or more, and this month has already spent {1} of your monthly limit of {2} (setting pixelwright.budget.monthlyLimit).', formatUsd(verdict.estimate!.min), formatUsd(verdict.spent), formatUsd(verdict.limit));
      const open = t('Open Settings');
      void vscode.window.showErrorMessage(message, open).then((a) => a === open && openSettings('budget.monthlyLimit'));
      return { refused: message };
    }
    const go = t('Run');
    const pick = await vscode.window.showWarningMessage(askText(verdict, caps.id, request.n), { modal: true, detail: askDetail(verdict, request, caps.id, settings, opts.recipeFrom) }, go);
    return pick === go ? 'go' : {};
  }

  /**
   * Writes an image a held run made (the mask editor's Keep): the same folder rule, unique name
   * and recipe as every other run's images.
   */
  async save(image: MadeImage, outputFolder?: string): Promise<vscode.Uri> {
    const folder = await this.targetFolder(outputFolder ?? readSettings().outputFolder);
    if (!folder) throw new Error(vscode.l10n.t('Open a folder to keep results in it.'));
    const uri = await writeImageWithRecipe(folder, image.name, image.bytes, image.record, readSettings().recipeStorage);
    void reached(image.record.operation === 'generate' ? 'pixelwright.madeImage' : 'pixelwright.editedImage');
    this.log.info(`kept ${uri.toString(true)}`);
    return uri;
  }

  /**
   * Writes a held image at an asset manifest's output path, its record carrying the entry's
   * recipe hash: the asset writer's rules (a file there is replaced only when `mayReplace` says it
   * is Pixelwright's own, and kept in `.pixelwright/previous/`; else a unique name beside it).
   */
  async saveAsset(image: MadeImage, target: vscode.Uri, asset: NonNullable<GenerationRecord['asset']>, mayReplace: (existing: Uint8Array) => boolean): Promise<PlacedAsset & { readonly bytes: Uint8Array }> {
    const bytes = embedRecord(image.bytes, { ...image.record, asset });
    const placed = { ...(await writeAssetAt(target, bytes, mayReplace)), bytes };
    void reached(image.record.operation === 'generate' ? 'pixelwright.madeImage' : 'pixelwright.editedImage');
    this.log.info(`asset ${placed.uri.toString(true)}${placed.previous ? ` (the one before kept as ${placed.previous.toString(true)})` : ''}${placed.besides ? ' (beside a file that is not Pixelwright\'s own)' : ''}`);
    return placed;
  }

  /**
   * The Files and Batch API for the provider the settings point at (asset manifests' batch
   * mode): the key from SecretStorage (asked for when missing), the SDK from the lazily loaded
   * engine. Undefined when no key was given. Also what a batch image's recipe needs to say.
   */
  async batchClient(settings: PixelwrightSettings, ask = true): Promise<{ client: import('../../core/batchClient').BatchClient; provider: GenerationRecord['provider']; tool: string; identity: (gptImage: boolean) => Readonly<Record<string, string>>; model: (id: string) => string } | undefined> {
    const apiKey = ask ? await this.keys.getOrAsk(settings) : await this.keys.get(settings);
    if (!apiKey) return undefined;
    const engine = await loadEngine();
    const config = providerConfig(settings, apiKey);
    return {
      client: engine.createBatchClient(config),
      provider: providerRecord(settings),
      tool: `Pixelwright ${this.context.extension.packageJSON.version ?? ''}`.trim(),
      identity: (gptImage): Record<string, string> => (!config.safetyIdentifier ? {} : { [gptImage ? 'safety_identifier' : 'user']: config.safetyIdentifier }),
      // Azure routes a line by its deployment name.
      model: (id) => (settings.provider === 'azure' && settings.azure.deployment ? settings.azure.deployment : id),
    };
  }

  /** Adds what a batch made to the usage ledger (the Usage view, the monthly budget). */
  recordSpend(model: string, images: number, usd: number | undefined, tokens: number | undefined): void {
    this.usage.record({ model, images, usd, tokens }).catch((err) => this.log.warn(`usage ledger: ${err}`));
  }

  /** Reads the source files and the recipes they carry (inside, or in a sidecar); the recipe names them by their workspace-relative paths. */
  private async readSources(sources: RunSources): Promise<RunSourcesOf<SourceFile>> {
    const read = async (u: vscode.Uri): Promise<SourceFile> => ({
      name: baseName(u),
      bytes: await vscode.workspace.fs.readFile(u),
      path: vscode.workspace.asRelativePath(u, false),
      recipe: (await readRecipe(u).catch(() => undefined))?.record ?? null,
    });
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

  private async present(files: vscode.Uri[], settings: PixelwrightSettings, costNote?: string): Promise<void> {
    const mode = settings.openResults === 'auto' ? (files.length === 1 ? 'open' : 'reveal') : settings.openResults;
    if (mode === 'open') {
      for (const f of files) await vscode.commands.executeCommand('vscode.open', f, { preview: files.length === 1 });
    } else if (mode === 'reveal') {
      await vscode.commands.executeCommand('revealInExplorer', files[0]).then(undefined, () => undefined);
      const open = vscode.l10n.t('Open');
      const where = vscode.workspace.asRelativePath(files[0].with({ path: files[0].path.replace(/\/[^/]*$/, '') }));
      const said = files.length === 1 ? vscode.l10n.t('Pixelwright: the image was saved to {0}.', where) : vscode.l10n.t('Pixelwright: {0} images saved to {1}.', files.length, where);
      void vscode.window.showInformationMessage(costNote ? `${said} ${costNote}` : said, open).then((a) => {
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

/** "$0.12" or "$0.12 to $0.50". */
function rangeText(e: { readonly min: number; readonly max: number }): string {
  return e.min === e.max ? formatUsd(e.min) : vscode.l10n.t('{0} to {1}', formatUsd(e.min), formatUsd(e.max));
}

/** A prompt on one line, at most `max` characters (the whole of it goes with the request). */
function shortPrompt(prompt: string, max = 160): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : line;
}

/** The question the budget rule asks before a run. */
function askText(v: Extract<BudgetVerdict, { kind: 'ask' }>, model: string, n: number): string {
  const t = vscode.l10n.t;
  const what = n === 1 ? t('1 image with {0}', model) : t('{0} images with {1}', n, model);
  switch (v.reason) {
    case 'recipe':
      return v.estimate
        ? t('Run this recipe from the workspace? {0}, estimated at {1}. It is a paid request to your provider.', what, rangeText(v.estimate))
        : t('Run this recipe from the workspace? {0}; its cost is not known before it runs. It is a paid request to your provider.', what);
    case 'may-exceed':
      return t('This run ({0}, estimated at {1}) may take this month past your monthly limit. Run it?', what, rangeText(v.estimate!));
    case 'above':
      return t('This run ({0}) is estimated at {1}, above the amount you asked to confirm. Run it?', what, rangeText(v.estimate!));
    case 'unknown':
      return estimateCost(model, { n }).kind === 'tokens'
        ? t('The cost of this run ({0}) is not known before it runs: the model is billed by the tokens it uses. Run it?', what)
        : t('The cost of this run ({0}) is not known before it runs: no price is published for {1}. Run it?', what, model);
  }
}

/** What will run (the recipe's file, the prompt shortened, model, count, size, quality, the estimate), then the budget settings that asked. */
function askDetail(v: Extract<BudgetVerdict, { kind: 'ask' }>, request: RunRequest, model: string, settings: PixelwrightSettings, recipeFrom?: vscode.Uri): string {
  const t = vscode.l10n.t;
  const lines: string[] = [];
  if (recipeFrom) lines.push(t('The recipe comes from {0}, a file in this workspace.', vscode.workspace.asRelativePath(recipeFrom, false)));
  if (request.prompt.trim()) lines.push(t('Prompt: {0}', shortPrompt(request.prompt)));
  lines.push(t('Model: {0}', model));
  lines.push(t('Images: {0}', request.n));
  if (request.size) lines.push(t('Size: {0}', request.size));
  if (request.quality) lines.push(t('Quality: {0}', request.quality));
  lines.push(t('Estimated cost: {0}', estimateText(estimateCost(model, { quality: request.quality, size: request.size, n: request.n }), model)));
  const notes: string[] = [];
  if (settings.budget.askAbove) notes.push(t('Ask above: {0} per run (setting pixelwright.budget.askAbove).', formatUsd(settings.budget.askAbove)));
  if (settings.budget.monthlyLimit) notes.push(t('Monthly limit: {0} (setting pixelwright.budget.monthlyLimit).', formatUsd(settings.budget.monthlyLimit)));
  if (v.estimate) notes.push(t('Estimates come from the price list of {0}; your provider may charge differently.', PRICE_LIST_DATE));
  return [lines.join('\n'), ...(notes.length ? [notes.join('\n')] : [])].join('\n\n');
}

/** What a run cost, in the user's words. */
export function describeCost(cost: ActualCost | undefined, usage: ImageUsage | undefined, images: number, model: string): string {
  const t = vscode.l10n.t;
  const tokens = usage ? t('{0} tokens', usage.totalTokens.toLocaleString('en-US')) : undefined;
  if (!cost) return tokens ? t('{0} used {1}; no price is known for {2}.', images === 1 ? t('1 image') : t('{0} images', images), tokens, model) : t('No price is known for {0}, so the cost of this run is not known.', model);
  const amount = formatCost(cost.usd);
  const basis = tokens ? t('{0}; price list of {1}', tokens, cost.priceListDate) : t('price list of {0}', cost.priceListDate);
  const unpriced = cost.unpricedTokens ? ` ${t('({0} tokens have no listed price and are not counted.)', cost.unpricedTokens)}` : '';
  return (images === 1 ? t('Cost: {0} for 1 image ({1}).', amount, basis) : t('Cost: {0} for {1} images ({2}).', amount, images, basis)) + unpriced;
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
