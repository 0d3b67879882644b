/**
 * One run, from a request to images with their recipes, without `vscode`: the request checked
 * against the model, the source images prepared (edits and variations), the engine run, the
 * original's pixels pasted back outside the mask, the recipe and the file name of each image.
 * The host's run pipeline (src/host/run/pipeline.ts) wraps it with the key, progress, the
 * workspace writer and the observers; the MCP server wraps it with its own writer. Neither
 * repeats any of it.
 */
import { checkRunRequest } from './apiRequest';
import { runImageRequest, type ImageResult, type ProviderConfig, type RunOptions as EngineOptions } from './engine';
import type { ErrorInfo } from './errors';
import type { ModelCapabilities } from './models';
import { extensionFor, imageFileName } from './naming';
import { composeUnmasked, makeVariationInput, prepareInputs, type Geometry, type MaskInput } from './prepare';
import { buildLineage } from './lineage';
import { readRecord } from './metadata';
import { actualCost, addCosts, addUsage, type ActualCost, type ImageUsage } from './pricing';
import type { GenerationRecord } from './record';
import { requestOptions, validateRequest, type ImageRequest } from './request';
import { englishMessage, type CoreMessage, type MessageId } from '../shared/messages';

/** A source image of an edit or variation, read by the caller. */
export interface SourceFile {
  /** The file name sent to the API. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** How the recipe names it (workspace-relative). */
  readonly path: string;
  /**
   * The recipe it carries when that is not inside its bytes (a sidecar), read by the caller;
   * null: none. Undefined: the run reads the one embedded in `bytes`.
   */
  readonly recipe?: unknown;
}

/** Edits and variations start from images: the run prepares them for the model. */
export interface RunSourcesOf<F> {
  /** The image edited or varied. */
  readonly image: F;
  /** More input images for an edit (cut to what the model takes before). */
  readonly references?: readonly F[];
  /** Where to edit, in the image's displayed (oriented) pixels. */
  readonly mask?: MaskInput;
  /**
   * A guide drawn over the image (GPT Image 2.5 `markup`): a PNG in the image's displayed
   * (oriented) pixels, transparent where nothing is drawn. Never with a mask.
   */
  readonly guide?: Uint8Array;
  /** DALL·E 2 takes squares only: pad (default) or crop the image to one. */
  readonly squareMode?: 'pad' | 'crop';
  /** GPT image edits: paste the original's pixels back outside the mask (not with a guide: the whole picture may change). */
  readonly keepUnmasked?: boolean;
}

/**
 * What an entry point asks for: the options of an ImageRequest (the run fills in the prepared
 * input images) and, for edits and variations, the images they start from (`F`: a file the caller
 * reads, or one it has read). A variation keeps the user's own prompt (possibly empty).
 */
export type RunRequestOf<F> = Omit<ImageRequest, 'images' | 'mask'> & { readonly sources?: RunSourcesOf<F> };

/** An image the run made, with its recipe and the name it will be saved under. */
export interface MadeImage {
  readonly index: number;
  /** The image as it came back (or composited), without the recipe. */
  readonly bytes: Uint8Array;
  readonly format: ImageResult['format'];
  readonly record: GenerationRecord;
  /** The file name it is written under (made unique in its folder when written). */
  readonly name: string;
}

export interface MakeOptions extends Omit<EngineOptions, 'onImage'> {
  readonly provider: ProviderConfig;
  /** The provider as the recipe records it (never the key). */
  readonly providerRecord: GenerationRecord['provider'];
  /** "Pixelwright 0.2.0": who made the image, for the recipe. */
  readonly tool: string;
  /** The file name to write (numbered when several images come back). */
  readonly fileName?: string;
  /** Called once the inputs are prepared, before the request goes out. */
  readonly onPrepared?: () => void;
  readonly onImage?: (image: ImageResult) => void;
}

export interface MakeOutcome {
  readonly images: MadeImage[];
  /** Errors of the batches that failed (the others' images are in `images`). */
  readonly failures: ErrorInfo[];
  /** The kept pixels could not be exactly the original's (its colours cannot be stored in the PNG result). */
  readonly inexact: boolean;
  /** What the requests that answered cost (each counted once), when the price list knows; undefined when nothing is known. */
  readonly cost?: ActualCost;
  /** Their tokens together (GPT image models). */
  readonly usage?: ImageUsage;
  /**
   * What preparing the sources did that changes what was edited (a crop, an empty mask, a widened
   * painted area, a reduced image...): said to the user with the results. Routine conversions
   * (to PNG, to RGBA, EXIF rotation, scaling to the model's size) go to the log only.
   */
  readonly notes: readonly CoreMessage[];
}

/** The preparation notes a user is told with the results (the others are logged). */
export const NOTES_SHOWN: ReadonlySet<MessageId> = new Set<MessageId>([
  'note.maskEmpty',
  'note.alphaAsMask',
  'note.widenedPainted',
  'note.widenedTransparent',
  'note.paintedOutsideCrop',
  'note.cropped',
  'note.padded',
  'note.firstFrame',
  'note.quantized',
  'note.reduced',
  'note.guideEmpty',
]);

/** Prepares, runs and composes one request; the images come back with their recipes, not written. */
export async function makeImages(request: RunRequestOf<SourceFile>, caps: ModelCapabilities, opts: MakeOptions): Promise<MakeOutcome> {
  const wire = checkRunRequest(request, caps);
  const sources = request.sources;
  let req = wire;
  let prepared: { geometry: Geometry } | undefined;
  const notes: CoreMessage[] = [];
  if (sources) {
    const first = { name: sources.image.name, bytes: sources.image.bytes };
    const options = { squareMode: sources.squareMode ?? 'pad', signal: opts.signal };
    const p =
      request.operation === 'variation'
        ? await makeVariationInput(first, caps, options)
        : await prepareInputs([first, ...(sources.references ?? []).map((r) => ({ name: r.name, bytes: r.bytes }))], caps, { ...options, mask: sources.mask, guide: sources.guide });
    for (const note of p.notes) {
      opts.log?.info(`prepare: ${englishMessage(note)}`);
      if (NOTES_SHOWN.has(note.id) && !notes.some((n) => englishMessage(n) === englishMessage(note))) notes.push(note);
    }
    req = { ...wire, images: p.images, mask: p.mask, markup: p.markup };
    validateRequest(req, caps);
    prepared = p;
  }
  opts.onPrepared?.();
  const outcome = await runImageRequest(opts.provider, req, caps, opts);
  const createdAt = new Date();
  const keep = !!sources?.keepUnmasked && !req.markup && request.operation === 'edit' && caps.family === 'gpt-image';
  const images: MadeImage[] = [];
  let inexact = false;
  for (const image of outcome.images) {
    if (opts.signal?.aborted) break;
    let { bytes, format } = image;
    if (keep && prepared) {
      const kept = await composeUnmasked(sources!.image.bytes, bytes, prepared.geometry, sources!.mask, { signal: opts.signal });
      for (const note of kept.notes) opts.log?.info(`keep unmasked: ${englishMessage(note)}`);
      if (kept.notes.length) inexact = true;
      ({ bytes } = kept);
      format = 'png';
    }
    images.push(recipe(request, req, caps, image, bytes, format, createdAt, keep, opts));
  }
  // A request's usage covers all of its images: count each request once.
  const requests = [...new Set(outcome.images.map((i) => i.billing).filter((b) => !!b))];
  const cost = addCosts(requests.map((b) => requestCost(caps.id, req, b)));
  const usage = requests.reduce<ImageUsage | undefined>((sum, b) => addUsage(sum, b.usage), undefined);
  return { images, failures: outcome.failures, inexact, cost, usage, notes };
}

/** What one request cost: by its usage, else by the price per image at the size and quality it was made at. */
function requestCost(model: string, req: ImageRequest, b: NonNullable<ImageResult['billing']>): ActualCost | undefined {
  return actualCost(model, { usage: b.usage, quality: b.quality ?? req.quality, size: b.size ?? req.size, images: b.images });
}

/** The recipe an image carries, and the name it is saved under. */
function recipe(request: RunRequestOf<SourceFile>, req: ImageRequest, caps: ModelCapabilities, image: ImageResult, bytes: Uint8Array, format: ImageResult['format'], createdAt: Date, kept: boolean, opts: MakeOptions): MadeImage {
  const sources = request.sources;
  const extras = sources ? { ...(kept ? { keep_unmasked: true } : {}), ...(caps.input.squareOnly ? { square: sources.squareMode ?? 'pad' } : {}), ...(sources.mask ? { masked: true } : {}), ...(req.markup ? { guided: true } : {}) } : {};
  const record: GenerationRecord = {
    v: 1,
    operation: request.operation,
    prompt: request.prompt,
    revisedPrompt: image.revisedPrompt,
    model: caps.id,
    options: { ...requestOptions(req), ...extras },
    ...(sources ? { sources: [sources.image, ...(request.operation === 'edit' ? (sources.references ?? []) : [])].map((s) => s.path) } : {}),
    provider: opts.providerRecord,
    createdAt: createdAt.toISOString(),
    requestId: image.requestId,
    index: image.index,
    count: request.n,
    tool: opts.tool,
    ...(sources ? lineageOf([sources.image, ...(request.operation === 'edit' ? (sources.references ?? []) : [])]) : {}),
    ...billingRecord(caps.id, req, image.billing),
  };
  // Edits and variations are named after their source; generations after their prompt.
  const stem = sources ? `${sources.image.name.replace(/\.[^.]+$/, '')} ${request.operation}` : request.prompt;
  const name = opts.fileName ? numberedName(opts.fileName, image.index, request.n, format) : imageFileName({ prompt: stem, time: createdAt, index: image.index, count: request.n, format });
  return { index: image.index, bytes, format, record, name };
}

/** The sources' recipes (bounded: core/lineage.ts), as fields of the new recipe. */
function lineageOf(files: readonly SourceFile[]): Pick<GenerationRecord, 'lineage' | 'lineageCut'> {
  const { lineage, cut } = buildLineage(files.map((f) => ({ path: f.path, recipe: f.recipe === undefined ? readRecord(f.bytes) : (f.recipe ?? undefined) })));
  return { ...(lineage.length ? { lineage } : {}), ...(cut ? { lineageCut: true } : {}) };
}

/** The usage of the image's request and this image's share of its cost, for the recipe. */
function billingRecord(model: string, req: ImageRequest, b: ImageResult['billing']): Pick<GenerationRecord, 'usage' | 'cost'> {
  if (!b) return {};
  const cost = requestCost(model, req, b);
  return {
    ...(b.usage ? { usage: { ...b.usage, images: b.images } } : {}),
    ...(cost ? { cost: { usd: Math.round((cost.usd / Math.max(1, b.images)) * 1e6) / 1e6, basis: cost.basis, priceListDate: cost.priceListDate } } : {}),
  };
}

/** "hero.png" as the file of image `index` of `count`: "hero-2.png" when there are several, its extension the format's. */
export function numberedName(fileName: string, index: number, count: number, format: ImageResult['format']): string {
  const stem = fileName.replace(/\.[^./]+$/, '');
  return `${stem}${count > 1 ? `-${index + 1}` : ''}${extensionFor(format)}`;
}
