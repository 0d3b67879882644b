import * as assert from 'assert';
import * as http from 'http';
import { MAX_DOWNLOAD_BYTES, runImageRequest, type ProviderConfig, type RunStatus } from '../../../src/core/engine';
import { readImageSize } from '../../../src/shared/imageFormat';
import { ModelTable } from '../../../src/core/models';
import type { ImageRequest } from '../../../src/core/request';
import { makeImages } from '../../../src/core/run';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';
import { rawServer } from './rawServer';
import sharp from 'sharp';

const table = new ModelTable();

suite('engine against the fake Images API', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let provider: ProviderConfig;
  const run = (req: Partial<ImageRequest>, opts: Partial<Parameters<typeof runImageRequest>[3]> = {}) => {
    const full: ImageRequest = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'a lighthouse at dusk', n: 1, size: '1024x1024', quality: 'low', ...req };
    return runImageRequest(provider, full, table.get(full.model)!, { concurrency: 3, maxWaitMs: 10_000, ...opts });
  };
  const generations = () => fake.requests.filter((r) => r.path.endsWith('/images/generations'));

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    provider = { kind: 'compatible', apiKey: 'sk-test-key', baseUrl: fake.url, timeoutMs: 10_000 };
  });
  setup(() => {
    fake.reset();
    fake.setLatency(0);
  });
  suiteTeardown(() => fake.close());

  test('an edit with a guide (GPT Image 2.5): markup goes out at the image size, no mask, nothing kept; the recipe says guided', async () => {
    const W = 200;
    const H = 120;
    const image = await sharp({ create: { width: W, height: H, channels: 3, background: '#468' } }).png().toBuffer();
    const px = Buffer.alloc(W * H * 4);
    for (let x = 20; x < 120; x++) px.set([255, 59, 48, 255], (60 * W + x) * 4);
    const guide = await sharp(px, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
    const out = await makeImages(
      { operation: 'edit', model: 'gpt-image-2.5-flare', prompt: 'a kite where the arrow points', n: 1, sources: { image: { name: 'a.png', bytes: image, path: 'a.png' }, guide, keepUnmasked: true } },
      table.get('gpt-image-2.5-flare')!,
      { provider, providerRecord: { kind: 'compatible' }, tool: 'test', concurrency: 1, maxWaitMs: 0 },
    );
    assert.deepStrictEqual(out.failures, []);
    const rec = fake.requests.filter((r) => r.path.endsWith('/images/edits')).pop()!;
    assert.strictEqual(rec.status, 200);
    assert.deepStrictEqual(rec.files!.map((f) => f.field).sort(), ['image', 'markup']);
    const markup = rec.files!.find((f) => f.field === 'markup')!;
    const meta = await sharp(markup.bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height, meta.hasAlpha], [W, H, true]);
    const { options } = out.images[0].record;
    assert.strictEqual(options.guided, true);
    assert.strictEqual(options.keep_unmasked, undefined, 'a guided edit may change the whole picture: nothing is pasted back');
    assert.strictEqual(options.masked, undefined);
  });

  test('what preparing the sources changed comes back as notes for the user (padded, an empty mask); routine conversions (JPEG to PNG) do not', async () => {
    const wide = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } }).jpeg().toBuffer();
    const out = await makeImages(
      { operation: 'variation', model: 'dall-e-2', prompt: '', n: 1, size: '256x256', sources: { image: { name: 'wide.jpg', bytes: wide, path: 'wide.jpg' } } },
      table.get('dall-e-2')!,
      { provider, providerRecord: { kind: 'compatible' }, tool: 'test', concurrency: 1, maxWaitMs: 0 },
    );
    assert.deepStrictEqual(out.failures, []);
    assert.deepStrictEqual(out.notes.map((n) => n.id), ['note.padded']);
    const square = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#468' } }).png().toBuffer();
    const nothingPainted = { width: 64, height: 64, painted: new Uint8Array(64 * 64) };
    const edit = await makeImages(
      { operation: 'edit', model: 'gpt-image-1.5', prompt: 'a kite', n: 1, quality: 'low', sources: { image: { name: 'sq.png', bytes: square, path: 'sq.png' }, mask: nothingPainted } },
      table.get('gpt-image-1.5')!,
      { provider, providerRecord: { kind: 'compatible' }, tool: 'test', concurrency: 1, maxWaitMs: 0 },
    );
    assert.deepStrictEqual(edit.notes.map((n) => n.id), ['note.maskEmpty']);
  });

  test('base64 results are decoded into real images of the asked size', async () => {
    const out = await run({ size: '1536x1024', outputFormat: 'webp' });
    assert.strictEqual(out.images.length, 1);
    assert.strictEqual(out.images[0].format, 'webp');
    assert.deepStrictEqual(readImageSize(out.images[0].bytes), { width: 1536, height: 1024 });
    assert.match(out.images[0].requestId!, /^req_/);
    assert.deepStrictEqual(out.failures, []);
  });

  test('the 2026 models: GPT Image 2.5 takes quality max and a custom size; 2.6 a listed size; the server accepts both', async () => {
    const a = await run({ model: 'gpt-image-2.5-sunburst', quality: 'max', size: '2048x1152' });
    assert.deepStrictEqual(readImageSize(a.images[0].bytes), { width: 2048, height: 1152 });
    const b = await run({ model: 'gpt-image-2.6-flare', quality: 'high', size: '1024x1536' });
    assert.deepStrictEqual(readImageSize(b.images[0].bytes), { width: 1024, height: 1536 });
    assert.deepStrictEqual(generations().map((g) => (g.body as { model: string; quality: string }).quality), ['max', 'high']);
    // Refused before the network: 2.6 has no custom sizes, 2.5's snapshot no "ultra" quality.
    await assert.rejects(run({ model: 'gpt-image-2.6-flare', size: '2048x1152' }), /size/);
    await assert.rejects(run({ model: 'gpt-image-2.5-flare-2026-09-08', quality: 'ultra' }), /quality/);
    assert.strictEqual(generations().length, 2);
  });

  test('gpt-image n=4 is one request; dall-e-3 n=4 is four, at most `concurrency` at a time', async () => {
    await run({ n: 4 });
    assert.strictEqual(generations().length, 1);
    assert.strictEqual((generations()[0].body as { n?: number }).n, 4);
    fake.reset();
    fake.setLatency(300);
    const t0 = Date.now();
    const out = await run({ model: 'dall-e-3', n: 4, quality: 'standard', size: '1024x1024' }, { concurrency: 2 });
    const took = Date.now() - t0;
    assert.strictEqual(out.images.length, 4);
    assert.deepStrictEqual(out.images.map((i) => i.index), [0, 1, 2, 3]);
    assert.strictEqual(generations().length, 4);
    assert.ok(generations().every((r) => (r.body as { n?: number }).n === 1));
    assert.ok(took >= 600, `two rounds of two: took ${took} ms`);
    assert.ok(out.images.every((i) => i.revisedPrompt), 'dall-e-3 revised prompts come back');
  });

  test('URL results are downloaded at once', async () => {
    const out = await run({ model: 'dall-e-2', size: '256x256', quality: undefined });
    assert.deepStrictEqual(readImageSize(out.images[0].bytes), { width: 256, height: 256 });
    assert.ok(fake.requests.some((r) => r.path.startsWith('/_fake/files/')));
  });

  test('a rate limit is waited out and the caller is told how long', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 2, times: 1 });
    const statuses: RunStatus[] = [];
    const slept: number[] = [];
    const out = await run({}, { onStatus: (s) => statuses.push(s), sleep: async (ms) => void slept.push(ms) });
    assert.strictEqual(out.images.length, 1);
    assert.deepStrictEqual(slept, [2000]);
    assert.ok(statuses.some((s) => s.phase === 'waiting' && s.reason === 'rate-limit' && s.seconds === 2));
  });

  test('waiting stops at the budget: the error comes back, no image', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 20, times: 1 });
    const out = await run({}, { maxWaitMs: 5_000, sleep: async () => assert.fail('must not wait beyond the budget') });
    assert.strictEqual(out.images.length, 0);
    assert.strictEqual(out.failures[0].kind, 'rate-limit');
    assert.strictEqual(out.failures[0].retryAfterSeconds, 20);
  });

  test('500s back off and recover; the batch that fails for good is reported, the others kept', async () => {
    fake.inject({ kind: 'server_error', times: 2 });
    const slept: number[] = [];
    const ok = await run({}, { sleep: async (ms) => void slept.push(ms) });
    assert.strictEqual(ok.images.length, 1);
    assert.deepStrictEqual(slept, [1000, 2000]);

    fake.reset();
    fake.inject({ kind: 'moderation', times: 1 });
    const mixed = await run({ model: 'dall-e-3', n: 3, quality: 'standard' }, { concurrency: 1 });
    assert.strictEqual(mixed.images.length, 2);
    assert.strictEqual(mixed.failures.length, 1);
    assert.strictEqual(mixed.failures[0].kind, 'content-policy');
  });

  test('an invalid request never reaches the network', async () => {
    await assert.rejects(run({ model: 'dall-e-3', size: '256x256', quality: 'standard' }), /size/);
    assert.strictEqual(fake.requests.length, 0);
  });

  test('aborting cancels the request in flight and returns nothing', async () => {
    fake.setLatency(3000);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const t0 = Date.now();
    await assert.rejects(run({}, { signal: abort.signal }), (err: Error) => err.name === 'ImageApiError' && /cancel/.test(err.message));
    assert.ok(Date.now() - t0 < 2000, 'did not wait for the server');
  });

  test('aborting during a rate-limit wait stops at once', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 5, times: 1 });
    const abort = new AbortController();
    const t0 = Date.now();
    const p = run({}, { signal: abort.signal, onStatus: (s) => s.phase === 'waiting' && abort.abort() });
    await assert.rejects(p, /cancel/);
    assert.ok(Date.now() - t0 < 2000);
  });

  test('a timeout is reported as such', async () => {
    fake.setLatency(2000);
    const out = await runImageRequest({ ...provider, timeoutMs: 300 }, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'slow', n: 1 }, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0 });
    assert.strictEqual(out.failures[0].kind, 'timeout');
  });

  test('Azure: deployment routing, and a wrong deployment is a 404', async () => {
    const azure: ProviderConfig = { kind: 'azure', apiKey: 'sk-test-key', azure: { endpoint: fake.origin, deployment: 'gpt-image', apiVersion: '2025-04-01-preview' }, timeoutMs: 10_000 };
    const req: ImageRequest = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'azure otter', n: 1, size: '1024x1024', quality: 'low' };
    const ok = await runImageRequest(azure, req, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0 });
    assert.strictEqual(ok.images.length, 1);
    assert.ok(fake.requests.some((r) => r.path === '/openai/deployments/gpt-image/images/generations' && r.hasApiKey));
    const bad = await runImageRequest({ ...azure, azure: { ...azure.azure!, deployment: 'nope' } }, req, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0 });
    assert.strictEqual(bad.failures[0].kind, 'not-found');
  });

  test('the key never appears in what the engine reports', async () => {
    const key = 'sk-secret-0123456789abcdef';
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const out = await runImageRequest({ ...provider, apiKey: key }, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0, log });
    assert.strictEqual(out.failures[0].kind, 'auth');
    assert.ok(!JSON.stringify(out.failures).includes('sk-se'));
    assert.ok(lines.length > 0 && !lines.join('\n').includes('sk-se'), lines.join('\n'));
  });

  test('a cut-off answer is reported as cut off, not as an unreachable provider, and is not retried', async () => {
    fake.inject({ kind: 'drop', times: 1 });
    const dropped = await run({});
    assert.strictEqual(dropped.failures[0]?.kind, 'cut-off', JSON.stringify(dropped.failures));
    fake.inject({ kind: 'malformed_json', times: 1 });
    const cut = await run({});
    assert.strictEqual(cut.failures[0]?.kind, 'cut-off', JSON.stringify(cut.failures));
    assert.strictEqual(generations().length, 2, 'one request each: a cut-off answer may have been billed, so it is not sent again');
    // The body stops short of its declared length, mid-JSON.
    const short = await rawServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write('{"created":1,"data":[{"b64_json":"iVBORw0KGgo');
      setTimeout(() => req.socket.destroy(), 20);
    });
    try {
      const out = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: short.url, timeoutMs: 5000 }, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0 });
      assert.strictEqual(out.failures[0]?.kind, 'cut-off', JSON.stringify(out.failures));
    } finally {
      await short.close();
    }
    // Nobody listening is still "could not reach".
    const gone = await rawServer(() => undefined);
    await gone.close();
    const unreachable = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: gone.url, timeoutMs: 5000 }, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0 });
    assert.strictEqual(unreachable.failures[0]?.kind, 'network');
  });

  test('a 409 or 418 is asked once, not waited out as a server error; a 502 is retried', async () => {
    for (const [status, asked] of [[409, 1], [418, 1], [502, 2]] as const) {
      let requests = 0;
      const s = await rawServer((_req, res) => {
        requests++;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `status ${status}`, type: 'x', code: null, param: null } }));
      });
      try {
        const slept: number[] = [];
        const out = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: s.url, timeoutMs: 5000 }, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, table.get('gpt-image-1.5')!, {
          concurrency: 1,
          maxWaitMs: 1500,
          sleep: async (ms) => void slept.push(ms),
        });
        assert.strictEqual(out.failures[0]?.status, status);
        assert.strictEqual(requests, status === 502 ? 2 : asked, `${status}: ${requests} requests`);
        if (status !== 502) {
          assert.notStrictEqual(out.failures[0].kind, 'server', String(status));
          assert.deepStrictEqual(slept, [], `${status} is not waited out`);
        }
      } finally {
        await s.close();
      }
    }
  });

  suite('result downloads are capped', () => {
    let png: Buffer;
    suiteSetup(async () => {
      png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#0a141e' } }).png().toBuffer();
    });
    /** An Images API whose result URL sends `body` (a declared length, or chunked). */
    const urlServer = (send: (res: http.ServerResponse, sent: { bytes: number; closed: boolean }) => void) => {
      const sent = { bytes: 0, closed: false };
      return rawServer((req, res) => {
        if (req.url!.endsWith('/images/generations')) {
          const host = req.headers.host;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ created: 1, data: [{ url: `http://${host}/file.png` }] }));
          return;
        }
        res.on('close', () => (sent.closed = true));
        send(res, sent);
      }).then((s) => Object.assign(s, { sent }));
    };
    const dalle2 = (url: string, opts: Partial<Parameters<typeof runImageRequest>[3]> = {}) =>
      runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: url, timeoutMs: 10_000 }, { operation: 'generate', model: 'dall-e-2', prompt: 'x', n: 1, size: '256x256' }, table.get('dall-e-2')!, { concurrency: 1, maxWaitMs: 0, ...opts });
    /** Streams `total` bytes of a PNG-looking body in 64 KB chunks, without a declared length. */
    const stream = (total: number) => (res: http.ServerResponse, sent: { bytes: number; closed: boolean }) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(65536);
      png.copy(chunk);
      const pump = () => {
        while (sent.bytes < total && !sent.closed) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!sent.closed) res.end();
      };
      pump();
    };

    test('64 MB by default; a declared larger size is refused before its body is read', async () => {
      assert.strictEqual(MAX_DOWNLOAD_BYTES, 64 * 1024 * 1024);
      const s = await urlServer((res) => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(MAX_DOWNLOAD_BYTES + 1) });
        res.write(png);
      });
      try {
        const out = await dalle2(s.url);
        assert.strictEqual(out.images.length, 0);
        assert.strictEqual(out.failures[0]?.kind, 'bad-response');
        assert.match(out.failures[0].serverMessage!, /larger than 64 MB/);
      } finally {
        await s.close();
      }
    });

    test('a body without a declared size is stopped once it passes the cap', async () => {
      const s = await urlServer(stream(8 * 1048576));
      try {
        const out = await dalle2(s.url, { maxDownloadBytes: 1048576 });
        assert.strictEqual(out.images.length, 0);
        assert.match(out.failures[0]?.serverMessage ?? '', /larger than 1 MB/);
        await new Promise((r) => setTimeout(r, 100));
        assert.ok(s.sent.closed, 'the download was aborted');
        assert.ok(s.sent.bytes < 8 * 1048576, `stopped early: ${s.sent.bytes} bytes sent`);
      } finally {
        await s.close();
      }
    });

    test('an image under the cap still arrives whole', async () => {
      const s = await urlServer((res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png);
      });
      try {
        const out = await dalle2(s.url, { maxDownloadBytes: png.length });
        assert.strictEqual(out.images.length, 1, JSON.stringify(out.failures));
        assert.deepStrictEqual(Buffer.from(out.images[0].bytes), png);
      } finally {
        await s.close();
      }
    });
  });
});
