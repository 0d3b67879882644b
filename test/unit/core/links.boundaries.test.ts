/**
 * Boundaries of the link rules that mutation testing found unpinned: the alt text's length limit
 * and where it is cut, a variation's alt text from its file name, `..` above a relative path,
 * a document on another scheme. Expected values are written out by hand.
 */
import * as assert from 'assert';
import { altText, normalizePath, referenceFor } from '../../../src/core/links';

suite('links: boundaries', () => {
  test('alt text: exactly the limit stays whole; one more is cut with an ellipsis', () => {
    assert.strictEqual(altText('a'.repeat(100)), 'a'.repeat(100));
    assert.strictEqual(altText('a'.repeat(101)), `${'a'.repeat(100)}…`);
    assert.strictEqual(altText('abcdefghij', '', 10), 'abcdefghij');
  });

  test('alt text: cut at the last space when it lies past half the limit, else mid-word', () => {
    assert.strictEqual(altText('abcdefg hijk', '', 10), 'abcdefg…');
    assert.strictEqual(altText('abcde fghijklmno', '', 10), 'abcde fghi…', 'a space exactly at half the limit is too early to cut at');
    assert.strictEqual(altText('abcdefgh,; zzzzzz', '', 10), 'abcdefgh…', 'all trailing punctuation goes before the ellipsis');
  });

  test('alt text without a prompt: the file name without its last extension, dashes and underscores as single spaces', () => {
    assert.strictEqual(altText('  ', 'my.cat--photo__2.png'), 'my.cat photo 2');
    assert.strictEqual(altText(''), '');
  });

  test('.. above a relative path is kept, each one; above the root it is dropped', () => {
    assert.strictEqual(normalizePath('../../a'), '../../a');
    assert.strictEqual(normalizePath('a/../../b'), '../b');
    assert.strictEqual(normalizePath('/../a'), '/a');
  });

  test('a document on another scheme (same authority) gets the workspace-relative path', () => {
    const img = { scheme: 'file', authority: '', path: '/ws/images/a.png' };
    assert.strictEqual(referenceFor(img, { scheme: 'vscode-vfs', authority: '', path: '/ws/docs/a.md' }, 'images/a.png'), 'images/a.png');
    assert.strictEqual(referenceFor(img, { scheme: 'file', authority: '', path: '/ws/docs/a.md' }, 'images/a.png'), '../images/a.png');
  });
});
