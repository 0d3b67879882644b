/**
 * The SDK 7.57 options: complexity, the hashed safety identifier, and SVG and GIF output behind
 * the setting (their rules in the table and validation, what goes on the wire to the fake server,
 * the project's missing access, and the recipe inside .svg and .gif files).
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import { runImageRequest, type ProviderConfig } from '../../../src/core/engine';
import { noAccessToOutput } from '../../../src/core/errors';
import { embedRecord, readRecord } from '../../../src/core/metadata';
import { ModelTable } from '../../../src/core/models';
import { extensionFor } from '../../../src/core/naming';
import { hashSafetyIdentifier, providerConfig } from '../../../src/core/provider';
import type { GenerationRecord } from '../../../src/core/record';
import { validateRequest, type ImageRequest } from '../../../src/core/request';
import { detectResultFormat, readImageSize } from '../../../src/shared/imageFormat';
import { fitOptions, gifFields, modelInfo } from '../../../src/shared/modelRules';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const plain = new ModelTable();
const withPreview = new ModelTable([], { previewFormats: true });
const req = (r: Partial<ImageRequest>): ImageRequest => ({ operation: 'generate', model: 'gpt-image-2.5-flare', prompt: 'a kite', n: 1, ...r });
const refusal = (r: Partial<ImageRequest>, table = withPreview) => {
  try {
    validateRequest(req(r), table.get(req(r).model)!);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
};

suite('newer options: the table and validation', () => {
  test('complexity is offered on the 2.5 and 2.6 models (and snapshots) only', () => {
    const takes = plain.list().filter((m) => m.complexity).map((m) => m.id);
    assert.deepStrictEqual(takes, ['gpt-image-2.6-sunburst', 'gpt-image-2.6-flare', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-flare']);
    assert.strictEqual(plain.get('gpt-image-2.5-flare-2026-09-08')!.complexity, true);
    assert.strictEqual(refusal({ complexity: 'high' }), undefined);
    assert.strictEqual(refusal({ model: 'gpt-image-1.5', complexity: 'high' }), 'complexity: gpt-image-1.5 does not take complexity');
    assert.match(refusal({ complexity: 'extreme' as 'high' })!, /^complexity: "extreme" is not offered by gpt-image-2\.5-flare \(allowed: low, medium, high\)$/);
    assert.deepStrictEqual(fitOptions(modelInfo(plain.get('gpt-image-2')!, 'generate'), { complexity: 'high' }).complexity, undefined);
    assert.strictEqual(fitOptions(modelInfo(plain.get('gpt-image-2.6-flare')!, 'edit'), { complexity: 'low' }).complexity, 'low');
  });

  test('SVG and GIF are offered only with the setting, for generations, on the 2026 models', () => {
    assert.deepStrictEqual(plain.get('gpt-image-2.6-flare')!.outputFormats, ['png', 'jpeg', 'webp']);
    assert.deepStrictEqual(withPreview.get('gpt-image-2.6-flare')!.outputFormats, ['png', 'jpeg', 'webp', 'svg', 'gif']);
    assert.deepStrictEqual(withPreview.get('gpt-image-2.5-sunburst-2026-09-08')!.outputFormats, ['png', 'jpeg', 'webp', 'svg', 'gif']);
    assert.deepStrictEqual(withPreview.get('gpt-image-2')!.outputFormats, ['png', 'jpeg', 'webp']);
    assert.deepStrictEqual(modelInfo(withPreview.get('gpt-image-2.6-flare')!, 'edit').outputFormats, ['png', 'jpeg', 'webp']);
    assert.match(refusal({ outputFormat: 'svg' }, plain)!, /turned off: turn on the setting pixelwright\.experimental\.vectorAndAnimatedOutput/);
    assert.match(refusal({ model: 'gpt-image-2', outputFormat: 'svg' })!, /"svg" is not offered by gpt-image-2/);
    assert.strictEqual(refusal({ outputFormat: 'svg', n: 3 }), undefined, 'n>1 becomes one request per image');
  });

  test('GIF rules: frames 2-16, frame time 10-655350 ms, only with GIF, never with a mask', () => {
    assert.strictEqual(refusal({ outputFormat: 'gif', frameCount: 16, frameDurationMs: 10 }), undefined);
    assert.match(refusal({ outputFormat: 'gif', frameCount: 1 })!, /^frame_count: 1 is not a whole number from 2 to 16$/);
    assert.match(refusal({ outputFormat: 'gif', frameCount: 17 })!, /frame_count/);
    assert.match(refusal({ outputFormat: 'gif', frameDurationMs: 9 })!, /^frame_duration_ms: 9 is not a whole number of milliseconds from 10 to 655350$/);
    assert.match(refusal({ outputFormat: 'png', frameCount: 4 })!, /^frame_count: frames apply to GIF output only \(allowed: gif\)$/);
    const mask = { name: 'm.png', bytes: new Uint8Array(8), format: 'png' as const };
    assert.match(refusal({ operation: 'edit', outputFormat: 'gif', mask, images: [mask] })!, /^mask: GIF output cannot be combined with a mask$/);
    assert.deepStrictEqual(gifFields({ outputFormat: 'gif', frames: '4', frameMs: '120' }), { frameCount: 4, frameDurationMs: 120 });
    assert.deepStrictEqual(gifFields({ outputFormat: 'gif', frames: '40', frameMs: 'x' }), {});
    assert.deepStrictEqual(gifFields({ outputFormat: 'png', frames: '4' }), {});
  });

  test('the safety identifier is the SHA-256 hex of the trimmed setting, never the value itself', () => {
    const expected = createHash('sha256').update('ada@example.com').digest('hex');
    assert.strictEqual(hashSafetyIdentifier('  ada@example.com '), expected);
    assert.strictEqual(hashSafetyIdentifier(''), undefined);
    assert.strictEqual(hashSafetyIdentifier('   '), undefined);
    const config = providerConfig({ provider: 'openai', baseUrl: '', azure: { endpoint: '', deployment: '', apiVersion: '' }, organization: '', project: '', requestTimeoutSeconds: 60, safetyIdentifier: 'ada@example.com' }, 'sk-x');
    assert.strictEqual(config.safetyIdentifier, expected);
    assert.ok(!JSON.stringify(config).includes('ada@'));
  });

  test('a refusal of SVG or GIF is the missing access (403, or 400 about the format); other errors stay as they are', () => {
    const forbidden = { kind: 'forbidden' as const, status: 403, serverMessage: 'no' };
    assert.deepStrictEqual(noAccessToOutput(forbidden, 'svg'), { ...forbidden, kind: 'no-access', format: 'svg' });
    assert.deepStrictEqual(noAccessToOutput(forbidden, 'png'), forbidden);
    const badFormat = { kind: 'bad-request' as const, status: 400, param: 'output_format', serverMessage: 'x' };
    assert.strictEqual(noAccessToOutput(badFormat, 'gif').kind, 'no-access');
    const badFrames = { kind: 'bad-request' as const, status: 400, param: 'frame_count', serverMessage: 'too many' };
    assert.strictEqual(noAccessToOutput(badFrames, 'gif').kind, 'bad-request');
    const verify = { kind: 'org-verification' as const, status: 403, serverMessage: 'must be verified' };
    assert.strictEqual(noAccessToOutput(verify, 'svg').kind, 'org-verification');
  });
});

suite('newer options against the fake Images API', function () {
  this.timeout(60_000);
  let fake: FakeOpenAI;
  let provider: ProviderConfig;
  const run = (r: Partial<ImageRequest>, p: Partial<ProviderConfig> = {}) =>
    runImageRequest({ ...provider, ...p }, req(r), withPreview.get(req(r).model)!, { concurrency: 2, maxWaitMs: 1000, onPartial: () => undefined });
  const bodies = () => fake.requests.filter((r) => r.path.includes('/images/')).map((r) => (r.body ?? r.fields) as Record<string, unknown>);

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    provider = { kind: 'compatible', apiKey: 'sk-test-key', baseUrl: fake.url, timeoutMs: 20_000, safetyIdentifier: hashSafetyIdentifier('ada') };
  });
  setup(() => {
    fake.reset();
    fake.setPreviewAccess({ svg: false, gif: false });
  });
  suiteTeardown(() => fake.close());

  test('SVG with access: one request per image, not streamed, safety_identifier hashed; the answer is an SVG document', async () => {
    fake.setPreviewAccess({ svg: true });
    const out = await run({ outputFormat: 'svg', n: 2, size: '1024x1536', complexity: 'low' });
    assert.deepStrictEqual(out.failures, []);
    assert.deepStrictEqual(out.images.map((i) => i.format), ['svg', 'svg']);
    assert.match(Buffer.from(out.images[0].bytes).toString('utf8'), /<svg [^>]*width="1024" height="1536"/);
    const sent = bodies();
    assert.strictEqual(sent.length, 2);
    for (const b of sent) {
      assert.strictEqual(b.n, 1);
      assert.strictEqual(b.output_format, 'svg');
      assert.strictEqual(b.complexity, 'low');
      assert.notStrictEqual(b.stream, true);
      assert.strictEqual(b.safety_identifier, createHash('sha256').update('ada').digest('hex'));
      assert.strictEqual(b.user, undefined);
    }
  });

  test('GIF with access: the frames and frame time go as asked and an animated GIF comes back', async () => {
    fake.setPreviewAccess({ gif: true });
    const out = await run({ outputFormat: 'gif', size: '1024x1024', frameCount: 3, frameDurationMs: 120 });
    assert.deepStrictEqual(out.failures, []);
    assert.strictEqual(out.images[0].format, 'gif');
    assert.deepStrictEqual(readImageSize(out.images[0].bytes), { width: 1024, height: 1024 });
    const b = bodies()[0];
    assert.deepStrictEqual([b.frame_count, b.frame_duration_ms, b.output_format], [3, 120, 'gif']);
  });

  test('without access: SVG (403) and GIF (400) are the missing access, named by format', async () => {
    const svg = await run({ outputFormat: 'svg' });
    assert.deepStrictEqual([svg.images.length, svg.failures[0].kind, svg.failures[0].status, svg.failures[0].format], [0, 'no-access', 403, 'svg']);
    const gif = await run({ outputFormat: 'gif' });
    assert.deepStrictEqual([gif.failures[0].kind, gif.failures[0].status, gif.failures[0].format], ['no-access', 400, 'gif']);
  });

  test('DALL·E gets the hashed id as `user` (the field its servers know)', async () => {
    await runImageRequest(provider, { operation: 'generate', model: 'dall-e-3', prompt: 'a kite', n: 1, size: '1024x1024' }, plain.get('dall-e-3')!, { concurrency: 1, maxWaitMs: 0 });
    const b = bodies()[0];
    assert.strictEqual(b.user, createHash('sha256').update('ada').digest('hex'));
    assert.strictEqual(b.safety_identifier, undefined);
  });

  test('the fake refuses what the SDK says SVG and GIF do not take', async () => {
    fake.setPreviewAccess({ svg: true, gif: true });
    const post = (body: Record<string, unknown>) =>
      fetch(`${fake.url}/images/generations`, { method: 'POST', headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-image-2.6-flare', prompt: 'p', ...body }) }).then(
        async (r) => [r.status, ((await r.json()) as { error?: { param?: string } }).error?.param],
      );
    assert.deepStrictEqual(await post({ output_format: 'svg', n: 2 }), [400, 'n']);
    assert.deepStrictEqual(await post({ output_format: 'gif', stream: true }), [400, 'stream']);
    assert.deepStrictEqual(await post({ output_format: 'gif', frame_count: 17 }), [400, 'frame_count']);
    assert.deepStrictEqual(await post({ output_format: 'png', frame_count: 4 }), [400, 'frame_count']);
    assert.deepStrictEqual(await post({ model: 'gpt-image-1.5', complexity: 'low' }), [400, 'complexity']);
    assert.deepStrictEqual(await post({ model: 'gpt-image-1.5', output_format: 'svg' }), [400, 'output_format']);
  });
});

suite('newer options: the recipe in SVG and GIF files', () => {
  const record: GenerationRecord = {
    v: 1,
    operation: 'generate',
    prompt: 'a kite <b>& "quotes"</b> 风筝 🪁',
    model: 'gpt-image-2.6-flare',
    options: { output_format: 'svg', n: 1 },
    provider: { kind: 'openai' },
    createdAt: '2026-12-02T09:00:00.000Z',
    tool: 'Pixelwright test',
  };
  const svg = Buffer.from('<?xml version="1.0"?>\n<!-- a comment with <svg> in it -->\n<svg xmlns="http://www.w3.org/2000/svg" data-x="a>b" width="4" height="4"><rect width="4" height="4"/></svg>\n');

  test('SVG: the record goes into <metadata> right inside <svg>, the drawing kept; embedding again replaces it', () => {
    assert.strictEqual(detectResultFormat(svg), 'svg');
    assert.strictEqual(extensionFor('svg'), '.svg');
    const once = embedRecord(svg, record);
    const text = Buffer.from(once).toString('utf8');
    assert.match(text, /data-x="a>b" width="4" height="4"><metadata id="pixelwright-recipe">/);
    assert.ok(text.endsWith('<rect width="4" height="4"/></svg>\n'));
    assert.ok(!text.includes('<b>'), 'the prompt is escaped');
    assert.deepStrictEqual(readRecord(once), record);
    const twice = embedRecord(once, { ...record, prompt: 'second' });
    assert.strictEqual(Buffer.from(twice).toString('utf8').split('<metadata').length, 2);
    assert.strictEqual(readRecord(twice)!.prompt, 'second');
    const selfClosing = embedRecord(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), record);
    assert.match(Buffer.from(selfClosing).toString('utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"><metadata[\s\S]*<\/metadata><\/svg>$/);
    assert.strictEqual(readRecord(Buffer.from('<svg><metadata>not ours</metadata></svg>')), undefined);
  });

  test('GIF: the record is an ASCII comment after the colour table; frames are kept byte for byte', async () => {
    const sharp = (await import('sharp')).default;
    // Frames that differ (the encoder merges identical ones).
    const raw = Buffer.from(Array.from({ length: 8 * 8 * 3 * 3 }, (_, i) => (i * 7) % 256));
    const gif = await sharp(raw, { raw: { width: 8, height: 24, channels: 3, pageHeight: 8 } }).gif({ delay: [100, 100, 100] }).toBuffer();
    const once = embedRecord(gif, { ...record, options: { output_format: 'gif' } });
    assert.deepStrictEqual(readRecord(once), { ...record, options: { output_format: 'gif' } });
    const bytes = Buffer.from(once);
    assert.ok(bytes.includes(Buffer.from('pixelwright:{"v":1')) && bytes.includes(Buffer.from('\\u98ce')) && !bytes.includes(Buffer.from('风')), 'the comment is ASCII');
    const twice = embedRecord(once, record);
    assert.strictEqual(twice.length, once.length - JSON.stringify({ output_format: 'gif' }).length + JSON.stringify({ output_format: 'svg', n: 1 }).length);
    const meta = await sharp(Buffer.from(twice), { animated: true }).metadata();
    assert.deepStrictEqual([meta.pages, meta.width, meta.pageHeight], [3, 8, 8]);
    assert.strictEqual(readRecord(gif), undefined);
  });
});
