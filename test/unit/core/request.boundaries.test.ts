// Boundaries of request validation and the API names a request becomes: each test pins a rule
// that a changed comparison or a renamed parameter would break (found by mutation testing).
import * as assert from 'assert';
import { ModelTable } from '../../../src/core/models';
import { generateParams, requestOptions, splitCount, validateRequest, ValidationError, type ImageRequest, type InputImage } from '../../../src/core/request';

const table = new ModelTable();
const MB = 1024 * 1024;
const base: ImageRequest = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'a sea otter in a beret', n: 1 };

function check(req: Partial<ImageRequest>): void {
  const full = { ...base, ...req } as ImageRequest;
  validateRequest(full, table.get(full.model)!);
}

function refusal(req: Partial<ImageRequest>): ValidationError {
  try {
    check(req);
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err;
  }
  assert.fail(`expected a refusal for ${JSON.stringify(req, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`);
}

const image = (format: InputImage['format'], bytes = 10, name = `in.${format}`): InputImage => ({ name, bytes: new Uint8Array(bytes), format });

suite('request validation: boundaries', () => {
  test('n: 1 and 10 are accepted, 0, 11 and fractions are refused', () => {
    check({ n: 1 });
    check({ n: 10 });
    for (const n of [0, 11, 2.5, -1, Number.NaN]) {
      const r = refusal({ n });
      assert.strictEqual(r.param, 'n', String(n));
      assert.match(r.message, /from 1 to 10/);
    }
  });

  test('output_compression: 0 and 100 are accepted, -1, 101 and 50.5 are refused', () => {
    for (const outputFormat of ['jpeg', 'webp'] as const) {
      check({ outputFormat, outputCompression: 0 });
      check({ outputFormat, outputCompression: 100 });
      for (const c of [-1, 101, 50.5]) {
        const r = refusal({ outputFormat, outputCompression: c });
        assert.strictEqual(r.param, 'output_compression');
        assert.match(r.message, new RegExp(`^output_compression: ${c} is not a whole number from 0 to 100`));
      }
    }
  });

  test('output_compression needs jpeg or webp output, and a model that takes it', () => {
    for (const outputFormat of ['png', undefined] as const) {
      const r = refusal({ outputFormat, outputCompression: 50 });
      assert.strictEqual(r.param, 'output_compression');
      assert.deepStrictEqual(r.allowed, ['jpeg', 'webp']);
    }
    for (const model of ['dall-e-2', 'dall-e-3']) {
      const r = refusal({ model, outputCompression: 50 });
      assert.strictEqual(r.param, 'output_compression');
      assert.match(r.message, new RegExp(`${model} does not take output_compression`));
    }
  });

  test('prompt: exactly the model limit is accepted, one more character is refused', () => {
    check({ model: 'dall-e-2', prompt: 'x'.repeat(1000) });
    check({ model: 'dall-e-3', prompt: 'x'.repeat(4000) });
    const r = refusal({ model: 'dall-e-3', prompt: 'x'.repeat(4001) });
    assert.strictEqual(r.param, 'prompt');
    assert.match(r.message, /4001 characters is longer than the 4000 dall-e-3 accepts/);
  });

  test('a dall-e-2 variation needs no prompt; every other request does', () => {
    const png = image('png');
    check({ model: 'dall-e-2', operation: 'variation', prompt: '', images: [png] });
    assert.strictEqual(refusal({ model: 'dall-e-2', operation: 'edit', prompt: ' ', images: [png] }).param, 'prompt');
    assert.strictEqual(refusal({ model: 'gpt-image-1.5', operation: 'variation', prompt: '', images: [png] }).param, 'prompt');
    assert.match(refusal({ prompt: '\n\t ' }).message, /the prompt is empty/);
  });

  test('a model refuses an operation it cannot do, in words that name it', () => {
    assert.match(refusal({ model: 'dall-e-3', operation: 'edit', images: [image('png')] }).message, /^model: dall-e-3 cannot make edits$/);
    assert.match(refusal({ model: 'dall-e-3', operation: 'variation', images: [image('png')] }).message, /^model: dall-e-3 cannot make variations$/);
  });

  test('a model that cannot generate says so', () => {
    const editOnly = { ...table.get('dall-e-2')!, id: 'edit-only', operations: ['edit' as const] };
    assert.throws(() => validateRequest(base, editOnly), { name: 'ValidationError', message: 'model: edit-only cannot generate images' });
  });

  test('refusals of output and mask formats say why', () => {
    assert.strictEqual(refusal({ background: 'transparent', outputFormat: 'jpeg' }).message, 'background: a transparent background needs png or webp output (allowed: png, webp)');
    assert.strictEqual(refusal({ outputFormat: 'png', outputCompression: 50 }).message, 'output_compression: compression applies to jpeg and webp output only (allowed: jpeg, webp)');
    assert.strictEqual(refusal({ operation: 'edit', images: [image('png')], mask: image('jpeg') }).message, 'mask: the mask must be a PNG (allowed: png)');
  });

  test('a fixed-size model lists its sizes; a custom-size model says what is wrong with the size', () => {
    const fixed = refusal({ model: 'dall-e-2', size: '1024x1536' });
    assert.strictEqual(fixed.message, 'size: "1024x1536" is not offered by dall-e-2 (allowed: 256x256, 512x512, 1024x1024)');
    const custom = refusal({ model: 'gpt-image-2', size: '1536x1000' });
    assert.strictEqual(custom.param, 'size');
    assert.match(custom.message, /^size: "1536x1000": width and height must both be divisible by 16/);
    assert.deepStrictEqual(custom.allowed, ['auto', '1024x1024', '1536x1024', '1024x1536']);
    check({ model: 'gpt-image-2', size: 'auto' });
    check({ model: 'gpt-image-2', size: '2048x1152' });
  });

  test('a value outside the model list is refused with the list; a model without the option refuses it', () => {
    const q = refusal({ model: 'dall-e-3', quality: 'high' });
    assert.strictEqual(q.message, 'quality: "high" is not offered by dall-e-3 (allowed: standard, hd)');
    const s = refusal({ model: 'dall-e-3', style: 'anime' });
    assert.deepStrictEqual(s.allowed, ['vivid', 'natural']);
    const f = refusal({ model: 'dall-e-3', outputFormat: 'webp' });
    assert.strictEqual(f.param, 'output_format');
    assert.strictEqual(refusal({ model: 'dall-e-2', background: 'opaque' }).message, 'background: dall-e-2 does not take background');
  });

  test('transparency needs png or webp output; an opaque jpeg is fine', () => {
    check({ background: 'transparent', outputFormat: 'png' });
    check({ background: 'transparent', outputFormat: 'webp' });
    check({ background: 'transparent' });
    check({ background: 'opaque', outputFormat: 'jpeg' });
    const r = refusal({ background: 'transparent', outputFormat: 'jpeg' });
    assert.deepStrictEqual(r.allowed, ['png', 'webp']);
  });

  test('moderation: auto or low on GPT image models only', () => {
    check({ moderation: 'low' });
    check({ moderation: 'auto' });
    assert.match(refusal({ model: 'dall-e-2', moderation: 'auto' }).message, /dall-e-2 does not take moderation/);
    const odd = refusal({ moderation: 'high' as 'low' });
    assert.strictEqual(odd.param, 'moderation');
    assert.deepStrictEqual(odd.allowed, ['auto', 'low']);
  });

  test('input_fidelity: edits and variations of models that take it', () => {
    check({ operation: 'edit', images: [image('png')], inputFidelity: 'low' });
    check({ operation: 'variation', images: [image('png')], inputFidelity: 'high' });
    assert.match(refusal({ inputFidelity: 'low' }).message, /applies to edits only/);
    assert.match(refusal({ model: 'dall-e-2', operation: 'edit', images: [image('png')], inputFidelity: 'low' }).message, /dall-e-2 does not take input_fidelity/);
  });
});

suite('request validation: input images and masks', () => {
  const edit = (req: Partial<ImageRequest>): Partial<ImageRequest> => ({ operation: 'edit', images: [image('png')], ...req });

  test('an edit or variation needs an input image', () => {
    assert.match(refusal({ operation: 'edit' }).message, /an input image is needed/);
    assert.match(refusal({ operation: 'variation', images: [] }).message, /an input image is needed/);
  });

  test('16 images per GPT edit, one per variation', () => {
    check(edit({ images: Array(16).fill(image('png')) }));
    assert.strictEqual(refusal(edit({ images: Array(17).fill(image('png')) })).message, 'image: gpt-image-1.5 takes at most 16 input images, got 17');
    assert.strictEqual(refusal({ operation: 'variation', images: [image('png'), image('png')] }).message, 'image: gpt-image-1.5 takes at most 1 input image, got 2');
    check({ operation: 'variation', images: [image('webp')] });
  });

  test('input formats: png, webp and jpeg for GPT image models, png only for dall-e-2', () => {
    check(edit({ images: [image('png'), image('webp'), image('jpeg')] }));
    const r = refusal(edit({ model: 'dall-e-2', images: [image('webp', 10, 'cat.webp')] }));
    assert.strictEqual(r.message, 'image: cat.webp is webp (allowed: png)');
  });

  test('input size: just under the limit passes, the limit itself is refused', () => {
    check(edit({ model: 'dall-e-2', images: [image('png', 4 * MB - 1)] }));
    check(edit({ images: [image('png', 50 * MB - 1)] }));
    const r = refusal(edit({ images: [image('png', 50 * MB, 'big.png')] }));
    assert.strictEqual(r.message, 'image: big.png is 50.0 MB; gpt-image-1.5 takes less than 50 MB');
  });

  test('a mask belongs to an edit only, is a PNG, and is smaller than 4 MB', () => {
    check(edit({ mask: image('png', 4 * MB - 1) }));
    const onVariation = refusal({ operation: 'variation', images: [image('png')], mask: image('png') });
    assert.strictEqual(onVariation.message, 'mask: a mask applies to edits only');
    const jpeg = refusal(edit({ mask: image('jpeg') }));
    assert.deepStrictEqual([jpeg.param, jpeg.allowed], ['mask', ['png']]);
    const big = refusal(edit({ mask: image('png', 4 * MB) }));
    assert.strictEqual(big.message, 'mask: the mask must be smaller than 4 MB');
  });
});

suite('request parameters: API names', () => {
  const full: ImageRequest = {
    ...base,
    n: 3,
    size: '1024x1536',
    quality: 'high',
    style: 'vivid',
    background: 'opaque',
    outputFormat: 'webp',
    outputCompression: 0,
    moderation: 'low',
    inputFidelity: 'high',
  };

  test('the recorded options use the API parameter names and keep falsy values that were set', () => {
    assert.deepStrictEqual(requestOptions(full), {
      size: '1024x1536',
      quality: 'high',
      style: 'vivid',
      background: 'opaque',
      output_format: 'webp',
      output_compression: 0,
      moderation: 'low',
      input_fidelity: 'high',
      n: 3,
    });
    assert.deepStrictEqual(requestOptions(base), { n: 1 });
  });

  test('a generation body has the batch n, the API names, and no input_fidelity', () => {
    assert.deepStrictEqual(generateParams(full, 2), {
      model: 'gpt-image-1.5',
      prompt: base.prompt,
      n: 2,
      size: '1024x1536',
      quality: 'high',
      style: 'vivid',
      background: 'opaque',
      output_format: 'webp',
      output_compression: 0,
      moderation: 'low',
    });
  });

  test('splitCount: batches of at most maxN, nothing for nothing', () => {
    assert.deepStrictEqual(splitCount(0, 10), []);
    assert.deepStrictEqual(splitCount(1, 10), [1]);
    assert.deepStrictEqual(splitCount(11, 10), [10, 1]);
    assert.deepStrictEqual(splitCount(4, 2), [2, 2]);
  });
});
