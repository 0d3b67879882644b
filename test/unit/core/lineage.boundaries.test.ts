// Lineage bounds (src/core/lineage.ts) on both sides of each limit: prompts cut by code point at
// exactly the bound, the depth, the byte bound met exactly at each stage (fewer generations, shorter
// prompts, fewer entries), what `cut` says at each, and an earlier cut carried along.
import * as assert from 'assert';
import { buildLineage, lineageBytes, lineageDepth, type LineageLimits } from '../../../src/core/lineage';
import type { GenerationRecord, SourceRecipe } from '../../../src/core/record';

const rec = (prompt: string, over: Partial<GenerationRecord> = {}): GenerationRecord => ({ v: 1, operation: 'generate', prompt, model: 'gpt-image-1.5', options: {}, provider: { kind: 'openai' }, createdAt: '2026-05-01T10:00:00.000Z', tool: 't', ...over });
const edit = (prompt: string, parent: GenerationRecord, over: Partial<GenerationRecord> = {}) => rec(prompt, { operation: 'edit', lineage: [{ path: 'parent.png', recipe: parent }], ...over });
const wide: LineageLimits = { depth: 3, bytes: 1_000_000, promptChars: 4000 };
const prompts = (l: readonly SourceRecipe[]): string[] => l.flatMap((e) => [e.recipe.prompt, ...prompts(e.recipe.lineage ?? [])]);

suite('lineage bounds', () => {
  test('prompts are cut by code point at the bound: at it nothing is cut, one past it is', () => {
    const at = (prompt: string, revisedPrompt?: string) => buildLineage([{ path: 'a.png', recipe: rec(prompt, revisedPrompt === undefined ? {} : { revisedPrompt }) }], { ...wide, promptChars: 5 });
    assert.deepStrictEqual([prompts(at('abcde').lineage), at('abcde').cut], [['abcde'], false]);
    assert.deepStrictEqual([prompts(at('abcdef').lineage), at('abcdef').cut], [['abcde'], true]);
    assert.deepStrictEqual([prompts(at('😀😀😀😀😀').lineage), at('😀😀😀😀😀').cut], [['😀😀😀😀😀'], false]);
    assert.deepStrictEqual(prompts(at('😀😀😀😀😀😀').lineage), ['😀😀😀😀😀']);
    const revised = at('abc', 'abcdefgh');
    assert.deepStrictEqual([revised.lineage[0].recipe.prompt, revised.lineage[0].recipe.revisedPrompt, revised.cut], ['abc', 'abcde', true]);
  });

  test('sources without a recipe add nothing; a depth below 1 keeps none and says so', () => {
    assert.deepStrictEqual(buildLineage([{ path: 'a.png' }, { path: 'b.png', recipe: 'not a recipe' }]), { lineage: [], cut: false });
    assert.deepStrictEqual(buildLineage([{ path: 'a.png', recipe: rec('p') }], { ...wide, depth: 0 }), { lineage: [], cut: true });
    const one = buildLineage([{ path: 'a.png', recipe: edit('child', rec('parent')) }], { ...wide, depth: 1 });
    assert.deepStrictEqual([prompts(one.lineage), one.cut], [['child'], true]);
    const two = buildLineage([{ path: 'a.png', recipe: edit('child', rec('parent')) }], { ...wide, depth: 2 });
    assert.deepStrictEqual([prompts(two.lineage), two.cut], [['child', 'parent'], false]);
  });

  test('an earlier cut is carried: the entry keeps lineageCut and the new lineage says it is cut', () => {
    const leaf = buildLineage([{ path: 'a.png', recipe: rec('p', { lineageCut: true }) }], wide);
    assert.deepStrictEqual([leaf.lineage[0].recipe.lineageCut, leaf.cut], [true, true]);
    const inner = buildLineage([{ path: 'a.png', recipe: edit('child', rec('parent'), { lineageCut: true }) }], wide);
    assert.deepStrictEqual([inner.lineage[0].recipe.lineageCut, prompts(inner.lineage), inner.cut], [true, ['child', 'parent'], true]);
    const plain = buildLineage([{ path: 'a.png', recipe: edit('child', rec('parent')) }], wide);
    assert.deepStrictEqual([plain.lineage[0].recipe.lineageCut, plain.cut], [undefined, false]);
  });

  test('the byte bound, met exactly at each stage: all generations, the sources alone, shorter prompts, fewer entries', () => {
    const sources = [
      { path: 'a.png', recipe: edit('a'.repeat(40), rec('old'.repeat(30))) },
      { path: 'b.png', recipe: rec('b'.repeat(40)) },
    ];
    const full = buildLineage(sources, wide);
    assert.deepStrictEqual(buildLineage(sources, { ...wide, bytes: lineageBytes(full.lineage) }), full, 'all of it fits exactly');
    const alone = buildLineage(sources, { ...wide, depth: 1 });
    const atAlone = buildLineage(sources, { ...wide, bytes: lineageBytes(alone.lineage) });
    assert.deepStrictEqual([prompts(atAlone.lineage), atAlone.cut], [['a'.repeat(40), 'b'.repeat(40)], true], 'older generations go first');
    // promptChars 40: the shortening tries 20, 10, 5, 2, 1, 0 characters
    const short = (chars: number) => buildLineage(sources, { depth: 1, bytes: 1_000_000, promptChars: chars }).lineage;
    for (const chars of [10, 2, 0]) {
      const got = buildLineage(sources, { depth: 3, promptChars: 40, bytes: lineageBytes(short(chars)) });
      assert.deepStrictEqual([prompts(got.lineage), got.cut], [['a'.repeat(chars), 'b'.repeat(chars)], true], `${chars} characters`);
    }
    const first = short(0).slice(0, 1);
    const entries = buildLineage(sources, { depth: 3, promptChars: 40, bytes: lineageBytes(first) });
    assert.deepStrictEqual(entries, { lineage: first, cut: true }, 'the last entry goes');
    assert.deepStrictEqual(buildLineage(sources, { depth: 3, promptChars: 40, bytes: lineageBytes(first) - 1 }), { lineage: [], cut: true });
  });

  test('the depth of a lineage is that of its deepest branch', () => {
    const lineage = [
      { path: 'shallow.png', recipe: rec('s') },
      { path: 'deep.png', recipe: edit('d', edit('e', rec('f'))) },
    ];
    assert.strictEqual(lineageDepth(lineage), 3);
    assert.strictEqual(lineageDepth([]), 0);
    assert.strictEqual(lineageDepth(undefined), 0);
  });
});
