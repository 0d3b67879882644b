/**
 * The Files and Batch API through the official `openai` SDK: the JSONL input uploaded as it is
 * made (toStreamingFile: no line is kept after it is sent), the batch created, retrieved and
 * cancelled, and its output and error files read line by line as they download. Bundled into
 * dist/engine.js (loaded on first use); no `vscode`.
 *
 * Azure OpenAI: the v1 routes (`{endpoint}/openai/v1/files`, `/openai/v1/batches`), which take
 * no api-version and the `api-key` header; lines name the deployment as their model.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import OpenAI, { toStreamingFile } from 'openai';
import type { ProviderConfig } from './engine';
import { createClient } from './engine';
import { linesOf, type BatchEndpoint, type RemoteBatch } from './batch';

export interface BatchClient {
  /** Uploads the lines (purpose `batch`) as they are produced; the file's id. */
  upload(lines: AsyncIterable<string>, fileName: string, signal?: AbortSignal): Promise<string>;
  create(inputFileId: string, endpoint: BatchEndpoint, metadata: Record<string, string>, signal?: AbortSignal): Promise<RemoteBatch>;
  retrieve(batchId: string, signal?: AbortSignal): Promise<RemoteBatch>;
  cancel(batchId: string, signal?: AbortSignal): Promise<RemoteBatch>;
  /** A file's content, line by line as it downloads. */
  lines(fileId: string, signal?: AbortSignal): AsyncGenerator<string>;
}

/** Where the Files and Batch API are for a provider (Azure: the v1 routes under the endpoint). */
export function batchBaseUrl(p: ProviderConfig): string | undefined {
  if (p.kind !== 'azure') return undefined;
  const endpoint = (p.azure?.endpoint ?? '').replace(/\/+$/, '');
  return `${endpoint}/openai/v1`;
}

export function batchSdkClient(p: ProviderConfig): OpenAI {
  if (p.kind !== 'azure') return createClient(p);
  if (!p.azure?.endpoint) return createClient(p); // throws the validation error createClient gives
  return new OpenAI({
    apiKey: p.apiKey,
    baseURL: batchBaseUrl(p),
    timeout: p.timeoutMs,
    maxRetries: 0,
    // Azure's key goes in `api-key`, not as a bearer token.
    defaultHeaders: { 'api-key': p.apiKey, Authorization: null },
  });
}

export function createBatchClient(p: ProviderConfig): BatchClient {
  const client = batchSdkClient(p);
  // Reads (retrieve, content) are retried by the SDK; the streamed upload never is.
  const reads = client.withOptions({ maxRetries: 2 });
  return {
    async upload(lines, fileName, signal) {
      const encoder = new TextEncoder();
      async function* bytes() {
        for await (const line of lines) yield encoder.encode(line);
      }
      const file = await client.withOptions({ fetch: streamingFetch }).files.create({ file: toStreamingFile(bytes(), fileName, { type: 'application/jsonl' }), purpose: 'batch' }, { signal });
      return file.id;
    },
    async create(inputFileId, endpoint, metadata, signal) {
      return (await client.batches.create({ input_file_id: inputFileId, endpoint: endpoint as never, completion_window: '24h', metadata }, { signal })) as RemoteBatch;
    },
    async retrieve(batchId, signal) {
      return (await reads.batches.retrieve(batchId, { signal })) as RemoteBatch;
    },
    async cancel(batchId, signal) {
      return (await client.batches.cancel(batchId, { signal })) as RemoteBatch;
    },
    async *lines(fileId, signal) {
      const res = await reads.files.content(fileId, { signal });
      if (!res.body) return;
      yield* linesOf(res.body as unknown as AsyncIterable<Uint8Array>);
    },
  };
}

/**
 * A fetch over node:http for the streamed upload. The runtime's fetch keeps every chunk of a
 * streamed request body until long after the request (measured on Node 20: the whole upload stayed
 * in memory as ArrayBuffers, bench/batch.mjs); node:http writes each chunk and lets it go, and
 * waits for the socket to drain before asking for the next (backpressure).
 */
export async function streamingFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const req = mod.request(url, { method: init.method ?? 'GET', headers, signal: init.signal ?? undefined }, (res) => {
      const out = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
      const status = res.statusCode ?? 500;
      const empty = status === 204 || status === 304 || init.method === 'HEAD';
      resolve(new Response(empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: out }));
    });
    req.on('error', reject);
    const body = init.body;
    if (body == null) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else if (body instanceof ArrayBuffer) req.end(new Uint8Array(body));
    else if (typeof (body as ReadableStream).getReader === 'function') {
      const stream = Readable.fromWeb(body as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
      stream.on('error', (err) => req.destroy(err));
      stream.pipe(req);
    } else {
      new Response(body as BodyInit).arrayBuffer().then((b) => req.end(new Uint8Array(b)), reject);
    }
  });
}
