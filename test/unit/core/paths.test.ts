import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkOutputFolder, checkRealFolder, isInsideFolder } from '../../../src/core/paths';
import { englishMessage } from '../../../src/shared/messages';

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
    assert.ok(!r.ok && /outside the workspace/.test(englishMessage(r.reason)));
    const abs = checkOutputFolder('/tmp/x');
    assert.ok(!abs.ok && /relative to the workspace/.test(englishMessage(abs.reason)));
    assert.ok(!checkOutputFolder('bad:name').ok);
  });
});

suite('output folder on disk: links that lead out of the workspace', () => {
  let tmp: string;
  let ws: string;
  let outside: string;
  setup(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pw-paths-')));
    ws = path.join(tmp, 'workspace');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(ws, 'images'), { recursive: true });
    fs.mkdirSync(outside);
  });
  teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('plain folders, folders still to be made, and links that stay inside are fine', async () => {
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated']), { ok: true });
    assert.deepStrictEqual(await checkRealFolder(ws, ['new', 'deeper']), { ok: true });
    assert.deepStrictEqual(await checkRealFolder(ws, []), { ok: true });
    fs.mkdirSync(path.join(ws, 'assets'));
    fs.symlinkSync(path.join(ws, 'assets'), path.join(ws, 'images', 'generated'));
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated']), { ok: true });
  });

  test('a committed images/generated link to elsewhere is refused, naming the folder and where it goes', async () => {
    fs.symlinkSync(outside, path.join(ws, 'images', 'generated'));
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated']), { ok: false, folder: 'images/generated', target: outside });
    // A relative link, and a folder below the link (which exists only through it).
    fs.rmSync(path.join(ws, 'images', 'generated'));
    fs.mkdirSync(path.join(outside, 'sub'));
    fs.symlinkSync('../../outside', path.join(ws, 'images', 'generated'));
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated', 'sub']), { ok: false, folder: 'images/generated', target: outside });
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated', 'not-yet']), { ok: false, folder: 'images/generated', target: outside });
  });

  test('a link higher up, and a link to nowhere, are refused too', async () => {
    fs.rmSync(path.join(ws, 'images'), { recursive: true });
    fs.symlinkSync(outside, path.join(ws, 'images'));
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated']), { ok: false, folder: 'images', target: outside });
    fs.rmSync(path.join(ws, 'images'));
    fs.mkdirSync(path.join(ws, 'images'));
    fs.symlinkSync(path.join(outside, 'missing'), path.join(ws, 'images', 'generated'));
    assert.deepStrictEqual(await checkRealFolder(ws, ['images', 'generated']), { ok: false, folder: 'images/generated', target: path.join(outside, 'missing') });
  });

  test('a workspace opened through a link is measured by its real path', async () => {
    const alias = path.join(tmp, 'alias');
    fs.symlinkSync(ws, alias);
    assert.deepStrictEqual(await checkRealFolder(alias, ['images', 'generated']), { ok: true });
    fs.symlinkSync(outside, path.join(ws, 'images', 'generated'));
    assert.deepStrictEqual(await checkRealFolder(alias, ['images', 'generated']), { ok: false, folder: 'images/generated', target: outside });
  });

  test('inside means the folder itself or below it, not a sibling that shares a prefix', () => {
    assert.ok(isInsideFolder('/w/proj', '/w/proj'));
    assert.ok(isInsideFolder('/w/proj', '/w/proj/images/a'));
    assert.ok(isInsideFolder('/w/proj', '/w/proj/..images'));
    assert.ok(!isInsideFolder('/w/proj', '/w/proj-other/images'));
    assert.ok(!isInsideFolder('/w/proj', '/w'));
    assert.ok(!isInsideFolder('/w/proj', '/etc'));
    assert.ok(isInsideFolder('C:\\w\\proj', 'c:\\W\\proj\\img', path.win32));
    assert.ok(!isInsideFolder('C:\\w\\proj', 'D:\\w\\proj\\img', path.win32));
  });
});
