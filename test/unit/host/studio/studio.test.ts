/**
 * The Studio's pure parts: the protocol guards (both directions), the cost estimate the form
 * shows (in step with core/pricing), the request a run makes, and every word of the webview
 * localized by the host. (Options fitted to a model and the custom-size rule: modelRules.test.ts.)
 */
import * as assert from 'assert';
import { BUILTIN_MODELS, ModelTable } from '../../../../src/core/models';
import { estimateCost } from '../../../../src/core/pricing';
import { validateRequest } from '../../../../src/core/request';
import { plainBytes, studioModel, studioRequest } from '../../../../src/host/studio/models';
import { fitStudioOptions } from '../../../../src/shared/modelRules';
import { parseFromStudio, type StudioOptions } from '../../../../src/shared/studioProtocol';
import { costOf, usd } from '../../../../src/webview/studio/options';
import { parseToStudio } from '../../../../src/webview/studio/parse';

const table = new ModelTable();

suite('studio: messages from the webview are checked', () => {
  const options: StudioOptions = { model: 'gpt-image-1.5', n: 2, size: '1024x1024', quality: 'low' };

  test('good messages pass, with only the known fields', () => {
    assert.deepStrictEqual(parseFromStudio({ type: 'ready' }), { type: 'ready' });
    const gen = parseFromStudio({ type: 'generate', prompt: 'a fox', options: { ...options, evil: 'x' }, extra: 1 });
    assert.deepStrictEqual(gen, { type: 'generate', prompt: 'a fox', options: { ...options, style: undefined, background: undefined, outputFormat: undefined } });
    assert.deepStrictEqual(parseFromStudio({ type: 'cancel', runId: 3 }), { type: 'cancel', runId: 3 });
    assert.deepStrictEqual(parseFromStudio({ type: 'open', resultId: 'r1-0' }), { type: 'open', resultId: 'r1-0' });
    assert.deepStrictEqual(parseFromStudio({ type: 'saveDraft', draft: { prompt: '' } }), { type: 'saveDraft', draft: { prompt: '', options: undefined } });
  });

  test('bad shapes are refused', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'generate', prompt: 1, options },
      { type: 'generate', prompt: 'x', options: { ...options, n: 0 } },
      { type: 'generate', prompt: 'x', options: { ...options, n: 11 } },
      { type: 'generate', prompt: 'x', options: { ...options, n: 1.5 } },
      { type: 'generate', prompt: 'x', options: { ...options, model: '' } },
      { type: 'generate', prompt: 'x', options: { ...options, size: 'x'.repeat(100) } },
      { type: 'generate', prompt: 'x'.repeat(64001), options },
      { type: 'cancel', runId: -1 },
      { type: 'cancel', runId: '1' },
      { type: 'open', resultId: '../../etc/passwd' },
      { type: 'open', resultId: 'file:///x' },
      { type: 'saveDraft', draft: { prompt: 'x', options: { model: 'm', n: 99 } } },
      { type: 'saveDraft' },
    ];
    for (const m of bad) assert.strictEqual(parseFromStudio(m), undefined, JSON.stringify(m)?.slice(0, 80));
  });
});

suite('studio: messages from the host are checked by the webview', () => {
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  test('tiles and runs with bytes as Uint8Array pass; other byte carriers do not', () => {
    const tile = { index: 0, state: 'requesting', partial: { bytes, mime: 'image/png', partialIndex: 0 }, partials: 1 };
    assert.ok(parseToStudio({ type: 'tile', runId: 1, tile }));
    assert.strictEqual(parseToStudio({ type: 'tile', runId: 1, tile: { ...tile, partial: { ...tile.partial, bytes: bytes.buffer } } }), undefined);
    assert.strictEqual(parseToStudio({ type: 'tile', runId: 1, tile: { ...tile, state: 'exploded' } }), undefined);
    const run = { runId: 1, phase: 'done', model: 'gpt-image-1.5', streaming: true, prompt: 'p', tiles: [{ index: 0, state: 'saved', result: { id: 'r1-0', bytes, mime: 'image/png', path: 'a.png' } }] };
    assert.ok(parseToStudio({ type: 'run', run }));
    assert.strictEqual(parseToStudio({ type: 'run', run: { ...run, phase: 'weird' } }), undefined);
    assert.strictEqual(parseToStudio({ type: 'recent', recent: ['a', 2] }), undefined);
  });

  test('a Node Buffer is sent as a plain Uint8Array (VS Code would deliver a Buffer as an ArrayBuffer)', () => {
    const buf = Buffer.from('hello');
    const plain = plainBytes(buf);
    assert.strictEqual(plain.constructor, Uint8Array);
    assert.deepStrictEqual([...plain], [...buf]);
    const already = new Uint8Array([1, 2]);
    assert.strictEqual(plainBytes(already), already);
  });
});

suite('studio: what the form fits is what a run sends', () => {
  test('whatever the form fits validates for every built-in model', () => {
    for (const m of BUILTIN_MODELS) {
      const o = fitStudioOptions(studioModel(m), { n: 2, size: 'nonsense', quality: 'nonsense', style: 'x', background: 'x', outputFormat: 'x' });
      assert.doesNotThrow(() => validateRequest(studioRequest('a test', o, m, 'low'), m), m.id);
    }
  });

  test('the request sends only what the model takes; moderation from the settings', () => {
    const d3 = table.get('dall-e-3')!;
    const r = studioRequest('  a boat  ', { model: 'dall-e-3', n: 1, size: '1024x1024', quality: 'hd', style: 'natural', background: 'opaque', outputFormat: 'png' }, d3, 'low');
    assert.deepStrictEqual(
      { ...r },
      { operation: 'generate', model: 'dall-e-3', prompt: 'a boat', n: 1, size: '1024x1024', quality: 'hd', style: 'natural', background: undefined, outputFormat: undefined, moderation: undefined },
    );
    assert.strictEqual(studioRequest('x', { model: 'gpt-image-1.5', n: 1 }, table.get('gpt-image-1.5')!, 'low').moderation, 'low');
    assert.strictEqual(studioRequest('x', { model: 'gpt-image-1.5', n: 1 }, table.get('gpt-image-1.5')!, 'auto').moderation, undefined);
  });
});

suite('studio: the estimate the form shows is core/pricing times n', () => {
  test('every fixed quality and size of every built-in model', () => {
    for (const m of BUILTIN_MODELS) {
      const sm = studioModel(m);
      for (const quality of [...m.qualities, undefined]) {
        for (const size of m.sizes) {
          for (const n of [1, 3]) {
            const core = estimateCost(m.id, { quality, size, n });
            const shown = costOf(sm, { model: m.id, n, quality: quality ?? 'auto', size });
            if (core.kind === 'per-image') {
              assert.ok(shown.kind === 'per-image', `${m.id} ${quality} ${size}`);
              assert.deepStrictEqual([shown.min, shown.max, shown.minEach, shown.maxEach], [core.min, core.max, core.minEach, core.maxEach], `${m.id} ${quality} ${size} x${n}`);
            } else {
              assert.strictEqual(shown.kind, core.kind, `${m.id} ${quality} ${size}`);
            }
          }
        }
      }
    }
    assert.strictEqual(usd(0.015), '$0.015');
    assert.strictEqual(usd(0.208), '$0.208', 'the Studio shows the estimate with the precision it has');
  });
});

suite('studio: the cost note of every model in the capability table follows the price list', () => {
  test('per image where the list prices it; billed by tokens (with 2.6\'s published image output price); no published price for 1.5, chatgpt-image-latest, gpt-image-1', () => {
    const pricing = Object.fromEntries(BUILTIN_MODELS.map((m) => [m.id, studioModel(m).pricing]));
    for (const id of ['gpt-image-2.6-sunburst', 'gpt-image-2.6-flare']) assert.deepStrictEqual(pricing[id], { kind: 'tokens', imageOutputPerMillion: 30 }, id);
    for (const id of ['gpt-image-2.5-sunburst', 'gpt-image-2.5-flare', 'gpt-image-2']) assert.deepStrictEqual(pricing[id], { kind: 'tokens' }, id);
    for (const id of ['gpt-image-1.5', 'chatgpt-image-latest', 'gpt-image-1']) assert.deepStrictEqual(pricing[id], { kind: 'unpublished' }, id);
    for (const id of ['gpt-image-1-mini', 'dall-e-3', 'dall-e-2']) assert.strictEqual(pricing[id].kind, 'per-image', id);
    // The form passes them on as they are, whatever the options.
    const sunburst = BUILTIN_MODELS.find((m) => m.id === 'gpt-image-2.6-sunburst')!;
    assert.deepStrictEqual(costOf(studioModel(sunburst), { model: sunburst.id, n: 3, quality: 'high', size: '1024x1024' }), { kind: 'tokens', imageOutputPerMillion: 30 });
    assert.strictEqual(usd(30), '$30.00');
  });
});
