/**
 * The model capability table: what each image model accepts, as of November 2026.
 * Every request is checked against it (validateRequest in request.ts) before any network call.
 */
import { checkCustomSize, COMPLEXITIES, GIF_FRAME_MS, GIF_FRAMES, type Complexity, type CustomSizeRule } from '../shared/modelRules';
import { englishMessage, msg, type CoreMessage } from '../shared/messages';
import type { Operation } from './record';

export type { Operation };
/** The custom-size rule lives in src/shared: the Studio checks a size with it as it is typed. */
export type { CustomSizeRule };
/** The raster formats every GPT image model returns (and the formats input images are sent in). */
export type RasterFormat = 'png' | 'jpeg' | 'webp';
/** Vector and animated output (SVG, GIF): served to projects with access only, behind a setting. */
export type PreviewFormat = 'svg' | 'gif';
export type OutputFormat = RasterFormat | PreviewFormat;
export { COMPLEXITIES, GIF_FRAME_MS, GIF_FRAMES, type Complexity };
export const PREVIEW_FORMATS: readonly PreviewFormat[] = ['svg', 'gif'];
export type Background = 'auto' | 'transparent' | 'opaque';

export interface InputLimits {
  readonly maxImages: number;
  readonly maxBytes: number;
  readonly formats: readonly RasterFormat[];
  readonly squareOnly: boolean;
}

export interface ModelCapabilities {
  readonly id: string;
  readonly family: 'gpt-image' | 'dall-e-2' | 'dall-e-3';
  readonly operations: readonly Operation[];
  /** Fixed sizes offered, 'auto' included where the model allows it. */
  readonly sizes: readonly string[];
  readonly customSize?: CustomSizeRule;
  readonly qualities: readonly string[];
  /** Images per request; more become parallel requests. */
  readonly maxN: number;
  readonly styles: readonly string[];
  readonly backgrounds: readonly Background[];
  /**
   * Formats the API can return. DALL·E always returns PNG. SVG and GIF are listed only when the
   * user turned on `pixelwright.experimental.vectorAndAnimatedOutput` (see ModelTable).
   */
  readonly outputFormats: readonly OutputFormat[];
  /** SVG and GIF: what the model may serve to a project with access (offered behind the setting). */
  readonly previewFormats: readonly PreviewFormat[];
  /** Takes `complexity` (planning effort, independent of quality), generations and edits. */
  readonly complexity: boolean;
  readonly compression: boolean;
  readonly moderation: boolean;
  readonly streaming: boolean;
  readonly inputFidelity: boolean;
  /**
   * Takes `markup` on edits: a transparent guide PNG drawn over the first image (arrows,
   * outlines, scribbles), never together with a mask (SDK 7.57: GPT Image 2.5 only).
   */
  readonly markup: boolean;
  /** DALL·E answers with URLs unless asked for b64_json; GPT image models always send base64. */
  readonly responseFormat: boolean;
  readonly maxPromptChars: number;
  readonly input: InputLimits;
  /** Shown next to the model name: where it is still served (a message id; the host words it). */
  readonly note?: CoreMessage;
}

const MB = 1024 * 1024;
const GPT_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536'] as const;
const GPT_QUALITIES = ['auto', 'low', 'medium', 'high'] as const;
const GPT_INPUT: InputLimits = { maxImages: 16, maxBytes: 50 * MB, formats: ['png', 'webp', 'jpeg'], squareOnly: false };

function gptImage(id: string, extra: Partial<ModelCapabilities> = {}): ModelCapabilities {
  return {
    id,
    family: 'gpt-image',
    operations: ['generate', 'edit', 'variation'],
    sizes: GPT_SIZES,
    qualities: GPT_QUALITIES,
    maxN: 10,
    styles: [],
    backgrounds: ['auto', 'transparent', 'opaque'],
    outputFormats: ['png', 'jpeg', 'webp'],
    previewFormats: [],
    complexity: false,
    compression: true,
    moderation: true,
    streaming: true,
    inputFidelity: true,
    markup: false,
    responseFormat: false,
    maxPromptChars: 32000,
    input: GPT_INPUT,
    ...extra,
  };
}

/**
 * What the DALL·E models share: PNG only (no format, compression or background choice), no
 * moderation, streaming or input fidelity, and URLs unless asked for b64_json.
 */
const DALL_E = {
  backgrounds: [],
  outputFormats: ['png'],
  previewFormats: [],
  complexity: false,
  compression: false,
  moderation: false,
  streaming: false,
  inputFidelity: false,
  markup: false,
  responseFormat: true,
} as const satisfies Partial<ModelCapabilities>;

const GPT_IMAGE_2_SIZES: CustomSizeRule = { multiple: 16, maxEdge: 3840, maxPixels: 3840 * 2160, maxRatio: 3 };
/** GPT Image 2.5 adds two qualities above high. */
const GPT_IMAGE_25_QUALITIES = [...GPT_QUALITIES, 'xhigh', 'max'] as const;
const REPLACES_GPT_IMAGE_1 = msg('model.replaces', 'gpt-image-1');
/**
 * `complexity`, SVG and GIF output came with the 2.5 and 2.6 models (SDK 7.57; the August 2026
 * spec, which has gpt-image-2, has none of them). The SDK names no model for them, so they are
 * offered on these models only, and the server has the last word (SVG and GIF need project access).
 */
const GPT_IMAGE_2026 = { complexity: true, previewFormats: PREVIEW_FORMATS } as const;

/**
 * The built-in models, newest first. Where SDK 7.57 is silent about a model (custom sizes and a
 * transparent background for 2.6, input_fidelity for 2.5 and 2.6), nothing is offered rather than
 * guessed: a refusal from the server is worse than an option left out.
 */
export const BUILTIN_MODELS: readonly ModelCapabilities[] = [
  gptImage('gpt-image-2.6-sunburst', { ...GPT_IMAGE_2026, inputFidelity: false, backgrounds: ['auto', 'opaque'] }),
  gptImage('gpt-image-2.6-flare', { ...GPT_IMAGE_2026, inputFidelity: false, backgrounds: ['auto', 'opaque'] }),
  gptImage('gpt-image-2.5-sunburst', { ...GPT_IMAGE_2026, inputFidelity: false, qualities: GPT_IMAGE_25_QUALITIES, customSize: GPT_IMAGE_2_SIZES, markup: true, note: REPLACES_GPT_IMAGE_1 }),
  gptImage('gpt-image-2.5-flare', { ...GPT_IMAGE_2026, inputFidelity: false, qualities: GPT_IMAGE_25_QUALITIES, customSize: GPT_IMAGE_2_SIZES, markup: true, note: REPLACES_GPT_IMAGE_1 }),
  // The SDK says to omit input_fidelity for gpt-image-2.
  gptImage('gpt-image-2', { customSize: GPT_IMAGE_2_SIZES, inputFidelity: false }),
  gptImage('gpt-image-1.5'),
  gptImage('gpt-image-1-mini', { inputFidelity: false }),
  gptImage('chatgpt-image-latest'),
  gptImage('gpt-image-1', { note: msg('model.retiredOn', '2026-10-23') }),
  {
    id: 'dall-e-3',
    family: 'dall-e-3',
    operations: ['generate'],
    sizes: ['1024x1024', '1792x1024', '1024x1792'],
    qualities: ['standard', 'hd'],
    maxN: 1,
    styles: ['vivid', 'natural'],
    ...DALL_E,
    maxPromptChars: 4000,
    input: { maxImages: 0, maxBytes: 0, formats: [], squareOnly: true },
    note: msg('model.retiredOn', '2026-05-12'),
  },
  {
    id: 'dall-e-2',
    family: 'dall-e-2',
    operations: ['generate', 'edit', 'variation'],
    sizes: ['256x256', '512x512', '1024x1024'],
    qualities: ['standard'],
    maxN: 10,
    styles: [],
    ...DALL_E,
    maxPromptChars: 1000,
    input: { maxImages: 1, maxBytes: 4 * MB, formats: ['png'], squareOnly: true },
    note: msg('model.retired'),
  },
];

/** Dated snapshots that behave like their family. */
const ALIASES: Readonly<Record<string, string>> = {
  'gpt-image-2-2026-04-21': 'gpt-image-2',
  'gpt-image-2.5-sunburst-2026-09-08': 'gpt-image-2.5-sunburst',
  'gpt-image-2.5-flare-2026-09-08': 'gpt-image-2.5-flare',
};

/** A model a user declares for a compatible server (setting `pixelwright.customModels`). */
export interface CustomModelDeclaration {
  readonly id: string;
  /** A built-in model whose capabilities it shares; gpt-image-1.5 when absent. */
  readonly like?: string;
  readonly sizes?: readonly string[];
  readonly maxN?: number;
}

export interface ModelTableOptions {
  /** Offer SVG and GIF output where a model may serve it (`pixelwright.experimental.vectorAndAnimatedOutput`). */
  readonly previewFormats?: boolean;
}

export class ModelTable {
  private readonly byId = new Map<string, ModelCapabilities>();

  constructor(custom: readonly CustomModelDeclaration[] = [], options: ModelTableOptions = {}) {
    for (const m of BUILTIN_MODELS) this.byId.set(m.id, options.previewFormats && m.previewFormats.length ? { ...m, outputFormats: [...m.outputFormats, ...m.previewFormats] } : m);
    for (const [alias, target] of Object.entries(ALIASES)) this.byId.set(alias, { ...this.byId.get(target)!, id: alias });
    for (const c of custom) {
      const base = this.byId.get(c.like ?? 'gpt-image-1.5') ?? this.byId.get('gpt-image-1.5')!;
      this.byId.set(c.id, {
        ...base,
        id: c.id,
        sizes: c.sizes && c.sizes.length > 0 ? c.sizes : base.sizes,
        customSize: c.sizes && c.sizes.length > 0 ? undefined : base.customSize,
        maxN: c.maxN ?? base.maxN,
        note: msg('model.custom', base.id),
      });
    }
  }

  get(id: string): ModelCapabilities | undefined {
    return this.byId.get(id);
  }

  /** Models offered in pickers: built-ins and custom ones (aliases hidden). */
  list(operation?: Operation): ModelCapabilities[] {
    return [...this.byId.values()].filter((m) => !(m.id in ALIASES) && (!operation || m.operations.includes(operation)));
  }
}

/** Why a WxH size breaks a custom-size rule, as a message id with its bound; undefined when it fits. */
export function customSizeMessage(size: string, rule: CustomSizeRule): CoreMessage | undefined {
  const p = checkCustomSize(size, rule);
  switch (p?.kind) {
    case undefined:
      return undefined;
    case 'format':
      return msg('size.format');
    case 'pixels':
      return msg('size.pixels', p.value.toLocaleString('en-US'));
    case 'min':
    case 'multiple':
    case 'edge':
    case 'ratio':
      return msg(`size.${p.kind}`, p.value);
  }
}

/** The same in English (validation's `problem`, the MCP server). */
export function customSizeProblem(size: string, rule: CustomSizeRule): string | undefined {
  const m = customSizeMessage(size, rule);
  return m && englishMessage(m);
}
