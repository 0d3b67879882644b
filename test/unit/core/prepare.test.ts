/**
 * Input preparation (src/core/prepare.ts): every input variant is made here with sharp.
 */
import * as assert from 'assert';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { ModelTable } from '../../../src/core/models';
import { composeUnmasked, describeImage, type Geometry, keepUnmaskedPixels, makeVariationInput, type MaskInput, PrepareError, prepareInputs, type Rect } from '../../../src/core/prepare';
import { validateRequest } from '../../../src/core/request';
import { rejects } from './prepareRejects';
import { englishMessage } from '../../../src/shared/messages';

const models = new ModelTable();
const DALLE2 = models.get('dall-e-2')!;
const GPT = models.get('gpt-image-1.5')!;
const DALLE3 = models.get('dall-e-3')!;

// ---- fixtures -------------------------------------------------------------------------------

/** Deterministic noise over a gradient: realistic-ish content that does not compress to nothing. */
function noise(width: number, height: number, channels: number, seed = 1, amplitude = 64): Buffer {
  const out = Buffer.alloc(width * height * channels);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const base = c === 0 ? (x * 200) / width : c === 1 ? (y * 200) / height : 60 + c * 20;
        out[(y * width + x) * channels + c] = Math.min(255, Math.floor(base + ((s >>> 24) * amplitude) / 256));
      }
    }
  }
  return out;
}

/** A smooth gradient (exact to compare after resampling). */
function gradient(width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[i] = Math.round((x * 255) / (width - 1));
      out[i + 1] = Math.round((y * 255) / (height - 1));
      out[i + 2] = 100;
    }
  }
  return out;
}

function raw(data: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4): sharp.Sharp {
  return sharp(data, { raw: { width, height, channels } });
}

function rgbJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  return raw(noise(width, height, 3), width, height, 3).jpeg({ quality }).toBuffer();
}

function rgbPng(width: number, height: number): Promise<Buffer> {
  return raw(noise(width, height, 3), width, height, 3).png().toBuffer();
}

function paint(width: number, height: number, ...rects: Rect[]): MaskInput {
  const painted = new Uint8Array(width * height);
  for (const r of rects) {
    for (let y = r.top; y < r.top + r.height; y++) painted.fill(255, y * width + r.left, y * width + r.left + r.width);
  }
  return { width, height, painted };
}

async function decodeRgba(bytes: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.strictEqual(info.channels, 4);
  return { data, width: info.width, height: info.height };
}

/** Counts how a mask's alpha agrees with "alpha 0 inside `rect` (prepared pixels, fractional ok)". */
async function checkMask(mask: Uint8Array, rect: { x0: number; y0: number; x1: number; y1: number }, tolerance: number) {
  const meta = await sharp(mask).metadata();
  assert.strictEqual(meta.format, 'png');
  assert.strictEqual(meta.channels, 4, 'the mask is RGBA');
  const { data, width, height } = await decodeRgba(mask);
  let zero = 0;
  let wrong = 0;
  let other = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = data[(y * width + x) * 4 + 3];
      if (a !== 0 && a !== 255) other++;
      if (a === 0) zero++;
      const cx = x + 0.5;
      const cy = y + 0.5;
      const inside = cx > rect.x0 && cx < rect.x1 && cy > rect.y0 && cy < rect.y1;
      if (inside === (a === 0)) continue;
      const border = Math.min(Math.abs(cx - rect.x0), Math.abs(cx - rect.x1), Math.abs(cy - rect.y0), Math.abs(cy - rect.y1));
      if (border > tolerance) wrong++;
    }
  }
  assert.strictEqual(other, 0, 'alpha is only ever 0 or 255');
  assert.strictEqual(wrong, 0, `${wrong} mask pixels away from the rectangle's border are wrong`);
  return { zero, width, height };
}

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A small file whose header claims width x height RGB pixels: a decompression bomb's shape. */
function craftedPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(Array.from({ length: 4 }, () => row)))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

// ---- refusals -------------------------------------------------------------------------------

suite('prepare: refusals before any upload', () => {
  test('random bytes are not an image', async () => {
    const bytes = new Uint8Array(5000).map((_, i) => (i * 7919 + 13) & 0xff);
    const err = await rejects(prepareInputs([{ name: 'noise.bin', bytes }], GPT), 'not-an-image', /noise\.bin/);
    assert.strictEqual(err.input, 'noise.bin');
    await rejects(prepareInputs([{ name: 'empty.png', bytes: new Uint8Array(0) }], DALLE2), 'not-an-image');
  });

  test('a truncated PNG is refused, on both paths (GPT would otherwise send it untouched)', async () => {
    const png = await rgbPng(300, 200);
    const cut = png.subarray(0, Math.floor(png.length / 2));
    await rejects(prepareInputs([{ name: 'cut.png', bytes: cut }], GPT), 'damaged', /cut\.png.*damaged or truncated/);
    await rejects(prepareInputs([{ name: 'cut.png', bytes: cut }], DALLE2, { mask: paint(300, 200, { left: 0, top: 0, width: 10, height: 10 }) }), 'damaged');
  });

  test('a truncated PNG with alpha is refused when its alpha would be the mask (decoded once, for both)', async () => {
    const png = await raw(noise(300, 200, 4), 300, 200, 4).png().toBuffer();
    const cut = png.subarray(0, Math.floor(png.length / 2));
    await rejects(prepareInputs([{ name: 'cut.png', bytes: cut }], GPT), 'damaged', /cut\.png is damaged or truncated/);
    await rejects(prepareInputs([{ name: 'cut.png', bytes: cut }], GPT, { alphaAsMask: false }), 'damaged');
  });

  test('a truncated JPEG is refused', async () => {
    const jpeg = await rgbJpeg(640, 480);
    await rejects(prepareInputs([{ name: 'cut.jpg', bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) }], GPT), 'damaged');
  });

  test('a header claiming 30000x30000 is refused from the header, before decoding', async () => {
    const bomb = craftedPng(30000, 30000);
    assert.ok(bomb.length < 2000);
    await rejects(prepareInputs([{ name: 'bomb.png', bytes: bomb }], GPT), 'too-large', /30000x30000 \(900 megapixels\).*100 megapixels/);
    await rejects(prepareInputs([{ name: 'bomb.png', bytes: bomb }], DALLE2), 'too-large');
  });

  // [speed]: a timing bound only; `npm run mutation` leaves it out (stryker.config.mjs, mochaOptions.grep).
  test('[speed] a header claiming 30000x30000 is refused in under 500 ms', async () => {
    const bomb = craftedPng(30000, 30000);
    const started = Date.now();
    await rejects(prepareInputs([{ name: 'bomb.png', bytes: bomb }], GPT), 'too-large');
    await rejects(prepareInputs([{ name: 'bomb.png', bytes: bomb }], DALLE2), 'too-large');
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  });

  test('the pixel limit is configurable and applies to formats the header reader does not know (TIFF)', async () => {
    const tiff = await raw(noise(1200, 1000, 3), 1200, 1000, 3).tiff().toBuffer();
    await rejects(prepareInputs([{ name: 'big.tiff', bytes: tiff }], GPT, { maxInputPixels: 1_000_000 }), 'too-large', /1200x1000/);
    const png = await rgbPng(1200, 1000);
    await rejects(prepareInputs([{ name: 'big.png', bytes: png }], DALLE2, { maxInputPixels: 1_000_000 }), 'too-large');
  });

  test('SVG, PDF, HEIC and BMP are refused with a reason', async () => {
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await rejects(prepareInputs([{ name: 'logo.svg', bytes: svg }], GPT), 'unsupported-format', /SVG.*PNG/);
    await rejects(prepareInputs([{ name: 'doc.pdf', bytes: Buffer.from('%PDF-1.7\n...') }], GPT), 'unsupported-format', /PDF/);
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
    await rejects(prepareInputs([{ name: 'IMG_0001.HEIC', bytes: heic }], GPT), 'unsupported-format', /HEIC/);
    await rejects(prepareInputs([{ name: 'old.bmp', bytes: Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]) }], GPT), 'unsupported-format', /BMP/);
  });

  test('counts: none, more than the model takes, a model without inputs', async () => {
    const png = await rgbPng(16, 16);
    await rejects(prepareInputs([], GPT), 'no-input');
    const seventeen = Array.from({ length: 17 }, (_, i) => ({ name: `in${i}.png`, bytes: png }));
    await rejects(prepareInputs(seventeen, GPT), 'too-many-images', /at most 16 input images; 17/);
    await rejects(prepareInputs(seventeen.slice(0, 2), DALLE2), 'too-many-images', /at most 1 input image;/);
    await rejects(prepareInputs(seventeen.slice(0, 1), DALLE3), 'too-many-images', /dall-e-3 does not take input images/);
  });

  test('a mask of another size is refused, with a hint when it ignores the EXIF rotation', async () => {
    const jpeg = await rgbJpeg(300, 200);
    await rejects(prepareInputs([{ name: 'a.jpg', bytes: jpeg }], GPT, { mask: paint(200, 200) }), 'mask-mismatch', /200x200 but a\.jpg is shown at 300x200\.$/);
    const rotated = await raw(noise(300, 200, 3), 300, 200, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    await rejects(prepareInputs([{ name: 'r.jpg', bytes: rotated }], DALLE2, { mask: paint(300, 200) }), 'mask-mismatch', /shown at 200x300 \(the mask must follow the image as displayed/);
    const pngMask = await raw(Buffer.alloc(100 * 100, 255), 100, 100, 1).png().toBuffer();
    await rejects(prepareInputs([{ name: 'a.jpg', bytes: jpeg }], GPT, { mask: { png: pngMask } }), 'mask-mismatch');
    await rejects(prepareInputs([{ name: 'a.jpg', bytes: jpeg }], GPT, { mask: { width: 300, height: 200, painted: new Uint8Array(10) } }), 'mask-mismatch');
  });

  test('dall-e-2 without a mask needs transparency to know where to edit', async () => {
    await rejects(prepareInputs([{ name: 'opaque.png', bytes: await rgbPng(64, 64) }], DALLE2), 'no-edit-area', /painted or transparent/);
  });


  test('dall-e-2 crop: a painting entirely outside the square is refused', async () => {
    const png = await rgbPng(400, 200);
    await rejects(
      prepareInputs([{ name: 'wide.png', bytes: png }], DALLE2, { squareMode: 'crop', mask: paint(400, 200, { left: 0, top: 0, width: 50, height: 200 }) }),
      'no-edit-area',
      /outside the square/,
    );
  });
});

// ---- dall-e-2 -------------------------------------------------------------------------------

async function assertDalle2Image(bytes: Uint8Array, side: number) {
  const meta = await sharp(bytes).metadata();
  assert.strictEqual(meta.format, 'png');
  assert.strictEqual(meta.width, side);
  assert.strictEqual(meta.height, side);
  assert.strictEqual(meta.channels, 4, 'RGBA');
  assert.strictEqual(meta.depth, 'uchar');
  assert.strictEqual(meta.isPalette, false);
  assert.ok(bytes.length < 4 * 1024 * 1024, `${bytes.length} bytes`);
}

suite('prepare: dall-e-2 (one square RGBA PNG under 4 MB)', () => {
  test('a large RGB JPEG is padded to a 1024 square; the mask follows, padding unpainted and opaque', async () => {
    const jpeg = await rgbJpeg(1600, 1000);
    const mask = paint(1600, 1000, { left: 400, top: 300, width: 400, height: 300 });
    const prep = await prepareInputs([{ name: 'photo.jpg', bytes: jpeg }], DALLE2, { mask });
    const g = prep.geometry;
    assert.deepStrictEqual(
      { square: g.square, width: g.width, height: g.height, crop: g.crop, content: g.content, scale: g.scale },
      { square: 'pad', width: 1024, height: 1024, crop: { left: 0, top: 0, width: 1600, height: 1000 }, content: { left: 0, top: 192, width: 1024, height: 640 }, scale: 0.64 },
    );
    assert.strictEqual(prep.images.length, 1);
    assert.strictEqual(prep.images[0].name, 'photo.png');
    assert.strictEqual(prep.images[0].format, 'png');
    await assertDalle2Image(prep.images[0].bytes, 1024);
    assert.ok(prep.mask);
    assert.strictEqual(prep.mask.format, 'png');
    // 400..800 x 300..600 in the source -> 256..512 x 192+192..192+384 in the square.
    const { zero } = await checkMask(prep.mask.bytes, { x0: 256, y0: 384, x1: 512, y1: 576 }, 1);
    assert.ok(near(zero, 256 * 192, 256 + 192 + 4), `${zero} painted pixels`);
    // The padding (top 192 rows, bottom 192 rows) is opaque in the image and unpainted in the mask.
    const img = await decodeRgba(prep.images[0].bytes);
    const m = await decodeRgba(prep.mask.bytes);
    for (const y of [0, 100, 191, 832, 1023]) {
      for (let x = 0; x < 1024; x += 7) {
        assert.strictEqual(img.data[(y * 1024 + x) * 4 + 3], 255);
        assert.strictEqual(m.data[(y * 1024 + x) * 4 + 3], 255);
      }
    }
    // Edge padding repeats the first content row.
    const at = (y: number, x: number) => [...img.data.subarray((y * 1024 + x) * 4, (y * 1024 + x) * 4 + 3)];
    assert.deepStrictEqual(at(0, 500), at(192, 500));
    assert.match(prep.notes.map(englishMessage).join('\n'), /converted from JPEG to PNG/);
    assert.match(prep.notes.map(englishMessage).join('\n'), /padded to a square/);
    assert.match(prep.notes.map(englishMessage).join('\n'), /scaled from 1600x1000 to 1024x640 \(1024x1024 with the padding\)/);
    assert.match(prep.notes.map(englishMessage).join('\n'), /converted from 8-bit RGB to 8-bit RGBA/);
    // What prepare sends passes request validation.
    validateRequest({ operation: 'edit', model: 'dall-e-2', prompt: 'a cat', n: 1, images: prep.images, mask: prep.mask }, DALLE2);
  });

  test('crop: the centre square, not scaled when it fits, mask exact', async () => {
    const png = await rgbPng(1000, 600);
    const mask = paint(1000, 600, { left: 250, top: 100, width: 100, height: 50 }, { left: 0, top: 0, width: 100, height: 600 });
    const prep = await prepareInputs([{ name: 'wide.png', bytes: png }], DALLE2, { mask, squareMode: 'crop' });
    const g = prep.geometry;
    assert.deepStrictEqual([g.crop, g.content, g.scale, g.width], [{ left: 200, top: 0, width: 600, height: 600 }, { left: 0, top: 0, width: 600, height: 600 }, 1, 600]);
    await assertDalle2Image(prep.images[0].bytes, 600);
    // No scaling: exactly the painted rectangle, shifted by the crop (the strip at x<100 is cut away).
    const { zero } = await checkMask(prep.mask!.bytes, { x0: 50, y0: 100, x1: 150, y1: 150 }, 0);
    assert.strictEqual(zero, 100 * 50);
    assert.match(prep.notes.map(englishMessage).join('\n'), /cropped to the centre square \(600x600 at 200,0\)/);
    assert.match(prep.notes.map(englishMessage).join('\n'), /part of the painted area lies outside the square crop/);
    // The cropped image holds the source's pixels unchanged.
    const src = await decodeRgba(png);
    const out = await decodeRgba(prep.images[0].bytes);
    for (const [x, y] of [[0, 0], [599, 599], [123, 456]]) {
      assert.deepStrictEqual([...out.data.subarray((y * 600 + x) * 4, (y * 600 + x) * 4 + 3)], [...src.data.subarray((y * 1000 + x + 200) * 4, (y * 1000 + x + 200) * 4 + 3)]);
    }
  });

  test('small images are padded but never upscaled', async () => {
    const prep = await prepareInputs([{ name: 's.png', bytes: await rgbPng(300, 200) }], DALLE2, { mask: paint(300, 200, { left: 10, top: 10, width: 20, height: 20 }) });
    await assertDalle2Image(prep.images[0].bytes, 300);
    assert.deepStrictEqual(prep.geometry.content, { left: 0, top: 50, width: 300, height: 200 });
    assert.strictEqual(prep.geometry.scale, 1);
    const { zero } = await checkMask(prep.mask!.bytes, { x0: 10, y0: 60, x1: 30, y1: 80 }, 0);
    assert.strictEqual(zero, 400);
    assert.ok(!prep.notes.map(englishMessage).some((n) => /scaled/.test(n)));
  });

  test('grey, grey+alpha, palette and 16-bit inputs all become 8-bit RGBA PNGs', async () => {
    const W = 120;
    const H = 80;
    const variants: [string, Buffer, RegExp][] = [
      ['grey.png', await raw(noise(W, H, 1), W, H, 1).toColourspace('b-w').png().toBuffer(), /8-bit grey to 8-bit RGBA/],
      ['grey-alpha.png', await raw(noise(W, H, 2), W, H, 2).toColourspace('b-w').png().toBuffer(), /8-bit grey\+alpha to 8-bit RGBA/],
      ['palette.png', await raw(noise(W, H, 3), W, H, 3).png({ palette: true, colours: 16 }).toBuffer(), /8-bit palette to 8-bit RGBA/],
      ['deep.png', await raw(noise(W, H, 3), W, H, 3).toColourspace('rgb16').png().toBuffer(), /16-bit RGB to 8-bit RGBA/],
      ['deep-grey.png', await raw(noise(W, H, 1), W, H, 1).toColourspace('grey16').png().toBuffer(), /16-bit grey to 8-bit RGBA/],
    ];
    // The fixtures really are what they say.
    const metas = await Promise.all(variants.map(([, b]) => sharp(b).metadata()));
    assert.deepStrictEqual(
      metas.map((m) => [m.channels, m.isPalette, m.bitsPerSample]),
      [[1, false, 8], [2, false, 8], [3, true, 4], [3, false, 16], [1, false, 16]],
    );
    const mask = paint(W, H, { left: 10, top: 10, width: 30, height: 30 });
    for (const [name, bytes, note] of variants) {
      const prep = await prepareInputs([{ name, bytes }], DALLE2, { mask });
      await assertDalle2Image(prep.images[0].bytes, W);
      assert.match(prep.notes.map(englishMessage).join('\n'), note, name);
      await checkMask(prep.mask!.bytes, { x0: 10, y0: 30, x1: 40, y1: 60 }, 0);
    }
    // The 16-bit input keeps its values (scaled to 8 bits), not a byte of each sample.
    const deep = await prepareInputs([{ name: 'deep.png', bytes: variants[3][1] }], DALLE2, { mask });
    const a = await decodeRgba(deep.images[0].bytes);
    const orig = noise(W, H, 3);
    const x = 70;
    const y = 30;
    for (let c = 0; c < 3; c++) assert.ok(near(a.data[((y + 20) * W + x) * 4 + c], orig[(y * W + x) * 3 + c], 1));
  });

  test('no mask: the image’s own transparency is the mask (none is sent); padding stays opaque', async () => {
    const W = 200;
    const H = 100;
    const px = noise(W, H, 4);
    for (let i = 3; i < px.length; i += 4) px[i] = 255;
    for (let y = 20; y < 60; y++) for (let x = 0; x < 50; x++) px[(y * W + x) * 4 + 3] = 0; // touches the left edge
    const png = await raw(px, W, H, 4).png().toBuffer();
    const prep = await prepareInputs([{ name: 'holed.png', bytes: png }], DALLE2);
    assert.strictEqual(prep.mask, undefined);
    assert.match(prep.notes.map(englishMessage).join('\n'), /transparent pixels mark where to edit/);
    const img = await decodeRgba(prep.images[0].bytes);
    let transparent = 0;
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 200; x++) {
        const a = img.data[(y * 200 + x) * 4 + 3];
        if (a === 0) {
          transparent++;
          assert.ok(y >= 70 && y < 110 && x < 50, `transparent at ${x},${y}`);
        }
        if (y < 50 || y >= 150) assert.strictEqual(a, 255, 'padding is opaque');
      }
    }
    assert.strictEqual(transparent, 50 * 40);
  });

  test('a noisy 1024 square with noisy alpha is shrunk under 4 MB and stays RGBA', async () => {
    const side = 1024;
    const px = Buffer.alloc(side * side * 4);
    let s = 7;
    for (let i = 0; i < px.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      px[i] = s >>> 24;
    }
    const png = await raw(px, side, side, 4).png({ compressionLevel: 1 }).toBuffer();
    assert.ok(png.length > 4 * 1024 * 1024, 'the fixture is over the limit');
    const prep = await prepareInputs([{ name: 'static.png', bytes: png }], DALLE2);
    const meta = await sharp(prep.images[0].bytes).metadata();
    assert.ok([1024, 512].includes(meta.width!));
    await assertDalle2Image(prep.images[0].bytes, meta.width!);
    assert.ok(prep.images[0].bytes.length < 4_000_000);
    assert.match(prep.notes.map(englishMessage).join('\n'), /256 colours|reduced to 512x512/);
  });

  test('variation input: square RGBA PNG, no mask, no transparency needed', async () => {
    const prep = await makeVariationInput({ name: 'v.jpg', bytes: await rgbJpeg(1500, 2000) }, DALLE2);
    await assertDalle2Image(prep.images[0].bytes, 1024);
    assert.strictEqual(prep.mask, undefined);
    assert.deepStrictEqual(prep.geometry.content, { left: 128, top: 0, width: 768, height: 1024 });
    validateRequest({ operation: 'variation', model: 'dall-e-2', prompt: '', n: 1, images: prep.images }, DALLE2);
  });
});

// ---- EXIF orientation ---------------------------------------------------------------------

suite('prepare: EXIF orientation', () => {
  // Displayed: 300x200, grey with a red block where the user paints; stored rotated with orientation 6.
  const W = 300;
  const H = 200;
  const R: Rect = { left: 40, top: 120, width: 100, height: 50 };
  async function rotatedJpeg(): Promise<Buffer> {
    const px = Buffer.alloc(W * H * 3, 128);
    for (let y = R.top; y < R.top + R.height; y++) for (let x = R.left; x < R.left + R.width; x++) px.set([230, 20, 20], (y * W + x) * 3);
    const stored = await raw(px, W, H, 3).rotate(270).png().toBuffer(); // orientation 6 turns it back clockwise
    const jpeg = await sharp(stored).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const meta = await sharp(jpeg).metadata();
    assert.deepStrictEqual([meta.width, meta.height, meta.orientation], [H, W, 6]);
    return jpeg;
  }

  async function redWhereMasked(image: Uint8Array, mask: Uint8Array) {
    const img = await decodeRgba(image);
    const m = await decodeRgba(mask);
    assert.deepStrictEqual([img.width, img.height], [m.width, m.height]);
    let agree = 0;
    let disagree = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      const red = img.data[i * 4] > 180 && img.data[i * 4 + 1] < 90;
      const grey = Math.abs(img.data[i * 4] - 128) < 30 && Math.abs(img.data[i * 4 + 1] - 128) < 30;
      const painted = m.data[i * 4 + 3] === 0;
      if ((red && painted) || (grey && !painted)) agree++;
      else if (red || grey) disagree++;
    }
    assert.ok(disagree < 400, `${disagree} pixels where image and mask disagree (only the JPEG edge of the block may)`);
    assert.ok(agree > img.width * img.height * 0.95);
  }

  test('GPT: the image is turned upright and the mask lands on the painted block', async () => {
    const prep = await prepareInputs([{ name: 'phone.jpg', bytes: await rotatedJpeg() }], GPT, { mask: paint(W, H, R) });
    assert.strictEqual(prep.geometry.orientation, 6);
    assert.deepStrictEqual([prep.geometry.width, prep.geometry.height], [W, H]);
    assert.strictEqual(prep.images[0].format, 'jpeg');
    const meta = await sharp(prep.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height, meta.orientation ?? 1], [W, H, 1]);
    const { zero } = await checkMask(prep.mask!.bytes, { x0: R.left, y0: R.top, x1: R.left + R.width, y1: R.top + R.height }, 0);
    assert.strictEqual(zero, R.width * R.height);
    await redWhereMasked(prep.images[0].bytes, prep.mask!.bytes);
    assert.match(prep.notes.map(englishMessage).join('\n'), /rotated to match its EXIF orientation \(6\)/);
  });

  test('dall-e-2: rotated, padded, and the mask still on the block', async () => {
    const prep = await prepareInputs([{ name: 'phone.jpg', bytes: await rotatedJpeg() }], DALLE2, { mask: paint(W, H, R) });
    assert.deepStrictEqual(prep.geometry.content, { left: 0, top: 50, width: 300, height: 200 });
    await checkMask(prep.mask!.bytes, { x0: R.left, y0: R.top + 50, x1: R.left + R.width, y1: R.top + R.height + 50 }, 0);
    await redWhereMasked(prep.images[0].bytes, prep.mask!.bytes);
  });
});

// ---- GPT image models ---------------------------------------------------------------------

suite('prepare: GPT image models', () => {
  test('an acceptable JPEG goes out untouched, non-square, with an exact mask', async () => {
    const jpeg = await rgbJpeg(1200, 800);
    const prep = await prepareInputs([{ name: 'shot.JPG', bytes: jpeg }], GPT, { mask: paint(1200, 800, { left: 100, top: 200, width: 300, height: 100 }) });
    assert.strictEqual(prep.images[0].bytes, jpeg);
    assert.deepStrictEqual([prep.images[0].name, prep.images[0].format], ['shot.JPG', 'jpeg']);
    assert.deepStrictEqual([prep.geometry.width, prep.geometry.height, prep.geometry.scale, prep.geometry.square], [1200, 800, 1, 'none']);
    assert.deepStrictEqual(prep.notes.map(englishMessage), []);
    const { zero, width, height } = await checkMask(prep.mask!.bytes, { x0: 100, y0: 200, x1: 400, y1: 300 }, 0);
    assert.deepStrictEqual([zero, width, height], [30000, 1200, 800]);
    assert.strictEqual(prep.mask!.name, 'shot-mask.png');
    validateRequest({ operation: 'edit', model: GPT.id, prompt: 'x', n: 1, images: prep.images, mask: prep.mask }, GPT);
  });

  test('PNG, grey PNG and WebP are kept; GIF and TIFF become PNG; 16-bit becomes 8-bit', async () => {
    const W = 90;
    const H = 60;
    const png = await rgbPng(W, H);
    const grey = await raw(noise(W, H, 1), W, H, 1).toColourspace('b-w').png().toBuffer();
    const webp = await raw(noise(W, H, 4), W, H, 4).webp({ quality: 80 }).toBuffer();
    // Two frames: the first is used.
    const gif = await sharp(noise(W, 2 * H, 3), { raw: { width: W, height: 2 * H, channels: 3, pageHeight: H } }).gif().toBuffer();
    assert.strictEqual((await sharp(gif).metadata()).pages, 2);
    const tiff = await raw(noise(W, H, 3), W, H, 3).tiff().toBuffer();
    const deep = await raw(noise(W, H, 4), W, H, 4).toColourspace('rgb16').png().toBuffer();
    const prep = await prepareInputs(
      [
        { name: 'a.png', bytes: png },
        { name: 'g.png', bytes: grey },
        { name: 'w.webp', bytes: webp },
        { name: 'anim.gif', bytes: gif },
        { name: 'scan.tif', bytes: tiff },
        { name: 'deep.png', bytes: deep },
      ],
      GPT,
      { alphaAsMask: false },
    );
    assert.deepStrictEqual(
      prep.images.map((i) => [i.name, i.format]),
      [['a.png', 'png'], ['g.png', 'png'], ['w.webp', 'webp'], ['anim.png', 'png'], ['scan.png', 'png'], ['deep.png', 'png']],
    );
    assert.strictEqual(prep.images[0].bytes, png);
    assert.strictEqual(prep.images[1].bytes, grey);
    assert.strictEqual(prep.images[2].bytes, webp);
    const metas = await Promise.all(prep.images.map((i) => sharp(i.bytes).metadata()));
    assert.deepStrictEqual(metas.map((m) => [m.format, m.width, m.height, m.depth]), Array(6).fill(['png', W, H, 'uchar']).map((x, i) => (i === 2 ? ['webp', W, H, 'uchar'] : x)));
    assert.ok(metas[5].hasAlpha, 'the 16-bit RGBA keeps its alpha');
    const notes = prep.notes.map(englishMessage).join('\n');
    assert.match(notes, /anim\.gif: converted from GIF to PNG/);
    assert.match(notes, /anim\.gif: used the first of its 2 frames/);
    assert.match(notes, /scan\.tif: converted from TIFF to PNG/);
    assert.match(notes, /deep\.png: converted from 16-bit RGB\+alpha to 8-bit/);
    assert.strictEqual(prep.mask, undefined);
    validateRequest({ operation: 'edit', model: GPT.id, prompt: 'x', n: 1, images: prep.images }, GPT);
  });

  test('16 inputs are fine; only the first carries the mask', async () => {
    const inputs = await Promise.all(Array.from({ length: 16 }, async (_, i) => ({ name: `ref${i}.png`, bytes: await raw(noise(40 + i, 30, 3, i + 1), 40 + i, 30, 3).png().toBuffer() })));
    const prep = await prepareInputs(inputs, GPT, { mask: paint(40, 30, { left: 5, top: 5, width: 10, height: 10 }) });
    assert.strictEqual(prep.images.length, 16);
    assert.deepStrictEqual([prep.geometry.width, prep.geometry.height], [40, 30]);
    const { width, height, zero } = await checkMask(prep.mask!.bytes, { x0: 5, y0: 5, x1: 15, y1: 15 }, 0);
    assert.deepStrictEqual([width, height, zero], [40, 30, 100]);
  });

  test('too many pixels: scaled to a 4096 long edge, format kept, mask scaled with it', async () => {
    const W = 6000;
    const H = 300;
    const jpeg = await raw(gradient(W, H), W, H, 3).jpeg({ quality: 80 }).toBuffer();
    const prep = await prepareInputs([{ name: 'pano.jpg', bytes: jpeg }], GPT, { mask: paint(W, H, { left: 1500, top: 60, width: 1500, height: 120 }) });
    assert.deepStrictEqual([prep.geometry.width, prep.geometry.height], [4096, 205]);
    assert.strictEqual(prep.images[0].format, 'jpeg');
    const meta = await sharp(prep.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height], [4096, 205]);
    const k = 4096 / 6000;
    const ky = 205 / 300;
    await checkMask(prep.mask!.bytes, { x0: 1500 * k, y0: 60 * ky, x1: 3000 * k, y1: 180 * ky }, 1);
    assert.match(prep.notes.map(englishMessage).join('\n'), /scaled from 6000x300 to 4096x205/);
  });

  test('no mask: fully transparent pixels become the mask (unless alphaAsMask is false); an empty painting is no mask', async () => {
    const W = 80;
    const H = 50;
    const px = noise(W, H, 4);
    for (let i = 3; i < px.length; i += 4) px[i] = 200; // translucent is not transparent
    for (let y = 10; y < 20; y++) for (let x = 30; x < 60; x++) px[(y * W + x) * 4 + 3] = 0;
    const png = await raw(px, W, H, 4).png().toBuffer();
    const prep = await prepareInputs([{ name: 'sticker.png', bytes: png }], GPT);
    assert.strictEqual(prep.images[0].bytes, png);
    const { zero } = await checkMask(prep.mask!.bytes, { x0: 30, y0: 10, x1: 60, y1: 20 }, 0);
    assert.strictEqual(zero, 300);
    assert.match(prep.notes.map(englishMessage).join('\n'), /transparent pixels mark where to edit/);
    assert.strictEqual((await prepareInputs([{ name: 'sticker.png', bytes: png }], GPT, { alphaAsMask: false })).mask, undefined);
    const empty = await prepareInputs([{ name: 'sticker.png', bytes: png }], GPT, { mask: paint(W, H) });
    assert.strictEqual(empty.mask, undefined);
    assert.match(empty.notes.map(englishMessage).join('\n'), /mask .* is empty/);
  });

  test('a mask can come as a PNG: a brush layer (alpha) or white on black (grey)', async () => {
    const W = 64;
    const H = 48;
    const jpeg = await rgbJpeg(W, H);
    const layer = Buffer.alloc(W * H * 4);
    for (let y = 8; y < 24; y++) for (let x = 16; x < 40; x++) layer.set([255, 0, 0, 255], (y * W + x) * 4);
    const brush = await raw(layer, W, H, 4).png().toBuffer();
    const bw = Buffer.alloc(W * H);
    for (let y = 8; y < 24; y++) bw.fill(255, y * W + 16, y * W + 40);
    const white = await raw(bw, W, H, 1).toColourspace('b-w').png().toBuffer();
    for (const png of [brush, white]) {
      const prep = await prepareInputs([{ name: 'a.jpg', bytes: jpeg }], GPT, { mask: { png } });
      const { zero } = await checkMask(prep.mask!.bytes, { x0: 16, y0: 8, x1: 40, y1: 24 }, 0);
      assert.strictEqual(zero, 24 * 16);
    }
  });
});

// ---- keepUnmaskedPixels ---------------------------------------------------------------------

/** Distance (in pixels) from pixel (x, y)'s centre to the border of rect r, positive inside. */
function depth(x: number, y: number, r: Rect): number {
  const cx = x + 0.5;
  const cy = y + 0.5;
  return Math.min(cx - r.left, r.left + r.width - cx, cy - r.top, r.top + r.height - cy);
}

async function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

suite('prepare: keepUnmaskedPixels', () => {
  test('GPT result at another size: original outside the mask, result inside, a narrow feather between', async () => {
    const W = 400;
    const H = 300;
    const original = await rgbPng(W, H);
    const r: Rect = { left: 100, top: 80, width: 150, height: 100 };
    const mask = paint(W, H, r);
    const prep = await prepareInputs([{ name: 'o.png', bytes: original }], GPT, { mask });
    const result = await solidPng(1024, 768, [10, 200, 30]);
    const out = await keepUnmaskedPixels(original, result, prep.geometry, mask);
    const meta = await sharp(out).metadata();
    assert.deepStrictEqual([meta.format, meta.width, meta.height, meta.channels], ['png', W, H, 3]);
    const o = await decodeRgba(original);
    const e = await decodeRgba(out);
    let band = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = depth(x, y, r);
        const i = (y * W + x) * 4;
        if (d < -3) for (let c = 0; c < 3; c++) assert.ok(near(e.data[i + c], o.data[i + c], 1), `outside at ${x},${y}`);
        else if (d > 3) assert.deepStrictEqual([...e.data.subarray(i, i + 3)], [10, 200, 30], `inside at ${x},${y}`);
        else band++;
      }
    }
    assert.ok(band < 2 * 7 * (150 + 100) + 50);
    // A hard edge when asked: exactly the rectangle.
    const hard = await decodeRgba(await keepUnmaskedPixels(original, result, prep.geometry, mask, { feather: 0 }));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4;
        const inside = depth(x, y, r) > 0;
        assert.strictEqual(hard.data[i + 1], inside ? 200 : o.data[i + 1]);
      }
    }
  });

  test('dall-e-2 padded square: the padding is dropped and the result is mapped back onto the original', async () => {
    const W = 600;
    const H = 400;
    const original = await raw(gradient(W, H), W, H, 3).png().toBuffer();
    const r: Rect = { left: 200, top: 100, width: 200, height: 150 };
    const mask = paint(W, H, r);
    const prep = await prepareInputs([{ name: 'g.png', bytes: original }], DALLE2, { mask });
    const g: Geometry = prep.geometry;
    assert.deepStrictEqual(g.content, { left: 0, top: 100, width: 600, height: 400 });
    // The "model": inverts the prepared square, answers at 1024 with magenta where the padding was.
    const inverted = await sharp(prep.images[0].bytes).removeAlpha().negate().resize(1024, 1024).raw().toBuffer();
    const top = Math.round((100 * 1024) / 600);
    const bottom = Math.round((500 * 1024) / 600);
    for (let y = 0; y < 1024; y++) if (y < top || y >= bottom) for (let x = 0; x < 1024; x++) inverted.set([255, 0, 255], (y * 1024 + x) * 3);
    const result = await raw(inverted, 1024, 1024, 3).png().toBuffer();
    const out = await decodeRgba(await keepUnmaskedPixels(original, result, g, mask));
    assert.deepStrictEqual([out.width, out.height], [W, H]);
    const o = await decodeRgba(original);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = depth(x, y, r);
        const i = (y * W + x) * 4;
        for (let c = 0; c < 3; c++) {
          if (d < -3) assert.ok(near(out.data[i + c], o.data[i + c], 1), `outside at ${x},${y}`);
          else if (d > 3) assert.ok(near(out.data[i + c], 255 - o.data[i + c], 4), `inside at ${x},${y}: ${out.data[i + c]} vs ${255 - o.data[i + c]}`);
        }
      }
    }
  });

  test('crop, EXIF rotation: composed in the displayed original; outside the crop nothing changes', async () => {
    // Displayed 400x200 (stored 200x400, orientation 6); crop = x 100..300.
    const W = 400;
    const H = 200;
    const stored = await raw(gradient(W, H), W, H, 3).rotate(270).png().toBuffer();
    const original = await sharp(stored).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const r: Rect = { left: 50, top: 50, width: 150, height: 100 }; // x 50..200: half outside the crop
    const mask = paint(W, H, r);
    const prep = await prepareInputs([{ name: 'p.jpg', bytes: original }], DALLE2, { mask, squareMode: 'crop' });
    assert.deepStrictEqual(prep.geometry.crop, { left: 100, top: 0, width: 200, height: 200 });
    const out = await decodeRgba(await keepUnmaskedPixels(original, await solidPng(512, 512, [0, 0, 0]), prep.geometry, mask, { feather: 0 }));
    const o = await decodeRgba(await sharp(original).autoOrient().png().toBuffer());
    assert.deepStrictEqual([out.width, out.height], [W, H]);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4;
        const edited = depth(x, y, r) > 0 && x >= 100;
        if (edited) assert.deepStrictEqual([...out.data.subarray(i, i + 3)], [0, 0, 0], `${x},${y}`);
        else assert.ok(near(out.data[i], o.data[i], 1) && near(out.data[i + 1], o.data[i + 1], 1), `${x},${y}`);
      }
    }
  });

  test('no mask given: the original’s transparent pixels are the edited area, and its alpha is kept elsewhere', async () => {
    const W = 60;
    const H = 40;
    const px = noise(W, H, 4);
    for (let i = 3; i < px.length; i += 4) px[i] = 255;
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) px[(y * W + x) * 4 + 3] = 0;
    px[(35 * W + 50) * 4 + 3] = 100; // translucent, outside
    const original = await raw(px, W, H, 4).png().toBuffer();
    const prep = await prepareInputs([{ name: 's.png', bytes: original }], GPT);
    const out = await decodeRgba(await keepUnmaskedPixels(original, await solidPng(W, H, [1, 2, 3]), prep.geometry, undefined, { feather: 0 }));
    assert.deepStrictEqual([...out.data.subarray((20 * W + 20) * 4, (20 * W + 20) * 4 + 4)], [1, 2, 3, 255]);
    assert.strictEqual(out.data[(35 * W + 50) * 4 + 3], 100);
  });

  test('refuses an original that is not the one prepared', async () => {
    const prep = await prepareInputs([{ name: 'a.png', bytes: await rgbPng(50, 40) }], GPT);
    await rejects(keepUnmaskedPixels(await rgbPng(40, 50), await rgbPng(50, 40), prep.geometry), 'mask-mismatch', /40x50/);
  });
});

// ---- mask encoding effort and cancellation ----------------------------------------------------

/** The zlib header's FLEVEL of a PNG's first IDAT: 0 fastest, 1 fast, 2 default, 3 maximum effort. */
function pngZlibLevel(png: Uint8Array): number {
  for (let at = 8; at + 8 <= png.length; ) {
    const len = (png[at] << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
    if (String.fromCharCode(...png.subarray(at + 4, at + 8)) === 'IDAT') return png[at + 9] >> 6;
    at += 12 + len;
  }
  throw new Error('no IDAT');
}

/** A painting where every pixel is painted or not at random: the hardest mask to compress. */
function noisePainting(width: number, height: number, seed = 3): { width: number; height: number; painted: Uint8Array } {
  const painted = new Uint8Array(width * height);
  let s = seed;
  for (let i = 0; i < painted.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    painted[i] = s >>> 31 ? 255 : 0;
  }
  return { width, height, painted };
}

/** A signal that reports "aborted" from its (after+1)-th read on, and counts the reads. */
function abortAfter(after: number): { readonly aborted: boolean; reads: number } {
  return {
    reads: 0,
    get aborted() {
      return ++this.reads > after;
    },
  };
}

suite('prepare: mask encoding effort, cancellation', () => {
  test('a mask that fits is written with a fast zlib level, not at maximum effort', async () => {
    const jpeg = await rgbJpeg(640, 480);
    const prep = await prepareInputs([{ name: 'a.jpg', bytes: jpeg }], GPT, { mask: paint(640, 480, { left: 100, top: 100, width: 200, height: 150 }) });
    assert.ok(pngZlibLevel(prep.mask!.bytes) < 2, `zlib level ${pngZlibLevel(prep.mask!.bytes)}`);
    await checkMask(prep.mask!.bytes, { x0: 100, y0: 100, x1: 300, y1: 250 }, 0);
  });

  const W = 4096;
  const H = 3072;
  const noiseMaskRun = async () => {
    const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: '#7a8' } }).jpeg().toBuffer();
    const mask = noisePainting(W, H);
    const started = Date.now();
    const prep = await prepareInputs([{ name: 'flat.jpg', bytes: jpeg }], models.get('gpt-image-2')!, { mask });
    return { mask, prep, took: Date.now() - started };
  };

  // [speed]: a timing bound only; `npm run mutation` leaves it out (stryker.config.mjs, mochaOptions.grep).
  test('[speed] a noise mask too big for the fast encoding is encoded in seconds', async function () {
    this.timeout(60_000);
    const { took } = await noiseMaskRun();
    assert.ok(took < 15_000, `took ${took} ms`);
  });

  test('a noise mask too big for the fast encoding goes out under 4 MB, alpha exact (grey+alpha)', async function () {
    this.timeout(120_000);
    const { mask, prep } = await noiseMaskRun();
    const bytes = prep.mask!.bytes;
    assert.ok(bytes.length < 4 * 1024 * 1024 * 0.95, `${bytes.length} bytes`);
    const meta = await sharp(bytes).metadata();
    assert.deepStrictEqual([meta.format, meta.width, meta.height, meta.hasAlpha], ['png', W, H, true]);
    assert.ok([4, 6].includes(bytes[25]), `PNG colour type ${bytes[25]}: grey+alpha or RGBA, the two the API takes`);
    const { data } = await decodeRgba(bytes);
    let wrong = 0;
    for (let i = 0; i < W * H; i++) if (data[i * 4 + 3] !== (mask.painted[i] ? 0 : 255)) wrong++;
    assert.strictEqual(wrong, 0);
  });

  test('an aborted signal refuses at once on every path, with code "cancelled"', async () => {
    const controller = new AbortController();
    controller.abort();
    const signal = controller.signal;
    const png = await rgbPng(64, 48);
    const mask = paint(64, 48, { left: 4, top: 4, width: 10, height: 10 });
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask, signal }), 'cancelled');
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }], DALLE2, { mask, signal }), 'cancelled');
    await rejects(makeVariationInput({ name: 'a.png', bytes: png }, DALLE2, { signal }), 'cancelled');
    const prep = await prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask });
    await rejects(keepUnmaskedPixels(png, png, prep.geometry, mask, { signal }), 'cancelled');
  });

  test('every stage checks the signal: cancelling at each check in turn stops the run there', async () => {
    const png = await raw(noise(300, 200, 4), 300, 200, 4).png().toBuffer();
    const big = await rgbJpeg(4200, 48);
    const mask = paint(300, 200, { left: 10, top: 10, width: 50, height: 50 });
    const runs: [string, (signal: { aborted: boolean }) => Promise<unknown>][] = [
      ['GPT, mask scaled', (signal) => prepareInputs([{ name: 'big.jpg', bytes: big }], GPT, { mask: paint(4200, 48, { left: 10, top: 10, width: 900, height: 20 }), signal })],
      ['GPT, alpha as mask', (signal) => prepareInputs([{ name: 'a.png', bytes: png }, { name: 'b.png', bytes: png }], GPT, { signal })],
      ['dall-e-2', (signal) => prepareInputs([{ name: 'a.png', bytes: png }], DALLE2, { mask, signal })],
      ['keep', async (signal) => keepUnmaskedPixels(png, await solidPng(300, 200, [1, 2, 3]), (await prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask })).geometry, mask, { signal })],
    ];
    for (const [what, run] of runs) {
      // How many checks a whole run makes.
      const free = abortAfter(Infinity);
      await run(free);
      assert.ok(free.reads >= 4, `${what}: ${free.reads} checks`);
      for (let k = 0; k < free.reads; k++) await rejects(run(abortAfter(k)), 'cancelled');
    }
  });
});

// ---- painted areas that scaling would lose ----------------------------------------------------

/** The mask's alpha-0 pixels as "x,y" strings. */
async function maskZeros(mask: Uint8Array): Promise<Set<string>> {
  const { data, width, height } = await decodeRgba(mask);
  const out = new Set<string>();
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (data[(y * width + x) * 4 + 3] === 0) out.add(`${x},${y}`);
  return out;
}

suite('prepare: a painted area never vanishes when the image is scaled down', () => {
  test('GPT: a 1-px stroke on a 12000x120 JPEG is widened to survive the scale, next to an area that survives anyway', async () => {
    const W = 12000;
    const H = 120;
    const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: '#6a8' } }).jpeg().toBuffer();
    // A 1-px horizontal stroke, a 1-px diagonal, and a large block that scales normally.
    const painted = new Uint8Array(W * H);
    painted.fill(255, 60 * W + 1000, 60 * W + 3000);
    for (let i = 0; i < 100; i++) painted[(10 + i) * W + 5000 + i] = 255;
    const block: Rect = { left: 8000, top: 20, width: 2000, height: 80 };
    for (let y = block.top; y < block.top + block.height; y++) painted.fill(255, y * W + block.left, y * W + block.left + block.width);
    const prep = await prepareInputs([{ name: 'pano.jpg', bytes: jpeg }], GPT, { mask: { width: W, height: H, painted } });
    const g = prep.geometry;
    assert.deepStrictEqual([g.width, g.height], [4096, 41]);
    assert.ok(prep.mask, 'the edit goes out with its mask');
    const zeros = await maskZeros(prep.mask.bytes);
    const k = 4096 / W;
    const ky = 41 / H;
    // Every painted source pixel lands in, or next to, a painted pixel of the mask.
    const at = (x: number, y: number) => [Math.floor((x + 0.5) * k), Math.floor((y + 0.5) * ky)];
    const covered = (x: number, y: number) => {
      const [qx, qy] = at(x, y);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (zeros.has(`${qx + dx},${qy + dy}`)) return true;
      return false;
    };
    for (let x = 1000; x < 3000; x += 7) assert.ok(covered(x, 60), `stroke at ${x}`);
    for (let i = 0; i < 100; i += 3) assert.ok(covered(5000 + i, 10 + i), `diagonal at ${i}`);
    // The stroke is one pixel thick, not smeared.
    const strokeRow = [...zeros].filter((z) => { const [x] = z.split(',').map(Number); return x >= 1000 * k + 2 && x < 3000 * k - 2; });
    assert.ok(strokeRow.length <= Math.ceil(2000 * k) + 4, `${strokeRow.length} pixels for the stroke`);
    // The block still lands within a pixel of where it was painted.
    const blockZeros = [...zeros].filter((z) => Number(z.split(',')[0]) >= 7000 * k);
    const expected = 2000 * k * 80 * ky;
    assert.ok(near(blockZeros.length, expected, 2 * (2000 * k + 80 * ky) + 4), `${blockZeros.length} vs ${expected}`);
    assert.match(prep.notes.map(englishMessage).join('\n'), /pano\.jpg.*too thin to survive scaling to 4096x41.*widened/);
  });

  test('dall-e-2: a stroke too thin for the 1024 square is widened, not refused', async () => {
    const png = await sharp({ create: { width: 4096, height: 256, channels: 3, background: '#468' } }).png().toBuffer();
    const prep = await prepareInputs([{ name: 'banner.png', bytes: png }], DALLE2, { mask: paint(4096, 256, { left: 100, top: 128, width: 2000, height: 1 }) });
    assert.deepStrictEqual(prep.geometry.content, { left: 0, top: 480, width: 1024, height: 64 });
    const zeros = await maskZeros(prep.mask!.bytes);
    // Source row 128 -> content row 32 -> square row 512; x 100..2100 -> 25..525.
    for (let x = 26; x < 524; x++) assert.ok(zeros.has(`${x},512`), `x ${x}`);
    assert.ok(zeros.size <= 505, `${zeros.size} pixels`);
    assert.match(prep.notes.map(englishMessage).join('\n'), /too thin to survive scaling to 1024x1024.*widened/);
  });

  test('dall-e-2 without a mask: a transparent hole too small for the scale stays transparent', async () => {
    const W = 2048;
    const H = 256;
    const px = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) px.set([90, 120, 150, 255], i * 4);
    px[(101 * W + 1001) * 4 + 3] = 0; // one transparent pixel
    const png = await raw(px, W, H, 4).png().toBuffer();
    const prep = await prepareInputs([{ name: 'pinhole.png', bytes: png }], DALLE2);
    assert.strictEqual(prep.mask, undefined);
    const img = await decodeRgba(prep.images[0].bytes);
    const transparent: string[] = [];
    for (let i = 0; i < 1024 * 1024; i++) if (img.data[i * 4 + 3] === 0) transparent.push(`${i % 1024},${Math.floor(i / 1024)}`);
    // (1001, 101) -> content (500, 50) -> square (500, 498).
    assert.deepStrictEqual(transparent, ['500,498']);
    assert.match(prep.notes.map(englishMessage).join('\n'), /transparent/);
  });

  test('dall-e-2 without a mask: the refusal says what really happened', async () => {
    // Transparent pixels only outside the centre square that crop sends.
    const W = 400;
    const H = 200;
    const px = noise(W, H, 4);
    for (let i = 3; i < px.length; i += 4) px[i] = 255;
    for (let y = 0; y < H; y++) for (let x = 0; x < 40; x++) px[(y * W + x) * 4 + 3] = 0;
    const png = await raw(px, W, H, 4).png().toBuffer();
    const err = await rejects(prepareInputs([{ name: 'side.png', bytes: png }], DALLE2, { squareMode: 'crop' }), 'no-edit-area', /transparent pixels of side\.png lie outside the square/);
    assert.doesNotMatch(err.message, /neither/);
    // Really no transparency: that is what it says.
    await rejects(prepareInputs([{ name: 'opaque.png', bytes: await rgbPng(64, 64) }], DALLE2), 'no-edit-area', /opaque\.png has no transparent pixels and no painted area/);
  });
});

// ---- damaged files: plain words, never the decoder's ------------------------------------------

/** Text that only a decoder library writes; the user never needs to see it. */
const LIBRARY_TEXT = /unknown error|vips|libpng|input buffer|corrupt header|bogus|huffman|webp:|unable to parse/i;

async function damagedFiles(): Promise<[string, Buffer][]> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#468' } }).png().toBuffer();
  const idat = png.indexOf('IDAT');
  const flip = (b: Buffer, at: number) => {
    const c = Buffer.from(b);
    c[at] ^= 0xff;
    return c;
  };
  const zeroWidth = Buffer.from(png);
  zeroWidth.writeUInt32BE(0, 16);
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#468' } }).jpeg().toBuffer();
  const garbled = Buffer.from(jpeg);
  garbled.fill(0x11, 200, 260);
  const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#468' } }).webp().toBuffer();
  return [
    ['bad-ihdr-crc.png', flip(png, 29)], // libvips: "(Unknown error)"
    ['bad-idat.png', flip(png, idat + 6)], // "vipspng: libpng read error"
    ['zero-width.png', zeroWidth], // "Input buffer has corrupt header"
    ['cut.png', png.subarray(0, png.length - 20)],
    ['garbled.jpg', garbled], // "Bogus Huffman table definition"
    ['cut.webp', webp.subarray(0, 40)],
  ];
}

suite('prepare: damaged files are refused in plain words', () => {
  test('every refusal names the file and says what is wrong, without the decoder library\'s text', async () => {
    for (const [name, bytes] of await damagedFiles()) {
      for (const caps of [GPT, DALLE2]) {
        const err = await rejects(prepareInputs([{ name, bytes }], caps), 'damaged');
        assert.match(err.message, new RegExp(`^${name.replace('.', '\\.')} is damaged or truncated`), err.message);
        assert.doesNotMatch(err.message, LIBRARY_TEXT, err.message);
      }
    }
    // A signature we know, but the decoder does not take it.
    const fake = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]);
    const err = await rejects(prepareInputs([{ name: 'fake.png', bytes: fake }], GPT), 'damaged');
    assert.doesNotMatch(err.message, LIBRARY_TEXT, err.message);
    const noise = await rejects(prepareInputs([{ name: 'notes.txt', bytes: Buffer.from('just some text, not an image at all') }], GPT), 'not-an-image');
    assert.strictEqual(noise.message, 'notes.txt is not a PNG, JPEG, WebP, GIF, TIFF or AVIF image, or it is damaged.');
  });

  test('the result given to keepUnmaskedPixels is checked the same way', async () => {
    const png = await rgbPng(64, 48);
    const prep = await prepareInputs([{ name: 'a.png', bytes: png }], GPT);
    const err = await rejects(keepUnmaskedPixels(png, png.subarray(0, png.length - 20), prep.geometry), 'damaged', /^The edited image is damaged or truncated/);
    assert.doesNotMatch(err.message, LIBRARY_TEXT);
  });

  test('describeImage (what the editor opens) refuses a truncated or damaged file instead of showing it half grey', async () => {
    for (const [name, bytes] of await damagedFiles()) {
      let err: unknown;
      try {
        await describeImage(bytes, name);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof PrepareError, `${name}: ${String(err)}`);
      assert.strictEqual(err.code, 'damaged', name);
      assert.match(err.message, /is damaged or truncated/);
      assert.doesNotMatch(err.message, LIBRARY_TEXT, err.message);
    }
    const text = await describeImage(Buffer.from('hello')).then(
      () => assert.fail('text is not an image'),
      (e: Error) => e.message,
    );
    assert.strictEqual(text, 'The image is not a PNG, JPEG, WebP, GIF, TIFF or AVIF image, or it is damaged.');
    // A good file: its displayed size.
    const rotated = await raw(noise(30, 20, 3), 30, 20, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    assert.deepStrictEqual(await describeImage(rotated, 'r.jpg'), { width: 20, height: 30, hasAlpha: false });
  });
});

// ---- keepUnmaskedPixels: the original's colour profile and bit depth ---------------------------

/** The stored sample values, untouched by any colour profile, at the file's own depth, as RGBA. */
async function storedSamples(bytes: Uint8Array, depth: 'uchar' | 'ushort'): Promise<{ data: Uint8Array | Uint16Array; width: number; height: number }> {
  const { data, info } = await sharp(bytes, { ignoreIcc: true })
    .toColourspace(depth === 'ushort' ? 'rgb16' : 'srgb')
    .ensureAlpha(1)
    .raw({ depth })
    .toBuffer({ resolveWithObject: true });
  assert.strictEqual(info.channels, 4);
  const samples = depth === 'ushort' ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data);
  return { data: samples, width: info.width, height: info.height };
}

/**
 * Checks: kept samples identical outside r (hard edge); inside, the stored samples are `stored`
 * (8-bit scale, the edit's colour in the original's profile), fully opaque.
 */
async function checkKept(original: Uint8Array, out: Uint8Array, r: Rect, stored: number[], bits: 'uchar' | 'ushort') {
  const o = await storedSamples(original, bits);
  const e = await storedSamples(out, bits);
  assert.deepStrictEqual([e.width, e.height], [o.width, o.height]);
  let differ = 0;
  for (let y = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++) {
      if (depth(x, y, r) > 0) continue;
      const i = (y * o.width + x) * 4;
      for (let c = 0; c < 4; c++) if (e.data[i + c] !== o.data[i + c]) differ++;
    }
  }
  assert.strictEqual(differ, 0, `${differ} kept samples changed`);
  const scale = bits === 'ushort' ? 257 : 1;
  const at = ((r.top + (r.height >> 1)) * o.width + r.left + (r.width >> 1)) * 4;
  const inside = [...e.data.subarray(at, at + 4)].map((v) => v / scale);
  for (let c = 0; c < 3; c++) assert.ok(near(inside[c], stored[c], 2), `inside: ${inside} vs ${stored}`);
  assert.strictEqual(inside[3], 255, 'inside is opaque');
}

/** The edit's colour as the original's profile stores it (8-bit scale). */
async function inProfile(rgb: [number, number, number], profile?: 'p3'): Promise<number[]> {
  if (!profile) return rgb;
  return [...(await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).withIccProfile(profile).raw().toBuffer())];
}

suite('prepare: keepUnmaskedPixels keeps the original\'s colour profile and bit depth', () => {
  const W = 120;
  const H = 80;
  const r: Rect = { left: 30, top: 20, width: 50, height: 30 };
  const green: [number, number, number] = [10, 200, 30];

  async function compose(original: Uint8Array) {
    const mask = paint(W, H, r);
    const prep = await prepareInputs([{ name: 'o.png', bytes: original }], GPT, { mask });
    return composeUnmasked(original, await solidPng(256, 171, green), prep.geometry, mask, { feather: 0 });
  }

  test('Display-P3: the kept samples and the profile are the original\'s; the edit is converted into P3', async () => {
    const original = await raw(noise(W, H, 3), W, H, 3).withIccProfile('p3').png().toBuffer();
    const icc = (await sharp(original).metadata()).icc!;
    assert.ok(icc && icc.length > 100, 'the fixture carries a profile');
    const { bytes, notes } = await compose(original);
    const meta = await sharp(bytes).metadata();
    assert.ok(meta.icc && Buffer.compare(meta.icc, icc) === 0, 'the same ICC profile, byte for byte');
    const p3Green = await inProfile(green, 'p3');
    assert.ok(Math.abs(p3Green[0] - green[0]) > 20, `P3 stores this green differently (${p3Green})`);
    await checkKept(original, bytes, r, p3Green, 'uchar');
    // Shown with its profile, the edit is the green the model answered.
    const shown = await sharp(bytes).toColourspace('srgb').removeAlpha().raw().toBuffer();
    const at = ((r.top + 10) * W + r.left + 10) * 3;
    for (let c = 0; c < 3; c++) assert.ok(near(shown[at + c], green[c], 2), `shown ${[...shown.subarray(at, at + 3)]}`);
    assert.deepStrictEqual(notes, []);
    // The wrapper returns the same bytes.
    const mask = paint(W, H, r);
    const prep = await prepareInputs([{ name: 'o.png', bytes: original }], GPT, { mask });
    assert.ok(Buffer.compare(Buffer.from(await keepUnmaskedPixels(original, await solidPng(256, 171, green), prep.geometry, mask, { feather: 0 })), Buffer.from(bytes)) === 0);
  });

  test('16-bit: the composite is a 16-bit PNG and the kept samples are exact to the last bit', async () => {
    const samples = new Uint16Array(W * H * 3);
    let s = 5;
    for (let i = 0; i < samples.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      samples[i] = s >>> 16; // all 16 bits used: an 8-bit round trip would change them
    }
    const original = await sharp(samples, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    assert.strictEqual((await sharp(original).metadata()).depth, 'ushort');
    const { bytes } = await compose(original);
    const meta = await sharp(bytes).metadata();
    assert.deepStrictEqual([meta.format, meta.depth, meta.channels], ['png', 'ushort', 3]);
    await checkKept(original, bytes, r, green, 'ushort');
  });

  test('16-bit Display-P3 with alpha: depth, profile and alpha all kept', async () => {
    const samples = new Uint16Array(W * H * 4);
    let s = 9;
    for (let i = 0; i < samples.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      samples[i] = i % 4 === 3 ? 40000 + (s >>> 20) : s >>> 16;
    }
    const original = await sharp(samples, { raw: { width: W, height: H, channels: 4 } }).toColourspace('rgb16').withIccProfile('p3').png().toBuffer();
    const om = await sharp(original).metadata();
    assert.deepStrictEqual([om.depth, om.hasAlpha, !!om.icc], ['ushort', true, true]);
    const { bytes } = await compose(original);
    const meta = await sharp(bytes).metadata();
    assert.deepStrictEqual([meta.depth, meta.channels], ['ushort', 4]);
    assert.ok(Buffer.compare(meta.icc!, om.icc!) === 0);
    await checkKept(original, bytes, r, await inProfile(green, 'p3'), 'ushort');
  });

  test('CMYK cannot be kept exactly in a PNG: converted, and a note says so', async () => {
    const original = await raw(noise(W, H, 3), W, H, 3).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    assert.strictEqual((await sharp(original).metadata()).space, 'cmyk');
    const { bytes, notes } = await compose(original);
    assert.strictEqual((await sharp(bytes).metadata()).channels, 3);
    assert.match(notes.map(englishMessage).join('\n'), /CMYK.*not exact/);
  });
});

// ---- the guide (markup, GPT Image 2.5) ------------------------------------------------------

suite('prepare: the guide (markup)', () => {
  const G25 = models.get('gpt-image-2.5-flare')!;

  /** A transparent RGBA guide of w x h with one opaque red bar at `r`. */
  function guidePng(w: number, h: number, r: Rect | undefined, alpha = 0): Promise<Buffer> {
    const px = Buffer.alloc(w * h * 4);
    for (let i = 3; i < px.length; i += 4) px[i] = alpha;
    if (r) for (let y = r.top; y < r.top + r.height; y++) for (let x = r.left; x < r.left + r.width; x++) px.set([255, 59, 48, 255], (y * w + x) * 4);
    return raw(px, w, h, 4).png().toBuffer();
  }

  async function alphaStats(png: Uint8Array) {
    const { data, width, height } = await decodeRgba(png);
    const at = (x: number, y: number) => data[(y * width + x) * 4 + 3];
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
    return { width, height, at, drawn };
  }

  test('sent as an RGBA PNG of the image size, transparent except where drawn, with no mask (not even from alpha)', async () => {
    const W = 320;
    const H = 200;
    // An image with transparent pixels: without a guide they would become the mask.
    const px = noise(W, H, 4);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) px[(y * W + x) * 4 + 3] = 0;
    const png = await raw(px, W, H, 4).png().toBuffer();
    const bar = { left: 100, top: 80, width: 60, height: 10 };
    const prep = await prepareInputs([{ name: 'cat.png', bytes: png }], G25, { guide: await guidePng(W, H, bar) });
    assert.strictEqual(prep.mask, undefined, 'never a mask with a guide');
    assert.ok(prep.markup, 'the guide is sent');
    assert.deepStrictEqual([prep.markup.name, prep.markup.format], ['cat-guide.png', 'png']);
    const meta = await sharp(prep.markup.bytes).metadata();
    assert.deepStrictEqual([meta.format, meta.width, meta.height, meta.channels], ['png', W, H, 4]);
    const a = await alphaStats(prep.markup.bytes);
    assert.strictEqual(a.drawn, 600);
    assert.deepStrictEqual([a.at(130, 85), a.at(5, 5), a.at(99, 85), a.at(160, 85)], [255, 0, 0, 0]);
    validateRequest({ operation: 'edit', model: G25.id, prompt: 'x', n: 1, images: prep.images, markup: prep.markup }, G25);
  });

  test('follows the image as displayed (EXIF rotation) and is scaled with it', async () => {
    // Stored 200x300 with orientation 6: displayed 300x200.
    const stored = await raw(noise(200, 300, 3), 200, 300, 3).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    const prep = await prepareInputs([{ name: 'phone.jpg', bytes: stored }], G25, { guide: await guidePng(300, 200, { left: 10, top: 10, width: 50, height: 50 }) });
    const meta = await sharp(prep.markup!.bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height], [300, 200]);
    await rejects(
      prepareInputs([{ name: 'phone.jpg', bytes: stored }], G25, { guide: await guidePng(200, 300, { left: 10, top: 10, width: 50, height: 50 }) }),
      'guide-mismatch',
      /The guide is 200x300 but phone\.jpg is shown at 300x200 \(the guide must follow the image as displayed, after its EXIF rotation\)/,
    );
    // Over 4096 on the long side: the image is scaled down, and the guide with it.
    const W = 6000;
    const H = 300;
    const pano = await raw(gradient(W, H), W, H, 3).jpeg({ quality: 80 }).toBuffer();
    const big = await prepareInputs([{ name: 'pano.jpg', bytes: pano }], G25, { guide: await guidePng(W, H, { left: 3000, top: 100, width: 600, height: 100 }) });
    const a = await alphaStats(big.markup!.bytes);
    assert.deepStrictEqual([a.width, a.height], [4096, 205]);
    assert.strictEqual(a.at(Math.round(3300 * (4096 / 6000)), Math.round(150 * (205 / 300))), 255);
    assert.strictEqual(a.at(100, 100), 0);
    assert.match(big.notes.map(englishMessage).join('\n'), /guide for pano\.jpg was scaled with the image to 4096x205/);
  });

  test('refused when it covers everything or is not a PNG; not sent when nothing is drawn', async () => {
    const png = await rgbPng(64, 48);
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: await guidePng(64, 48, undefined, 255) }), 'guide-mismatch', /The guide covers all of a\.png; it must leave the image visible \(transparent\)/);
    const noAlpha = await raw(noise(64, 48, 3), 64, 48, 3).png().toBuffer();
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: noAlpha }), 'guide-mismatch', /covers all/);
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: await rgbJpeg(64, 48) }), 'guide-mismatch', /The guide is not a PNG image/);
    const empty = await prepareInputs([{ name: 'a.png', bytes: png }], G25, { guide: await guidePng(64, 48, undefined) });
    assert.strictEqual(empty.markup, undefined);
    assert.strictEqual(empty.mask, undefined);
    assert.match(empty.notes.map(englishMessage).join('\n'), /guide for a\.png is empty, so it was not sent/);
  });
});
