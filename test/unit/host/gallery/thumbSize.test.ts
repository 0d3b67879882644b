/**
 * Thumbnails sized to the page's tiles: the page says the size its tiles need in device pixels
 * (galleryProtocol's thumbSizeFor), the host makes and caches that size (one cache file per size),
 * remembers it beside the thumbnails, and a new window reads or makes that size before its page says.
 */
import * as assert from 'assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ThumbnailOptions } from '../../../../src/core/thumbnails';
import { ThumbnailCache } from '../../../../src/host/gallery/thumbnails';
import { DEFAULT_THUMB_SIZE, parseFromGallery, thumbSizeFor, type ToGallery } from '../../../../src/shared/galleryProtocol';
import { feedOn, images } from './feedHarness';

/** Waits until `done()` holds (checked every 5 ms; fails after 5 s): no fixed sleep a busy machine can outrun. */
async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > 5000) assert.fail(`waited 5 s for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 5));
  }
}
const sizeKept = (dir: string, size: number) => () => readFile(join(dir, 'size.txt'), 'utf8').then((t) => t.trim() === String(size), () => false);

/** A cache whose maker records the size each thumbnail was made at (its bytes say it too). */
function sizedCache(dir: string | undefined) {
  const made: { path: string; size: number | undefined }[] = [];
  const cache = new ThumbnailCache(dir, async () => async (input: string | Uint8Array, options?: ThumbnailOptions) => {
    made.push({ path: String(input), size: options?.maxSize });
    return { bytes: new TextEncoder().encode(`${input}@${options?.maxSize}`), mime: 'image/webp', width: 1, height: 1 };
  });
  return { cache, made };
}

const sentBytes = (posted: ToGallery[]) =>
  posted.flatMap((m) => (m.type === 'thumbs' ? m.items : m.type === 'init' && m.first ? m.first.thumbs : [])).map((t) => new TextDecoder().decode(t.bytes));

suite('gallery thumbnails: sized to the tiles', () => {
  test('the size a page asks for covers its tiles in device pixels, from a short list of sizes', () => {
    // a 300 px side bar: two columns of 138 px tiles
    assert.strictEqual(thumbSizeFor(300, 1), 192);
    assert.strictEqual(thumbSizeFor(300, 2), 384);
    assert.strictEqual(thumbSizeFor(300, 3), 512, '414 px: the largest size');
    assert.strictEqual(thumbSizeFor(300, 1.25), 192, '173 px');
    assert.strictEqual(thumbSizeFor(300, 1.5), 256, '207 px');
    // one column of 204 px; a narrow view's 104 px tiles
    assert.strictEqual(thumbSizeFor(220, 1), 256);
    assert.strictEqual(thumbSizeFor(120, 1), 128);
    assert.strictEqual(thumbSizeFor(300, 8), 512, 'never more than the largest size');
    for (const bad of [0, -1, NaN, Infinity]) assert.strictEqual(thumbSizeFor(300, bad), 192, `devicePixelRatio ${bad} counts as 1`);
  });

  test('ready carries the size when it is one of the sizes the host makes, else the message is refused', () => {
    assert.deepStrictEqual(parseFromGallery({ type: 'ready', thumbSize: 384 }), { type: 'ready', thumbSize: 384 });
    assert.deepStrictEqual(parseFromGallery({ type: 'ready', view: { width: 300, height: 800 }, thumbSize: 192 }), { type: 'ready', view: { width: 300, height: 800 }, thumbSize: 192 });
    assert.deepStrictEqual(parseFromGallery({ type: 'ready' }), { type: 'ready' });
    for (const bad of [200, 0, 4096, '192', null]) assert.strictEqual(parseFromGallery({ type: 'ready', thumbSize: bad }), undefined, String(bad));
  });

  test('a thumbnail request may carry the size the tiles need now; another size refuses the message', () => {
    const items = [{ id: 'images/a.png', rev: 'r1' }];
    assert.deepStrictEqual(parseFromGallery({ type: 'thumbs', items, size: 256 }), { type: 'thumbs', items, size: 256 });
    assert.deepStrictEqual(parseFromGallery({ type: 'thumbs', items }), { type: 'thumbs', items });
    for (const bad of [200, 0, '256', null]) assert.strictEqual(parseFromGallery({ type: 'thumbs', items, size: bad }), undefined, String(bad));
  });

  test('the page resized across a size: what it asks for next is made at the new size, each thumbnail says its size, and the next window starts there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-thumbsize-'));
    try {
      const list = images(40);
      const { cache, made } = sizedCache(dir);
      await cache.warm();
      const { feed, posted, setReady } = feedOn(cache, list, { fullListWaitMs: 50 });
      setReady();
      feed.onReady({ type: 'ready', view: { width: 300, height: 800 }, thumbSize: 192 });
      await until('the first screen at 192', () => made.length >= 14);
      const sizes = () => posted.flatMap((m) => (m.type === 'thumbs' ? m.items : m.type === 'init' && m.first ? m.first.thumbs : []));
      await until('the first screen sent', () => sizes().length >= 14);
      assert.ok(sizes().every((t) => t.size === 192), JSON.stringify(sizes().map((t) => t.size)));
      // the same size again: nothing changes
      feed.request([{ id: list[20].id, rev: list[20].rev }], 192);
      await until('list[20] at 192', () => sentBytes(posted).includes(`${list[20].path}@192`));
      // the sidebar narrowed to one wide column: 256 from now on, the same images too
      posted.splice(0);
      const again = list.slice(0, 3).map((i) => ({ id: i.id, rev: i.rev }));
      feed.request(again, 256);
      await until('the three at 256', () => list.slice(0, 3).every((i) => sentBytes(posted).includes(`${i.path}@256`)));
      assert.ok(sizes().every((t) => t.size === 256), JSON.stringify(sizes()));
      // without a size, a request keeps the last one
      feed.request([{ id: list[30].id, rev: list[30].rev }]);
      await until('list[30] at 256', () => sentBytes(posted).includes(`${list[30].path}@256`));
      await until('size.txt says 256', sizeKept(dir, 256));
      const next = sizedCache(dir);
      await next.cache.warm();
      assert.strictEqual(next.cache.lastSize, 256);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('thumbnails still on their way at the old size are dropped when the size changes', async () => {
    const list = images(40);
    // a maker that waits until let go: the 192s are made after the page asked for 256
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cache = new ThumbnailCache(undefined, async () => async (input: string | Uint8Array, options?: ThumbnailOptions) => {
      await gate;
      return { bytes: new TextEncoder().encode(`${input}@${options?.maxSize}`), mime: 'image/webp', width: 1, height: 1 };
    });
    const { feed, posted, setReady } = feedOn(cache, list, { fullListWaitMs: 50 });
    setReady();
    feed.onReady({ type: 'ready', thumbSize: 192 });
    feed.request(list.slice(0, 4).map((i) => ({ id: i.id, rev: i.rev })));
    feed.request(list.slice(0, 4).map((i) => ({ id: i.id, rev: i.rev })), 256);
    release();
    await until('the four at 256', () => list.slice(0, 4).every((i) => sentBytes(posted).includes(`${i.path}@256`)));
    await new Promise<void>((r) => setTimeout(r, 50));
    assert.deepStrictEqual(sentBytes(posted).filter((b) => b.endsWith('@192')), [], 'nothing at the old size reached the page');
  });

  test('the first screen and what the page asks for later are made at the size the page asked for', async () => {
    const list = images(40);
    const { cache, made } = sizedCache(undefined);
    const { feed, posted, setReady } = feedOn(cache, list, { fullListWaitMs: 50 });
    setReady();
    feed.onReady({ type: 'ready', view: { width: 300, height: 800 }, thumbSize: 192 });
    await until('the first screen', () => made.length > 10);
    feed.request([{ id: list[30].id, rev: list[30].rev }]);
    await until('the asked-for thumbnail', () => sentBytes(posted).includes(`${list[30].path}@192`));
    assert.deepStrictEqual([...new Set(made.map((m) => m.size))], [192]);
    assert.ok(sentBytes(posted).length >= made.length - 1);
    assert.ok(sentBytes(posted).every((b) => b.endsWith('@192')), sentBytes(posted).join(' '));
  });

  test('a thumbnail made at one size is not sent for another; each size is its own cache file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-thumbsize-'));
    try {
      const { cache, made } = sizedCache(dir);
      const job = { id: 'images/a.png', rev: 'r1', source: '/ws/images/a.png' };
      const small = await cache.get({ ...job, size: 192 });
      const large = await cache.get({ ...job, size: 384 });
      assert.strictEqual(new TextDecoder().decode(small!.bytes), '/ws/images/a.png@192');
      assert.strictEqual(new TextDecoder().decode(large!.bytes), '/ws/images/a.png@384');
      assert.strictEqual(made.length, 2);
      assert.notStrictEqual(ThumbnailCache.fileName(job.id, job.rev, 192), ThumbnailCache.fileName(job.id, job.rev, 384));
      const files = (await readdir(dir)).filter((f) => f.endsWith('.webp')).sort();
      assert.deepStrictEqual(files, [ThumbnailCache.fileName(job.id, job.rev, 192), ThumbnailCache.fileName(job.id, job.rev, 384)].sort());
      // pruning keeps every size of a current version, and drops a version no longer listed
      const { cache: other } = sizedCache(dir);
      await other.get({ id: 'images/gone.png', rev: 'r9', source: '/ws/images/gone.png', size: 256 });
      assert.strictEqual(await other.prune([{ id: job.id, rev: job.rev }]), 1);
      assert.deepStrictEqual((await readdir(dir)).filter((f) => f.endsWith('.webp')).sort(), files);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a new window reads (or makes) the size the last page asked for before its own page says; the default before any', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-thumbsize-'));
    try {
      const list = images(30);
      // the first window ever: nothing kept, the default size
      const first = sizedCache(dir);
      await first.cache.warm();
      const one = feedOn(first.cache, list, { fullListWaitMs: 50 });
      one.feed.prefetch();
      await until('the prefetch', () => first.made.length > 0);
      assert.ok(first.made.length > 0 && first.made.every((m) => m.size === DEFAULT_THUMB_SIZE), JSON.stringify(first.made));
      // its page says 384 (a 2x screen): made at 384 and remembered
      one.setReady();
      one.feed.onReady({ type: 'ready', view: { width: 300, height: 800 }, thumbSize: 384 });
      const firstScreenFiles = list.slice(0, 14).map((i) => ThumbnailCache.fileName(i.id, i.rev, 384));
      await until('the first screen written at 384', async () => {
        const names = await readdir(dir);
        return firstScreenFiles.every((f) => names.includes(f));
      });
      await until('size.txt says 384', sizeKept(dir, 384));

      // the next window: its prefetch makes 384 (listed before the page is ready), and the page's init carries them
      const second = sizedCache(dir);
      void second.cache.warm();
      const two = feedOn(second.cache, list, { fullListWaitMs: 50 });
      two.feed.prefetch();
      await until('the prefetch of 16 in memory at 384', () => list.slice(0, 16).every((i) => second.cache.peek({ id: i.id, rev: i.rev, size: 384 })));
      // (the prefetch takes 16; the first page showed 14: two are made, at 384)
      assert.ok(second.made.length <= 2 && second.made.every((m) => m.size === 384), `read from the folder, not made again: ${JSON.stringify(second.made)}`);
      two.setReady();
      two.feed.onReady({ type: 'ready', view: { width: 300, height: 800 }, thumbSize: 384 });
      const init = two.posted.find((m) => m.type === 'init');
      assert.ok(init && init.type === 'init' && init.first && init.first.thumbs.length > 0, 'the first screen comes with its thumbnails');
      assert.ok(init.first!.thumbs.every((t) => new TextDecoder().decode(t.bytes).endsWith('@384')));

      // a damaged size file is ignored: the default again
      await writeFile(join(dir, 'size.txt'), 'big');
      const third = sizedCache(dir);
      await third.cache.warm();
      assert.strictEqual(third.cache.lastSize, DEFAULT_THUMB_SIZE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
