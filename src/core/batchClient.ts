/**
 * The Files and Batch API through the official `openai` SDK: the JSONL input uploaded as it is
 * made (toStreamingFile: no line is kept after it is sent), the batch created, retrieved and
 * cancelled, and its output and error files read line by line as they download. Bundled into
 * dist/engine.js (loaded on first use); no `vscode`.
 *
 * Azure OpenAI: the v1 routes (`{endpoint}/openai/v1/files`, `/openai/v1/batches`), which take
 * no api-version and the `api-key` header; lines name the deployment as their model.
 */
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
      const file = await client.files.create({ file: toStreamingFile(bytes(), fileName, { type: 'application/jsonl' }), purpose: 'batch' }, { signal });
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
