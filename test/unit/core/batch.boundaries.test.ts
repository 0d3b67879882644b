// Batch jobs (src/core/batch.ts) in the cases mutation testing found unpinned: every shape of a
// result line read whole (what the job view and the written image's recipe get), lines split
// across chunks inside a character, a failed batch's message, which parts are collected, running
// or lost, the job's state and counts, and a batch image's recipe with sources and usage.
import * as assert from 'node:assert/strict';
import { applyRemote, batchRecord, eachOf, jobCounts, jobDone, jobLost, jobState, linesOf, newJob, parseResultLine, partCollected, partCreated, partFailedToStart, running, toCollect, withPoll, type BatchJob, type JobEntry } from '../../../src/core/batch';
import { ModelTable } from '../../../src/core/models';

const gen = (path: string): Omit<JobEntry, 'id'> => ({ path, recipe: `r-${path}`, request: { operation: 'generate', model: 'gpt-image-1-mini', prompt: path, n: 1, size: '1024x1024', quality: 'low', outputFormat: 'png' }, sources: [] });
const edit = (path: string): Omit<JobEntry, 'id'> => ({ ...gen(path), request: { ...gen(path).request, operation: 'edit' } as JobEntry['request'], sources: ['in.png'] });
const provider: BatchJob['provider'] = 'openai';
const recordProvider = { kind: 'openai' };
const now = new Date('2026-12-02T10:00:00Z');
/** A job of two parts (generations, edits), both created at the server. */
function twoParts(): BatchJob {
  const job = newJob('job-1', 'm.json', provider, [gen('a.png'), gen('b.png'), edit('c.png')], now);
  return { ...job, parts: job.parts.map((p, k) => partCreated(p, `file-${k}`, { id: `batch-${k}`, status: 'in_progress' })) };
}
const line = (o: object) => parseResultLine(JSON.stringify(o));
const okResponse = { status_code: 200, request_id: 'req', body: { data: [{ b64_json: 'AQID' }] } };

suite('batch: result lines, whole', () => {
  test('not results: blank, not JSON, not an object, no custom_id', () => {
    for (const l of ['', '   ', '{ nope', '[]', '"text"', 'null', '{"custom_id":1}']) assert.equal(parseResultLine(l), undefined, l);
  });

  test('a line\'s own error: its message, else its code, else "failed"; expired and cancelled lines were never run', () => {
    assert.deepEqual(line({ custom_id: 'a', error: { code: 'batch_expired' } }), { ok: false, customId: 'a', error: 'batch_expired', code: 'batch_expired', requestId: undefined, notRun: true });
    assert.deepEqual(line({ custom_id: 'a', error: { code: 'batch_cancelled', message: 'stopped' } }), { ok: false, customId: 'a', error: 'stopped', code: 'batch_cancelled', requestId: undefined, notRun: true });
    assert.deepEqual(line({ custom_id: 'a', error: { message: 7, code: 5 }, response: { request_id: 'r9' } }), { ok: false, customId: 'a', error: 'failed', code: undefined, requestId: 'r9', notRun: false });
  });

  test('an error that is no object is not the line\'s error', () => {
    for (const error of ['x', [], null]) assert.equal(line({ custom_id: 'a', error, response: okResponse })?.ok, true, JSON.stringify(error));
  });

  test('an HTTP failure: the API\'s message and code, else the status; 400 fails, 399 does not', () => {
    assert.deepEqual(line({ custom_id: 'a', response: { status_code: 400, request_id: 'req', body: { error: { message: 'bad size', code: 'invalid_value' } } } }), { ok: false, customId: 'a', error: 'bad size', code: 'invalid_value', status: 400, requestId: 'req', notRun: false });
    assert.deepEqual(line({ custom_id: 'a', response: { status_code: 500, body: { error: { message: 1, code: 2 } } } }), { ok: false, customId: 'a', error: 'HTTP 500', code: undefined, status: 500, requestId: undefined, notRun: false });
    assert.deepEqual(line({ custom_id: 'a', response: { body: okResponse.body } }), { ok: false, customId: 'a', error: 'HTTP ?', code: undefined, status: undefined, requestId: undefined, notRun: false });
    assert.deepEqual(line({ custom_id: 'a', response: { status_code: 200 } }), { ok: false, customId: 'a', error: 'HTTP 200', code: undefined, status: 200, requestId: undefined, notRun: false });
    assert.deepEqual(line({ custom_id: 'a', response: [okResponse] }), { ok: false, customId: 'a', error: 'HTTP ?', code: undefined, status: undefined, requestId: undefined, notRun: false });
    assert.equal(line({ custom_id: 'a', response: { ...okResponse, status_code: 399 } })?.ok, true);
  });

  test('an answer without an image', () => {
    for (const body of [{}, { data: {} }, { data: [] }, { data: ['x'] }, { data: [{ b64_json: 5 }] }, { data: [{ b64_json: '' }] }]) {
      assert.deepEqual(line({ custom_id: 'a', response: { status_code: 200, request_id: 'req', body } }), { ok: false, customId: 'a', error: 'the answer held no image', status: 200, requestId: 'req', notRun: false }, JSON.stringify(body));
    }
  });

  test('an image: what the answer said, values of the wrong type left out', () => {
    const usage = { input_tokens: 10, output_tokens: 20, total_tokens: 30 };
    const full = line({ custom_id: 'a', response: { status_code: 200, request_id: 'req', body: { data: [{ b64_json: 'AQID', revised_prompt: 'rp' }], usage, quality: 'low', size: '1024x1024' } } });
    assert.equal(full?.ok, true);
    assert.deepEqual(full && full.ok ? [full.customId, full.b64, full.revisedPrompt, full.requestId, full.quality, full.size, full.usage?.outputTokens] : [], ['a', 'AQID', 'rp', 'req', 'low', '1024x1024', 20]);
    const odd = line({ custom_id: 'a', response: { status_code: 200, body: { data: [{ b64_json: 'AQID', revised_prompt: 3 }], quality: 1, size: null } } });
    assert.deepEqual(odd, { ok: true, customId: 'a', b64: 'AQID', revisedPrompt: undefined, requestId: undefined, usage: undefined, quality: undefined, size: undefined });
  });

  test('lines split as bytes arrive, inside a character too; blank lines and a blank end skipped', async () => {
    const bytes = Buffer.from('{"a":"é"}\n   \n\n{"b":"雨"}\n  ');
    const cut = [bytes.indexOf(0xc3) + 1, bytes.indexOf(0xe9, 12) + 1];
    async function* chunks() {
      yield bytes.subarray(0, cut[0]);
      yield bytes.subarray(cut[0], cut[1]);
      yield bytes.subarray(cut[1]);
    }
    const got: string[] = [];
    for await (const l of linesOf(chunks())) got.push(l);
    assert.deepEqual(got, ['{"a":"é"}', '{"b":"雨"}']);
  });
});

suite('batch: parts and jobs', () => {
  test('a failed batch says why, line by line; other statuses carry no message', () => {
    const [part] = twoParts().parts;
    const failed = applyRemote(part, { id: 'batch-0', status: 'failed', error_file_id: 'ef', errors: { data: [{ line: 3, message: 'bad model' }, { code: 'too_large' }, {}] } });
    assert.deepEqual([failed.status, failed.error, failed.errorFileId], ['failed', 'line 3: bad model; too_large; ', 'ef']);
    assert.equal('error' in applyRemote(part, { id: 'batch-0', status: 'failed', errors: null }), false);
    assert.equal('error' in applyRemote(part, { id: 'batch-0', status: 'completed', errors: { data: [{ message: 'x' }] } }), false);
  });

  test('which parts are to collect, running, and when the job is done', () => {
    let job = twoParts();
    assert.deepEqual([toCollect(job).length, running(job).map((p) => p.batchId), jobDone(job)], [0, ['batch-0', 'batch-1'], false]);
    job = { ...job, parts: [applyRemote(job.parts[0], { id: 'batch-0', status: 'completed' }), job.parts[1]] };
    assert.deepEqual([toCollect(job).map((p) => p.batchId), running(job).map((p) => p.batchId)], [['batch-0'], ['batch-1']]);
    job = partCollected(job, 0, { written: ['a.png'], besides: ['b~2.png'], failed: [], done: new Set(['a.png', 'b.png']) });
    assert.deepEqual([toCollect(job).length, jobDone(job), job.parts.map((p) => p.collected)], [0, false, [true, false]]);
    assert.deepEqual([job.written, job.besides], [['a.png'], ['b~2.png']]);
    const unstarted = newJob('j', 'm.json', provider, [gen('x.png')], now);
    assert.deepEqual(running(unstarted), [], 'a part without a batch is not running');
    assert.equal('estimate' in unstarted, false);
    assert.equal(withPoll(withPoll(unstarted)).polls, 2);
  });

  test('a failed or never-started part fails its entries (with the batch\'s message, or a plain one); the job keeps what it had', () => {
    const job = twoParts();
    const failedNoWord = { ...job, parts: [{ ...job.parts[0], status: 'failed' as const }, job.parts[1]] };
    const after = partCollected(failedNoWord, 0, { written: [], besides: [], failed: [], done: new Set() });
    assert.deepEqual(after.failed, [{ path: 'a.png', error: 'the batch failed' }, { path: 'b.png', error: 'the batch failed' }]);
    const shortRun = partCollected(job, 0, { written: ['a.png'], besides: [], failed: [], done: new Set(['a.png']) });
    const notSent = partCollected({ ...job, parts: [{ ...job.parts[0], status: 'uploading' as const }, job.parts[1]] }, 0, { written: [], besides: [], failed: [], done: new Set() });
    assert.deepEqual([shortRun.failed, shortRun.replan], [[], ['b.png']], 'a running part that ended short: the rest planned again');
    assert.deepEqual([notSent.failed, notSent.replan], [[{ path: 'a.png', error: 'the batch failed' }, { path: 'b.png', error: 'the batch failed' }], []], 'a part never sent fails its entries');
    const start = partFailedToStart({ ...job, written: ['old.png'], besides: ['old~2.png'] }, 1, 'upload refused');
    assert.deepEqual([start.written, start.besides, start.failed, start.replan], [['old.png'], ['old~2.png'], [{ path: 'c.png', error: 'upload refused' }], []]);
    assert.deepEqual(start.parts.map((p) => [p.status, p.collected]), [['in_progress', false], ['failed', true]]);
  });

  test('lost: only the running part named, or all running ones', () => {
    const job = twoParts();
    const one = jobLost(job, 'gone', { batchId: 'batch-1' });
    assert.deepEqual(one.parts.map((p) => p.status), ['in_progress', 'lost']);
    const all = jobLost({ ...job, parts: [applyRemote(job.parts[0], { id: 'batch-0', status: 'completed' }), job.parts[1]] }, 'stopped', { stoppedWaiting: true });
    assert.deepEqual([all.parts.map((p) => p.status), all.lost, all.stoppedWaiting], [['completed', 'lost'], 'stopped', true]);
  });

  test('the state: failed only when every part failed; cancelled or expired when any part was', () => {
    const job = twoParts();
    const withStatus = (a: string, b: string): BatchJob => ({ ...job, parts: [{ ...job.parts[0], status: a as never }, { ...job.parts[1], status: b as never }] });
    assert.equal(jobState(withStatus('failed', 'failed'), true), 'failed');
    assert.equal(jobState({ ...withStatus('failed', 'completed'), failed: [{ path: 'a.png', error: 'x' }] }, true), 'completed-with-failures');
    assert.equal(jobState(withStatus('cancelled', 'completed'), true), 'cancelled');
    assert.equal(jobState(withStatus('expired', 'completed'), true), 'expired');
    assert.equal(jobState(withStatus('completed', 'completed'), true), 'completed');
  });

  test('counts: from the server while running (collected parts by what was written), from the job when ended', () => {
    let job = twoParts();
    job = { ...job, parts: [applyRemote(job.parts[0], { id: 'batch-0', status: 'completed', request_counts: { total: 2, completed: 1, failed: 1 } }), applyRemote(job.parts[1], { id: 'batch-1', status: 'in_progress', request_counts: { total: 1, completed: 0, failed: 1 } })] };
    assert.deepEqual(jobCounts(job, false), { total: 3, done: 1, failed: 2 });
    job = partCollected(job, 0, { written: ['a.png'], besides: ['b~2.png'], failed: [{ path: 'x.png', error: 'e' }], done: new Set(['a.png', 'b.png']) });
    assert.deepEqual(jobCounts(job, false), { total: 3, done: 2, failed: 2 });
    assert.deepEqual(jobCounts(job, true), { total: 3, done: 2, failed: 1 });
  });
});

suite('batch: eachOf', () => {
  test('at most `limit` at once, every item handled', async () => {
    let now = 0;
    let most = 0;
    const done: number[] = [];
    async function* items() {
      for (let i = 0; i < 8; i++) yield i;
    }
    await eachOf(items(), 2, async (i) => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, 3));
      now--;
      done.push(i);
    });
    assert.deepEqual([most, done.length], [2, 8]);
  });
});

suite('batch: an image\'s recipe', () => {
  test('sources and their lineage, usage, and the cost at half price from the request\'s quality when the answer names none', () => {
    const caps = new ModelTable().get('gpt-image-1-mini')!;
    const req = { operation: 'edit', model: 'gpt-image-1-mini', prompt: 'make it red', n: 1, size: '1024x1024', quality: 'high', outputFormat: 'png' } as JobEntry['request'];
    const srcRecipe = { v: 1, operation: 'generate', prompt: 'a cup', model: 'gpt-image-1-mini', options: {}, provider: { kind: 'openai' }, createdAt: 'c', tool: 't' };
    const result = { ok: true as const, customId: 'a1', b64: 'iVBORw0KGgo=', usage: { inputTextTokens: 10, inputImageTokens: 0, outputTokens: 100, totalTokens: 110 } };
    const opts = { provider: recordProvider, tool: 'Pixelwright test', createdAt: now, sources: [{ path: 'in/cup.png', recipe: srcRecipe }, { path: 'in/plain.png' }] };
    const { record } = batchRecord(req, caps, result as never, opts);
    assert.deepEqual(record.sources, ['in/cup.png', 'in/plain.png']);
    assert.deepEqual(record.lineage?.map((e) => [e.path, e.recipe.prompt]), [['in/cup.png', 'a cup']]);
    assert.equal(record.lineageCut, undefined);
    assert.deepEqual((record as unknown as { usage: unknown }).usage, { ...result.usage, images: 1 });
    const named = batchRecord(req, caps, { ...result, quality: 'high', size: '1024x1024' } as never, opts).record as unknown as { cost: unknown };
    assert.deepEqual((record as unknown as { cost: unknown }).cost, named.cost);
    const unmeasured = { ...result, usage: undefined };
    const byRequest = batchRecord(req, caps, unmeasured as never, opts).record as unknown as { cost?: { usd: number } };
    const byAnswer = batchRecord(req, caps, { ...unmeasured, quality: 'high', size: '1024x1024' } as never, opts).record as unknown as { cost?: { usd: number } };
    assert.ok(byRequest.cost && byRequest.cost.usd > 0);
    assert.deepEqual(byRequest.cost, byAnswer.cost, 'no usage: priced from the request\'s quality and size');
    const cutSource = { ...srcRecipe, lineageCut: true };
    assert.equal(batchRecord(req, caps, result as never, { ...opts, sources: [{ path: 'in/cup.png', recipe: cutSource }] }).record.lineageCut, true);
    const none = batchRecord({ ...req, operation: 'generate' } as JobEntry['request'], caps, result as never, { provider: recordProvider, tool: 't', createdAt: now }).record;
    assert.deepEqual(['sources' in none, 'lineage' in none], [false, false]);
  });
});
