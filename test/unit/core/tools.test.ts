import * as assert from 'assert';
import { paintRegions, parseEditInput, parseGenerateInput, parseRecipeInput, parseVariationInput, splitTarget, ToolInputError } from '../../../src/core/tools';

const refusal = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof ToolInputError && re.test(e.message));
const count = (m: Uint8Array) => m.reduce((a, v) => a + (v ? 1 : 0), 0);

suite('agent tool input', () => {
  test('generate: the prompt is required and not blank; n is 1-10; enums are checked; unknown fields are named', () => {
    assert.deepStrictEqual(parseGenerateInput({ prompt: 'a fox', n: 3, background: 'transparent' }).n, 3);
    refusal(() => parseGenerateInput({}), /"prompt" is required/);
    refusal(() => parseGenerateInput({ prompt: '   ' }), /"prompt" is empty/);
    refusal(() => parseGenerateInput({ prompt: 7 }), /"prompt" must be a string/);
    for (const n of [0, 11, 2.5, '2']) refusal(() => parseGenerateInput({ prompt: 'x', n }), /"n" must be a whole number from 1 to 10/);
    parseGenerateInput({ prompt: 'x', n: 1 });
    parseGenerateInput({ prompt: 'x', n: 10 });
    refusal(() => parseGenerateInput({ prompt: 'x', outputFormat: 'gif' }), /"outputFormat" must be one of png, jpeg, webp/);
    refusal(() => parseGenerateInput({ prompt: 'x', colour: 'red', style: 1 }), /unknown fields "colour", "style"/);
    refusal(() => parseGenerateInput(null), /must be an object/);
    refusal(() => parseGenerateInput(['x']), /must be an object/);
  });

  test('edit: images is a non-empty list of paths; mask and regions are exclusive; regions are checked one by one', () => {
    const e = parseEditInput({ images: ['a.png', 'b.png'], prompt: 'x', regions: [{ shape: 'ellipse', x: 0, y: 0, width: 0.5, height: 0.5, units: 'fraction' }], keepUnmasked: false });
    assert.deepStrictEqual(e.images, ['a.png', 'b.png']);
    assert.strictEqual(e.keepUnmasked, false);
    assert.strictEqual(e.regions?.[0].units, 'fraction');
    assert.strictEqual(parseEditInput({ images: ['a.png'], prompt: 'x', regions: [{ shape: 'rectangle', x: 1, y: 2, width: 3, height: 4 }] }).regions?.[0].units, 'pixels');
    refusal(() => parseEditInput({ images: [], prompt: 'x' }), /"images" must be a list/);
    refusal(() => parseEditInput({ images: [''], prompt: 'x' }), /"images" must be a list/);
    refusal(() => parseEditInput({ images: 'a.png', prompt: 'x' }), /"images" must be a list/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', mask: 'm.png', regions: [{ shape: 'rectangle', x: 0, y: 0, width: 1, height: 1 }] }), /either "mask".*or "regions", not both/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [] }), /"regions" must be a list of one or more/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [{ shape: 'star', x: 0, y: 0, width: 1, height: 1 }] }), /regions\[0\]\.shape/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [{ shape: 'rectangle', x: 0, y: 0, width: 0, height: 1 }] }), /regions\[0\]\.width must be greater than 0/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [{ shape: 'rectangle', x: 0, y: '1', width: 1, height: 1 }] }), /regions\[0\]\.y must be a number/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [{ shape: 'rectangle', x: 0, y: 0, width: 1, height: 1, units: 'cm' }] }), /units must be "pixels" or "fraction"/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [{ shape: 'rectangle', x: 0, y: 0, width: 1, height: 1, r: 2 }] }), /unknown field\(s\) r/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', keepUnmasked: 'yes' }), /"keepUnmasked" must be true or false/);
  });

  test('variations and recipe: one image path', () => {
    assert.strictEqual(parseVariationInput({ image: 'a.png' }).prompt, undefined);
    refusal(() => parseVariationInput({ images: ['a.png'] }), /unknown field "images"/);
    refusal(() => parseRecipeInput({ image: 'a.png', model: 'x' }), /unknown field "model"/);
    refusal(() => parseRecipeInput({}), /"image" is required/);
  });
});

suite('regions become an exact mask', () => {
  test('a pixel rectangle paints exactly its pixels', () => {
    const m = paintRegions([{ shape: 'rectangle', x: 2, y: 3, width: 4, height: 2 }], 10, 8);
    assert.strictEqual(count(m.painted), 8);
    assert.strictEqual(m.painted[3 * 10 + 2], 255);
    assert.strictEqual(m.painted[3 * 10 + 6], 0);
    assert.strictEqual(m.painted[5 * 10 + 2], 0);
  });

  test('fractions scale to the image; a full-image rectangle paints everything', () => {
    assert.strictEqual(count(paintRegions([{ shape: 'rectangle', x: 0, y: 0, width: 1, height: 1, units: 'fraction' }], 30, 20).painted), 600);
    assert.strictEqual(count(paintRegions([{ shape: 'rectangle', x: 0.5, y: 0, width: 0.5, height: 0.5, units: 'fraction' }], 30, 20).painted), 150);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 0.5, y: 0, width: 1.5, height: 0.5, units: 'fraction' }], 30, 20), /fractions of the image/);
  });

  test('an ellipse paints about pi/4 of its box, symmetric, and never its box corners', () => {
    const m = paintRegions([{ shape: 'ellipse', x: 0, y: 0, width: 100, height: 60 }], 100, 60);
    const n = count(m.painted);
    assert.ok(Math.abs(n / 6000 - Math.PI / 4) < 0.01, `${n}`);
    assert.strictEqual(m.painted[0], 0);
    assert.strictEqual(m.painted[30 * 100 + 50], 255);
    for (let y = 0; y < 60; y++) for (let x = 0; x < 100; x++) assert.strictEqual(m.painted[y * 100 + x], m.painted[(59 - y) * 100 + (99 - x)]);
  });

  test('a region partly outside is clipped; wholly outside or too small is refused, never an empty mask', () => {
    assert.strictEqual(count(paintRegions([{ shape: 'rectangle', x: -5, y: -5, width: 10, height: 10 }], 10, 10).painted), 25);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 10, y: 0, width: 5, height: 5 }], 10, 10), /lies outside the 10x10 image/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 0, y: -5, width: 5, height: 5 }], 10, 10), /lies outside/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 1.6, y: 1.6, width: 0.2, height: 0.2 }], 10, 10), /too small to cover a pixel/);
  });
});

suite('where a tool writes', () => {
  test('a folder, a file (its extension the format), nothing', () => {
    assert.deepStrictEqual(splitTarget(undefined), {});
    assert.deepStrictEqual(splitTarget('  '), {});
    assert.deepStrictEqual(splitTarget('assets/icons'), { folder: 'assets/icons' });
    assert.deepStrictEqual(splitTarget('assets\\icons\\gear.JPG'), { folder: 'assets/icons', name: 'gear.JPG', format: 'jpeg' });
    assert.deepStrictEqual(splitTarget('hero.webp'), { folder: '', name: 'hero.webp', format: 'webp' });
    refusal(() => splitTarget('logo.svg'), /\.svg file/);
    refusal(() => splitTarget('a|b.png'), /not allowed in file names/);
  });
});
