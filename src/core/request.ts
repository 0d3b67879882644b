/**
 * An image request as Pixelwright sees it, its validation against the capability table, and
 * the SDK parameters it becomes. Validation runs before any network call; a refusal names the
 * parameter and what is allowed.
 */
import { englishMessage, msg, type CoreMessage } from '../shared/messages';
import { customSizeMessage, GIF_FRAME_MS, GIF_FRAMES, type Background, type Complexity, type ModelCapabilities, type Operation, type OutputFormat, type RasterFormat } from './models';
import { MAX_IMAGES } from '../shared/modelRules';

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
  /** A guide drawn over the first image (`markup`, GPT Image 2.5 edits): a transparent PNG of its size; never with a mask. */
  readonly markup?: InputImage;
}

/**
 * A request refused before it was sent. `param` uses the API's parameter names. The reason is a
 * message id with parameters (`text`, for the host to word in the user's language); `message`
 * and `problem` are its English.
 */
export class ValidationError extends Error {
  readonly problem: string;
  readonly text: CoreMessage;
  constructor(
    readonly param: string,
    reason: CoreMessage,
    readonly allowed?: readonly string[],
  ) {
    const text = allowed && allowed.length ? msg('validation.reasonAllowed', param, reason, allowed.join(', ')) : msg('validation.reason', param, reason);
    super(englishMessage(text));
    this.problem = englishMessage(reason);
    this.text = text;
    this.name = 'ValidationError';
  }
}

function oneOf(param: string, value: string | undefined, allowed: readonly string[], model: string): void {
  if (value === undefined) return;
  if (allowed.length === 0) throw new ValidationError(param, msg('validation.notTaken', model, param));
  if (!allowed.includes(value)) throw new ValidationError(param, msg('validation.notOffered', value, model), allowed);
}

/**
 * Checks a request against its model's capabilities; throws ValidationError on the first problem.
 * With `inputsLater` the input images are not checked (they are prepared after this first check).
 */
export function validateRequest(req: ImageRequest, caps: ModelCapabilities, opts: { readonly inputsLater?: boolean } = {}): void {
  const model = caps.id;
  if (!caps.operations.includes(req.operation)) {
    throw new ValidationError('model', msg(req.operation === 'generate' ? 'validation.cannotGenerate' : req.operation === 'edit' ? 'validation.cannotEdit' : 'validation.cannotVary', model));
  }
  const needsPrompt = req.operation !== 'variation' || caps.family !== 'dall-e-2';
  if (needsPrompt && req.prompt.trim().length === 0) throw new ValidationError('prompt', msg('validation.promptEmpty'));
  if ([...req.prompt].length > caps.maxPromptChars) {
    throw new ValidationError('prompt', msg('validation.promptTooLong', [...req.prompt].length, caps.maxPromptChars, model));
  }
  if (!Number.isInteger(req.n) || req.n < 1 || req.n > MAX_IMAGES) throw new ValidationError('n', msg('validation.countRange', String(req.n), MAX_IMAGES));

  if (req.size !== undefined && !caps.sizes.includes(req.size)) {
    const problem = caps.customSize ? customSizeMessage(req.size, caps.customSize) : msg('validation.notOffered', req.size, model);
    if (problem) throw new ValidationError('size', caps.customSize ? msg('validation.customSize', req.size, problem) : problem, caps.sizes);
  }
  oneOf('quality', req.quality, caps.qualities, model);
  oneOf('style', req.style, caps.styles, model);
  oneOf('background', req.background, caps.backgrounds, model);
  const vector = req.outputFormat === 'svg' || req.outputFormat === 'gif';
  if (vector && !caps.outputFormats.includes(req.outputFormat!) && caps.previewFormats.includes(req.outputFormat as 'svg' | 'gif')) {
    throw new ValidationError('output_format', msg('validation.previewOff'));
  }
  oneOf('output_format', req.outputFormat, caps.outputFormats, model);
  if (req.background === 'transparent' && req.outputFormat === 'jpeg') {
    throw new ValidationError('background', msg('validation.transparentJpeg'), ['png', 'webp']);
  }
  if (req.outputCompression !== undefined) {
    if (!caps.compression) throw new ValidationError('output_compression', msg('validation.notTaken', model, 'output_compression'));
    if (req.outputFormat !== 'jpeg' && req.outputFormat !== 'webp') {
      throw new ValidationError('output_compression', msg('validation.compressionFormats'), ['jpeg', 'webp']);
    }
    if (!Number.isInteger(req.outputCompression) || req.outputCompression < 0 || req.outputCompression > 100) {
      throw new ValidationError('output_compression', msg('validation.compressionRange', String(req.outputCompression)));
    }
  }
  if (req.moderation !== undefined) {
    if (!caps.moderation) throw new ValidationError('moderation', msg('validation.notTaken', model, 'moderation'));
    oneOf('moderation', req.moderation, ['auto', 'low'], model);
  }
  if (req.inputFidelity !== undefined) {
    if (req.operation === 'generate') throw new ValidationError('input_fidelity', msg('validation.fidelityEditsOnly'));
    if (!caps.inputFidelity) throw new ValidationError('input_fidelity', msg('validation.notTaken', model, 'input_fidelity'));
  }
  if (req.complexity !== undefined) {
    if (!caps.complexity) throw new ValidationError('complexity', msg('validation.notTaken', model, 'complexity'));
    oneOf('complexity', req.complexity, ['low', 'medium', 'high'], model);
  }
  if (req.outputFormat === 'gif') {
    if (req.mask) throw new ValidationError('mask', msg('validation.gifMask'));
    if (req.frameCount !== undefined && (!Number.isInteger(req.frameCount) || req.frameCount < GIF_FRAMES.min || req.frameCount > GIF_FRAMES.max)) {
      throw new ValidationError('frame_count', msg('validation.frameCount', String(req.frameCount), GIF_FRAMES.min, GIF_FRAMES.max));
    }
    if (req.frameDurationMs !== undefined && (!Number.isInteger(req.frameDurationMs) || req.frameDurationMs < GIF_FRAME_MS.min || req.frameDurationMs > GIF_FRAME_MS.max)) {
      throw new ValidationError('frame_duration_ms', msg('validation.frameDuration', String(req.frameDurationMs), GIF_FRAME_MS.min, GIF_FRAME_MS.max));
    }
  } else if (req.frameCount !== undefined || req.frameDurationMs !== undefined) {
    throw new ValidationError(req.frameCount !== undefined ? 'frame_count' : 'frame_duration_ms', msg('validation.framesGifOnly'), ['gif']);
  }
  // Checked for every operation: a generation would otherwise drop the mask without a word.
  if (req.mask && req.operation !== 'edit') throw new ValidationError('mask', msg('validation.maskEditsOnly'));
  if (req.markup) checkGuide(req.operation, caps, !!req.mask);
  if (req.operation !== 'generate' && !opts.inputsLater) validateInputs(req, caps);
}

function validateInputs(req: ImageRequest, caps: ModelCapabilities): void {
  const images = req.images ?? [];
  const limits = caps.input;
  if (images.length === 0) throw new ValidationError('image', msg('validation.inputNeeded'));
  const max = req.operation === 'variation' ? 1 : limits.maxImages;
  if (images.length > max) throw new ValidationError('image', max === 1 ? msg('validation.oneInputOnly', caps.id, images.length) : msg('validation.tooManyInputs', caps.id, max, images.length));
  for (const img of images) {
    if (!limits.formats.includes(img.format)) throw new ValidationError('image', msg('validation.inputFormat', img.name, img.format), limits.formats);
    if (img.bytes.byteLength >= limits.maxBytes) {
      throw new ValidationError('image', msg('validation.inputTooLarge', img.name, (img.bytes.byteLength / 1048576).toFixed(1), caps.id, limits.maxBytes / 1048576));
    }
  }
  if (req.mask) {
    if (req.mask.format !== 'png') throw new ValidationError('mask', msg('validation.maskPng'), ['png']);
    if (req.mask.bytes.byteLength >= 4 * 1048576) throw new ValidationError('mask', msg('validation.maskTooLarge'));
  }
  if (req.markup && req.markup.format !== 'png') throw new ValidationError('markup', msg('validation.guidePng'), ['png']);
}

/**
 * The rule of a guide (`markup`): edits only, on a model that takes it (GPT Image 2.5), never
 * together with a mask. Throws the refusal; checked before the images are read and again when sent.
 */
export function checkGuide(operation: Operation, caps: ModelCapabilities, withMask: boolean): void {
  if (operation !== 'edit') throw new ValidationError('markup', msg('validation.guideEditsOnly'));
  if (!caps.markup) throw new ValidationError('markup', msg('validation.guideNotTaken', caps.id));
  if (withMask) throw new ValidationError('markup', msg('validation.guideWithMask'));
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
