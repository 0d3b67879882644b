/**
 * src/core/run.ts against the fake Images API: what one run makes of a request (the recipe each
 * image carries, the name it is saved under), for a generation, a DALL·E 2 variation and a GPT
 * image edit that keeps the unmasked pixels. The host pipeline and the MCP server both call it.
 */
import * as assert from 'assert';
import sharp from 'sharp';
import type { ProviderConfig } from '../../../src/core/engine';
import { ModelTable } from '../../../src/core/models';
import { ValidationError } from '../../../src/core/request';
import { makeImages, type MakeOptions, type RunRequestOf, type SourceFile } from '../../../src/core/run';
import { readImageSize } from '../../../src/shared/imageFormat';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const table = new ModelTable();

suite('one run: images with their recipes and names', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let provider: ProviderConfig;
  const lines: string[] = [];
  const opts = (o: Partial<MakeOptions> = {}): MakeOptions => ({
    provider,
    providerRecord: { kind: 'compatible', baseUrl: 'http://127.0.0.1' },
    tool: 'Pixelwright test',
    concurrency: 2,
    maxWaitMs: 0,
    log: { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) },
    ...o,
  });
  // the API calls made (a DALL·E result URL's download is left out)
  const paths = () => fake.requests.filter((r) => r.path.includes('/images/')).map((r) => r.path.replace(/^.*\/images\//, ''));
  const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#3a6' } }).png().toBuffer();

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    provider = { kind: 'compatible', apiKey: 'sk-test-key', baseUrl: fake.url, timeoutMs: 10_000 };
  });
  setup(() => {
    fake.reset();
    lines.length = 0;
  });
  suiteTeardown(() => fake.close());

  test('a generation: one recipe per image (options, count, index, provider, tool, no sources), named after the prompt', async () => {
    const req: RunRequestOf<SourceFile> = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'A lighthouse', n: 2, size: '1024x1024', quality: 'low', outputFormat: 'webp' };
    let prepared = 0;
    const before = Date.now();
    const out = await makeImages(req, table.get('gpt-image-1.5')!, opts({ onPrepared: () => prepared++ }));
    assert.strictEqual(prepared, 1);
    assert.deepStrictEqual(paths(), ['generations']);
    assert.deepStrictEqual(out.failures, []);
    assert.strictEqual(out.inexact, false);
    assert.deepStrictEqual(out.images.map((i) => [i.index, i.format, i.record.index, i.record.count]), [[0, 'webp', 0, 2], [1, 'webp', 1, 2]]);
    const r = out.images[0].record;
    // what the image cost and used is core/cost.ts's rule (its own tests); here only that the recipe carries it
    assert.strictEqual(r.cost?.basis, 'tokens');
    assert.strictEqual(typeof r.cost?.usd, 'number');
    assert.strictEqual(r.usage?.images, 2);
    assert.deepStrictEqual({ ...r, createdAt: undefined, requestId: undefined, cost: undefined, usage: undefined }, {
      v: 1,
      operation: 'generate',
      prompt: 'A lighthouse',
      revisedPrompt: undefined,
      model: 'gpt-image-1.5',
      options: { size: '1024x1024', quality: 'low', output_format: 'webp', n: 2 },
      provider: { kind: 'compatible', baseUrl: 'http://127.0.0.1' },
      createdAt: undefined,
      requestId: undefined,
      cost: undefined,
      usage: undefined,
      index: 0,
      count: 2,
      tool: 'Pixelwright test',
    });
    assert.ok(!('sources' in r));
    assert.match(r.requestId!, /^req_/);
    const t = Date.parse(r.createdAt);
    assert.ok(t >= before - 1000 && t <= Date.now() + 1000, r.createdAt);
    assert.match(out.images[0].name, /^a-lighthouse-\d{8}-\d{6}-1\.webp$/);
    assert.match(out.images[1].name, /^a-lighthouse-\d{8}-\d{6}-2\.webp$/);
    assert.deepStrictEqual([...out.images[0].bytes.subarray(0, 4)], [...Buffer.from('RIFF')]);
  });

  test('a file name given: numbered when there are several, one alone keeps it', async () => {
    const req: RunRequestOf<SourceFile> = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 2, size: '1024x1024', quality: 'low' };
    const two = await makeImages(req, table.get('gpt-image-1.5')!, opts({ fileName: 'hero.png' }));
    assert.deepStrictEqual(two.images.map((i) => i.name), ['hero-1.png', 'hero-2.png']);
    const one = await makeImages({ ...req, n: 1 }, table.get('gpt-image-1.5')!, opts({ fileName: 'hero.png' }));
    assert.deepStrictEqual(one.images.map((i) => i.name), ['hero.png']);
  });

  test('a DALL·E 2 variation: the source prepared (square), its path in the recipe, named after the source', async () => {
    const src = { name: 'photo.png', bytes: await png(64, 48), path: 'art/photo.png' };
    let prepared = 0;
    const out = await makeImages({ operation: 'variation', model: 'dall-e-2', prompt: '', n: 1, size: '256x256', sources: { image: src } }, table.get('dall-e-2')!, opts({ onPrepared: () => prepared++ }));
    assert.strictEqual(prepared, 1);
    assert.deepStrictEqual(paths(), ['variations']);
    const r = out.images[0].record;
    assert.strictEqual(r.operation, 'variation');
    assert.deepStrictEqual(r.sources, ['art/photo.png']);
    assert.deepStrictEqual(r.options, { size: '256x256', n: 1, square: 'pad' });
    assert.match(out.images[0].name, /^photo-variation-\d{8}-\d{6}\.png$/);
    assert.ok(lines.some((l) => l.startsWith('info prepare: ')), `a preparation note is logged: ${lines.join(' | ')}`);
  });

  test('a GPT image edit keeping the unmasked pixels: a PNG the source\'s size, marked in the recipe with its references', async () => {
    const src = { name: 'scene.png', bytes: await png(96, 64), path: 'scene.png' };
    const ref = { name: 'ref.png', bytes: await png(32, 32), path: 'refs/ref.png' };
    const painted = new Uint8Array(96 * 64);
    painted.fill(255, 0, 96 * 10);
    const out = await makeImages(
      { operation: 'edit', model: 'gpt-image-1.5', prompt: 'add a moon', n: 1, outputFormat: 'jpeg', sources: { image: src, references: [ref], mask: { width: 96, height: 64, painted }, keepUnmasked: true } },
      table.get('gpt-image-1.5')!,
      opts(),
    );
    assert.deepStrictEqual(paths(), ['edits']);
    const img = out.images[0];
    assert.strictEqual(img.format, 'png');
    assert.deepStrictEqual(readImageSize(img.bytes), { width: 96, height: 64 });
    assert.deepStrictEqual(img.record.sources, ['scene.png', 'refs/ref.png']);
    assert.strictEqual(img.record.options.keep_unmasked, true);
    assert.strictEqual(img.record.options.masked, true);
    assert.ok(!('square' in img.record.options));
    assert.match(img.name, /^scene-edit-\d{8}-\d{6}\.png$/);
    // without keepUnmasked the result is the model's own, in the format asked
    const plain = await makeImages({ operation: 'edit', model: 'gpt-image-1.5', prompt: 'add a moon', n: 1, outputFormat: 'jpeg', sources: { image: src, mask: { width: 96, height: 64, painted } } }, table.get('gpt-image-1.5')!, opts());
    assert.strictEqual(plain.images[0].format, 'jpeg');
    assert.ok(!('keep_unmasked' in plain.images[0].record.options));
    assert.deepStrictEqual(plain.images[0].record.sources, ['scene.png']);
  });

  test('a variation\'s sources leave out references; an edit without a source is refused before anything is sent', async () => {
    await assert.rejects(makeImages({ operation: 'edit', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, table.get('gpt-image-1.5')!, opts()), ValidationError);
    assert.deepStrictEqual(paths(), []);
    const src = { name: 'a.png', bytes: await png(32, 32), path: 'a.png' };
    const ref = { name: 'b.png', bytes: await png(32, 32), path: 'b.png' };
    const out = await makeImages({ operation: 'variation', model: 'gpt-image-1.5', prompt: '', n: 1, sources: { image: src, references: [ref] } }, table.get('gpt-image-1.5')!, opts());
    assert.deepStrictEqual(out.images[0].record.sources, ['a.png']);
  });

  test('only a GPT image edit keeps the unmasked pixels: not a GPT variation, not a DALL·E 2 edit; the stem drops only the last extension', async () => {
    const gptVar = await makeImages(
      { operation: 'variation', model: 'gpt-image-1.5', prompt: '', n: 1, outputFormat: 'jpeg', sources: { image: { name: 'my.photo.png', bytes: await png(64, 64), path: 'my.photo.png' }, keepUnmasked: true } },
      table.get('gpt-image-1.5')!,
      opts(),
    );
    assert.strictEqual(gptVar.images[0].format, 'jpeg');
    assert.ok(!('keep_unmasked' in gptVar.images[0].record.options));
    assert.match(gptVar.images[0].name, /^my-photo-variation-\d{8}-\d{6}\.jpg$/);
    const painted = new Uint8Array(64 * 64).fill(255, 0, 64 * 8);
    const dalle = await makeImages(
      { operation: 'edit', model: 'dall-e-2', prompt: 'a moon', n: 1, size: '256x256', sources: { image: { name: 'sq.png', bytes: await png(64, 64), path: 'sq.png' }, mask: { width: 64, height: 64, painted }, keepUnmasked: true } },
      table.get('dall-e-2')!,
      opts(),
    );
    assert.deepStrictEqual(dalle.images[0].record.options, { size: '256x256', n: 1, square: 'pad', masked: true });
  });

  test('cancelled after the request: no image is made', async () => {
    const controller = new AbortController();
    const out = await makeImages({ operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1, size: '1024x1024', quality: 'low' }, table.get('gpt-image-1.5')!, opts({ signal: controller.signal, onImage: () => controller.abort() }));
    assert.deepStrictEqual(out.images, []);
  });
});
