/**
 * Renditions made from a source decoded once (src/core/renditions.ts): the sizes each fit gives,
 * an EXIF-rotated photo kept upright, a source's pixels unchanged against sharp reading the file
 * itself, and the record the written file carries.
 */
import * as assert from 'assert';
import sharp from 'sharp';
import type { Rendition } from '../../../src/core/manifest';
import { readRecord } from '../../../src/core/metadata';
import type { GenerationRecord } from '../../../src/core/record';
import { decodeSource, makeRendition, renderRendition } from '../../../src/core/renditions';

const rendition = (r: Partial<Rendition>): Rendition => ({ path: 'out/r.png', format: 'png', fit: 'contain', offset: 0, length: 0, ...r }) as Rendition;

/** A 200x100 picture: left half red, right half blue. */
async function halves(format: 'png' | 'jpeg' = 'png', orientation?: number): Promise<Uint8Array> {
  const w = 200;
  const h = 100;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
  let img = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  img = format === 'png' ? img.png() : img.jpeg({ quality: 95 });
  if (orientation) img = img.withMetadata({ orientation });
  return new Uint8Array(await img.toBuffer());
}

async function pixel(bytes: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

suite('renditions from a source decoded once', () => {
  test('the size each fit gives: cover and pad fill the box, contain stays inside, scale and a lone width keep the ratio', async () => {
    const src = await decodeSource(await halves());
    assert.deepStrictEqual([src.width, src.height], [200, 100]);
    const size = async (r: Partial<Rendition>) => {
      const out = await renderRendition(src, rendition(r));
      const meta = await sharp(out.bytes).metadata();
      assert.deepStrictEqual([meta.width, meta.height], [out.width, out.height], 'the result says the size of its bytes');
      return `${out.width}x${out.height}`;
    };
    assert.strictEqual(await size({ width: 64, height: 64, fit: 'cover' }), '64x64');
    assert.strictEqual(await size({ width: 64, height: 64, fit: 'pad' }), '64x64');
    assert.strictEqual(await size({ width: 64, height: 64, fit: 'contain' }), '64x32');
    assert.strictEqual(await size({ scale: 0.25 }), '50x25');
    assert.strictEqual(await size({ width: 80 }), '80x40');
  });

  test('the formats asked for come out, and pad fills with its background', async () => {
    const src = await decodeSource(await halves());
    for (const format of ['png', 'jpeg', 'webp', 'avif'] as const) {
      const out = await renderRendition(src, rendition({ format, width: 32, height: 32, fit: 'cover' }));
      assert.strictEqual((await sharp(out.bytes).metadata()).format, format === 'avif' ? 'heif' : format);
    }
    const padded = await renderRendition(src, rendition({ width: 100, height: 100, fit: 'pad', background: '#00ff00' }));
    assert.deepStrictEqual(await pixel(padded.bytes, 50, 2), [0, 255, 0], 'the band above the picture is the background');
    assert.deepStrictEqual(await pixel(padded.bytes, 10, 50), [255, 0, 0]);
  });

  test('a photo whose EXIF says "rotate 90°" comes out upright, as sharp reading the file shows it', async () => {
    const jpeg = await halves('jpeg', 6);
    const src = await decodeSource(jpeg);
    assert.deepStrictEqual([src.width, src.height], [100, 200], 'decoded upright');
    const ours = await renderRendition(src, rendition({ width: 50 }));
    const direct = await sharp(jpeg).rotate().resize({ width: 50 }).png().toBuffer();
    assert.deepStrictEqual([ours.width, ours.height], [50, 100]);
    for (const [x, y] of [[25, 10], [25, 90]]) {
      const a = await pixel(ours.bytes, x, y);
      const b = await pixel(new Uint8Array(direct), x, y);
      assert.ok(a.every((v, i) => Math.abs(v - b[i]) <= 2), `(${x},${y}): ${a} vs ${b}`);
    }
  });

  test('the written file carries the source\'s recipe, the rendition\'s hash and what it is of; AVIF carries none', async () => {
    const record = { v: 1, operation: 'generate', prompt: 'a sword', model: 'gpt-image-1.5', options: { size: '1024x1024' }, provider: { kind: 'openai' }, createdAt: '2026-12-01T00:00:00Z', asset: { recipe: 'r1' }, requestId: 'req', index: 0, count: 1 } as unknown as GenerationRecord;
    const src = await decodeSource(await halves());
    const png = await makeRendition(src, record, rendition({ width: 16, height: 16, fit: 'cover' }), 'h1', 'art/sword.png');
    const got = readRecord(png)!;
    assert.strictEqual(got.prompt, 'a sword');
    assert.deepStrictEqual(got.asset, { recipe: 'h1', of: 'art/sword.png' });
    assert.deepStrictEqual(got.sources, ['art/sword.png']);
    assert.strictEqual((got as unknown as { requestId?: string }).requestId, undefined, 'the source\'s request is not the rendition\'s');
    assert.match(String(got.options.rendition), /^16x16 cover png$/);
    const avif = await makeRendition(src, record, rendition({ format: 'avif', width: 16 }), 'h2', 'art/sword.png');
    assert.strictEqual(readRecord(avif), undefined);
  });

  test('a damaged source is refused when decoded', async () => {
    const png = await halves();
    await assert.rejects(decodeSource(png.slice(0, 200)));
  });
});
