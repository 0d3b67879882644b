import * as assert from 'assert';
import { BUILTIN_MODELS } from '../../../src/core/models';
import { estimateCost, formatUsd, PRICE_LIST_DATE } from '../../../src/core/pricing';

suite('pricing: the estimated cost of a run', () => {
  test('per-image prices from the price list, times n, with the list date', () => {
    assert.deepStrictEqual(estimateCost('gpt-image-1-mini', { quality: 'medium', size: '1536x1024', n: 3 }), {
      kind: 'per-image',
      minEach: 0.015,
      maxEach: 0.015,
      min: 0.045,
      max: 0.045,
      n: 3,
      priceListDate: PRICE_LIST_DATE,
    });
    const e3 = estimateCost('dall-e-3', { quality: 'hd', size: '1792x1024', n: 1 });
    assert.ok(e3.kind === 'per-image' && e3.min === 0.12 && e3.max === 0.12);
    const e2 = estimateCost('dall-e-2', { quality: 'standard', size: '256x256', n: 10 });
    assert.ok(e2.kind === 'per-image' && e2.min === 0.16, JSON.stringify(e2));
    const e2b = estimateCost('dall-e-2', { size: '512x512', n: 1 });
    assert.ok(e2b.kind === 'per-image' && e2b.min === 0.018);
  });

  test('auto quality or size spans what the model may pick', () => {
    const q = estimateCost('gpt-image-1-mini', { quality: 'auto', size: '1024x1024', n: 2 });
    assert.ok(q.kind === 'per-image' && q.minEach === 0.005 && q.maxEach === 0.036 && q.min === 0.01 && q.max === 0.072, JSON.stringify(q));
    const s = estimateCost('gpt-image-1-mini', { quality: 'low', size: 'auto', n: 1 });
    assert.ok(s.kind === 'per-image' && s.min === 0.005 && s.max === 0.006);
    const both = estimateCost('gpt-image-1-mini', { n: 1 });
    assert.ok(both.kind === 'per-image' && both.min === 0.005 && both.max === 0.052);
  });

  test('the GPT image 2.x models are billed by tokens (the list says so): no made-up number', () => {
    for (const m of ['gpt-image-2', 'gpt-image-2-2026-04-21', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-flare', 'gpt-image-2.5-flare-2026-09-08']) {
      assert.deepStrictEqual(estimateCost(m, { quality: 'high', size: '1024x1024', n: 1 }), { kind: 'tokens', priceListDate: PRICE_LIST_DATE }, m);
    }
  });

  test("the one token price the list publishes: gpt-image-2.6's image output, $30 per 1M tokens (still no estimate: no tokens per image)", () => {
    for (const m of ['gpt-image-2.6-sunburst', 'gpt-image-2.6-flare']) {
      assert.deepStrictEqual(estimateCost(m, { quality: 'high', size: '1024x1024', n: 2 }), { kind: 'tokens', priceListDate: PRICE_LIST_DATE, imageOutputPerMillion: 30 }, m);
    }
  });

  test('models the list publishes no price for say so: gpt-image-1.5, chatgpt-image-latest, gpt-image-1', () => {
    for (const m of ['gpt-image-1.5', 'gpt-image-1', 'chatgpt-image-latest', 'gpt-image-1.5-2025-12-16']) {
      assert.deepStrictEqual(estimateCost(m, { quality: 'high', size: '1024x1024', n: 1 }), { kind: 'unpublished', priceListDate: PRICE_LIST_DATE }, m);
    }
  });

  test("the reference's figures, every one: gpt-image-1-mini low/medium/high square and 1536, dall-e-3 standard/hd, dall-e-2 by size", () => {
    const each = (model: string, quality: string | undefined, size: string) => {
      const e = estimateCost(model, { quality, size, n: 1 });
      assert.ok(e.kind === 'per-image' && e.minEach === e.maxEach, `${model} ${quality} ${size}: ${JSON.stringify(e)}`);
      return e.minEach;
    };
    const mini = ['low', 'medium', 'high'].map((q) => [each('gpt-image-1-mini', q, '1024x1024'), each('gpt-image-1-mini', q, '1536x1024'), each('gpt-image-1-mini', q, '1024x1536')]);
    assert.deepStrictEqual(mini, [[0.005, 0.006, 0.006], [0.011, 0.015, 0.015], [0.036, 0.052, 0.052]]);
    assert.deepStrictEqual(['standard', 'hd'].map((q) => [each('dall-e-3', q, '1024x1024'), each('dall-e-3', q, '1792x1024'), each('dall-e-3', q, '1024x1792')]), [[0.04, 0.08, 0.08], [0.08, 0.12, 0.12]]);
    assert.deepStrictEqual(['256x256', '512x512', '1024x1024'].map((s) => each('dall-e-2', undefined, s)), [0.016, 0.018, 0.02]);
  });

  test('every built-in model of the capability table gets an estimate, or the list says why not (tokens, no published price)', () => {
    const kinds = Object.fromEntries(BUILTIN_MODELS.map((m) => [m.id, estimateCost(m.id, { n: 1 }).kind]));
    assert.deepStrictEqual(kinds, {
      'gpt-image-2.6-sunburst': 'tokens',
      'gpt-image-2.6-flare': 'tokens',
      'gpt-image-2.5-sunburst': 'tokens',
      'gpt-image-2.5-flare': 'tokens',
      'gpt-image-2': 'tokens',
      'gpt-image-1.5': 'unpublished',
      'gpt-image-1-mini': 'per-image',
      'chatgpt-image-latest': 'unpublished',
      'gpt-image-1': 'unpublished',
      'dall-e-3': 'per-image',
      'dall-e-2': 'per-image',
    });
  });

  test('unknown models and options have no estimate', () => {
    assert.deepStrictEqual(estimateCost('my-local-sd', { n: 1 }), { kind: 'unknown' });
    assert.deepStrictEqual(estimateCost('dall-e-3', { quality: 'standard', size: '512x512', n: 1 }), { kind: 'unknown' });
    assert.deepStrictEqual(estimateCost('gpt-image-1-mini', { quality: 'ultra', size: '1024x1024', n: 1 }), { kind: 'unknown' });
  });

  test('every built-in model has an estimate or is known to be token-billed', () => {
    for (const m of BUILTIN_MODELS) assert.notStrictEqual(estimateCost(m.id, { n: 1 }).kind, 'unknown', m.id);
  });

  test('every fixed size and quality a per-image model offers has a price', () => {
    for (const m of BUILTIN_MODELS) {
      if (estimateCost(m.id, { n: 1 }).kind !== 'per-image') continue;
      for (const q of m.qualities) for (const s of m.sizes) assert.strictEqual(estimateCost(m.id, { quality: q, size: s, n: 1 }).kind, 'per-image', `${m.id} ${q} ${s}`);
    }
  });

  test('sums do not show floating-point noise; money reads as dollars', () => {
    const e = estimateCost('dall-e-2', { size: '1024x1024', n: 3 });
    assert.ok(e.kind === 'per-image' && e.min === 0.06);
    assert.strictEqual(formatUsd(0.005), '$0.005');
    assert.strictEqual(formatUsd(0.24), '$0.24');
    assert.strictEqual(formatUsd(1.2), '$1.20');
  });

  test('an estimate is shown with the precision it has: $0.208 is not $0.21', () => {
    const e = estimateCost('gpt-image-1-mini', { quality: 'high', size: '1536x1024', n: 4 });
    assert.ok(e.kind === 'per-image' && e.min === 0.208);
    assert.strictEqual(formatUsd(e.min), '$0.208');
    const cases: [number, string][] = [
      [0.005, '$0.005'], [0.048, '$0.048'], [0.1, '$0.10'], [0.126, '$0.126'], [0.2, '$0.20'], [0.24, '$0.24'],
      [0.999, '$0.999'], [1, '$1.00'], [1.08, '$1.08'], [1.085, '$1.085'], [0.1 + 0.2, '$0.30'], [0, '$0.00'],
    ];
    for (const [usd, shown] of cases) assert.strictEqual(formatUsd(usd), shown, String(usd));
    // Every estimate the price list can give (1 to 10 images) round-trips exactly.
    for (const model of ['gpt-image-1-mini', 'dall-e-3', 'dall-e-2']) {
      for (let n = 1; n <= 10; n++) {
        const c = estimateCost(model, { n });
        assert.ok(c.kind === 'per-image');
        for (const v of [c.min, c.max]) assert.strictEqual(Number(formatUsd(v).slice(1)), v, `${model} n=${n}: ${formatUsd(v)}`);
      }
    }
  });
});
