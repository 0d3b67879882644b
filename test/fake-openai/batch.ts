/**
 * The fake's Files and Batch API (`/v1/files`, `/v1/batches`, and Azure's `/openai/v1/...`), as
 * the spec in /work/shared/reference/openai-batch-files-openapi.yaml describes them: a JSONL file
 * uploaded with purpose `batch`, a batch created on it for one endpoint, then its life by the
 * clock: validating -> in_progress -> finalizing -> completed (or failed when the input is bad,
 * expired when the window runs out, cancelling -> cancelled). Each line is answered as the
 * synchronous endpoint would answer it (`runLine`, the server's own image handler); lines that
 * fail go to the error file with their status and error body; lines left when a batch expires or
 * is cancelled go there with `batch_expired` / `batch_cancelled`. Output lines come in any order
 * (here: reversed). Timings and faults are set with {@link BatchBehaviour}.
 */
import { randomBytes } from 'node:crypto';

export interface StoredApiFile {
  readonly id: string;
  readonly bytes: Buffer;
  readonly filename: string;
  readonly purpose: string;
  readonly createdAt: number;
}

export interface BatchBehaviour {
  /** How long each status lasts, ms: validating, in_progress (per line), finalizing, cancelling. Default 50 each. */
  stepMs?: number;
  /** custom_ids whose lines fail with a server error (500) in the output. */
  failCustomIds?: string[];
  /** The window runs out after this many lines are done: the rest are expired. */
  expireAfterLines?: number;
  /** Retrieve and cancel answer with this server error (e.g. 503) instead (the batch goes on by the clock). */
  unavailableStatus?: number;
}

export interface LineAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string;
}

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

interface BatchRecord {
  id: string;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  status: BatchStatus;
  /** When the current status began (ms). */
  since: number;
  times: Partial<Record<BatchStatus | 'in_progress_at', number>>;
  lines: { customId: string; url: string; body: unknown }[];
  done: { customId: string; answer: LineAnswer; id: string }[];
  errors: { code: string; message: string; param: string | null; line: number | null }[];
  outputFileId?: string;
  errorFileId?: string;
  /** Lines stopped by expiry or cancel. */
  stopped?: 'batch_expired' | 'batch_cancelled';
  working: boolean;
  /** Created through Azure's routes: each line's `model` is a deployment name. */
  azure: boolean;
}

export const BATCH_ENDPOINTS = ['/v1/responses', '/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/moderations', '/v1/images/generations', '/v1/images/edits'];
const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];

export class FakeBatchApi {
  readonly files = new Map<string, StoredApiFile>();
  private readonly batches = new Map<string, BatchRecord>();
  behaviour: BatchBehaviour = {};

  /** `azure`: the batch was made through Azure's `/openai/v1/` routes (its lines name deployments). */
  constructor(private readonly runLine: (url: string, body: unknown, azure: boolean) => Promise<LineAnswer>) {}

  reset(): void {
    this.behaviour = {};
  }

  // ---- files ----------------------------------------------------------------------------------

  createFile(purpose: unknown, upload: { filename: string; bytes: Buffer } | undefined): { status: number; body: unknown } {
    if (!upload) return invalid("Missing required parameter: 'file'.", 'file');
    if (typeof purpose !== 'string' || !purpose) return invalid("Missing required parameter: 'purpose'.", 'purpose');
    if (!FILE_PURPOSES.includes(purpose)) return invalid(`'${purpose}' is not one of ${FILE_PURPOSES.map((p) => `'${p}'`).join(', ')} - 'purpose'`, 'purpose');
    if (purpose === 'batch') {
      if (!upload.filename.endsWith('.jsonl')) return invalid(`Invalid file format for Batch API. Must be .jsonl`, 'file');
      if (upload.bytes.length > 200 * 1024 * 1024) return invalid('File is too large for the Batch API: at most 200 MB.', 'file');
    }
    const file: StoredApiFile = { id: `file-${hex(12)}`, bytes: upload.bytes, filename: upload.filename, purpose, createdAt: nowSec() };
    this.files.set(file.id, file);
    return { status: 200, body: fileObject(file) };
  }

  getFile(id: string): { status: number; body: unknown } {
    const f = this.files.get(id);
    return f ? { status: 200, body: fileObject(f) } : notFound(`No such File object: ${id}`, 'id');
  }

  fileContent(id: string): { status: number; body: unknown; raw?: Buffer } {
    const f = this.files.get(id);
    if (!f) return notFound(`No such File object: ${id}`, 'id');
    return { status: 200, body: undefined, raw: f.bytes };
  }

  deleteFile(id: string): { status: number; body: unknown } {
    if (!this.files.delete(id)) return notFound(`No such File object: ${id}`, 'id');
    return { status: 200, body: { id, object: 'file', deleted: true } };
  }

  // ---- batches --------------------------------------------------------------------------------

  createBatch(body: unknown, azure = false): { status: number; body: unknown } {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.input_file_id !== 'string') return invalid("Missing required parameter: 'input_file_id'.", 'input_file_id');
    if (typeof b.endpoint !== 'string') return invalid("Missing required parameter: 'endpoint'.", 'endpoint');
    if (!BATCH_ENDPOINTS.includes(b.endpoint)) return invalid(`Invalid value: '${b.endpoint}'. Supported values are: ${BATCH_ENDPOINTS.map((e) => `'${e}'`).join(', ')}.`, 'endpoint');
    if (b.completion_window !== '24h') return invalid(`Invalid value: '${String(b.completion_window)}'. Supported values are: '24h'.`, 'completion_window');
    const file = this.files.get(b.input_file_id);
    if (!file) return notFound(`No such File object: ${b.input_file_id}`, 'input_file_id');
    if (file.purpose !== 'batch') return invalid(`File ${file.id} has purpose '${file.purpose}', expected 'batch'.`, 'input_file_id');
    const now = Date.now();
    const batch: BatchRecord = {
      id: `batch_${hex(16)}`,
      endpoint: b.endpoint,
      inputFileId: file.id,
      completionWindow: '24h',
      metadata: b.metadata && typeof b.metadata === 'object' ? (b.metadata as Record<string, string>) : null,
      createdAt: now,
      status: 'validating',
      since: now,
      times: {},
      lines: [],
      done: [],
      errors: [],
      working: false,
      azure,
    };
    this.batches.set(batch.id, batch);
    return { status: 200, body: this.batchObject(batch) };
  }

  /** Forgets the batches (as if deleted at the server): retrieve and cancel answer 404 for them. */
  forgetBatches(): void {
    this.batches.clear();
  }

  async getBatch(id: string): Promise<{ status: number; body: unknown }> {
    if (this.behaviour.unavailableStatus) return unavailable(this.behaviour.unavailableStatus);
    const b = this.batches.get(id);
    if (!b) return notFound(`No batch found with id '${id}'.`, 'batch_id');
    await this.advance(b);
    return { status: 200, body: this.batchObject(b) };
  }

  async cancelBatch(id: string): Promise<{ status: number; body: unknown }> {
    if (this.behaviour.unavailableStatus) return unavailable(this.behaviour.unavailableStatus);
    const b = this.batches.get(id);
    if (!b) return notFound(`No batch found with id '${id}'.`, 'batch_id');
    await this.advance(b);
    if (b.status !== 'validating' && b.status !== 'in_progress' && b.status !== 'finalizing') {
      return { status: 409, body: { error: { message: `Cannot cancel a batch with status '${b.status}'.`, type: 'invalid_request_error', param: null, code: null } } };
    }
    // Cancelled while validating: its lines are read now, so the error file names each of them.
    if (b.status === 'validating' && !this.validate(b)) b.lines = [];
    this.enter(b, 'cancelling');
    b.stopped = 'batch_cancelled';
    return { status: 200, body: this.batchObject(b) };
  }

  list(): { status: number; body: unknown } {
    const data = [...this.batches.values()].reverse().map((b) => this.batchObject(b));
    return { status: 200, body: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: false } };
  }

  /** Moves a batch along by the clock (called on every read). */
  private async advance(b: BatchRecord): Promise<void> {
    const step = this.behaviour.stepMs ?? 50;
    for (let guard = 0; guard < 10; guard++) {
      const elapsed = Date.now() - b.since;
      if (b.status === 'validating' && elapsed >= step) {
        if (!this.validate(b)) {
          this.enter(b, 'failed');
          return;
        }
        this.enter(b, 'in_progress');
        b.times.in_progress_at = Date.now();
        continue;
      }
      if (b.status === 'in_progress') {
        // Lines are done one per step, as time passes.
        const due = Math.min(b.lines.length, Math.floor(elapsed / step));
        while (b.done.length < due) {
          const expireAfter = this.behaviour.expireAfterLines;
          if (expireAfter !== undefined && b.done.length >= expireAfter) {
            b.stopped = 'batch_expired';
            this.finish(b, 'expired');
            return;
          }
          const line = b.lines[b.done.length];
          const fail = this.behaviour.failCustomIds?.includes(line.customId);
          const answer = fail
            ? { status: 500, requestId: `req_${hex(16)}`, body: { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } } }
            : await this.runLine(line.url, line.body, b.azure);
          b.done.push({ customId: line.customId, answer, id: `batch_req_${hex(12)}` });
        }
        if (b.done.length === b.lines.length) {
          this.enter(b, 'finalizing');
          continue;
        }
        return;
      }
      if (b.status === 'finalizing' && elapsed >= step) {
        this.finish(b, 'completed');
        return;
      }
      if (b.status === 'cancelling' && elapsed >= step) {
        this.finish(b, 'cancelled');
        return;
      }
      return;
    }
  }

  /** Reads and checks the input file; false (with errors) when the batch fails. */
  private validate(b: BatchRecord): boolean {
    const text = this.files.get(b.inputFileId)?.bytes.toString('utf8') ?? '';
    const seen = new Set<string>();
    text.split('\n').forEach((raw, k) => {
      if (!raw.trim()) return;
      const line = k + 1;
      let v: Record<string, unknown>;
      try {
        v = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        b.errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line });
        return;
      }
      if (typeof v.custom_id !== 'string') b.errors.push({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", param: 'custom_id', line });
      else if (seen.has(v.custom_id)) b.errors.push({ code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.', param: 'custom_id', line });
      if (v.method !== 'POST') b.errors.push({ code: 'invalid_request', message: "Invalid value for 'method': only 'POST' is supported.", param: 'method', line });
      if (v.url !== b.endpoint) b.errors.push({ code: 'mismatched_endpoint', message: `The provided request endpoint ${String(v.url)} does not match the batch endpoint ${b.endpoint}.`, param: 'url', line });
      if (typeof v.body !== 'object' || v.body === null) b.errors.push({ code: 'missing_required_parameter', message: "Missing required parameter: 'body'.", param: 'body', line });
      if (typeof v.custom_id === 'string') seen.add(v.custom_id);
      b.lines.push({ customId: String(v.custom_id), url: String(v.url), body: v.body });
    });
    if (!b.lines.length && !b.errors.length) b.errors.push({ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null });
    if (b.lines.length > 50_000) b.errors.push({ code: 'too_many_requests', message: 'The batch input file has more than 50,000 requests.', param: null, line: null });
    return b.errors.length === 0;
  }

  private enter(b: BatchRecord, status: BatchStatus): void {
    b.status = status;
    b.since = Date.now();
    b.times[status] = Date.now();
  }

  /** Writes the output and error files and ends the batch. */
  private finish(b: BatchRecord, status: 'completed' | 'expired' | 'cancelled'): void {
    const ok = b.done.filter((d) => d.answer.status < 400);
    const bad = b.done.filter((d) => d.answer.status >= 400);
    const out = ok.map((d) => JSON.stringify({ id: d.id, custom_id: d.customId, response: { status_code: d.answer.status, request_id: d.answer.requestId, body: d.answer.body }, error: null }));
    const err = bad.map((d) => JSON.stringify({ id: d.id, custom_id: d.customId, response: { status_code: d.answer.status, request_id: d.answer.requestId, body: d.answer.body }, error: null }));
    if (b.stopped) {
      const message = b.stopped === 'batch_expired' ? 'This request could not be executed before the completion window expired.' : 'This request was not executed because the batch was cancelled.';
      for (const line of b.lines.slice(b.done.length)) err.push(JSON.stringify({ id: `batch_req_${hex(12)}`, custom_id: line.customId, response: null, error: { code: b.stopped, message } }));
    }
    const store = (lines: string[], name: string) => {
      if (!lines.length) return undefined;
      const f: StoredApiFile = { id: `file-${hex(12)}`, bytes: Buffer.from(lines.reverse().join('\n') + '\n'), filename: `${b.id}_${name}.jsonl`, purpose: name === 'output' ? 'batch_output' : 'batch_output', createdAt: nowSec() };
      this.files.set(f.id, f);
      return f.id;
    };
    b.outputFileId = store(out, 'output');
    b.errorFileId = store(err, 'error');
    this.enter(b, status);
  }

  private batchObject(b: BatchRecord): Record<string, unknown> & { id: string } {
    const sec = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));
    const failed = b.done.filter((d) => d.answer.status >= 400).length + (b.outputFileId || b.errorFileId ? (b.stopped ? b.lines.length - b.done.length : 0) : 0);
    const completed = b.done.filter((d) => d.answer.status < 400).length;
    return {
      id: b.id,
      object: 'batch',
      endpoint: b.endpoint,
      model: modelOf(b),
      errors: b.errors.length ? { object: 'list', data: b.errors } : null,
      input_file_id: b.inputFileId,
      completion_window: b.completionWindow,
      status: b.status,
      output_file_id: b.outputFileId ?? null,
      error_file_id: b.errorFileId ?? null,
      created_at: sec(b.createdAt),
      in_progress_at: sec(b.times.in_progress_at),
      expires_at: sec(b.createdAt + 24 * 3600 * 1000),
      finalizing_at: sec(b.times.finalizing),
      completed_at: sec(b.times.completed),
      failed_at: sec(b.times.failed),
      expired_at: sec(b.times.expired),
      cancelling_at: sec(b.times.cancelling),
      cancelled_at: sec(b.times.cancelled),
      request_counts: { total: b.status === 'validating' || b.status === 'failed' ? 0 : b.lines.length, completed, failed },
      metadata: b.metadata,
    };
  }
}

function modelOf(b: BatchRecord): string | null {
  const first = b.lines[0]?.body as { model?: unknown } | undefined;
  return typeof first?.model === 'string' ? first.model : null;
}

function fileObject(f: StoredApiFile) {
  return { id: f.id, object: 'file', bytes: f.bytes.length, created_at: f.createdAt, expires_at: null, filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null };
}

function invalid(message: string, param: string | null) {
  return { status: 400, body: { error: { message, type: 'invalid_request_error', param, code: null } } };
}

function notFound(message: string, param: string | null) {
  return { status: 404, body: { error: { message, type: 'invalid_request_error', param, code: null } } };
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function unavailable(status: number): { status: number; body: unknown } {
  return { status, body: { error: { message: 'The server is temporarily unable to answer. Please try again later.', type: 'server_error', param: null, code: null } } };
}
