/**
 * Streaming in the engine: with `onPartial`, models that stream send `stream: true,
 * partial_images: N` and hand on partial images as they arrive; n>1 becomes n single streamed
 * requests; the final image may come before the partials; cancelling stops the stream.
 */
import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import sharp from 'sharp';
import { runImageRequest, type ImageState, type PartialImage, type ProviderConfig } from '../../../src/core/engine';
import { readImageSize } from '../../../src/shared/imageFormat';
import { ModelTable } from '../../../src/core/models';
import type { ImageRequest } from '../../../src/core/request';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const table = new ModelTable();

suite('engine: streamed generations (fake Images API)', function () {
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

  test('n=1: stream with 2 partial images by default; partials arrive before the result', async () => {
    const partials: PartialImage[] = [];
    const order: string[] = [];
    const out = await run({}, { onPartial: (p) => (partials.push(p), order.push(`partial ${p.partialIndex}`)), onImage: (i) => void order.push(`image ${i.index}`) });
    assert.strictEqual(generations().length, 1);
    const body = generations()[0].body as Record<string, unknown>;
    assert.strictEqual(body.stream, true);
    assert.strictEqual(body.partial_images, 2);
    assert.strictEqual(body.n, 1);
    assert.deepStrictEqual(
      partials.map((p) => [p.index, p.partialIndex]),
      [
        [0, 0],
        [0, 1],
      ],
    );
    assert.ok(partials.every((p) => readImageSize(p.bytes)), 'partials are real images');
    assert.deepStrictEqual(order, ['partial 0', 'partial 1', 'image 0']);
    assert.strictEqual(out.images.length, 1);
    assert.deepStrictEqual(readImageSize(out.images[0].bytes), { width: 1024, height: 1024 });
    assert.match(out.images[0].requestId!, /^req_/);
  });

  test('partial_images is configurable (0-3)', async () => {
    const partials: PartialImage[] = [];
    await run({}, { onPartial: (p) => partials.push(p), partialImages: 3 });
    assert.strictEqual((generations()[0].body as { partial_images?: number }).partial_images, 3);
    assert.strictEqual(partials.length, 3);
  });

  test('n=3 becomes three single streamed requests under the concurrency cap; every image streams', async () => {
    fake.setLatency(200);
    const partials: PartialImage[] = [];
    const states: ImageState[] = [];
    const t0 = Date.now();
    const out = await run({ n: 3, outputFormat: 'webp' }, { concurrency: 2, onPartial: (p) => partials.push(p), onImageState: (s) => states.push(s) });
    const took = Date.now() - t0;
    assert.strictEqual(generations().length, 3);
    assert.ok(generations().every((r) => (r.body as { n?: number; stream?: boolean }).n === 1 && (r.body as { stream?: boolean }).stream === true));
    assert.deepStrictEqual(
      out.images.map((i) => [i.index, i.format]),
      [
        [0, 'webp'],
        [1, 'webp'],
        [2, 'webp'],
      ],
    );
    for (const i of [0, 1, 2]) assert.strictEqual(partials.filter((p) => p.index === i).length, 2, `image ${i} streamed`);
    assert.ok(took >= 400, `two rounds with concurrency 2: took ${took} ms`);
    assert.deepStrictEqual(states.map((s) => `${s.index}:${s.state}`).sort(), ['0:requesting', '1:requesting', '2:requesting']);
  });

  test('without onPartial, or on a model that does not stream, nothing streams', async () => {
    await run({ n: 2 });
    assert.strictEqual(generations().length, 1);
    assert.strictEqual((generations()[0].body as { stream?: boolean }).stream ?? false, false);
    fake.reset();
    const partials: PartialImage[] = [];
    const out = await run({ model: 'dall-e-3', quality: 'standard', n: 2 }, { onPartial: (p) => partials.push(p) });
    assert.strictEqual(out.images.length, 2);
    assert.strictEqual(partials.length, 0);
    assert.ok(generations().every((r) => !(r.body as { stream?: boolean }).stream));
  });

  test('a failed streamed image is reported with its index; the others are kept', async () => {
    fake.inject({ kind: 'moderation', times: 1 });
    const states: ImageState[] = [];
    const out = await run({ n: 2 }, { concurrency: 1, onPartial: () => undefined, onImageState: (s) => states.push(s) });
    assert.strictEqual(out.images.length, 1);
    assert.strictEqual(out.images[0].index, 1);
    assert.strictEqual(out.failures[0].kind, 'content-policy');
    const failed = states.find((s) => s.state === 'failed');
    assert.strictEqual(failed?.index, 0);
    assert.strictEqual(failed?.error?.kind, 'content-policy');
  });

  test('aborting during a stream rejects as cancelled and returns nothing', async () => {
    fake.setLatency(3000);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const t0 = Date.now();
    await assert.rejects(run({}, { signal: abort.signal, onPartial: () => undefined }), (err: Error) => err.name === 'ImageApiError' && /cancel/.test(err.message));
    assert.ok(Date.now() - t0 < 2000, 'did not wait for the server');
  });
});

/** A server that streams its own sequence of SSE events (orders the fake never sends). */
async function sseServer(events: (png: string) => { type: string; payload: Record<string, unknown> }[], pauseMs = 0) {
  const png = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3a6' } }).png().toBuffer()).toString('base64');
  let closedEarly = false;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_sse' });
      res.on('close', () => (closedEarly = !res.writableFinished));
      for (const e of events(png)) {
        res.write(`event: ${e.type}\ndata: ${JSON.stringify({ type: e.type, ...e.payload })}\n\n`);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        if (res.destroyed) return;
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())), closedEarly: () => closedEarly };
}

suite('engine: stream event orders', function () {
  this.timeout(20_000);
  const req: ImageRequest = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1 };

  test('the final image before the partials: it is the result, and later partials are not handed on', async () => {
    const s = await sseServer(
      (png) => [
        { type: 'image_generation.partial_image', payload: { b64_json: png, partial_image_index: 0 } },
        { type: 'image_generation.completed', payload: { b64_json: png, usage: {} } },
        { type: 'image_generation.partial_image', payload: { b64_json: png, partial_image_index: 1 } },
      ],
      100,
    );
    try {
      const partials: PartialImage[] = [];
      const t0 = Date.now();
      const out = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: s.url, timeoutMs: 5000 }, req, table.get('gpt-image-1.5')!, {
        concurrency: 1,
        maxWaitMs: 0,
        onPartial: (p) => partials.push(p),
      });
      assert.strictEqual(out.images.length, 1, JSON.stringify(out.failures));
      assert.strictEqual(out.images[0].requestId, 'req_sse');
      assert.deepStrictEqual(partials.map((p) => p.partialIndex), [0]);
      assert.ok(Date.now() - t0 < 250, 'did not wait for the stream to end after the result');
    } finally {
      await s.close();
    }
  });

  test('a stream that ends without the finished image is a bad response', async () => {
    const s = await sseServer((png) => [{ type: 'image_generation.partial_image', payload: { b64_json: png, partial_image_index: 0 } }]);
    try {
      const out = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: s.url, timeoutMs: 5000 }, req, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0, onPartial: () => undefined });
      assert.strictEqual(out.images.length, 0);
      assert.deepStrictEqual(out.failures[0], { kind: 'bad-response', serverMessage: 'the stream ended without the finished image', requestId: 'req_sse' });
    } finally {
      await s.close();
    }
  });

  test('events of other kinds are passed over: the finished image still comes', async () => {
    const s = await sseServer((png) => [
      { type: 'image_generation.partial_image', payload: { b64_json: png, partial_image_index: 0 } },
      { type: 'response.in_progress', payload: {} },
      { type: 'image_generation.completed', payload: { b64_json: png, usage: {} } },
    ]);
    try {
      const out = await runImageRequest({ kind: 'compatible', apiKey: 'k', baseUrl: s.url, timeoutMs: 5000 }, req, table.get('gpt-image-1.5')!, { concurrency: 1, maxWaitMs: 0, onPartial: () => undefined });
      assert.deepStrictEqual([out.images.length, out.failures], [1, []]);
    } finally {
      await s.close();
    }
  });
});
