/**
 * Runs edits and variations for the mask editor: reads the source images, prepares them and the
 * mask for the chosen model (engine + sharp, loaded on first use), calls the API, pastes the
 * unmasked pixels back when asked, and keeps results in memory until the user keeps one, which
 * is then saved like a generation (unique name, temp + rename, record inside the file).
 */
import * as vscode from 'vscode';
import { classifyError } from '../../core/errors';
import { embedRecord, readImageSize } from '../../core/metadata';
import { ModelTable, type OutputFormat } from '../../core/models';
import { imageFileName } from '../../core/naming';
import type { GenerationRecord } from '../../core/record';
import { requestOptions, type ImageRequest } from '../../core/request';
import type { EditOptions, ResultImage } from '../../shared/editProtocol';
import { fitEditOptions, modelInfo } from '../../shared/modelRules';
import { outputFolderUri, writeAsset } from '../run/assets';
import { loadEngine } from '../platform/engineLoader';
import { allowedModel, offeredModels, preferredModel } from '../run/modelChoice';
import { describeError } from '../platform/errors';
import type { EditBackend, EditRunInput, EditRunOutcome } from './session';
import type { Log } from '../platform/log';
import { providerConfig, providerRecord } from '../platform/provider';
import { ApiKeyStore } from '../platform/secrets';
import { openSettings, readSettings, type PixelwrightSettings } from '../platform/settings';

const LAST_EDIT_KEY = 'pixelwright.lastEditOptions';
const MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const;

/** The prompt a GPT image variation sends (variations are edits without a mask there). */
export const VARIATION_PROMPT = 'Create a variation of this image: keep its subject, composition and style, and vary the details.';

interface HeldResult {
  readonly bytes: Uint8Array;
  readonly format: keyof typeof MIME;
  readonly record: GenerationRecord;
  readonly stem: string;
  saved?: vscode.Uri;
}

export class HostEditBackend implements EditBackend {
  private readonly held = new Map<string, HeldResult>();
  private nextId = 1;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly keys: ApiKeyStore,
  ) {}

  choices(operation: 'edit' | 'variation') {
    const settings = readSettings();
    const table = new ModelTable(settings.customModels);
    // With Azure only the deployment's model (the setting) is offered, whatever was used last.
    const offered = offeredModels(table, settings, operation);
    const models = offered.map((m) => modelInfo(m, operation));
    const last = this.context.globalState.get<Partial<EditOptions>>(LAST_EDIT_KEY) ?? {};
    const preferred = preferredModel(offered, settings, last.model);
    // None offered (an Azure deployment whose model cannot do this): the panel says so and closes.
    if (!preferred) return { models, options: { model: settings.model, n: 1, keepUnmasked: false, squareMode: 'pad' as const }, prompt: '' };
    // The last options fitted to the preferred model (the file format from the settings until one is
    // picked); unmasked pixels are kept unless the user turned it off.
    const options = fitEditOptions(modelInfo(preferred, operation), { ...last, outputFormat: last.outputFormat ?? settings.outputFormat }, last.keepUnmasked ?? true);
    return { models, options, prompt: '' };
  }

  async describe(source: vscode.Uri) {
    const engine = await loadEngine();
    return engine.describeImage(await vscode.workspace.fs.readFile(source));
  }

  async run(input: EditRunInput, token: vscode.CancellationToken, onProgress: (message: string, done: number, total: number) => void): Promise<EditRunOutcome> {
    const t = vscode.l10n.t;
    const settings = readSettings();
    const caps = allowedModel(new ModelTable(settings.customModels), settings, input.options.model, input.operation);
    if (!caps) {
      return {
        results: [],
        error: input.operation === 'edit' ? t('{0} cannot edit images. Pick another model.', input.options.model) : t('{0} cannot make variations. Pick another model.', input.options.model),
      };
    }
    await this.context.globalState.update(LAST_EDIT_KEY, input.options);
    const apiKey = await this.keys.getOrAsk(settings);
    if (!apiKey) return { results: [], error: t('No API key was given, so nothing was sent.') };

    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      onProgress(t('Preparing the image…'), 0, input.options.n);
      const engine = await loadEngine();
      const original = await vscode.workspace.fs.readFile(input.source);
      // Only the references the model takes (the editor says which are not sent); none for variations.
      const sent = input.operation === 'edit' ? input.references.slice(0, Math.max(0, caps.input.maxImages - 1)) : [];
      if (sent.length < input.references.length) this.log.info(`${caps.id} takes ${sent.length} of ${input.references.length} reference images; the others are not sent`);
      const refs = await Promise.all(sent.map(async (u) => ({ name: baseName(u), bytes: await vscode.workspace.fs.readFile(u) })));
      const first = { name: baseName(input.source), bytes: original };
      const mask = input.mask ? { png: input.mask } : undefined;
      const prepared =
        input.operation === 'variation'
          ? await engine.makeVariationInput(first, caps, { squareMode: input.options.squareMode, signal: abort.signal })
          : await engine.prepareInputs([first, ...refs], caps, { squareMode: input.options.squareMode, mask, signal: abort.signal });
      for (const note of prepared.notes) this.log.info(`prepare: ${note}`);
      if (token.isCancellationRequested) return { results: [], cancelled: true };

      const dalle2Variation = input.operation === 'variation' && caps.family === 'dall-e-2';
      const prompt = input.operation === 'variation' && !dalle2Variation ? [VARIATION_PROMPT, input.prompt.trim()].filter(Boolean).join('\n') : input.prompt;
      const o = input.options;
      const req: ImageRequest = {
        operation: dalle2Variation ? 'variation' : 'edit',
        model: caps.id,
        prompt,
        n: o.n,
        size: o.size && caps.sizes.includes(o.size) ? o.size : undefined,
        quality: dalle2Variation ? undefined : o.quality && caps.qualities.includes(o.quality) && caps.family !== 'dall-e-2' ? o.quality : undefined,
        outputFormat: caps.outputFormats.length > 1 && o.outputFormat ? (o.outputFormat as OutputFormat) : undefined,
        background: caps.backgrounds.length && o.background ? (o.background as ImageRequest['background']) : undefined,
        inputFidelity: caps.inputFidelity && o.inputFidelity ? o.inputFidelity : undefined,
        images: prepared.images,
        mask: prepared.mask,
      };
      const what = input.operation === 'edit' ? t('Editing with {0}', caps.id) : t('Making variations with {0}', caps.id);
      onProgress(`${what}…`, 0, o.n);
      const outcome = await engine.runImageRequest(providerConfig(settings, apiKey), req, caps, {
        signal: abort.signal,
        concurrency: settings.maxConcurrentRequests,
        maxWaitMs: settings.rateLimitMaxWaitSeconds * 1000,
        log: this.log,
        onStatus: (s) =>
          onProgress(
            s.phase === 'waiting' ? t('Rate limited: waiting {0} s before trying again', s.seconds) : s.phase === 'downloading' ? t('Downloading the result…') : t('{0}: {1} of {2} done', what, s.done, s.total),
            s.done,
            s.total,
          ),
      });
      if (token.isCancellationRequested) return { results: [], cancelled: true };

      const results: ResultImage[] = [];
      let inexact = false;
      const sources = [input.source, ...sent].map((u) => vscode.workspace.asRelativePath(u, false));
      const createdAt = new Date().toISOString();
      for (const image of outcome.images) {
        let bytes = image.bytes;
        let format = image.format;
        const keep = o.keepUnmasked && input.operation === 'edit' && caps.family === 'gpt-image';
        if (keep) {
          const kept = await engine.composeUnmasked(original, bytes, prepared.geometry, mask, { signal: abort.signal });
          for (const note of kept.notes) this.log.info(`keep unmasked: ${note}`);
          if (kept.notes.length) inexact = true;
          bytes = kept.bytes;
          format = 'png';
        }
        const size = readImageSize(bytes) ?? { width: 0, height: 0 };
        const id = `r${this.nextId++}`;
        const record: GenerationRecord = {
          v: 1,
          operation: input.operation,
          prompt: input.prompt,
          revisedPrompt: image.revisedPrompt,
          model: caps.id,
          options: { ...requestOptions(req), ...(keep ? { keep_unmasked: true } : {}), ...(caps.input.squareOnly ? { square: o.squareMode } : {}), ...(input.mask ? { masked: true } : {}) },
          sources,
          provider: providerRecord(settings),
          createdAt,
          requestId: image.requestId,
          index: image.index,
          count: o.n,
          tool: `Pixelwright ${this.context.extension.packageJSON.version ?? ''}`.trim(),
        };
        this.held.set(id, { bytes, format, record, stem: `${baseName(input.source).replace(/\.[^.]+$/, '')} ${input.operation}` });
        results.push({ id, bytes, mime: MIME[format], width: size.width, height: size.height });
      }
      const failure = outcome.failures[0];
      const error = failure ? this.failureText(failure, settings, outcome.images.length, o.n) : undefined;
      const notice = inexact ? t('Outside the painted area the kept pixels are close to the original, not exact: its colours (CMYK or its colour profile) cannot be stored in the PNG result. The log has details.') : undefined;
      return { results, error, notice };
    } catch (err) {
      if (token.isCancellationRequested) return { results: [], cancelled: true };
      const named = err as { name?: string; message?: string };
      if (named?.name === 'PrepareError') {
        const detail = (err as { detail?: string }).detail;
        if (detail) this.log.warn(`prepare: ${named.message} (${detail})`);
        return { results: [], error: named.message };
      }
      const info = classifyError(err, [apiKey]);
      if (info.kind === 'cancelled') return { results: [], cancelled: true };
      this.log.error(`${input.operation}: ${info.kind} ${info.serverMessage ?? ''}`);
      return { results: [], error: this.failureText(info, settings, 0, input.options.n) };
    } finally {
      sub.dispose();
    }
  }

  private failureText(info: ReturnType<typeof classifyError>, settings: PixelwrightSettings, saved: number, asked: number): string {
    const { message } = describeError(info, {
      settings,
      onShowLog: () => this.log.show(),
      onOpenSettings: (key?: string) => openSettings(key),
    });
    return saved > 0 ? vscode.l10n.t('{0} of {1} images came back; the rest failed: {2}', saved, asked, message) : message;
  }

  async keep(resultId: string): Promise<vscode.Uri> {
    const held = this.held.get(resultId);
    if (!held) throw new Error(vscode.l10n.t('This result is no longer available.'));
    if (held.saved) return held.saved;
    const settings = readSettings();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!root) throw new Error(vscode.l10n.t('Open a folder to keep results in it.'));
    const folder = await outputFolderUri(root, settings.outputFolder);
    const name = imageFileName({ prompt: held.stem, time: new Date(held.record.createdAt), index: held.record.index, count: held.record.count, format: held.format });
    held.saved = await writeAsset(folder, name, embedRecord(held.bytes, held.record));
    this.log.info(`kept ${held.saved.toString(true)}`);
    return held.saved;
  }

  discard(resultId: string): void {
    this.held.delete(resultId);
  }

  isKept(resultId: string): boolean {
    return !!this.held.get(resultId)?.saved;
  }

  materialize(resultId: string): Promise<vscode.Uri> {
    return this.keep(resultId);
  }
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
}
