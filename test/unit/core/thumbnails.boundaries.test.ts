// Boundaries of gallery thumbnails (found by mutation testing): the quality range and its default,
// the first frame of an animation, and a damaged file still giving what it can.
import * as assert from 'assert';
import sharp from 'sharp';
import { makeThumbnail } from '../../../src/core/thumbnails';

/** Noise, so that the WebP quality shows in the size (and no two GIF frames are alike). */
function noisy(width: number, height: number, pageHeight?: number): sharp.Sharp {
  const px = Buffer.alloc(width * height * 3);
  let s = 11;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    px[i] = s >>> 24;
  }
  return sharp(px, { raw: { width, height, channels: 3, pageHeight } });
}

suite('thumbnails: boundaries', () => {
  test('quality is clamped to 1..100, and 72 by default', async () => {
    const png = await noisy(96, 64).png().toBuffer();
    const size = async (quality?: number) => (await makeThumbnail(png, quality === undefined ? {} : { quality })).bytes.length;
    const [q1, q72, q100, dflt, below, above] = await Promise.all([size(1), size(72), size(100), size(), size(-5), size(500)]);
    assert.ok(q1 < q72 && q72 < q100, `${q1} < ${q72} < ${q100}`);
    assert.deepStrictEqual([dflt, below, above], [q72, q1, q100]);
  });

  test('an animation gives its first frame, not the strip of all frames', async () => {
    const gif = await noisy(40, 90, 30).gif().toBuffer();
    assert.strictEqual((await sharp(gif).metadata()).pages, 3);
    const t = await makeThumbnail(gif);
    assert.deepStrictEqual([t.mime, t.width, t.height], ['image/webp', 40, 30]);
  });

  test('a truncated JPEG still makes a thumbnail (the part that arrived)', async () => {
    const jpeg = await noisy(300, 200).jpeg({ quality: 90 }).toBuffer();
    const t = await makeThumbnail(jpeg.subarray(0, Math.floor(jpeg.length * 0.7)));
    assert.deepStrictEqual([t.width, t.height], [256, 171]);
    await assert.rejects(makeThumbnail(Buffer.from('not an image')));
  });
});
