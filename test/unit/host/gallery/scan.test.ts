/**
 * The gallery reads records from file heads (src/core/headScan.ts) and makes and caches thumbnails
 * (core/thumbnails.ts + src/host/gallery/thumbnails.ts), tested in plain Node on real files written with
 * sharp and embedRecord.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { embedRecord, readRecord } from '../../../../src/core/metadata';
import type { GenerationRecord } from '../../../../src/core/record';
import { makeThumbnail } from '../../../../src/core/thumbnails';
import { bytesSource, HEAD_BYTES, scanFile, scanImage } from '../../../../src/core/headScan';
import { ThumbnailCache, ThumbnailFeed, type FedThumb, type ThumbJob } from '../../../../src/host/gallery/thumbnails';

function record(prompt: string, extra: Partial<GenerationRecord> = {}): GenerationRecord {
  return {
    v: 1,
    operation: 'generate',
    prompt,
    model: 'gpt-image-1.5',
    options: { size: '1024x1024', quality: 'low', output_format: 'png', n: 1 },
    provider: { kind: 'openai' },
    createdAt: '2026-11-23T12:00:00.000Z',
    tool: 'Pixelwright test',
    ...extra,
  };
}

/** A noisy picture, so the encoded file is large (the record must be found without reading it all). */
function picture(width: number, height: number, seed = 7): sharp.Sharp {
  const raw = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < raw.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    raw[i] = (i % (width * 3)) / 6 + (s >>> 28);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

suite('gallery: records from file heads', function () {
  this.timeout(60_000);
  let dir: string;
  const files: Record<string, { path: string; size: number }> = {};

  suiteSetup(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-gallery-scan-'));
    const write = async (name: string, bytes: Uint8Array) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      files[name] = { path: p, size: bytes.length };
    };
    const long = 'a long prompt, stored zlib-compressed '.repeat(400);
    await write('a.png', embedRecord(await picture(800, 600).png().toBuffer(), record('a png')));
    await write('long.png', embedRecord(await picture(400, 300).png().toBuffer(), record(long)));
    await write('b.jpg', embedRecord(await picture(800, 600).jpeg({ quality: 90 }).toBuffer(), record('a jpeg')));
    await write('c.webp', embedRecord(await picture(800, 600).webp({ quality: 90 }).toBuffer(), record('a webp')));
    await write('lossless.webp', embedRecord(await picture(300, 200).webp({ lossless: true }).toBuffer(), record('a lossless webp')));
    await write('plain.png', await picture(200, 100).png().toBuffer());
    await write('plain.webp', await picture(200, 100).webp().toBuffer());
    // A record bigger than the head: many KB of foreign text chunks before ours.
    const big = embedRecord(await picture(300, 200).png().toBuffer(), record('after a big chunk'));
    const filler = Buffer.alloc(HEAD_BYTES * 2, 0x41);
    const chunk = pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), filler]));
    await write('late.png', Buffer.concat([big.subarray(0, 33), chunk, big.subarray(33)]));
    fs.writeFileSync(path.join(dir, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]));
    files['broken.png'] = { path: path.join(dir, 'broken.png'), size: 11 };
  });

  suiteTeardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [name, prompt] of [
    ['a.png', 'a png'],
    ['b.jpg', 'a jpeg'],
    ['c.webp', 'a webp'],
    ['lossless.webp', 'a lossless webp'],
    ['late.png', 'after a big chunk'],
  ] as const) {
    test(`${name}: the record, as readRecord finds it in the whole file, from a few reads`, async () => {
      const f = files[name];
      const r = await scanFile(f.path);
      const whole = readRecord(fs.readFileSync(f.path));
      assert.ok(whole, 'the fixture has a record');
      assert.deepStrictEqual(r.record, whole);
      assert.strictEqual(r.record?.prompt, prompt);
      assert.strictEqual(r.size, f.size);
      assert.ok(r.width && r.height, 'the size from the header');
      if (name !== 'late.png') assert.ok(r.bytesRead < Math.max(HEAD_BYTES + 4096, f.size / 4), `${r.bytesRead} of ${f.size} bytes read`);
    });
  }

  test('a compressed (long) PNG record is read', async () => {
    const r = await scanFile(files['long.png'].path);
    assert.ok(r.record && r.record.prompt.length > 10_000);
  });

  test('images without a record, and damaged files, give none (and do not throw)', async () => {
    for (const n of ['plain.png', 'plain.webp', 'broken.png']) {
      const r = await scanFile(files[n].path);
      assert.strictEqual(r.record, undefined, n);
    }
    assert.strictEqual((await scanImage(bytesSource(new TextEncoder().encode('hello')))).record, undefined);
  });

  test('the in-memory source (other file systems) finds the same records', async () => {
    for (const n of ['a.png', 'b.jpg', 'c.webp']) {
      const bytes = fs.readFileSync(files[n].path);
      assert.deepStrictEqual((await scanImage(bytesSource(bytes))).record, readRecord(bytes), n);
    }
  });

  test('WebP: the XMP chunk at the end is reached by chunk headers, not by reading the bitstream', async () => {
    const f = files['c.webp'];
    assert.ok(f.size > HEAD_BYTES * 2, `the fixture is ${f.size} bytes`);
    const r = await scanFile(f.path);
    assert.ok(r.bytesRead < HEAD_BYTES + 4096, `${r.bytesRead} bytes read of ${f.size}`);
  });

  test('thumbnails: upright, within 256 px, WebP; made once, then from the disk cache', async () => {
    const cacheDir = path.join(dir, 'cache');
    let made = 0;
    const cache = new ThumbnailCache(cacheDir, async () => (input) => (made++, makeThumbnail(input)));
    const job: ThumbJob = { id: 'a.png', rev: '1-1', source: files['a.png'].path };
    const t = await cache.get(job);
    assert.ok(t);
    assert.strictEqual(t.mime, 'image/webp');
    const meta = await sharp(Buffer.from(t.bytes)).metadata();
    assert.strictEqual(meta.format, 'webp');
    assert.deepStrictEqual([meta.width, meta.height], [256, 192]);
    assert.strictEqual(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.webp')).length, 1);
    // a new cache (a new window) reads the file instead of making it again
    const again = new ThumbnailCache(cacheDir, async () => (input) => (made++, makeThumbnail(input)));
    const t2 = await again.get(job);
    assert.deepStrictEqual(Buffer.from(t2!.bytes), Buffer.from(t.bytes));
    assert.strictEqual(made, 1);
    assert.strictEqual(again.stats.fromDisk, 1);
    // another version of the file is another thumbnail; prune keeps only current versions
    await again.get({ ...job, rev: '2-2' });
    assert.strictEqual(made, 2);
    assert.strictEqual(await again.prune([{ id: 'a.png', rev: '2-2' }]), 1);
    assert.deepStrictEqual(fs.readdirSync(cacheDir), [ThumbnailCache.fileName('a.png', '2-2')]);
  });

  test('thumbnails: small images are not enlarged; EXIF orientation is applied; bytes work too', async () => {
    const small = await makeThumbnail(await picture(40, 30).png().toBuffer());
    assert.deepStrictEqual([small.width, small.height], [40, 30]);
    const rotated = await picture(300, 100).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const t = await makeThumbnail(rotated);
    assert.deepStrictEqual([t.width, t.height], [85, 256]);
  });

  test('the queue serves the latest request only, and reports what cannot be made', async () => {
    const started: string[] = [];
    const cache = new ThumbnailCache(undefined, async () => async (input) => {
      started.push(String(input));
      await new Promise((r) => setTimeout(r, 20));
      if (String(input).includes('bad')) throw new Error('cannot decode');
      return { bytes: new Uint8Array([1]), mime: 'image/webp', width: 1, height: 1 };
    }, { concurrency: 1 });
    const delivered: string[] = [];
    const jobs = (ids: string[]) => ids.map((id) => ({ id, rev: 'r', source: id }));
    cache.request(jobs(['one', 'two', 'three']), (j, t) => delivered.push(`${j.id}:${t ? 'ok' : 'none'}`));
    cache.request(jobs(['bad', 'four']), (j, t) => delivered.push(`${j.id}:${t ? 'ok' : 'none'}`));
    await new Promise((r) => setTimeout(r, 200));
    // 'one' was already running when the second request replaced 'two' and 'three'
    assert.deepStrictEqual(started, ['one', 'bad', 'four']);
    assert.deepStrictEqual(delivered, ['one:ok', 'bad:none', 'four:ok']);
    // memory hits are delivered at once; a failure is not retried
    const now: string[] = [];
    cache.request(jobs(['four', 'bad']), (j, t) => now.push(`${j.id}:${t ? 'ok' : 'none'}`));
    assert.deepStrictEqual(now, ['four:ok', 'bad:none']);
    assert.strictEqual(started.length, 3);
  });
});

suite('gallery: the first screen', function () {
  this.timeout(30_000);

  test('thumbnails already on disk are read at once, not queued behind the ones sharp makes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-gallery-first-'));
    try {
      const slow = async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { bytes: new Uint8Array([9]), mime: 'image/webp' as const, width: 1, height: 1 };
      };
      for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(dir, ThumbnailCache.fileName(`old${i}`, 'r')), Uint8Array.of(1, 2, 3));
      const cache = new ThumbnailCache(dir, async () => slow, { concurrency: 1 });
      await cache.warm();
      const jobs = (ids: string[]) => ids.map((id) => ({ id, rev: 'r', source: id }));
      const t0 = Date.now();
      const at: Record<string, number> = {};
      await new Promise<void>((done) => {
        cache.request(jobs(['new0', 'new1', 'old0', 'old1', 'old2', 'old3']), (j) => {
          at[j.id] = Date.now() - t0;
          if (Object.keys(at).length === 6) done();
        });
      });
      for (let i = 0; i < 4; i++) assert.ok(at[`old${i}`] < 250, `old${i} waited ${at[`old${i}`]} ms behind the thumbnails being made`);
      assert.ok(at.new1 >= 550, 'the two to make ran one at a time');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the feed sends what is ready at the same moment in one message, the first screen once per page', async () => {
    const cache = new ThumbnailCache(undefined, async () => async () => ({ bytes: new Uint8Array([7]), mime: 'image/webp', width: 1, height: 1 }));
    const posts: FedThumb[][] = [];
    const feed = new ThumbnailFeed(cache, (items) => posts.push(items));
    const jobs = (ids: string[]) => ids.map((id) => ({ id, rev: 'r', source: id }));
    const tick = () => new Promise((r) => setTimeout(r, 50));
    // made once (into memory), then sent from memory
    feed.prefetch(jobs(['a', 'b', 'c']));
    await tick();
    assert.strictEqual(posts.length, 0, 'a prefetch posts nothing');
    feed.reset();
    feed.push(jobs(['a', 'b', 'c']));
    await tick();
    assert.deepStrictEqual(posts.map((p) => p.map((t) => t.id)), [['a', 'b', 'c']], 'one message for the three');
    feed.push(jobs(['a', 'b', 'c', 'd']));
    await tick();
    assert.deepStrictEqual(posts.map((p) => p.map((t) => t.id)), [['a', 'b', 'c'], ['d']], 'only what this page has not had');
    feed.request(jobs(['a']));
    await tick();
    assert.deepStrictEqual(posts.at(-1)!.map((t) => t.id), ['a'], 'what the page asks for is sent again');
    // a new page gets the first screen again
    feed.reset();
    feed.push(jobs(['a', 'b']));
    await tick();
    assert.deepStrictEqual(posts.at(-1)!.map((t) => t.id), ['a', 'b']);
  });
});

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
