/**
 * What the fake Images API accepts: the model table and request validation, following
 * /work/shared/reference (OpenAPI spec f85dbe2 + SDK 7.57.0). Every refusal is an ApiError in
 * the service's shape `{"error":{"message","type","param","code"}}` with `param` naming the
 * parameter at fault. Checks run in a fixed order and the first failure wins, as the service
 * reports one error at a time.
 */
import sharp from 'sharp';
import { inspectImage, orientedSize, type ImageFormat, type ImageInfo } from './images';

export type Operation = 'generate' | 'edit' | 'variation';
export type Family = 'gpt' | 'dall-e-2' | 'dall-e-3';

export interface ModelSpec {
  id: string;
  family: Family;
  /** gpt-image-2: any WxH within the custom-size rules. */
  customSizes: boolean;
  /** Edits only; gpt-image-1-mini does not take it, and gpt-image-2 and later are to omit it. */
  inputFidelity: boolean;
  /** GPT Image 2.5 (and its snapshots): quality xhigh and max too. */
  extraQualities?: boolean;
  /**
   * The 2026 models (2.5 and 2.6 families): `complexity`, and output_format svg and gif, which
   * are served only to projects with access (FakeOptions.previewAccess).
   */
  newer?: boolean;
  /** GPT Image 2.5 (and its snapshots): edits take `markup`, a drawn guide. */
  markup?: boolean;
}

/** Which of the gated outputs the fake's project has access to (both off, as for most projects). */
export interface PreviewAccess {
  svg: boolean;
  gif: boolean;
}

const gpt = (id: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  id,
  family: 'gpt',
  customSizes: false,
  inputFidelity: true,
  ...extra,
});

export const MODELS: ReadonlyMap<string, ModelSpec> = new Map(
  [
    gpt('gpt-image-2.6-sunburst', { inputFidelity: false, newer: true }),
    gpt('gpt-image-2.6-flare', { inputFidelity: false, newer: true }),
    ...['gpt-image-2.5-sunburst', 'gpt-image-2.5-flare', 'gpt-image-2.5-sunburst-2026-09-08', 'gpt-image-2.5-flare-2026-09-08'].map((id) =>
      gpt(id, { customSizes: true, inputFidelity: false, extraQualities: true, newer: true, markup: true }),
    ),
    gpt('gpt-image-2', { customSizes: true, inputFidelity: false }),
    gpt('gpt-image-2-2026-04-21', { customSizes: true, inputFidelity: false }),
    gpt('gpt-image-1.5'),
    gpt('gpt-image-1-mini', { inputFidelity: false }),
    gpt('chatgpt-image-latest'),
    gpt('gpt-image-1'),
    { id: 'dall-e-3', family: 'dall-e-3', customSizes: false, inputFidelity: false } satisfies ModelSpec,
    { id: 'dall-e-2', family: 'dall-e-2', customSizes: false, inputFidelity: false } satisfies ModelSpec,
  ].map((m) => [m.id, m]),
);

const OPERATION_MODELS: Readonly<Record<Operation, (m: ModelSpec) => boolean>> = {
  generate: () => true,
  edit: (m) => m.family !== 'dall-e-3',
  variation: (m) => m.family === 'dall-e-2',
};

export const MB = 1024 * 1024;
export const GPT_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'] as const;
export const DALLE2_SIZES = ['256x256', '512x512', '1024x1024'] as const;
export const DALLE3_SIZES = ['1024x1024', '1792x1024', '1024x1792'] as const;
export const CUSTOM_SIZE = { multiple: 16, maxEdge: 3840, maxPixels: 3840 * 2160, maxRatio: 3 } as const;

/** A refusal, sent as is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: Record<string, unknown> },
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error['message']));
  }
}

export function openaiError(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
  type = 'invalid_request_error',
  headers: Record<string, string> = {},
): ApiError {
  return new ApiError(status, { error: { message, type, param, code } }, headers);
}

const invalid = (message: string, param: string | null, code: string | null = 'invalid_value'): ApiError =>
  openaiError(400, message, param, code);

function listValues(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

function invalidValue(param: string, value: unknown, allowed: readonly string[]): ApiError {
  return invalid(`Invalid value: '${String(value)}'. Supported values are: ${listValues(allowed)}.`, param);
}

/** One uploaded file, from a multipart part or a JSON data: URL. */
export interface Upload {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** The request's parameters, however they came. */
export interface RawParams {
  source: 'json' | 'multipart';
  /** JSON: the body's members. Multipart: text fields (first value of each name). */
  values: Record<string, unknown>;
  /** Multipart file parts (JSON edits: decoded `images[]` / `mask`). */
  uploads: Upload[];
}

export interface InputImage extends ImageInfo {
  field: string;
  bytes: Buffer;
}

/** A request that passed validation, with every default resolved. */
export interface ImageJob {
  operation: Operation;
  model: ModelSpec;
  prompt: string;
  n: number;
  /** As requested ('auto' kept), and the pixels it resolves to. */
  sizeRequested: string;
  width: number;
  height: number;
  /** Resolved for the response: low|medium|high for GPT image, standard|hd for DALL·E. */
  quality: string;
  style?: string;
  background: 'transparent' | 'opaque';
  outputFormat: ImageFormat | 'svg' | 'gif';
  /** GIF output: frames and the delay of each (ms, rounded to 10 as the API does). */
  frameCount: number;
  frameDurationMs: number;
  outputCompression: number;
  responseFormat: 'url' | 'b64_json';
  stream: boolean;
  partialImages: number;
  inputs: InputImage[];
  mask?: InputImage;
  /** The guide (`markup`) an edit came with. */
  markup?: InputImage;
}

const COMMON = ['prompt', 'model', 'n', 'size', 'user', 'safety_identifier'];
/** SDK 7.57: complexity, GIF frames, the SVG author (JSON `svg`, multipart `svg[model]`...). */
const NEWER = ['complexity', 'frame_count', 'frame_duration_ms', 'svg', 'svg[model]', 'svg[reasoning][effort]'];
const KNOWN: Readonly<Record<Operation | 'edit-json', ReadonlySet<string>>> = {
  generate: new Set([
    ...COMMON,
    'quality', 'response_format', 'output_format', 'output_compression', 'stream', 'partial_images',
    'moderation', 'background', 'style', ...NEWER,
  ]),
  edit: new Set([
    ...COMMON,
    'image', 'image[]', 'mask', 'markup', 'background', 'response_format', 'output_format', 'output_compression',
    'input_fidelity', 'stream', 'partial_images', 'quality', ...NEWER,
  ]),
  'edit-json': new Set([
    ...COMMON,
    'images', 'mask', 'quality', 'input_fidelity', 'output_format', 'output_compression', 'moderation',
    'background', 'stream', 'partial_images', ...NEWER,
  ]),
  variation: new Set(['image', 'model', 'n', 'response_format', 'size', 'user']),
};

/** Parameters only the GPT image models take (stream=false is tolerated everywhere). */
const GPT_ONLY = ['background', 'output_format', 'output_compression', 'moderation', 'stream', 'partial_images', 'input_fidelity'];
const IMAGE_MODEL_NAME = /^(gpt-image|dall-e|chatgpt-image)/;

/** The model a request names, or the endpoint's default, without validating anything else. */
export function requestedModel(operation: Operation, values: Record<string, unknown>): string {
  const m = values['model'];
  if (typeof m === 'string' && m !== '') return m;
  if (operation === 'variation') return 'dall-e-2';
  if (operation === 'edit') return 'gpt-image-1.5';
  // The spec: generations default to dall-e-2 unless a GPT-image-only parameter is used.
  return GPT_ONLY.some((p) => values[p] !== undefined && values[p] !== null && values[p] !== false)
    ? 'gpt-image-1.5'
    : 'dall-e-2';
}

/** Reads typed values from JSON or multipart text. */
class Reader {
  constructor(private readonly raw: RawParams) {}

  has(name: string): boolean {
    const v = this.raw.values[name];
    return v !== undefined && v !== null;
  }

  string(name: string): string | undefined {
    const v = this.raw.values[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw typeError(name, 'a string', v);
    return v;
  }

  integer(name: string): number | undefined {
    const v = this.raw.values[name];
    if (v === undefined || v === null) return undefined;
    if (this.raw.source === 'multipart' && typeof v === 'string') {
      if (!/^\s*-?\d+\s*$/.test(v)) {
        throw invalid(`Invalid type for '${name}': expected an integer, but got '${v}' instead.`, name, 'invalid_type');
      }
      return Number(v);
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(name, 'an integer', v);
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.raw.values[name];
    if (v === undefined || v === null) return undefined;
    if (this.raw.source === 'multipart' && typeof v === 'string') {
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw invalid(`Invalid type for '${name}': expected a boolean, but got '${v}' instead.`, name, 'invalid_type');
    }
    if (typeof v !== 'boolean') throw typeError(name, 'a boolean', v);
    return v;
  }

  enumOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw invalidValue(name, v, allowed);
    return v as T;
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return 'an object';
}

function typeError(name: string, expected: string, got: unknown): ApiError {
  return invalid(`Invalid type for '${name}': expected ${expected}, but got ${jsonKind(got)} instead.`, name, 'invalid_type');
}

function range(name: string, v: number, min: number, max: number): void {
  if (v < min) {
    throw invalid(`Invalid '${name}': integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, 'integer_below_min_value');
  }
  if (v > max) {
    throw invalid(`Invalid '${name}': integer above maximum value. Expected a value <= ${max}, but got ${v} instead.`, name, 'integer_above_max_value');
  }
}

function unsupported(name: string, model: string): ApiError {
  return invalid(`Unsupported parameter: '${name}' is not supported with this model (${model}).`, name, 'unsupported_parameter');
}

/** Why a gpt-image-2 WxH size is refused, or undefined when it is fine. */
export function customSizeProblem(width: number, height: number): string | undefined {
  const r = CUSTOM_SIZE;
  if (width < r.multiple || height < r.multiple) return `width and height must each be at least ${r.multiple} pixels`;
  if (width % r.multiple !== 0 || height % r.multiple !== 0) return `width and height must both be divisible by ${r.multiple}`;
  if (Math.max(width, height) > r.maxEdge) return `the longest edge must be at most ${r.maxEdge} pixels`;
  if (width * height > r.maxPixels) return `the image must have at most ${r.maxPixels} pixels (3840x2160)`;
  if (Math.max(width, height) / Math.min(width, height) > r.maxRatio) return `the aspect ratio must be between 1:${r.maxRatio} and ${r.maxRatio}:1`;
  return undefined;
}

function parseWxH(size: string): { width: number; height: number } | undefined {
  const m = /^(\d{1,6})x(\d{1,6})$/.exec(size);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

function checkSize(model: ModelSpec, size: string): void {
  if (model.family === 'dall-e-3' || model.family === 'dall-e-2') {
    const allowed: readonly string[] = model.family === 'dall-e-3' ? DALLE3_SIZES : DALLE2_SIZES;
    if (!allowed.includes(size)) {
      throw invalid(
        `Invalid size '${size}'. The size is not supported by this model; ${model.id} supports ${allowed.join(', ')}.`,
        'size',
        'invalid_size',
      );
    }
    return;
  }
  if ((GPT_SIZES as readonly string[]).includes(size)) return;
  if (!model.customSizes) throw invalidValue('size', size, GPT_SIZES);
  const wxh = parseWxH(size);
  if (!wxh) {
    throw invalid(`Invalid size '${size}'. Use 'auto' or WIDTHxHEIGHT, for example '1536x864'.`, 'size', 'invalid_size');
  }
  const problem = customSizeProblem(wxh.width, wxh.height);
  if (problem) throw invalid(`Invalid size '${size}': ${problem}.`, 'size', 'invalid_size');
}

/** 'auto' for an edit: the first input's size, clamped to what the model can produce. */
function autoEditSize(model: ModelSpec, first: InputImage | undefined): { width: number; height: number } {
  if (!first) return { width: 1024, height: 1024 };
  const ratio = first.width / first.height;
  if (!model.customSizes) {
    if (ratio > 1.25) return { width: 1536, height: 1024 };
    if (ratio < 0.8) return { width: 1024, height: 1536 };
    return { width: 1024, height: 1024 };
  }
  const r = CUSTOM_SIZE;
  let w = first.width;
  let h = first.height;
  // Clamp the ratio to 3:1, then scale down to the edge and pixel limits, then snap to 16.
  if (w / h > r.maxRatio) w = h * r.maxRatio;
  if (h / w > r.maxRatio) h = w * r.maxRatio;
  // Small inputs come back at 1024 on the long side; big ones shrink to the limits.
  const scale = Math.max(w, h) < 1024 ? 1024 / Math.max(w, h) : Math.min(1, r.maxEdge / Math.max(w, h), Math.sqrt(r.maxPixels / (w * h)));
  const snap = (v: number): number => Math.max(r.multiple, Math.floor((v * scale) / r.multiple) * r.multiple);
  return { width: snap(w), height: snap(h) };
}

const GPT_MIMES = ['image/png', 'image/jpeg', 'image/webp'];

function baseMime(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

async function checkGptImage(up: Upload, index: number, param: string): Promise<InputImage> {
  const mime = baseMime(up.contentType || 'application/octet-stream');
  if (!GPT_MIMES.includes(mime)) {
    throw invalid(
      `Invalid file '${param}': unsupported mimetype ('${mime}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
      param,
      'unsupported_file',
    );
  }
  if (up.bytes.length >= 50 * MB) {
    throw invalid(`Invalid file '${param}': image ${index + 1} is ${up.bytes.length} bytes; each image must be smaller than 50 MB.`, param, 'file_too_large');
  }
  const info = await inspectImage(up.bytes);
  if (!info) {
    throw invalid(`Invalid image file or mode for image ${index + 1}, please check your image file.`, param, 'invalid_image_file');
  }
  return { ...info, field: up.field, bytes: up.bytes };
}

async function checkDallE2Png(up: Upload, param: string): Promise<InputImage> {
  const mime = baseMime(up.contentType || 'application/octet-stream');
  if (mime !== 'image/png') {
    throw invalid(`Invalid file '${param}': unsupported mimetype ('${mime}'). Supported file formats are 'image/png'.`, param, 'unsupported_file');
  }
  const info = await inspectImage(up.bytes);
  if (!info || info.format !== 'png' || up.bytes.length >= 4 * MB) {
    throw invalid('Uploaded image must be a PNG and less than 4 MB.', param, 'invalid_image');
  }
  if (info.width !== info.height) {
    throw invalid(`Invalid input image - image must be square, got ${info.width}x${info.height}.`, param, 'invalid_image');
  }
  return { ...info, field: up.field, bytes: up.bytes };
}

async function checkMask(up: Upload, first: InputImage): Promise<InputImage> {
  const mime = baseMime(up.contentType || 'application/octet-stream');
  if (mime !== 'image/png') {
    throw invalid(`Invalid file 'mask': unsupported mimetype ('${mime}'). Supported file formats are 'image/png'.`, 'mask', 'unsupported_file');
  }
  const info = await inspectImage(up.bytes);
  if (!info || info.format !== 'png') throw invalid('Invalid mask image: the mask must be a valid PNG file.', 'mask', 'invalid_image_file');
  if (up.bytes.length >= 4 * MB) throw invalid('Invalid mask image: the mask must be smaller than 4 MB.', 'mask', 'file_too_large');
  if (!info.hasAlpha) {
    throw invalid(`Invalid mask image - format must be in ['RGBA', 'LA'], got ${info.mode}`, 'mask', 'invalid_image');
  }
  if (info.width !== first.width || info.height !== first.height) {
    throw invalid(
      `Invalid mask image: the mask (${info.width}x${info.height}) must have the same dimensions as the image (${first.width}x${first.height}).`,
      'mask',
      'invalid_image_dimensions',
    );
  }
  return { ...info, field: up.field, bytes: up.bytes };
}

/**
 * The guide (`markup`, SDK 7.57: "A transparent PNG overlaid on the first image to guide the edit.
 * Must match that image's dimensions after orientation and contain transparent pixels. Supports
 * GPT Image 2.5. Cannot be combined with mask."): a PNG with an alpha channel, the first image's
 * displayed size, at least one pixel of alpha 0.
 */
async function checkMarkup(up: Upload, first: InputImage, model: ModelSpec, withMask: boolean): Promise<InputImage> {
  if (!model.markup) throw unsupported('markup', model.id);
  if (withMask) throw invalid("'markup' cannot be combined with 'mask'. Send one of them.", 'markup', 'invalid_value');
  const mime = baseMime(up.contentType || 'application/octet-stream');
  if (mime !== 'image/png') {
    throw invalid(`Invalid file 'markup': unsupported mimetype ('${mime}'). Supported file formats are 'image/png'.`, 'markup', 'unsupported_file');
  }
  if (up.bytes.length >= 50 * MB) throw invalid('Invalid markup image: the markup must be smaller than 50 MB.', 'markup', 'file_too_large');
  const info = await inspectImage(up.bytes);
  if (!info || info.format !== 'png') throw invalid('Invalid markup image: the markup must be a valid PNG file.', 'markup', 'invalid_image_file');
  if (!info.hasAlpha) throw invalid(`Invalid markup image - format must be in ['RGBA', 'LA'], got ${info.mode}`, 'markup', 'invalid_image');
  const want = orientedSize(first);
  const got = orientedSize(info);
  if (got.width !== want.width || got.height !== want.height) {
    throw invalid(
      `Invalid markup image: the markup (${got.width}x${got.height}) must have the same dimensions as the image after orientation (${want.width}x${want.height}).`,
      'markup',
      'invalid_image_dimensions',
    );
  }
  const alpha = (await sharp(up.bytes).stats()).channels[info.channels - 1]!;
  if (alpha.min > 0) throw invalid('Invalid markup image: the markup must contain transparent pixels.', 'markup', 'invalid_image');
  return { ...info, field: up.field, bytes: up.bytes };
}

/**
 * Validates a request for `operation`. `forcedModel` is the Azure deployment's model: the body's
 * `model` is then ignored, as Azure does.
 */
export async function validateRequest(operation: Operation, raw: RawParams, forcedModel?: string, access: PreviewAccess = { svg: false, gif: false }): Promise<ImageJob> {
  const r = new Reader(raw);
  const jsonEdit = operation === 'edit' && raw.source === 'json';
  const known = KNOWN[jsonEdit ? 'edit-json' : operation];

  // 1. Unknown arguments (text fields and file parts alike).
  for (const name of [...Object.keys(raw.values), ...(jsonEdit ? [] : raw.uploads.map((u) => u.field))]) {
    if (!known.has(name)) throw invalid(`Unrecognized request argument supplied: ${name}`, name, 'unknown_parameter');
  }
  if (raw.source === 'json' && operation === 'variation') {
    throw invalid(
      "Invalid Content-Type header (application/json), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')",
      null,
      null,
    );
  }

  // 2. The model.
  let model: ModelSpec;
  if (forcedModel) {
    model = MODELS.get(forcedModel)!;
  } else {
    if (r.has('model')) r.string('model');
    const id = requestedModel(operation, raw.values);
    const found = MODELS.get(id);
    const supported = [...MODELS.values()].filter(OPERATION_MODELS[operation]).map((m) => m.id);
    if (!found) {
      if (IMAGE_MODEL_NAME.test(id)) {
        throw openaiError(404, `The model \`${id}\` does not exist or you do not have access to it.`, null, 'model_not_found');
      }
      throw invalidValue('model', id, supported);
    }
    if (!OPERATION_MODELS[operation](found)) throw invalidValue('model', id, supported);
    if (jsonEdit && found.family !== 'gpt') throw invalidValue('model', id, supported.filter((s) => MODELS.get(s)!.family === 'gpt'));
    model = found;
  }
  const isGpt = model.family === 'gpt';

  // 3. Parameters this model does not take.
  if (!isGpt) {
    for (const p of GPT_ONLY) {
      if (!r.has(p)) continue;
      if (p === 'stream' && raw.values[p] !== true && raw.values[p] !== 'true') continue;
      throw unsupported(p, model.id);
    }
  }
  if (isGpt && r.has('response_format')) throw unsupported('response_format', model.id);
  if (model.family !== 'dall-e-3' && r.has('style')) throw unsupported('style', model.id);
  if (operation === 'edit' && isGpt && !model.inputFidelity && r.has('input_fidelity')) throw unsupported('input_fidelity', model.id);
  for (const p of NEWER) if (r.has(p) && !model.newer) throw unsupported(p.replace(/\[.*$/, ''), model.id);

  // 4. The prompt.
  let prompt = '';
  if (operation !== 'variation') {
    const p = r.string('prompt');
    if (p === undefined) throw invalid("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
    if (p.length === 0) {
      throw invalid("Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead.", 'prompt', 'empty_string');
    }
    const max = model.family === 'dall-e-2' ? 1000 : model.family === 'dall-e-3' ? 4000 : 32000;
    const length = [...p].length; // characters (code points), not UTF-16 units
    if (length > max) {
      throw invalid(
        `Invalid 'prompt': string too long. Expected a string with maximum length ${max}, but got a string with length ${length} instead.`,
        'prompt',
        'string_above_max_length',
      );
    }
    prompt = p;
  }

  // 5. n.
  const n = r.integer('n') ?? 1;
  range('n', n, 1, 10);
  if (model.family === 'dall-e-3' && n !== 1) throw invalid('You must provide n=1 for this model.', 'n', 'invalid_value');

  // 6. size (checked against the model; 'auto' for edits is resolved once the inputs are read).
  const defaultSize = isGpt ? 'auto' : '1024x1024';
  const sizeRequested = r.string('size') ?? defaultSize;
  checkSize(model, sizeRequested);

  // 7. The rest of the scalar parameters.
  let quality: string;
  if (operation === 'variation') {
    quality = 'standard';
  } else if (isGpt) {
    const q = r.enumOf('quality', model.extraQualities ? (['low', 'medium', 'high', 'xhigh', 'max', 'auto'] as const) : (['low', 'medium', 'high', 'auto'] as const)) ?? 'auto';
    quality = q === 'auto' ? 'high' : q;
  } else if (model.family === 'dall-e-3') {
    const q = r.enumOf('quality', ['standard', 'hd', 'auto'] as const) ?? 'standard';
    quality = q === 'auto' ? 'standard' : q;
  } else {
    r.enumOf('quality', ['standard', 'auto'] as const);
    quality = 'standard';
  }
  const style = model.family === 'dall-e-3' && operation === 'generate' ? r.enumOf('style', ['vivid', 'natural'] as const) ?? 'vivid' : undefined;
  const responseFormat = isGpt ? 'b64_json' : r.enumOf('response_format', ['url', 'b64_json'] as const) ?? 'url';
  const background = r.enumOf('background', ['transparent', 'opaque', 'auto'] as const) ?? 'auto';
  const outputFormat = r.enumOf('output_format', model.newer ? (['png', 'jpeg', 'webp', 'svg', 'gif'] as const) : (['png', 'jpeg', 'webp'] as const)) ?? 'png';
  const preview = outputFormat === 'svg' || outputFormat === 'gif';
  if (model.newer) r.enumOf('complexity', ['low', 'medium', 'high'] as const);
  const frameCount = r.integer('frame_count');
  const frameDuration = r.integer('frame_duration_ms');
  if ((frameCount !== undefined || frameDuration !== undefined) && outputFormat !== 'gif') {
    throw invalid('frame_count and frame_duration_ms are only supported with output_format=gif.', frameCount !== undefined ? 'frame_count' : 'frame_duration_ms');
  }
  if (frameCount !== undefined) range('frame_count', frameCount, 2, 16);
  if (frameDuration !== undefined && frameDuration < 1) range('frame_duration_ms', frameDuration, 1, 655_350);
  if ((r.has('svg') || r.has('svg[model]')) && outputFormat !== 'svg') throw invalid("The 'svg' parameter is only supported with output_format=svg.", 'svg');
  if (preview) {
    // SVG and GIF: one image, no streaming, partial images or compression (SDK 7.57).
    if ((r.integer('n') ?? 1) !== 1) throw invalid(`${outputFormat.toUpperCase()} output requires n=1.`, 'n');
    if (r.boolean('stream')) throw invalid(`Streaming is not supported with output_format=${outputFormat}.`, 'stream');
    if ((r.integer('partial_images') ?? 0) !== 0) throw invalid(`partial_images is not supported with output_format=${outputFormat}.`, 'partial_images');
    if (r.has('output_compression')) throw invalid(`output_compression is not supported with output_format=${outputFormat}.`, 'output_compression');
    if (outputFormat === 'gif' && raw.uploads.some((u) => u.field === 'mask')) throw invalid('A mask is not supported with output_format=gif.', 'mask');
    // Gated by project access: SVG answers 403, the GIF preview 400 (the reference: "403 or 400").
    if (outputFormat === 'svg' && !access.svg) {
      throw openaiError(403, `Your project does not have access to output_format 'svg' with model ${model.id}. SVG output requires project access.`, 'output_format', null);
    }
    if (outputFormat === 'gif' && !access.gif) {
      throw invalid(`output_format 'gif' requires access to the GIF preview for model ${model.id}.`, 'output_format');
    }
  }
  if (background === 'transparent' && outputFormat === 'jpeg') {
    throw invalid(
      "Transparent background is not supported with output_format 'jpeg'. Use 'png' or 'webp' with background 'transparent'.",
      'background',
      'invalid_value',
    );
  }
  const compression = r.integer('output_compression');
  if (compression !== undefined) {
    range('output_compression', compression, 0, 100);
    if (outputFormat === 'png' && compression !== 100) {
      throw invalid("Compression less than 100 is not supported for the 'png' output format. Use 'jpeg' or 'webp'.", 'output_compression', 'invalid_value');
    }
  }
  if (operation === 'generate' || jsonEdit) r.enumOf('moderation', ['low', 'auto'] as const);
  const stream = r.boolean('stream') ?? false;
  const partialImages = r.integer('partial_images') ?? 0;
  range('partial_images', partialImages, 0, 3);
  if (stream && n > 1) throw invalid('Streaming is only supported with n=1.', 'n', 'invalid_value');
  if (operation === 'edit') r.enumOf('input_fidelity', ['high', 'low'] as const);
  r.string('user');
  if (operation !== 'variation') r.string('safety_identifier');

  // 8. Input images.
  const inputs: InputImage[] = [];
  let mask: InputImage | undefined;
  let markup: InputImage | undefined;
  if (operation === 'edit' || operation === 'variation') {
    const images = raw.uploads.filter((u) => u.field === 'image' || u.field === 'image[]' || u.field.startsWith('images['));
    const maskUpload = raw.uploads.find((u) => u.field === 'mask');
    const param = jsonEdit ? 'images' : 'image';
    if (images.length === 0) {
      if (raw.values['image'] !== undefined && raw.values['image'] !== null) {
        throw invalid(`Invalid type for 'image': expected a file, but got a string instead.`, 'image', 'invalid_type');
      }
      throw invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
    }
    if (raw.values['mask'] !== undefined && raw.values['mask'] !== null && !maskUpload) {
      throw invalid(`Invalid type for 'mask': expected a file, but got a string instead.`, 'mask', 'invalid_type');
    }
    const maxImages = isGpt ? 16 : 1;
    if (images.length > maxImages) {
      throw invalid(
        `Invalid '${param}': array too long. Expected an array with maximum length ${maxImages}, but got an array with length ${images.length} instead.`,
        param,
        'array_above_max_length',
      );
    }
    for (let i = 0; i < images.length; i++) {
      inputs.push(isGpt ? await checkGptImage(images[i]!, i, param) : await checkDallE2Png(images[i]!, param));
    }
    if (operation === 'edit' && maskUpload) mask = await checkMask(maskUpload, inputs[0]!);
    const markupUpload = raw.uploads.find((u) => u.field === 'markup');
    if (raw.values['markup'] !== undefined && raw.values['markup'] !== null && !markupUpload) {
      throw invalid(`Invalid type for 'markup': expected a file, but got a string instead.`, 'markup', 'invalid_type');
    }
    if (operation === 'edit' && markupUpload) markup = await checkMarkup(markupUpload, inputs[0]!, model, !!maskUpload);
    if (operation === 'edit' && model.family === 'dall-e-2' && !mask) {
      const mode = inputs[0]!.mode;
      if (!['RGBA', 'LA', 'L'].includes(mode)) {
        throw invalid(`Invalid input image - format must be in ['RGBA', 'LA', 'L'], got ${mode}`, 'image', 'invalid_image_format');
      }
    }
  }

  // 9. The output size.
  let width: number;
  let height: number;
  if (sizeRequested === 'auto') {
    ({ width, height } = operation === 'edit' ? autoEditSize(model, inputs[0]) : { width: 1024, height: 1024 });
  } else {
    ({ width, height } = parseWxH(sizeRequested)!);
  }

  return {
    operation,
    model,
    prompt,
    n,
    sizeRequested,
    width,
    height,
    quality,
    style,
    background: background === 'transparent' ? 'transparent' : 'opaque',
    outputFormat: isGpt ? outputFormat : 'png',
    frameCount: frameCount ?? 9,
    frameDurationMs: Math.min(655_350, Math.round((frameDuration ?? 200) / 10) * 10),
    outputCompression: compression ?? 100,
    responseFormat,
    stream,
    partialImages,
    inputs,
    mask,
    markup,
  };
}

/**
 * JSON edits name images by `image_url` (here: data: URLs only) or `file_id`; this turns them
 * into uploads so they are checked like multipart files.
 */
export function uploadsFromJsonEdit(body: Record<string, unknown>): Upload[] {
  const out: Upload[] = [];
  const images = body['images'];
  if (images === undefined || images === null) return out;
  if (!Array.isArray(images)) throw typeError('images', 'an array', images);
  if (images.length === 0) {
    throw invalid("Invalid 'images': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'images', 'empty_array');
  }
  images.forEach((ref, i) => out.push(fromRef(ref, `images[${i}]`)));
  const mask = body['mask'];
  if (mask !== undefined && mask !== null) out.push({ ...fromRef(mask, 'mask'), field: 'mask' });
  return out;
}

function fromRef(ref: unknown, param: string): Upload {
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) throw typeError(param, 'an object', ref);
  const o = ref as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null);
  for (const k of keys) {
    if (k !== 'image_url' && k !== 'file_id') throw invalid(`Unrecognized request argument supplied: ${param}.${k}`, `${param}.${k}`, 'unknown_parameter');
  }
  if (keys.length !== 1) {
    throw invalid(`Invalid '${param}': provide exactly one of 'image_url' or 'file_id'.`, param, 'invalid_value');
  }
  if (keys[0] === 'file_id') {
    throw openaiError(400, `No such File object: ${String(o['file_id'])}`, `${param}.file_id`, 'file_not_found');
  }
  const url = o['image_url'];
  if (typeof url !== 'string') throw typeError(`${param}.image_url`, 'a string', url);
  const m = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(url);
  if (!m) {
    throw invalid(
      `Invalid '${param}.image_url': this fake server only accepts data: URLs (got '${url.slice(0, 40)}').`,
      `${param}.image_url`,
      'invalid_image_url',
    );
  }
  const bytes = m[3] ? Buffer.from(m[4]!, 'base64') : Buffer.from(decodeURIComponent(m[4]!), 'latin1');
  return { field: param, filename: '', contentType: m[1] || 'application/octet-stream', bytes };
}
