// Boundaries of file naming (found by mutation testing): where a slug is cut, apostrophes next to
// digits, the batch suffix, unknown formats and the temp name's byte budget.
import * as assert from 'assert';
import { extensionFor, imageFileName, slugify, tempName, uniqueName } from '../../../src/core/naming';

const time = new Date(2026, 10, 23, 14, 25, 1);

suite('file names: boundaries', () => {
  test('a slug of exactly maxLength is kept whole', () => {
    assert.strictEqual(slugify('abcd efghi', 10), 'abcd-efghi');
    assert.strictEqual(slugify('a'.repeat(48)), 'a'.repeat(48));
  });

  test('the cut keeps whole words when they fill at least half of maxLength', () => {
    assert.strictEqual(slugify('abcd efgh ijklmn', 12), 'abcd-efgh');
    assert.strictEqual(slugify('abcde fghijklmn', 10), 'abcde', 'exactly half');
    assert.strictEqual(slugify('abcd fghijklmn', 10), 'abcd-fghij', 'less than half: cut between characters');
    assert.strictEqual(slugify('ab cd ef gh ij kl', 10), 'ab-cd-ef');
  });

  test('a cut between characters never leaves a mark without its base, nor a trailing dash', () => {
    assert.strictEqual(slugify('abcdefghij\u0301klm', 10), 'abcdefghi');
    assert.strictEqual(slugify('abc x' + '\u0301'.repeat(20), 10), 'abc');
  });

  test('an apostrophe between letters or digits just disappears', () => {
    assert.strictEqual(slugify("the 90's"), 'the-90s');
    assert.strictEqual(slugify("summer'99"), 'summer99');
    assert.strictEqual(slugify("otter's"), 'otters');
    assert.strictEqual(slugify("' quoted '"), 'quoted');
  });

  test('the batch suffix needs count > 1 and an index from 0 on', () => {
    assert.strictEqual(imageFileName({ prompt: 'fox', time, index: -1, count: 3, format: 'png' }), 'fox-20261123-142501.png');
    assert.strictEqual(imageFileName({ prompt: 'fox', time, index: 0, count: 3, format: 'png' }), 'fox-20261123-142501-1.png');
    assert.strictEqual(imageFileName({ prompt: 'fox', time, index: 1.5, count: 3, format: 'png' }), 'fox-20261123-142501.png');
    assert.strictEqual(imageFileName({ prompt: 'fox', time, index: 0, count: 1, format: 'png' }), 'fox-20261123-142501.png');
  });

  test('extensions: .jpg for JPEG; an unknown format is refused', () => {
    assert.deepStrictEqual((['png', 'jpeg', 'webp', 'gif'] as const).map(extensionFor), ['.png', '.jpg', '.webp', '.gif']);
    assert.throws(() => imageFileName({ prompt: 'x', time, format: 'bmp' as 'png' }), { name: 'RangeError', message: 'imageFileName: unknown format "bmp"' });
    assert.throws(() => imageFileName({ prompt: 'x', time: new Date(Number.NaN), format: 'png' }), { name: 'RangeError', message: 'imageFileName: time is not a valid date' });
  });

  test('uniqueName refuses an empty name', async () => {
    await assert.rejects(uniqueName('', () => false), { name: 'RangeError', message: 'uniqueName: empty name' });
  });

  test('a temp name keeps at most 200 UTF-8 bytes of the final name, whole characters only', () => {
    const stem = (t: string) => t.slice(1, -('.0123456789ab.tmp'.length));
    assert.strictEqual(stem(tempName('a'.repeat(300))), 'a'.repeat(200));
    assert.strictEqual(stem(tempName('a'.repeat(200))), 'a'.repeat(200));
    assert.strictEqual(stem(tempName('é'.repeat(150))), 'é'.repeat(100));
    assert.strictEqual(stem(tempName('a'.repeat(199) + '🦦')), 'a'.repeat(199));
    assert.strictEqual(stem(tempName('a'.repeat(196) + '🦦b')), 'a'.repeat(196) + '🦦');
  });
});
