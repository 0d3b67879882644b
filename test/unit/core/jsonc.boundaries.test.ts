// The manifest's JSONC reader (src/core/jsonc.ts): each error's words, line and offset (at the end
// of the file or inside it), every escape, whitespace and comment form, the nesting bound on both
// sides, number forms, node positions, and the line of an offset.
import * as assert from 'assert';
import { JsoncError, lineOf, parseJsonc, plainValue } from '../../../src/core/jsonc';
import { englishMessage } from '../../../src/shared/messages';

/** The error a text gives: [message, offset, reason in English]. */
function error(text: string): [string, number, string] {
  try {
    parseJsonc(text);
  } catch (e) {
    assert.ok(e instanceof JsoncError);
    assert.strictEqual(e.name, 'JsoncError');
    return [e.message, e.offset, englishMessage(e.reason)];
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}
const value = (text: string) => plainValue(parseJsonc(text));

suite('JSONC reader: boundaries', () => {
  test('errors inside the file name their line; at the end of the file they say so', () => {
    assert.deepStrictEqual(error('{\n"a" 1}'), ['":" was expected at line 2', 6, '":" was expected']);
    assert.deepStrictEqual(error('\n[1 2]'), ['"," or "]" was expected at line 2', 4, '"," or "]" was expected']);
    assert.deepStrictEqual(error('[1,'), ['a value was expected, but the file ends', 3, 'a value was expected, but the file ends']);
    assert.deepStrictEqual(error('"abc'), ['a string is not closed, but the file ends', 4, 'a string is not closed, but the file ends']);
    assert.deepStrictEqual(error('["a\nb"]'), ['a line break inside a string at line 1', 3, 'a line break inside a string']);
    assert.deepStrictEqual(error('/* open'), ['a comment is not closed at line 1', 0, 'a comment is not closed']);
    assert.deepStrictEqual(error('/*/ []'), ['a comment is not closed at line 1', 0, 'a comment is not closed']);
    assert.deepStrictEqual(error('{"a": /x}'), ['a value was expected at line 1', 6, 'a value was expected']);
    assert.deepStrictEqual(error('[x* */ 1]'), ['a value was expected at line 1', 1, 'a value was expected']);
    assert.deepStrictEqual(error('[x1]'), ['a value was expected at line 1', 1, 'a value was expected']);
    assert.deepStrictEqual(error('{} x'), ['the file should end after its value at line 1', 3, 'the file should end after its value']);
  });

  test('escapes: each simple one, \\u with four hex digits, and nothing else', () => {
    assert.strictEqual(value('"\\"\\\\\\/\\b\\f\\n\\r\\t"'), '"\\/\b\f\n\r\t');
    assert.strictEqual(value('"caf\\u00e9 \\u00E9"'), 'café é');
    for (const bad of ['"\\x0041"', '"\\u00g9"', '"\\u12"', '"\\a"']) assert.deepStrictEqual(error(bad).slice(2), ['an unknown escape in a string'], bad);
  });

  test('whitespace (space, tab, line breaks, a byte-order mark) and comments, a line comment at the very end', () => {
    assert.deepStrictEqual(value('\uFEFF\t{\r\n "a" :\t1 } // the end'), { a: 1 });
    assert.deepStrictEqual(value('/* a */[/**/1 /* b */, // c\n 2]'), [1, 2]);
  });

  test('nesting: a value at depth 256 is read, one deeper is not (arrays and objects)', () => {
    assert.strictEqual(JSON.stringify(value(`${'['.repeat(257)}${']'.repeat(257)}`)).length, 514);
    assert.strictEqual(error(`${'['.repeat(258)}${']'.repeat(258)}`)[2], 'nesting too deep');
    assert.ok(value(`${'{"a":'.repeat(256)}1${'}'.repeat(256)}`));
    assert.strictEqual(error(`${'{"a":'.repeat(257)}1${'}'.repeat(257)}`)[2], 'nesting too deep');
  });

  test('numbers: signs, fractions and exponents; no leading zero', () => {
    assert.deepStrictEqual(value('[-0, 1.5, 1e10, 1E+5, 2e-2, -3.25e1]'), [-0, 1.5, 1e10, 1e5, 0.02, -32.5]);
    assert.strictEqual(error('01')[2], 'the file should end after its value');
  });

  test('positions: each node\'s offset and length, booleans and null as such', () => {
    const text = ' {"a": [true, false, null], "bb": {"c": 1}} ';
    const root = parseJsonc(text);
    assert.deepStrictEqual([root.type, root.offset, root.length], ['object', 1, text.length - 2]);
    if (root.type !== 'object') return;
    const [a, bb] = root.properties;
    assert.deepStrictEqual([a.keyOffset, a.keyLength, bb.keyOffset, bb.keyLength], [2, 3, 28, 4]);
    assert.strictEqual(text.slice(bb.value.offset, bb.value.offset + bb.value.length), '{"c": 1}');
    assert.ok(a.value.type === 'array');
    if (a.value.type !== 'array') return;
    assert.deepStrictEqual(a.value.items.map((n) => [n.type, n.offset, n.length]), [['boolean', 8, 4], ['boolean', 14, 5], ['null', 21, 4]]);
  });

  test('lineOf: a line break ends its line; one at the start of the text begins line 2', () => {
    assert.strictEqual(lineOf('a\nb', 1), 1);
    assert.strictEqual(lineOf('a\nb', 2), 2);
    assert.strictEqual(lineOf('\nb', 1), 2);
    assert.strictEqual(lineOf('abc', 2), 1);
  });
});
