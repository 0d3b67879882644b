/**
 * Boundaries of the agent tools' rules that mutation testing found unpinned: what a call is
 * planned as (model, options, where it writes), the refusals a model reads, the answer it gets,
 * the edges of a region's pixels and of a target's name.
 */
import * as assert from 'assert';
import { ModelTable } from '../../../src/core/models';
import {
  describeRecipe,
  describeWritten,
  paintRegions,
  parseEditInput,
  parseGenerateInput,
  parseVariationInput,
  planToolRun,
  splitTarget,
  ToolInputError,
  type ToolRegion,
} from '../../../src/core/tools';

const table = new ModelTable();
const openai = { provider: 'openai', model: 'gpt-image-1.5' } as const;
const refusal = (f: () => unknown, re: RegExp) =>
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ToolInputError, `not a ToolInputError: ${String(e)}`);
    assert.strictEqual(e.name, 'ToolInputError');
    assert.match(e.message, re);
    return true;
  });
const cells = (m: { width: number; painted: Uint8Array }) => {
  const out: string[] = [];
  m.painted.forEach((v, i) => v && out.push(`${i % m.width},${Math.floor(i / m.width)}`));
  return out;
};
const paint = (r: Omit<ToolRegion, 'shape'> & { shape?: ToolRegion['shape'] }, w = 10, h = 10) => cells(paintRegions([{ shape: 'rectangle', ...r }], w, h));

suite('agent tools: a call planned', () => {
  test('no model named: the configured one; options the call leaves out are fitted from the settings', () => {
    const plan = planToolRun('generate', { prompt: 'a fox' }, table, { ...openai, size: '1536x1024', quality: 'high', outputFormat: 'webp' });
    assert.strictEqual(plan.caps.id, 'gpt-image-1.5');
    assert.strictEqual(plan.operation, 'generate');
    assert.deepStrictEqual(plan.request, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'a fox', n: 1, size: '1536x1024', quality: 'high', background: undefined, outputFormat: 'webp' });
    assert.strictEqual(plan.folder, undefined);
    assert.strictEqual(plan.fileName, undefined);
  });

  test('what the call gives is sent as given (validation refuses it later), over the settings', () => {
    const plan = planToolRun('generate', { prompt: 'x', n: 3, size: '1024x1536', quality: 'low', background: 'transparent', outputFormat: 'png' }, table, { ...openai, size: '1536x1024', quality: 'high', outputFormat: 'webp' });
    assert.deepStrictEqual(plan.request, { operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 3, size: '1024x1536', quality: 'low', background: 'transparent', outputFormat: 'png' });
  });

  test('settings the model does not take are fitted to it (dall-e-3: its first size and quality, png)', () => {
    const plan = planToolRun('generate', { prompt: 'x', model: 'dall-e-3' }, table, { ...openai, size: 'auto', quality: 'auto', outputFormat: 'webp' });
    assert.deepStrictEqual([plan.request.size, plan.request.quality, plan.request.outputFormat], ['1024x1024', 'standard', undefined]);
  });

  test('an edit or a variation keeps its source\'s size unless the call names one; only an edit carries input fidelity', () => {
    const edit = planToolRun('edit', parseEditInput({ images: ['a.png'], prompt: 'x', inputFidelity: 'high' }), table, { ...openai, size: '1536x1024' });
    assert.strictEqual(edit.request.size, undefined);
    assert.strictEqual(edit.request.inputFidelity, 'high');
    assert.ok('inputFidelity' in edit.request);
    assert.strictEqual(planToolRun('edit', parseEditInput({ images: ['a.png'], prompt: 'x', size: '1024x1024' }), table, openai).request.size, '1024x1024');
    const variation = planToolRun('variation', parseVariationInput({ image: 'a.png' }), table, { provider: 'openai', model: 'dall-e-2', size: '512x512' });
    assert.strictEqual(variation.request.size, undefined);
    assert.strictEqual(variation.request.prompt, '', 'a variation without words has an empty prompt');
    assert.ok(!('inputFidelity' in variation.request));
    assert.ok(!('inputFidelity' in planToolRun('generate', { prompt: 'x' }, table, openai).request));
  });

  test('the target: a folder, or a file whose extension gives the format (unless the call says otherwise, which is refused)', () => {
    const folder = planToolRun('generate', { prompt: 'x', target: 'assets/icons' }, table, openai);
    assert.deepStrictEqual([folder.folder, folder.fileName, folder.request.outputFormat], ['assets/icons', undefined, 'png']);
    const file = planToolRun('generate', { prompt: 'x', target: 'assets/hero.jpg' }, table, { ...openai, outputFormat: 'webp' });
    assert.deepStrictEqual([file.folder, file.fileName, file.request.outputFormat], ['assets', 'hero.jpg', 'jpeg']);
    assert.strictEqual(planToolRun('generate', { prompt: 'x', target: 'hero.webp', outputFormat: 'webp' }, table, openai).request.outputFormat, 'webp');
    refusal(() => planToolRun('generate', { prompt: 'x', target: 'hero.png', outputFormat: 'jpeg' }, table, openai), /^"target" names a png file but "outputFormat" is jpeg$/);
  });

  test('a model named: unknown, unable, or not the Azure deployment\'s is refused with the models to use', () => {
    refusal(() => planToolRun('generate', { prompt: 'x', model: 'dall-e-9' }, table, openai), /^unknown model "dall-e-9"; models here: gpt-image-2\.6-sunburst, .*dall-e-2$/);
    refusal(() => planToolRun('edit', { images: ['a.png'], prompt: 'x', model: 'dall-e-3' }, table, openai), /^dall-e-3 cannot edit images here; use one of gpt-image-2\.6-sunburst, /);
    refusal(() => planToolRun('variation', { image: 'a.png', model: 'dall-e-3' }, table, openai), /^dall-e-3 cannot make variations here; use one of gpt-image-2\.6-sunburst, .*dall-e-2$/);
    const azure = { provider: 'azure', model: 'dall-e-3' };
    refusal(() => planToolRun('generate', { prompt: 'x', model: 'gpt-image-1' }, table, azure), /^gpt-image-1 cannot generate images here; use one of dall-e-3$/);
    refusal(() => planToolRun('edit', { images: ['a.png'], prompt: 'x', model: 'gpt-image-1' }, table, azure), /^gpt-image-1 cannot edit images here; use one of \(none\)$/);
    assert.strictEqual(planToolRun('generate', { prompt: 'x', model: 'dall-e-2' }, table, openai).caps.id, 'dall-e-2');
  });

  test('no model named and none offered: the refusal says what cannot be done', () => {
    const azure = { provider: 'azure', model: 'dall-e-3' };
    refusal(() => planToolRun('edit', { images: ['a.png'], prompt: 'x' }, table, azure), /^no model configured here can edit images$/);
    refusal(() => planToolRun('variation', { image: 'a.png' }, table, azure), /^no model configured here can make variations$/);
    assert.strictEqual(planToolRun('generate', { prompt: 'x' }, table, azure).caps.id, 'dall-e-3');
  });
});

suite('agent tools: what the model is told', () => {
  test('one image: its path and a Markdown link with the prompt as alt text', () => {
    assert.strictEqual(
      describeWritten([{ path: 'images/a fox (1).png' }], '  a  [red]\n fox ', 'generate'),
      'Wrote 1 image into the workspace:\n- images/a fox (1).png (Markdown: ![a red fox](images/a%20fox%20%281%29.png))\nEach file carries its recipe (prompt, model, options, sources); paths are relative to the workspace root.',
    );
  });

  test('several images, a revised prompt, a failure; no prompt: the operation is the alt text, cut at 80 characters', () => {
    const text = describeWritten([{ path: 'a.png', revisedPrompt: 'A fox, painted.' }, { path: 'b.png' }], '', 'variation', 'rate limited');
    assert.strictEqual(text, [
      'Wrote 2 images into the workspace:',
      '- a.png (Markdown: ![variation](a.png))\n  revised prompt: A fox, painted.',
      '- b.png (Markdown: ![variation](b.png))',
      'Some images failed: rate limited',
      'Each file carries its recipe (prompt, model, options, sources); paths are relative to the workspace root.',
    ].join('\n'));
    const long = describeWritten([{ path: 'a.png' }], 'x'.repeat(100), 'generate');
    assert.ok(long.includes(`![${'x'.repeat(80)}](a.png)`));
  });

  test('a recipe, or why there is none', () => {
    assert.strictEqual(describeRecipe('a.png', { v: 1, prompt: 'p' }), 'Recipe of a.png:\n{\n  "v": 1,\n  "prompt": "p"\n}');
    assert.strictEqual(describeRecipe('a.png', undefined), 'a.png carries no Pixelwright recipe (it was not made by Pixelwright, or its recipe was removed).');
  });
});

suite('agent tools: input edges', () => {
  test('every option field is read under its own name', () => {
    const o = parseGenerateInput({ prompt: 'p', model: 'm', size: 's', quality: 'q', n: 2, background: 'opaque', outputFormat: 'jpeg', target: 't' });
    assert.deepStrictEqual(o, { prompt: 'p', model: 'm', size: 's', quality: 'q', n: 2, background: 'opaque', outputFormat: 'jpeg', target: 't' });
    const newer = parseGenerateInput({ prompt: 'p', outputFormat: 'gif', complexity: 'low', frameCount: 3, frameDurationMs: 90 });
    assert.deepStrictEqual([newer.complexity, newer.frameCount, newer.frameDurationMs], ['low', 3, 90]);
    assert.deepStrictEqual(parseVariationInput({ image: 'a.png', prompt: 'warmer', model: 'dall-e-2' }), { image: 'a.png', prompt: 'warmer', model: 'dall-e-2', size: undefined, quality: undefined, n: undefined, background: undefined, outputFormat: undefined, target: undefined });
    refusal(() => parseVariationInput({ prompt: 'x' }), /^"image" is required$/);
    refusal(() => parseGenerateInput({ prompt: null }), /^"prompt" is required$/);
    refusal(() => parseGenerateInput({ prompt: 'x', colour: 1 }), /^unknown field "colour"; the tool takes prompt, model, size, quality, n, background, outputFormat, complexity, frameCount, frameDurationMs, target$/);
    refusal(() => parseGenerateInput({ prompt: 'x', n: null }), /"n" must be a whole number from 1 to 10, not null/);
    refusal(() => parseGenerateInput('a fox'), /^the input must be an object$/);
  });

  test('edit: every image path must be a non-blank string; the fields an edit takes are named in a refusal', () => {
    refusal(() => parseEditInput({ images: ['a.png', ' '], prompt: 'x' }), /"images" must be a list/);
    refusal(() => parseEditInput({ images: ['a.png', 3], prompt: 'x' }), /"images" must be a list/);
    assert.deepStrictEqual(parseEditInput({ images: ['a.png', 'b.png'], prompt: 'x' }).images, ['a.png', 'b.png']);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', zoom: 2 }), /the tool takes images, prompt, mask, regions, inputFidelity, keepUnmasked, model,/);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', inputFidelity: 'max' }), /"inputFidelity" must be one of low, high/);
    const e = parseEditInput({ images: ['a.png'], prompt: 'x', keepUnmasked: true, mask: 'm.png' });
    assert.deepStrictEqual([e.keepUnmasked, e.mask, e.regions], [true, 'm.png', undefined]);
    refusal(() => parseEditInput({ images: ['a.png'], prompt: 'x', regions: null }), /"regions" must be a list/);
  });

  test('a region: an object with known fields, finite numbers, a positive size', () => {
    const edit = (r: unknown) => parseEditInput({ images: ['a.png'], prompt: 'x', regions: [r] });
    for (const bad of [null, 'box', [1, 2]]) refusal(() => edit(bad), /^regions\[0\] must be an object with shape, x, y, width, height$/);
    refusal(() => edit({ shape: 'rectangle', x: 0, y: 0, width: 1, height: 1, depth: 1 }), /^regions\[0\] has unknown field\(s\) depth$/);
    for (const x of ['1', Infinity, NaN]) refusal(() => edit({ shape: 'rectangle', x, y: 0, width: 1, height: 1 }), /^regions\[0\]\.x must be a number$/);
    refusal(() => edit({ shape: 'rectangle', x: 0, y: 0, width: 0, height: 1 }), /^regions\[0\]\.width must be greater than 0$/);
    refusal(() => edit({ shape: 'rectangle', x: 0, y: 0, width: 1, height: -1 }), /^regions\[0\]\.height must be greater than 0$/);
    assert.deepStrictEqual(edit({ shape: 'ellipse', x: -3, y: 0, width: 1, height: 1 }).regions, [{ shape: 'ellipse', x: -3, y: 0, width: 1, height: 1, units: 'pixels' }]);
  });

  test('region pixels: a pixel is painted when its centre is inside, edges included', () => {
    assert.deepStrictEqual(paint({ x: 1, y: 2, width: 2, height: 1 }), ['1,2', '2,2']);
    // edges exactly on pixel centres count
    assert.deepStrictEqual(paint({ x: 1.5, y: 1.5, width: 1, height: 1 }), ['1,1', '2,1', '1,2', '2,2']);
    // centres just outside do not
    assert.deepStrictEqual(paint({ x: 1.6, y: 1.6, width: 1, height: 1 }), ['2,2']);
    // the last row and column of the image
    assert.deepStrictEqual(paint({ x: 8, y: 9, width: 5, height: 5 }), ['8,9', '9,9']);
    // a region whose only covered centres lie beyond the image's edge paints nothing there: refused
    refusal(() => paintRegions([{ shape: 'rectangle', x: 0, y: 9.6, width: 1, height: 5 }], 10, 10), /^regions\[0\] is too small to cover a pixel of the 10x10 image$/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 9.6, y: 0, width: 5, height: 1 }], 10, 10), /too small to cover a pixel/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 0, y: -5, width: 1, height: 5.4 }], 10, 10), /too small to cover a pixel/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: -5, y: 0, width: 5.4, height: 1 }], 10, 10), /too small to cover a pixel/);
    // fractions scale x and y too, not only the size
    assert.deepStrictEqual(paint({ x: 0.5, y: 0.5, width: 0.1, height: 0.25, units: 'fraction' }, 10, 4), ['5,2']);
    refusal(() => paintRegions([{ shape: 'rectangle', x: -0.1, y: 0, width: 0.5, height: 0.5, units: 'fraction' }], 10, 10), /^regions\[0\] is in fractions of the image/);
  });

  test('region pixels: touching the image\'s edge from outside is outside; the refusal gives the box', () => {
    refusal(() => paintRegions([{ shape: 'rectangle', x: -5, y: 0, width: 5, height: 5 }], 10, 10), /^regions\[0\] \(-5,0 to 0,5\) lies outside the 10x10 image$/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 0, y: 10, width: 5, height: 5 }], 10, 10), /\(0,10 to 5,15\) lies outside/);
    refusal(() => paintRegions([{ shape: 'rectangle', x: 0.25, y: 0, width: 0.5, height: 0.5, units: 'fraction' }, { shape: 'rectangle', x: 0.33, y: 1, width: 0.1, height: 0.1, units: 'fraction' }], 3, 3), /^regions\[1\] \(1,3 to 1\.3,3\.3\) lies outside the 3x3 image$/);
    assert.deepStrictEqual(paint({ x: -4, y: -4, width: 5, height: 5 }), ['0,0']);
  });

  test('an ellipse paints the centres within it, its rim included', () => {
    // a circle of radius 1 centred on pixel (1,1)'s centre: the four neighbours' centres lie on its rim, the corners outside
    assert.deepStrictEqual(paint({ shape: 'ellipse', x: 0.5, y: 0.5, width: 2, height: 2 }, 3, 3), ['1,0', '0,1', '1,1', '2,1', '1,2']);
    // away from the origin (its centre is (x0 + x1) / 2, its radii half the size)
    assert.deepStrictEqual(paint({ shape: 'ellipse', x: 4.5, y: 4.5, width: 2, height: 2 }), ['5,4', '4,5', '5,5', '6,5', '5,6']);
  });

  test('a target: the last dot-extension decides, case-blind; the folder is what comes before the last slash', () => {
    assert.deepStrictEqual(splitTarget('  art\\icons\\logo.PNG '), { folder: 'art/icons', name: 'logo.PNG', format: 'png' });
    assert.deepStrictEqual(splitTarget('/hero.jpeg'), { folder: '', name: 'hero.jpeg', format: 'jpeg' });
    assert.deepStrictEqual(splitTarget('a/b.jpg'), { folder: 'a', name: 'b.jpg', format: 'jpeg' });
    assert.deepStrictEqual(splitTarget('a/b.webp'), { folder: 'a', name: 'b.webp', format: 'webp' });
    assert.deepStrictEqual(splitTarget('a/v1.2/icons'), { folder: 'a/v1.2/icons' });
    refusal(() => splitTarget('a/b.png.txt'), /^"target" names a \.txt file/);
    assert.deepStrictEqual(splitTarget('   '), {});
  });
});
