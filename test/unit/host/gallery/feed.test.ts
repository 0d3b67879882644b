/**
 * What the gallery host posts to its page, and in which order (src/host/gallery/feed.ts), in plain
 * Node with the real thumbnail cache (memory only) and a thumbnail maker that records its calls:
 * the first screen in one `init` message with the thumbnails at hand, then the whole list, then the
 * thumbnails still missing, none twice; dates written by the host in the UI's language.
 */
import * as assert from 'assert';
import type { StoredRecord } from '../../../../src/core/metadata';
import { DateText, listItem, LIST_PROMPT_CHARS } from '../../../../src/host/gallery/feed';
import { feedOn, images } from './feedHarness';
import { ThumbnailCache } from '../../../../src/host/gallery/thumbnails';
import { firstScreenCount, type ToGallery } from '../../../../src/shared/galleryProtocol';

const settle = () => new Promise<void>((r) => setTimeout(r, 20));

function setup(n: number, opts: { failing?: Set<string>; fullListWaitMs?: number } = {}) {
  const list = images(n);
  const made: string[] = [];
  const cache = new ThumbnailCache(undefined, async () => async (input) => {
    const p = String(input);
    made.push(p);
    if (opts.failing?.has(p)) throw new Error('cannot decode');
    return { bytes: new TextEncoder().encode(p), mime: 'image/webp', width: 1, height: 1 };
  });
  return { list, made, cache, ...feedOn(cache, list, opts) };
}

const thumbIds = (posted: ToGallery[]) => posted.flatMap((m) => (m.type === 'thumbs' ? m.items.map((t) => t.id) : m.type === 'init' && m.first ? m.first.thumbs.map((t) => t.id) : []));

suite('gallery feed: the first screen first', () => {
  const view = { width: 300, height: 800 };
  const n = firstScreenCount(view.width, view.height);

  test('thumbnails made while the page loads come inside init with the first screen; the whole list follows; nothing is sent twice', async () => {
    const { posted, feed, made, setReady } = setup(100);
    feed.prefetch();
    await settle();
    assert.strictEqual(made.length, 16, 'the first 16 are made before the page is ready');
    setReady();
    let first = false;
    void feed.firstScreenSent.then(() => (first = true));
    feed.onReady({ type: 'ready', view });
    await settle();
    assert.ok(!first, 'firstScreenSent waits until the page drew it');
    assert.deepStrictEqual(posted.map((m) => m.type), ['init'], 'the whole list waits while the first pictures decode');
    feed.onShown();
    await settle();
    assert.ok(first, 'firstScreenSent resolved once the page said shown');
    assert.strictEqual(posted[0].type, 'init');
    const init = posted[0] as Extract<ToGallery, { type: 'init' }>;
    assert.deepStrictEqual(init.strings, { Open: 'Open' });
    assert.ok(init.first, 'init carries the first screen');
    assert.strictEqual(init.first.total, 100);
    assert.deepStrictEqual(
      init.first.items.map((i) => i.id),
      images(n).map((i) => i.id),
    );
    assert.strictEqual(init.first.thumbs.length, n, 'every thumbnail of the first screen was at hand');
    assert.ok(init.first.thumbs.every((t) => t.bytes instanceof Uint8Array && t.mime === 'image/webp'));
    assert.strictEqual(posted[1].type, 'items', 'the whole list once the page said shown');
    assert.strictEqual((posted[1] as Extract<ToGallery, { type: 'items' }>).items.length, 100);
    assert.deepStrictEqual(posted.slice(2), [], 'no thumbnail sent again');
    assert.strictEqual(new Set(thumbIds(posted)).size, thumbIds(posted).length);
  });

  test('thumbnails not ready at `ready` follow in thumbs messages, in list order; a failed one is sent as "none" once', async () => {
    const failing = new Set(['/ws/images/1.png']);
    const { posted, feed, setReady } = setup(50, { failing });
    setReady();
    feed.onReady({ type: 'ready', view });
    const init = posted[0] as Extract<ToGallery, { type: 'init' }>;
    assert.strictEqual(init.first!.thumbs.length, 0, 'nothing was at hand');
    await settle();
    await settle();
    assert.ok(!posted.some((m) => m.type === 'items'), 'the first screen\'s thumbnails come before the whole list');
    const sent = posted.slice(1).flatMap((m) => (m.type === 'thumbs' ? m.items : []));
    assert.deepStrictEqual(
      sent.map((t) => t.id),
      images(n).map((i) => i.id),
    );
    const failed = sent.find((t) => t.id === 'images/1.png')!;
    assert.strictEqual(failed.bytes, undefined);
    // a new page: its first screen again, the failed one as "none" inside init (it is known to fail)
    posted.length = 0;
    feed.onReady({ type: 'ready', view });
    const again = posted[0] as Extract<ToGallery, { type: 'init' }>;
    assert.strictEqual(again.first!.thumbs.length, n);
    assert.strictEqual(again.first!.thumbs.find((t) => t.id === 'images/1.png')!.bytes, undefined);
  });

  test('a page that opens elsewhere than at the top (no size given) gets init without a first screen, then the whole list, and asks for what it shows', async () => {
    const { posted, feed, made, setReady } = setup(30);
    setReady();
    feed.onReady({ type: 'ready' });
    await settle();
    assert.deepStrictEqual(
      posted.map((m) => m.type),
      ['init', 'items'],
    );
    assert.strictEqual((posted[0] as Extract<ToGallery, { type: 'init' }>).first, undefined);
    assert.strictEqual(made.length, 0, 'nothing made unasked');
    feed.request([
      { id: 'images/20.png', rev: 'r20' },
      { id: 'images/21.png', rev: 'stale' },
    ]);
    await settle();
    assert.deepStrictEqual(thumbIds(posted), ['images/20.png'], 'a version no longer listed is left out');
  });

  test('a list as short as the first screen is sent once, inside init', async () => {
    const { posted, feed, setReady } = setup(3);
    setReady();
    feed.onReady({ type: 'ready', view });
    assert.strictEqual(posted[0].type, 'init');
    assert.strictEqual((posted[0] as Extract<ToGallery, { type: 'init' }>).first!.items.length, 3);
    assert.ok(!posted.some((m) => m.type === 'items'));
  });

  test('list changes are sent (throttled) only to a ready page', async () => {
    const { posted, feed, setReady, list } = setup(5);
    feed.listChanged();
    await new Promise((r) => setTimeout(r, 150));
    assert.strictEqual(posted.length, 0, 'no page yet');
    setReady();
    feed.onReady({ type: 'ready' });
    posted.splice(0);
    list.unshift({ ...images(1)[0], id: 'images/new.png', rev: 'n1' });
    feed.listChanged();
    feed.listChanged();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepStrictEqual(
      posted.map((m) => m.type),
      ['items'],
    );
    feed.dispose();
  });
});

suite('gallery feed: dates and list items', () => {
  test('dates are written in the UI language; a record without a readable date gets none', () => {
    const iso = '2026-03-04T05:06:00Z';
    const en = new DateText('en').text(iso);
    const zh = new DateText('zh-cn').text(iso);
    assert.strictEqual(en, new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(iso)));
    assert.ok(/2026/.test(en) && /Mar/.test(en), en);
    assert.ok(/2026年3月4日/.test(zh), zh);
    assert.strictEqual(new DateText('en').text('yesterday'), '');
    assert.strictEqual(new DateText('en').text(undefined), '');
    assert.ok(new DateText('not a locale!').text(iso).length > 0, 'an unknown language falls back to the default');
  });

  test('a list item: its date in words, a long prompt shortened, the operation one of three', () => {
    const record = { v: 1, operation: 'something', prompt: 'x'.repeat(1000), model: 'm', createdAt: '2026-03-04T05:06:00Z' } as unknown as StoredRecord;
    const item = listItem({ id: 'a/b.png', rev: '1', record, width: 8, height: 9 }, 'b.png', new DateText('en'));
    assert.strictEqual(item.prompt.length, LIST_PROMPT_CHARS);
    assert.ok(item.prompt.endsWith('…'));
    assert.strictEqual(item.operation, 'generate');
    assert.strictEqual(item.when, new DateText('en').text('2026-03-04T05:06:00Z'));
    assert.deepStrictEqual([item.name, item.width, item.height, item.createdAt], ['b.png', 8, 9, '2026-03-04T05:06:00Z']);
  });
});

suite('gallery feed: the whole list after the first screen', () => {
  const view = { width: 300, height: 800 };
  const n = firstScreenCount(view.width, view.height);

  test('a page that never says shown still gets the whole list, after the wait', async () => {
    const { posted, feed: withWait, setReady } = setup(100, { fullListWaitMs: 30 });
    setReady();
    withWait.onReady({ type: 'ready', view });
    assert.deepStrictEqual(posted.map((m) => m.type), ['init']);
    await new Promise((r) => setTimeout(r, 80));
    const items = posted.filter((m) => m.type === 'items');
    assert.strictEqual(items.length, 1, 'the whole list went out after the wait');
    assert.strictEqual((items[0] as Extract<ToGallery, { type: 'items' }>).items.length, 100);
    withWait.onShown();
    assert.strictEqual(posted.filter((m) => m.type === 'items').length, 1, 'a late shown sends nothing more');
    withWait.dispose();
  });

  test('changes while the list is held go out once, as the list is then; an unchanged list is not sent again', async () => {
    const { posted, feed, setReady, list } = setup(40);
    setReady();
    feed.onReady({ type: 'ready', view });
    list.splice(0, 1);
    feed.listChanged();
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(!posted.some((m) => m.type === 'items'), 'held until the page drew its first screen');
    feed.onShown();
    const items = posted.filter((m) => m.type === 'items') as Extract<ToGallery, { type: 'items' }>[];
    assert.strictEqual(items.length, 1);
    assert.strictEqual(items[0].items.length, 39, 'the list as it is when sent');
    // the check of the kept list found nothing new: nothing is sent
    feed.listChanged();
    await new Promise((r) => setTimeout(r, 150));
    assert.strictEqual(posted.filter((m) => m.type === 'items').length, 1, 'an unchanged list is not sent again');
    feed.dispose();
  });

  test('a first scan that ends after the page is ready: its first screen goes out on its own, its thumbnails next, the whole list once the page drew it', async () => {
    const { posted, feed, setReady, list, made } = setup(100);
    const all = list.splice(0);
    setReady();
    feed.onReady({ type: 'ready', view });
    const init = posted[0] as Extract<ToGallery, { type: 'init' }>;
    assert.strictEqual(init.first!.items.length, 0, 'nothing known yet');
    list.push(...all);
    feed.listChanged();
    assert.deepStrictEqual(posted.map((m) => m.type), ['init', 'first'], 'the first screen at once, not the list of 100');
    const first = (posted[1] as Extract<ToGallery, { type: 'first' }>).first;
    assert.strictEqual(first.total, 100);
    assert.deepStrictEqual(
      first.items.map((i) => i.id),
      images(n).map((i) => i.id),
    );
    await settle();
    await settle();
    assert.deepStrictEqual(made.slice(0, n), images(n).map((i) => i.path), 'the first screen\'s thumbnails are made first, in list order');
    assert.deepStrictEqual(thumbIds(posted), images(n).map((i) => i.id));
    assert.ok(!posted.some((m) => m.type === 'items'), 'the whole list waits for shown');
    feed.onShown();
    const items = posted.filter((m) => m.type === 'items') as Extract<ToGallery, { type: 'items' }>[];
    assert.strictEqual(items.length, 1);
    assert.strictEqual(items[0].items.length, 100);
    // later changes are lists again
    list.splice(0, 1);
    feed.listChanged();
    await new Promise((r) => setTimeout(r, 150));
    assert.strictEqual(posted.filter((m) => m.type === 'first').length, 1, 'the first screen goes out once');
    assert.strictEqual(posted.filter((m) => m.type === 'items').length, 2);
    feed.dispose();
  });
});
