/**
 * Where "Generate Image from Selection" puts its link after the user went on typing
 * (src/host/editor/tracking.ts): edits before the selection move it, edits after it leave it,
 * edits into it mark it touched (the link then goes in at the cursor and the text stays).
 */
import * as assert from 'assert';
import { trackChange, trackEvent, type TrackedOffsets } from '../../../../src/host/editor/tracking';

const sel = (start: number, end: number, touched = false): TrackedOffsets => ({ start, end, touched });
const insert = (offset: number, text: number) => ({ offset, length: 0, textLength: text });
const del = (offset: number, length: number) => ({ offset, length, textLength: 0 });
const replace = (offset: number, length: number, text: number) => ({ offset, length, textLength: text });

suite('editor: the selection followed through edits', () => {
  test('typing or deleting before the selection moves it', () => {
    assert.deepStrictEqual(trackChange(sel(10, 20), insert(0, 5)), sel(15, 25));
    assert.deepStrictEqual(trackChange(sel(10, 20), del(2, 3)), sel(7, 17));
    assert.deepStrictEqual(trackChange(sel(10, 20), insert(10, 4)), sel(14, 24), 'typing right at its start is before it');
    assert.deepStrictEqual(trackChange(sel(10, 20), replace(5, 5, 1)), sel(6, 16), 'a replacement that ends at its start');
  });

  test('typing after the selection (also right at its end) leaves it', () => {
    assert.deepStrictEqual(trackChange(sel(10, 20), insert(20, 5)), sel(10, 20));
    assert.deepStrictEqual(trackChange(sel(10, 20), del(25, 10)), sel(10, 20));
  });

  test('an edit inside or across the selection marks it touched and spans the new text', () => {
    assert.deepStrictEqual(trackChange(sel(10, 20), insert(15, 3)), sel(10, 23, true));
    assert.deepStrictEqual(trackChange(sel(10, 20), del(12, 4)), sel(10, 16, true));
    assert.deepStrictEqual(trackChange(sel(10, 20), replace(5, 10, 2)), sel(5, 12, true), 'across its start');
    assert.deepStrictEqual(trackChange(sel(10, 20), replace(18, 10, 1)), sel(10, 19, true), 'across its end');
    assert.deepStrictEqual(trackChange(sel(10, 20), del(0, 40)), sel(0, 0, true), 'deleted with everything around it');
    assert.deepStrictEqual(trackChange(sel(10, 20), del(10, 10)), sel(10, 10, true), 'exactly the selection deleted');
  });

  test('a cursor: typing at it moves it along, deleting after it leaves it, deleting across it touches it', () => {
    assert.deepStrictEqual(trackChange(sel(8, 8), insert(8, 3)), sel(11, 11));
    assert.deepStrictEqual(trackChange(sel(8, 8), del(7, 1)), sel(7, 7), 'backspace');
    assert.deepStrictEqual(trackChange(sel(8, 8), del(8, 2)), sel(8, 8), 'delete forward');
    assert.deepStrictEqual(trackChange(sel(8, 8), del(6, 4)), sel(6, 6, true));
  });

  test('touched stays touched through later edits', () => {
    assert.deepStrictEqual(trackChange(sel(10, 12, true), insert(0, 2)), sel(12, 14, true));
  });

  test('one event with several changes (multi-cursor), each in the old document, in any order', () => {
    const changes = [insert(2, 1), insert(15, 1), insert(30, 1)];
    assert.deepStrictEqual(trackEvent(sel(10, 20), changes), sel(11, 22, true));
    assert.deepStrictEqual(trackEvent(sel(10, 20), [...changes].reverse()), sel(11, 22, true));
    assert.deepStrictEqual(trackEvent(sel(10, 20), [insert(2, 1), insert(5, 2)]), sel(13, 23));
  });
});
