// Boundaries of the image engine (found by mutation testing): what each operation sends and where,
// the client a provider setting makes, the order of statuses around a retry, how many retries and
// how much waiting, what a log line says, and how a result URL download fails or is cancelled.
// Against the fake Images API or a bare local server; every wait is short or stubbed.
import * as assert from 'assert';
import { getEventListeners } from 'events';
import type * as http from 'http';
import sharp from 'sharp';
import { createClient, runImageRequest, type ImageState, type ProviderConfig, type RunOptions, type RunStatus } from '../../../src/core/engine';
import { ImageApiError } from '../../../src/core/errors';
import { ModelTable, type ModelCapabilities } from '../../../src/core/models';
import type { ImageRequest, InputImage } from '../../../src/core/request';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';
import { rawServer } from './rawServer';

const table = new ModelTable();
const GPT = table.get('gpt-image-1.5')!;

/** Every log line, with its level. */
function recorder() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) } };
}

/** The error a promise rejects with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
}

function assertValidation(f: () => unknown, message: string, param: string) {
  assert.throws(f, (e: unknown) => e instanceof ImageApiError && e.kind === 'validation' && e.message === message && e.extra.param === param);
}

suite('engine: the client a provider setting makes', () => {
  test('Azure needs both an endpoint and a deployment; a compatible server needs a base URL', () => {
    const azure = (a?: ProviderConfig['azure']) => () => createClient({ kind: 'azure', apiKey: 'k', azure: a, timeoutMs: 1000 });
    const msg = 'Azure needs an endpoint and a deployment name';
    assertValidation(azure(undefined), msg, 'azure.endpoint');
    assertValidation(azure({ endpoint: '', deployment: 'd', apiVersion: 'v1' }), msg, 'azure.endpoint');
    assertValidation(azure({ endpoint: 'https://r.example', deployment: '', apiVersion: 'v1' }), msg, 'azure.endpoint');
    assert.ok(azure({ endpoint: 'https://r.example', deployment: 'd', apiVersion: 'v1' })());
    assertValidation(() => createClient({ kind: 'compatible', apiKey: 'k', timeoutMs: 1000 }), 'an OpenAI-compatible provider needs a base URL', 'baseUrl');
    assert.strictEqual(createClient({ kind: 'compatible', apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 1000 }).baseURL, 'http://127.0.0.1:9/v1');
  });

  test('OpenAI itself needs no base URL, and a base URL left in the settings does not redirect it', () => {
    assert.strictEqual(createClient({ kind: 'openai', apiKey: 'k', timeoutMs: 1000 }).baseURL, 'https://api.openai.com/v1');
    assert.strictEqual(createClient({ kind: 'openai', apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 1000 }).baseURL, 'https://api.openai.com/v1');
  });
});

suite('engine: what is sent, statuses, retries and logs (fake Images API)', function () {
  this.timeout(20_000);
  let fake: FakeOpenAI;
  let provider: ProviderConfig;
  let png: Buffer;
  let jpeg: Buffer;
  const input = (name: string, bytes: Uint8Array, format: InputImage['format']): InputImage => ({ name, bytes, format });
  const run = (req: Partial<ImageRequest>, opts: Partial<RunOptions> = {}, caps: ModelCapabilities = table.get(req.model ?? GPT.id)!) =>
    runImageRequest(provider, { operation: 'generate', model: GPT.id, prompt: 'a lighthouse', n: 1, ...req }, caps, { concurrency: 2, maxWaitMs: 60_000, ...opts });
  const apiRequests = () => fake.requests.filter((r) => r.path.startsWith('/v1/'));

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    provider = { kind: 'compatible', apiKey: 'sk-test-key', baseUrl: fake.url, timeoutMs: 10_000 };
    png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#0a141e' } }).png().toBuffer();
    jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a141e' } }).jpeg().toBuffer();
  });
  setup(() => {
    fake.reset();
    fake.setLatency(0);
  });
  suiteTeardown(() => fake.close());

  test('an edit goes to /images/edits: every input, its name and type, the mask, the options (never moderation)', async () => {
    const out = await run({
      operation: 'edit',
      n: 2,
      size: '1024x1024',
      moderation: 'low',
      inputFidelity: 'high',
      images: [input('a.png', png, 'png'), input('b.jpg', jpeg, 'jpeg')],
      mask: input('a-mask.png', png, 'png'),
    });
    assert.deepStrictEqual(out.failures, []);
    assert.strictEqual(out.images.length, 2);
    const [r] = apiRequests();
    assert.strictEqual(r.path, '/v1/images/edits');
    assert.deepStrictEqual(r.fields, { size: '1024x1024', input_fidelity: 'high', model: GPT.id, prompt: 'a lighthouse', n: '2', stream: 'false' });
    assert.deepStrictEqual(
      r.files!.map((f) => [f.field, f.filename, f.contentType, f.size]).sort(),
      [
        ['image[]', 'a.png', 'image/png', png.length],
        ['image[]', 'b.jpg', 'image/jpeg', jpeg.length],
        ['mask', 'a-mask.png', 'image/png', png.length],
      ],
    );
  });

  test('one input is sent as `image`; an edit does not stream even when partial images are asked for', async () => {
    const partials: number[] = [];
    const out = await run({ operation: 'edit', images: [input('only.png', png, 'png')] }, { onPartial: (p) => partials.push(p.partialIndex) });
    assert.strictEqual(out.images.length, 1);
    const [r] = apiRequests();
    assert.deepStrictEqual(r.fields, { model: GPT.id, prompt: 'a lighthouse', n: '1', stream: 'false' });
    assert.deepStrictEqual(r.files!.map((f) => [f.field, f.filename]), [['image', 'only.png']]);
    assert.deepStrictEqual(partials, []);
  });

  test('a dall-e-2 variation goes to /images/variations (no prompt; size only when set); a GPT variation is an edit', async () => {
    const img = [input('v.png', png, 'png')];
    const sized = await run({ operation: 'variation', model: 'dall-e-2', prompt: '', n: 2, size: '256x256', images: img });
    assert.strictEqual(sized.images.length, 2);
    assert.deepStrictEqual([apiRequests()[0].path, apiRequests()[0].fields], ['/v1/images/variations', { model: 'dall-e-2', n: '2', size: '256x256' }]);
    assert.deepStrictEqual(apiRequests()[0].files!.map((f) => [f.field, f.filename, f.contentType]), [['image', 'v.png', 'image/png']]);
    fake.reset();
    await run({ operation: 'variation', model: 'dall-e-2', prompt: '', n: 1, images: img });
    assert.deepStrictEqual(apiRequests()[0].fields, { model: 'dall-e-2', n: '1' });
    fake.reset();
    const gpt = await run({ operation: 'variation', prompt: 'the same, at night', images: img });
    assert.strictEqual(gpt.images.length, 1);
    assert.deepStrictEqual([apiRequests()[0].path, apiRequests()[0].fields], ['/v1/images/edits', { model: GPT.id, prompt: 'the same, at night', n: '1', stream: 'false' }]);
  });

  test('the organization and project headers are sent only when set', async () => {
    await runImageRequest({ ...provider, organization: 'org-1', project: 'proj-9' }, { operation: 'generate', model: GPT.id, prompt: 'x', n: 1 }, GPT, { concurrency: 1, maxWaitMs: 0 });
    await runImageRequest({ ...provider, organization: '', project: '' }, { operation: 'generate', model: GPT.id, prompt: 'x', n: 1 }, GPT, { concurrency: 1, maxWaitMs: 0 });
    const [set, unset] = apiRequests();
    assert.deepStrictEqual([set.headers['openai-organization'], set.headers['openai-project']], ['org-1', 'proj-9']);
    assert.ok(!('openai-organization' in unset.headers) && !('openai-project' in unset.headers), JSON.stringify(unset.headers));
  });

  test('a retried server error: the statuses in order, the image states, and the wait', async () => {
    fake.inject({ kind: 'server_error', times: 1 });
    const statuses: RunStatus[] = [];
    const states: ImageState[] = [];
    const slept: number[] = [];
    const out = await run({}, { onStatus: (s) => statuses.push(s), onImageState: (s) => states.push(s), sleep: async (ms) => void slept.push(ms) });
    assert.strictEqual(out.images.length, 1);
    assert.deepStrictEqual(slept, [1000]);
    assert.deepStrictEqual(statuses, [
      { phase: 'requesting', done: 0, total: 1 },
      { phase: 'waiting', reason: 'server', seconds: 1, done: 0, total: 1 },
      { phase: 'requesting', done: 0, total: 1 },
      { phase: 'requesting', done: 1, total: 1 },
    ]);
    assert.deepStrictEqual(states, [
      { index: 0, state: 'requesting', error: undefined },
      { index: 0, state: 'waiting', error: undefined },
      { index: 0, state: 'requesting', error: undefined },
    ]);
  });

  test('a URL result is announced as a download; `done` counts each image once', async () => {
    const statuses: RunStatus[] = [];
    const out = await run({ model: 'dall-e-2', n: 2, size: '256x256' }, { onStatus: (s) => statuses.push(s), concurrency: 1 });
    assert.strictEqual(out.images.length, 2);
    assert.deepStrictEqual(statuses, [
      { phase: 'requesting', done: 0, total: 2 },
      { phase: 'downloading', done: 0, total: 2 },
      { phase: 'requesting', done: 1, total: 2 },
      { phase: 'downloading', done: 1, total: 2 },
      { phase: 'requesting', done: 2, total: 2 },
    ]);
  });

  test('at most 5 waits: the sixth failure is final, after waits of 1, 2, 4, 8 and 16 s', async () => {
    fake.inject({ kind: 'server_error', times: -1 });
    const slept: number[] = [];
    const out = await run({}, { sleep: async (ms) => void slept.push(ms), maxWaitMs: 1e9 });
    assert.deepStrictEqual(slept, [1000, 2000, 4000, 8000, 16000]);
    assert.strictEqual(apiRequests().length, 6);
    assert.strictEqual(out.failures[0].kind, 'server');
  });

  test('a wait exactly as long as the budget left is still waited', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 2, times: 1 });
    const slept: number[] = [];
    const out = await run({}, { maxWaitMs: 2000, sleep: async (ms) => void slept.push(ms) });
    assert.deepStrictEqual([out.images.length, slept], [1, [2000]]);
    fake.reset();
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 2, times: 1 });
    const over = await run({}, { maxWaitMs: 1999, sleep: async () => assert.fail('over the budget') });
    assert.deepStrictEqual([over.images.length, over.failures[0].kind], [0, 'rate-limit']);
  });

  test('a concurrency of 0 still runs one request at a time', async () => {
    const out = await run({ model: 'dall-e-3', n: 2, quality: 'standard' }, { concurrency: 0 });
    assert.deepStrictEqual(out.images.map((i) => i.index), [0, 1]);
  });

  test('batches of several images: each image keeps its place in the whole run', async () => {
    const caps: ModelCapabilities = { ...GPT, maxN: 2 };
    const states: ImageState[] = [];
    const out = await run({ n: 4, quality: 'low', size: '1024x1024' }, { onImageState: (s) => states.push(s) }, caps);
    assert.deepStrictEqual(apiRequests().map((r) => (r.body as { n: number }).n), [2, 2]);
    assert.deepStrictEqual(out.images.map((i) => i.index), [0, 1, 2, 3]);
    assert.deepStrictEqual(states.map((s) => s.index).sort(), [0, 1, 2, 3]);
  });

  test('log lines: what ran, the status or kind, how long, the request id and the server’s words', async () => {
    const { lines, log } = recorder();
    const ok = await run({}, { log });
    assert.strictEqual(lines.length, 1);
    const m = /^info generate gpt-image-1\.5 n=1 -> 200 in (\d+) ms, request (\S+)$/.exec(lines[0]);
    assert.ok(m, lines[0]);
    assert.ok(Number(m[1]) < 10_000, lines[0]);
    assert.strictEqual(m[2], ok.images[0].requestId);
    lines.length = 0;
    await run({}, { log, onPartial: () => undefined });
    assert.match(lines[0], /^info generate gpt-image-1\.5 n=1 \(streamed\) -> 200 in \d+ ms, request req_\w+$/);
    lines.length = 0;
    fake.inject({ kind: 'server_error', times: 1 });
    const failed = await run({}, { log, maxWaitMs: 0 });
    const w = /^warn generate gpt-image-1\.5 n=1 -> 500 in (\d+) ms, request (\S+): (.+)$/.exec(lines[0]);
    assert.ok(w, lines[0]);
    assert.ok(Number(w[1]) < 10_000, lines[0]);
    assert.deepStrictEqual([w[2], w[3]], [failed.failures[0].requestId, failed.failures[0].serverMessage]);
  });

  test('a cancelled request is logged as information, not as a warning, and the run rejects as cancelled', async () => {
    fake.setLatency(2000);
    const { lines, log } = recorder();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const err = await rejection(run({}, { log, signal: abort.signal }));
    assert.ok(err instanceof ImageApiError && err.kind === 'cancelled', String(err));
    assert.strictEqual(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^info generate gpt-image-1\.5 n=1 -> cancelled in \d+ ms/);
  });

  test('a failure noticed after the user cancelled is not waited out', async () => {
    fake.inject({ kind: 'server_error', times: 1 });
    const abort = new AbortController();
    const log = { info: () => undefined, warn: () => abort.abort(), error: () => undefined };
    const err = await rejection(run({}, { log, signal: abort.signal, sleep: async () => assert.fail('no wait after a cancel') }));
    assert.ok(err instanceof ImageApiError && err.kind === 'cancelled', String(err));
  });

  test('the real wait: it waits, then asks again; cancelling it stops at once; no listener is left on the signal', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 0.3, times: 1 });
    const t0 = Date.now();
    const waited = await run({});
    assert.strictEqual(waited.images.length, 1, JSON.stringify(waited.failures));
    assert.ok(Date.now() - t0 >= 250, `waited ${Date.now() - t0} ms`);

    fake.reset();
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 0.3, times: 1 });
    const kept = new AbortController();
    assert.strictEqual((await run({}, { signal: kept.signal })).images.length, 1);
    assert.strictEqual(getEventListeners(kept.signal, 'abort').length, 0);

    fake.reset();
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 5, times: 1 });
    const abort = new AbortController();
    const t1 = Date.now();
    const err = await rejection(run({}, { signal: abort.signal, onStatus: (s) => void (s.phase === 'waiting' && setTimeout(() => abort.abort(), 50)) }));
    assert.ok(err instanceof ImageApiError && err.kind === 'cancelled' && err.message === 'cancelled', String(err));
    assert.ok(Date.now() - t1 < 2000, `took ${Date.now() - t1} ms`);
    assert.strictEqual(getEventListeners(abort.signal, 'abort').length, 0);
  });
});

suite('engine: answers the fake never gives (a bare server)', function () {
  this.timeout(20_000);
  const req: ImageRequest = { operation: 'generate', model: 'dall-e-2', prompt: 'x', n: 1, size: '256x256' };
  let png: Buffer;
  suiteSetup(async () => {
    png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#123' } }).png().toBuffer();
  });

  /** A server whose /images/generations answers `answer` (with a request id) and whose /file.png `file` serves. */
  async function serve(answer: (host: string) => unknown, file: (res: http.ServerResponse, req: http.IncomingMessage) => void = (res) => res.end(png)) {
    return rawServer((r, res) => {
      if (r.url!.endsWith('/images/generations')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_raw' });
        res.end(JSON.stringify(answer(r.headers.host!)));
      } else file(res, r);
    });
  }
  const runAt = async (s: { url: string; close(): Promise<void> }, opts: Partial<RunOptions> = {}) => {
    try {
      return await runImageRequest({ kind: 'compatible', apiKey: 'key-not-shown-42', baseUrl: s.url, timeoutMs: 5000 }, req, table.get('dall-e-2')!, { concurrency: 1, maxWaitMs: 0, ...opts });
    } finally {
      await s.close();
    }
  };
  const failure = async (answer: (host: string) => unknown, file?: (res: http.ServerResponse, req: http.IncomingMessage) => void, opts: Partial<RunOptions> = {}) => {
    const out = await runAt(await serve(answer, file), opts);
    assert.strictEqual(out.images.length, 0);
    return out.failures[0];
  };

  test('an answer without images, or with an entry that is neither data nor a URL, is a bad response', async () => {
    for (const answer of [{ created: 1 }, { created: 1, data: [] }]) {
      assert.deepStrictEqual(await failure(() => answer), { kind: 'bad-response', serverMessage: 'the answer held no image', requestId: 'req_raw' });
    }
    const neither = await failure(() => ({ created: 1, data: [{ revised_prompt: 'x' }] }));
    assert.deepStrictEqual([neither.kind, neither.serverMessage], ['bad-response', 'the answer held neither image data nor a URL']);
  });

  test('bytes that are not an image are a bad response, with the request id', async () => {
    const f = await failure(() => ({ created: 1, data: [{ b64_json: Buffer.from('not an image at all').toString('base64') }] }));
    assert.deepStrictEqual(f, { kind: 'bad-response', serverMessage: 'the answer was not a PNG, JPEG, WebP, GIF or SVG image', requestId: 'req_raw' });
    const empty = await failure(
      (host) => ({ created: 1, data: [{ url: `http://${host}/file.png` }] }),
      (res) => {
        res.writeHead(204);
        res.end();
      },
    );
    assert.deepStrictEqual([empty.kind, empty.serverMessage], ['bad-response', 'the answer was not a PNG, JPEG, WebP, GIF or SVG image']);
  });

  test('a result URL that cannot be fetched, or answers an error status, is an expired URL', async () => {
    const gone = await rawServer(() => undefined);
    const goneUrl = gone.url.replace('/v1', '/file.png');
    await gone.close();
    const unreachable = await failure(() => ({ created: 1, data: [{ url: goneUrl }] }));
    assert.strictEqual(unreachable.kind, 'url-expired');
    assert.match(unreachable.serverMessage!, /^the image URL could not be fetched: /);
    const missing = await failure(
      (host) => ({ created: 1, data: [{ url: `http://${host}/file.png` }] }),
      (res) => {
        res.writeHead(404);
        res.end('gone');
      },
    );
    assert.deepStrictEqual(missing, { kind: 'url-expired', serverMessage: 'the image URL answered 404', status: 404 });
  });

  test('a declared size exactly at the cap is downloaded; one byte over is refused and the download stopped', async () => {
    const at = await runAt(
      await serve(
        (host) => ({ created: 1, data: [{ url: `http://${host}/file.png` }] }),
        (res) => {
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
          res.end(png);
        },
      ),
      { maxDownloadBytes: png.length },
    );
    assert.deepStrictEqual([at.images.length, Buffer.from(at.images[0].bytes).equals(png)], [1, true]);
    let closed = false;
    const over = await failure(
      (host) => ({ created: 1, data: [{ url: `http://${host}/file.png` }] }),
      (res) => {
        res.on('close', () => (closed = true));
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(1048577) });
        res.write(png);
      },
      { maxDownloadBytes: 1048576 },
    );
    assert.strictEqual(over.serverMessage, 'the image at the result URL is larger than 1 MB, so it was not downloaded');
    for (let i = 0; i < 20 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(closed, 'the download was stopped');
  });

  test('sizes under a megabyte are named in bytes', async () => {
    const s = await serve((host) => ({ created: 1, data: [{ url: `http://${host}/file.png` }] }));
    const out = await runAt(s, { maxDownloadBytes: 10 });
    assert.strictEqual(out.failures[0].serverMessage, 'the image at the result URL is larger than 10 bytes, so it was not downloaded');
  });

  test('cancelling while a result URL is being fetched, or while its body arrives, rejects as cancelled at once', async () => {
    for (const stall of ['headers', 'body'] as const) {
      const abort = new AbortController();
      const s = await serve(
        (host) => ({ created: 1, data: [{ url: `http://${host}/file.png` }] }),
        (res) => {
          if (stall === 'body') {
            res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length + 1000) });
            res.write(png);
          }
          setTimeout(() => abort.abort(), 50);
        },
      );
      const t0 = Date.now();
      const err = await rejection(runAt(s, { signal: abort.signal }));
      assert.ok(err instanceof ImageApiError && err.kind === 'cancelled' && err.message === 'cancelled', `${stall}: ${String(err)}`);
      assert.ok(Date.now() - t0 < 2000, `${stall}: took ${Date.now() - t0} ms`);
      assert.strictEqual(getEventListeners(abort.signal, 'abort').length, 0, stall);
    }
  });

  test('a key the server echoes back is masked in failures and in the log, whatever it looks like', async () => {
    const key = 'key-not-shown-42';
    const s = await rawServer((_r, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', code: 'invalid_api_key', param: null } }));
    });
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const out = await runAt(s, { log });
    assert.strictEqual(out.failures[0].kind, 'auth');
    assert.strictEqual(out.failures[0].serverMessage, 'Incorrect API key provided: ***.');
    assert.ok(lines.length === 1 && lines[0].endsWith(': Incorrect API key provided: ***.'), lines.join('\n'));
  });

  test('an unreachable provider: logged with its kind and no request id', async () => {
    const gone = await rawServer(() => undefined);
    await gone.close();
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const out = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: gone.url, timeoutMs: 5000 }, req, table.get('dall-e-2')!, { concurrency: 1, maxWaitMs: 0, log });
    assert.strictEqual(out.failures[0].kind, 'network');
    assert.match(lines[0], /^generate dall-e-2 n=1 -> network in \d+ ms, request -: /);
  });
});
