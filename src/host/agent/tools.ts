/**
 * The image tools in Copilot's agent mode (VS Code language model tools): generate, edit with a
 * mask (a PNG or regions), variations, and an image's recipe. Each is a thin caller of the run
 * pipeline: it checks the input (paths inside the workspace, real images, a model that can do the
 * operation), shows what it will do and cost before it runs, and answers the model with the
 * written files' paths, a Markdown link each, the revised prompt and the images themselves.
 * Every refusal is a tool error in plain words and writes nothing.
 */
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { isInsideFolder } from '../../core/paths';
import { estimateCost } from '../../core/pricing';
import { estimateText } from '../run/costText';
import {
  describeRecipe, describeWritten, paintRegions, parseEditInput, parseGenerateInput, parseRecipeInput, parseVariationInput, planToolRun, TOOL_NAMES, ToolInputError, type ToolOperation as Operation, type ToolPlan,
} from '../../core/tools';
import { detectImageFormat, RESULT_MIME_TYPES } from '../../shared/imageFormat';
import { loadEngine } from '../platform/engineLoader';
import type { Log } from '../platform/log';
import { modelTable } from '../platform/models';
import { readSettings, type PixelwrightSettings } from '../platform/settings';
import type { RunPipeline, RunRequest } from '../run/pipeline';
import { readRecipe } from '../run/recipes';

/** Images larger than this go back to the model as a path only, not as image data. */
const MAX_DATA_PART_BYTES = 4 * 1024 * 1024;


/** What a call will do, worked out once for the confirmation and again for the run. */
interface Plan extends ToolPlan {
  readonly settings: PixelwrightSettings;
}

export class ImageTools {
  constructor(
    private readonly pipeline: RunPipeline,
    private readonly log: Log,
  ) {}

  /** The tool object VS Code calls for `name` (one of TOOL_NAMES). */
  tool(name: string): vscode.LanguageModelTool<unknown> {
    if (name === TOOL_NAMES.recipe) return { invoke: (o) => this.guard(name, () => this.recipe(o.input)) };
    const operation: Operation = name === TOOL_NAMES.generate ? 'generate' : name === TOOL_NAMES.edit ? 'edit' : 'variation';
    return {
      prepareInvocation: async (o) => {
        try {
          return this.confirmation(await this.plan(operation, o.input));
        } catch {
          // The input is refused in invoke, as a tool error the model reads.
          return { invocationMessage: vscode.l10n.t('Checking the image request…') };
        }
      },
      invoke: (o, token) => this.guard(name, () => this.make(operation, o.input, token)),
    };
  }

  private async guard(name: string, work: () => Promise<vscode.LanguageModelToolResult>): Promise<vscode.LanguageModelToolResult> {
    try {
      const result = await work();
      // The walkthrough's agent step completes on this.
      void vscode.commands.executeCommand('setContext', 'pixelwright.usedByAgent', true);
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn(`tool ${name}: refused: ${message}`);
      // Thrown, so the model sees a failed call with these words and can change its input.
      throw new Error(`Pixelwright: ${message}`);
    }
  }

  private async plan(operation: Operation, input: unknown): Promise<Plan> {
    const settings = readSettings();
    const parsed = operation === 'generate' ? parseGenerateInput(input) : operation === 'edit' ? parseEditInput(input) : parseVariationInput(input);
    return { ...planToolRun(operation, parsed, modelTable(settings), settings), settings };
  }

  private confirmation(plan: Plan): vscode.PreparedToolInvocation {
    const t = vscode.l10n.t;
    const r = plan.request;
    const estimate = estimateCost(r.model, { quality: r.quality, size: r.size, n: r.n });
    const cost = estimateText(estimate, r.model);
    const where = plan.folder !== undefined ? `${plan.folder || '.'}${plan.fileName ? `/${plan.fileName}` : '/'}` : `${plan.settings.outputFolder}/`;
    const lines = [
      r.prompt ? `**${t('Prompt')}:** ${r.prompt.length > 400 ? `${r.prompt.slice(0, 400)}…` : r.prompt}` : undefined,
      `**${t('Model')}:** ${r.model}`,
      r.size ? `**${t('Size')}:** ${r.size}` : undefined,
      r.quality ? `**${t('Quality')}:** ${r.quality}` : undefined,
      `**${t('Images')}:** ${r.n}`,
      `**${t('Estimated cost')}:** ${cost}`,
      `**${t('Written to')}:** \`${where}\` ${t('(never overwriting a file)')}`,
    ].filter(Boolean);
    const title =
      plan.operation === 'generate' ? t('Generate {0} image(s) with {1}?', r.n, r.model) : plan.operation === 'edit' ? t('Edit an image with {0}?', r.model) : t('Make {0} variation(s) with {1}?', r.n, r.model);
    return {
      invocationMessage: plan.operation === 'generate' ? t('Generating with {0}…', r.model) : plan.operation === 'edit' ? t('Editing with {0}…', r.model) : t('Making variations with {0}…', r.model),
      confirmationMessages: { title, message: new vscode.MarkdownString(lines.join('  \n')) },
    };
  }

  private async make(operation: Operation, input: unknown, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const plan = await this.plan(operation, input);
    let request: RunRequest = plan.request;
    if (operation === 'edit') {
      const e = parseEditInput(input);
      const [image, ...references] = await Promise.all(e.images.map((p) => workspaceImage(p)));
      const max = Math.max(0, plan.caps.input.maxImages - 1);
      if (references.length > max) throw new ToolInputError(`${plan.caps.id} takes ${max} reference image(s) besides the one edited; ${references.length} were given`);
      let mask: NonNullable<RunRequest['sources']>['mask'];
      if (e.mask !== undefined) mask = { png: await vscode.workspace.fs.readFile(await workspaceImage(e.mask)) };
      else if (e.regions) {
        const { width, height } = await (await loadEngine()).describeImage(await vscode.workspace.fs.readFile(image));
        mask = paintRegions(e.regions, width, height);
      }
      request = { ...request, sources: { image, references, mask, keepUnmasked: mask !== undefined && plan.caps.family === 'gpt-image' && e.keepUnmasked !== false } };
    } else if (operation === 'variation') {
      request = { ...request, sources: { image: await workspaceImage(parseVariationInput(input).image) } };
    }
    const saved: { uri: vscode.Uri; bytes: Uint8Array; format: keyof typeof RESULT_MIME_TYPES; revisedPrompt?: string }[] = [];
    let error: string | undefined;
    let cancelled = false;
    /** The cost, and what preparing the sources changed: told to the model with the files. */
    let after: string | undefined;
    await this.pipeline.run(request, plan.caps, plan.settings, {
      outputFolder: plan.folder,
      fileName: plan.fileName,
      noOpen: true,
      quiet: true,
      observer: {
        token,
        progressLocation: vscode.ProgressLocation.Window,
        onSaved: (s) => saved.push({ uri: s.uri, bytes: s.bytes, format: s.format as keyof typeof RESULT_MIME_TYPES, revisedPrompt: s.revisedPrompt }),
        onDone: (end) => {
          error = end.error;
          cancelled = end.cancelled;
          after = [end.costNote, end.notice].filter((x) => !!x).join('\n') || undefined;
        },
      },
    });
    if (cancelled) throw new Error('cancelled; nothing was written');
    if (saved.length === 0) throw new Error(error ?? 'nothing was written');
    const said = describeWritten(saved.map((s) => ({ path: vscode.workspace.asRelativePath(s.uri, false), revisedPrompt: s.revisedPrompt })), request.prompt, operation, error);
    const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelDataPart)[] = [new vscode.LanguageModelTextPart(after ? `${said}\n${after}` : said)];
    // An SVG goes back as its path only: the model reads pixels, not vector markup.
    for (const s of saved) if (s.format !== 'svg' && s.bytes.byteLength <= MAX_DATA_PART_BYTES) parts.push(vscode.LanguageModelDataPart.image(s.bytes, RESULT_MIME_TYPES[s.format]));
    return new vscode.LanguageModelToolResult(parts);
  }

  private async recipe(input: unknown): Promise<vscode.LanguageModelToolResult> {
    const uri = await workspaceImage(parseRecipeInput(input).image);
    const found = await readRecipe(uri);
    const rel = vscode.workspace.asRelativePath(uri, false);
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(describeRecipe(rel, found.record, found.where))]);
  }
}

/**
 * A path the model gave, as an image file inside the workspace: relative to the (first)
 * workspace folder, or absolute inside one; no link that leads out; a PNG, JPEG or WebP.
 */
export async function workspaceImage(given: string): Promise<vscode.Uri> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new ToolInputError('no folder is open in VS Code, so there is no workspace to read images from');
  const p = given.trim().replace(/\\/g, '/');
  const absolute = /^([a-zA-Z]:)?\//.test(p);
  const uri = absolute ? vscode.Uri.file(p) : vscode.Uri.joinPath(folders[0].uri, p);
  const root = vscode.workspace.getWorkspaceFolder(uri)?.uri;
  const inside = root && (uri.scheme !== 'file' || isInsideFolder(root.fsPath, uri.fsPath));
  if (!inside) throw new ToolInputError(`"${given}" is outside the workspace; give a path relative to the workspace root`);
  let bytes: Uint8Array;
  try {
    if (uri.scheme === 'file' && !isInsideFolder(await fs.realpath(root.fsPath), await fs.realpath(uri.fsPath))) {
      throw new ToolInputError(`"${given}" is a link to a file outside the workspace`);
    }
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) throw new ToolInputError(`"${given}" is a folder, not an image`);
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (err) {
    if (err instanceof ToolInputError) throw err;
    throw new ToolInputError(`"${given}" does not exist in the workspace`);
  }
  const format = detectImageFormat(bytes.subarray(0, 64));
  if (format !== 'png' && format !== 'jpeg' && format !== 'webp') throw new ToolInputError(`"${given}" is not a PNG, JPEG or WebP image`);
  return uri;
}
