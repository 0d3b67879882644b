// Boundaries of the shared model rules: the custom-size rule, size parsing and options fitted to a
// model. Each test pins a rule that a changed comparison would break (found by mutation testing).
import * as assert from 'assert';
import { ModelTable } from '../../../src/core/models';
import { checkCustomSize, fitOptions, modelInfo, parseSize } from '../../../src/shared/modelRules';

const table = new ModelTable();
const rule = table.get('gpt-image-2')!.customSize!;
const generate = (id: string) => modelInfo(table.get(id)!, 'generate');

suite('custom sizes: boundaries', () => {
  test('both sides must be multiples of 16: either one off is refused', () => {
    assert.deepStrictEqual(checkCustomSize('1536x1000', rule), { kind: 'multiple', value: 16 });
    assert.deepStrictEqual(checkCustomSize('1000x1536', rule), { kind: 'multiple', value: 16 });
    assert.strictEqual(checkCustomSize('1536x1008', rule), undefined);
  });

  test('each side at least 16', () => {
    assert.strictEqual(checkCustomSize('16x16', rule), undefined);
    assert.deepStrictEqual(checkCustomSize('8x16', rule), { kind: 'min', value: 16 });
    assert.deepStrictEqual(checkCustomSize('32x0', rule), { kind: 'min', value: 16 });
  });

  test('longest side at most 3840, on either side', () => {
    assert.strictEqual(checkCustomSize('3840x1280', rule), undefined);
    assert.deepStrictEqual(checkCustomSize('3856x1296', rule), { kind: 'edge', value: 3840 });
    assert.deepStrictEqual(checkCustomSize('1296x3856', rule), { kind: 'edge', value: 3840 });
  });

  test('at most 3840x2160 pixels: exactly that passes, one row more does not', () => {
    assert.strictEqual(checkCustomSize('3840x2160', rule), undefined);
    assert.deepStrictEqual(checkCustomSize('3840x2176', rule), { kind: 'pixels', value: 8_294_400 });
  });

  test('aspect ratio at most 3:1 either way: exactly 3 passes', () => {
    assert.strictEqual(checkCustomSize('1536x512', rule), undefined);
    assert.strictEqual(checkCustomSize('512x1536', rule), undefined);
    assert.deepStrictEqual(checkCustomSize('1552x512', rule), { kind: 'ratio', value: 3 });
    assert.deepStrictEqual(checkCustomSize('512x1552', rule), { kind: 'ratio', value: 3 });
  });

  test('parseSize accepts WIDTHxHEIGHT only, the whole string', () => {
    assert.deepStrictEqual(parseSize('16x9'), { width: 16, height: 9 });
    assert.deepStrictEqual(parseSize('99999x1'), { width: 99999, height: 1 });
    for (const bad of ['1024x1024px', 'size 1024x1024', 'x1024x1024', '1024x', 'x1024', '100000x1', '1x100000', '1024X1024', '']) {
      assert.strictEqual(parseSize(bad), undefined, bad);
    }
    assert.deepStrictEqual(checkCustomSize('1024x1024px', rule), { kind: 'format' });
  });
});

suite('fitting preferences to a model', () => {
  test('a preference the model offers is kept', () => {
    assert.deepStrictEqual(fitOptions(generate('dall-e-3'), { size: '1792x1024', quality: 'hd', style: 'natural' }), {
      size: '1792x1024',
      quality: 'hd',
      style: 'natural',
      background: undefined,
      outputFormat: undefined,
    });
    assert.deepStrictEqual(fitOptions(generate('gpt-image-1.5'), { size: '1024x1536', quality: 'low', background: 'transparent', outputFormat: 'webp' }), {
      size: '1024x1536',
      quality: 'low',
      style: undefined,
      background: 'transparent',
      outputFormat: 'webp',
    });
  });

  test('nothing preferred: each model gets its own defaults', () => {
    assert.deepStrictEqual(fitOptions(generate('gpt-image-1.5'), {}), { size: 'auto', quality: 'auto', style: undefined, background: 'auto', outputFormat: 'png' });
    assert.deepStrictEqual(fitOptions(generate('dall-e-2'), {}), { size: '256x256', quality: 'standard', style: undefined, background: undefined, outputFormat: undefined });
  });

  test('a model without auto falls back to its smallest size, or with largestSize (edits) to its largest', () => {
    assert.strictEqual(fitOptions(generate('dall-e-2'), { size: '2048x2048' }).size, '256x256');
    assert.strictEqual(fitOptions(generate('dall-e-2'), { size: '2048x2048' }, { largestSize: true }).size, '1024x1024');
    assert.strictEqual(fitOptions(generate('gpt-image-1.5'), { size: '2048x2048' }, { largestSize: true }).size, 'auto', 'auto first, where the model has it');
  });

  test('a transparent background preferred with jpeg output falls back to auto', () => {
    assert.strictEqual(fitOptions(generate('gpt-image-1.5'), { background: 'transparent', outputFormat: 'jpeg' }).background, 'auto');
    assert.strictEqual(fitOptions(generate('gpt-image-1.5'), { background: 'opaque', outputFormat: 'jpeg' }).background, 'opaque');
  });

  test('a custom size is kept only where the model takes it and the size is valid', () => {
    assert.strictEqual(fitOptions(generate('gpt-image-2'), { size: '2048x1152' }).size, '2048x1152');
    assert.strictEqual(fitOptions(generate('gpt-image-2'), { size: '1536x1000' }).size, 'auto');
    assert.strictEqual(fitOptions(generate('dall-e-3'), { size: '1536x1024' }).size, '1024x1024');
    assert.strictEqual(fitOptions(generate('gpt-image-1.5'), { size: '1536x864' }).size, 'auto');
  });
});
