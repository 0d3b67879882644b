/**
 * The fake's Files and Batch API driven by the real `openai` SDK: a JSONL file uploaded (streamed
 * from disk), a batch's life by the clock, per-line failures in the error file, a batch that
 * fails validation, expiry with the finished lines kept, cancel, and Azure's `/openai/v1` route.
 */
import * as assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const KEY = 'sk-test-key';

suite('fake OpenAI: Files and Batch API through the SDK', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;
  let dir: string;

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
    dir = mkdtempSync(path.join(tmpdir(), 'pw-batch-'));
  });
  suiteTeardown(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  setup(() => {
    fake.reset();
    fake.setBatchBehaviour({ stepMs: 20 });
  });

  const line = (id: string, prompt: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/images/generations', body: { model: 'gpt-image-1-mini', prompt, size: '1024x1024', quality: 'low', ...extra } });
  const upload = async (lines: string[], name = 'in.jsonl') => {
    const p = path.join(dir, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return client.files.create({ file: createReadStream(p), purpose: 'batch' });
  };
  const settle = async (id: string, until: (s: string) => boolean = (s) => ['completed', 'failed', 'expired', 'cancelled'].includes(s)) => {
    const seen: string[] = [];
    for (let i = 0; i < 400; i++) {
      const b = await client.batches.retrieve(id);
      if (seen[seen.length - 1] !== b.status) seen.push(b.status);
      if (until(b.status)) return { batch: b, seen };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`batch ${id} did not settle: ${seen.join(' -> ')}`);
  };
  const jsonl = async (fileId: string | null | undefined) => {
    if (!fileId) return [];
    const text = await (await client.files.content(fileId)).text();
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { custom_id: string; response: { status_code: number; body: { data?: { b64_json: string }[]; error?: { message: string } } } | null; error: { code: string; message: string } | null });
  };

  test('upload, create, validating -> in_progress -> finalizing -> completed; every line answered like the sync endpoint', async () => {
    const file = await upload([line('a', 'an apple'), line('b', 'a banana'), line('c', 'a cherry')]);
    assert.equal(file.object, 'file');
    assert.equal(file.purpose, 'batch');
    assert.match(file.id, /^file-/);
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h', metadata: { manifest: 'pixelwright.assets.json' } });
    assert.equal(created.status, 'validating');
    assert.equal(created.object, 'batch');
    const { batch, seen } = await settle(created.id);
    assert.equal(batch.status, 'completed');
    assert.deepEqual(seen.filter((s) => s !== 'validating'), ['in_progress', 'finalizing', 'completed'].filter((s) => seen.includes(s)));
    assert.ok(seen.includes('in_progress') && seen.includes('completed'));
    assert.deepEqual(batch.request_counts, { total: 3, completed: 3, failed: 0 });
    assert.equal(batch.error_file_id, null);
    assert.equal(batch.metadata?.manifest, 'pixelwright.assets.json');
    const out = await jsonl(batch.output_file_id);
    assert.deepEqual(out.map((o) => o.custom_id).sort(), ['a', 'b', 'c']);
    for (const o of out) {
      assert.equal(o.response!.status_code, 200);
      assert.ok(Buffer.from(o.response!.body.data![0].b64_json, 'base64').subarray(1, 4).toString() === 'PNG');
    }
    // No HTTP request went to the image endpoints: the lines ran inside the batch.
    assert.equal(fake.requests.filter((r) => r.path.startsWith('/v1/images')).length, 0);
  });

  test('per-line failures go to the error file with their status and message; the good lines are in the output', async () => {
    fake.setBatchBehaviour({ stepMs: 20, failCustomIds: ['b'] });
    const file = await upload([line('a', 'ok'), line('b', 'server trouble'), line('c', 'too big', { size: '4096x4096' })]);
    const { batch } = await settle((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' })).id);
    assert.equal(batch.status, 'completed');
    assert.deepEqual(batch.request_counts, { total: 3, completed: 1, failed: 2 });
    assert.deepEqual((await jsonl(batch.output_file_id)).map((o) => o.custom_id), ['a']);
    const errs = await jsonl(batch.error_file_id);
    const byId = Object.fromEntries(errs.map((e) => [e.custom_id, e]));
    assert.equal(byId.b.response!.status_code, 500);
    assert.equal(byId.c.response!.status_code, 400);
    assert.match(byId.c.response!.body.error!.message, /4096x4096/);
  });

  test('bad input fails the batch at validation with the line numbers; bad create parameters are refused', async () => {
    const file = await upload(['{"custom_id": "a", "method": "POST", "url": "/v1/images/edits", "body": {}}', 'not json', line('a', 'again')]);
    const { batch } = await settle((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' })).id);
    assert.equal(batch.status, 'failed');
    assert.deepEqual(batch.errors!.data!.map((e) => [e.code, e.line]), [['mismatched_endpoint', 1], ['invalid_json_line', 2], ['duplicate_custom_id', 3]]);
    await assert.rejects(client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/variations' as never, completion_window: '24h' }), BadRequestError);
    await assert.rejects(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/images/generations', completion_window: '24h' }), NotFoundError);
    await assert.rejects(client.files.create({ file: createReadStream(path.join(dir, 'in.jsonl')), purpose: 'nonsense' as never }), BadRequestError);
  });

  test('expiry: the finished lines are in the output, the rest in the error file as batch_expired', async () => {
    fake.setBatchBehaviour({ stepMs: 20, expireAfterLines: 2 });
    const file = await upload([line('a', '1'), line('b', '2'), line('c', '3'), line('d', '4')]);
    const { batch } = await settle((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' })).id);
    assert.equal(batch.status, 'expired');
    assert.ok(batch.expired_at);
    assert.deepEqual((await jsonl(batch.output_file_id)).map((o) => o.custom_id).sort(), ['a', 'b']);
    const errs = await jsonl(batch.error_file_id);
    assert.deepEqual(errs.map((e) => [e.custom_id, e.error!.code]).sort(), [['c', 'batch_expired'], ['d', 'batch_expired']]);
  });

  test('cancel: cancelling -> cancelled; a finished batch cannot be cancelled', async () => {
    fake.setBatchBehaviour({ stepMs: 200 });
    const file = await upload([line('a', '1'), line('b', '2'), line('c', '3')]);
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' });
    const c = await client.batches.cancel(created.id);
    assert.equal(c.status, 'cancelling');
    const { batch } = await settle(created.id);
    assert.equal(batch.status, 'cancelled');
    assert.ok(batch.cancelled_at && batch.cancelling_at);
    const errs = await jsonl(batch.error_file_id);
    assert.deepEqual(errs.map((e) => e.error!.code), ['batch_cancelled', 'batch_cancelled', 'batch_cancelled']);
    await assert.rejects(client.batches.cancel(created.id), (e: unknown) => (e as { status?: number }).status === 409);
  });

  test("Azure's /openai/v1 route with the api-key header", async () => {
    const azure = new OpenAI({ apiKey: 'unused', baseURL: `${fake.origin}/openai/v1`, defaultHeaders: { 'api-key': KEY }, maxRetries: 0 });
    const p = path.join(dir, 'az.jsonl');
    writeFileSync(p, line('a', 'azure') + '\n');
    const file = await azure.files.create({ file: createReadStream(p), purpose: 'batch' });
    const created = await azure.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' });
    assert.ok(fake.requests.some((r) => r.path === '/openai/v1/batches' && r.hasApiKey));
    for (let i = 0; i < 200; i++) {
      const b = await azure.batches.retrieve(created.id);
      if (b.status === 'completed') return;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail('the Azure batch did not complete');
  });
});
