// Boundaries of the `pixelwright.generate` argument check (found by mutation testing).
import * as assert from 'assert';
import { parseGenerateArgs } from '../../../src/core/args';

function problem(raw: unknown): string {
  const r = parseGenerateArgs(raw);
  assert.ok(!r.ok, `expected a refusal for ${JSON.stringify(raw)}`);
  return r.problem;
}

function args(raw: unknown) {
  const r = parseGenerateArgs(raw);
  assert.ok(r.ok, `expected ${JSON.stringify(raw)} to pass`);
  return r;
}

suite('generate command arguments: boundaries', () => {
  test('n: 1 and 10 are accepted, 0 and 11 refused', () => {
    assert.strictEqual(args({ n: 1 }).args.n, 1);
    assert.strictEqual(args({ n: 10 }).args.n, 10);
    assert.strictEqual(problem({ n: 0 }), '"n" must be a whole number from 1 to 10');
    assert.strictEqual(problem({ n: 11 }), '"n" must be a whole number from 1 to 10');
    assert.strictEqual(problem({ n: '3' }), '"n" must be a whole number from 1 to 10');
  });

  test('outputCompression: 0 and 100 are accepted, -1, 101 and fractions refused', () => {
    assert.strictEqual(args({ outputCompression: 0 }).args.outputCompression, 0);
    assert.strictEqual(args({ outputCompression: 100 }).args.outputCompression, 100);
    for (const c of [-1, 101, 50.5]) assert.strictEqual(problem({ outputCompression: c }), '"outputCompression" must be a whole number from 0 to 100');
  });

  test('noOpen must be a boolean', () => {
    assert.strictEqual(args({ noOpen: false }).args.noOpen, false);
    assert.strictEqual(problem({ noOpen: 'yes' }), '"noOpen" must be true or false');
    assert.strictEqual(problem({ noOpen: 1 }), '"noOpen" must be true or false');
  });

  test('enums: each field names its allowed values', () => {
    assert.strictEqual(problem({ background: 'clear' }), '"background" must be one of auto, transparent, opaque');
    assert.strictEqual(problem({ moderation: 'high' }), '"moderation" must be one of auto, low');
    assert.strictEqual(problem({ outputFormat: 1 }), '"outputFormat" must be one of png, jpeg, webp, svg, gif');
    assert.deepStrictEqual(args({ background: 'transparent', moderation: 'low', outputFormat: 'webp' }).args, { background: 'transparent', moderation: 'low', outputFormat: 'webp' });
  });

  test('strings: trimmed except the prompt, blank ones dropped, each one checked', () => {
    const r = args({ prompt: '  a fox  ', model: ' gpt-image-2 ', size: ' 1024x1024', quality: 'high ', style: ' vivid', outputFolder: ' out/img ' });
    assert.deepStrictEqual(r.args, { prompt: '  a fox  ', model: 'gpt-image-2', size: '1024x1024', quality: 'high', style: 'vivid', outputFolder: 'out/img' });
    assert.deepStrictEqual(args({ prompt: '   ', model: '' }).args, {});
    for (const key of ['model', 'size', 'quality', 'style', 'outputFolder']) assert.strictEqual(problem({ [key]: 1 }), `"${key}" must be a string`);
  });

  test('null and undefined fields are skipped; unknown fields are reported, not refused', () => {
    assert.deepStrictEqual(parseGenerateArgs({ prompt: null, n: undefined, size: 'auto', colour: 'red', seed: 4 }), {
      ok: true,
      args: { size: 'auto' },
      ignored: ['colour', 'seed'],
    });
  });

  test('null, a blank string, or a non-object', () => {
    assert.deepStrictEqual(parseGenerateArgs(null), { ok: true, args: {}, ignored: [] });
    assert.deepStrictEqual(parseGenerateArgs('   '), { ok: true, args: {}, ignored: [] });
    assert.match(problem(true), /must be an object such as \{ "prompt": "\.\.\.", "model": "gpt-image-1\.5" \}/);
  });
});
