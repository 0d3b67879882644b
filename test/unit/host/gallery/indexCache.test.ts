/**
 * The index a window keeps for the next one (src/host/gallery/indexCache.ts): what goes in comes out, a
 * damaged or foreign file is ignored, and an entry is used only for the mtime and size it was read at.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StoredRecord } from '../../../../src/core/metadata';
import { entryMatches, loadIndexCache, saveIndexCache, type IndexEntry } from '../../../../src/host/gallery/indexCache';

const record = { v: 1, operation: 'generate', prompt: 'a fox', model: 'gpt-image-1.5', options: { n: 1 }, createdAt: '2026-11-01T00:00:00Z' } as unknown as StoredRecord;

suite('gallery: the index kept between windows', () => {
  let dir: string;
  setup(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-gallery-cache-'))));
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('entries (with a record, and files without one) come back as they were saved', async () => {
    const file = path.join(dir, 'sub', 'index.json');
    const entries: [string, IndexEntry][] = [
      ['file:///w/images/a.png', { mtime: 1700000000123.4, size: 2048, record, width: 1024, height: 768 }],
      ['file:///w/images/plain.png', { mtime: 1700000000000, size: 99 }],
    ];
    await saveIndexCache(file, entries);
    const back = await loadIndexCache(file);
    assert.deepStrictEqual([...back], entries);
    assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['index.json'], 'no temporary file left');
  });

  test('a missing, damaged or foreign file gives an empty index; bad rows are skipped', async () => {
    assert.strictEqual((await loadIndexCache(path.join(dir, 'none.json'))).size, 0);
    const file = path.join(dir, 'index.json');
    fs.writeFileSync(file, '{"format":"pixelwright-gallery-index/1","rows":[["file:///a.png",1,2,0,0,0]');
    assert.strictEqual((await loadIndexCache(file)).size, 0, 'truncated JSON');
    fs.writeFileSync(file, JSON.stringify({ format: 'something-else', rows: [['file:///a.png', 1, 2, 0, 0, 0]] }));
    assert.strictEqual((await loadIndexCache(file)).size, 0, 'another format');
    fs.writeFileSync(file, JSON.stringify({ format: 'pixelwright-gallery-index/1', rows: [['file:///ok.png', 1, 2, 0, 0, 0], ['file:///bad.png', 'x', 2, 0, 0, 0], [3, 1, 2, 0, 0, 0], ['file:///norecord.png', 1, 2, { prompt: 1 }, 0, 0]] }));
    const m = await loadIndexCache(file);
    assert.deepStrictEqual([...m.keys()], ['file:///ok.png', 'file:///norecord.png']);
    assert.strictEqual(m.get('file:///norecord.png')!.record, undefined, 'a record without a prompt is not trusted');
  });

  test('an entry matches only the same size and mtime (to the millisecond)', () => {
    const e: IndexEntry = { mtime: 1000.4, size: 10 };
    assert.ok(entryMatches(e, 1000.2, 10));
    assert.ok(!entryMatches(e, 1001, 10));
    assert.ok(!entryMatches(e, 1000.4, 11));
    assert.ok(!entryMatches(undefined, 1000.4, 10));
  });
});
