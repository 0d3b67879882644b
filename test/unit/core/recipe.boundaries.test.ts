// Sanitizing a recipe read from a file (src/core/recipe.ts) at each bound (64 options, sources and
// lineage entries, 64-character option names, 1,000-character texts, 16 extra fields, 8 levels of
// lineage), what is dropped (non-finite numbers, prototype keys, nested values, malformed entries),
// and which model Remake offers in place of a missing one.
import * as assert from 'assert';
import { closestModel, parseRecipeText, RECIPE_LIMITS, sanitizeRecord, withoutLineage } from '../../../src/core/recipe';
import type { ModelCapabilities } from '../../../src/core/models';
import type { GenerationRecord } from '../../../src/core/record';

const base = { v: 1, operation: 'generate', prompt: 'p', model: 'gpt-image-1.5', options: {}, provider: { kind: 'openai' }, createdAt: 'c', tool: 't' };
/** Sanitizes `over` on the base record, given as JSON text (as a file holds it). */
const clean = (over: string) => sanitizeRecord(JSON.parse(`{${JSON.stringify(base).slice(1, -1)},${over}}`)) as unknown as Record<string, unknown>;
const entries = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(',');

suite('recipe sanitizing: bounds and what is dropped', () => {
  test('options: at most 64 entries, names up to 64 characters, no __proto__, no numbers JSON cannot hold', () => {
    const opts = (json: string) => clean(`"options":{${json}}`).options as Record<string, unknown>;
    assert.strictEqual(Object.keys(opts(entries(64, (i) => `"k${i}":${i}`))).length, 64);
    const many = opts(entries(65, (i) => `"k${i}":${i}`));
    assert.deepStrictEqual([Object.keys(many).length, many.k63, many.k64], [64, 63, undefined]);
    assert.deepStrictEqual(Object.keys(opts(`"__proto__":"x",${entries(64, (i) => `"k${i}":1`)}`)).length, 64, '__proto__ neither kept nor counted');
    assert.deepStrictEqual(Object.keys(opts(`"${'n'.repeat(64)}":1,"${'m'.repeat(65)}":2`)), ['n'.repeat(64)]);
    assert.deepStrictEqual(opts('"a":1e400,"b":true,"c":"s","d":{"x":1},"e":[1]'), { b: true, c: 's' });
  });

  test('texts: a model name up to 1,000 characters, a prompt far longer; a missing tool reads as empty', () => {
    const r = clean(`"model":"${'m'.repeat(1001)}","prompt":"${'p'.repeat(2000)}"`);
    assert.deepStrictEqual([(r.model as string).length, (r.prompt as string).length], [1000, 2000]);
    const bare = sanitizeRecord({ v: 1, prompt: 'p', model: 'm' }) as unknown as Record<string, unknown>;
    assert.deepStrictEqual(bare, { v: 1, operation: 'generate', prompt: 'p', model: 'm', options: {}, provider: { kind: 'unknown' }, createdAt: '', tool: '' });
    assert.strictEqual(clean('"index":1e400,"count":2').index, undefined, 'an index JSON overflowed to Infinity');
  });

  test('sources: strings only, at most 64, each up to 1,000 characters', () => {
    const sources = clean(`"sources":[${entries(70, (i) => (i === 0 ? `"${'s'.repeat(1500)}"` : i === 1 ? '5' : `"s${i}.png"`))}]`).sources as string[];
    assert.deepStrictEqual([sources.length, sources[0].length, sources[1], sources[63]], [64, 1000, 's2.png', 's64.png']);
  });

  test('lineage: at most 64 entries, malformed ones skipped, paths cut, an empty list dropped', () => {
    const rec = JSON.stringify(base);
    const lineage = (json: string) => clean(`"lineage":[${json}]`).lineage as { path: string }[] | undefined;
    assert.strictEqual(lineage(entries(70, (i) => `{"path":"a${i}.png","recipe":${rec}}`))!.length, 64);
    assert.deepStrictEqual(lineage(`1,{"path":3,"recipe":${rec}},{"path":"bad.png","recipe":{"v":2}},{"path":"${'x'.repeat(1200)}","recipe":${rec}},{"path":"ok.png","recipe":${rec}}`)!.map((e) => e.path.length), [1000, 6]);
    assert.strictEqual(lineage('{"path":"bad.png","recipe":{}}'), undefined);
    assert.strictEqual('lineage' in clean('"lineage":[]'), false);
  });

  test('lineage nested deeper than 8 levels is cut there, and says so; a recorded cut is kept', () => {
    let json = JSON.stringify(base);
    for (let i = 0; i < 10; i++) json = `{${JSON.stringify(base).slice(1, -1)},"prompt":"level ${9 - i}","lineage":[{"path":"p.png","recipe":${json}}]}`;
    let r = sanitizeRecord(JSON.parse(json)) as GenerationRecord;
    for (let level = 0; level < RECIPE_LIMITS.depth; level++) {
      assert.strictEqual(r.lineageCut, undefined, `level ${level}`);
      r = r.lineage![0].recipe;
    }
    assert.deepStrictEqual([r.prompt, r.lineage, r.lineageCut], ['level 8', undefined, true]);
    assert.strictEqual(clean('"lineageCut":true').lineageCut, true);
    assert.strictEqual(clean('"lineageCut":"yes"').lineageCut, undefined);
  });

  test('fields of later versions: flat ones kept (texts cut at 1,000), at most 16, known names not taken as such', () => {
    const r = clean(`"cost":{"usd":0.04},"note":"${'n'.repeat(1200)}","flag":false,"n":3,"inf":1e400,"deep":{"a":{"b":1}},"list":[1],"__proto__":"x"`);
    assert.deepStrictEqual([r.cost, (r.note as string).length, r.flag, r.n], [{ usd: 0.04 }, 1000, false, 3]);
    assert.deepStrictEqual(['inf', 'list', 'deep'].map((k) => k in r), [false, false, true]);
    assert.deepStrictEqual(r.deep, {});
    const many = clean(entries(17, (i) => `"x${i}":${i}`));
    assert.deepStrictEqual([many.x15, many.x16], [15, undefined]);
    const proto = clean(`"__proto__":"x",${entries(16, (i) => `"x${i}":${i}`)}`);
    assert.strictEqual(proto.x15, 15, '__proto__ neither kept nor counted');
  });

  test('parseRecipeText and withoutLineage', () => {
    assert.deepStrictEqual(parseRecipeText(JSON.stringify(base)), base);
    assert.strictEqual(parseRecipeText('{ not json'), undefined);
    assert.strictEqual(parseRecipeText('[1]'), undefined);
    const withLineage = { ...base, lineage: [{ path: 'a.png', recipe: base }], lineageCut: true } as unknown as GenerationRecord;
    assert.deepStrictEqual(withoutLineage(withLineage), base);
  });
});

suite('recipe: the model offered in place of a missing one', () => {
  const m = (id: string, family: string) => ({ id, family }) as unknown as ModelCapabilities;
  const pick = (wanted: string, offered: ModelCapabilities[]) => closestModel(wanted, offered)?.id;

  test('the same family first, then the longest shared prefix, then the order offered', () => {
    assert.strictEqual(pick('dall-e-2', [m('gpt-image-1', 'gpt-image'), m('dall-e-2-hd', 'dall-e-2')]), 'dall-e-2-hd');
    assert.strictEqual(pick('dall-e-2', [m('dall-e-3', 'dall-e-3'), m('legacy-2', 'dall-e-2')]), 'legacy-2');
    assert.strictEqual(pick('dall-e-3', [m('dall-e-2', 'dall-e-2'), m('house-model', 'dall-e-3')]), 'house-model');
    assert.strictEqual(pick('gpt-image-1', [m('gpt-4o', 'other'), m('my-image', 'gpt-image')]), 'my-image');
    assert.strictEqual(pick('my-custom', [m('my-custom-2', 'dall-e-3'), m('other', 'gpt-image')]), 'my-custom-2', 'no family guessed: by prefix');
    assert.strictEqual(pick('x-dall-e-2', [m('x-dall-e-3', 'dall-e-3'), m('dall-e-2', 'dall-e-2')]), 'x-dall-e-3', 'the family only from the start of the name');
    assert.strictEqual(pick('x-dall-e-3', [m('x-dall-e-2', 'dall-e-2'), m('dall-e-3', 'dall-e-3')]), 'x-dall-e-2');
    assert.strictEqual(pick('zzz', [m('a', 'gpt-image'), m('b', 'gpt-image')]), 'a');
    assert.strictEqual(pick('DALL-E-2', [m('gpt-image-1', 'gpt-image'), m('d2', 'dall-e-2')]), 'd2', 'any case');
    assert.strictEqual(closestModel('x', []), undefined);
  });
});
