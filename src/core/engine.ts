/**
 * The image engine: runs one validated ImageRequest against a provider through the official
 * `openai` SDK and hands back image bytes. The SDK runner only: the host reaches it through the
 * lazily loaded bundle dist/engine.js, whose entry is engineEntry.ts, so activation stays light.
 *
 * - An `n` above the model's per-request limit becomes parallel requests under a cap.
 * - URL results are downloaded at once (they expire); base64 results are decoded.
 * - 429s and overloaded/5xx answers are waited out within a budget, and the caller is told.
 * - Each image is handed to `onImage` as soon as it is ready, so a batch keeps what succeeded.
 * - With `onPartial`, a model that streams is asked for `stream: true, partial_images: N` and
 *   each partial image is handed on as it arrives. A streamed request makes one image, so an n>1
 *   run becomes n single requests (under the same concurrency cap) and every image streams.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, AzureOpenAI, toFile } from 'openai';
import type { ImageGenStreamEvent, ImagesResponse } from 'openai/resources/images';
import { concat } from '../shared/bytes';
import { detectResultFormat, MIME_TYPES, type ResultFormat } from '../shared/imageFormat';
import { classifyError as classifyByShape, ImageApiError, isRetryable, noAccessToOutput, type ErrorInfo } from './errors';
import type { ModelCapabilities } from './models';
import { usageFromApi, type ImageUsage } from './pricing';
import { generateParams, isPreviewOutput, requestOptions, splitCount, validateRequest, type ImageRequest, type InputImage } from './request';

export interface ProviderConfig {
  readonly kind: 'openai' | 'azure' | 'compatible';
  readonly apiKey: string;
  /** OpenAI-compatible servers: the base URL (ending in /v1 usually). */
  readonly baseUrl?: string;
  readonly azure?: { readonly endpoint: string; readonly deployment: string; readonly apiVersion: string };
  readonly organization?: string;
  readonly project?: string;
  readonly timeoutMs: number;
  /**
   * The end user's stable id, already hashed (SHA-256 hex; core/provider's hashSafetyIdentifier):
   * sent as `safety_identifier` to GPT image models, as the deprecated `user` to DALL·E (whose
   * servers know only that field). Never recorded in the recipe.
   */
  readonly safetyIdentifier?: string;
}

import type { Logger } from './log';
export type { Logger } from './log';

export type RunStatus =
  | { readonly phase: 'requesting'; readonly done: number; readonly total: number }
  | { readonly phase: 'waiting'; readonly reason: 'rate-limit' | 'server'; readonly seconds: number; readonly done: number; readonly total: number }
  | { readonly phase: 'downloading'; readonly done: number; readonly total: number };

export interface ImageResult {
  /** Position in the whole run, 0-based. */
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly format: ResultFormat;
  readonly revisedPrompt?: string;
  readonly requestId?: string;
  /** What the request that made it used (one object shared by every image of that request). */
  readonly billing?: RequestBilling;
}

/** What one request was billed on: its `usage` (GPT image models), how many images it made, and the quality and size the answer says it used. */
export interface RequestBilling {
  readonly usage?: ImageUsage;
  /** Images this request made (its usage covers all of them). */
  readonly images: number;
  readonly quality?: string;
  readonly size?: string;
}

/** A partial image of a streamed request: a low-detail stage of image `index`. */
export interface PartialImage {
  /** Position in the whole run, 0-based (as ImageResult.index). */
  readonly index: number;
  readonly bytes: Uint8Array;
  /** 0-based, in the order the server numbers them. */
  readonly partialIndex: number;
}

/** Where one image of the run is; `requesting` again after a retry wait. */
export interface ImageState {
  readonly index: number;
  readonly state: 'requesting' | 'waiting' | 'failed';
  readonly error?: ErrorInfo;
}

/** A result URL's download stops here: no real image answer comes near it. */
export const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

/** Partial images asked for when streaming, unless the caller says otherwise (the API allows 0-3). */
export const DEFAULT_PARTIAL_IMAGES = 2;

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Parallel requests at most. */
  readonly concurrency: number;
  /** Total time the run may spend waiting out rate limits and overloads. */
  readonly maxWaitMs: number;
  readonly log?: Logger;
  readonly onStatus?: (status: RunStatus) => void;
  readonly onImage?: (image: ImageResult) => void | Promise<void>;
  /**
   * Partial images as they stream in. Setting it makes streaming models (caps.streaming) stream
   * their generations; other models and edits run as usual.
   */
  readonly onPartial?: (partial: PartialImage) => void;
  /** Partial images per streamed image (0-3); DEFAULT_PARTIAL_IMAGES when absent. */
  readonly partialImages?: number;
  /** Per-image state: which images are being requested, waited for, or failed for good. */
  readonly onImageState?: (state: ImageState) => void;
  /** The most a result URL may send (MAX_DOWNLOAD_BYTES when absent). */
  readonly maxDownloadBytes?: number;
  /** Test hook for time: defaults to a real, abortable sleep. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RunOutcome {
  readonly images: ImageResult[];
  /** Errors of the batches that failed (the others' images are still in `images`). */
  readonly failures: ErrorInfo[];
  readonly requested: number;
}

/**
 * The SDK's own classes first (their names do not say what they are), then the error's shape;
 * a refused SVG or GIF is the project's missing access, not a failure.
 */
function classifyError(err: unknown, secrets: readonly string[], req?: ImageRequest): ErrorInfo {
  const info = req ? noAccessToOutput(classifyByShape(err, secrets), req.outputFormat) : classifyByShape(err, secrets);
  if (err instanceof APIUserAbortError) return { ...info, kind: 'cancelled' };
  if (err instanceof APIConnectionTimeoutError) return { ...info, kind: 'timeout' };
  // A connection the server closed mid-answer is a cut-off answer, not an unreachable provider.
  if (err instanceof APIConnectionError) return info.kind === 'cut-off' ? info : { ...info, kind: 'network' };
  return info;
}

export function createClient(p: ProviderConfig): OpenAI {
  const common = {
    apiKey: p.apiKey,
    organization: p.organization || null,
    project: p.project || null,
    timeout: p.timeoutMs,
    maxRetries: 0, // retries are ours, so the user sees the wait
  };
  if (p.kind === 'azure') {
    if (!p.azure?.endpoint || !p.azure.deployment) throw new ImageApiError('validation', 'Azure needs an endpoint and a deployment name', { param: 'azure.endpoint' });
    return new AzureOpenAI({ ...common, endpoint: p.azure.endpoint, deployment: p.azure.deployment, apiVersion: p.azure.apiVersion });
  }
  if (p.kind === 'compatible' && !p.baseUrl) throw new ImageApiError('validation', 'an OpenAI-compatible provider needs a base URL', { param: 'baseUrl' });
  return new OpenAI({ ...common, baseURL: p.kind === 'compatible' ? p.baseUrl : undefined });
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new ImageApiError('cancelled', 'cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new ImageApiError('cancelled', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Runs a request (validated here again: no network call for an invalid one). */
export async function runImageRequest(provider: ProviderConfig, req: ImageRequest, caps: ModelCapabilities, opts: RunOptions): Promise<RunOutcome> {
  validateRequest(req, caps);
  const client = createClient(provider);
  const sleep = opts.sleep ?? abortableSleep;
  // SVG and GIF are never streamed and come one per request.
  const preview = isPreviewOutput(req);
  const streaming = !!opts.onPartial && caps.streaming && req.operation === 'generate' && !preview;
  const partialImages = Math.min(3, Math.max(0, Math.round(opts.partialImages ?? DEFAULT_PARTIAL_IMAGES)));
  // A streamed request makes one image: n images are n requests, each streaming.
  const batches = splitCount(req.n, streaming || preview ? 1 : caps.maxN);
  const who = identity(provider, caps);
  const images: ImageResult[] = [];
  const failures: ErrorInfo[] = [];
  let done = 0;
  let waitBudget = opts.maxWaitMs;
  const status = (s: RunStatus) => opts.onStatus?.(s);
  const starts = batches.map((_, i) => batches.slice(0, i).reduce((a, b) => a + b, 0));

  const indicesOf = (b: number) => Array.from({ length: batches[b] }, (_, i) => starts[b] + i);
  const imageState = (b: number, state: ImageState['state'], error?: ErrorInfo) => {
    if (opts.onImageState) for (const index of indicesOf(b)) opts.onImageState({ index, state, error });
  };

  const runBatch = async (b: number) => {
    const count = batches[b];
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      imageState(b, 'requesting');
      try {
        const { data, request_id } = streaming
          ? await callStream(client, req, who, partialImages, opts.signal, (partialIndex, bytes) => opts.onPartial!({ index: starts[b], bytes, partialIndex }))
          : await callApi(client, req, who, count, opts.signal);
        opts.log?.info(`${req.operation} ${req.model} n=${count}${streaming ? ' (streamed)' : ''} -> 200 in ${Date.now() - t0} ms, request ${request_id ?? '-'}`);
        const items = data.data ?? [];
        if (items.length === 0) throw new ImageApiError('bad-response', 'the answer held no image', { requestId: request_id ?? undefined });
        const billing: RequestBilling = {
          usage: usageFromApi((data as { usage?: unknown }).usage),
          images: items.length,
          quality: typeof data.quality === 'string' ? data.quality : undefined,
          size: typeof data.size === 'string' ? data.size : undefined,
        };
        for (let i = 0; i < items.length; i++) {
          const bytes = await imageBytes(items[i], opts, () => status({ phase: 'downloading', done, total: req.n }));
          const format = detectResultFormat(bytes);
          if (!format) throw new ImageApiError('bad-response', 'the answer was not a PNG, JPEG, WebP, GIF or SVG image', { requestId: request_id ?? undefined });
          const image: ImageResult = { index: starts[b] + i, bytes, format, revisedPrompt: items[i].revised_prompt ?? undefined, requestId: request_id ?? undefined, billing };
          images.push(image);
          await opts.onImage?.(image);
          done++;
          status({ phase: 'requesting', done, total: req.n });
        }
        return;
      } catch (err) {
        const info = classifyError(err, [provider.apiKey], req);
        opts.log?.[info.kind === 'cancelled' ? 'info' : 'warn'](
          `${req.operation} ${req.model} n=${count} -> ${info.status ?? info.kind} in ${Date.now() - t0} ms, request ${info.requestId ?? '-'}: ${info.serverMessage ?? ''}`,
        );
        if (info.kind === 'cancelled' || opts.signal?.aborted) throw new ImageApiError('cancelled', 'cancelled');
        const waitMs = retryDelayMs(info, attempt);
        if (!isRetryable(info) || attempt > 5 || waitMs > waitBudget) throw err;
        waitBudget -= waitMs;
        imageState(b, 'waiting');
        status({ phase: 'waiting', reason: info.kind === 'rate-limit' ? 'rate-limit' : 'server', seconds: Math.ceil(waitMs / 1000), done, total: req.n });
        await sleep(waitMs, opts.signal);
        status({ phase: 'requesting', done, total: req.n });
      }
    }
  };

  status({ phase: 'requesting', done: 0, total: req.n });
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const b = next++;
      try {
        await runBatch(b);
      } catch (err) {
        const info = classifyError(err, [provider.apiKey], req);
        if (info.kind === 'cancelled') throw err;
        failures.push(info);
        imageState(b, 'failed', info);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, opts.concurrency), batches.length) }, worker));
  images.sort((a, b) => a.index - b.index);
  return { images, failures, requested: req.n };
}

/** How long to wait before retry `attempt` (1-based): the server's retry-after, else backoff. */
function retryDelayMs(info: ErrorInfo, attempt: number): number {
  if (info.retryAfterSeconds !== undefined) return Math.max(250, info.retryAfterSeconds * 1000);
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

/** The end user's hashed id as the model's API names it: `safety_identifier`, or `user` for DALL·E. */
type Identity = Readonly<Record<string, string>>;

function identity(provider: ProviderConfig, caps: ModelCapabilities): Identity {
  if (!provider.safetyIdentifier) return {};
  return caps.family === 'gpt-image' ? { safety_identifier: provider.safetyIdentifier } : { user: provider.safetyIdentifier };
}

async function callApi(client: OpenAI, req: ImageRequest, who: Identity, n: number, signal: AbortSignal | undefined) {
  const options = { signal };
  if (req.operation === 'generate') {
    return client.images.generate({ ...(generateParams(req, n) as unknown as OpenAI.Images.ImageGenerateParamsNonStreaming), ...who, stream: false }, options).withResponse();
  }
  const files = await Promise.all((req.images ?? []).map(asUpload));
  if (req.operation === 'variation' && req.model.startsWith('dall-e-2')) {
    return client.images.createVariation({ image: files[0], model: req.model, n, ...(req.size ? { size: req.size as '1024x1024' } : {}), ...(who.user ? { user: who.user } : {}) }, options).withResponse();
  }
  const { n: _n, moderation: _m, ...rest } = requestOptions(req);
  void _n;
  void _m;
  const body = {
    ...rest,
    ...who,
    model: req.model,
    prompt: req.prompt,
    n,
    image: files.length === 1 ? files[0] : files,
    ...(req.mask ? { mask: await asUpload(req.mask) } : {}),
    ...(req.markup ? { markup: await asUpload(req.markup) } : {}),
    stream: false,
  } as unknown as OpenAI.Images.ImageEditParamsNonStreaming;
  return client.images.edit(body, options).withResponse();
}

/**
 * One streamed generation (n = 1): partial images go to `onPartial` as they arrive; the
 * `completed` event's image is the result. The final image can come before all partials: once it
 * is here the stream is left (later partials would only be older stages of it).
 */
async function callStream(
  client: OpenAI,
  req: ImageRequest,
  who: Identity,
  partialImages: number,
  signal: AbortSignal | undefined,
  onPartial: (partialIndex: number, bytes: Uint8Array) => void,
): Promise<{ data: Pick<ImagesResponse, 'data' | 'usage' | 'quality' | 'size'>; request_id: string | null | undefined }> {
  const params = { ...(generateParams(req, 1) as unknown as OpenAI.Images.ImageGenerateParamsStreaming), ...who, stream: true as const, partial_images: partialImages };
  const { data: stream, request_id } = await client.images.generate(params, { signal }).withResponse();
  let final: string | undefined;
  let done: Extract<ImageGenStreamEvent, { type: 'image_generation.completed' }> | undefined;
  for await (const event of stream as AsyncIterable<ImageGenStreamEvent>) {
    if (event.type === 'image_generation.partial_image') {
      if (event.b64_json) {
        try {
          onPartial(event.partial_image_index, fromBase64(event.b64_json));
        } catch {
          // a failing observer must not fail the image
        }
      }
    } else if (event.type === 'image_generation.completed') {
      final = event.b64_json;
      done = event;
      break;
    }
  }
  if (signal?.aborted) throw new ImageApiError('cancelled', 'cancelled');
  if (!final) throw new ImageApiError('bad-response', 'the stream ended without the finished image', { requestId: request_id ?? undefined });
  return { data: { data: [{ b64_json: final }], usage: done?.usage as ImagesResponse['usage'], quality: done?.quality as ImagesResponse['quality'], size: done?.size as ImagesResponse['size'] }, request_id };
}

/**
 * Decoded base64 as a plain Uint8Array over the same memory: image bytes leave the engine as
 * Uint8Array, never as a Node Buffer (a Buffer does not cross postMessage as bytes).
 */
export function fromBase64(b64: string): Uint8Array {
  const buf = Buffer.from(b64, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function asUpload(img: InputImage) {
  return toFile(Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength), img.name, { type: MIME_TYPES[img.format] });
}

async function imageBytes(item: ImagesResponse['data'] extends (infer T)[] | undefined ? T : never, opts: RunOptions, onDownload: () => void): Promise<Uint8Array> {
  if (item.b64_json) return fromBase64(item.b64_json);
  if (!item.url) throw new ImageApiError('bad-response', 'the answer held neither image data nor a URL');
  onDownload();
  const max = opts.maxDownloadBytes ?? MAX_DOWNLOAD_BYTES;
  const tooLarge = () => new ImageApiError('bad-response', `the image at the result URL is larger than ${formatBytes(max)}, so it was not downloaded`);
  // Its own controller, so a download that grows too large can be stopped without cancelling the run.
  const download = new AbortController();
  const onAbort = () => download.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let res: Response;
    try {
      res = await fetch(item.url, { signal: download.signal });
    } catch (err) {
      if (opts.signal?.aborted) throw new ImageApiError('cancelled', 'cancelled');
      throw new ImageApiError('url-expired', `the image URL could not be fetched: ${(err as Error).message}`);
    }
    if (!res.ok) {
      download.abort();
      throw new ImageApiError('url-expired', `the image URL answered ${res.status}`, { status: res.status });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > max) {
      download.abort();
      throw tooLarge();
    }
    if (!res.body) return new Uint8Array(await res.arrayBuffer());
    // Streamed, counting: a server that sends more than it declared (or declares nothing) is stopped at the cap.
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > max) {
          download.abort();
          throw tooLarge();
        }
        chunks.push(value);
      }
    } catch (err) {
      if (opts.signal?.aborted) throw new ImageApiError('cancelled', 'cancelled');
      throw err;
    }
    return concat(chunks);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function formatBytes(n: number): string {
  return n >= 1048576 ? `${Math.round((n / 1048576) * 10) / 10} MB` : `${n} bytes`;
}
