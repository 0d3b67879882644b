// The asset plan (src/core/assetPlan.ts) in the cases mutation testing found unpinned: the folders
// listed for orphans (the workspace root included), orphans sorted and only those with a recorded
// hash, item kinds, an edit's source digest in its recipe, the concurrency bound, and the disk IO
// (AVIF hashes kept beside, missing files and folders, other errors, what a folder lists).
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diskPlanIO, eachLimited, planAssets, type FileHead, type PlanIO } from '../../../src/core/assetPlan';
import { readManifest, recipeHash, renditionHash } from '../../../src/core/manifest';
import { embedRecord } from '../../../src/core/metadata';
import { ModelTable } from '../../../src/core/models';
import type { StoredRecord } from '../../../src/core/metadata';
import type { GenerationRecord } from '../../../src/core/record';

const models = new ModelTable();
const read = (text: string) => readManifest(text, { manifestDir: '', models, defaultModel: 'gpt-image-1.5' });
const MANIFEST = `{ "version": 1, "assets": [
  { "path": "a.png", "prompt": "an apple", "renditions": [ { "path": "a@small.webp", "scale": 0.5 } ] },
  { "path": "sub/b.png", "prompt": "a banana" } ] }`;
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const rec = (asset?: { recipe: string }): StoredRecord => ({ v: 1, operation: 'generate', prompt: 'p', model: 'gpt-image-1.5', options: {}, provider: { kind: 'openai' }, createdAt: '2026-12-01T00:00:00.000Z', tool: 't', ...(asset ? { asset } : {}) }) as unknown as StoredRecord;

suite('asset plan: boundaries', () => {
  test('orphans: listed from every output folder (the root included), sorted, only files that record a hash', async () => {
    const m = read(MANIFEST);
    const [a] = m.entries;
    const aHash = recipeHash(a);
    const heads: Record<string, FileHead> = {
      'a.png': { record: rec({ recipe: aHash }), bytesRead: 10 },
      'a@small.webp': { record: rec({ recipe: renditionHash(a.renditions[0], { recipe: aHash, createdAt: '2026-12-01T00:00:00.000Z' }) }), bytesRead: 5 },
      'z-old.png': { record: rec({ recipe: 'x' }), bytesRead: 1 },
      'm-old.png': { recipe: 'y', bytesRead: 1 },
      'plain.png': { record: rec(), bytesRead: 1 },
      'sub/c-old.png': { record: rec({ recipe: 'z' }), bytesRead: 1 },
    };
    const asked: string[] = [];
    const io: PlanIO = {
      head: async (p) => heads[p],
      listImages: async (folder) => {
        asked.push(folder);
        return folder === '' ? ['z-old.png', 'a.png', 'plain.png', 'm-old.png', 'a@small.webp'] : folder === 'sub' ? ['sub/c-old.png'] : [];
      },
      sourceDigest: () => undefined,
    };
    const plan = await planAssets(m.entries, io);
    assert.deepStrictEqual(asked.sort(), ['', 'sub']);
    assert.deepStrictEqual(plan.orphaned, ['m-old.png', 'sub/c-old.png', 'z-old.png']);
    assert.deepStrictEqual(plan.items.map((i) => [i.kind, i.path, i.state]), [['image', 'a.png', 'up-to-date'], ['rendition', 'a@small.webp', 'up-to-date'], ['image', 'sub/b.png', 'new']]);
    assert.strictEqual(plan.bytesRead, 19);
  });

  test('an entry with a record but no asset hash is foreign; a waiting rendition is still a rendition', async () => {
    const m = read(MANIFEST);
    const io: PlanIO = { head: async (p) => (p === 'a.png' ? { record: rec(), bytesRead: 1 } : undefined), listImages: async () => [], sourceDigest: () => undefined };
    const plan = await planAssets(m.entries, io);
    assert.deepStrictEqual(plan.items.map((i) => [i.kind, i.state]), [['image', 'foreign'], ['rendition', 'waiting'], ['image', 'new']]);
  });

  test('an edit\'s recipe changes with its source\'s bytes', async () => {
    const m = read(`{ "version": 1, "assets": [ { "path": "e.png", "prompt": "make it red", "sources": ["in/src.png"] } ] }`);
    const plan = (digest: string) => planAssets(m.entries, { head: async () => undefined, listImages: async () => [], sourceDigest: (p) => (p === 'in/src.png' ? digest : undefined) });
    const [one, two] = [(await plan('d1')).items[0].recipe, (await plan('d2')).items[0].recipe];
    assert.notStrictEqual(one, two);
    assert.strictEqual(one, recipeHash(m.entries[0], () => 'd1'));
  });

  test('eachLimited: at most `limit` at once, all of them, at least one worker', async () => {
    const peak = async (limit: number, n: number) => {
      let now = 0;
      let most = 0;
      const done: number[] = [];
      await eachLimited(Array.from({ length: n }, (_, i) => i), limit, async (i) => {
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 2));
        now--;
        done.push(i);
      });
      return [most, done.length];
    };
    assert.deepStrictEqual(await peak(3, 10), [3, 10]);
    assert.deepStrictEqual(await peak(8, 2), [2, 2]);
    assert.deepStrictEqual(await peak(0, 4), [1, 4]);
  });
});

suite('asset plan: the disk', () => {
  let dir: string;
  setup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-assetplan-'));
  });
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const put = (p: string, bytes: Uint8Array) => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), bytes);
  };

  test('AVIF: the hash kept beside it counts while the size is the one written', async () => {
    put('icons/a.avif', Buffer.alloc(100));
    const io = (size: number) => diskPlanIO(dir, { sidecar: new Map([['icons/a.avif', { recipe: 'h1', size }]]) });
    assert.deepStrictEqual(await io(100).head('icons/a.avif'), { recipe: 'h1', bytesRead: 0 });
    assert.deepStrictEqual(await io(99).head('icons/a.avif'), { recipe: undefined, bytesRead: 0 });
    assert.deepStrictEqual(await diskPlanIO(dir).head('icons/a.avif'), { recipe: undefined, bytesRead: 0 });
    put('icons/b.avif.png', embedRecord(PNG_1x1, rec({ recipe: 'r' }) as unknown as GenerationRecord));
    assert.deepStrictEqual((await diskPlanIO(dir).head('icons/b.avif.png'))?.record?.asset, { recipe: 'r' }, 'only a name ending in .avif');
  });

  test('a missing file or a path through a file is no file; other errors are raised', async () => {
    put('f.png', PNG_1x1);
    const io = diskPlanIO(dir);
    assert.strictEqual(await io.head('none.png'), undefined);
    assert.strictEqual(await io.head('f.png/x.png'), undefined);
    fs.mkdirSync(path.join(dir, 'folder.png'));
    await assert.rejects(io.head('folder.png'));
    assert.strictEqual(io.sourceDigest('f.png'), undefined);
    assert.strictEqual(diskPlanIO(dir, { sourceDigest: () => 'abc' }).sourceDigest('f.png'), 'abc');
  });

  test('a folder lists its image files only; a missing folder lists nothing', async () => {
    for (const n of ['a.png', 'b.JPG', 'c.jpeg', 'd.webp', 'e.avif', 'notes.txt', 'png']) put(`art/${n}`, PNG_1x1);
    put('top.png', PNG_1x1);
    fs.mkdirSync(path.join(dir, 'art', 'dir.png'));
    const io = diskPlanIO(dir);
    assert.deepStrictEqual([...(await io.listImages('art'))].sort(), ['art/a.png', 'art/b.JPG', 'art/c.jpeg', 'art/d.webp', 'art/e.avif']);
    assert.deepStrictEqual([...(await io.listImages(''))], ['top.png']);
    assert.deepStrictEqual([...(await io.listImages('missing'))], []);
  });
});
