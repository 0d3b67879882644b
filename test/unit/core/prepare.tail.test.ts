// The second half of input preparation, src/core/prepare.ts from prepareDalle2 on (found by mutation
// testing): the dall-e-2 byte ladder (level 9, 256 colours, smaller squares) at its exact limits, which
// painted pixels count as outside a crop, what a GPT re-encoding keeps (JPEG 4:4:4, quality, WebP alpha),
// the notes it gives and does not give, the guide's refusals and sizes, and composing onto the original
// (its pixel limit, another aspect stretched, padding cut to the column, an empty painting, the 128
// threshold, the feather a symmetric blend, no temporary profile file left behind).
// Small inputs only. Not tested here, as equivalent: which stage a cancel is noticed at (checks moved or
// dropped by one step), PNG compression options, and shortcuts that give the same pixels.
// The fixtures of prepare.test.ts and prepare.boundaries.test.ts are not exported; the small ones below
// (noise, a flat PNG, a painting, RGBA pixels) could move into a shared module with theirs.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { ModelTable, type ModelCapabilities } from '../../../src/core/models';
import { composeUnmasked, keepUnmaskedPixels, makeVariationInput, type MaskInput, type PrepareOptions, prepareInputs } from '../../../src/core/prepare';
import { rejects } from './prepareRejects';
import { englishMessage } from '../../../src/shared/messages';

const models = new ModelTable();
const GPT = models.get('gpt-image-1.5')!;
const DALLE2 = models.get('dall-e-2')!;
const G25 = models.get('gpt-image-2.5-flare')!;

/** A model's capabilities with another input byte limit (the limit used is 95% of it, rounded down). */
const withMaxBytes = (caps: ModelCapabilities, maxBytes: number): ModelCapabilities => ({ ...caps, input: { ...caps.input, maxBytes } });
/** maxBytes whose limit (floor of 95%) is exactly `limit`. */
function maxBytesFor(limit: number): number {
  let m = Math.floor(limit / 0.95);
  while (Math.floor(m * 0.95) < limit) m++;
  while (Math.floor(m * 0.95) > limit) m--;
  assert.strictEqual(Math.floor(m * 0.95), limit);
  return m;
}

/** Deterministic noise of the given channels (compresses badly, like a photo's grain). */
function noisePixels(width: number, height: number, channels: number, seed = 1): Buffer {
  const px = Buffer.alloc(width * height * channels);
  let s = seed;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    px[i] = s >>> 24;
  }
  return px;
}
const raw = (px: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4) => sharp(px, { raw: { width, height, channels } });
const flatPng = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 70, g: 100, b: 130 } } }).png().toBuffer();
const solidPng = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();

/** A painting with the given rectangles (left, top, width, height) set to `value`. */
function paint(width: number, height: number, value: number, ...rects: [number, number, number, number][]): MaskInput & { painted: Uint8Array } {
  const painted = new Uint8Array(width * height);
  for (const [l, t, w, h] of rects) for (let y = t; y < t + h; y++) painted.fill(value, y * width + l, y * width + l + w);
  return { width, height, painted };
}

/** Raw RGBA of an image, with its size and a pixel reader. */
async function rgba(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)];
  return { data, width: info.width, height: info.height, at };
}

const notes = (prep: { notes: Parameters<typeof englishMessage>[0][] }) => prep.notes.map(englishMessage);

suite('prepare (tail): dall-e-2, which painting counts', () => {
  test('a variation never carries a mask, even when its options hold one', async () => {
    const png = await flatPng(40, 40);
    const opts = { mask: paint(40, 40, 255, [0, 0, 10, 10]) } as PrepareOptions;
    const prep = await makeVariationInput({ name: 'v.png', bytes: png }, DALLE2, opts);
    assert.strictEqual(prep.mask, undefined);
    const img = await rgba(prep.images[0].bytes);
    assert.deepStrictEqual(img.at(5, 5), [70, 100, 130, 255], 'nothing made transparent either');
  });

  test('an empty painting is no painting: the transparent pixels are used, or an opaque image is refused', async () => {
    const px = Buffer.alloc(20 * 20 * 4, 200);
    for (let i = 0; i < 400; i++) px[i * 4 + 3] = i < 20 ? 0 : 255; // the first row transparent
    const holed = await raw(px, 20, 20, 4).png().toBuffer();
    const empty = paint(20, 20, 127, [0, 0, 20, 20]);
    const prep = await prepareInputs([{ name: 'h.png', bytes: holed }], DALLE2, { mask: empty });
    assert.strictEqual(prep.mask, undefined);
    assert.deepStrictEqual(notes(prep), ['h.png: no mask was painted, so its transparent pixels mark where to edit.']);
    await rejects(prepareInputs([{ name: 'o.png', bytes: await flatPng(20, 20) }], DALLE2, { mask: empty }), 'no-edit-area', /o\.png has no transparent pixels and no painted area/);
  });

  test('a 16-bit RGBA input is named as converted to 8-bit RGBA', async () => {
    const deep = await raw(noisePixels(20, 20, 4), 20, 20, 4).toColourspace('rgb16').png().toBuffer();
    const meta = await sharp(deep).metadata();
    assert.deepStrictEqual([meta.channels, meta.depth, meta.isPalette], [4, 'ushort', false]);
    const prep = await prepareInputs([{ name: 'd.png', bytes: deep }], DALLE2, { mask: paint(20, 20, 255, [2, 2, 4, 4]) });
    assert.deepStrictEqual(notes(prep), ['d.png: converted from 16-bit RGB+alpha to 8-bit RGBA.']);
  });

  test('the notes, word for word: padded left and right, rotated, a painted stroke widened', async () => {
    const tall = await prepareInputs([{ name: 't.png', bytes: await flatPng(4, 8) }], DALLE2, { mask: paint(4, 8, 255, [1, 1, 1, 1]) });
    assert.deepStrictEqual(notes(tall), ['t.png: converted from 8-bit RGB to 8-bit RGBA.', 't.png: padded to a square with its edge colours; the padding is never edited.']);
    const turned = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#468' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await prepareInputs([{ name: 'r.jpg', bytes: turned }], DALLE2, { mask: paint(20, 30, 255, [1, 1, 2, 2]) });
    assert.deepStrictEqual(notes(r), [
      'r.jpg: rotated to match its EXIF orientation (6).',
      'r.jpg: converted from JPEG to PNG.',
      'r.jpg: converted from 8-bit RGB to 8-bit RGBA.',
      'r.jpg: padded to a square with its edge colours; the padding is never edited.',
    ]);
    // 2048x16 is halved into the 1024 square: a one-pixel stroke is widened.
    const stroke = await prepareInputs([{ name: 's.png', bytes: await flatPng(2048, 16) }], DALLE2, { mask: paint(2048, 16, 255, [100, 7, 500, 1]) });
    assert.deepStrictEqual(notes(stroke).slice(-1), ['The painted area of s.png has parts too thin to survive scaling to 1024x1024; they were widened to one pixel there so that they are still edited.']);
  });

  test('crop: a painted pixel one row below or one column right of the square is outside it; the last row and column are inside', async () => {
    // Tall 30x40: the square is rows 5..34. Wide 40x30: columns 5..34.
    const cases: [number, number, [number, number, number, number][], boolean][] = [
      [30, 40, [[10, 20, 5, 5], [3, 35, 1, 1]], true],
      [30, 40, [[10, 20, 5, 5], [3, 34, 1, 1]], false],
      [40, 30, [[10, 10, 5, 5], [35, 3, 1, 1]], true],
      [40, 30, [[10, 10, 5, 5], [34, 3, 1, 1]], false],
    ];
    for (const [W, H, rects, outside] of cases) {
      const prep = await prepareInputs([{ name: 'c.png', bytes: await flatPng(W, H) }], DALLE2, { squareMode: 'crop', mask: paint(W, H, 255, ...rects) });
      assert.strictEqual(notes(prep).includes('c.png: part of the painted area lies outside the square crop and will not be edited.'), outside, `${W}x${H} ${JSON.stringify(rects)}`);
    }
    // Painted at 128 (painted, just), all inside the square: nothing lies outside.
    const faint = await prepareInputs([{ name: 'c.png', bytes: await flatPng(30, 40) }], DALLE2, { squareMode: 'crop', mask: paint(30, 40, 128, [10, 20, 5, 5]) });
    assert.ok(faint.mask, 'a painting at 128 is sent');
    assert.ok(!notes(faint).some((n) => /outside the square crop/.test(n)), notes(faint).join('\n'));
  });
});

suite('prepare (tail): dall-e-2, the byte ladder at its exact limits', () => {
  // A 64x64 RGBA square (gradients with some grain, which level 9 packs smaller than level 4): sent
  // as it is decoded (no padding, no note), so the sizes below are those of its PNGs at each step.
  const pixels = (() => {
    const px = Buffer.alloc(64 * 64 * 4);
    let s = 11;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const n = s >>> 24;
        px.set([(x * 4 + (n & 31)) & 255, (y * 4) & 255, ((x >> 2) * (y >> 2)) & 255, 255 - (n & 3)], (y * 64 + x) * 4);
      }
    }
    return px;
  })();
  const square = () => raw(pixels, 64, 64, 4).png({ compressionLevel: 1 }).toBuffer();
  const vary = async (limit: number) => makeVariationInput({ name: 'n.png', bytes: await square() }, withMaxBytes(DALLE2, maxBytesFor(limit)));
  const ladder = async () => {
    // The size at the fast level (nothing to shrink), then at level 9 (forced by a limit at the fast size).
    const fast = (await vary(10_000_000)).images[0].bytes.length;
    const best = (await vary(fast)).images[0].bytes.length;
    return { fast, best };
  };

  test('at the fast level\'s size exactly, level 9 is tried, and it is sent losslessly when it fits', async () => {
    const { fast, best } = await ladder();
    assert.ok(best < fast, `level 9 (${best}) is smaller than level 4 (${fast})`);
    const prep = await vary(fast);
    assert.deepStrictEqual(notes(prep), []);
    assert.strictEqual(prep.geometry.width, 64);
    // Lossless: the same pixels as the input.
    const sent = await rgba(prep.images[0].bytes);
    assert.ok(sent.data.equals(pixels), 'the pixels are the input\'s');
  });

  test('at level 9\'s size exactly, it does not fit: 256 colours; at the 256-colour size exactly, refused (no smaller square)', async () => {
    const { best } = await ladder();
    const quantized = await vary(best);
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    assert.deepStrictEqual(notes(quantized), [`n.png: reduced to 256 colours to stay under ${mb(best)}.`]);
    assert.strictEqual(quantized.geometry.width, 64);
    const q = quantized.images[0].bytes.length;
    assert.ok(q < best);
    // At exactly its size the 256-colour PNG does not fit either; a 64 square is already under
    // 512 and 256, so there is no smaller square to try.
    await rejects(vary(q), 'too-big-to-send', /^n\.png cannot be made small enough to send\.$/);
    assert.deepStrictEqual(notes(await vary(q + 1)), [`n.png: reduced to 256 colours to stay under ${mb(q + 1)}.`]);
  });
});

/** Smooth colour with some grain and a checkerboard in blue: what a lossy encoder has to work at. */
function photoPixels(width: number, height: number, channels: 3 | 4): Buffer {
  const px = Buffer.alloc(width * height * channels);
  let s = 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const i = (y * width + x) * channels;
      px[i] = Math.min(255, Math.floor((x * 255) / width) + ((s >>> 24) & 15));
      px[i + 1] = Math.min(255, Math.floor((y * 255) / height) + ((s >>> 16) & 15));
      px[i + 2] = ((x >> 3) + (y >> 3)) % 2 ? 200 : 60;
      if (channels === 4) px[i + 3] = x < 8 ? 0 : 255;
    }
  }
  return px;
}

/** Mean absolute difference of the colour samples of two RGBA buffers, over the pixels `where` holds. */
function meanDiff(a: Buffer, b: Buffer, where: (i: number) => boolean = () => true): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (!where(i)) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c] - b[i + c]);
    n += 3;
  }
  return sum / n;
}

suite('prepare (tail): GPT, what a re-encoding keeps', () => {
  test('a JPEG is re-encoded at full chroma (4:4:4) and high quality', async () => {
    const jpeg = await raw(photoPixels(64, 48, 3), 64, 48, 3).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
    const prep = await prepareInputs([{ name: 'p.jpg', bytes: jpeg }], withMaxBytes(GPT, maxBytesFor(jpeg.length)));
    assert.deepStrictEqual(notes(prep), [`p.jpg: re-encoded to stay under ${(jpeg.length / 1048576).toFixed(1)} MB.`]);
    const meta = await sharp(prep.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.format, meta.width, meta.height, meta.chromaSubsampling], ['jpeg', 64, 48, '4:4:4']);
    const d = meanDiff((await rgba(prep.images[0].bytes)).data, (await rgba(jpeg)).data);
    // Quality 95 at 4:4:4: about 1.6 on this picture; the encoder's default (quality 80, 4:2:0) about 7.
    assert.ok(d < 3, `mean difference ${d.toFixed(2)}`);
  });

  test('a WebP is re-encoded at high quality, its alpha exact', async () => {
    const px = photoPixels(96, 64, 4);
    const webp = await raw(px, 96, 64, 4).webp({ lossless: true }).toBuffer();
    const prep = await prepareInputs([{ name: 'w.webp', bytes: webp }], withMaxBytes(GPT, maxBytesFor(webp.length)), { alphaAsMask: false });
    assert.deepStrictEqual(notes(prep), [`w.webp: re-encoded to stay under ${(webp.length / 1048576).toFixed(1)} MB.`]);
    assert.strictEqual(prep.images[0].format, 'webp');
    assert.strictEqual((await sharp(prep.images[0].bytes).metadata()).format, 'webp', 'the bytes are WebP too');
    const out = (await rgba(prep.images[0].bytes)).data;
    for (let i = 3; i < out.length; i += 4) assert.strictEqual(out[i], px[i], `alpha at pixel ${(i - 3) / 4}`);
    const d = meanDiff(out, px, (i) => px[i + 3] !== 0);
    // Quality 95: about 6.8 on this picture (WebP always halves the chroma); the default (80) about 11.
    assert.ok(d < 9, `mean difference ${d.toFixed(2)}`);
  });

  test('a damaged file that has to be re-encoded (TIFF to PNG, a rotated JPEG) is refused in plain words', async () => {
    const tiff = await raw(photoPixels(40, 30, 3), 40, 30, 3).tiff().toBuffer();
    const jpeg = await raw(photoPixels(64, 48, 3), 64, 48, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    for (const [name, bytes] of [['cut.tif', tiff.subarray(0, tiff.length - 200)], ['cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.7))]] as const) {
      const err = await rejects(prepareInputs([{ name, bytes }], GPT), 'damaged', new RegExp(`^${name.replace('.', '\\.')} is damaged or truncated`));
      assert.ok(err.detail, 'the decoder\'s words are kept for the log');
    }
  });

  test('"re-encoded to stay under" only when nothing else changes the file: not for a rotated or a scaled one', async () => {
    const stored = photoPixels(48, 64, 3);
    const rotated = await raw(stored, 48, 64, 3).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).withMetadata({ orientation: 6 }).toBuffer();
    const r = await prepareInputs([{ name: 'r.jpg', bytes: rotated }], withMaxBytes(GPT, maxBytesFor(rotated.length)));
    assert.deepStrictEqual(notes(r), ['r.jpg: rotated to match its EXIF orientation (6).']);
    assert.ok(r.images[0].bytes.length < rotated.length);
    const tall = await sharp({ create: { width: 8, height: 4097, channels: 3, background: '#468' } }).png({ compressionLevel: 0 }).toBuffer();
    const t = await prepareInputs([{ name: 't.png', bytes: tall }], withMaxBytes(GPT, maxBytesFor(tall.length)));
    assert.deepStrictEqual(notes(t), ['t.png: scaled from 8x4097 to 8x4096.']);
  });

  test('a scaled image\'s geometry: its scale is the new width over the old, and a sliver keeps one row', async () => {
    const wide = await prepareInputs([{ name: 'w.png', bytes: await flatPng(6000, 4) }], GPT);
    assert.deepStrictEqual(wide.geometry, {
      orientation: 1,
      source: { width: 6000, height: 4 },
      crop: { left: 0, top: 0, width: 6000, height: 4 },
      content: { left: 0, top: 0, width: 4096, height: 3 },
      scale: 4096 / 6000,
      square: 'none',
      width: 4096,
      height: 3,
    });
    const sliver = await prepareInputs([{ name: 's.png', bytes: await flatPng(10000, 1) }], GPT);
    assert.deepStrictEqual([sliver.geometry.width, sliver.geometry.height], [4096, 1]);
    const meta = await sharp(sliver.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height], [4096, 1]);
  });
});

suite('prepare (tail): GPT, scaling and byte limits at their edges', () => {
  test('scaled in width only (4097x8 to 4096x8): the picture is resized and the note says so', async () => {
    const prep = await prepareInputs([{ name: 'w.png', bytes: await flatPng(4097, 8) }], GPT);
    assert.deepStrictEqual(notes(prep), ['w.png: scaled from 4097x8 to 4096x8.']);
    const meta = await sharp(prep.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height], [4096, 8]);
  });

  test('a scaled picture is stretched to its new size, not cut to its aspect: the edges stay where they were', async () => {
    // 6000x4 goes out 4096x3 (a slightly other aspect). Red is the source column / 6000 * 250.
    const W = 6000;
    const px = Buffer.alloc(W * 4 * 3);
    for (let i = 0; i < W * 4; i++) px[i * 3] = Math.round(((i % W) / W) * 250);
    const prep = await prepareInputs([{ name: 'g.png', bytes: await raw(px, W, 4, 3).png().toBuffer() }], GPT);
    const out = await rgba(prep.images[0].bytes);
    assert.deepStrictEqual([out.width, out.height], [4096, 3]);
    assert.ok(out.at(0, 1)[0] <= 2 && out.at(4095, 1)[0] >= 247, `edges: ${out.at(0, 1)[0]}, ${out.at(4095, 1)[0]}`);
  });

  test('megabytes: "10 MB" for a limit of exactly 10 MB', async () => {
    const png = await raw(noisePixels(16, 16, 3), 16, 16, 3).png({ compressionLevel: 0 }).toBuffer();
    const limit = 10 * 1048576;
    const prep = await prepareInputs([{ name: 'p.png', bytes: Buffer.concat([png, Buffer.alloc(limit)]) }], withMaxBytes(GPT, maxBytesFor(limit)));
    assert.deepStrictEqual(notes(prep), ['p.png: re-encoded to stay under 10 MB.']);
  });

  test('a re-encoding of exactly the limit\'s size does not fit: the picture is scaled down', async () => {
    const jpeg = await raw(photoPixels(64, 48, 3), 64, 48, 3).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
    const size = (await prepareInputs([{ name: 'p.jpg', bytes: jpeg }], withMaxBytes(GPT, maxBytesFor(jpeg.length)))).images[0].bytes.length;
    assert.ok(size < jpeg.length);
    const at = await prepareInputs([{ name: 'p.jpg', bytes: jpeg }], withMaxBytes(GPT, maxBytesFor(size)));
    assert.ok(at.geometry.width < 64 && at.images[0].bytes.length < size, `${at.geometry.width} wide, ${at.images[0].bytes.length} bytes`);
    assert.match(notes(at).join('\n'), new RegExp(`^p\\.jpg: scaled from 64x48 to ${at.geometry.width}x${at.geometry.height}\\.$`, 'm'));
    const over = await prepareInputs([{ name: 'p.jpg', bytes: jpeg }], withMaxBytes(GPT, maxBytesFor(size + 1)));
    assert.deepStrictEqual([over.geometry.width, over.images[0].bytes.length], [64, size]);
  });
});

suite('prepare (tail): GPT, the first image decoded in full', () => {
  test('a damaged image with transparency is refused when a mask or a guide is given (its alpha is then not read)', async () => {
    const png = await raw(noisePixels(60, 40, 4), 60, 40, 4).png().toBuffer();
    const cut = png.subarray(0, Math.floor(png.length / 2));
    await rejects(prepareInputs([{ name: 'cut.png', bytes: cut }], GPT, { mask: paint(60, 40, 255, [0, 0, 5, 5]) }), 'damaged', /^cut\.png is damaged/);
    const guide = await raw(Buffer.alloc(60 * 40 * 4), 60, 40, 4).png().toBuffer();
    await rejects(prepareInputs([{ name: 'cut.png', bytes: cut }], G25, { guide }), 'damaged', /^cut\.png is damaged/);
  });

  test('a transparent hole too thin for the scaling is widened and named as the transparent area', async () => {
    const W = 8192;
    const H = 4;
    const px = Buffer.alloc(W * H * 4, 255);
    px[(1 * W + 5001) * 4 + 3] = 0;
    const png = await raw(px, W, H, 4).png().toBuffer();
    const prep = await prepareInputs([{ name: 'pin.png', bytes: png }], GPT);
    assert.deepStrictEqual(notes(prep), [
      'pin.png: scaled from 8192x4 to 4096x2.',
      'pin.png: no mask was painted, so its transparent pixels mark where to edit.',
      'The transparent area of pin.png has parts too thin to survive scaling to 4096x2; they were widened to one pixel there so that they are still edited.',
    ]);
    const m = await rgba(prep.mask!.bytes);
    assert.deepStrictEqual([m.at(2500, 0)[3], m.at(2499, 0)[3], m.at(2500, 1)[3]], [0, 255, 255]);
  });
});

suite('prepare (tail): the guide', () => {
  /** A transparent guide with an opaque bar at (left, top, width, height); `channels` 2 = grey+alpha, 4 = RGBA; `deep`: 16 bits. */
  async function guide(w: number, h: number, bar: [number, number, number, number] | undefined, channels: 2 | 4 = 4, deep = false): Promise<Buffer> {
    const px = Buffer.alloc(w * h * channels);
    if (bar) {
      const [l, t, bw, bh] = bar;
      for (let y = t; y < t + bh; y++) for (let x = l; x < l + bw; x++) px.fill(200, (y * w + x) * channels, (y * w + x + 1) * channels - 1), (px[(y * w + x + 1) * channels - 1] = 255);
    }
    const img = raw(px, w, h, channels);
    return (channels === 2 ? img.toColourspace('b-w') : deep ? img.toColourspace('rgb16') : img).png().toBuffer();
  }
  const drawnAt = async (png: Uint8Array) => {
    const g = await rgba(png);
    const out: string[] = [];
    for (let i = 0; i < g.width * g.height; i++) if (g.data[i * 4 + 3] !== 0) out.push(`${i % g.width},${Math.floor(i / g.width)}`);
    return { width: g.width, height: g.height, drawn: out };
  };

  test('another size is refused by its header, naming both sizes; the rotation hint only for an image turned a quarter', async () => {
    const png = await flatPng(64, 48);
    const err = await rejects(prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: await guide(64, 47, [1, 1, 2, 2]) }), 'guide-mismatch');
    assert.strictEqual(err.message, 'The guide is 64x47 but a.png is shown at 64x48.');
    assert.strictEqual(err.input, 'a.png');
    const turned = (orientation: number) => sharp({ create: { width: 30, height: 20, channels: 3, background: '#468' } }).jpeg().withMetadata({ orientation }).toBuffer();
    for (const o of [5, 8]) {
      const e = await rejects(prepareInputs([{ name: 'r.jpg', bytes: await turned(o) }], G25, { guide: await guide(30, 20, [1, 1, 2, 2]) }), 'guide-mismatch');
      assert.strictEqual(e.message, 'The guide is 30x20 but r.jpg is shown at 20x30 (the guide must follow the image as displayed, after its EXIF rotation).', String(o));
    }
    const flipped = await rejects(prepareInputs([{ name: 'f.jpg', bytes: await turned(4) }], G25, { guide: await guide(20, 30, [1, 1, 2, 2]) }), 'guide-mismatch');
    assert.strictEqual(flipped.message, 'The guide is 20x30 but f.jpg is shown at 30x20.');
    const other = await rejects(prepareInputs([{ name: 'r.jpg', bytes: await turned(6) }], G25, { guide: await guide(30, 21, [1, 1, 2, 2]) }), 'guide-mismatch');
    assert.strictEqual(other.message, 'The guide is 30x21 but r.jpg is shown at 20x30.');
    const wide = await rejects(prepareInputs([{ name: 'r.jpg', bytes: await turned(6) }], G25, { guide: await guide(31, 20, [1, 1, 2, 2]) }), 'guide-mismatch');
    assert.strictEqual(wide.message, 'The guide is 31x20 but r.jpg is shown at 20x30.');
    // Not turned: a guide of another width only; guides that match the image's sides in part, never a hint.
    const narrow = await rejects(prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: await guide(63, 48, [1, 1, 2, 2]) }), 'guide-mismatch');
    assert.strictEqual(narrow.message, 'The guide is 63x48 but a.png is shown at 64x48.');
    const upright = await flatPng(30, 20);
    for (const [w, h] of [[25, 30], [20, 25], [20, 30]]) {
      const e = await rejects(prepareInputs([{ name: 'u.png', bytes: upright }], G25, { guide: await guide(w, h, [1, 1, 2, 2]) }), 'guide-mismatch');
      assert.strictEqual(e.message, `The guide is ${w}x${h} but u.png is shown at 30x20.`);
    }
  });

  test('a damaged guide is refused as the guide, not as the image', async () => {
    const good = await raw(noisePixels(64, 48, 4), 64, 48, 4).png().toBuffer();
    const err = await rejects(prepareInputs([{ name: 'a.png', bytes: await flatPng(64, 48) }], G25, { guide: good.subarray(0, good.length - 40) }), 'damaged', /^The guide is damaged or truncated/);
    assert.deepStrictEqual(err.text.args[0], { id: 'prepare.name.guide', args: [] });
    assert.ok(err.detail);
  });

  test('a grey+alpha guide and a 16-bit guide are read by their alpha', async () => {
    const png = await flatPng(40, 30);
    for (const [channels, deep] of [[2, false], [4, true]] as const) {
      const g = await guide(40, 30, [10, 5, 6, 3], channels, deep);
      const meta = await sharp(g).metadata();
      assert.deepStrictEqual([meta.channels, meta.depth], [channels, deep ? 'ushort' : 'uchar']);
      const prep = await prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: g });
      const d = await drawnAt(prep.markup!.bytes);
      const expected: string[] = [];
      for (let y = 5; y < 8; y++) for (let x = 10; x < 16; x++) expected.push(`${x},${y}`);
      assert.deepStrictEqual([d.width, d.height, d.drawn.sort()], [40, 30, expected.sort()], `${channels} channels`);
    }
  });

  test('an image scaled in one direction only: the guide follows it; an image not scaled: the guide goes as it is, with no note', async () => {
    const prep = await prepareInputs([{ name: 't.png', bytes: await flatPng(8, 4097) }], G25, { guide: await guide(8, 4097, [2, 2000, 4, 100]) });
    const meta = await sharp(prep.markup!.bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height], [8, 4096]);
    assert.deepStrictEqual(notes(prep), ['t.png: scaled from 8x4097 to 8x4096.', 'The guide for t.png was scaled with the image to 8x4096.']);
    const wide = await prepareInputs([{ name: 'w.png', bytes: await flatPng(4097, 8) }], G25, { guide: await guide(4097, 8, [2000, 2, 100, 4]) });
    assert.deepStrictEqual([(await sharp(wide.markup!.bytes).metadata()).width, notes(wide)], [4096, ['w.png: scaled from 4097x8 to 4096x8.', 'The guide for w.png was scaled with the image to 4096x8.']]);
    const same = await prepareInputs([{ name: 's.png', bytes: await flatPng(40, 30) }], G25, { guide: await guide(40, 30, [1, 1, 2, 2]) });
    assert.deepStrictEqual(notes(same), []);
    assert.deepStrictEqual((await drawnAt(same.markup!.bytes)).drawn.sort(), ['1,1', '1,2', '2,1', '2,2']);
  });

  test('the guide is stretched with the image, not cut to its aspect: a bar at the left edge stays there', async () => {
    // 6000x4 goes out 4096x3; the bar covers source columns 0..299, so sent columns 0..204.
    const prep = await prepareInputs([{ name: 'p.png', bytes: await flatPng(6000, 4) }], G25, { guide: await guide(6000, 4, [0, 0, 300, 4]) });
    const g = await rgba(prep.markup!.bytes);
    assert.deepStrictEqual([g.width, g.height], [4096, 3]);
    assert.deepStrictEqual([g.at(100, 1)[3] > 0, g.at(250, 1)[3]], [true, 0]);
  });

  test('a guide with a single transparent pixel is taken (it does not cover everything)', async () => {
    const px = Buffer.alloc(10 * 8 * 4, 255);
    px[(3 * 10 + 4) * 4 + 3] = 0;
    const prep = await prepareInputs([{ name: 'a.png', bytes: await flatPng(10, 8) }], G25, { guide: await raw(px, 10, 8, 4).png().toBuffer() });
    assert.strictEqual((await drawnAt(prep.markup!.bytes)).drawn.length, 79);
  });
});

suite('prepare (tail): composing onto the original', () => {
  /** The geometry of an input as a GPT model takes it (nothing scaled: the whole image). */
  const gptGeometry = async (png: Buffer) => (await prepareInputs([{ name: 'o.png', bytes: png }], GPT, { alphaAsMask: false })).geometry;
  const black = (w: number, h: number) => solidPng(w, h, [0, 0, 0]);

  test('its own pixel limit, for the original and for the edited image, by name', async () => {
    const original = await flatPng(100, 50);
    const g = await gptGeometry(original);
    await rejects(composeUnmasked(original, await flatPng(100, 50), g, undefined, { maxInputPixels: 4999 }), 'too-large', /^The original image is 100x50 /);
    await rejects(composeUnmasked(original, await flatPng(100, 51), g, undefined, { maxInputPixels: 5000 }), 'too-large', /^The edited image is 100x51 /);
    const out = await composeUnmasked(original, await black(100, 50), g, undefined, { maxInputPixels: 5000 });
    assert.deepStrictEqual((await rgba(out.bytes)).at(50, 25), [0, 0, 0, 255], 'exactly at the limit: composed');
  });

  test('an original of another height only is refused; a damaged original is refused as the original', async () => {
    const g = await gptGeometry(await flatPng(50, 40));
    const err = await rejects(composeUnmasked(await flatPng(50, 41), await flatPng(50, 40), g), 'mask-mismatch');
    assert.strictEqual(err.message, 'The original image is 50x41 but the edit was prepared from a 50x40 image.');
    const wider = await rejects(composeUnmasked(await flatPng(51, 40), await flatPng(50, 40), g), 'mask-mismatch');
    assert.strictEqual(wider.message, 'The original image is 51x40 but the edit was prepared from a 50x40 image.');
    const noisy = await raw(noisePixels(50, 40, 3), 50, 40, 3).png().toBuffer();
    const cut = noisy.subarray(0, Math.floor(noisy.length / 2));
    await rejects(composeUnmasked(cut, await flatPng(50, 40), g, paint(50, 40, 255, [0, 0, 5, 5])), 'damaged', /^The original image is damaged or truncated/);
  });

  test('a mask of another size names the original image in the sentence', async () => {
    const original = await flatPng(40, 30);
    const err = await rejects(composeUnmasked(original, original, await gptGeometry(original), paint(10, 10, 255, [0, 0, 1, 1])), 'mask-mismatch');
    assert.strictEqual(err.message, 'The mask is 10x10 but the original image is shown at 40x30.');
  });

  test('a result in another aspect is stretched onto the original, not cut', async () => {
    // 40x20 original; the result is a 64x64 square, red in its top quarter and blue below.
    const px = Buffer.alloc(64 * 64 * 3);
    for (let i = 0; i < 64 * 64; i++) px.set(i < 16 * 64 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const result = await raw(px, 64, 64, 3).png().toBuffer();
    const original = await flatPng(40, 20);
    const out = await rgba((await composeUnmasked(original, result, await gptGeometry(original))).bytes);
    assert.deepStrictEqual([out.width, out.height], [40, 20]);
    // Stretched: the top quarter is rows 0..4.
    assert.deepStrictEqual([out.at(20, 1), out.at(20, 15)], [[255, 0, 0, 255], [0, 0, 255, 255]]);
    // dall-e-2, padded: a 40 square sent (content at columns 10..29), an 80x40 result whose red
    // is three times its column. Stretched to the square, content column x is result column
    // 2 * (10 + x) + 0.5; cut to the square's aspect instead, it would be column 30 + x.
    const tall = await flatPng(20, 40);
    const all = paint(20, 40, 255, [0, 0, 20, 40]);
    const prep = await prepareInputs([{ name: 't.png', bytes: tall }], DALLE2, { mask: all });
    assert.deepStrictEqual(prep.geometry.content, { left: 10, top: 0, width: 20, height: 40 });
    const wide = Buffer.alloc(80 * 40 * 3);
    for (let i = 0; i < 80 * 40; i++) wide.set([(i % 80) * 3, 0, 0], i * 3);
    const padded = await rgba((await composeUnmasked(tall, await raw(wide, 80, 40, 3).png().toBuffer(), prep.geometry, all, { feather: 0 })).bytes);
    for (const x of [0, 9, 19]) {
      const red = padded.at(x, 20)[0];
      assert.ok(Math.abs(red - 3 * (2 * (10 + x) + 0.5)) <= 4, `column ${x}: red ${red}`);
    }
  });

  test('dall-e-2, padded by a single column or row: that padding is still cut from the result', async () => {
    // 19x20 makes a 20 square with the content at columns 0..18 (the padding is the last column);
    // 20x19 the same with rows. The result's red is twelve times its column (or row).
    for (const [W, H] of [[19, 20], [20, 19]]) {
      const original = await flatPng(W, H);
      const all = paint(W, H, 255, [0, 0, W, H]);
      const prep = await prepareInputs([{ name: 'o.png', bytes: original }], DALLE2, { mask: all });
      assert.deepStrictEqual(prep.geometry.content, { left: 0, top: 0, width: W, height: H });
      const px = Buffer.alloc(20 * 20 * 3);
      for (let i = 0; i < 400; i++) px[i * 3] = 12 * (W === 19 ? i % 20 : Math.floor(i / 20));
      const out = await rgba((await composeUnmasked(original, await raw(px, 20, 20, 3).png().toBuffer(), prep.geometry, all, { feather: 0 })).bytes);
      const last = W === 19 ? out.at(18, 5)[0] : out.at(5, 18)[0];
      assert.strictEqual(last, 12 * 18, `${W}x${H}: the last content column or row is the result's, unscaled`);
    }
  });

  test('nothing painted, or no mask and no transparency: the whole sent part comes from the result', async () => {
    const original = await flatPng(30, 20);
    const g = await gptGeometry(original);
    for (const mask of [paint(30, 20, 127, [0, 0, 30, 20]), undefined]) {
      const out = await rgba((await composeUnmasked(original, await black(30, 20), g, mask)).bytes);
      for (const [x, y] of [[0, 0], [29, 19], [15, 10]]) assert.deepStrictEqual(out.at(x, y), [0, 0, 0, 255], `${x},${y} ${mask ? 'empty painting' : 'no mask'}`);
    }
  });

  test('painted counts from 128 on; a centre crop of a tall image is composed at its own rows', async () => {
    const original = await flatPng(30, 20);
    const mask = paint(30, 20, 128, [0, 0, 10, 20]);
    mask.painted.fill(127, 30 * 5 + 15, 30 * 5 + 25); // row 5, columns 15..24: not painted
    const out = await rgba((await composeUnmasked(original, await black(30, 20), await gptGeometry(original), mask, { feather: 0 })).bytes);
    assert.deepStrictEqual([out.at(5, 10), out.at(20, 5), out.at(20, 10)], [[0, 0, 0, 255], [70, 100, 130, 255], [70, 100, 130, 255]]);
    // 20x30, cropped to rows 5..24; painted: a band over rows 0..9 (rows 0..4 outside the square).
    const tall = await flatPng(20, 30);
    const band = paint(20, 30, 255, [0, 0, 20, 10]);
    const prep = await prepareInputs([{ name: 't.png', bytes: tall }], DALLE2, { squareMode: 'crop', mask: band });
    assert.deepStrictEqual(prep.geometry.crop, { left: 0, top: 5, width: 20, height: 20 });
    const t = await rgba((await composeUnmasked(tall, await black(20, 20), prep.geometry, band, { feather: 0 })).bytes);
    const column = Array.from({ length: 30 }, (_, y) => t.at(3, y)[0]);
    assert.deepStrictEqual(column, [...new Array(5).fill(70), ...new Array(5).fill(0), ...new Array(20).fill(70)]);
  });

  test('inside a hard-edged painting, every sample of the result is taken as it is (RGBA noise)', async () => {
    const original = await flatPng(20, 10);
    const px = noisePixels(20, 10, 4, 5);
    const out = await rgba((await composeUnmasked(original, await raw(px, 20, 10, 4).png().toBuffer(), await gptGeometry(original), paint(20, 10, 255, [0, 0, 20, 10]), { feather: 0 })).bytes);
    assert.ok(out.data.equals(px), 'the composite is the result');
  });

  test('the feather blends the two, alike on both sides of the painting, and never leaves the range between them', async () => {
    // A black original, a result of (100, 150, 200); painted: columns 10..19 of 30.
    const original = await solidPng(30, 5, [0, 0, 0]);
    const result = await solidPng(30, 5, [100, 150, 200]);
    const out = await rgba((await composeUnmasked(original, result, await gptGeometry(original), paint(30, 5, 255, [10, 0, 10, 5]), { feather: 2 })).bytes);
    const row = Array.from({ length: 30 }, (_, x) => out.at(x, 2));
    const blended = row.filter((v) => v[0] > 0 && v[0] < 100).length;
    assert.ok(blended >= 4, `${blended} blended pixels: ${row.map((v) => v[0])}`);
    for (let x = 0; x < 30; x++) {
      [100, 150, 200].forEach((top, c) => assert.ok(row[x][c] >= 0 && row[x][c] <= top, `${x}: ${row[x]}`));
      assert.deepStrictEqual(row[x], row[29 - x], `columns ${x} and ${29 - x}`);
      // One weight for the pixel: the three channels are blended alike.
      assert.ok(Math.abs(row[x][1] - row[x][0] * 1.5) <= 1 && Math.abs(row[x][2] - row[x][0] * 2) <= 1, `${x}: ${row[x]}`);
    }
  });

  test('the result\'s transparency inside the painted area is kept: the composite has an alpha channel', async () => {
    const original = await flatPng(20, 10);
    const result = await sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const out = await composeUnmasked(original, result, await gptGeometry(original), paint(20, 10, 255, [0, 0, 5, 10]), { feather: 0 });
    assert.strictEqual((await sharp(out.bytes).metadata()).channels, 4);
    const o = await rgba(out.bytes);
    assert.deepStrictEqual([o.at(2, 5)[3], o.at(5, 5), o.at(19, 9)], [0, [70, 100, 130, 255], [70, 100, 130, 255]]);
  });

  test('an RGB colour profile is written through a temporary file that is removed afterwards', async () => {
    const original = await raw(noisePixels(20, 10, 3), 20, 10, 3).withIccProfile('p3').png().toBuffer();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-tail-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      assert.strictEqual(os.tmpdir(), tmp);
      const out = await composeUnmasked(original, await black(20, 10), await gptGeometry(original), paint(20, 10, 255, [0, 0, 5, 5]));
      assert.ok((await sharp(out.bytes).metadata()).icc, 'the profile is attached');
      assert.deepStrictEqual(fs.readdirSync(tmp), []);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the pixel pass looks at the cancel every 256 rows', async () => {
    const reads = async (height: number) => {
      const signal = {
        reads: 0,
        get aborted() {
          this.reads++;
          return false;
        },
      };
      const original = await flatPng(4, height);
      await composeUnmasked(original, await black(4, height), await gptGeometry(original), paint(4, height, 255, [0, 0, 2, height]), { signal });
      return signal.reads;
    };
    assert.strictEqual((await reads(1024)) - (await reads(512)), 2);
  });

  test('keepUnmaskedPixels is composeUnmasked\'s bytes', async () => {
    const original = await flatPng(20, 10);
    const g = await gptGeometry(original);
    const mask = paint(20, 10, 255, [0, 0, 5, 5]);
    const result = await black(20, 10);
    assert.ok(Buffer.from(await keepUnmaskedPixels(original, result, g, mask)).equals(Buffer.from((await composeUnmasked(original, result, g, mask)).bytes)));
  });
});
