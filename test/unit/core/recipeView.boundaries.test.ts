// What Show Recipe receives (src/core/recipeView.ts), compared whole as the panel gets it (JSON):
// every field of a full recipe, a bare one, values of the wrong type left out, the recorded cost
// and usage in each shape, the lineage bound and the raw-text bound on both sides.
import * as assert from 'assert';
import type { StoredRecord } from '../../../src/core/metadata';
import { buildRecipeView, RAW_SHOWN_CHARS, type RecipeFound } from '../../../src/core/recipeView';
import type { GenerationRecord } from '../../../src/core/record';

const base: GenerationRecord = { v: 1, operation: 'generate', prompt: 'a lighthouse', model: 'gpt-image-1.5', options: {}, provider: { kind: 'openai' }, createdAt: '2026-05-01T10:00:00.000Z' } as GenerationRecord;
const stored = (over: Record<string, unknown>): StoredRecord => ({ ...base, ...over }) as unknown as StoredRecord;
/** The view as the panel receives it (a message: JSON). */
const view = (found: RecipeFound, exists: (p: string) => boolean = () => false, offered: (m: string) => boolean = () => true) =>
  JSON.parse(JSON.stringify(buildRecipeView('img/a.png', found, exists, offered)));
const cost = (c: unknown) => view({ record: stored({ cost: c }) }).cost;
const usage = (u: unknown) => view({ record: stored({ usage: u }) }).usage;

suite('recipe view: what the panel receives', () => {
  test('a full recipe: every field, as text', () => {
    const r = stored({
      operation: 'edit',
      revisedPrompt: 'a tall lighthouse',
      options: { size: '1024x1024', n: 1, background: 'transparent' },
      provider: { kind: 'azure', deployment: 'img-east', baseUrl: 'https://example.invalid/openai' },
      sources: ['in/a.png', 'in/gone.png'],
      lineage: [{ path: 'in/a.png', recipe: { ...base, prompt: 'first', createdAt: 7 } }],
      lineageCut: true,
      cost: 0.042,
      usage: { inputTokens: 5, outputTokens: 7 },
      tool: 'Pixelwright 1.0',
      requestId: 'req_1',
      truncated: ['revisedPrompt'],
    });
    const got = view({ record: r, where: 'sidecar', mismatch: true, width: 640, height: 480 }, (p) => p === 'in/a.png', () => false);
    assert.deepStrictEqual(got, {
      file: 'img/a.png',
      where: 'sidecar',
      width: 640,
      height: 480,
      state: 'recipe',
      mismatch: true,
      prompt: 'a lighthouse',
      revisedPrompt: 'a tall lighthouse',
      model: 'gpt-image-1.5',
      operation: 'edit',
      options: [['size', '1024x1024'], ['n', '1'], ['background', 'transparent']],
      sources: [{ path: 'in/a.png', exists: true }, { path: 'in/gone.png', exists: false }],
      lineage: [{ depth: 1, path: 'in/a.png', model: 'gpt-image-1.5', operation: 'generate', prompt: 'first', createdAt: '' }],
      lineageCut: true,
      cost: '$0.042',
      usage: '12 tokens (input 5, output 7)',
      provider: 'azure · img-east · https://example.invalid/openai',
      createdAt: '2026-05-01T10:00:00.000Z',
      tool: 'Pixelwright 1.0',
      requestId: 'req_1',
      truncated: ['revisedPrompt'],
      modelMissing: true,
    });
  });

  test('a bare recipe: nothing beyond what it has; values of the wrong type are left out', () => {
    assert.deepStrictEqual(view({ record: stored({ options: undefined, provider: undefined, createdAt: undefined }) }), {
      file: 'img/a.png',
      state: 'recipe',
      prompt: 'a lighthouse',
      model: 'gpt-image-1.5',
      operation: 'generate',
      options: [],
      sources: [],
      lineage: [],
      truncated: [],
    });
    const odd = view({ record: stored({ revisedPrompt: 3, createdAt: 12, tool: {}, requestId: 5, provider: { kind: 7, deployment: 'd' }, mismatch: false }), mismatch: false });
    assert.deepStrictEqual([odd.revisedPrompt, odd.createdAt, odd.tool, odd.requestId, odd.provider, odd.mismatch], [undefined, undefined, undefined, undefined, 'd', undefined]);
    assert.strictEqual(view({ record: stored({ provider: { kind: 'openai' } }) }).provider, 'openai');
    assert.strictEqual(view({ record: stored({ provider: {} }) }).provider, undefined);
  });

  test('no recipe, and a malformed one cut only past the bound', () => {
    assert.deepStrictEqual(view({ where: 'embedded' }), { file: 'img/a.png', where: 'embedded', state: 'none', options: [], sources: [], lineage: [], truncated: [] });
    const exact = 'x'.repeat(RAW_SHOWN_CHARS);
    assert.deepStrictEqual(view({ raw: exact }), { file: 'img/a.png', state: 'malformed', raw: exact, rawCut: false, options: [], sources: [], lineage: [], truncated: [] });
    const over = view({ raw: `${exact}y` });
    assert.deepStrictEqual([over.raw, over.rawCut], [exact, true]);
  });

  test('the recorded cost: dollars, or an object with usd, totalUsd, total or amount', () => {
    assert.strictEqual(cost(0.04), '$0.04');
    assert.strictEqual(cost({ usd: 0.011 }), '$0.011');
    assert.strictEqual(cost({ totalUsd: 0.25 }), '$0.25');
    assert.strictEqual(cost({ total: 1.5 }), '$1.50');
    assert.strictEqual(cost({ amount: 2 }), '$2.00');
    for (const none of [undefined, null, 'a dollar', Infinity, NaN, {}, { usd: '0.04' }, { usd: Infinity }]) assert.strictEqual(cost(none), undefined, String(none));
  });

  test('the recorded usage, in API or camelCase names; a total wins, else input plus output', () => {
    assert.strictEqual(usage({ total_tokens: 100 }), '100 tokens');
    assert.strictEqual(usage({ totalTokens: 50 }), '50 tokens');
    assert.strictEqual(usage({ input_tokens: 3 }), '3 tokens (input 3)');
    assert.strictEqual(usage({ output_tokens: 4 }), '4 tokens (output 4)');
    assert.strictEqual(usage({ input_tokens: 2, output_tokens: 3, total_tokens: Infinity }), '5 tokens (input 2, output 3)');
    assert.strictEqual(usage({ input_tokens: 2, output_tokens: 3, total_tokens: 9 }), '9 tokens (input 2, output 3)');
    for (const none of [undefined, null, 'many', 12, {}, { total_tokens: '100' }]) assert.strictEqual(usage(none), undefined, String(none));
  });

  test('at most 64 lineage entries are shown', () => {
    const wide = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `s${i}.png`, recipe: { ...base, prompt: `p${i}` } }));
    assert.strictEqual(view({ record: stored({ lineage: wide(64) }) }).lineage.length, 64);
    const cut = view({ record: stored({ lineage: wide(65) }) }).lineage;
    assert.deepStrictEqual([cut.length, cut[63].path], [64, 's63.png']);
    const deep = (n: number): unknown[] => (n === 0 ? [] : [{ path: `d${n}.png`, recipe: { ...base, lineage: deep(n - 1) } }]);
    const chain = view({ record: stored({ lineage: deep(70) }) }).lineage;
    assert.deepStrictEqual([chain.length, chain[63].depth], [64, 64]);
  });
});
