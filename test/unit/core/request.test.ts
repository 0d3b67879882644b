import * as assert from 'assert';
import { ModelTable } from '../../../src/core/models';
import { checkRunRequest } from '../../../src/core/apiRequest';
import { generateParams, splitCount, validateRequest, ValidationError, type ImageRequest } from '../../../src/core/request';

const table = new ModelTable();
const base: ImageRequest = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'a sea otter in a beret', n: 1 };

function refusal(req: Partial<ImageRequest>): ValidationError {
  const full = { ...base, ...req } as ImageRequest;
  try {
    validateRequest(full, table.get(full.model)!);
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err;
  }
  assert.fail(`expected a refusal for ${JSON.stringify(req)}`);
}

suite('request validation', () => {
  test('a plain request passes', () => {
    validateRequest(base, table.get('gpt-image-1.5')!);
    validateRequest({ ...base, model: 'dall-e-3', size: '1792x1024', quality: 'hd', style: 'natural', n: 4 }, table.get('dall-e-3')!);
    validateRequest({ ...base, model: 'gpt-image-2', size: '1536x864' }, table.get('gpt-image-2')!);
  });

  test('each refusal names the parameter and what is allowed', () => {
    const size = refusal({ model: 'dall-e-3', size: '512x512' });
    assert.strictEqual(size.param, 'size');
    assert.deepStrictEqual(size.allowed, ['1024x1024', '1792x1024', '1024x1792']);
    assert.match(size.message, /allowed: 1024x1024, 1792x1024, 1024x1792/);
    assert.strictEqual(refusal({ quality: 'hd' }).param, 'quality');
    assert.strictEqual(refusal({ style: 'vivid' }).param, 'style');
    assert.match(refusal({ style: 'vivid' }).message, /does not take style/);
    assert.strictEqual(refusal({ model: 'dall-e-2', background: 'transparent' }).param, 'background');
    assert.strictEqual(refusal({ background: 'transparent', outputFormat: 'jpeg' }).param, 'background');
    assert.strictEqual(refusal({ outputFormat: 'webp', outputCompression: 101 }).param, 'output_compression');
    assert.strictEqual(refusal({ outputFormat: 'png', outputCompression: 50 }).param, 'output_compression');
    assert.strictEqual(refusal({ model: 'dall-e-3', moderation: 'low' }).param, 'moderation');
    assert.strictEqual(refusal({ n: 11 }).param, 'n');
    assert.strictEqual(refusal({ n: 0 }).param, 'n');
    assert.strictEqual(refusal({ prompt: '   ' }).param, 'prompt');
    assert.strictEqual(refusal({ model: 'dall-e-2', prompt: 'x'.repeat(1001) }).param, 'prompt');
    assert.strictEqual(refusal({ model: 'gpt-image-2', size: '1000x1000' }).param, 'size');
    assert.match(refusal({ model: 'gpt-image-2', size: '1000x1000' }).message, /divisible by 16/);
    assert.strictEqual(refusal({ model: 'dall-e-3', operation: 'edit' }).param, 'model');
  });

  test('prompt length counts characters, not UTF-16 units', () => {
    validateRequest({ ...base, model: 'dall-e-2', prompt: '🦦'.repeat(1000) }, table.get('dall-e-2')!);
  });

  test('edits check their inputs', () => {
    const png = { name: 'a.png', bytes: new Uint8Array(10), format: 'png' as const };
    const jpg = { name: 'b.jpg', bytes: new Uint8Array(10), format: 'jpeg' as const };
    assert.strictEqual(refusal({ operation: 'edit', images: [] }).param, 'image');
    assert.strictEqual(refusal({ operation: 'edit', model: 'dall-e-2', images: [jpg] }).param, 'image');
    assert.strictEqual(refusal({ operation: 'edit', model: 'dall-e-2', images: [png, png] }).param, 'image');
    assert.strictEqual(refusal({ operation: 'edit', images: Array(17).fill(png) }).param, 'image');
    assert.strictEqual(refusal({ operation: 'edit', images: [png], mask: jpg }).param, 'mask');
    assert.strictEqual(refusal({ operation: 'edit', model: 'dall-e-2', images: [{ ...png, bytes: new Uint8Array(4 * 1024 * 1024) }] }).param, 'image');
    assert.strictEqual(refusal({ operation: 'generate', inputFidelity: 'high' }).param, 'input_fidelity');
    assert.strictEqual(refusal({ operation: 'edit', model: 'gpt-image-1-mini', images: [png], inputFidelity: 'high' }).param, 'input_fidelity');
    validateRequest({ ...base, operation: 'edit', images: [png, jpg], mask: png, inputFidelity: 'high' }, table.get('gpt-image-1.5')!);
  });

  test('boundaries: n from 1 to 10, compression 0 to 100 whole, only for GPT models and jpeg/webp', () => {
    const gpt = table.get('gpt-image-1.5')!;
    for (const n of [1, 10]) validateRequest({ ...base, n }, gpt);
    for (const n of [0, 11, 2.5, -1, Number.NaN]) assert.strictEqual(refusal({ n }).param, 'n', String(n));
    for (const outputCompression of [0, 100, 50]) validateRequest({ ...base, outputFormat: 'webp', outputCompression }, gpt);
    validateRequest({ ...base, outputFormat: 'jpeg', outputCompression: 0 }, gpt);
    for (const outputCompression of [50.5, -1, 101, Number.NaN]) {
      const r = refusal({ outputFormat: 'jpeg', outputCompression });
      assert.strictEqual(r.param, 'output_compression', String(outputCompression));
      assert.match(r.message, /whole number from 0 to 100/);
    }
    for (const model of ['dall-e-2', 'dall-e-3']) {
      const r = refusal({ model, outputCompression: 80, outputFormat: undefined, quality: undefined });
      assert.strictEqual(r.param, 'output_compression', model);
      assert.match(r.message, new RegExp(`${model} does not take output_compression`));
    }
  });

  test('boundaries: a mask only on edits, and smaller than 4 MB', () => {
    const png = { name: 'a.png', bytes: new Uint8Array(10), format: 'png' as const };
    const mask = (bytes: number) => ({ name: 'mask.png', bytes: new Uint8Array(bytes), format: 'png' as const });
    assert.match(refusal({ operation: 'variation', model: 'dall-e-2', prompt: '', images: [png], mask: png }).message, /mask: a mask applies to edits only/);
    const onGenerate = refusal({ operation: 'generate', mask: png });
    assert.strictEqual(onGenerate.param, 'mask', 'a generation does not silently drop the mask');
    validateRequest({ ...base, operation: 'edit', images: [png], mask: mask(4 * 1048576 - 1) }, table.get('gpt-image-1.5')!);
    assert.match(refusal({ operation: 'edit', images: [png], mask: mask(4 * 1048576) }).message, /smaller than 4 MB/);
    // dall-e-2's image limit is "less than 4 MB" too: one byte under passes.
    validateRequest({ ...base, operation: 'edit', model: 'dall-e-2', images: [{ ...png, bytes: new Uint8Array(4 * 1048576 - 1) }] }, table.get('dall-e-2')!);
  });

  test('a guide (markup): GPT Image 2.5 edits only, never with a mask, a PNG', () => {
    const png = { name: 'a.png', bytes: new Uint8Array(10), format: 'png' as const };
    const guide = { name: 'a-guide.png', bytes: new Uint8Array(10), format: 'png' as const };
    const g25 = { ...base, operation: 'edit' as const, model: 'gpt-image-2.5-flare', images: [png] };
    validateRequest({ ...g25, markup: guide }, table.get('gpt-image-2.5-flare')!);
    validateRequest({ ...g25, model: 'gpt-image-2.5-sunburst-2026-09-08', markup: guide }, table.get('gpt-image-2.5-sunburst-2026-09-08')!);
    const noGuide = refusal({ ...g25, model: 'gpt-image-2', markup: guide });
    assert.strictEqual(noGuide.param, 'markup');
    assert.match(noGuide.message, /gpt-image-2 does not take a guide \(markup\); the GPT Image 2\.5 models do/);
    for (const model of ['gpt-image-2.6-sunburst', 'gpt-image-1.5', 'dall-e-2']) assert.strictEqual(refusal({ ...g25, model, markup: guide }).param, 'markup', model);
    assert.match(refusal({ ...g25, mask: png, markup: guide }).message, /markup: a guide cannot be sent together with a mask/);
    assert.match(refusal({ ...g25, operation: 'generate', images: undefined, markup: guide }).message, /markup: a guide applies to edits only/);
    assert.match(refusal({ ...g25, markup: { ...guide, format: 'webp' } }).message, /the guide must be a PNG/);
    // Checked before any file is read: the entry points' first check refuses the same way.
    const run = { operation: 'edit' as const, model: 'gpt-image-2', prompt: 'x', n: 1, sources: { image: 'a.png', guide: new Uint8Array(1) } };
    assert.throws(() => checkRunRequest(run, table.get('gpt-image-2')!), /markup: gpt-image-2 does not take a guide/);
    assert.throws(() => checkRunRequest({ ...run, model: 'gpt-image-2.5-flare', sources: { ...run.sources, mask: { png: new Uint8Array(1) } } }, table.get('gpt-image-2.5-flare')!), /together with a mask/);
    assert.throws(() => checkRunRequest({ ...run, operation: 'variation', model: 'gpt-image-2.5-flare' }, table.get('gpt-image-2.5-flare')!), /edits only/, 'a GPT variation is an edit on the wire, but takes no guide');
    assert.strictEqual(checkRunRequest({ ...run, model: 'gpt-image-2.5-flare' }, table.get('gpt-image-2.5-flare')!).operation, 'edit');
  });

  test('n above the per-request limit becomes several requests', () => {
    assert.deepStrictEqual(splitCount(3, 1), [1, 1, 1]);
    assert.deepStrictEqual(splitCount(10, 10), [10]);
    assert.deepStrictEqual(splitCount(5, 2), [2, 2, 1]);
  });

  test('generate params use the API names and only what was set', () => {
    const p = generateParams({ ...base, size: '1024x1024', outputFormat: 'webp', outputCompression: 80, background: 'opaque' }, 2);
    assert.deepStrictEqual(p, { model: 'gpt-image-1.5', prompt: base.prompt, n: 2, size: '1024x1024', background: 'opaque', output_format: 'webp', output_compression: 80 });
  });
});
