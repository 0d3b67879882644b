import * as assert from 'assert';
import { parseGenerateArgs } from '../../../src/core/args';
import { englishMessage } from '../../../src/shared/messages';

suite('generate command arguments', () => {
  test('nothing, a string, or an object', () => {
    assert.deepStrictEqual(parseGenerateArgs(undefined), { ok: true, args: {}, ignored: [] });
    assert.deepStrictEqual(parseGenerateArgs('a red fox'), { ok: true, args: { prompt: 'a red fox' }, ignored: [] });
    const r = parseGenerateArgs({ prompt: 'fox', model: ' dall-e-3 ', n: 3, outputFormat: 'png', noOpen: true, extra: 1 });
    assert.deepStrictEqual(r, { ok: true, args: { prompt: 'fox', model: 'dall-e-3', n: 3, outputFormat: 'png', noOpen: true }, ignored: ['extra'] });
  });

  test('wrong types are refused with the field named', () => {
    const bad = (raw: unknown) => {
      const r = parseGenerateArgs(raw);
      assert.ok(!r.ok);
      return r.problem;
    };
    assert.match(bad({ prompt: 42 }), /"prompt" must be a string/);
    assert.match(bad({ n: 0 }), /"n" must be a whole number from 1 to 10/);
    assert.match(bad({ n: 2.5 }), /"n"/);
    assert.match(bad({ outputFormat: 'bmp' }), /png, jpeg, webp, svg, gif/);
    assert.match(bad({ complexity: 'extreme' }), /low, medium, high/);
    assert.match(bad({ frameCount: 17 }), /"frameCount" must be a whole number from 2 to 16/);
    assert.match(bad({ frameDurationMs: 5 }), /"frameDurationMs" must be a whole number from 10 to 655350/);
    assert.match(bad({ outputCompression: 200 }), /0 to 100/);
    assert.match(bad([1, 2]), /must be an object/);
    assert.match(bad(7), /must be an object/);
  });

  test('a problem is a message id with parameters (translated by the host); `problem` is its English', () => {
    const cases: [unknown, string, readonly (string | number)[]][] = [
      [{ prompt: 42 }, 'args.notString', ['prompt']],
      [{ background: 'clear' }, 'args.oneOf', ['background', 'auto, transparent, opaque']],
      [{ n: 11 }, 'args.wholeNumber', ['n', 1, 10]],
      [{ noOpen: 'yes' }, 'args.trueOrFalse', ['noOpen']],
      [[1], 'args.notObject', []],
    ];
    for (const [raw, id, args] of cases) {
      const r = parseGenerateArgs(raw);
      assert.ok(!r.ok, JSON.stringify(raw));
      assert.deepStrictEqual(r.text, { id, args }, JSON.stringify(raw));
      assert.strictEqual(r.problem, englishMessage(r.text));
    }
  });
});
