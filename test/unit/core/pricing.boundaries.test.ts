// Boundaries of price formatting (found by mutation testing).
import * as assert from 'assert';
import { formatUsd } from '../../../src/core/pricing';

suite('price formatting: boundaries', () => {
  test('three decimals below 10 cents, two from 10 cents on', () => {
    assert.strictEqual(formatUsd(0.099), '$0.099');
    assert.strictEqual(formatUsd(0.1), '$0.10');
    assert.strictEqual(formatUsd(0.12), '$0.12');
  });
});
