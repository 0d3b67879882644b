/**
 * An image request as Pixelwright sees it, its validation against the capability table, and
 * the SDK parameters it becomes. Validation runs before any network call; a refusal names the
 * parameter and what is allowed.
 */
import { customSizeProblem, GIF_FRAME_MS, GIF_FRAMES, type Background, type Complexity, type ModelCapabilities, type Operation, type OutputFormat, type RasterFormat } from './models';

export interface InputImage {
  /** File name sent to the API (its extension matters to some servers). */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly format: RasterFormat;
}

export interface ImageRequest {
  readonly operation: Operation;
  readonly model: string;
  readonly prompt: string;
  readonly n: number;
  readonly size?: string;
  readonly quality?: string;
  readonly style?: string;
  readonly background?: Background;
  readonly outputFormat?: OutputFormat;
  readonly outputCompression?: number;
  readonly moderation?: 'auto' | 'low';
  readonly inputFidelity?: 'low' | 'high';
  /** Planning effort, independent of quality (the 2026 models). */
  readonly complexity?: Complexity;
  /** GIF output: how many frames (2-16) and how long each shows (ms). */
  readonly frameCount?: number;
  readonly frameDurationMs?: number;
  /** Edit / variation inputs; the first one carries the mask. */
  readonly images?: readonly InputImage[];
  readonly mask?: InputImage;
}

/** A request refused before it was sent. `param` uses the API's parameter names. */
export class ValidationError extends Error {
  constructor(
    readonly param: string,
    readonly problem: string,
    readonly allowed?: readonly string[],
  ) {
    super(`${param}: ${problem}${allowed && allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`);
    this.name = 'ValidationError';
  }
}

function oneOf(param: string, value: string | undefined, allowed: readonly string[], model: string): void {
  if (value === undefined) return;
  if (allowed.length === 0) throw new ValidationError(param, `${model} does not take ${param}`);
  if (!allowed.includes(value)) throw new ValidationError(param, `"${value}" is not offered by ${model}`, allowed);
}

/**
 * Checks a request against its model's capabilities; throws ValidationError on the first problem.
 * With `inputsLater` the input images are not checked (they are prepared after this first check).
 */
export function validateRequest(req: ImageRequest, caps: ModelCapabilities, opts: { readonly inputsLater?: boolean } = {}): void {
  const model = caps.id;
  if (!caps.operations.includes(req.operation)) {
    throw new ValidationError('model', `${model} cannot ${req.operation === 'generate' ? 'generate images' : `make ${req.operation}s`}`);
  }
  const needsPrompt = req.operation !== 'variation' || caps.family !== 'dall-e-2';
  if (needsPrompt && req.prompt.trim().length === 0) throw new ValidationError('prompt', 'the prompt is empty');
  if ([...req.prompt].length > caps.maxPromptChars) {
    throw new ValidationError('prompt', `${[...req.prompt].length} characters is longer than the ${caps.maxPromptChars} ${model} accepts`);
  }
  if (!Number.isInteger(req.n) || req.n < 1 || req.n > 10) throw new ValidationError('n', `${req.n} is not a whole number from 1 to 10`);

  if (req.size !== undefined && !caps.sizes.includes(req.size)) {
    const problem = caps.customSize ? customSizeProblem(req.size, caps.customSize) : `"${req.size}" is not offered by ${model}`;
    if (problem) throw new ValidationError('size', caps.customSize ? `"${req.size}": ${problem}` : problem, caps.sizes);
  }
  oneOf('quality', req.quality, caps.qualities, model);
  oneOf('style', req.style, caps.styles, model);
  oneOf('background', req.background, caps.backgrounds, model);
  const vector = req.outputFormat === 'svg' || req.outputFormat === 'gif';
  if (vector && !caps.outputFormats.includes(req.outputFormat!) && caps.previewFormats.includes(req.outputFormat as 'svg' | 'gif')) {
    throw new ValidationError('output_format', 'SVG and GIF output are turned off: turn on the setting pixelwright.experimental.vectorAndAnimatedOutput');
  }
  oneOf('output_format', req.outputFormat, caps.outputFormats, model);
  if (req.background === 'transparent' && req.outputFormat === 'jpeg') {
    throw new ValidationError('background', 'a transparent background needs png or webp output', ['png', 'webp']);
  }
  if (req.outputCompression !== undefined) {
    if (!caps.compression) throw new ValidationError('output_compression', `${model} does not take output_compression`);
    if (req.outputFormat !== 'jpeg' && req.outputFormat !== 'webp') {
      throw new ValidationError('output_compression', 'compression applies to jpeg and webp output only', ['jpeg', 'webp']);
    }
    if (!Number.isInteger(req.outputCompression) || req.outputCompression < 0 || req.outputCompression > 100) {
      throw new ValidationError('output_compression', `${req.outputCompression} is not a whole number from 0 to 100`);
    }
  }
  if (req.moderation !== undefined) {
    if (!caps.moderation) throw new ValidationError('moderation', `${model} does not take moderation`);
    oneOf('moderation', req.moderation, ['auto', 'low'], model);
  }
  if (req.inputFidelity !== undefined) {
    if (req.operation === 'generate') throw new ValidationError('input_fidelity', 'input_fidelity applies to edits only');
    if (!caps.inputFidelity) throw new ValidationError('input_fidelity', `${model} does not take input_fidelity`);
  }
  if (req.complexity !== undefined) {
    if (!caps.complexity) throw new ValidationError('complexity', `${model} does not take complexity`);
    oneOf('complexity', req.complexity, ['low', 'medium', 'high'], model);
  }
  if (req.outputFormat === 'gif') {
    if (req.mask) throw new ValidationError('mask', 'GIF output cannot be combined with a mask');
    if (req.frameCount !== undefined && (!Number.isInteger(req.frameCount) || req.frameCount < GIF_FRAMES.min || req.frameCount > GIF_FRAMES.max)) {
      throw new ValidationError('frame_count', `${req.frameCount} is not a whole number from ${GIF_FRAMES.min} to ${GIF_FRAMES.max}`);
    }
    if (req.frameDurationMs !== undefined && (!Number.isInteger(req.frameDurationMs) || req.frameDurationMs < GIF_FRAME_MS.min || req.frameDurationMs > GIF_FRAME_MS.max)) {
      throw new ValidationError('frame_duration_ms', `${req.frameDurationMs} is not a whole number of milliseconds from ${GIF_FRAME_MS.min} to ${GIF_FRAME_MS.max}`);
    }
  } else if (req.frameCount !== undefined || req.frameDurationMs !== undefined) {
    throw new ValidationError(req.frameCount !== undefined ? 'frame_count' : 'frame_duration_ms', 'frames apply to GIF output only', ['gif']);
  }
  // Checked for every operation: a generation would otherwise drop the mask without a word.
  if (req.mask && req.operation !== 'edit') throw new ValidationError('mask', 'a mask applies to edits only');
  if (req.operation !== 'generate' && !opts.inputsLater) validateInputs(req, caps);
}

function validateInputs(req: ImageRequest, caps: ModelCapabilities): void {
  const images = req.images ?? [];
  const limits = caps.input;
  if (images.length === 0) throw new ValidationError('image', 'an input image is needed');
  const max = req.operation === 'variation' ? 1 : limits.maxImages;
  if (images.length > max) throw new ValidationError('image', `${caps.id} takes at most ${max} input image${max === 1 ? '' : 's'}, got ${images.length}`);
  for (const img of images) {
    if (!limits.formats.includes(img.format)) throw new ValidationError('image', `${img.name} is ${img.format}`, limits.formats);
    if (img.bytes.byteLength >= limits.maxBytes) {
      throw new ValidationError('image', `${img.name} is ${(img.bytes.byteLength / 1048576).toFixed(1)} MB; ${caps.id} takes less than ${limits.maxBytes / 1048576} MB`);
    }
  }
  if (req.mask) {
    if (req.mask.format !== 'png') throw new ValidationError('mask', 'the mask must be a PNG', ['png']);
    if (req.mask.bytes.byteLength >= 4 * 1048576) throw new ValidationError('mask', 'the mask must be smaller than 4 MB');
  }
}

/** SVG and GIF output: one image per request, never streamed (the SDK's rule). */
export function isPreviewOutput(req: Pick<ImageRequest, 'outputFormat'>): boolean {
  return req.outputFormat === 'svg' || req.outputFormat === 'gif';
}

/** How many requests an `n` becomes, given the model's per-request limit: sizes of each batch. */
export function splitCount(n: number, maxN: number): number[] {
  const batches: number[] = [];
  for (let left = n; left > 0; left -= maxN) batches.push(Math.min(left, maxN));
  return batches;
}

/** The options recorded with the image and shown to users: API names, only what was set. */
export function requestOptions(req: ImageRequest): Record<string, string | number | boolean> {
  const o: Record<string, string | number | boolean> = {};
  const fields: [string, string | number | boolean | undefined][] = [
    ['size', req.size],
    ['quality', req.quality],
    ['style', req.style],
    ['background', req.background],
    ['output_format', req.outputFormat],
    ['output_compression', req.outputCompression],
    ['moderation', req.moderation],
    ['input_fidelity', req.inputFidelity],
    ['complexity', req.complexity],
    ['frame_count', req.frameCount],
    ['frame_duration_ms', req.frameDurationMs],
    ['n', req.n],
  ];
  for (const [k, v] of fields) if (v !== undefined) o[k] = v;
  return o;
}

/** JSON body fields for /images/generations (SDK parameter names), for a batch of `n`. */
export function generateParams(req: ImageRequest, n: number): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, prompt: req.prompt, n };
  const { n: _n, ...rest } = requestOptions(req);
  void _n;
  delete rest.input_fidelity;
  return { ...body, ...rest };
}
