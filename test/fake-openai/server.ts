/**
 * A local fake of the OpenAI Images API (and its Azure OpenAI form), faithful to
 * /work/shared/reference: the same routes, validation, error shapes, headers and response
 * shapes, with real image bytes. Tests drive it in-process (`startFakeOpenAI`) or over HTTP
 * from another process (`/_fake/*` control endpoints; see README.md).
 */
import * as http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FakeBatchApi, type BatchBehaviour, type LineAnswer } from './batch';
import { hash32, makeGif, makePicture, makeSvg, MIME, type ImageFormat } from './images';
import {
  ApiError,
  MODELS,
  openaiError,
  requestedModel,
  uploadsFromJsonEdit,
  validateRequest,
  type ImageJob,
  type Operation,
  type PreviewAccess,
  type RawParams,
  type Upload,
} from './validate';

export { MODELS, customSizeProblem } from './validate';
export type { BatchBehaviour } from './batch';
export type { ImageJob, Operation, PreviewAccess } from './validate';

export type FaultKind =
  | 'rate_limit'
  | 'quota'
  | 'server_error'
  | 'overloaded'
  | 'drop'
  | 'malformed_json'
  | 'expired_url'
  | 'moderation'
  | 'unauthorized'
  | 'org_verification'
  | 'slow';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limit', 'quota', 'server_error', 'overloaded', 'drop', 'malformed_json', 'expired_url',
  'moderation', 'unauthorized', 'org_verification', 'slow',
];

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it hits (default 1); -1 (or Infinity) for every one until reset(). */
  times?: number;
  /** Only requests whose path contains this. Without it: API routes only (not file downloads). */
  path?: string;
  /** rate_limit: the retry-after value (default 1; retry-after-ms is this x 1000). */
  retryAfterSeconds?: number;
  /** slow: extra delay before answering (default 1000). */
  ms?: number;
  /** server_error: the status (default 500). */
  status?: number;
}

export interface FakeOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed delay before every API answer, ms (default 0). */
  latencyMs?: number;
  /** Lifetime of DALL·E image URLs (default 60 minutes). */
  urlTtlMs?: number;
  /** Accepted keys (default ['sk-test-key']). */
  apiKeys?: string[];
  /** Azure deployment name -> model. */
  azureDeployments?: Record<string, string>;
  /** Log each request to stderr. */
  log?: boolean;
  /** The gated outputs this project may use (default: neither, as for most projects). */
  previewAccess?: Partial<PreviewAccess>;
}

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  bytes: Buffer;
}

export interface RecordedRequest {
  /** 1, 2, 3... in arrival order. */
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization` and `api-key` are left out (see hasAuthorization / hasApiKey). */
  headers: Record<string, string>;
  hasAuthorization: boolean;
  hasApiKey: boolean;
  contentType?: string;
  /** The parsed JSON body (JSON requests). */
  body?: unknown;
  /** Multipart text fields; a repeated name gives an array. */
  fields?: Record<string, string | string[]>;
  /** Multipart file parts. */
  files?: RecordedFile[];
  /** Set when the answer starts (undefined if the socket was dropped). */
  status?: number;
  /** The x-request-id sent back. */
  requestId: string;
}

export interface FakeOpenAI {
  /** OpenAI-style base URL, e.g. http://127.0.0.1:PORT/v1 */
  readonly url: string;
  /** http://127.0.0.1:PORT, the Azure endpoint. */
  readonly origin: string;
  readonly port: number;
  /** The first accepted key. */
  readonly apiKey: string;
  /** Every request except /_fake control calls, oldest first. The same array across reset(). */
  readonly requests: RecordedRequest[];
  /** Queues one fault or several; each is used up after `times` matching requests. */
  inject(fault: Fault | Fault[]): void;
  /** Faults still queued. */
  pendingFaults(): Fault[];
  /** Clears faults and recorded requests (latency and served files stay). */
  reset(): void;
  setLatency(ms: number): void;
  /** Grants or takes back access to SVG and GIF output (reset() leaves it). */
  setPreviewAccess(access: Partial<PreviewAccess>): void;
  /** The Batch API's timings and faults (reset() clears them). */
  setBatchBehaviour(b: BatchBehaviour): void;
  /** Files uploaded or made by batches (`/v1/files`). */
  readonly batchApi: FakeBatchApi;
  close(): Promise<void>;
}

const DEFAULT_DEPLOYMENTS: Readonly<Record<string, string>> = {
  'gpt-image': 'gpt-image-1.5',
  dalle3: 'dall-e-3',
  dalle2: 'dall-e-2',
};

const PRE_FAULTS: ReadonlySet<FaultKind> = new Set([
  'rate_limit', 'quota', 'server_error', 'overloaded', 'drop', 'malformed_json', 'unauthorized', 'org_verification',
]);

const MAX_BODY = 256 * 1024 * 1024;

interface StoredFile {
  bytes: Buffer;
  contentType: string;
  expiresAt: number;
}

type Parsed =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'multipart'; values: Record<string, unknown>; uploads: Upload[]; texts: [string, string][] }
  | { kind: 'bad-json' }
  | { kind: 'bad-multipart'; reason: string }
  | { kind: 'other'; contentType: string };

interface Route {
  operation?: Operation;
  azure: boolean;
  deployment?: string;
  apiVersion?: string;
}

/** Validates and normalises a fault given over HTTP or in-process. */
export function normalizeFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('a fault must be an object');
  const o = input as Record<string, unknown>;
  const kind = (o['kind'] ?? o['type']) as FaultKind;
  if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault kind '${String(kind)}'; one of ${FAULT_KINDS.join(', ')}`);
  const num = (name: string): number | undefined => {
    const v = o[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`fault ${name} must be a number`);
    return v;
  };
  const times = num('times');
  if (times !== undefined && (times === 0 || (times > 0 && !Number.isInteger(times) && times !== Infinity))) {
    throw new Error('fault times must be a positive integer, or -1 for every request until reset');
  }
  const path = o['path'];
  if (path !== undefined && path !== null && typeof path !== 'string') throw new Error('fault path must be a string');
  return {
    kind,
    times: times === undefined ? 1 : times < 0 ? Infinity : times,
    ...(typeof path === 'string' ? { path } : {}),
    ...(num('retryAfterSeconds') !== undefined ? { retryAfterSeconds: num('retryAfterSeconds') } : {}),
    ...(num('ms') !== undefined ? { ms: num('ms') } : {}),
    ...(num('status') !== undefined ? { status: num('status') } : {}),
  };
}

/** "sk-test-key" -> "sk-te****-key", the way the service echoes a wrong key. */
export function maskKey(key: string): string {
  if (key.length < 10) return `${key.slice(0, 2)}****`;
  return `${key.slice(0, 5)}${'*'.repeat(Math.max(4, key.length - 9))}${key.slice(-4)}`;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export async function startFakeOpenAI(opts: FakeOptions = {}): Promise<FakeOpenAI> {
  const host = opts.host ?? '127.0.0.1';
  const apiKeys = opts.apiKeys && opts.apiKeys.length > 0 ? [...opts.apiKeys] : ['sk-test-key'];
  const deployments = { ...(opts.azureDeployments ?? DEFAULT_DEPLOYMENTS) };
  for (const [name, model] of Object.entries(deployments)) {
    if (!MODELS.has(model)) throw new Error(`azureDeployments.${name}: unknown model '${model}'`);
  }
  const urlTtlMs = opts.urlTtlMs ?? 60 * 60 * 1000;
  let latencyMs = Math.max(0, opts.latencyMs ?? 0);
  /** Forced answer shape, as some compatible servers do (URLs for every model, or always base64). */
  let resultShape: 'url' | 'b64_json' | undefined;
  const access: PreviewAccess = { svg: false, gif: false, ...opts.previewAccess };
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const files = new Map<string, StoredFile>();
  let seq = 0;
  let origin = '';

  // ---- faults ---------------------------------------------------------------------------------

  function applies(f: Fault, path: string, isApi: boolean): boolean {
    return f.path !== undefined ? path.includes(f.path) : isApi;
  }

  function takeFault(kinds: ReadonlySet<FaultKind>, path: string, isApi: boolean): Fault | undefined {
    const i = faults.findIndex((f) => kinds.has(f.kind) && applies(f, path, isApi));
    if (i < 0) return undefined;
    const f = faults[i]!;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) faults.splice(i, 1);
    else f.times = left;
    return f;
  }

  // ---- helpers --------------------------------------------------------------------------------

  const sleep = (ms: number): Promise<void> =>
    ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref());

  function baseHeaders(ctx: Ctx): Record<string, string> {
    const h: Record<string, string> = {
      'x-request-id': ctx.requestId,
      'openai-processing-ms': String(Date.now() - ctx.started),
      'openai-version': '2020-10-01',
      'x-ratelimit-limit-requests': '250',
      'x-ratelimit-remaining-requests': '249',
      'x-ratelimit-reset-requests': '240ms',
      'x-ratelimit-limit-tokens': '800000',
      'x-ratelimit-remaining-tokens': '799000',
      'x-ratelimit-reset-tokens': '75ms',
    };
    if (ctx.azure) {
      h['apim-request-id'] = randomUUID();
      h['x-ms-region'] = 'East US';
    }
    return h;
  }

  function send(res: http.ServerResponse, ctx: Ctx, status: number, body: string | Buffer, headers: Record<string, string>): void {
    if (res.destroyed || res.headersSent) return;
    ctx.record.status = status;
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...baseHeaders(ctx), ...headers, 'content-length': String(buf.length) });
    res.end(buf);
  }

  function sendJson(res: http.ServerResponse, ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
    send(res, ctx, status, JSON.stringify(body, null, 2), { 'content-type': 'application/json', ...headers });
  }

  function sendError(res: http.ServerResponse, ctx: Ctx, err: ApiError): void {
    sendJson(res, ctx, err.status, err.body, err.headers);
  }

  const azureError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): ApiError =>
    new ApiError(status, { error: { code, message, ...extra } }, headers);

  // ---- faults as answers ----------------------------------------------------------------------

  function faultError(f: Fault, ctx: Ctx, model: string): ApiError | 'drop' | 'malformed' {
    switch (f.kind) {
      case 'rate_limit': {
        const secs = f.retryAfterSeconds ?? 1;
        const headers = {
          'retry-after': String(secs),
          'retry-after-ms': String(Math.round(secs * 1000)),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': `${secs}s`,
        };
        if (ctx.azure) {
          return azureError(429, '429', `Requests to the Images_Generations Operation under Azure OpenAI API version ${ctx.route.apiVersion} have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${secs} second${secs === 1 ? '' : 's'}. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`, {}, headers);
        }
        return openaiError(
          429,
          `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 5, Used 5, Requested 1. Please try again in ${secs}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
          null,
          'rate_limit_exceeded',
          'requests',
          headers,
        );
      }
      case 'quota':
        return openaiError(
          429,
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          null,
          'insufficient_quota',
          'insufficient_quota',
        );
      case 'server_error':
        return openaiError(
          f.status && f.status >= 500 && f.status <= 599 ? f.status : 500,
          `The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if the error persists. (Please include the request ID ${ctx.requestId} in your message.)`,
          null,
          null,
          'server_error',
        );
      case 'overloaded':
        return openaiError(503, 'The engine is currently overloaded, please try again later', null, null, 'server_error');
      case 'unauthorized':
        return authError(ctx, ctx.presentedKey);
      case 'org_verification':
        return openaiError(
          403,
          `Your organization must be verified to use the model \`${model}\`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.`,
          null,
          null,
        );
      case 'drop':
        return 'drop';
      case 'malformed_json':
        return 'malformed';
      default:
        throw new Error(`fault ${f.kind} is not an answer`);
    }
  }

  function moderationError(ctx: Ctx, job: ImageJob): ApiError {
    if (ctx.azure) {
      const cat = (filtered: boolean) => ({ filtered, severity: filtered ? 'high' : 'safe' });
      return azureError(400, 'contentFilter', 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.', {
        param: 'prompt',
        type: 'invalid_request_error',
        inner_error: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_results: { hate: cat(false), self_harm: cat(false), sexual: cat(false), violence: cat(true) },
        },
      });
    }
    if (job.model.family === 'gpt') {
      return openaiError(
        400,
        `Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID ${ctx.requestId}. safety_violations=[violence].`,
        null,
        'moderation_blocked',
        'image_generation_user_error',
      );
    }
    return openaiError(
      400,
      'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      null,
      'content_policy_violation',
    );
  }

  function authError(ctx: Ctx, key: string | undefined): ApiError {
    if (ctx.azure) {
      return azureError(401, '401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.');
    }
    if (!key) {
      return openaiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        null,
        null,
      );
    }
    return openaiError(
      401,
      `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      null,
      'invalid_api_key',
    );
  }

  // ---- request body ---------------------------------------------------------------------------

  async function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) tooLarge = true;
      if (!tooLarge) chunks.push(chunk as Buffer);
    }
    return tooLarge ? 'too-large' : Buffer.concat(chunks);
  }

  async function parseBody(contentType: string, body: Buffer): Promise<Parsed> {
    const ct = contentType.toLowerCase();
    if (body.length === 0 && !ct.startsWith('multipart/')) return { kind: 'none' };
    if (ct.startsWith('application/json') || (!ct && body.length > 0 && /^\s*[{[]/.test(body.subarray(0, 16).toString()))) {
      try {
        return { kind: 'json', value: JSON.parse(body.toString('utf8')) };
      } catch {
        return { kind: 'bad-json' };
      }
    }
    if (ct.startsWith('multipart/form-data')) {
      try {
        const form = await new Response(body as unknown as BodyInit, { headers: { 'content-type': contentType } }).formData();
        const values: Record<string, unknown> = {};
        const uploads: Upload[] = [];
        const texts: [string, string][] = [];
        const entries: [string, FormDataEntryValue][] = [];
        form.forEach((value, name) => entries.push([name, value]));
        for (const [name, value] of entries) {
          if (typeof value === 'string') {
            texts.push([name, value]);
            if (!(name in values)) values[name] = value;
          } else {
            const file = value as File;
            uploads.push({
              field: name,
              filename: file.name ?? '',
              contentType: file.type || 'application/octet-stream',
              bytes: Buffer.from(await file.arrayBuffer()),
            });
          }
        }
        return { kind: 'multipart', values, uploads, texts };
      } catch (e) {
        return { kind: 'bad-multipart', reason: e instanceof Error ? e.message : String(e) };
      }
    }
    return { kind: 'other', contentType: ct };
  }

  function recordParsed(rec: RecordedRequest, parsed: Parsed): void {
    if (parsed.kind === 'json') rec.body = parsed.value;
    if (parsed.kind === 'multipart') {
      const fields: Record<string, string | string[]> = {};
      for (const [name, value] of parsed.texts) {
        const prev = fields[name];
        if (prev === undefined) fields[name] = value;
        else fields[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
      rec.fields = fields;
      rec.files = parsed.uploads.map((u) => ({
        field: u.field,
        filename: u.filename,
        contentType: u.contentType,
        size: u.bytes.length,
        bytes: u.bytes,
      }));
    }
  }

  // ---- routing --------------------------------------------------------------------------------

  function route(method: string, path: string, query: URLSearchParams): Route | undefined {
    if (method !== 'POST') return undefined;
    const v1 = /^\/v1\/images\/(generations|edits|variations)\/?$/.exec(path);
    if (v1) return { operation: OPS[v1[1]!], azure: false };
    const az = /^\/openai\/deployments\/([^/]+)\/images\/(generations|edits)\/?$/.exec(path);
    if (az) {
      return {
        operation: OPS[az[2]!],
        azure: true,
        deployment: decodeURIComponent(az[1]!),
        apiVersion: query.get('api-version') ?? undefined,
      };
    }
    return undefined;
  }

  // ---- images ---------------------------------------------------------------------------------

  function usageFor(job: ImageJob) {
    const textTokens = Math.max(1, Math.ceil(job.prompt.length / 4));
    const imageTokens = job.inputs.reduce((sum, i) => sum + 65 + 129 * Math.ceil(i.width / 512) * Math.ceil(i.height / 512), 0);
    const perImage = { low: 272, medium: 1056, high: 4160 }[job.quality as 'low' | 'medium' | 'high'] ?? 4160;
    const outputTokens = Math.ceil((perImage * job.width * job.height) / (1024 * 1024)) * job.n;
    return {
      input_tokens: textTokens + imageTokens,
      input_tokens_details: { text_tokens: textTokens, image_tokens: imageTokens },
      output_tokens: outputTokens,
      total_tokens: textTokens + imageTokens + outputTokens,
    };
  }

  function seedFor(job: ImageJob, index: number): string {
    const inputHash = job.inputs.map((i) => hash32(i.bytes.subarray(0, 65536)) ^ i.bytes.length).join(',');
    return `${job.operation}|${job.model.id}|${job.prompt}|${index}|${inputHash}`;
  }

  async function picture(job: ImageJob, index: number, width = job.width, height = job.height, extra = ''): Promise<Buffer> {
    const seed = seedFor(job, index) + extra;
    if (job.outputFormat === 'svg') return makeSvg({ width, height, seed, transparent: job.background === 'transparent' });
    if (job.outputFormat === 'gif') return makeGif({ width, height, seed }, job.frameCount, job.frameDurationMs);
    return makePicture({
      width,
      height,
      format: job.outputFormat,
      transparent: job.background === 'transparent',
      seed: seedFor(job, index) + extra,
      quality: job.outputCompression,
    });
  }

  function storeFile(bytes: Buffer, format: ImageFormat, expired: boolean): string {
    const id = `img-${hex(12)}`;
    const expiresAt = expired ? Date.now() - 1000 : Date.now() + urlTtlMs;
    files.set(id, { bytes, contentType: MIME[format], expiresAt });
    while (files.size > 2000) files.delete(files.keys().next().value!);
    const se = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return `${origin}/_fake/files/${id}.${format === 'jpeg' ? 'jpg' : format}?se=${encodeURIComponent(se)}&sp=r&sv=2024-08-04&sr=b&sig=${hex(16)}`;
  }

  function revisedPrompt(prompt: string): string {
    return `A detailed, high-resolution rendering of the following scene: ${prompt.trim()}. The composition is balanced, with soft natural lighting and rich colour.`;
  }

  async function answerJob(res: http.ServerResponse, ctx: Ctx, job: ImageJob): Promise<void> {
    const created = Math.floor(Date.now() / 1000);
    const isGpt = job.model.family === 'gpt';
    const size = `${job.width}x${job.height}`;
    if (job.stream) {
      await answerStream(res, ctx, job, created, size);
      return;
    }
    const images = await Promise.all(Array.from({ length: job.n }, (_, i) => picture(job, i)));
    const expired = (resultShape ?? job.responseFormat) === 'url' && takeFault(EXPIRED, ctx.path, true) !== undefined;
    const data = images.map((bytes) => {
      const item: Record<string, string> = {};
      if ((resultShape ?? job.responseFormat) === 'url') item['url'] = storeFile(bytes, job.outputFormat as ImageFormat, expired);
      else item['b64_json'] = bytes.toString('base64');
      if (job.model.family === 'dall-e-3') item['revised_prompt'] = revisedPrompt(job.prompt);
      return item;
    });
    const body: Record<string, unknown> = { created, data };
    if (isGpt) {
      body['background'] = job.background;
      body['output_format'] = job.outputFormat;
      body['quality'] = job.quality;
      body['size'] = size;
      const usage = usageFor(job);
      body['usage'] = { ...usage, output_tokens_details: { image_tokens: usage.output_tokens, text_tokens: 0 } };
      if (job.outputFormat === 'svg') {
        // SVG authoring is billed apart from the reference image (SDK 7.57: svg_usage).
        const output = 1200 + (hash32(job.prompt) % 800);
        body['svg_usage'] = { model: 'svg-author', input_tokens: usage.input_tokens, output_tokens: output, reasoning_tokens: 400, total_tokens: usage.input_tokens + output + 400 };
      }
    }
    sendJson(res, ctx, 200, body);
  }

  async function answerStream(res: http.ServerResponse, ctx: Ctx, job: ImageJob, created: number, size: string): Promise<void> {
    const prefix = job.operation === 'edit' ? 'image_edit' : 'image_generation';
    const common = {
      size,
      quality: job.quality,
      background: job.background,
      output_format: job.outputFormat,
    };
    const small = Math.min(1, 256 / Math.max(job.width, job.height));
    const pw = Math.max(16, Math.round(job.width * small));
    const ph = Math.max(16, Math.round(job.height * small));
    const [final, ...partials] = await Promise.all([
      picture(job, 0),
      ...Array.from({ length: job.partialImages }, (_, k) => picture(job, 0, pw, ph, `|partial|${k}`)),
    ]);
    if (res.destroyed) return;
    ctx.record.status = 200;
    res.writeHead(200, {
      ...baseHeaders(ctx),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    const event = (type: string, payload: Record<string, unknown>): void => {
      if (res.destroyed) return;
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`);
    };
    for (let k = 0; k < partials.length; k++) {
      event(`${prefix}.partial_image`, {
        b64_json: partials[k]!.toString('base64'),
        created_at: Math.floor(Date.now() / 1000),
        ...common,
        partial_image_index: k,
      });
      await sleep(5);
    }
    event(`${prefix}.completed`, {
      b64_json: final!.toString('base64'),
      created_at: Math.max(created, Math.floor(Date.now() / 1000)),
      ...common,
      usage: usageFor(job),
    });
    if (!res.destroyed) res.end();
  }

  // ---- files ----------------------------------------------------------------------------------

  function serveFile(res: http.ServerResponse, ctx: Ctx, method: string, path: string): void {
    const id = /^\/_fake\/files\/([A-Za-z0-9-]+)(?:\.[a-z]+)?$/.exec(path)?.[1];
    const file = id ? files.get(id) : undefined;
    const xml = { 'content-type': 'application/xml' };
    if (!file) {
      send(res, ctx, 404, '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>', xml);
      return;
    }
    if (Date.now() >= file.expiresAt) {
      send(
        res,
        ctx,
        403,
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nTime: ${new Date().toISOString()}</Message><AuthenticationErrorDetail>Signed expiry time [${new Date(file.expiresAt).toUTCString()}] must be after signed start time [${new Date().toUTCString()}]</AuthenticationErrorDetail></Error>`,
        xml,
      );
      return;
    }
    if (method === 'HEAD') {
      if (res.destroyed) return;
      ctx.record.status = 200;
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
      res.end();
      return;
    }
    send(res, ctx, 200, file.bytes, { 'content-type': file.contentType, 'cache-control': 'max-age=3600' });
  }

  // ---- control endpoints ----------------------------------------------------------------------

  function serializeRequest(r: RecordedRequest): unknown {
    return {
      ...r,
      files: r.files?.map(({ bytes, ...rest }) => ({ ...rest, base64: bytes.toString('base64') })),
    };
  }

  async function control(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const reply = (status: number, body: unknown): void => {
      if (res.destroyed) return;
      const buf = Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length), 'cache-control': 'no-store' });
      res.end(buf);
    };
    const readJson = async (): Promise<unknown> => {
      const body = await readBody(req);
      if (body === 'too-large' || body.length === 0) return undefined;
      return JSON.parse(body.toString('utf8'));
    };
    try {
      const method = req.method ?? 'GET';
      if (path === '/_fake/health' && method === 'GET') return reply(200, { ok: true, url: api.url, origin });
      if (path === '/_fake/requests' && method === 'GET') return reply(200, requests.map(serializeRequest));
      if (path === '/_fake/faults' && method === 'GET') return reply(200, api.pendingFaults());
      if (path === '/_fake/faults' && method === 'POST') {
        const body = await readJson();
        const list = (Array.isArray(body) ? body : [body]).map(normalizeFault);
        api.inject(list);
        return reply(200, { ok: true, pending: faults.length });
      }
      if (path === '/_fake/reset' && method === 'POST') {
        await readBody(req);
        api.reset();
        return reply(200, { ok: true });
      }
      if (path === '/_fake/latency' && method === 'POST') {
        const body = (await readJson()) as { ms?: unknown } | undefined;
        const ms = body?.ms;
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return reply(400, { error: 'body must be {"ms": <non-negative number>}' });
        api.setLatency(ms);
        return reply(200, { ok: true, latencyMs });
      }
      if (path === '/_fake/access' && method === 'POST') {
        const body = (await readJson()) as { svg?: unknown; gif?: unknown } | undefined;
        if (!body || (body.svg !== undefined && typeof body.svg !== 'boolean') || (body.gif !== undefined && typeof body.gif !== 'boolean')) {
          return reply(400, { error: 'body must be {"svg"?: boolean, "gif"?: boolean}' });
        }
        api.setPreviewAccess(body as Partial<PreviewAccess>);
        return reply(200, { ok: true, access });
      }
      if (path === '/_fake/result-shape' && method === 'POST') {
        const body = (await readJson()) as { shape?: unknown } | undefined;
        const shape = body?.shape;
        if (shape !== 'url' && shape !== 'b64_json' && shape !== 'default') return reply(400, { error: 'body must be {"shape": "url" | "b64_json" | "default"}' });
        resultShape = shape === 'default' ? undefined : shape;
        return reply(200, { ok: true, shape });
      }
      return reply(404, { error: `no control endpoint ${method} ${path}` });
    } catch (e) {
      return reply(400, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  // ---- the Batch API --------------------------------------------------------------------------

  /** One batch line, answered as the synchronous endpoint would answer it. */
  async function answerLine(url: string, body: unknown, azure: boolean): Promise<LineAnswer> {
    const requestId = `req_${hex(16)}`;
    const operation = url === '/v1/images/edits' ? 'edit' : url === '/v1/images/generations' ? 'generate' : undefined;
    try {
      if (!operation) throw openaiError(400, `The batch fake answers image lines only, not ${url}.`, null, null);
      if (!isObject(body)) throw badJson();
      // Azure: a line names its deployment as its model; the deployment decides the model.
      let forced: string | undefined;
      if (azure) {
        forced = typeof body.model === 'string' ? deployments[body.model] : undefined;
        if (!forced) throw azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.');
      }
      const uploads = operation === 'edit' ? uploadsFromJsonEdit(body) : [];
      const values = forced ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'model')) : body;
      const job = await validateRequest(operation, { source: 'json', values, uploads }, forced);
      if (takeFault(MODERATION, url, true)) throw moderationError({ requestId, azure } as Ctx, job);
      const images = await Promise.all(Array.from({ length: job.n }, (_, i) => picture(job, i)));
      const answer: Record<string, unknown> = { created: Math.floor(Date.now() / 1000), data: images.map((b) => ({ b64_json: b.toString('base64') })) };
      if (job.model.family === 'gpt') Object.assign(answer, { background: job.background, output_format: job.outputFormat, quality: job.quality, size: `${job.width}x${job.height}`, usage: usageFor(job) });
      return { status: 200, body: answer, requestId };
    } catch (e) {
      if (e instanceof ApiError) return { status: e.status, body: e.body, requestId };
      throw e;
    }
  }
  const batchApi = new FakeBatchApi(answerLine);

  /** `/v1/files...` and `/v1/batches...` (Azure: `/openai/v1/...`); undefined for other paths. */
  async function answerBatchApi(method: string, path: string, parsed: Parsed, res: http.ServerResponse, ctx: Ctx): Promise<boolean> {
    const m = /^\/(?:v1|openai\/v1)\/(files|batches)(?:\/([^/]+))?(?:\/(content|cancel))?\/?$/.exec(path);
    if (!m) return false;
    const [, kind, id, action] = m;
    let out: { status: number; body: unknown; raw?: Buffer } | undefined;
    if (kind === 'files') {
      if (!id && method === 'POST') {
        const form = parsed.kind === 'multipart' ? parsed : undefined;
        const file = form?.uploads.find((u) => u.field === 'file');
        out = batchApi.createFile(form?.values['purpose'], file && { filename: file.filename, bytes: file.bytes });
      } else if (id && !action && method === 'GET') out = batchApi.getFile(id);
      else if (id && action === 'content' && method === 'GET') out = batchApi.fileContent(id);
      else if (id && !action && method === 'DELETE') out = batchApi.deleteFile(id);
    } else {
      if (!id && method === 'POST') out = batchApi.createBatch(parsed.kind === 'json' ? parsed.value : undefined, path.startsWith('/openai/'));
      else if (!id && method === 'GET') out = batchApi.list();
      else if (id && !action && method === 'GET') out = await batchApi.getBatch(id);
      else if (id && action === 'cancel' && method === 'POST') out = await batchApi.cancelBatch(id);
    }
    if (!out) throw openaiError(404, `Invalid URL (${method} ${path})`, null, null);
    if (out.raw) send(res, ctx, 200, out.raw, { 'content-type': 'application/octet-stream' });
    else sendJson(res, ctx, out.status, out.body);
    return true;
  }

  // ---- the handler ----------------------------------------------------------------------------

  interface Ctx {
    requestId: string;
    started: number;
    azure: boolean;
    route: Route;
    path: string;
    record: RecordedRequest;
    presentedKey?: string;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const path = url.pathname;
    res.on('error', () => undefined);

    if (path.startsWith('/_fake/') && !path.startsWith('/_fake/files/')) {
      await control(req, res, path);
      return;
    }

    const body = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'authorization' || name === 'api-key' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const record: RecordedRequest = {
      seq: ++seq,
      time: new Date(started).toISOString(),
      method,
      path,
      query: Object.fromEntries(url.searchParams.entries()),
      headers,
      hasAuthorization: req.headers['authorization'] !== undefined,
      hasApiKey: req.headers['api-key'] !== undefined,
      ...(contentType ? { contentType } : {}),
      requestId: `req_${hex(16)}`,
    };
    requests.push(record);

    let parsed: Parsed = { kind: 'none' };
    if (body !== 'too-large') {
      parsed = await parseBody(contentType, body);
      recordParsed(record, parsed);
    }

    const rt = route(method, path, url.searchParams) ?? { azure: path.startsWith('/openai/') };
    const isFile = path.startsWith('/_fake/files/');
    const isApi = path.startsWith('/v1/') || path.startsWith('/openai/');
    const ctx: Ctx = { requestId: record.requestId, started, azure: rt.azure, route: rt, path, record };
    if (opts.log) {
      res.on('finish', () => process.stderr.write(`[fake-openai] ${method} ${path} -> ${res.statusCode} (${Date.now() - started} ms)\n`));
    }

    try {
      // Delays: the fixed latency and any `slow` fault.
      const slow = takeFault(SLOW, path, isApi);
      await sleep(latencyMs + (slow ? slow.ms ?? 1000 : 0));
      if (res.destroyed) return;

      if (isFile && (method === 'GET' || method === 'HEAD')) {
        const f = takeFault(PRE_FAULTS, path, false);
        if (f) {
          const answer = faultError(f, ctx, 'dall-e-3');
          if (answer === 'drop') return void req.socket.destroy();
          if (answer === 'malformed') return send(res, ctx, 200, '<?xml version="1.0"', { 'content-type': 'image/png' });
          return sendError(res, ctx, answer);
        }
        return serveFile(res, ctx, method, path);
      }

      if (/^\/(v1|openai\/v1)\/(files|batches)(\/|$)/.test(path)) {
        // Files and batches: the key (Bearer, or Azure's api-key header), then the route.
        const bearer = /^Bearer\s+(.*)$/i.exec(String(req.headers['authorization'] ?? ''))?.[1]?.trim();
        ctx.presentedKey = String(req.headers['api-key'] ?? '') || bearer || undefined;
        if (!ctx.presentedKey || !apiKeys.includes(ctx.presentedKey)) throw authError(ctx, ctx.presentedKey);
        const f = takeFault(PRE_FAULTS, path, isApi);
        if (f) {
          const answer = faultError(f, ctx, 'batch');
          if (answer === 'drop') return void req.socket.destroy();
          if (answer === 'malformed') return send(res, ctx, 200, '{"id": "batch_', { 'content-type': 'application/json' });
          throw answer;
        }
        if (body === 'too-large') throw openaiError(413, 'Request Entity Too Large: the request body is larger than this server accepts.', null, null);
        await answerBatchApi(method, path, parsed, res, ctx);
        return;
      }

      if (rt.azure) {
        // Azure: api-version first, then the key, then the deployment.
        if (!rt.operation) throw azureError(404, '404', 'Resource not found');
        if (!rt.apiVersion) throw azureError(404, '404', 'Resource not found');
        if (!/^\d{4}-\d{2}-\d{2}(-preview)?$|^(preview|latest|v1)$/.test(rt.apiVersion)) {
          throw azureError(400, 'BadRequest', 'API version not supported');
        }
        const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers['authorization'] ?? ''))?.[1]?.trim();
        ctx.presentedKey = String(req.headers['api-key'] ?? '') || bearer;
        if (!ctx.presentedKey || !apiKeys.includes(ctx.presentedKey)) throw authError(ctx, ctx.presentedKey);
        if (!(rt.deployment! in deployments)) {
          throw azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.');
        }
      } else {
        if (!isApi) throw openaiError(404, `Invalid URL (${method} ${path})`, null, null);
        const bearer = /^Bearer\s+(.*)$/i.exec(String(req.headers['authorization'] ?? ''))?.[1]?.trim();
        ctx.presentedKey = bearer || undefined;
        if (!ctx.presentedKey || !apiKeys.includes(ctx.presentedKey)) throw authError(ctx, ctx.presentedKey);
        if (!rt.operation) throw openaiError(404, `Invalid URL (${method} ${path})`, null, null);
      }
      const operation = rt.operation!;
      const azureModel = rt.azure ? deployments[rt.deployment!] : undefined;
      const values = parsed.kind === 'json' && isObject(parsed.value) ? parsed.value : parsed.kind === 'multipart' ? parsed.values : {};

      // Faults answered before the request is looked at.
      const f = takeFault(PRE_FAULTS, path, isApi);
      if (f) {
        const answer = faultError(f, ctx, azureModel ?? requestedModel(operation, values));
        if (answer === 'drop') {
          record.status = undefined;
          req.socket.destroy();
          return;
        }
        if (answer === 'malformed') {
          send(res, ctx, 200, '{\n  "created": 1763900000,\n  "data": [\n    {\n      "b64_json": "iVBORw0KGgoAAAANSUhEUgAA', { 'content-type': 'application/json' });
          return;
        }
        throw answer;
      }

      // The body.
      if (body === 'too-large') throw openaiError(413, 'Request Entity Too Large: the request body is larger than this server accepts.', null, null);
      let raw: RawParams;
      if (parsed.kind === 'json' && isObject(parsed.value)) {
        const uploads = operation === 'edit' ? uploadsFromJsonEdit(parsed.value) : [];
        raw = { source: 'json', values: parsed.value, uploads };
      } else if (parsed.kind === 'multipart') {
        if (operation === 'generate') throw badJson();
        raw = { source: 'multipart', values: parsed.values, uploads: parsed.uploads };
      } else if (parsed.kind === 'bad-multipart') {
        throw openaiError(400, `Could not parse multipart form: ${parsed.reason}`, null, null);
      } else if (operation !== 'generate' && (parsed.kind === 'none' || parsed.kind === 'other')) {
        throw openaiError(
          400,
          `Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')`,
          null,
          null,
        );
      } else {
        throw badJson();
      }

      if (azureModel && operation === 'edit' && azureModel === 'dall-e-3') {
        throw azureError(400, 'OperationNotSupported', `The imagesEdit operation does not work with the specified model, ${azureModel}. Please choose different model and try again. You can learn more about which models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.`);
      }
      const job = await validateRequest(operation, raw, azureModel, access);

      if (takeFault(MODERATION, path, isApi)) throw moderationError(ctx, job);
      await answerJob(res, ctx, job);
    } catch (e) {
      if (e instanceof ApiError) {
        sendError(res, ctx, e);
        return;
      }
      process.stderr.write(`[fake-openai] internal error on ${method} ${path}: ${e instanceof Error ? e.stack : String(e)}\n`);
      sendError(res, ctx, openaiError(500, `The fake server failed: ${e instanceof Error ? e.message : String(e)}`, null, null, 'server_error'));
    }
  }

  // ---- the server -----------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      process.stderr.write(`[fake-openai] ${e instanceof Error ? e.stack : String(e)}\n`);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'internal fake error', type: 'server_error', param: null, code: null } }));
      }
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  origin = `http://${shownHost}:${port}`;

  const api: FakeOpenAI = {
    url: `${origin}/v1`,
    origin,
    port,
    apiKey: apiKeys[0]!,
    requests,
    inject(fault) {
      for (const f of Array.isArray(fault) ? fault : [fault]) faults.push(normalizeFault(f));
    },
    pendingFaults() {
      return faults.map((f) => ({ ...f, times: f.times === Infinity ? -1 : f.times }));
    },
    reset() {
      faults.length = 0;
      requests.length = 0;
      batchApi.reset();
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    setPreviewAccess(a) {
      if (a.svg !== undefined) access.svg = a.svg;
      if (a.gif !== undefined) access.gif = a.gif;
    },
    setBatchBehaviour(b) {
      batchApi.behaviour = { ...b };
    },
    batchApi,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return api;
}

const OPS: Readonly<Record<string, Operation>> = { generations: 'generate', edits: 'edit', variations: 'variation' };
const SLOW: ReadonlySet<FaultKind> = new Set(['slow']);
const EXPIRED: ReadonlySet<FaultKind> = new Set(['expired_url']);
const MODERATION: ReadonlySet<FaultKind> = new Set(['moderation']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badJson(): ApiError {
  return openaiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    null,
    null,
  );
}
