/**
 * The mask editor's side of a run: the models and options it offers, and its edits and
 * variations turned into run requests for the run pipeline, which reads and prepares the images,
 * calls the API and pastes the unmasked pixels back. The results are held in memory until the
 * user keeps one, which the pipeline then saves like any image (unique name, temp + rename,
 * recipe inside the file).
 */
import * as vscode from 'vscode';
import type { EditOptions, ResultImage } from '../../shared/editProtocol';
import { readImageSize, RESULT_MIME_TYPES } from '../../shared/imageFormat';
import { editRequestFields, fitEditOptions, modelInfo } from '../../shared/modelRules';
import { loadEngine } from '../platform/engineLoader';
import { translateMessage } from '../platform/messages';
import type { Log } from '../platform/log';
import { modelTable } from '../platform/models';
import { readSettings } from '../platform/settings';
import { allowedModel, offeredModels, preferredModel } from '../../core/modelChoice';
import type { MadeImage, RunEnd, RunPipeline, RunRequest } from '../run/pipeline';
import type { EditBackend, EditRunInput, EditRunOutcome } from './session';

const LAST_EDIT_KEY = 'pixelwright.lastEditOptions';

interface HeldResult {
  readonly image: MadeImage;
  saved?: vscode.Uri;
}

export class HostEditBackend implements EditBackend {
  private readonly held = new Map<string, HeldResult>();
  private nextId = 1;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly pipeline: RunPipeline,
  ) {}

  choices(operation: 'edit' | 'variation') {
    const settings = readSettings();
    const table = modelTable(settings);
    // With Azure only the deployment's model (the setting) is offered, whatever was used last.
    const offered = offeredModels(table, settings, operation);
    const models = offered.map((m) => modelInfo(m, operation, translateMessage));
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

  /**
   * Runs the edit or variation through the run pipeline, holding the results: the user keeps the
   * ones they want (`keep`), and the panel offers to save the rest when it closes.
   */
  async run(input: EditRunInput, token: vscode.CancellationToken, onProgress: (message: string, done: number, total: number) => void): Promise<EditRunOutcome> {
    const t = vscode.l10n.t;
    const settings = readSettings();
    const caps = allowedModel(modelTable(settings), settings, input.options.model, input.operation);
    if (!caps) {
      return {
        results: [],
        error: input.operation === 'edit' ? t('{0} cannot edit images. Pick another model.', input.options.model) : t('{0} cannot make variations. Pick another model.', input.options.model),
      };
    }
    await this.context.globalState.update(LAST_EDIT_KEY, input.options);
    // Only the references the model takes (the editor says which are not sent); none for variations.
    const references = input.operation === 'edit' ? input.references.slice(0, Math.max(0, caps.input.maxImages - 1)) : [];
    if (references.length < input.references.length) this.log.info(`${caps.id} takes ${references.length} of ${input.references.length} reference images; the others are not sent`);
    const o = input.options;
    const request: RunRequest = {
      operation: input.operation,
      model: caps.id,
      prompt: input.prompt,
      n: o.n,
      ...editRequestFields(caps, o),
      sources: { image: input.source, references, mask: input.mask && { png: input.mask }, guide: input.guide, squareMode: o.squareMode, keepUnmasked: o.keepUnmasked },
    };
    const results: ResultImage[] = [];
    let end: RunEnd | undefined;
    await this.pipeline.run(request, caps, settings, {
      hold: true,
      quiet: true,
      observer: {
        token,
        progressLocation: 'none',
        onStatus: onProgress,
        onHeld: (image) => {
          const id = `r${this.nextId++}`;
          this.held.set(id, { image });
          const size = readImageSize(image.bytes) ?? { width: 0, height: 0 };
          results.push({ id, bytes: image.bytes, mime: RESULT_MIME_TYPES[image.format], width: size.width, height: size.height });
        },
        onDone: (e) => (end = e),
      },
    });
    if (!end || end.cancelled) return { results: [], cancelled: true };
    const error = end.error && (results.length > 0 ? t('{0} of {1} images came back; the rest failed: {2}', results.length, o.n, end.error) : end.error);
    const notice = [end.notice, end.costNote].filter((x) => !!x).join(' ') || undefined;
    return { results, error, notice };
  }

  async keep(resultId: string): Promise<vscode.Uri> {
    const held = this.held.get(resultId);
    if (!held) throw new Error(vscode.l10n.t('This result is no longer available.'));
    held.saved ??= await this.pipeline.save(held.image);
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
