import * as assert from 'assert';
import { BUILTIN_MODELS, customSizeProblem, ModelTable, parseSize } from '../../src/core/models';

suite('model capability table', () => {
  test('knows every model the product supports', () => {
    const ids = BUILTIN_MODELS.map((m) => m.id);
    assert.deepStrictEqual(ids, ['gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini', 'chatgpt-image-latest', 'gpt-image-1', 'dall-e-3', 'dall-e-2']);
  });

  test('per-model facts from the reference', () => {
    const t = new ModelTable();
    assert.strictEqual(t.get('dall-e-3')!.maxN, 1);
    assert.deepStrictEqual(t.get('dall-e-3')!.operations, ['generate']);
    assert.deepStrictEqual(t.get('dall-e-2')!.sizes, ['256x256', '512x512', '1024x1024']);
    assert.strictEqual(t.get('dall-e-2')!.maxPromptChars, 1000);
    assert.strictEqual(t.get('dall-e-3')!.maxPromptChars, 4000);
    assert.strictEqual(t.get('gpt-image-1.5')!.maxPromptChars, 32000);
    assert.strictEqual(t.get('gpt-image-1-mini')!.inputFidelity, false);
    assert.ok(t.get('gpt-image-2')!.customSize);
    assert.strictEqual(t.get('gpt-image-1.5')!.customSize, undefined);
    assert.strictEqual(t.get('gpt-image-1.5')!.input.maxImages, 16);
    assert.strictEqual(t.get('dall-e-2')!.input.maxBytes, 4 * 1024 * 1024);
  });

  test('the dated gpt-image-2 snapshot resolves but is not listed twice', () => {
    const t = new ModelTable();
    assert.ok(t.get('gpt-image-2-2026-04-21')!.customSize);
    assert.ok(!t.list().some((m) => m.id === 'gpt-image-2-2026-04-21'));
  });

  test('custom models take the capabilities of the model they are like', () => {
    const t = new ModelTable([{ id: 'flux-local', like: 'dall-e-2', sizes: ['512x512'], maxN: 2 }, { id: 'plain' }]);
    const flux = t.get('flux-local')!;
    assert.deepStrictEqual(flux.sizes, ['512x512']);
    assert.strictEqual(flux.maxN, 2);
    assert.strictEqual(flux.family, 'dall-e-2');
    assert.strictEqual(t.get('plain')!.family, 'gpt-image');
    assert.ok(t.list('generate').some((m) => m.id === 'flux-local'));
    assert.ok(!t.list('edit').some((m) => m.id === 'dall-e-3'));
  });

  test('gpt-image-2 custom sizes: multiples of 16, ratio within 3:1, at most 3840x2160', () => {
    const rule = new ModelTable().get('gpt-image-2')!.customSize!;
    for (const ok of ['1536x864', '3840x2160', '2160x3840', '1536x512', '16x32']) assert.strictEqual(customSizeProblem(ok, rule), undefined, ok);
    assert.match(customSizeProblem('1000x1000', rule)!, /divisible by 16/);
    assert.match(customSizeProblem('3840x800', rule)!, /1:3/);
    assert.match(customSizeProblem('4096x1024', rule)!, /longest side/);
    assert.match(customSizeProblem('3840x2400', rule)!, /pixels/);
    assert.match(customSizeProblem('big', rule)!, /WIDTHxHEIGHT/);
    assert.match(customSizeProblem('0x0', rule)!, /at least 16/);
  });

  test('gpt-image-2 custom sizes: each side is checked on its own', () => {
    const rule = new ModelTable().get('gpt-image-2')!.customSize!;
    assert.match(customSizeProblem('1536x1000', rule)!, /divisible by 16/);
    assert.match(customSizeProblem('1000x1536', rule)!, /divisible by 16/);
    assert.match(customSizeProblem('16x8', rule)!, /at least 16/);
    assert.match(customSizeProblem('8x16', rule)!, /at least 16/);
    assert.match(customSizeProblem('2160x3856', rule)!, /longest side/);
    assert.match(customSizeProblem('3856x2160', rule)!, /longest side/);
    assert.strictEqual(customSizeProblem('48x16', rule), undefined, 'exactly 3:1 is allowed');
    assert.match(customSizeProblem('64x16', rule)!, /aspect ratio/);
    assert.match(customSizeProblem('16x64', rule)!, /aspect ratio/);
  });

  test('parseSize', () => {
    assert.deepStrictEqual(parseSize('1536x1024'), { width: 1536, height: 1024 });
    assert.strictEqual(parseSize('auto'), undefined);
    assert.strictEqual(parseSize('1024 x 1024'), undefined);
    for (const bad of ['1024x1024px', ' 1024x1024', '1024x1024 ', 'x1024x1024', '1024x1024x2', '1024X1024', '123456x16', '1024x']) {
      assert.strictEqual(parseSize(bad), undefined, bad);
    }
    assert.deepStrictEqual(parseSize('16x99999'), { width: 16, height: 99999 });
  });
});
