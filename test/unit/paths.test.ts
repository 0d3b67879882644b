import * as assert from 'assert';
import { checkOutputFolder } from '../../src/core/paths';

suite('output folder setting', () => {
  test('workspace-relative folders are accepted and normalized', () => {
    assert.deepStrictEqual(checkOutputFolder('images/generated'), { ok: true, segments: ['images', 'generated'] });
    assert.deepStrictEqual(checkOutputFolder('./a\\b//c/'), { ok: true, segments: ['a', 'b', 'c'] });
    assert.deepStrictEqual(checkOutputFolder('a/../b'), { ok: true, segments: ['b'] });
    assert.deepStrictEqual(checkOutputFolder(''), { ok: true, segments: [] });
    assert.deepStrictEqual(checkOutputFolder('资源/图片'), { ok: true, segments: ['资源', '图片'] });
  });

  test('anything that escapes the workspace is refused with a reason', () => {
    for (const bad of ['../outside', 'a/../../b', '/etc', 'C:\\Users', '\\\\server\\share', '~/pics', 'file:///tmp']) {
      const r = checkOutputFolder(bad);
      assert.ok(!r.ok, bad);
    }
    const r = checkOutputFolder('../x');
    assert.ok(!r.ok && /outside the workspace/.test(r.reason));
    const abs = checkOutputFolder('/tmp/x');
    assert.ok(!abs.ok && /relative to the workspace/.test(abs.reason));
    assert.ok(!checkOutputFolder('bad:name').ok);
  });
});
