/**
 * The gallery's pure logic in plain Node: the list's order, "run again" arguments from a record
 * (src/core/args.ts), the message guards, the virtual grid's math, and the webview's strings
 * (every s('...') is localized by the host). What "insert into the editor" types: links.test.ts.
 */
import * as assert from 'assert';
import { generateArgsFromRecord, parseGenerateArgs } from '../../../../src/core/args';
import { compareNewestFirst, globToRegExp, isExcluded, parseTime, type Sortable } from '../../../../src/host/gallery/model';
import { firstScreenCount, gridLayout, itemRange, MAX_THUMBS_PER_REQUEST, moveFocus, parseFromGallery, scrollToShow, visibleRows } from '../../../../src/shared/galleryProtocol';

suite('gallery: order', () => {
  const item = (id: string, createdAt: string | undefined, mtime = 0): Sortable => ({ id, time: parseTime(createdAt), mtime });

  test('newest first by the record date; a batch (same date) in path order', () => {
    const list = [
      item('b/old.png', '2026-01-01T10:00:00Z'),
      item('a/batch-02.png', '2026-03-01T10:00:00Z'),
      item('z/new.png', '2026-05-01T10:00:00.500Z'),
      item('a/batch-01.png', '2026-03-01T10:00:00Z'),
    ].sort(compareNewestFirst);
    assert.deepStrictEqual(
      list.map((i) => i.id),
      ['z/new.png', 'a/batch-01.png', 'a/batch-02.png', 'b/old.png'],
    );
  });

  test('a record without a usable date sorts by the file time', () => {
    const list = [item('dated.png', '2026-03-01T00:00:00Z'), item('broken.png', 'yesterday', Date.parse('2026-04-01T00:00:00Z')), item('none.png', undefined, 1)].sort(compareNewestFirst);
    assert.deepStrictEqual(
      list.map((i) => i.id),
      ['broken.png', 'dated.png', 'none.png'],
    );
  });

  const tenThousand = () => Array.from({ length: 10_000 }, (_, i) => item(`img-${i}.png`, new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 10_000) * 60_000).toISOString()));

  test('10,000 items sort newest first', () => {
    const many = tenThousand();
    many.sort(compareNewestFirst);
    for (let i = 1; i < many.length; i++) assert.ok(many[i - 1].time >= many[i].time);
  });

  // [speed]: a timing bound only; `npm run mutation` leaves it out (stryker.config.mjs, mochaOptions.grep).
  test('[speed] sorting 10,000 items stays well under a frame budget', () => {
    const many = tenThousand();
    const t0 = performance.now();
    many.sort(compareNewestFirst);
    assert.ok(performance.now() - t0 < 200);
  });
});

suite('gallery: run again (record -> pixelwright.generate argument)', () => {
  test('maps the API option names to the command argument, and the command accepts it as is', () => {
    const args = generateArgsFromRecord({
      prompt: 'a lighthouse at dusk',
      model: 'gpt-image-1.5',
      options: { size: '1536x1024', quality: 'high', background: 'transparent', output_format: 'webp', output_compression: 80, moderation: 'low', n: 3, input_fidelity: 'high' },
      count: 3,
    });
    assert.deepStrictEqual(args, {
      prompt: 'a lighthouse at dusk',
      model: 'gpt-image-1.5',
      size: '1536x1024',
      quality: 'high',
      background: 'transparent',
      outputFormat: 'webp',
      outputCompression: 80,
      moderation: 'low',
      n: 3,
    });
    const parsed = parseGenerateArgs(args);
    assert.ok(parsed.ok);
    assert.deepStrictEqual(parsed.ok && parsed.args, args);
    assert.deepStrictEqual(parsed.ok && parsed.ignored, []);
  });

  test('dall-e-3: style and quality; n falls back to the batch size', () => {
    const args = generateArgsFromRecord({ prompt: 'p', model: 'dall-e-3', options: { size: '1024x1792', quality: 'hd', style: 'natural', output_format: 'png' }, count: 1 });
    assert.deepStrictEqual(args, { prompt: 'p', model: 'dall-e-3', size: '1024x1792', quality: 'hd', style: 'natural', outputFormat: 'png', n: 1 });
  });

  test('values the command would refuse are left out (an old or edited record never makes it fail)', () => {
    const args = generateArgsFromRecord({
      prompt: 'p',
      model: 'm',
      options: { size: 42 as unknown as string, background: 'purple', output_format: 'bmp', output_compression: 101, n: 0, quality: '  ' },
    });
    assert.deepStrictEqual(args, { prompt: 'p', model: 'm' });
    assert.ok(parseGenerateArgs(args).ok);
  });
});

suite('gallery: excluded folders (files.exclude, node_modules) for watcher events', () => {
  test('globs as files.exclude writes them', () => {
    const m = (glob: string, p: string) => globToRegExp(glob).test(p);
    assert.ok(m('**/node_modules', 'node_modules'));
    assert.ok(m('**/node_modules', 'a/b/node_modules'));
    assert.ok(!m('**/node_modules', 'a/node_modules_x'));
    assert.ok(m('**/*.{png,jpg}', 'x/y.jpg'));
    assert.ok(!m('**/*.{png,jpg}', 'x/y.webp'));
    assert.ok(m('out/**', 'out/a/b.png'));
    assert.ok(m('build?', 'build2'));
    assert.ok(m('**/.DS_Store', '.DS_Store'));
    assert.ok(m('[ab].png', 'a.png') && !m('[ab].png', 'c.png'));
    assert.ok(m('a.b', 'a.b') && !m('a.b', 'axb'), 'dots are literal');
  });

  test('a path is excluded when it or a folder above it matches', () => {
    const pats = ['**/node_modules', '**/.git', 'dist/**'].map(globToRegExp);
    assert.ok(isExcluded('pkg/node_modules/x/y.png', pats));
    assert.ok(isExcluded('.git/objects/a.png', pats));
    assert.ok(isExcluded('dist/a.png', pats));
    assert.ok(!isExcluded('images/generated/a.png', pats));
    assert.ok(!isExcluded('my_node_modules/a.png', pats));
  });
});

suite('gallery: messages from the webview are checked', () => {
  test('accepts the protocol', () => {
    assert.deepStrictEqual(parseFromGallery({ type: 'ready' }), { type: 'ready' });
    assert.deepStrictEqual(parseFromGallery({ type: 'thumbs', items: [{ id: 'a.png', rev: 'x-1', extra: 1 }] }), { type: 'thumbs', items: [{ id: 'a.png', rev: 'x-1' }] });
    assert.deepStrictEqual(parseFromGallery({ type: 'action', id: 3, action: 'delete', item: 'images/a.png' }), { type: 'action', id: 3, action: 'delete', item: 'images/a.png' });
  });

  test('refuses everything else', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'thumbs' },
      { type: 'thumbs', items: [{ id: '', rev: 'r' }] },
      { type: 'thumbs', items: [{ id: 'a', rev: 'r'.repeat(65) }] },
      { type: 'thumbs', items: Array.from({ length: MAX_THUMBS_PER_REQUEST + 1 }, () => ({ id: 'a', rev: 'r' })) },
      { type: 'action', id: 1, action: 'format disk', item: 'a.png' },
      { type: 'action', id: -1, action: 'open', item: 'a.png' },
      { type: 'action', id: 1.5, action: 'open', item: 'a.png' },
      { type: 'action', id: 1, action: 'open', item: 7 },
      { type: 'action', id: 1, action: 'open', item: 'x'.repeat(4097) },
      { type: 'action', id: 1, action: 'toString', item: 'a.png' },
    ];
    for (const b of bad) assert.strictEqual(parseFromGallery(b), undefined, JSON.stringify(b)?.slice(0, 80));
  });
});

suite('gallery: the first screen the host sends unasked', () => {
  test('ready says the page size; anything else in it is refused', () => {
    assert.deepStrictEqual(parseFromGallery({ type: 'ready', view: { width: 300, height: 800 } }), { type: 'ready', view: { width: 300, height: 800 } });
    assert.strictEqual(parseFromGallery({ type: 'ready', view: { width: -1, height: 800 } }), undefined);
    assert.strictEqual(parseFromGallery({ type: 'ready', view: { width: '300', height: 800 } }), undefined);
    assert.strictEqual(parseFromGallery({ type: 'ready', view: 5 }), undefined);
  });

  test('as many tiles as the webview puts in the DOM at the top of the list', () => {
    // a 300 px side bar: 2 columns of 138 px tiles, rows of 168 px; 800 px show 5 rows, plus 2 of overscan
    assert.strictEqual(firstScreenCount(300, 800), 14);
    assert.strictEqual(firstScreenCount(1200, 900), 90); // 10 columns of 111 px, 7 rows on screen + 2
    assert.ok(firstScreenCount(100_000, 100_000) <= MAX_THUMBS_PER_REQUEST);
  });
});

suite('gallery: the virtual grid', () => {
  test('columns fill the width with tiles of at least the minimum', () => {
    const l = gridLayout(1000, 300, 104, 8, 22);
    assert.strictEqual(l.columns, 2);
    assert.strictEqual(l.tile, 146);
    assert.strictEqual(l.rowHeight, 146 + 22 + 8);
    assert.strictEqual(l.rows, 500);
    assert.strictEqual(l.height, 500 * l.rowHeight);
    assert.strictEqual(gridLayout(5, 50, 104, 8, 22).columns, 1, 'a narrow view still shows one column');
    assert.strictEqual(gridLayout(0, 300, 104, 8, 22).rows, 0);
    assert.strictEqual(gridLayout(7, 1000, 104, 8, 22).rows, 1);
  });

  test('only the rows on screen, plus the overscan, are rendered', () => {
    const l = { rowHeight: 100, rows: 500 };
    assert.deepStrictEqual(visibleRows(l, 0, 350, 0), { start: 0, end: 4 });
    assert.deepStrictEqual(visibleRows(l, 0, 350, 2), { start: 0, end: 6 });
    assert.deepStrictEqual(visibleRows(l, 1050, 300, 1), { start: 9, end: 15 });
    assert.deepStrictEqual(visibleRows(l, 49_950, 300, 2), { start: 497, end: 500 }, 'clamped at the end');
    assert.deepStrictEqual(visibleRows(l, -40, 300, 0), { start: 0, end: 3 }, 'overscroll (elastic) at the top');
    assert.deepStrictEqual(visibleRows({ rowHeight: 100, rows: 0 }, 0, 300, 2), { start: 0, end: 0 });
    assert.deepStrictEqual(visibleRows(l, 0, 0, 0), { start: 0, end: 1 }, 'a view not laid out yet still shows the first row');
    const count = 1000;
    assert.deepStrictEqual(itemRange({ start: 497, end: 500 }, 2, count), { start: 994, end: 1000 });
    assert.deepStrictEqual(itemRange({ start: 0, end: 4 }, 3, 7), { start: 0, end: 7 });
  });

  test('scrolling to a row moves as little as possible', () => {
    assert.strictEqual(scrollToShow(5, 100, 0, 350), 250, 'below: its bottom at the bottom');
    assert.strictEqual(scrollToShow(1, 100, 300, 350), 100, 'above: its top at the top');
    assert.strictEqual(scrollToShow(3, 100, 250, 350), 250, 'in view: no move');
  });

  test('arrow keys, Home/End and Page keys move the focus and never leave the list', () => {
    // 10 items in 3 columns: rows [0 1 2] [3 4 5] [6 7 8] [9]
    const m = (i: number, key: string, ctrl = false) => moveFocus(i, key, 3, 10, 2, ctrl);
    assert.strictEqual(m(4, 'ArrowRight'), 5);
    assert.strictEqual(m(5, 'ArrowRight'), 6, 'wraps to the next row');
    assert.strictEqual(m(9, 'ArrowRight'), 9);
    assert.strictEqual(m(0, 'ArrowLeft'), 0);
    assert.strictEqual(m(4, 'ArrowUp'), 1);
    assert.strictEqual(m(1, 'ArrowUp'), 1);
    assert.strictEqual(m(4, 'ArrowDown'), 7);
    assert.strictEqual(m(8, 'ArrowDown'), 9, 'to the last item of a shorter last row');
    assert.strictEqual(m(9, 'ArrowDown'), 9);
    assert.strictEqual(m(4, 'Home'), 3);
    assert.strictEqual(m(4, 'End'), 5);
    assert.strictEqual(m(9, 'End'), 9);
    assert.strictEqual(m(4, 'Home', true), 0);
    assert.strictEqual(m(4, 'End', true), 9);
    assert.strictEqual(m(1, 'PageDown'), 7);
    assert.strictEqual(m(8, 'PageDown'), 9);
    assert.strictEqual(m(8, 'PageUp'), 2);
    assert.strictEqual(m(4, 'x'), undefined);
    assert.strictEqual(moveFocus(0, 'ArrowDown', 3, 0), undefined);
  });
});
