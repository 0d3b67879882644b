import * as assert from 'assert';
import { ModelTable } from '../../../src/core/models';
import { paintRegions, parseEditInput, parseGenerateInput, parseRecipeInput, parseVariationInput, planToolRun, splitTarget, ToolInputError } from '../../../src/core/tools';

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
    refusal(() => parseGenerateInput({ prompt: 'x', outputFormat: 'bmp' }), /"outputFormat" must be one of png, jpeg, webp, svg, gif/);
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
    assert.deepStrictEqual(splitTarget('art/logo.svg'), { folder: 'art', name: 'logo.svg', format: 'svg' });
    assert.deepStrictEqual(splitTarget('spin.GIF'), { folder: '', name: 'spin.GIF', format: 'gif' });
    refusal(() => splitTarget('logo.bmp'), /\.bmp file; Pixelwright writes \.png, \.jpg and \.webp images, and \.svg and \.gif where that output is turned on/);
    refusal(() => splitTarget('a|b.png'), /not allowed in file names/);
  });
});

suite('agent tools: complexity, SVG and GIF output (the palette\'s rules)', () => {
  const off = new ModelTable();
  const on = new ModelTable([], { previewFormats: true });
  const openai = { provider: 'openai', model: 'gpt-image-2.5-flare' } as const;
  const plan = (input: Record<string, unknown>, table = on, defaults: Parameters<typeof planToolRun>[3] = openai) => planToolRun('generate', parseGenerateInput({ prompt: 'a lantern', ...input }), table, defaults);

  test('the input takes complexity (low, medium, high), svg and gif, frameCount and frameDurationMs as whole numbers', () => {
    const g = parseGenerateInput({ prompt: 'x', complexity: 'high', outputFormat: 'gif', frameCount: 4, frameDurationMs: 150 });
    assert.deepStrictEqual([g.complexity, g.outputFormat, g.frameCount, g.frameDurationMs], ['high', 'gif', 4, 150]);
    refusal(() => parseGenerateInput({ prompt: 'x', complexity: 'extreme' }), /"complexity" must be one of low, medium, high, not "extreme"/);
    refusal(() => parseGenerateInput({ prompt: 'x', frameCount: 2.5 }), /"frameCount" must be a whole number, not 2\.5/);
    refusal(() => parseGenerateInput({ prompt: 'x', frameDurationMs: '200' }), /"frameDurationMs" must be a whole number, not "200"/);
    assert.ok(!('complexity' in parseGenerateInput({ prompt: 'x' })), 'absent, not undefined');
    for (const f of ['complexity', 'frameCount', 'frameDurationMs']) assert.ok(parseEditInput({ images: ['a.png'], prompt: 'x', [f]: f === 'complexity' ? 'low' : 4 }));
    assert.strictEqual(parseVariationInput({ image: 'a.png', complexity: 'medium' }).complexity, 'medium');
  });

  test('with SVG and GIF output on: they go into the request, with complexity and the frames', () => {
    const svg = plan({ outputFormat: 'svg', complexity: 'low' });
    assert.deepStrictEqual([svg.request.outputFormat, svg.request.complexity], ['svg', 'low']);
    const gif = plan({ outputFormat: 'gif', frameCount: 4, frameDurationMs: 150, complexity: 'medium' });
    assert.deepStrictEqual([gif.request.outputFormat, gif.request.frameCount, gif.request.frameDurationMs, gif.request.complexity], ['gif', 4, 150, 'medium']);
    const target = plan({ target: 'art/logo.svg' });
    assert.deepStrictEqual([target.request.outputFormat, target.folder, target.fileName], ['svg', 'art', 'logo.svg']);
  });

  test('with them off: refused before anything is asked or sent, saying how to turn them on (the setting, or the MCP server\'s variable)', () => {
    for (const outputFormat of ['svg', 'gif']) {
      refusal(() => plan({ outputFormat }, off), /^output_format: SVG and GIF output are turned off: turn on the setting pixelwright\.experimental\.vectorAndAnimatedOutput$/);
      refusal(() => plan({ outputFormat }, off, { ...openai, previewOutputSwitch: 'set PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT=1' }), new RegExp(`^"outputFormat" ${outputFormat}: SVG and GIF output are turned off here: set PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT=1$`));
    }
    refusal(() => plan({ target: 'logo.gif' }, off), /SVG and GIF output are turned off/);
  });

  test('the model\'s rules, as validation words them: a model without SVG, complexity or frames refuses them', () => {
    refusal(() => plan({ model: 'gpt-image-1.5', outputFormat: 'svg' }), /^output_format: "svg" is not offered by gpt-image-1\.5 \(allowed: png, jpeg, webp\)$/);
    refusal(() => plan({ model: 'gpt-image-1.5', complexity: 'high' }), /^complexity: gpt-image-1\.5 does not take complexity$/);
    refusal(() => plan({ outputFormat: 'png', frameCount: 4 }), /^frame_count: frames apply to GIF output only \(allowed: gif\)$/);
    refusal(() => plan({ outputFormat: 'gif', frameCount: 17 }), /^frame_count: 17 is not a whole number from 2 to 16$/);
    refusal(() => plan({ outputFormat: 'gif', frameDurationMs: 5 }), /^frame_duration_ms: 5 is not a whole number of milliseconds from 10 to 655350$/);
    // The other options too: a size the model does not offer is refused when the call is planned.
    refusal(() => plan({ model: 'dall-e-3', size: '512x512' }), /^size: "512x512" is not offered by dall-e-3 \(allowed: 1024x1024, 1792x1024, 1024x1792\)$/);
  });

  test('an edit and a variation are checked the same way (their images later)', () => {
    const edit = planToolRun('edit', parseEditInput({ images: ['a.png'], prompt: 'x', complexity: 'high' }), on, openai);
    assert.strictEqual(edit.request.complexity, 'high');
    refusal(() => planToolRun('edit', parseEditInput({ images: ['a.png'], prompt: 'x', outputFormat: 'gif' }), off, openai), /SVG and GIF output are turned off/);
    refusal(() => planToolRun('variation', parseVariationInput({ image: 'a.png', complexity: 'low' }), on, { provider: 'openai', model: 'dall-e-2' }), /^complexity: dall-e-2 does not take complexity$/);
  });
});
