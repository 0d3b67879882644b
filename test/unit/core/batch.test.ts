/**
 * The Batch API's pure part (core/batch.ts): a job's parts and their state transitions, the JSONL
 * lines, result lines (good, failed, never run, malformed), lines split from a stream, the
 * polling backoff and the recipe of a batch image; and the SDK client (core/batchClient.ts)
 * against the fake: a streamed upload, a batch to its output, and Azure's v1 routes with
 * deployment names.
 */
import * as assert from 'node:assert/strict';
import { applyRemote, batchLine, eachOf, batchRecord, jobCounts, jobDone, jobLost, jobState, lineBody, linesOf, newJob, parseResultLine, partCollected, partCreated, partFailedToStart, pollDelayMs, running, toCollect, withRetrieveError, type BatchJob, type JobEntry } from '../../../src/core/batch';
import { createBatchClient } from '../../../src/core/batchClient';
import { ModelTable } from '../../../src/core/models';
import { readRecord } from '../../../src/core/metadata';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const gen = (path: string, prompt = path): Omit<JobEntry, 'id'> => ({ path, recipe: `r-${path}`, request: { operation: 'generate', model: 'gpt-image-1-mini', prompt, n: 1, size: '1024x1024', quality: 'low', outputFormat: 'png' }, sources: [] });
const edit = (path: string): Omit<JobEntry, 'id'> => ({ path, recipe: `r-${path}`, request: { operation: 'edit', model: 'gpt-image-1.5', prompt: 'night', n: 1, quality: 'low' }, sources: ['art/day.png'] });

suite('core: Batch API jobs and lines', () => {
  test('a job has one part per endpoint, in manifest order, each line id unique in the job', () => {
    const job = newJob('job-1', 'file:///w/pixelwright.assets.json', 'openai', [gen('a.png'), edit('b.png'), gen('c.png')], new Date('2026-12-01T00:00:00Z'), 0.01);
    assert.deepEqual(job.parts.map((p) => [p.endpoint, p.entries.map((e) => `${e.id}:${e.path}`)]), [
      ['/v1/images/generations', ['a1:a.png', 'a3:c.png']],
      ['/v1/images/edits', ['a2:b.png']],
    ]);
    assert.ok(job.parts.every((p) => p.status === 'uploading' && !p.collected));
    assert.equal(job.estimate, 0.01);
    assert.equal(jobDone(job), false);
  });

  test('lines: the synchronous JSON body with n = 1; edits as data URLs; Azure names the deployment', () => {
    const line = JSON.parse(batchLine('a1', '/v1/images/generations', lineBody(gen('a.png').request, 'gpt-image-1-mini', [], { safety_identifier: 'abc' })));
    assert.deepEqual(line, { custom_id: 'a1', method: 'POST', url: '/v1/images/generations', body: { model: 'gpt-image-1-mini', prompt: 'a.png', n: 1, size: '1024x1024', quality: 'low', output_format: 'png', safety_identifier: 'abc' } });
    assert.ok(batchLine('a1', '/v1/images/generations', {}).endsWith('}\n'));
    const body = lineBody(edit('b.png').request, 'my-deployment', [{ name: 'day.png', bytes: new Uint8Array([1, 2, 3]), format: 'png' }]);
    assert.equal(body.model, 'my-deployment');
    assert.deepEqual(body.images, [{ image_url: 'data:image/png;base64,AQID' }]);
    assert.equal(body.n, 1);
    assert.equal('moderation' in body, false, 'moderation is not an edit field');
  });

  test('result lines: an image, a failed line with the API message, lines never run, and what is not a result', () => {
    const ok = parseResultLine(JSON.stringify({ id: 'x', custom_id: 'a1', response: { status_code: 200, request_id: 'req_1', body: { data: [{ b64_json: 'AQID', revised_prompt: 'r' }], usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 }, quality: 'low', size: '1024x1024' } }, error: null }));
    assert.equal(ok?.ok, true);
    assert.ok(ok?.ok && ok.b64 === 'AQID' && ok.requestId === 'req_1' && ok.revisedPrompt === 'r' && ok.usage?.totalTokens === 30);
    const bad = parseResultLine(JSON.stringify({ id: 'x', custom_id: 'a2', response: { status_code: 400, request_id: 'req_2', body: { error: { message: 'Your request was rejected by the safety system.', code: 'moderation_blocked' } } }, error: null }));
    assert.deepEqual(bad, { ok: false, customId: 'a2', error: 'Your request was rejected by the safety system.', code: 'moderation_blocked', status: 400, requestId: 'req_2', notRun: false });
    const expired = parseResultLine(JSON.stringify({ id: 'x', custom_id: 'a3', response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } }));
    assert.ok(expired && !expired.ok && expired.notRun);
    const cancelled = parseResultLine(JSON.stringify({ custom_id: 'a4', response: null, error: { code: 'batch_cancelled', message: 'cancelled' } }));
    assert.ok(cancelled && !cancelled.ok && cancelled.notRun);
    const empty = parseResultLine(JSON.stringify({ custom_id: 'a5', response: { status_code: 200, body: { data: [] } }, error: null }));
    assert.ok(empty && !empty.ok && !empty.notRun && /no image/.test(empty.error));
    assert.equal(parseResultLine(''), undefined);
    assert.equal(parseResultLine('{"id": "x"'), undefined);
    assert.equal(parseResultLine('{"id": "x"}'), undefined);
  });

  test('lines are split as bytes arrive, across chunk and character boundaries', async () => {
    const text = '{"a":"雪"}\n\n{"b":2}\n{"c":3}';
    const bytes = new TextEncoder().encode(text);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.slice(i, i + 3);
    }
    const out: string[] = [];
    for await (const l of linesOf(chunks())) out.push(l);
    assert.deepEqual(out, ['{"a":"雪"}', '{"b":2}', '{"c":3}']);
  });

  test('states: a part follows its batch, never back from an end; counts and the failure message kept', () => {
    let job = newJob('job-1', 'm', 'openai', [gen('a.png'), gen('b.png')], new Date());
    let part = partCreated(job.parts[0], 'file-1', { id: 'batch_1', status: 'validating' });
    assert.deepEqual([part.status, part.batchId, part.inputFileId], ['validating', 'batch_1', 'file-1']);
    part = applyRemote(part, { id: 'batch_1', status: 'in_progress', request_counts: { total: 2, completed: 1, failed: 0 } });
    assert.deepEqual([part.status, part.counts?.completed], ['in_progress', 1]);
    part = applyRemote(part, { id: 'batch_1', status: 'bogus' });
    assert.equal(part.status, 'in_progress', 'an unknown status changes nothing');
    part = applyRemote(part, { id: 'batch_1', status: 'completed', output_file_id: 'file-out', error_file_id: null });
    assert.deepEqual([part.status, part.outputFileId, part.errorFileId], ['completed', 'file-out', undefined]);
    assert.equal(applyRemote(part, { id: 'batch_1', status: 'in_progress' }).status, 'completed');
    job = { ...job, parts: [part] };
    assert.deepEqual(toCollect(job).map((p) => p.batchId), ['batch_1']);
    assert.deepEqual(running(job), []);
    const failed = applyRemote(partCreated(newJob('job-2', 'm', 'openai', [gen('a.png')], new Date()).parts[0], 'f', { id: 'b2', status: 'validating' }), { id: 'b2', status: 'failed', errors: { data: [{ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: 2 }] } });
    assert.equal(failed.error, 'line 2: This line is not parseable as valid JSON.');
  });

  test('collected: written and failed as they came; an expired part plans the rest again; a failed batch fails all its entries', () => {
    const start = newJob('job-1', 'm', 'openai', [gen('a.png'), gen('b.png'), gen('c.png')], new Date());
    const expired = { ...start, parts: [{ ...start.parts[0], batchId: 'b', status: 'expired' as const }] };
    const after = partCollected(expired, 0, { written: ['a.png'], besides: [], failed: [{ path: 'b.png', error: 'boom' }], done: new Set(['a.png']) });
    assert.deepEqual([after.written, after.failed, after.replan], [['a.png'], [{ path: 'b.png', error: 'boom' }], ['c.png']]);
    assert.equal(jobDone(after), true);
    const broken = { ...start, parts: [{ ...start.parts[0], batchId: 'b', status: 'failed' as const, error: 'line 1: bad' }] };
    const all = partCollected(broken, 0, { written: [], besides: [], failed: [], done: new Set() });
    assert.deepEqual(all.failed.map((f) => f.error), ['line 1: bad', 'line 1: bad', 'line 1: bad']);
    assert.deepEqual(all.replan, []);
    const notSent = partFailedToStart(start, 0, 'File is too large');
    assert.deepEqual([notSent.parts[0].status, notSent.failed.length, jobDone(notSent)], ['failed', 3, true]);
  });

  test('lost: a batch gone at the server (or not waited for any more) ends its running part here; its lines are planned again, what was written stays', () => {
    const start = newJob('job-1', 'm', 'openai', [gen('a.png'), gen('b.png'), edit('c.png')], new Date());
    // The edits' batch completed; the generations' batch is gone.
    let job: BatchJob = { ...start, parts: [{ ...start.parts[0], batchId: 'g', status: 'in_progress' as const, counts: { total: 2, completed: 1, failed: 0 } }, { ...start.parts[1], batchId: 'e', status: 'completed' as const }] };
    job = withRetrieveError(withRetrieveError(job, 'HTTP 503', new Date('2026-12-01T00:00:00Z')), 'HTTP 503', new Date('2026-12-01T00:01:00Z'));
    assert.deepEqual(job.lastError, { message: 'HTTP 503', at: '2026-12-01T00:01:00.000Z', count: 2 });
    assert.deepEqual(jobCounts(job, false), { total: 3, done: 1, failed: 0 });
    assert.equal(jobState(job, false), 'running');
    const lost = jobLost(job, 'gone', { batchId: 'g' });
    assert.deepEqual(lost.parts.map((p) => p.status), ['lost', 'completed'], 'an ended part is left to be collected');
    assert.deepEqual(running(lost), []);
    assert.deepEqual(toCollect(lost).map((p) => p.batchId), ['g', 'e']);
    let done = partCollected(lost, 0, { written: [], besides: [], failed: [], done: new Set() });
    done = partCollected(done, 1, { written: ['c.png'], besides: [], failed: [], done: new Set(['c.png']), usd: 0.0125 });
    assert.deepEqual([done.written, done.failed, done.replan, done.lost, done.cost, jobDone(done)], [['c.png'], [], ['a.png', 'b.png'], 'gone', 0.0125, true]);
    assert.equal(jobState(done, true), 'lost');
    assert.deepEqual(jobCounts(done, true), { total: 3, done: 1, failed: 0 });
    const stopped = jobLost(job, 'stopped', { stoppedWaiting: true });
    assert.equal(stopped.stoppedWaiting, true);
    assert.equal(stopped.lost, 'stopped');
  });

  test('a job\'s state for the view: running, cancelling, completed (with failures), cancelled, expired, failed', () => {
    const start = newJob('job-1', 'm', 'openai', [gen('a.png'), gen('b.png')], new Date());
    const ended = (status: 'completed' | 'cancelled' | 'expired' | 'failed', extra = {}) => ({ ...start, ...extra, parts: [{ ...start.parts[0], batchId: 'b', status, collected: true }] });
    assert.equal(jobState({ ...start, cancelRequested: true }, false), 'cancelling');
    assert.equal(jobState(ended('completed'), true), 'completed');
    assert.equal(jobState(ended('completed', { failed: [{ path: 'a.png', error: 'x' }] }), true), 'completed-with-failures');
    assert.equal(jobState(ended('cancelled'), true), 'cancelled');
    assert.equal(jobState(ended('expired'), true), 'expired');
    assert.equal(jobState(ended('failed'), true), 'failed');
  });

  test('eachOf: items of a stream handled as they come, at most `limit` at once; the first failure after the started ones settle', async () => {
    async function* items(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    let now = 0;
    let most = 0;
    const seen: number[] = [];
    await eachOf(items(10), 3, async (i) => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, (i % 3) * 5));
      seen.push(i);
      now--;
    });
    assert.equal(most, 3);
    assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const started: number[] = [];
    await assert.rejects(
      eachOf(items(10), 2, async (i) => {
        started.push(i);
        if (i === 1) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 5));
      }),
      /boom/,
    );
    assert.ok(started.length < 10, 'no new item starts after a failure');
  });

  test('polling waits grow by half each time up to the longest wait', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => pollDelayMs(n, 1000, 3000)), [1000, 1500, 2250, 3000]);
    assert.equal(pollDelayMs(100), 300_000);
    assert.equal(pollDelayMs(0), 2_000);
  });

  test("a batch image's recipe: the request it was sent with, its request id and tokens, the cost at half price", () => {
    const caps = new ModelTable([]).get('gpt-image-1-mini')!;
    const line = parseResultLine(JSON.stringify({ custom_id: 'a1', response: { status_code: 200, request_id: 'req_9', body: { data: [{ b64_json: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64') }], quality: 'low', size: '1024x1024' } }, error: null }));
    assert.ok(line?.ok);
    const made = batchRecord(gen('a.png', 'an apple').request, caps, line, { provider: { kind: 'openai' }, tool: 'Pixelwright test', createdAt: new Date('2026-12-01T00:00:00Z') });
    assert.equal(made.format, 'png');
    assert.equal(made.record.prompt, 'an apple');
    assert.equal(made.record.requestId, 'req_9');
    assert.deepEqual(made.record.options, { size: '1024x1024', quality: 'low', output_format: 'png', n: 1 });
    assert.equal(made.record.cost?.usd, 0.0025, 'gpt-image-1-mini low square is $0.005 interactively');
  });
});

suite('core: the Batch API client against the fake', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  suiteSetup(async () => {
    fake = await startFakeOpenAI();
  });
  suiteTeardown(() => fake.close());
  setup(() => {
    fake.reset();
    fake.setBatchBehaviour({ stepMs: 10 });
  });

  const settle = async (client: ReturnType<typeof createBatchClient>, id: string) => {
    for (let i = 0; i < 500; i++) {
      const b = await client.retrieve(id);
      if (['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) return b;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the batch did not settle');
  };
  async function* lines(n: number, model: string) {
    for (let i = 0; i < n; i++) yield batchLine(`a${i + 1}`, '/v1/images/generations', lineBody(gen(`${i}.png`, `picture ${i}`).request, model, []));
  }

  test('the JSONL goes up as a stream (multipart, purpose batch), the batch runs, its output reads line by line', async () => {
    const client = createBatchClient({ kind: 'compatible', apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 30_000 });
    const fileId = await client.upload(lines(3, 'gpt-image-1-mini'), 'in.jsonl');
    const up = fake.requests.find((r) => r.path === '/v1/files')!;
    assert.equal(up.fields?.purpose, 'batch');
    assert.equal(up.files?.[0].filename, 'in.jsonl');
    const created = await client.create(fileId, '/v1/images/generations', { pixelwright_job: 'job-1' });
    const done = await settle(client, created.id);
    assert.equal(done.status, 'completed');
    const results = [];
    for await (const l of client.lines(done.output_file_id!)) results.push(parseResultLine(l));
    assert.deepEqual(results.map((r) => r?.customId).sort(), ['a1', 'a2', 'a3']);
    assert.ok(results.every((r) => r?.ok && readRecord(Buffer.from(r.b64, 'base64')) === undefined));
  });

  test("Azure: the v1 routes under the endpoint with the api-key header, no api-version; lines name the deployment", async () => {
    const client = createBatchClient({ kind: 'azure', apiKey: fake.apiKey, azure: { endpoint: `${fake.origin}/`, deployment: 'gpt-image', apiVersion: '2025-04-01-preview' }, timeoutMs: 30_000 });
    const fileId = await client.upload(lines(2, 'gpt-image'), 'az.jsonl');
    const created = await client.create(fileId, '/v1/images/generations', {});
    const done = await settle(client, created.id);
    const calls = fake.requests.filter((r) => r.path.startsWith('/openai/v1/'));
    assert.ok(calls.length >= 3 && calls.every((r) => r.hasApiKey && !r.hasAuthorization && !('api-version' in r.query)), JSON.stringify(calls.map((r) => [r.path, r.hasApiKey, r.hasAuthorization, r.query])));
    assert.deepEqual(done.request_counts, { total: 2, completed: 2, failed: 0 });
    // A deployment that does not exist fails its line, in Azure's words.
    const bad = await client.create(await client.upload(lines(1, 'nope'), 'bad.jsonl'), '/v1/images/generations', {});
    const ended = await settle(client, bad.id);
    const errs = [];
    for await (const l of client.lines(ended.error_file_id!)) errs.push(parseResultLine(l));
    assert.ok(errs[0] && !errs[0].ok && /deployment/i.test(errs[0].error));
  });
});
