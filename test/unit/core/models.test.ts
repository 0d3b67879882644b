import * as assert from 'assert';
import { BUILTIN_MODELS, customSizeProblem, ModelTable } from '../../../src/core/models';
import { englishMessage } from '../../../src/shared/messages';

suite('model capability table', () => {
  test('knows every model the product supports', () => {
    const ids = BUILTIN_MODELS.map((m) => m.id);
    assert.deepStrictEqual(ids, [
      'gpt-image-2.6-sunburst', 'gpt-image-2.6-flare', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-flare',
      'gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini', 'chatgpt-image-latest', 'gpt-image-1', 'dall-e-3', 'dall-e-2',
    ]);
  });

  test('the 2.5 snapshots are the 2.5 models under their dated names, and hidden from pickers', () => {
    const t = new ModelTable();
    for (const id of ['gpt-image-2.5-sunburst', 'gpt-image-2.5-flare']) {
      const snap = t.get(`${id}-2026-09-08`)!;
      assert.deepStrictEqual({ ...snap, id }, t.get(id));
      assert.ok(!t.list().some((m) => m.id === snap.id));
    }
    assert.match(englishMessage(t.get('gpt-image-2.5-sunburst')!.note!), /replaces gpt-image-1/);
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

  test('validation words the shared custom-size rule: every problem, in English', () => {
    const rule = new ModelTable().get('gpt-image-2')!.customSize!;
    assert.strictEqual(customSizeProblem('1536x864', rule), undefined);
    assert.strictEqual(customSizeProblem('big', rule), 'must be WIDTHxHEIGHT, for example 1536x864');
    assert.strictEqual(customSizeProblem('8x16', rule), 'width and height must each be at least 16');
    assert.strictEqual(customSizeProblem('1000x1536', rule), 'width and height must both be divisible by 16');
    assert.strictEqual(customSizeProblem('3856x2160', rule), 'the longest side must be at most 3840');
    assert.strictEqual(customSizeProblem('3840x2400', rule), 'at most 8,294,400 pixels (3840x2160)');
    assert.strictEqual(customSizeProblem('16x64', rule), 'the aspect ratio must be between 1:3 and 3:1');
  });
});
