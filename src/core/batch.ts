/**
 * The Batch API for asset manifests, the pure part: a job (one batch per endpoint) and its state
 * transitions, the JSONL input lines, the result lines parsed, the polling backoff and the recipe
 * of an image a batch made. No `vscode`, no SDK: the host persists the job and drives the SDK
 * (core/batchClient.ts) with it; a CLI could do the same.
 *
 * A job's life: each part is `uploading` until its batch exists, then follows the batch's status
 * (validating, in_progress, finalizing, then completed, failed, expired or cancelled; cancelling
 * between). A part whose batch has ended is collected once: its output lines written, its error
 * lines listed as failed with the API's message, and lines the batch never ran (expired or
 * cancelled) handed back to be planned again.
 */
import type { AssetEntry } from './manifest';
import { buildLineage, type SourceWithRecipe } from './lineage';
import type { ModelCapabilities } from './models';
import { actualCost, usageFromApi, type ImageUsage } from './pricing';
import type { GenerationRecord } from './record';
import { generateParams, requestOptions, type ImageRequest, type InputImage } from './request';
import { detectResultFormat, MIME_TYPES, type ResultFormat } from '../shared/imageFormat';

export type BatchEndpoint = '/v1/images/generations' | '/v1/images/edits';
export type RemoteStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
/** `lost`: the batch can no longer be retrieved (gone at the server) or the user stopped waiting for it: ended here, its lines planned again. */
export type PartStatus = 'uploading' | RemoteStatus | 'lost';

/**
 * One manifest entry in a job: its line's custom_id, where its image goes (the entry's path), the
 * request it was sent with (its record says so, whatever the manifest says by then), its sources,
 * and the recipe hash it records.
 */
export interface JobEntry extends Pick<AssetEntry, 'path' | 'request' | 'sources'> {
  readonly id: string;
  readonly recipe: string;
}

/** Where a run's images went: written, written beside a file that was kept, or failed (with the API's words). */
export interface AssetOutcome {
  /** Output paths written (workspace-relative, as placed: a unique name beside a foreign file). */
  readonly written: readonly string[];
  /** Written beside a file that was not Pixelwright's own or was changed by hand. */
  readonly besides: readonly string[];
  /** Entries whose request failed, with the API's message. */
  readonly failed: readonly { readonly path: string; readonly error: string }[];
}

/** One batch of a job (one endpoint). */
export interface JobPart {
  readonly endpoint: BatchEndpoint;
  readonly entries: readonly JobEntry[];
  readonly status: PartStatus;
  readonly inputFileId?: string;
  readonly batchId?: string;
  readonly outputFileId?: string;
  readonly errorFileId?: string;
  readonly counts?: { readonly total: number; readonly completed: number; readonly failed: number };
  /** Why the whole batch failed (its validation errors), in the API's words. */
  readonly error?: string;
  /** Its results were written and its failures listed. */
  readonly collected: boolean;
}

export interface BatchJob extends AssetOutcome {
  readonly v: 1;
  /** Local id ("job-..."): the name of its file under `.pixelwright/batches/`. */
  readonly id: string;
  /** The manifest's URI (string). */
  readonly manifest: string;
  /** The provider kind it was sent to: polling resumes only against the same one. */
  readonly provider: 'openai' | 'azure' | 'compatible';
  readonly createdAt: string;
  readonly parts: readonly JobPart[];
  /** Entries the batch never ran (expired, cancelled): planned again. */
  readonly replan: readonly string[];
  /** Retrieves so far (the backoff grows with them). */
  readonly polls: number;
  /** The user asked to cancel it. */
  readonly cancelRequested?: boolean;
  /** Estimated cost through the Batch API (USD), when the price list knows. */
  readonly estimate?: number;
  /** What the images written cost (USD, the recorded half price), when known. */
  readonly cost?: number;
  /** The last retrieve that failed (other than "not found"): polling goes on, this says why it is slow. */
  readonly lastError?: { readonly message: string; readonly at: string; readonly count: number };
  /** Why the job ended without its results (its batch is gone, or the user stopped waiting). */
  readonly lost?: string;
  /** The user stopped waiting for it (ended here; the batch may still run at the server). */
  readonly stoppedWaiting?: boolean;
  /** When it ended. */
  readonly endedAt?: string;
}

/** What the server says about a batch (the SDK's Batch, the fields used). */
export interface RemoteBatch {
  readonly id: string;
  readonly status: string;
  readonly output_file_id?: string | null;
  readonly error_file_id?: string | null;
  readonly request_counts?: { readonly total: number; readonly completed: number; readonly failed: number } | null;
  readonly errors?: { readonly data?: readonly { readonly code?: string | null; readonly message?: string | null; readonly line?: number | null }[] | null } | null;
}

const ENDED: ReadonlySet<PartStatus> = new Set(['failed', 'completed', 'expired', 'cancelled', 'lost']);
const REMOTE: ReadonlySet<string> = new Set(['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled']);

export function endpointOf(operation: ImageRequest['operation']): BatchEndpoint {
  return operation === 'edit' ? '/v1/images/edits' : '/v1/images/generations';
}

/** A new job for `items` (in manifest order), one part per endpoint, each line's custom_id unique in the job. */
export function newJob(id: string, manifest: string, provider: BatchJob['provider'], items: readonly Omit<JobEntry, 'id'>[], now: Date, estimate?: number): BatchJob {
  const parts = new Map<BatchEndpoint, JobEntry[]>();
  items.forEach((item, k) => {
    const endpoint = endpointOf(item.request.operation);
    let list = parts.get(endpoint);
    if (!list) parts.set(endpoint, (list = []));
    list.push({ ...item, id: `a${k + 1}` });
  });
  return {
    v: 1,
    id,
    manifest,
    provider,
    createdAt: now.toISOString(),
    parts: [...parts].map(([endpoint, entries]) => ({ endpoint, entries, status: 'uploading', collected: false })),
    written: [],
    besides: [],
    failed: [],
    replan: [],
    polls: 0,
    ...(estimate !== undefined ? { estimate } : {}),
  };
}

/** A part after its batch was created from its uploaded file. */
export function partCreated(part: JobPart, inputFileId: string, remote: RemoteBatch): JobPart {
  return applyRemote({ ...part, inputFileId, batchId: remote.id }, remote);
}

/** A part after a retrieve (or cancel) answered; an ended part never goes back. */
export function applyRemote(part: JobPart, remote: RemoteBatch): JobPart {
  if (ENDED.has(part.status) || !REMOTE.has(remote.status)) return part;
  const status = remote.status as RemoteStatus;
  const errors = remote.errors?.data ?? [];
  return {
    ...part,
    status,
    ...(remote.output_file_id ? { outputFileId: remote.output_file_id } : {}),
    ...(remote.error_file_id ? { errorFileId: remote.error_file_id } : {}),
    ...(remote.request_counts ? { counts: { total: remote.request_counts.total, completed: remote.request_counts.completed, failed: remote.request_counts.failed } } : {}),
    ...(status === 'failed' && errors.length ? { error: errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? ''}`).join('; ') } : {}),
  };
}

export function partEnded(part: JobPart): boolean {
  return ENDED.has(part.status);
}

/** Parts whose batch ended and whose results are still to be written. */
export function toCollect(job: BatchJob): JobPart[] {
  return job.parts.filter((p) => partEnded(p) && !p.collected);
}

/** Every part ended and collected (or never created: an upload that failed is collected as failed). */
export function jobDone(job: BatchJob): boolean {
  return job.parts.every((p) => p.collected);
}

/** Parts still running at the server (what cancel asks to stop, what polling waits for). */
export function running(job: BatchJob): JobPart[] {
  return job.parts.filter((p) => p.batchId && !partEnded(p));
}

/**
 * A part collected: `written` and `besides` as placed, `failed` with their messages; every entry
 * of the part that neither came back nor failed is planned again (the batch expired or was
 * cancelled before it ran, or its output lost it). A failed batch fails all its entries with its
 * own message.
 */
export function partCollected(job: BatchJob, index: number, outcome: { readonly written: readonly string[]; readonly besides: readonly string[]; readonly failed: readonly { path: string; error: string }[]; readonly done: ReadonlySet<string>; readonly usd?: number }): BatchJob {
  const part = job.parts[index];
  const failed = [...outcome.failed];
  const replan: string[] = [];
  const settled = new Set([...outcome.done, ...failed.map((f) => f.path)]);
  for (const e of part.entries) {
    if (settled.has(e.path)) continue;
    if (part.status === 'failed' || part.status === 'uploading') failed.push({ path: e.path, error: part.error ?? 'the batch failed' });
    else replan.push(e.path);
  }
  return {
    ...job,
    parts: job.parts.map((p, k) => (k === index ? { ...p, collected: true } : p)),
    written: [...job.written, ...outcome.written],
    besides: [...job.besides, ...outcome.besides],
    failed: [...job.failed, ...failed],
    replan: [...job.replan, ...replan],
    ...(outcome.usd !== undefined ? { cost: Math.round(((job.cost ?? 0) + outcome.usd) * 1e6) / 1e6 } : {}),
  };
}

/**
 * The parts still running end here as `lost` with `reason`: their batch is gone at the server
 * (a retrieve said 404) or the user stopped waiting. Collecting them plans their lines again;
 * what was written before stays. Parts that ended at the server are left to be collected.
 */
export function jobLost(job: BatchJob, reason: string, opts: { readonly batchId?: string; readonly stoppedWaiting?: boolean } = {}): BatchJob {
  const parts = job.parts.map((p) => (p.batchId && !partEnded(p) && (!opts.batchId || p.batchId === opts.batchId) ? { ...p, status: 'lost' as const, error: reason } : p));
  return { ...job, parts, lost: job.lost ?? reason, ...(opts.stoppedWaiting ? { stoppedWaiting: true } : {}) };
}

/** A retrieve failed for another reason than "not found": polling goes on, the failure is kept to be shown. */
export function withRetrieveError(job: BatchJob, message: string, now: Date): BatchJob {
  return { ...job, lastError: { message, at: now.toISOString(), count: (job.lastError?.count ?? 0) + 1 } };
}

/** The state a job is in, for lists and views. */
export type JobState = 'running' | 'cancelling' | 'completed' | 'completed-with-failures' | 'cancelled' | 'expired' | 'failed' | 'lost';

export function jobState(job: BatchJob, ended: boolean): JobState {
  if (!ended) return job.cancelRequested ? 'cancelling' : 'running';
  if (job.lost) return 'lost';
  const parts = job.parts;
  if (parts.length && parts.every((p) => p.status === 'failed')) return 'failed';
  if (job.cancelRequested || parts.some((p) => p.status === 'cancelled')) return 'cancelled';
  if (parts.some((p) => p.status === 'expired')) return 'expired';
  return job.failed.length ? 'completed-with-failures' : 'completed';
}

/** How many lines a job has, how many finished and how many failed (counts from the server while it runs). */
export function jobCounts(job: BatchJob, ended: boolean): { readonly total: number; readonly done: number; readonly failed: number } {
  const total = job.parts.reduce((n, p) => n + p.entries.length, 0);
  if (ended) return { total, done: job.written.length + job.besides.length, failed: job.failed.length };
  let done = 0;
  let failed = 0;
  for (const p of job.parts) {
    if (p.collected) continue;
    done += p.counts?.completed ?? 0;
    failed += p.counts?.failed ?? 0;
  }
  return { total, done: done + job.written.length + job.besides.length, failed: failed + job.failed.length };
}

/** A part whose upload or create failed: no batch exists, every entry failed with `error`. */
export function partFailedToStart(job: BatchJob, index: number, error: string): BatchJob {
  const parts = job.parts.map((p, k) => (k === index ? { ...p, status: 'failed' as const, error } : p));
  return partCollected({ ...job, parts }, index, { written: [], besides: [], failed: [], done: new Set() });
}

export function withPoll(job: BatchJob): BatchJob {
  return { ...job, polls: job.polls + 1 };
}

/**
 * How long to wait before the next retrieve: `first` ms, growing by half each time up to `max`
 * (a batch takes minutes to hours; the first looks come soon for small ones).
 */
export function pollDelayMs(polls: number, first = 2_000, max = 300_000): number {
  return Math.round(Math.min(max, first * 1.5 ** Math.max(0, polls)));
}

// ---- lines --------------------------------------------------------------------------------------

/** One JSONL input line (with its newline). */
export function batchLine(customId: string, endpoint: BatchEndpoint, body: Record<string, unknown>): string {
  return `${JSON.stringify({ custom_id: customId, method: 'POST', url: endpoint, body })}\n`;
}

/**
 * The body of an entry's line: the synchronous call's JSON body (n = 1). Edits use the JSON edit
 * body, the prepared input images as data URLs. `model` is what the provider routes by (Azure: the
 * deployment name). `identity` is the hashed end-user id field, if any.
 */
export function lineBody(req: Omit<ImageRequest, 'images' | 'mask'>, model: string, images: readonly InputImage[], identity: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  if (req.operation !== 'edit') return { ...generateParams({ ...req, n: 1 } as ImageRequest, 1), ...identity, model };
  const { n: _n, moderation: _m, ...rest } = requestOptions({ ...req, n: 1 } as ImageRequest);
  void _n;
  void _m;
  return {
    ...rest,
    ...identity,
    model,
    prompt: req.prompt,
    n: 1,
    images: images.map((i) => ({ image_url: `data:${MIME_TYPES[i.format]};base64,${Buffer.from(i.bytes.buffer, i.bytes.byteOffset, i.bytes.byteLength).toString('base64')}` })),
  };
}

/** A result line: the image (base64) with what the answer said, or the entry's failure with the API's message. */
export type ResultLine =
  | { readonly ok: true; readonly customId: string; readonly b64: string; readonly revisedPrompt?: string; readonly requestId?: string; readonly usage?: ImageUsage; readonly quality?: string; readonly size?: string }
  | { readonly ok: false; readonly customId: string; readonly error: string; readonly code?: string; readonly status?: number; readonly requestId?: string; readonly notRun: boolean };

/**
 * Parses an output or error file line; undefined for a blank line or one that is not a result
 * (no custom_id). Lines the batch never ran (`batch_expired`, `batch_cancelled`) are `notRun`:
 * planned again, not failed.
 */
export function parseResultLine(line: string): ResultLine | undefined {
  if (!line.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(v) || typeof v.custom_id !== 'string') return undefined;
  const customId = v.custom_id;
  const err = isObj(v.error) ? v.error : undefined;
  const res = isObj(v.response) ? v.response : undefined;
  const requestId = typeof res?.request_id === 'string' ? res.request_id : undefined;
  if (err) {
    const code = typeof err.code === 'string' ? err.code : undefined;
    return { ok: false, customId, error: typeof err.message === 'string' ? err.message : (code ?? 'failed'), code, requestId, notRun: code === 'batch_expired' || code === 'batch_cancelled' };
  }
  const status = typeof res?.status_code === 'number' ? res.status_code : undefined;
  const body = isObj(res?.body) ? res.body : undefined;
  if (!res || status === undefined || status >= 400 || !body) {
    const apiError = isObj(body?.error) ? body.error : undefined;
    const message = typeof apiError?.message === 'string' ? apiError.message : `HTTP ${status ?? '?'}`;
    return { ok: false, customId, error: message, code: typeof apiError?.code === 'string' ? apiError.code : undefined, status, requestId, notRun: false };
  }
  const first = Array.isArray(body.data) && isObj(body.data[0]) ? body.data[0] : undefined;
  if (!first || typeof first.b64_json !== 'string' || !first.b64_json) return { ok: false, customId, error: 'the answer held no image', status, requestId, notRun: false };
  return {
    ok: true,
    customId,
    b64: first.b64_json,
    revisedPrompt: typeof first.revised_prompt === 'string' ? first.revised_prompt : undefined,
    requestId,
    usage: usageFromApi(body.usage),
    quality: typeof body.quality === 'string' ? body.quality : undefined,
    size: typeof body.size === 'string' ? body.size : undefined,
  };
}

/** Splits a stream of bytes into lines as they arrive (a result line can be megabytes; no file is held whole). */
export async function* linesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunks) {
    rest += decoder.decode(chunk, { stream: true });
    let k: number;
    while ((k = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, k);
      rest = rest.slice(k + 1);
      if (line.trim()) yield line;
    }
  }
  rest += decoder.decode();
  if (rest.trim()) yield rest;
}

/**
 * The recipe of an image a batch line made, as the interactive path records it (core/run.ts),
 * with its cost at the Batch API's half price.
 */
export function batchRecord(
  req: Omit<ImageRequest, 'images' | 'mask'>,
  caps: ModelCapabilities,
  result: Extract<ResultLine, { ok: true }>,
  opts: { readonly provider: GenerationRecord['provider']; readonly tool: string; readonly createdAt: Date; readonly sources?: readonly SourceWithRecipe[] },
): { record: GenerationRecord; format: ResultFormat | undefined; bytes: Uint8Array } {
  const buf = Buffer.from(result.b64, 'base64');
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const cost = actualCost(caps.id, { usage: result.usage, quality: result.quality ?? req.quality, size: result.size ?? req.size, images: 1 });
  const lineage = opts.sources?.length ? buildLineage(opts.sources) : undefined;
  const record: GenerationRecord = {
    v: 1,
    operation: req.operation,
    prompt: req.prompt,
    revisedPrompt: result.revisedPrompt,
    model: caps.id,
    options: requestOptions({ ...req, n: 1 } as ImageRequest),
    ...(opts.sources?.length ? { sources: opts.sources.map((s) => s.path) } : {}),
    provider: opts.provider,
    createdAt: opts.createdAt.toISOString(),
    requestId: result.requestId,
    index: 0,
    count: 1,
    tool: opts.tool,
    ...(lineage?.lineage.length ? { lineage: lineage.lineage } : {}),
    ...(lineage?.cut ? { lineageCut: true } : {}),
    ...(result.usage ? { usage: { ...result.usage, images: 1 } } : {}),
    ...(cost ? { cost: { usd: Math.round((cost.usd / 2) * 1e6) / 1e6, basis: cost.basis, priceListDate: cost.priceListDate } } : {}),
  };
  return { record, format: detectResultFormat(bytes), bytes };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs `fn` on each item of a stream as it comes, at most `limit` at a time (at least one): the
 * next line is read and decoded while earlier images are still being written. Rejects on the
 * first failure, after the ones already started have settled.
 */
export async function eachOf<T>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failed: { error: unknown } | undefined;
  for await (const item of items) {
    if (failed) break;
    const p: Promise<void> = fn(item).then(
      () => void running.delete(p),
      (error) => {
        running.delete(p);
        failed ??= { error };
      },
    );
    running.add(p);
    if (running.size >= Math.max(1, limit)) await Promise.race(running);
  }
  await Promise.all(running);
  if (failed) throw failed.error;
}
