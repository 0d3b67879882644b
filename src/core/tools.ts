import type { GenerateArgs } from './args';
import { apiRequest } from './apiRequest';
import { allowedModel, offeredModels, preferredModel, type ModelSettings } from './modelChoice';
import { COMPLEXITIES, type ModelCapabilities, type ModelTable } from './models';
import { validateRequest, ValidationError } from './request';
import type { RunRequestOf } from './run';
import type { Rect } from '../shared/maskGeometry';
import type { CoreMessage } from '../shared/messages';
import { defined, fitOptions, modelInfo } from '../shared/modelRules';

/**
 * The image tools agents call (Copilot's agent mode through VS Code's language model tools, any
 * MCP client through Pixelwright's MCP server): their names, input schemas, what a model is told
 * about them, the parsing of their input (every field checked, a clear refusal the model can act
 * on), and masks drawn from regions. No `vscode` here: the host and the MCP server both use it.
 */

export const TOOL_NAMES = {
  generate: 'pixelwright_generate_image',
  edit: 'pixelwright_edit_image',
  variations: 'pixelwright_image_variations',
  recipe: 'pixelwright_image_recipe',
} as const;

export type ToolName = (typeof TOOL_NAMES)[keyof typeof TOOL_NAMES];

/** A tool's input was refused: the message says what to change. Nothing was sent or written. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

/** A rectangle or an ellipse (inscribed in the box) to edit, in image pixels or fractions of the image. */
export interface ToolRegion extends Rect {
  readonly shape: 'rectangle' | 'ellipse';
  /** 'pixels' of the image as displayed (EXIF orientation applied), or 'fraction' of its width and height (0-1). Default 'pixels'. */
  readonly units?: 'pixels' | 'fraction';
}

/**
 * Options every making tool takes, as the palette's command takes them; each is checked against
 * the model by core's validation (the palette's rules) when the call is planned, before the user
 * is asked to confirm. SVG and GIF output need the setting (or, for the MCP server, its
 * environment variable); `frameCount` and `frameDurationMs` apply to GIF output only.
 */
export interface ToolOptions extends Pick<GenerateArgs, 'model' | 'size' | 'quality' | 'n' | 'background' | 'outputFormat' | 'complexity' | 'frameCount' | 'frameDurationMs'> {
  /** A workspace-relative folder, or a file name whose extension gives the format. */
  readonly target?: string;
}

export interface GenerateToolInput extends ToolOptions {
  readonly prompt: string;
}

export interface EditToolInput extends ToolOptions {
  /** Workspace-relative paths: the first is edited, the others are references. */
  readonly images: readonly string[];
  readonly prompt: string;
  /** A PNG the size of the image: transparent (or white on black) where to edit. */
  readonly mask?: string;
  readonly regions?: readonly ToolRegion[];
  readonly inputFidelity?: 'low' | 'high';
  /** GPT image models: paste the original's pixels back outside the mask (default true when there is a mask). */
  readonly keepUnmasked?: boolean;
}

export interface VariationToolInput extends ToolOptions {
  readonly image: string;
  readonly prompt?: string;
}

export interface RecipeToolInput {
  readonly image: string;
}

const OPTION_FIELDS = ['model', 'size', 'quality', 'n', 'background', 'outputFormat', 'complexity', 'frameCount', 'frameDurationMs', 'target'] as const;

type Raw = Record<string, unknown>;

function object(raw: unknown): Raw {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ToolInputError('the input must be an object');
  return raw as Raw;
}

function text(raw: Raw, key: string, required: true): string;
function text(raw: Raw, key: string, required?: false): string | undefined;
function text(raw: Raw, key: string, required = false): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (required) throw new ToolInputError(`"${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ToolInputError(`"${key}" must be a string`);
  if (required && !v.trim()) throw new ToolInputError(`"${key}" is empty`);
  return v;
}

function oneOf<T extends string>(raw: Raw, key: string, allowed: readonly T[]): T | undefined {
  const v = text(raw, key);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new ToolInputError(`"${key}" must be one of ${allowed.join(', ')}, not "${v}"`);
  return v as T;
}

/** A whole number, if given (its range is the model's rule, checked by validation). */
function wholeNumber(raw: Raw, key: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ToolInputError(`"${key}" must be a whole number, not ${JSON.stringify(v)}`);
  return v;
}

function unknownFields(raw: Raw, known: readonly string[]): void {
  const extra = Object.keys(raw).filter((k) => !known.includes(k));
  if (extra.length) throw new ToolInputError(`unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}; the tool takes ${known.join(', ')}`);
}

function options(raw: Raw): ToolOptions {
  const n = raw.n;
  if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10)) throw new ToolInputError(`"n" must be a whole number from 1 to 10, not ${JSON.stringify(n)}`);
  return {
    model: text(raw, 'model'),
    size: text(raw, 'size'),
    quality: text(raw, 'quality'),
    n: n as number | undefined,
    background: oneOf(raw, 'background', ['auto', 'transparent', 'opaque'] as const),
    outputFormat: oneOf(raw, 'outputFormat', ['png', 'jpeg', 'webp', 'svg', 'gif'] as const),
    ...defined({
      complexity: oneOf(raw, 'complexity', COMPLEXITIES),
      frameCount: wholeNumber(raw, 'frameCount'),
      frameDurationMs: wholeNumber(raw, 'frameDurationMs'),
    }),
    target: text(raw, 'target'),
  };
}

export function parseGenerateInput(input: unknown): GenerateToolInput {
  const raw = object(input);
  unknownFields(raw, ['prompt', ...OPTION_FIELDS]);
  return { prompt: text(raw, 'prompt', true), ...options(raw) };
}

export function parseEditInput(input: unknown): EditToolInput {
  const raw = object(input);
  unknownFields(raw, ['images', 'prompt', 'mask', 'regions', 'inputFidelity', 'keepUnmasked', ...OPTION_FIELDS]);
  if (raw.keepUnmasked !== undefined && typeof raw.keepUnmasked !== 'boolean') throw new ToolInputError('"keepUnmasked" must be true or false');
  const images = raw.images;
  if (!Array.isArray(images) || images.length === 0 || images.some((p) => typeof p !== 'string' || !p.trim())) {
    throw new ToolInputError('"images" must be a list of one or more workspace-relative image paths (the first is edited)');
  }
  const mask = text(raw, 'mask');
  let regions: ToolRegion[] | undefined;
  if (raw.regions !== undefined) {
    if (!Array.isArray(raw.regions) || raw.regions.length === 0) throw new ToolInputError('"regions" must be a list of one or more rectangles or ellipses');
    regions = raw.regions.map((r, i) => parseRegion(r, i));
  }
  if (mask !== undefined && regions) throw new ToolInputError('give either "mask" (a PNG path) or "regions", not both');
  return { images: images as string[], prompt: text(raw, 'prompt', true), mask, regions, inputFidelity: oneOf(raw, 'inputFidelity', ['low', 'high'] as const), keepUnmasked: raw.keepUnmasked as boolean | undefined, ...options(raw) };
}

export function parseVariationInput(input: unknown): VariationToolInput {
  const raw = object(input);
  unknownFields(raw, ['image', 'prompt', ...OPTION_FIELDS]);
  return { image: text(raw, 'image', true), prompt: text(raw, 'prompt'), ...options(raw) };
}

export function parseRecipeInput(input: unknown): RecipeToolInput {
  const raw = object(input);
  unknownFields(raw, ['image']);
  return { image: text(raw, 'image', true) };
}

function parseRegion(r: unknown, i: number): ToolRegion {
  const where = `regions[${i}]`;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new ToolInputError(`${where} must be an object with shape, x, y, width, height`);
  const raw = r as Raw;
  const extra = Object.keys(raw).filter((k) => !['shape', 'x', 'y', 'width', 'height', 'units'].includes(k));
  if (extra.length) throw new ToolInputError(`${where} has unknown field(s) ${extra.join(', ')}`);
  const shape = raw.shape;
  if (shape !== 'rectangle' && shape !== 'ellipse') throw new ToolInputError(`${where}.shape must be "rectangle" or "ellipse"`);
  const units = raw.units ?? 'pixels';
  if (units !== 'pixels' && units !== 'fraction') throw new ToolInputError(`${where}.units must be "pixels" or "fraction"`);
  const num = (k: 'x' | 'y' | 'width' | 'height') => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ToolInputError(`${where}.${k} must be a number`);
    if ((k === 'width' || k === 'height') && v <= 0) throw new ToolInputError(`${where}.${k} must be greater than 0`);
    return v;
  };
  return { shape, x: num('x'), y: num('y'), width: num('width'), height: num('height'), units };
}

/**
 * The mask the regions draw on an image of `width` x `height` (displayed pixels): one byte per
 * pixel, 255 where to edit. A pixel is painted when its centre lies in a region. Refused (never
 * sent without a mask) when a region lies outside the image or paints no pixel.
 */
export function paintRegions(regions: readonly ToolRegion[], width: number, height: number): { readonly width: number; readonly height: number; readonly painted: Uint8Array } {
  const painted = new Uint8Array(width * height);
  regions.forEach((r, i) => {
    const k = r.units === 'fraction' ? { x: width, y: height } : { x: 1, y: 1 };
    if (r.units === 'fraction' && [r.x, r.y, r.width, r.height].some((v) => v < 0 || v > 1)) {
      throw new ToolInputError(`regions[${i}] is in fractions of the image, so x, y, width and height must be from 0 to 1`);
    }
    const x0 = r.x * k.x;
    const y0 = r.y * k.y;
    const x1 = x0 + r.width * k.x;
    const y1 = y0 + r.height * k.y;
    if (x1 <= 0 || y1 <= 0 || x0 >= width || y0 >= height) {
      throw new ToolInputError(`regions[${i}] (${fmt(x0)},${fmt(y0)} to ${fmt(x1)},${fmt(y1)}) lies outside the ${width}x${height} image`);
    }
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const rx = (x1 - x0) / 2;
    const ry = (y1 - y0) / 2;
    let count = 0;
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
      const py = y + 0.5;
      if (py < y0 || py > y1) continue;
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
        const px = x + 0.5;
        if (px < x0 || px > x1) continue;
        if (r.shape === 'ellipse' && ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1) continue;
        painted[y * width + x] = 255;
        count++;
      }
    }
    if (count === 0) throw new ToolInputError(`regions[${i}] is too small to cover a pixel of the ${width}x${height} image`);
  });
  return { width, height, painted };
}

const fmt = (v: number) => String(Math.round(v * 10) / 10);

/**
 * Where a tool's images go: `target` is a workspace-relative folder ("assets/icons") or file
 * ("assets/hero.png", its extension naming the format). Absent: the output folder setting.
 */
export function splitTarget(target: string | undefined): { readonly folder?: string; readonly name?: string; readonly format?: 'png' | 'jpeg' | 'webp' | 'svg' | 'gif' } {
  if (target === undefined || !target.trim()) return {};
  const t = target.trim().replace(/\\/g, '/');
  const slash = t.lastIndexOf('/');
  const last = t.slice(slash + 1);
  const ext = /\.([a-z0-9]+)$/i.exec(last)?.[1]?.toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[<>:"|?*\u0000-\u001f]/.test(t)) throw new ToolInputError(`"target" has a character that is not allowed in file names on every system: ${JSON.stringify(target)}`);
  if (!ext) return { folder: t };
  const format = ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'webp' ? 'webp' : ext === 'svg' ? 'svg' : ext === 'gif' ? 'gif' : undefined;
  if (!format) throw new ToolInputError(`"target" names a .${ext} file; Pixelwright writes .png, .jpg and .webp images, and .svg and .gif where that output is turned on (or give a folder)`);
  return { folder: slash > 0 ? t.slice(0, slash) : '', name: last, format };
}

export type ToolOperation = 'generate' | 'edit' | 'variation';

/** The settings a tool call falls back on: the provider's model rules and the configured defaults. */
export interface ToolDefaults extends ModelSettings {
  readonly size?: string;
  readonly quality?: string;
  readonly outputFormat?: string;
  /**
   * How SVG and GIF output are turned on where the tools run, for the refusal when they are off
   * (validation names VS Code's setting; the MCP server names its environment variable).
   */
  readonly previewOutputSwitch?: string;
}

/** What a tool call will do: the model, the request (without its sources) and where it writes. */
export interface ToolPlan {
  readonly operation: ToolOperation;
  readonly caps: ModelCapabilities;
  readonly request: RunRequestOf<never>;
  /** Workspace-relative folder; the configured output folder when absent. */
  readonly folder?: string;
  readonly fileName?: string;
}

/**
 * Works out a call of a making tool: the model named (known, able to do the operation, with
 * Azure the deployment's) or the preferred one; options the call gives are sent as given (a wrong
 * one is refused by validation, with the allowed values), the rest fitted from the settings.
 */
export function planToolRun(operation: ToolOperation, input: GenerateToolInput | EditToolInput | VariationToolInput, table: ModelTable, defaults: ToolDefaults): ToolPlan {
  const caps = toolModel(table, defaults, operation, input.model);
  const target = splitTarget(input.target);
  if (target.format && input.outputFormat && target.format !== input.outputFormat) {
    throw new ToolInputError(`"target" names a ${target.format} file but "outputFormat" is ${input.outputFormat}`);
  }
  const fitted = fitOptions(modelInfo(caps, operation), { size: defaults.size, quality: defaults.quality, outputFormat: defaults.outputFormat });
  const request: RunRequestOf<never> = {
    operation,
    model: caps.id,
    prompt: input.prompt ?? '',
    n: input.n ?? 1,
    // A generation takes the configured size; an edit or variation keeps its source's (auto).
    size: input.size ?? (operation === 'generate' ? fitted.size : undefined),
    quality: input.quality ?? fitted.quality,
    background: input.background,
    outputFormat: input.outputFormat ?? target.format ?? fitted.outputFormat,
    ...(operation === 'edit' ? { inputFidelity: (input as EditToolInput).inputFidelity } : {}),
    ...defined({ complexity: input.complexity, frameCount: input.frameCount, frameDurationMs: input.frameDurationMs }),
  };
  checkPlanned(request, caps, defaults);
  return { operation, caps, request, folder: target.folder, fileName: target.name };
}

/**
 * The palette's rules (core's validation) on a planned call, before the user is asked and before
 * any file is read: a refusal names the parameter and what is allowed. SVG and GIF output turned
 * off is said with how to turn it on where the tools run.
 */
function checkPlanned(request: RunRequestOf<never>, caps: ModelCapabilities, defaults: ToolDefaults): void {
  try {
    validateRequest(apiRequest(request, caps), caps, { inputsLater: request.operation !== 'generate' });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const reason = err.text.args[1] as CoreMessage | undefined;
    if (reason?.id === 'validation.previewOff' && defaults.previewOutputSwitch) {
      throw new ToolInputError(`"outputFormat" ${request.outputFormat}: SVG and GIF output are turned off here: ${defaults.previewOutputSwitch}`);
    }
    throw new ToolInputError(err.message);
  }
}

function toolModel(table: ModelTable, settings: ModelSettings, operation: ToolOperation, named: string | undefined): ModelCapabilities {
  const offered = offeredModels(table, settings, operation);
  const words = operation === 'generate' ? 'generate images' : operation === 'edit' ? 'edit images' : 'make variations';
  if (named === undefined) {
    const caps = preferredModel(offered, settings);
    if (!caps) throw new ToolInputError(`no model configured here can ${words}`);
    return caps;
  }
  if (!table.get(named)) throw new ToolInputError(`unknown model "${named}"; models here: ${offered.map((m) => m.id).join(', ')}`);
  const caps = allowedModel(table, settings, named, operation);
  if (!caps) throw new ToolInputError(`${named} cannot ${words} here; use one of ${offered.map((m) => m.id).join(', ') || '(none)'}`);
  return caps;
}

/** What a making tool answers the model: each file's workspace-relative path, a Markdown link, the revised prompt. */
export function describeWritten(written: readonly { readonly path: string; readonly revisedPrompt?: string }[], prompt: string, operation: ToolOperation, error?: string): string {
  const alt = (prompt || operation).replace(/\s+/g, ' ').replace(/[[\]]/g, '').trim().slice(0, 80);
  const link = (p: string) => encodeURI(p).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
  return [
    written.length === 1 ? 'Wrote 1 image into the workspace:' : `Wrote ${written.length} images into the workspace:`,
    ...written.map((w) => `- ${w.path} (Markdown: ![${alt}](${link(w.path)}))${w.revisedPrompt ? `\n  revised prompt: ${w.revisedPrompt}` : ''}`),
    ...(error ? [`Some images failed: ${error}`] : []),
    'Each file carries its recipe (prompt, model, options, sources); paths are relative to the workspace root.',
  ].join('\n');
}

/** What the recipe tool answers for the image at `path` (its record, or why there is none). */
export function describeRecipe(path: string, record: unknown, where?: 'embedded' | 'sidecar'): string {
  const from = where === 'sidecar' ? ` (from its sidecar file ${path}.pixelwright.json)` : '';
  return record ? `Recipe of ${path}${from}:\n${JSON.stringify(record, null, 2)}` : `${path} carries no Pixelwright recipe (it was not made by Pixelwright, or its recipe was removed).`;
}
