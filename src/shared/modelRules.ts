/**
 * The rules about models that the host and the webviews share, each written once:
 * - the custom-size rule (gpt-image-2's free WxH sizes), as data the caller words;
 * - what a picker shows of a model: ONE description (ModelInfo), built from core's capability
 *   table by modelInfo(), for the Studio, the mask editor and the palette;
 * - how remembered or typed options are fitted to a model (fitOptions), with the two forms'
 *   shapes on top of it (fitStudioOptions, fitEditOptions), and which of the mask editor's
 *   options an edit request carries (editRequestFields).
 * No `vscode`, no Node APIs: imported by core, the host and the browser bundles alike.
 */
import type { Background, ModelCapabilities, Operation, OutputFormat } from '../core/models';
import type { ImageRequest } from '../core/request';
import { englishMessage, type CoreMessage } from './messages';
import type { EditOptions } from './editProtocol';
import type { StudioOptions } from './studioProtocol';

// ---- option values -------------------------------------------------------------------------

/** `complexity`: planning effort, independent of quality (the 2026 models). */
export type Complexity = 'low' | 'medium' | 'high';
export const COMPLEXITIES: readonly Complexity[] = ['low', 'medium', 'high'];
/** GIF output: frames per image and the time each one shows (the SDK's bounds and defaults). */
export const GIF_FRAMES = { min: 2, max: 16, default: 9 } as const;
export const GIF_FRAME_MS = { min: 10, max: 655_350, default: 200 } as const;

// ---- the custom-size rule ------------------------------------------------------------------

/** Free-form WxH sizes (gpt-image-2): both sides a multiple of `multiple`, within these bounds. */
export interface CustomSizeRule {
  readonly multiple: number;
  readonly maxEdge: number;
  readonly maxPixels: number;
  /** Long side over short side, at most. */
  readonly maxRatio: number;
}

/** Parses 'WxH'; undefined for 'auto' or anything else. */
export function parseSize(size: string): { width: number; height: number } | undefined {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** Why a WxH size breaks a custom-size rule, with the bound it breaks. */
export type SizeProblem =
  | { readonly kind: 'format' }
  | { readonly kind: 'min'; readonly value: number }
  | { readonly kind: 'multiple'; readonly value: number }
  | { readonly kind: 'edge'; readonly value: number }
  | { readonly kind: 'pixels'; readonly value: number }
  | { readonly kind: 'ratio'; readonly value: number };

/**
 * Why a WxH size breaks a custom-size rule, or undefined when it fits. The reason is data:
 * validation words it in English (core/models customSizeProblem), the Studio in the user's language.
 */
export function checkCustomSize(size: string, rule: CustomSizeRule): SizeProblem | undefined {
  const s = parseSize(size);
  if (!s) return { kind: 'format' };
  const { width, height } = s;
  if (width < rule.multiple || height < rule.multiple) return { kind: 'min', value: rule.multiple };
  if (width % rule.multiple !== 0 || height % rule.multiple !== 0) return { kind: 'multiple', value: rule.multiple };
  if (Math.max(width, height) > rule.maxEdge) return { kind: 'edge', value: rule.maxEdge };
  if (width * height > rule.maxPixels) return { kind: 'pixels', value: rule.maxPixels };
  if (Math.max(width, height) / Math.min(width, height) > rule.maxRatio) return { kind: 'ratio', value: rule.maxRatio };
  return undefined;
}

// ---- the model as pickers show it ----------------------------------------------------------

/**
 * A model and what it offers for one operation, as the Studio, the mask editor and the palette
 * show it: the capability table's fields (see ModelCapabilities) and three of its input limits.
 */
export interface ModelInfo
  extends Pick<ModelCapabilities, 'id' | 'sizes' | 'customSize' | 'qualities' | 'styles' | 'backgrounds' | 'outputFormats' | 'maxN' | 'streaming' | 'maxPromptChars'> {
  /** Shown next to the model name, in the user's words (see ModelCapabilities.note). */
  readonly note?: string;
  /** Input images an edit takes (the first one and the references). */
  readonly maxImages: number;
  /** Takes input_fidelity (edits and variations only). */
  readonly inputFidelity: boolean;
  /** Takes square input images only (dall-e-2): the editor pads or crops, and keeps no unmasked pixels. */
  readonly squareOnly: boolean;
  /** Takes `complexity` (planning effort, independent of quality). */
  readonly complexity: boolean;
  /** Takes a drawn guide (`markup`, edits only) instead of a mask. */
  readonly markup: boolean;
}

/**
 * The one description of a model for an operation, from core's capability table. `word`: how
 * its note is said (the host passes its translator; English otherwise).
 */
export function modelInfo(caps: ModelCapabilities, operation: Operation, word: (m: CoreMessage) => string = englishMessage): ModelInfo {
  const generate = operation === 'generate';
  return {
    id: caps.id,
    note: caps.note && word(caps.note),
    sizes: caps.sizes,
    // Edits and variations go out with a fixed size (or none).
    customSize: generate ? caps.customSize : undefined,
    // dall-e-2 takes a quality for generations only.
    qualities: !generate && caps.family === 'dall-e-2' ? [] : caps.qualities,
    styles: caps.styles,
    backgrounds: caps.backgrounds,
    // SVG and GIF are offered for generations only: an edit's results are composited and shown as pixels.
    outputFormats: generate ? caps.outputFormats : caps.outputFormats.filter((f) => f !== 'svg' && f !== 'gif'),
    maxN: caps.maxN,
    streaming: caps.streaming,
    maxPromptChars: caps.maxPromptChars,
    maxImages: caps.input.maxImages,
    inputFidelity: !generate && caps.inputFidelity,
    squareOnly: caps.input.squareOnly,
    complexity: caps.complexity,
    markup: operation === 'edit' && caps.markup,
  };
}

/**
 * What the mask editor sends with an edit: the mask, or the guide (never both). The guide needs a
 * model that takes one; `switchTo` is the model to offer then (the first offered that does).
 */
export function guideChoice(models: readonly ModelInfo[], current: ModelInfo, layer: 'mask' | 'guide'): { readonly sends: 'mask' | 'guide' | 'nothing'; readonly switchTo?: string } {
  if (layer === 'mask') return { sends: 'mask' };
  if (current.markup) return { sends: 'guide' };
  return { sends: 'nothing', switchTo: models.find((m) => m.markup)?.id };
}

// ---- options fitted to a model -------------------------------------------------------------

/** The choices every form and request has, as remembered or typed (unchecked). */
export interface OptionChoices {
  readonly size?: string;
  readonly quality?: string;
  readonly style?: string;
  readonly background?: string;
  readonly outputFormat?: string;
  /** Planning effort: low, medium or high; absent for the model's default. */
  readonly complexity?: string;
  /** GIF output: frames (2-16) and milliseconds per frame, as digits; absent for the API's defaults. */
  readonly frames?: string;
  readonly frameMs?: string;
}

/** Choices fitted to a model: each one a value the model offers, or absent where it offers none. */
export interface FittedChoices extends OptionChoices {
  readonly background?: Background;
  readonly outputFormat?: OutputFormat;
  readonly complexity?: Complexity;
}

/** `o` without its undefined members. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A whole number written in digits within [min, max], as the digits; undefined otherwise. */
function digitsIn(value: string | undefined, min: number, max: number): string | undefined {
  return value !== undefined && /^\d{1,6}$/.test(value) && Number(value) >= min && Number(value) <= max ? String(Number(value)) : undefined;
}

/** The GIF frame choices as request fields (numbers), or nothing when the output is not GIF. */
export function gifFields(o: Pick<OptionChoices, 'outputFormat' | 'frames' | 'frameMs'>): { frameCount?: number; frameDurationMs?: number } {
  if (o.outputFormat !== 'gif') return {};
  const frames = digitsIn(o.frames, GIF_FRAMES.min, GIF_FRAMES.max);
  const ms = digitsIn(o.frameMs, GIF_FRAME_MS.min, GIF_FRAME_MS.max);
  return { ...(frames ? { frameCount: Number(frames) } : {}), ...(ms ? { frameDurationMs: Number(ms) } : {}) };
}

export interface FitRules {
  /**
   * A model without 'auto' falls back to its largest fixed size instead of its smallest
   * (edits: dall-e-2 then keeps the most of the input image).
   */
  readonly largestSize?: boolean;
}

/**
 * Fits choices to a model: a choice the model offers is kept (a custom WxH size where the model
 * takes one and the size fits its rule), anything else falls back to the model's default (auto
 * where it has auto), so a default never causes a refusal. Choices the model has none of (its
 * list is empty, or it has one file format only) are left out. Never a transparent JPEG.
 */
export function fitOptions(m: ModelInfo, o: OptionChoices, rules: FitRules = {}): FittedChoices {
  const pick = <T extends string>(value: string | undefined, list: readonly T[], fallback: T | undefined): T | undefined =>
    list.length === 0 ? undefined : value !== undefined && (list as readonly string[]).includes(value) ? (value as T) : fallback;
  const autoOr = <T extends string>(list: readonly T[], otherwise: T | undefined): T | undefined => (list.includes('auto' as T) ? ('auto' as T) : otherwise);
  const customOk = o.size !== undefined && !!m.customSize && !checkCustomSize(o.size, m.customSize);
  const outputFormat = m.outputFormats.length > 1 ? pick(o.outputFormat, m.outputFormats, m.outputFormats.includes('png') ? 'png' : m.outputFormats[0]) : undefined;
  let background = pick(o.background, m.backgrounds, autoOr(m.backgrounds, m.backgrounds[0]));
  if (background === 'transparent' && outputFormat === 'jpeg') background = autoOr(m.backgrounds, undefined);
  return {
    size: customOk ? o.size : pick(o.size, m.sizes, autoOr(m.sizes, rules.largestSize ? m.sizes[m.sizes.length - 1] : m.sizes[0])),
    quality: pick(o.quality, m.qualities, autoOr(m.qualities, m.qualities[0])),
    style: pick(o.style, m.styles, m.styles[0]),
    background,
    outputFormat,
    // The newer choices appear only where they apply (absent, not undefined: stored drafts stay as they were).
    ...defined({
      complexity: m.complexity && (COMPLEXITIES as readonly string[]).includes(o.complexity ?? '') ? (o.complexity as Complexity) : undefined,
      frames: outputFormat === 'gif' ? digitsIn(o.frames, GIF_FRAMES.min, GIF_FRAMES.max) : undefined,
      frameMs: outputFormat === 'gif' ? digitsIn(o.frameMs, GIF_FRAME_MS.min, GIF_FRAME_MS.max) : undefined,
    }),
  };
}

/** The most images one run may ask for (the API's `n`); a model that takes fewer per request gets several requests. */
export const MAX_IMAGES = 10;

/** The image counts a picker offers: 1 to MAX_IMAGES. */
export const IMAGE_COUNTS: readonly number[] = Array.from({ length: MAX_IMAGES }, (_, i) => i + 1);

/** How many images: a whole number from 1 to MAX_IMAGES (1 for anything that is not a number). */
export function fitCount(n: unknown): number {
  return Math.min(MAX_IMAGES, Math.max(1, Math.round(Number(n)) || 1));
}

/** The Studio's options fitted to a model (the form, and the host's starting draft). */
export function fitStudioOptions(m: ModelInfo, o: Partial<StudioOptions>): StudioOptions {
  return { model: m.id, n: fitCount(o.n), ...fitOptions(m, o) };
}

/**
 * The mask editor's options fitted to a model (the form, and the host's starting options).
 * `keepUnmasked` is what the user wants for the models that can keep the unmasked pixels;
 * models that take square images only never keep them.
 */
export function fitEditOptions(m: ModelInfo, o: Partial<EditOptions>, keepUnmasked: boolean): EditOptions {
  const fitted = fitOptions(m, o, { largestSize: true });
  return {
    model: m.id,
    size: fitted.size,
    quality: fitted.quality,
    n: fitCount(o.n),
    outputFormat: fitted.outputFormat,
    background: fitted.background,
    ...defined({ complexity: fitted.complexity }),
    inputFidelity: m.inputFidelity ? o.inputFidelity : undefined,
    keepUnmasked: m.squareOnly ? false : keepUnmasked,
    squareMode: o.squareMode === 'crop' ? 'crop' : 'pad',
  };
}

/**
 * The option fields of an edit or variation request, from the mask editor's options: a field
 * the model does not take for edits is left out; a size or quality only when the model offers
 * it; the others go as given, so that validation refuses a wrong one.
 */
export function editRequestFields(caps: ModelCapabilities, o: EditOptions): Pick<ImageRequest, 'size' | 'quality' | 'outputFormat' | 'background' | 'inputFidelity' | 'complexity'> {
  const m = modelInfo(caps, 'edit');
  return {
    size: o.size && m.sizes.includes(o.size) ? o.size : undefined,
    quality: o.quality && m.qualities.includes(o.quality) ? o.quality : undefined,
    outputFormat: m.outputFormats.length > 1 && o.outputFormat ? (o.outputFormat as OutputFormat) : undefined,
    background: m.backgrounds.length && o.background ? (o.background as Background) : undefined,
    inputFidelity: m.inputFidelity && o.inputFidelity ? o.inputFidelity : undefined,
    ...defined({ complexity: m.complexity && o.complexity ? (o.complexity as Complexity) : undefined }),
  };
}
