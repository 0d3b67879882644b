// Boundaries of the capability table (found by mutation testing). Table values are the API's
// published limits, checked here one by one. (The custom-size rule: modelRules.boundaries.test.ts.)
import * as assert from 'assert';
import { BUILTIN_MODELS, ModelTable } from '../../../src/core/models';
import { englishMessage, msg } from '../../../src/shared/messages';

const table = new ModelTable();
const rule = table.get('gpt-image-2')!.customSize!;
const MB = 1024 * 1024;

suite('model table: facts and custom models', () => {
  test('GPT image models: what the API takes', () => {
    const all = ['gpt-image-2.6-sunburst', 'gpt-image-2.6-flare', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-flare', 'gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini', 'chatgpt-image-latest', 'gpt-image-1'];
    const v25 = (id: string) => id.startsWith('gpt-image-2.5');
    const v26 = (id: string) => id.startsWith('gpt-image-2.6');
    for (const id of all) {
      const m = table.get(id)!;
      assert.strictEqual(m.family, 'gpt-image', id);
      assert.deepStrictEqual(m.operations, ['generate', 'edit', 'variation'], id);
      assert.deepStrictEqual(m.sizes, ['auto', '1024x1024', '1536x1024', '1024x1536'], id);
      // GPT Image 2.5 adds xhigh and max.
      assert.deepStrictEqual(m.qualities, v25(id) ? ['auto', 'low', 'medium', 'high', 'xhigh', 'max'] : ['auto', 'low', 'medium', 'high'], id);
      assert.strictEqual(m.maxN, 10, id);
      assert.deepStrictEqual(m.styles, [], id);
      // The SDK is silent about a transparent background on 2.6: not offered.
      assert.deepStrictEqual(m.backgrounds, v26(id) ? ['auto', 'opaque'] : ['auto', 'transparent', 'opaque'], id);
      assert.deepStrictEqual(m.outputFormats, ['png', 'jpeg', 'webp'], id);
      assert.deepStrictEqual([m.compression, m.moderation, m.streaming, m.responseFormat], [true, true, true, false], id);
      // input_fidelity: gpt-image-1.5 and older (not the mini); omitted for gpt-image-2, silent for 2.5 and 2.6.
      assert.strictEqual(m.inputFidelity, ['gpt-image-1.5', 'chatgpt-image-latest', 'gpt-image-1'].includes(id), id);
      // Custom WxH sizes: gpt-image-2 and 2.5, not said for 2.6.
      assert.strictEqual(!!m.customSize, id === 'gpt-image-2' || v25(id), id);
      assert.strictEqual(m.maxPromptChars, 32000, id);
      assert.deepStrictEqual(m.input, { maxImages: 16, maxBytes: 50 * MB, formats: ['png', 'webp', 'jpeg'], squareOnly: false }, id);
    }
    assert.deepStrictEqual(rule, { multiple: 16, maxEdge: 3840, maxPixels: 3840 * 2160, maxRatio: 3 });
    assert.match(englishMessage(table.get('gpt-image-1')!.note!), /retired/);
  });

  test('DALL·E models: what the API takes', () => {
    const d3 = table.get('dall-e-3')!;
    assert.deepStrictEqual(
      [d3.family, d3.qualities, d3.styles, d3.backgrounds, d3.outputFormats, d3.compression, d3.moderation, d3.streaming, d3.inputFidelity, d3.responseFormat],
      ['dall-e-3', ['standard', 'hd'], ['vivid', 'natural'], [], ['png'], false, false, false, false, true],
    );
    assert.deepStrictEqual(d3.input, { maxImages: 0, maxBytes: 0, formats: [], squareOnly: true });
    const d2 = table.get('dall-e-2')!;
    assert.deepStrictEqual(
      [d2.family, d2.operations, d2.qualities, d2.maxN, d2.styles, d2.backgrounds, d2.outputFormats, d2.compression, d2.moderation, d2.streaming, d2.inputFidelity, d2.responseFormat],
      ['dall-e-2', ['generate', 'edit', 'variation'], ['standard'], 10, [], [], ['png'], false, false, false, false, true],
    );
    assert.deepStrictEqual(d2.input, { maxImages: 1, maxBytes: 4 * MB, formats: ['png'], squareOnly: true });
    assert.ok(BUILTIN_MODELS.every((m) => m.id.startsWith('gpt-image') || m.id.startsWith('chatgpt') || m.note), 'retired DALL·E models say where they are served');
  });

  test('the dated gpt-image-2 snapshot is gpt-image-2 under its own id', () => {
    const snap = table.get('gpt-image-2-2026-04-21')!;
    assert.deepStrictEqual({ ...snap, id: 'gpt-image-2' }, table.get('gpt-image-2'));
    assert.strictEqual(snap.id, 'gpt-image-2-2026-04-21');
    assert.deepStrictEqual(
      table.list().map((m) => m.id),
      BUILTIN_MODELS.map((m) => m.id),
    );
  });

  test('a custom model: like gpt-image-1.5 by default or when "like" is unknown; noted; its own sizes drop the custom-size rule', () => {
    const t = new ModelTable([
      { id: 'plain' },
      { id: 'odd', like: 'no-such-model' },
      { id: 'free', like: 'gpt-image-2' },
      { id: 'fixed', like: 'gpt-image-2', sizes: ['1024x1024'] },
      { id: 'empty', like: 'gpt-image-2', sizes: [] },
    ]);
    const base = table.get('gpt-image-1.5')!;
    assert.deepStrictEqual(t.get('plain'), { ...base, id: 'plain', customSize: undefined, note: msg('model.custom', 'gpt-image-1.5') });
    assert.deepStrictEqual(t.get('odd'), { ...base, id: 'odd', customSize: undefined, note: msg('model.custom', 'gpt-image-1.5') });
    assert.deepStrictEqual(t.get('free')!.customSize, rule);
    assert.strictEqual(englishMessage(t.get('free')!.note!), 'custom, like gpt-image-2');
    assert.strictEqual(t.get('fixed')!.customSize, undefined);
    assert.deepStrictEqual(t.get('fixed')!.sizes, ['1024x1024']);
    assert.deepStrictEqual(t.get('empty')!.sizes, table.get('gpt-image-2')!.sizes);
    assert.deepStrictEqual(t.get('empty')!.customSize, rule);
    assert.strictEqual(t.get('plain')!.maxN, 10);
  });

  test('list(operation) keeps only the models that can do it', () => {
    assert.deepStrictEqual(
      table.list('variation').map((m) => m.id),
      ['gpt-image-2.6-sunburst', 'gpt-image-2.6-flare', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-flare', 'gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini', 'chatgpt-image-latest', 'gpt-image-1', 'dall-e-2'],
    );
    assert.ok(table.list('generate').some((m) => m.id === 'dall-e-3'));
    assert.strictEqual(table.get('dall-e-4'), undefined);
  });
});
