/**
 * What can be done with an image's recipe: Remake (the same settings through the run pipeline),
 * Rework (an edit or variation reopens the mask editor with the recipe's settings and sources),
 * Remix (the same settings, a new prompt) and Copy Prompt. A recipe comes from a file in the
 * workspace, which may come from anyone: every run from it asks first (RunOptions.askFirst), and
 * a model the provider lacks is named, with the closest one it offers proposed instead.
 */
import * as vscode from 'vscode';
import { generateArgsFromRecord } from '../../core/args';
import type { StoredRecord } from '../../core/metadata';
import { allowedModel, offeredModels } from '../../core/modelChoice';
import { ModelTable, type Complexity, type ModelCapabilities } from '../../core/models';
import { closestModel } from '../../core/recipe';
import type { Operation } from '../../core/record';
import type { ImageRequest } from '../../core/request';
import type { EditOptions } from '../../shared/editProtocol';
import { defined, editRequestFields, fitCount, fitEditOptions, fitOptions, gifFields, modelInfo } from '../../shared/modelRules';
import type { Log } from '../platform/log';
import { readSettings, type PixelwrightSettings } from '../platform/settings';
import type { RunPipeline, RunRequest } from '../run/pipeline';

/** The mask editor's starting point for a Rework: the recipe's prompt and options (the edit command checks and fits them). */
export interface ReworkPreset {
  readonly prompt: string;
  readonly options: Partial<EditOptions>;
}

export class RecipeActions {
  constructor(
    private readonly pipeline: RunPipeline,
    private readonly log: Log,
  ) {}

  /**
   * The model to run the recipe with: its own when the provider offers it for the operation,
   * else (after asking) the closest one offered; undefined when the user declines or none can.
   */
  async modelFor(record: StoredRecord, settings: PixelwrightSettings): Promise<ModelCapabilities | undefined> {
    const t = vscode.l10n.t;
    const table = new ModelTable(settings.customModels);
    const own = allowedModel(table, settings, record.model, record.operation);
    if (own) return own;
    const closest = closestModel(record.model, offeredModels(table, settings, record.operation));
    if (!closest) {
      void vscode.window.showErrorMessage(t('Pixelwright: {0} is not offered by this provider, and no model it offers can do this.', record.model));
      return undefined;
    }
    const use = t('Use {0}', closest.id);
    const pick = await vscode.window.showWarningMessage(
      t('{0} is not offered by this provider.', record.model),
      { modal: true, detail: t('The closest model it offers is {0}. Options it does not take are set to its defaults.', closest.id) },
      use,
    );
    return pick === use ? closest : undefined;
  }

  /**
   * Makes the image again with the recipe's settings (and `prompt`, for a Remix), through the run
   * pipeline, which asks first. A masked edit cannot be made again without its mask (which the
   * recipe does not keep): the mask editor opens instead.
   */
  async remake(image: vscode.Uri, record: StoredRecord, prompt = record.prompt): Promise<vscode.Uri[]> {
    const t = vscode.l10n.t;
    if (record.operation !== 'generate' && record.options.masked === true) {
      const rework = t('Rework…');
      const pick = await vscode.window.showInformationMessage(t('This edit was painted with a mask, which its recipe does not keep. Rework opens the mask editor with its settings to paint it again.'), rework);
      if (pick === rework) await this.rework(image, record, prompt);
      return [];
    }
    const settings = readSettings();
    const caps = await this.modelFor(record, settings);
    if (!caps) return [];
    const request = await this.requestFrom(image, record, caps, prompt);
    if (!request) return [];
    this.log.info(`recipe: remake of ${vscode.workspace.asRelativePath(image, false)} with ${caps.id}${caps.id !== record.model ? ` (the recipe's ${record.model} is not offered)` : ''}`);
    // One question before anything is spent: the pipeline's, with what will run and its estimate.
    // A generation the model refuses (a prompt too long for it, say) offers "Edit Prompt": the
    // palette opens with the recipe's settings and asks for the prompt.
    const editPrompt = record.operation === 'generate' ? () => vscode.commands.executeCommand('pixelwright.generate', { ...generateArgsFromRecord(record), prompt: undefined }) : undefined;
    return this.pipeline.run(request, caps, settings, { askFirst: true, recipeFrom: image, actions: { editPrompt } });
  }

  /** Remix: asks for a new prompt (the recipe's to start from), then remakes (or reworks a masked edit) with it. */
  async remix(image: vscode.Uri, record: StoredRecord): Promise<vscode.Uri[]> {
    const t = vscode.l10n.t;
    const prompt = await vscode.window.showInputBox({
      title: t('Remix {0}', baseName(image)),
      prompt: t('The same settings with a new prompt'),
      value: record.prompt,
      valueSelection: [0, record.prompt.length],
      ignoreFocusOut: true,
      validateInput: (v) => (record.operation !== 'variation' && !v.trim() ? t('Describe the picture you want.') : undefined),
    });
    if (prompt === undefined) return [];
    return this.remake(image, record, prompt);
  }

  /**
   * Rework: an edit or a variation reopens the mask editor on its source (and references) with
   * its prompt and options. A source no longer in the workspace is said; the image itself can be
   * reworked instead.
   */
  async rework(image: vscode.Uri, record: StoredRecord, prompt = record.prompt): Promise<void> {
    const t = vscode.l10n.t;
    const operation: 'edit' | 'variation' = record.operation === 'variation' ? 'variation' : 'edit';
    let [source, ...references] = record.operation === 'generate' ? [] : await this.sourceUris(image, record);
    if (!source) {
      const here = t('Rework This Image');
      const why = record.operation === 'generate' ? t('{0} is a generation: it has no source to rework.', baseName(image)) : t('The source of {0} is no longer in the workspace.', baseName(image));
      const pick = await vscode.window.showInformationMessage(why, here);
      if (pick !== here) return;
      source = image;
      references = [];
    }
    const preset: ReworkPreset = { prompt, options: editOptionsFrom(record) };
    await vscode.commands.executeCommand(operation === 'edit' ? 'pixelwright.editImage' : 'pixelwright.createVariations', source, [source, ...references], preset);
    if (record.options.masked === true) void vscode.window.showInformationMessage(t('Paint the mask again: the recipe keeps the settings, not the mask.'));
  }

  async copyPrompt(record: StoredRecord): Promise<string> {
    await vscode.env.clipboard.writeText(record.prompt);
    return vscode.l10n.t('Prompt copied.');
  }

  /** The recipe's sources as files in the workspace (those that still exist, in order; undefined holes dropped). */
  async sourceUris(image: vscode.Uri, record: StoredRecord): Promise<vscode.Uri[]> {
    const out: vscode.Uri[] = [];
    for (const p of record.sources ?? []) {
      const uri = await resolveWorkspacePath(p, image);
      if (uri) out.push(uri);
      else if (out.length === 0) return []; // the image edited is gone: the references alone are no rework
    }
    return out;
  }

  /** The run request of a Remake: the recipe's options (fitted when another model is used), the sources for edits and variations. */
  private async requestFrom(imageFile: vscode.Uri, record: StoredRecord, caps: ModelCapabilities, prompt: string): Promise<RunRequest | undefined> {
    const t = vscode.l10n.t;
    const changed = caps.id !== record.model;
    if (record.operation === 'generate') {
      const args = generateArgsFromRecord(record);
      const choices = { ...args, frames: args.frameCount?.toString(), frameMs: args.frameDurationMs?.toString() };
      const fitted = changed ? fitOptions(modelInfo(caps, 'generate'), choices) : choices;
      const outputFormat = fitted.outputFormat as ImageRequest['outputFormat'];
      const req: ImageRequest = {
        operation: 'generate',
        model: caps.id,
        prompt,
        n: fitCount(args.n ?? 1),
        size: fitted.size,
        quality: fitted.quality,
        style: fitted.style,
        background: fitted.background as ImageRequest['background'],
        outputFormat,
        outputCompression: caps.compression && (outputFormat === 'jpeg' || outputFormat === 'webp') ? args.outputCompression : undefined,
        moderation: caps.moderation ? args.moderation : undefined,
        // The recipe's planning effort and GIF frames, where the model takes them.
        ...defined({ complexity: caps.complexity ? (fitted.complexity as Complexity | undefined) : undefined }),
        ...gifFields(fitted),
      };
      return req;
    }
    const image = record.sources?.[0];
    const files = await this.sourceUris(imageFile, record);
    if (!image || files.length === 0) {
      void vscode.window.showErrorMessage(t('Pixelwright: the source {0} is no longer in the workspace, so this cannot be made again.', image ?? '?'));
      return undefined;
    }
    const operation = record.operation as Exclude<Operation, 'generate'>;
    const options = fitEditOptions(modelInfo(caps, operation), editOptionsFrom(record), record.options.keep_unmasked === true);
    return {
      operation,
      model: caps.id,
      prompt,
      n: options.n,
      ...editRequestFields(caps, options),
      sources: {
        image: files[0],
        references: operation === 'edit' ? files.slice(1, Math.max(1, caps.input.maxImages)) : [],
        squareMode: options.squareMode,
      },
    };
  }
}

/** The mask editor's options from a recipe's (API-named) options. */
export function editOptionsFrom(record: StoredRecord): Partial<EditOptions> {
  const o = record.options as Record<string, unknown>;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return {
    model: record.model,
    n: typeof o.n === 'number' ? o.n : typeof record.count === 'number' ? record.count : 1,
    size: s('size'),
    quality: s('quality'),
    outputFormat: s('output_format'),
    background: s('background'),
    inputFidelity: o.input_fidelity === 'high' || o.input_fidelity === 'low' ? o.input_fidelity : undefined,
    keepUnmasked: o.keep_unmasked === true,
    squareMode: o.square === 'crop' ? 'crop' : 'pad',
  };
}

/**
 * A recipe's source path (workspace-relative, as the recipe names it; the folder's name first in
 * a multi-root workspace) as a file in the workspace, or undefined when there is none.
 */
export async function resolveWorkspacePath(path: string, near?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (!path || path.includes('\0') || /(^|[\\/])\.\.([\\/]|$)/.test(path) || /^([a-zA-Z]:)?[\\/]/.test(path)) return undefined;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const own = near && vscode.workspace.getWorkspaceFolder(near);
  const candidates: vscode.Uri[] = [];
  const parts = path.split(/[\\/]/).filter(Boolean);
  for (const f of [...(own ? [own] : []), ...folders]) {
    candidates.push(vscode.Uri.joinPath(f.uri, ...parts));
    if (parts[0] === f.name && parts.length > 1) candidates.push(vscode.Uri.joinPath(f.uri, ...parts.slice(1)));
  }
  for (const c of candidates) {
    try {
      if ((await vscode.workspace.fs.stat(c)).type & vscode.FileType.File) return c;
    } catch {
      // not there
    }
  }
  return undefined;
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
}
