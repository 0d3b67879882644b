/**
 * "Pixelwright: Generate Image…": gathers what it was not given (prompt, model, size, quality,
 * count, the model's other options) with quick picks that default to the last choice, then runs
 * the request with progress and writes the images into the workspace.
 */
import * as vscode from 'vscode';
import { parseGenerateArgs, type GenerateArgs } from '../../core/args';
import type { PartialImage, RunStatus } from '../../core/engine';
import { classifyError, type ErrorInfo } from '../../core/errors';
import { embedRecord } from '../../core/metadata';
import { customSizeProblem, ModelTable, type Background, type ModelCapabilities, type OutputFormat } from '../../core/models';
import { imageFileName } from '../../core/naming';
import type { GenerationRecord } from '../../core/record';
import { fitOptions, requestOptions, validateRequest, type ImageRequest, type OptionPreferences } from '../../core/request';
import { OutputFolderError, outputFolderUri, writeAsset } from '../run/assets';
import { loadEngine } from '../platform/engineLoader';
import { describeError, showError } from '../platform/errors';
import { Disposable } from '../platform/lifecycle';
import type { Log } from '../platform/log';
import { BACK, inputText, pickOne, promptInput, RECENT, shortLabel, type Choice, type StepInfo } from './quickFlow';
import { deploymentModel, longestPromptLimit, offeredModels, preferredModel, promptLength } from '../run/modelChoice';
import { providerConfig, providerRecord } from '../platform/provider';
import { ApiKeyStore } from '../platform/secrets';
import { openSettings, readSettings, type PixelwrightSettings } from '../platform/settings';

const RECENT_KEY = 'pixelwright.recentPrompts';
const LAST_KEY = 'pixelwright.lastChoices';
const DRAFT_KEY = 'pixelwright.draftPrompt';
const MAX_RECENT = 20;

export interface LastChoices extends OptionPreferences {
  readonly model?: string;
  readonly n?: number;
  /** The last compression level chosen for jpeg or webp (kept across runs that take none). */
  readonly outputCompression?: number;
}

/** The compression levels the palette offers (any other whole number can be typed). */
const COMPRESSION_LEVELS = [100, 95, 90, 85, 80, 75, 70, 60, 50, 40, 30, 20, 10, 0];

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

export class Generator extends Disposable {
  private readonly status = this._register(vscode.window.createStatusBarItem('pixelwright.status', vscode.StatusBarAlignment.Left, 10));
  private running = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly keys: ApiKeyStore,
  ) {
    super();
    this.status.name = 'Pixelwright';
    this.status.command = 'pixelwright.showLog';
  }

  /** The command: returns the written files (for keybindings, tasks and other extensions). */
  async generateCommand(raw?: unknown): Promise<vscode.Uri[]> {
    const parsed = parseGenerateArgs(raw);
    if (!parsed.ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pixelwright: Generate Image was given a bad argument: {0}.', parsed.problem));
      return [];
    }
    if (parsed.ignored.length) this.log.warn(`generate: ignored unknown argument fields ${parsed.ignored.join(', ')}`);
    const settings = readSettings();
    const table = new ModelTable(settings.customModels);
    const req = await this.gather(parsed.args, settings, table);
    if (!req) return [];
    return this.run(req, table.get(req.model)!, settings, parsed.args);
  }

  /** Asks for whatever `args` does not say, in steps with Back; undefined when cancelled. */
  private async gather(args: GenerateArgs, settings: PixelwrightSettings, table: ModelTable): Promise<ImageRequest | undefined> {
    const t = vscode.l10n.t;
    const state = this.context.globalState;
    const last = state.get<LastChoices>(LAST_KEY) ?? {};
    const title = t('Pixelwright: Generate Image');

    if (args.model !== undefined && !table.get(args.model)) {
      void showError({ kind: 'validation', param: 'model', serverMessage: t('unknown model "{0}"; add it to pixelwright.customModels if your server offers it', args.model) }, this.errorContext(settings));
      return undefined;
    }
    // With Azure the deployment runs one model (the setting): it is the only one offered, and a
    // run that names another (a keybinding, a recipe from elsewhere) would send it fields it refuses.
    const deployed = deploymentModel(table, settings);
    if (args.model !== undefined && deployed && table.get(args.model)!.id !== deployed.id) {
      const said = t('the Azure deployment "{0}" runs {1} (the pixelwright.model setting), so it cannot take {2}', settings.azure.deployment, deployed.id, args.model);
      void showError({ kind: 'validation', param: 'model', serverMessage: said }, this.errorContext(settings));
      return undefined;
    }

    const offered = offeredModels(table, settings, 'generate');
    const modelStep = args.model === undefined && offered.length > 1;

    let prompt = args.prompt;
    let model = args.model;
    let caps: ModelCapabilities | undefined;
    let prefs: OptionPreferences = {};
    let n = args.n;
    let compression = args.outputCompression;
    const chosen: Record<string, string | undefined> = {};

    type Step = 'prompt' | 'model' | 'size' | 'quality' | 'n' | 'outputFormat' | 'outputCompression' | 'background' | 'style';
    const compressible = (c: ModelCapabilities) => c.compression && (prefs.outputFormat === 'jpeg' || prefs.outputFormat === 'webp');
    const stepsFor = (c: ModelCapabilities): Step[] => {
      const s: Step[] = [];
      if (args.prompt === undefined) s.push('prompt');
      if (modelStep) s.push('model');
      if (args.size === undefined && (c.sizes.length > 1 || c.customSize)) s.push('size');
      if (args.quality === undefined && c.qualities.length > 1) s.push('quality');
      if (args.n === undefined) s.push('n');
      if (args.outputFormat === undefined && c.outputFormats.length > 1) s.push('outputFormat');
      if (args.outputCompression === undefined && compressible(c)) s.push('outputCompression');
      if (args.background === undefined && c.backgrounds.length > 1) s.push('background');
      if (args.style === undefined && c.styles.length > 1) s.push('style');
      return s;
    };
    const resolveModel = () => {
      caps = (model !== undefined ? table.get(model) : undefined) ?? preferredModel(offered, settings, last.model) ?? table.get(settings.model) ?? table.get('gpt-image-1.5')!;
      model = caps.id;
      // Remembered and configured choices are fitted to the model; explicit arguments are not,
      // so that a wrong one is refused by validation with a clear message.
      const given = Object.fromEntries(
        Object.entries({ size: args.size, quality: args.quality, style: args.style, background: args.background, outputFormat: args.outputFormat }).filter(([, v]) => v !== undefined),
      ) as OptionPreferences;
      prefs = {
        ...fitOptions(caps, {
          size: chosen.size ?? last.size ?? settings.size,
          quality: chosen.quality ?? last.quality ?? settings.quality,
          style: chosen.style ?? last.style,
          background: (chosen.background ?? last.background) as Background | undefined,
          outputFormat: (chosen.outputFormat ?? last.outputFormat ?? settings.outputFormat) as OutputFormat,
        }),
        ...given,
      };
    };
    resolveModel(); // the last or configured model until the user picks one

    // The prompt's length is checked against the model that will take it: the one already known
    // (given, or the only one offered), else the longest any model takes; the model step then
    // marks and refuses the models it is too long for.
    const fits = (m: ModelCapabilities) => prompt === undefined || promptLength(prompt) <= m.maxPromptChars;
    const tooLongFor = (m: ModelCapabilities, text: string) => t('The prompt has {0} characters; {1} takes at most {2}.', count(promptLength(text)), m.id, count(m.maxPromptChars));
    const promptProblem = (text: string): string | undefined => {
      if (!modelStep) return promptLength(text) > caps!.maxPromptChars ? tooLongFor(caps!, text) : undefined;
      const limit = longestPromptLimit(offered);
      return promptLength(text) > limit ? t('The prompt has {0} characters; no model takes more than {1}.', count(promptLength(text)), count(limit)) : undefined;
    };

    const draft = state.get<string>(DRAFT_KEY) ?? '';
    const recent = state.get<string[]>(RECENT_KEY) ?? [];
    let i = 0;
    while (true) {
      const allSteps = stepsFor(caps!);
      const step = allSteps[i];
      if (step === undefined) break;
      const info: StepInfo = { title, step: i + 1, totalSteps: allSteps.length };
      let result: unknown;
      switch (step) {
        case 'prompt': {
          result = await promptInput(info, t('Describe the image to make (Enter to continue)'), prompt ?? draft, promptProblem, recent.length > 0);
          if (result === RECENT) {
            // The recent prompts; the one picked goes back into the box, to edit or to take.
            const picked = await pickOne(info, t('Recent prompts'), recent.map((r): Choice<string> => ({ label: shortLabel(r), value: r })), undefined);
            if (typeof picked === 'string') prompt = picked;
            continue;
          }
          if (typeof result === 'string') prompt = result;
          break;
        }
        case 'model': {
          // Preselect the resolved model unless the prompt is too long for it.
          const active = fits(caps!) ? caps!.id : (preferredModel(offered.filter(fits), settings, last.model)?.id ?? caps!.id);
          result = await pickOne(
            info,
            t('Model'),
            offered.map((m): Choice<string> => ({
              label: m.id,
              description: m.note,
              detail: fits(m) ? describeModel(m) : `$(error) ${t('The prompt is too long for this model: at most {0} characters.', count(m.maxPromptChars))}`,
              value: m.id,
            })),
            active,
            (id) => {
              const m = table.get(id)!;
              if (fits(m)) return undefined;
              return {
                message: t('Pixelwright: the prompt has {0} characters; {1} takes at most {2}. Pick another model or shorten the prompt.', count(promptLength(prompt!)), m.id, count(m.maxPromptChars)),
                // Back from the model step is the prompt step, when there is one.
                actions: args.prompt === undefined ? [[t('Edit Prompt'), BACK]] : [],
              };
            },
          );
          if (typeof result === 'string') {
            model = result;
            resolveModel();
          }
          break;
        }
        case 'size': {
          const c = caps!;
          const custom = '__custom__';
          const choices: Choice<string>[] = c.sizes.map((s) => ({ label: s, description: s === 'auto' ? t('the model decides') : undefined, value: s }));
          if (prefs.size && !c.sizes.includes(prefs.size)) choices.push({ label: prefs.size, description: t('custom'), value: prefs.size });
          if (c.customSize) choices.push({ label: t('Custom size…'), description: t('width x height, multiples of {0}', c.customSize.multiple), value: custom });
          result = await pickOne(info, t('Size'), choices, prefs.size);
          if (result === custom) {
            const rule = c.customSize!;
            result = await inputText(info, t('Width x height, e.g. 1536x864 (multiples of {0}, ratio up to {1}:1, at most 3840x2160)', rule.multiple, rule.maxRatio), prefs.size && prefs.size !== 'auto' ? prefs.size : '', (v) => customSizeProblem(v, rule));
            if (result === BACK) continue;
          }
          if (typeof result === 'string') prefs = { ...prefs, size: (chosen.size = result) };
          break;
        }
        case 'quality':
          result = await pickOne(info, t('Quality'), caps!.qualities.map((q) => ({ label: q, value: q })), prefs.quality);
          if (typeof result === 'string') prefs = { ...prefs, quality: (chosen.quality = result) };
          break;
        case 'n': {
          const perRequest = caps!.maxN;
          const atOnce = settings.maxConcurrentRequests;
          result = await pickOne(
            info,
            t('How many images'),
            Array.from({ length: 10 }, (_, k): Choice<number> => ({ label: String(k + 1), description: requestsText(k + 1, perRequest, atOnce), value: k + 1 })),
            n ?? last.n ?? settings.count,
          );
          if (typeof result === 'number') n = result;
          break;
        }
        case 'outputFormat':
          result = await pickOne(info, t('File format'), caps!.outputFormats.map((f) => ({ label: f, value: f })), prefs.outputFormat);
          if (typeof result === 'string') {
            prefs = { ...prefs, outputFormat: (chosen.outputFormat = result) as OutputFormat };
            if (prefs.background === 'transparent' && result === 'jpeg') prefs = { ...prefs, background: 'auto' };
          }
          break;
        case 'outputCompression': {
          const current = compression ?? last.outputCompression ?? 100;
          const other = -1;
          const levels = [...new Set([...COMPRESSION_LEVELS, current])].sort((a, b) => b - a);
          const choices: Choice<number>[] = levels.map((l) => ({ label: String(l), description: l === 100 ? t('no compression (the default)') : undefined, value: l }));
          choices.push({ label: t('Other level…'), description: t('a whole number from 0 to 100'), value: other });
          result = await pickOne(info, t('Compression of the {0} file: 100 keeps every detail, lower makes it smaller', prefs.outputFormat ?? ''), choices, current);
          if (result === other) {
            result = await inputText(info, t('Compression level: a whole number from 0 to 100'), String(current), (v) =>
              /^\d{1,3}$/.test(v) && Number(v) <= 100 ? undefined : t('Type a whole number from 0 to 100.'),
            );
            if (result === BACK) continue;
            if (typeof result === 'string') result = Number(result);
          }
          if (typeof result === 'number') compression = result;
          break;
        }
        case 'background':
          result = await pickOne(
            info,
            t('Background'),
            caps!.backgrounds.filter((b) => !(b === 'transparent' && prefs.outputFormat === 'jpeg')).map((b) => ({ label: b, value: b })),
            prefs.background,
          );
          if (typeof result === 'string') prefs = { ...prefs, background: (chosen.background = result) as Background };
          break;
        case 'style':
          result = await pickOne(info, t('Style'), caps!.styles.map((s) => ({ label: s, value: s })), prefs.style);
          if (typeof result === 'string') prefs = { ...prefs, style: (chosen.style = result) };
          break;
      }
      if (result === undefined) return undefined;
      if (result === BACK) i = Math.max(0, i - 1);
      else i++;
    }
    if (prompt === undefined) return undefined;

    const req: ImageRequest = {
      operation: 'generate',
      model: caps!.id,
      prompt,
      n: n ?? last.n ?? settings.count,
      ...prefs,
      // Explicit arguments go as given (validation refuses a wrong one); the chosen level only where it applies.
      outputCompression: args.outputCompression ?? (compressible(caps!) ? compression : undefined),
      moderation: args.moderation ?? (caps!.moderation && settings.moderation !== 'auto' ? settings.moderation : undefined),
    };
    await this.remember(req);
    return req;
  }

  /** Remembers a request's prompt (recent prompts) and options (last choices) for the next run. */
  async remember(req: ImageRequest): Promise<void> {
    const state = this.context.globalState;
    const recent = state.get<string[]>(RECENT_KEY) ?? [];
    const before = state.get<LastChoices>(LAST_KEY) ?? {};
    await state.update(LAST_KEY, {
      model: req.model,
      n: req.n,
      size: req.size,
      quality: req.quality,
      style: req.style,
      background: req.background,
      outputFormat: req.outputFormat,
      outputCompression: req.outputCompression ?? before.outputCompression,
    } satisfies LastChoices);
    await state.update(RECENT_KEY, [req.prompt, ...recent.filter((p) => p !== req.prompt)].slice(0, MAX_RECENT));
  }

  /** The prompts used lately, newest first (shared by the palette and the Studio). */
  recentPrompts(): string[] {
    return this.context.globalState.get<string[]>(RECENT_KEY) ?? [];
  }

  /** The options chosen last (palette or Studio), fitted to nothing: callers fit them to a model. */
  lastChoices(): LastChoices {
    return this.context.globalState.get<LastChoices>(LAST_KEY) ?? {};
  }

  /**
   * Runs a request with progress, writes what came back, opens or reveals it. The palette and
   * the Studio both come here; an `observer` (the Studio) also sees partial images, each image's
   * state and the files written, and its token cancels like the notification's Cancel button.
   * A cancelled run saves nothing.
   */
  async run(req: ImageRequest, caps: ModelCapabilities, settings: PixelwrightSettings, args: GenerateArgs = {}, observer: RunObserver = {}): Promise<vscode.Uri[]> {
    const t = vscode.l10n.t;
    const ctx = this.errorContext(settings, req, args);
    const end = (o: Partial<RunEnd> = {}) => observer.onDone?.({ written: [], cancelled: false, failed: 0, ...o });
    const fail = (info: ErrorInfo) => end({ error: describeError(info, ctx).message, failed: req.n });
    try {
      validateRequest(req, caps);
    } catch (err) {
      const info = classifyError(err);
      // "Edit Prompt" on a prompt refusal reopens the palette with this prompt in the box.
      if (info.param === 'prompt') await this.context.globalState.update(DRAFT_KEY, req.prompt);
      void showError(info, ctx);
      fail(info);
      return [];
    }
    let folder: vscode.Uri | undefined;
    try {
      folder = await this.targetFolder(args.outputFolder ?? settings.outputFolder);
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
      if (info.kind === 'content-policy') await this.context.globalState.update(DRAFT_KEY, req.prompt);
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

    if (written.length && !args.noOpen) await this.present(written, settings);
    let error: string | undefined;
    if (failures.length) {
      error = describeError(failures[0], ctx).message;
      if (written.length === 0) {
        const first = failures[0];
        if (first.kind === 'content-policy') await this.context.globalState.update(DRAFT_KEY, req.prompt);
        void showError(first, ctx);
      } else {
        void vscode.window
          .showWarningMessage(t('Pixelwright: saved {0} of {1} images; the rest failed: {2}', written.length, req.n, error), t('Show Log'))
          .then((a) => a && this.log.show());
      }
    } else if (written.length) {
      await this.context.globalState.update(DRAFT_KEY, undefined);
    }
    end({ written, error, failed: req.n - written.length });
    return written;
  }

  private errorContext(settings: PixelwrightSettings, req?: ImageRequest, args: GenerateArgs = {}) {
    return {
      settings,
      onShowLog: () => this.log.show(),
      onOpenSettings: (key?: string) => openSettings(key),
      onSetKey: () => this.keys.ask(settings),
      onEditPrompt: req ? () => vscode.commands.executeCommand('pixelwright.generate', { ...args, prompt: undefined, model: req.model }) : undefined,
      // The same prompt with the model step open (not with Azure: the deployment runs one model).
      // Options that belong to the refused model are asked again, fitted to the new one.
      onPickModel:
        req && offeredModels(new ModelTable(settings.customModels), settings, req.operation).length > 1
          ? () => vscode.commands.executeCommand('pixelwright.generate', { prompt: req.prompt, n: args.n, outputFolder: args.outputFolder, noOpen: args.noOpen })
          : undefined,
      onRetry: req ? () => this.run(req, new ModelTable(settings.customModels).get(req.model)!, readSettings(), args) : undefined,
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

function describeModel(m: ModelCapabilities): string {
  const parts = [m.sizes.join(' · ') + (m.customSize ? ' · WxH' : '')];
  if (m.maxN === 1) parts.push(vscode.l10n.t('1 image per request'));
  return parts.join('  —  ');
}

/** A count as people read it: 1,060. */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** What `n` images become: how many requests, and how many of them run at once. */
function requestsText(n: number, perRequest: number, atOnce: number): string | undefined {
  const requests = Math.ceil(n / perRequest);
  if (requests <= 1) return undefined;
  return requests <= atOnce ? vscode.l10n.t('{0} parallel requests', requests) : vscode.l10n.t('{0} requests, {1} at a time', requests, atOnce);
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
