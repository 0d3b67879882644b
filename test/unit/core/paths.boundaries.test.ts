// Boundaries of the output folder check (found by mutation testing).
import * as assert from 'assert';
import { checkOutputFolder } from '../../../src/core/paths';
import { englishMessage } from '../../../src/shared/messages';

const reason = (s: string) => {
  const r = checkOutputFolder(s);
  assert.ok(!r.ok, `expected ${JSON.stringify(s)} to be refused`);
  return englishMessage(r.reason);
};
const ABSOLUTE = 'it must be a path relative to the workspace folder, not an absolute path';

suite('output folder setting: boundaries', () => {
  test('spaces around the whole setting are ignored', () => {
    assert.deepStrictEqual(checkOutputFolder('  images/out  '), { ok: true, segments: ['images', 'out'] });
  });

  test('absolute: a drive letter, a leading slash, ~, or a URL scheme at the start', () => {
    for (const s of ['C:\\x', 'c:x', '/x', '\\x', '~', 'https://example.com/x', 'vscode-remote://host/x', 'a+b.c-d://x']) assert.strictEqual(reason(s), ABSOLUTE, s);
  });

  test('a colon elsewhere is a bad folder name, not an absolute path', () => {
    assert.strictEqual(reason('1:x'), '"1:x" is not a folder name that works on every system');
    assert.strictEqual(reason('img/http://x'), '"http:" is not a folder name that works on every system');
    assert.strictEqual(reason('a?b'), '"a?b" is not a folder name that works on every system');
  });

  test('a dot or space is refused only at the end of a name', () => {
    assert.deepStrictEqual(checkOutputFolder('assets/v1.2/my images'), { ok: true, segments: ['assets', 'v1.2', 'my images'] });
    assert.strictEqual(reason('assets/v1.'), '"v1." is not a folder name that works on every system');
    assert.strictEqual(reason('assets/v1 /x'), '"v1 " is not a folder name that works on every system');
  });
});
