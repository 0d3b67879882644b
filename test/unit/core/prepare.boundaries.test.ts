// Boundaries of input preparation (found by mutation testing): which signatures are refused and
// why, the names inputs are sent under, the 4096 edge, mask checks, and the limits in messages.
// Small inputs only, so that these run in well under a second each.
import * as assert from 'assert';
import sharp from 'sharp';
import { withPngIccProfile } from '../../../src/core/metadata/png';
import { ModelTable, type ModelCapabilities } from '../../../src/core/models';
import {
  composeUnmasked,
  DALLE2_MAX_SIDE,
  DEFAULT_MAX_INPUT_PIXELS,
  describeImage,
  GPT_MAX_EDGE,
  makeVariationInput,
  type MaskInput,
  PrepareError,
  prepareInputs,
} from '../../../src/core/prepare';
import { rejects } from './prepareRejects';
import { englishMessage } from '../../../src/shared/messages';

const models = new ModelTable();
const GPT = models.get('gpt-image-1.5')!;
const DALLE2 = models.get('dall-e-2')!;

const solid = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: channels === 4 ? { r: 40, g: 90, b: 160, alpha: 1 } : '#285aa0' } });

/** An ISO-BMFF file type box: size, 'ftyp', major brand, version, compatible brands. */
function ftyp(major: string, compatible: string[], declaredSize?: number): Buffer {
  const body = Buffer.from(`ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(declaredSize ?? body.length + 4);
  return Buffer.concat([size, body, Buffer.alloc(32)]);
}

const one = (name: string, bytes: Uint8Array) => prepareInputs([{ name, bytes }], GPT);

suite('prepare: what is refused by its signature', () => {
  test('documents and vector drawings: PDF (also after a BOM or blank lines), SVG (also after an XML declaration)', async () => {
    await rejects(one('a.pdf', Buffer.from('\uFEFF\n  %PDF-1.4\n')), 'unsupported-format', /^a\.pdf is a PDF document, not an image\. Export the page as PNG first\.$/);
    await rejects(one('b.pdf', Buffer.from('\xEF\xBB\xBF%PDF-1.4', 'latin1')), 'unsupported-format', /PDF document/);
    await rejects(one('c.svg', Buffer.from('  <svg>\n</svg>')), 'unsupported-format', /^c\.svg is an SVG drawing\. Export it as PNG first/);
    await rejects(one('d.svg', Buffer.from('<!-- x --><SVG\nwidth="1">')), 'unsupported-format', /SVG drawing/);
    await rejects(one('e.html', Buffer.from('<html><body>svg</body></html>')), 'not-an-image');
    await rejects(one('f.txt', Buffer.from('<svgfoo>')), 'not-an-image');
  });

  test('HEIC/HEIF by any of its brands, major or compatible; AVIF is not taken for it', async () => {
    for (const brand of ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']) {
      await rejects(one(`${brand}.heic`, ftyp(brand, [])), 'unsupported-format', /is a HEIC\/HEIF photo, which Pixelwright cannot read\. Export it as JPEG or PNG first\./);
      await rejects(one(`${brand}2.heic`, ftyp('xxxx', ['abcd', brand])), 'unsupported-format', /HEIC/);
    }
    for (const avif of [ftyp('avif', ['mif1', 'miaf']), ftyp('mif1', ['avif']), ftyp('avis', ['msf1'])]) {
      const err: unknown = await one('x.avif', avif).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof PrepareError, String(err));
      assert.ok(!/HEIC/.test(err.message), err.message);
    }
  });

  test('brands past the declared box size are not read', async () => {
    await rejects(one('x.heic', ftyp('xxxx', ['abcd', 'heic'], 20)), 'not-an-image');
    await rejects(one('y.heic', ftyp('xxxx', ['abcd', 'heic'], 24)), 'unsupported-format');
  });

  test('other formats are named: BMP, Photoshop, ICO, JPEG XL (both forms), JPEG 2000 (both forms)', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['a.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(30)]), /a BMP image/],
      ['a.psd', Buffer.concat([Buffer.from('8BPS'), Buffer.alloc(30)]), /a Photoshop document/],
      ['a.ico', Buffer.concat([Buffer.from([0, 0, 1, 0]), Buffer.alloc(30)]), /an icon \(ICO\) file/],
      ['a.jxl', Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.alloc(30)]), /a JPEG XL image/],
      ['b.jxl', Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from('JXL \r\n\x87\n', 'latin1'), Buffer.alloc(30)]), /a JPEG XL image/],
      ['a.jp2', Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from('jP  \r\n\x87\n', 'latin1'), Buffer.alloc(30)]), /a JPEG 2000 image/],
      ['a.j2k', Buffer.concat([Buffer.from([0xff, 0x4f, 0xff, 0x51]), Buffer.alloc(30)]), /a JPEG 2000 image/],
    ];
    for (const [name, bytes, what] of cases) {
      const err = await rejects(one(name, bytes), 'unsupported-format', what);
      assert.match(err.message, new RegExp(`^${name.replace('.', '\\.')} is .*, which Pixelwright does not read\\. Use PNG, JPEG, WebP, GIF, TIFF or AVIF\\.$`));
      assert.strictEqual(err.input, name);
    }
    await rejects(one('z.ico', Buffer.from([0, 0, 1, 1, 0, 0])), 'not-an-image', /^z\.ico is not a PNG, JPEG, WebP, GIF, TIFF or AVIF image, or it is damaged\.$/);
  });

  test('TIFF in both byte orders is read', async () => {
    const le = await solid(20, 10).tiff().toBuffer();
    assert.strictEqual(le.toString('latin1', 0, 4), 'II*\0');
    const prep = await one('scan.tif', le);
    assert.deepStrictEqual([prep.images[0].format, prep.images[0].name], ['png', 'scan.png']);
    // A big-endian header passes the signature check and reaches the decoder, which has the last
    // word (the signature check's own refusal lists the formats; the decoder's does not).
    const be = Buffer.from('MM\0*\0\0\0\x08', 'latin1');
    await rejects(one('be.tif', be), 'damaged', /^be\.tif is damaged or truncated: it cannot be read in full\./);
    await rejects(one('xx.tif', Buffer.from('MX\0*\0\0\0\x08', 'latin1')), 'not-an-image', /PNG, JPEG, WebP, GIF, TIFF or AVIF/);
  });
});

suite('prepare: counts and names', () => {
  test('counts: one input for a variation, the model maximum for an edit', async () => {
    const png = await solid(8, 8).png().toBuffer();
    await rejects(prepareInputs([], DALLE2), 'no-input', /^No input image was given\.$/);
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }, { name: 'b.png', bytes: png }], DALLE2), 'too-many-images', /^dall-e-2 takes at most 1 input image; 2 were given\.$/);
    await rejects(makeVariationInput({ name: 'a.png', bytes: png }, models.get('dall-e-3')!), 'too-many-images', /^dall-e-3 does not take input images\.$/);
    const sixteen = Array.from({ length: 16 }, (_, i) => ({ name: `${i}.png`, bytes: png }));
    assert.strictEqual((await prepareInputs(sixteen, GPT)).images.length, 16);
  });

  test('an input keeps its file name when the extension fits its format, else gets the format’s extension', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const jpeg = await solid(8, 8).jpeg().toBuffer();
    const webp = await solid(8, 8).webp().toBuffer();
    const name = async (n: string, bytes: Uint8Array) => (await one(n, bytes)).images[0].name;
    assert.strictEqual(await name('C:\\pics\\Photo.PNG', png), 'Photo.PNG');
    assert.strictEqual(await name('a/b/shot.JPEG', jpeg), 'shot.JPEG');
    assert.strictEqual(await name('shot.jpg', jpeg), 'shot.jpg');
    assert.strictEqual(await name('mislabelled.jpg', png), 'mislabelled.png');
    assert.strictEqual(await name('x.png', jpeg), 'x.jpg');
    assert.strictEqual(await name('pic.v2.webp', webp), 'pic.v2.webp');
    assert.strictEqual(await name('noext', webp), 'noext.webp');
    assert.strictEqual(await name('.hidden', png), '.hidden.png');
    assert.strictEqual(await name('folder/', png), 'image.png');
  });

  test('the mask is named after the first input', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const painted = new Uint8Array(64).fill(255, 0, 8);
    const prep = await prepareInputs([{ name: 'dir/cat.photo.png', bytes: png }], GPT, { mask: { width: 8, height: 8, painted } });
    assert.strictEqual(prep.mask?.name, 'cat.photo-mask.png');
    assert.strictEqual(prep.mask?.format, 'png');
  });
});

suite('prepare: limits', () => {
  test('exported limits: 100 megapixels, dall-e-2 squares of 1024, GPT edges of 4096', () => {
    assert.deepStrictEqual([DEFAULT_MAX_INPUT_PIXELS, DALLE2_MAX_SIDE, GPT_MAX_EDGE], [100_000_000, 1024, 4096]);
  });

  test('GPT: a long edge of exactly 4096 goes out untouched; 4097 is scaled to 4096', async () => {
    const at = await solid(4096, 4).png().toBuffer();
    const prepAt = await one('at.png', at);
    assert.ok(Buffer.from(prepAt.images[0].bytes).equals(at), 'sent as it is');
    assert.deepStrictEqual(prepAt.notes.map(englishMessage), []);
    assert.strictEqual(prepAt.geometry.scale, 1);
    const over = await solid(8, 4097).png().toBuffer();
    const prepOver = await one('over.png', over);
    const meta = await sharp(prepOver.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height, meta.format], [8, 4096, 'png']);
    assert.deepStrictEqual(prepOver.notes.map(englishMessage), ['over.png: scaled from 8x4097 to 8x4096.']);
    assert.deepStrictEqual(prepOver.geometry.content, { left: 0, top: 0, width: 8, height: 4096 });
    assert.strictEqual(prepOver.geometry.square, 'none');
  });

  test('the pixel limit: exactly the limit passes, one pixel more is refused, with both sizes in the message', async () => {
    const png = await solid(100, 50).png().toBuffer();
    await prepareInputs([{ name: 'ok.png', bytes: png }], GPT, { maxInputPixels: 5000 });
    await rejects(prepareInputs([{ name: 'big.png', bytes: png }], GPT, { maxInputPixels: 4999 }), 'too-large', /^big\.png is 100x50 \(.*\); Pixelwright prepares images of at most .*\. Scale it down first\.$/);
    // megapixels: one decimal under 10, none from 10 on (headers only: refused before decoding)
    const header = (w: number, h: number) => {
      const b = Buffer.alloc(33);
      b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
      b.write('IHDR', 12, 'latin1');
      b.writeUInt32BE(w, 16);
      b.writeUInt32BE(h, 20);
      return b;
    };
    await rejects(prepareInputs([{ name: 'w.png', bytes: header(4000, 3000) }], GPT, { maxInputPixels: 11_999_999 }), 'too-large', /4000x3000 \(12 megapixels\).*at most 12 megapixels/);
    await rejects(prepareInputs([{ name: 'v.png', bytes: header(3000, 3000) }], GPT, { maxInputPixels: 8_999_999 }), 'too-large', /3000x3000 \(9\.0 megapixels\).*at most 9\.0 megapixels/);
  });

  test('a mask PNG must be a PNG; a painting must match its own size', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const jpegMask = await solid(8, 8).jpeg().toBuffer();
    await rejects(prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { png: jpegMask } }), 'mask-mismatch', /^The mask is not a PNG image\.$/);
    for (const [w, h, n] of [[8, 8, 63], [0, 8, 0], [8.5, 8, 68], [-8, -8, 64]]) {
      await rejects(prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { width: w, height: h, painted: new Uint8Array(n) } }), 'mask-mismatch', /is not a valid .* painting/);
    }
    const err = await rejects(prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { width: 8, height: 8, painted: new Uint8Array(63) } }), 'mask-mismatch');
    assert.strictEqual(err.message, 'The mask is not a valid 8x8 painting (63 bytes for 64 pixels).');
  });

  test('a painting counts as painted from 128 on', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const faint = new Uint8Array(64).fill(127);
    const prepFaint = await prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { width: 8, height: 8, painted: faint } });
    assert.strictEqual(prepFaint.mask, undefined, '127 everywhere is nothing painted');
    assert.deepStrictEqual(prepFaint.notes.map(englishMessage), ['The mask for a.png is empty, so the whole image may change.']);
    const half = new Uint8Array(64).fill(128, 0, 32);
    const prepHalf = await prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { width: 8, height: 8, painted: half } });
    const { data } = await sharp(prepHalf.mask!.bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const alpha = Array.from({ length: 64 }, (_, i) => data[i * 4 + 3]);
    assert.deepStrictEqual(alpha, [...new Array(32).fill(0), ...new Array(32).fill(255)]);
  });
});

/** A model's capabilities with another input byte limit (a custom model, or a server's own limit). */
const withMaxBytes = (caps: ModelCapabilities, maxBytes: number): ModelCapabilities => ({ ...caps, input: { ...caps.input, maxBytes } });

/** Deterministic noise (compresses badly, like a photo's grain). */
function noise(width: number, height: number, channels: 1 | 2 | 3 | 4, seed = 1): sharp.Sharp {
  const px = Buffer.alloc(width * height * channels);
  let s = seed;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    px[i] = s >>> 24;
  }
  return sharp(px, { raw: { width, height, channels } });
}

/** Raw RGBA of a PNG, with its size. */
async function rgba(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)];
  return { data, width: info.width, height: info.height, at };
}

const rect = (width: number, height: number, left: number, top: number, w: number, h: number): MaskInput => {
  const painted = new Uint8Array(width * height);
  for (let y = top; y < top + h; y++) painted.fill(255, y * width + left, y * width + left + w);
  return { width, height, painted };
};

suite('prepare: signatures, exactly', () => {
  test('a refusal is a PrepareError by name, with the decoder’s own words kept apart for the log', async () => {
    const png = await noise(64, 64, 3).png().toBuffer();
    const err = await rejects(one('cut.png', png.subarray(0, png.length >> 1)), 'damaged');
    assert.strictEqual(err.name, 'PrepareError');
    assert.ok(err instanceof Error);
    assert.strictEqual(err.input, 'cut.png');
    assert.ok(err.detail && err.detail.length > 0 && !err.message.includes(err.detail), `detail: ${err.detail}`);
  });

  test('each byte of the PNG signature counts; eight bytes are enough to be taken for a PNG', async () => {
    const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const rest = Buffer.alloc(40, 7);
    await rejects(one('sig.png', Buffer.from(sig)), 'damaged', /^sig\.png is damaged or truncated/);
    await rejects(one('seven.png', Buffer.from(sig.slice(0, 7))), 'not-an-image');
    for (let i = 0; i < sig.length; i++) {
      const b = Buffer.concat([Buffer.from(sig), rest]);
      b[i] ^= 0x20;
      await rejects(one(`flip${i}.png`, b), 'not-an-image', /is not a PNG, JPEG, WebP, GIF, TIFF or AVIF image/);
    }
  });

  test('JPEG, WebP, GIF and TIFF: the shortest signature is taken (then found damaged), a near miss is not', async () => {
    const taken: [string, Buffer][] = [
      ['a.jpg', Buffer.from([0xff, 0xd8, 0xff])],
      ['a.webp', Buffer.from('RIFF\0\0\0\0WEBP', 'latin1')],
      ['a.gif', Buffer.from('GIF87a', 'latin1')],
      ['b.gif', Buffer.from('GIF89a', 'latin1')],
      ['a.tif', Buffer.from('II*\0', 'latin1')],
    ];
    for (const [name, b] of taken) await rejects(one(name, b), 'damaged', new RegExp(`^${name.replace('.', '\\.')} is damaged`));
    const missed: [string, Buffer][] = [
      ['b.jpg', Buffer.from([0xff, 0xd8, 0xfe, 0, 0, 0])],
      ['c.jpg', Buffer.from([0xff, 0xd9, 0xff, 0, 0, 0])],
      ['d.jpg', Buffer.from([0xfe, 0xd8, 0xff, 0, 0, 0])],
      ['b.webp', Buffer.from('RIFF\0\0\0\0WEBX', 'latin1')],
      ['c.webp', Buffer.from('RIFX\0\0\0\0WEBP', 'latin1')],
      ['c.gif', Buffer.from('GIF88a', 'latin1')],
      ['d.gif', Buffer.from('GIF89b', 'latin1')],
      ['b.tif', Buffer.from('II*\x01', 'latin1')],
      ['c.tif', Buffer.from('MM*\0', 'latin1')],
    ];
    for (const [name, b] of missed) await rejects(one(name, b), 'not-an-image');
  });

  test('ISO-BMFF brands: a box size of 0 means 32 bytes; a longer declared size stops at the end of the file; the minor version is no brand', async () => {
    await rejects(one('zero.heic', ftyp('xxxx', ['abcd', 'heic'], 0)), 'unsupported-format', /HEIC/);
    await rejects(one('past32.heic', ftyp('xxxx', ['abcd', 'abcd', 'abcd', 'abcd', 'heic'], 0)), 'not-an-image');
    const long = ftyp('xxxx', ['heic'], 4096).subarray(0, 24);
    await rejects(one('long.heic', long), 'unsupported-format', /HEIC/);
    const minor = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypxxxxheicabcd', 'latin1'), Buffer.alloc(8)]);
    await rejects(one('minor.heic', minor), 'not-an-image');
  });
});

suite('prepare: notes and refusals in words', () => {
  test('dall-e-2 says what it converted: a palette with transparency, the first of several frames', async () => {
    const palette = await noise(20, 20, 4).png({ palette: true, colours: 8 }).toBuffer();
    const gif = await sharp((await noise(20, 40, 3).raw().toBuffer()), { raw: { width: 20, height: 40, channels: 3, pageHeight: 20 } }).gif().toBuffer();
    assert.deepStrictEqual([(await sharp(palette).metadata()).isPalette, (await sharp(palette).metadata()).hasAlpha], [true, true]);
    const mask = rect(20, 20, 2, 2, 4, 4);
    const notes = async (name: string, bytes: Uint8Array) => (await prepareInputs([{ name, bytes }], DALLE2, { mask })).notes.map(englishMessage);
    assert.deepStrictEqual(await notes('p.png', palette), ['p.png: converted from 8-bit palette with transparency to 8-bit RGBA.']);
    assert.deepStrictEqual(await notes('g.gif', gif), ['g.gif: converted from GIF to PNG.', 'g.gif: used the first of its 2 frames.', 'g.gif: converted from 8-bit palette with transparency to 8-bit RGBA.']);
    const rgbaPng = await noise(20, 20, 4).png().toBuffer();
    assert.deepStrictEqual(await notes('ok.png', rgbaPng), [], 'an 8-bit RGBA PNG square is sent as it is decoded');
  });

  test('GPT says what it converted: CMYK to RGB; a transparent asset sent whole as a variation gets no mask', async () => {
    const cmyk = await noise(20, 12, 3).toColourspace('cmyk').jpeg().toBuffer();
    const prep = await one('c.jpg', cmyk);
    assert.deepStrictEqual(prep.notes.map(englishMessage), ['c.jpg: converted from CMYK to RGB.']);
    assert.strictEqual((await sharp(prep.images[0].bytes).metadata()).space, 'srgb');
    const holed = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const variation = await makeVariationInput({ name: 'h.png', bytes: holed }, GPT);
    assert.deepStrictEqual([variation.mask, variation.notes.map(englishMessage), variation.images[0].bytes], [undefined, [], holed]);
  });

  test('a mask of another size names both sizes; the rotation hint only when the image is turned a quarter', async () => {
    const turned = async (orientation: number) => solid(30, 20).jpeg().withMetadata({ orientation }).toBuffer();
    for (const [o, shown] of [[5, '20x30'], [6, '20x30'], [8, '20x30']] as const) {
      const err = await rejects(prepareInputs([{ name: 'r.jpg', bytes: await turned(o) }], GPT, { mask: rect(30, 20, 0, 0, 1, 1) }), 'mask-mismatch');
      assert.strictEqual(err.message, `The mask is 30x20 but r.jpg is shown at ${shown} (the mask must follow the image as displayed, after its EXIF rotation).`, String(o));
    }
    const flipped = await rejects(prepareInputs([{ name: 'f.jpg', bytes: await turned(4) }], GPT, { mask: rect(20, 30, 0, 0, 1, 1) }), 'mask-mismatch');
    assert.strictEqual(flipped.message, 'The mask is 20x30 but f.jpg is shown at 30x20.');
    const other = await rejects(prepareInputs([{ name: 'r.jpg', bytes: await turned(6) }], GPT, { mask: rect(30, 21, 0, 0, 1, 1) }), 'mask-mismatch');
    assert.strictEqual(other.message, 'The mask is 30x21 but r.jpg is shown at 20x30.');
    const pngMask = await solid(10, 10).png().toBuffer();
    const byHeader = await rejects(prepareInputs([{ name: 'a.jpg', bytes: await turned(1) }], GPT, { mask: { png: pngMask } }), 'mask-mismatch');
    assert.strictEqual(byHeader.message, 'The mask is 10x10 but a.jpg is shown at 30x20.');
  });

  test('describeImage: the displayed size for each EXIF orientation, a pixel limit, and a cancel', async () => {
    for (const o of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const jpeg = await solid(30, 20).jpeg().withMetadata({ orientation: o }).toBuffer();
      assert.deepStrictEqual(await describeImage(jpeg, 'o.jpg'), o >= 5 ? { width: 20, height: 30, hasAlpha: false } : { width: 30, height: 20, hasAlpha: false }, String(o));
    }
    const png = await solid(30, 20, 4).png().toBuffer();
    assert.deepStrictEqual(await describeImage(png), { width: 30, height: 20, hasAlpha: true });
    await rejects(describeImage(png, 'big.png', { maxInputPixels: 599 }), 'too-large', /^big\.png is 30x20/);
    await rejects(describeImage(png, 'c.png', { signal: { aborted: true } }), 'cancelled', /^Preparing the image was cancelled\.$/);
  });

  test('a mask PNG that is damaged is refused as the mask, not as the image', async () => {
    const image = await solid(16, 16).png().toBuffer();
    const mask = await noise(16, 16, 1).png().toBuffer();
    const err = await rejects(prepareInputs([{ name: 'a.png', bytes: image }], GPT, { mask: { png: mask.subarray(0, mask.length - 30) } }), 'damaged');
    assert.match(err.message, /^The mask is damaged or truncated/);
  });

  test('only alpha 0 counts as transparent (the edit area), alpha 1 does not', async () => {
    const px = Buffer.alloc(8 * 4 * 4, 200);
    for (let i = 0; i < 32; i++) px[i * 4 + 3] = i < 4 ? 0 : i < 8 ? 1 : 255;
    const sticker = await sharp(px, { raw: { width: 8, height: 4, channels: 4 } }).png().toBuffer();
    const alphaMask = await rgba((await one('s.png', sticker)).mask!.bytes);
    assert.deepStrictEqual(Array.from({ length: 8 }, (_, x) => alphaMask.at(x, 0)[3]), [0, 0, 0, 0, 255, 255, 255, 255]);
  });

  test('a damaged second input is refused too (only the first one’s alpha is decoded as the mask)', async () => {
    const good = await noise(20, 20, 4).png().toBuffer();
    const cut = good.subarray(0, Math.floor(good.length / 2));
    await rejects(prepareInputs([{ name: 'a.png', bytes: good }, { name: 'b.png', bytes: cut }], GPT), 'damaged', /^b\.png is damaged/);
  });
});

suite('prepare: byte limits', () => {
  test('GPT: a file at the byte limit is re-encoded in its own format; one byte under goes out untouched', async () => {
    const png = await solid(40, 30).png({ compressionLevel: 0 }).toBuffer();
    // The limit is 95% of the model's maxBytes, rounded down.
    let maxBytes = Math.ceil(png.length / 0.95);
    while (Math.floor(maxBytes * 0.95) > png.length) maxBytes--;
    while (Math.floor(maxBytes * 0.95) < png.length) maxBytes++;
    assert.strictEqual(Math.floor(maxBytes * 0.95), png.length);
    const at = await prepareInputs([{ name: 'at.png', bytes: png }], withMaxBytes(GPT, maxBytes));
    assert.ok(at.images[0].bytes.length < png.length, 're-encoded smaller');
    assert.deepStrictEqual([at.images[0].format, at.geometry.scale], ['png', 1]);
    assert.deepStrictEqual(at.notes.map(englishMessage), [`at.png: re-encoded to stay under ${(png.length / 1048576).toFixed(1)} MB.`]);
    let under = maxBytes;
    while (Math.floor(under * 0.95) <= png.length) under++;
    const untouched = await prepareInputs([{ name: 'u.png', bytes: png }], withMaxBytes(GPT, under));
    assert.strictEqual(untouched.images[0].bytes, png);
    assert.deepStrictEqual(untouched.notes.map(englishMessage), []);
  });

  test('GPT: too big even re-encoded, it is scaled down until it fits; too big at any size, it is refused', async () => {
    const jpeg = await noise(200, 100, 3).jpeg({ quality: 100 }).toBuffer();
    const prep = await prepareInputs([{ name: 'n.jpg', bytes: jpeg }], withMaxBytes(GPT, Math.floor(jpeg.length / 3)));
    const { width, height } = prep.geometry;
    assert.ok(width < 200 && height < 100 && Math.abs(width / height - 2) < 0.1, `${width}x${height}`);
    assert.ok(prep.images[0].bytes.length < Math.floor(Math.floor(jpeg.length / 3) * 0.95));
    assert.deepStrictEqual(prep.notes.map(englishMessage), [`n.jpg: re-encoded to stay under ${((Math.floor(Math.floor(jpeg.length / 3) * 0.95)) / 1048576).toFixed(1)} MB.`, `n.jpg: scaled from 200x100 to ${width}x${height}.`]);
    const meta = await sharp(prep.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.format, meta.width, meta.height], ['jpeg', width, height]);
    await rejects(prepareInputs([{ name: 'n.jpg', bytes: jpeg }], withMaxBytes(GPT, 300)), 'too-big-to-send', /^n\.jpg cannot be made smaller than 0\.0 MB\.$/);
  });

  test('megabytes in messages: one decimal under 10 MB, none from 10 MB on', async () => {
    const png = await noise(16, 16, 3).png({ compressionLevel: 0 }).toBuffer();
    const note = async (maxBytes: number) => (await prepareInputs([{ name: 'p.png', bytes: Buffer.concat([png, Buffer.alloc(maxBytes)]) }], withMaxBytes(GPT, maxBytes))).notes.map(englishMessage)[0];
    assert.strictEqual(await note(11 * 1048576), 'p.png: re-encoded to stay under 10 MB.');
    assert.strictEqual(await note(2 * 1048576), 'p.png: re-encoded to stay under 1.9 MB.');
  });

  test('dall-e-2: when a PNG is too big, 256 colours first; a model without a byte limit gets 4 MB', async () => {
    const vary = (src: Uint8Array, caps: ModelCapabilities) => makeVariationInput({ name: 'n.png', bytes: src }, caps);
    // Not under the limit at its size, but under it with 256 colours.
    const square = await noise(120, 120, 3).png({ compressionLevel: 1 }).toBuffer();
    const full = (await vary(square, DALLE2)).images[0].bytes.length;
    const quantized = await vary(square, withMaxBytes(DALLE2, Math.ceil((full * 0.9) / 0.95)));
    assert.ok(quantized.notes.map(englishMessage).includes(`n.png: reduced to 256 colours to stay under ${((full * 0.9) / 1048576).toFixed(1)} MB.`), quantized.notes.map(englishMessage).join('\n'));
    assert.deepStrictEqual([quantized.geometry.width, (await sharp(quantized.images[0].bytes).metadata()).channels], [120, 4]);
    const none = await vary(square, withMaxBytes(DALLE2, 0));
    assert.deepStrictEqual([none.geometry.width, none.notes.map(englishMessage)], [120, ['n.png: converted from 8-bit RGB to 8-bit RGBA.']]);
  });

  test('dall-e-2: then a smaller square (a square already under 512 is not tried twice at the same size); refused when even 256 is too big', async () => {
    const strip = await noise(300, 30, 3).png({ compressionLevel: 1 }).toBuffer();
    const first = (await makeVariationInput({ name: 's.png', bytes: strip }, DALLE2)).images[0].bytes.length;
    const maxBytes = Math.ceil((first * 0.8) / 0.95);
    const prep = await makeVariationInput({ name: 's.png', bytes: strip }, withMaxBytes(DALLE2, maxBytes));
    assert.strictEqual(prep.geometry.width, 256);
    assert.deepStrictEqual(prep.notes.map(englishMessage).slice(-1), [`s.png: reduced to 256x256 to stay under ${(Math.floor(maxBytes * 0.95) / 1048576).toFixed(1)} MB.`]);
    await rejects(makeVariationInput({ name: 's.png', bytes: strip }, withMaxBytes(DALLE2, 300)), 'too-big-to-send', /^s\.png stays over 0\.0 MB even at 256x256\.$/);
  });
});

suite('prepare: dall-e-2 squares', () => {
  test('padding repeats the nearest edge pixel on every side and is opaque, even next to transparent edges', async () => {
    // Tall: padded left and right. Left column red, right column blue, both half transparent.
    const tall = Buffer.alloc(4 * 8 * 4);
    for (let y = 0; y < 8; y++) {
      tall.set([250, 0, 0, 128], (y * 4) * 4);
      tall.set([0, 250, 0, 255], (y * 4 + 1) * 4);
      tall.set([0, 250, 0, 255], (y * 4 + 2) * 4);
      tall.set([0, 0, 250, 128], (y * 4 + 3) * 4);
    }
    const t = await rgba((await prepareInputs([{ name: 't.png', bytes: await sharp(tall, { raw: { width: 4, height: 8, channels: 4 } }).png().toBuffer() }], DALLE2, { mask: rect(4, 8, 1, 1, 1, 1) })).images[0].bytes);
    assert.deepStrictEqual([t.width, t.height], [8, 8]);
    for (let y = 0; y < 8; y++) {
      assert.deepStrictEqual([t.at(0, y), t.at(1, y), t.at(6, y), t.at(7, y)], [[250, 0, 0, 255], [250, 0, 0, 255], [0, 0, 250, 255], [0, 0, 250, 255]], `row ${y}`);
      assert.deepStrictEqual([t.at(2, y)[3], t.at(5, y)[3]], [128, 128], 'the content keeps its own alpha');
    }
    // Wide: padded above and below with the first and last rows.
    const wide = Buffer.alloc(8 * 4 * 4);
    for (let x = 0; x < 8; x++) {
      wide.set([250, 0, 0, 0], x * 4);
      wide.set([0, 250, 0, 255], (8 + x) * 4);
      wide.set([0, 250, 0, 255], (16 + x) * 4);
      wide.set([0, 0, 250, 0], (24 + x) * 4);
    }
    const w = await rgba((await prepareInputs([{ name: 'w.png', bytes: await sharp(wide, { raw: { width: 8, height: 4, channels: 4 } }).png().toBuffer() }], DALLE2, { mask: rect(8, 4, 1, 1, 1, 1) })).images[0].bytes);
    for (let x = 0; x < 8; x++) {
      assert.deepStrictEqual([w.at(x, 0), w.at(x, 1), w.at(x, 6), w.at(x, 7)], [[250, 0, 0, 255], [250, 0, 0, 255], [0, 0, 250, 255], [0, 0, 250, 255]], `column ${x}`);
      assert.deepStrictEqual([w.at(x, 2)[3], w.at(x, 5)[3]], [0, 0], 'the content keeps its own alpha');
    }
  });

  test('a square input: no padding, no crop, no scaling note; a sliver keeps at least one row', async () => {
    const square = await noise(20, 20, 4).png().toBuffer();
    for (const squareMode of ['pad', 'crop'] as const) {
      const prep = await prepareInputs([{ name: 'sq.png', bytes: square }], DALLE2, { squareMode, mask: rect(20, 20, 0, 0, 2, 2) });
      assert.deepStrictEqual([prep.geometry.square, prep.geometry.crop, prep.geometry.content, prep.notes.map(englishMessage)], [squareMode, { left: 0, top: 0, width: 20, height: 20 }, { left: 0, top: 0, width: 20, height: 20 }, []]);
    }
    const sliver = await solid(2048, 1).png().toBuffer();
    const prep = await prepareInputs([{ name: 's.png', bytes: sliver }], DALLE2, { mask: rect(2048, 1, 0, 0, 100, 1) });
    assert.deepStrictEqual([prep.geometry.width, prep.geometry.content], [1024, { left: 0, top: 511, width: 1024, height: 1 }]);
    assert.match(prep.notes.map(englishMessage).join('\n'), /scaled from 2048x1 to 1024x1 \(1024x1024 with the padding\)/);
  });

  test('crop: a painting wholly inside the square gets no "outside" note; a scaled crop names the square size only', async () => {
    const wide = await noise(60, 40, 3).png().toBuffer();
    const inside = await prepareInputs([{ name: 'w.png', bytes: wide }], DALLE2, { squareMode: 'crop', mask: rect(60, 40, 20, 10, 5, 5) });
    assert.deepStrictEqual(inside.notes.map(englishMessage), ['w.png: converted from 8-bit RGB to 8-bit RGBA.', 'w.png: cropped to the centre square (40x40 at 10,0).']);
    const big = await solid(1100, 1040).png().toBuffer();
    const scaled = await makeVariationInput({ name: 'b.png', bytes: big }, DALLE2, { squareMode: 'crop' });
    assert.deepStrictEqual(scaled.notes.map(englishMessage).slice(-2), ['b.png: cropped to the centre square (1040x1040 at 30,0).', 'b.png: scaled from 1100x1040 to 1024x1024.']);
  });
});

suite('prepare: composing onto the original', () => {
  test('an original of another size is refused in words that name both sizes', async () => {
    const prep = await one('a.png', await solid(50, 40).png().toBuffer());
    const err = await rejects(composeUnmasked(await solid(40, 50).png().toBuffer(), await solid(50, 40).png().toBuffer(), prep.geometry), 'mask-mismatch');
    assert.strictEqual(err.message, 'The original image is 40x50 but the edit was prepared from a 50x40 image.');
  });

  test('a grey colour profile cannot describe a colour result: converted to sRGB, with a note, no profile attached', async () => {
    const grey = await sharp(Buffer.alloc(20 * 10, 90), { raw: { width: 20, height: 10, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const p3 = (await sharp(await solid(2, 2).withIccProfile('p3').png().toBuffer()).metadata()).icc!;
    const greyProfile = Buffer.concat([p3.subarray(0, 16), Buffer.from('GRAY', 'latin1'), p3.subarray(20)]);
    const original = Buffer.from(withPngIccProfile(grey, greyProfile));
    const mask = rect(20, 10, 0, 0, 5, 5);
    const prep = await prepareInputs([{ name: 'g.png', bytes: original }], GPT, { mask });
    const out = await composeUnmasked(original, await solid(20, 10).png().toBuffer(), prep.geometry, mask);
    assert.deepStrictEqual(out.notes.map(englishMessage), ["The original image's colour profile (GRAY) cannot describe a colour result: its kept pixels were converted to sRGB, so they are close to the original but not exact."]);
    assert.strictEqual((await sharp(out.bytes).metadata()).icc, undefined);
  });

  test('any feather from 0 up works; the mask edge is blended, the rest is exact', async () => {
    const original = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const result = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer();
    const mask = rect(20, 10, 10, 0, 10, 10);
    const prep = await prepareInputs([{ name: 'o.png', bytes: original }], GPT, { mask });
    const row = async (feather?: number) => {
      const out = await rgba((await composeUnmasked(original, result, prep.geometry, mask, feather === undefined ? {} : { feather })).bytes);
      return Array.from({ length: 20 }, (_, x) => out.at(x, 5)[0]);
    };
    const hard = await row(0);
    assert.deepStrictEqual(hard, [...new Array(10).fill(0), ...new Array(10).fill(255)]);
    for (const feather of [1, undefined]) {
      const r = await row(feather);
      assert.deepStrictEqual([r.slice(0, 6), r.slice(14)], [new Array(6).fill(0), new Array(6).fill(255)], String(feather));
      assert.ok(r[9] > 0 && r[9] < 128 && r[10] > 128 && r[10] < 255, `${feather}: ${r}`);
    }
    assert.deepStrictEqual(await row(undefined), await row(1), 'the default feather is 1');
    // The finest feather the blur takes is 0.3 px: anything from 0 up is accepted.
    assert.deepStrictEqual(await row(0.1), await row(0.3));
  });
});

suite('prepare: refusals as message ids', () => {
  test('a refusal carries its id and parameters (file names as they are, sizes as numbers), for the host to translate', async () => {
    const png = await solid(100, 50).png().toBuffer();
    const err = await rejects(prepareInputs([{ name: 'big.png', bytes: png }], GPT, { maxInputPixels: 4999 }), 'too-large');
    assert.deepStrictEqual(err.text, {
      id: 'prepare.tooLarge',
      args: ['big.png', 100, 50, { id: 'prepare.megapixels', args: ['0.0'] }, { id: 'prepare.megapixels', args: ['0.0'] }],
    });
    const kind = await rejects(one('a.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(30)])), 'unsupported-format');
    assert.deepStrictEqual(kind.text, { id: 'prepare.refusedKind', args: ['a.bmp', { id: 'prepare.kind.bmp', args: [] }] });
  });

  test('an input without a file name of its own is named by an id ("The mask", "The image"), in English in `input`', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const brokenMask = Buffer.concat([png.subarray(0, 8), Buffer.alloc(40)]);
    const mask = await rejects(prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { png: brokenMask } }), 'damaged', /^The mask is damaged or truncated/);
    assert.deepStrictEqual(mask.text.args[0], { id: 'prepare.name.mask', args: [] });
    assert.strictEqual(mask.input, 'The mask');
    const text = await rejects(describeImage(Buffer.from('hello')), 'not-an-image', /^The image is not a PNG/);
    assert.deepStrictEqual(text.text, { id: 'prepare.notAnImage', args: [{ id: 'prepare.name.image', args: [] }] });
    const named = await rejects(describeImage(Buffer.from('hello'), 'x.txt'), 'not-an-image', /^x\.txt is not a PNG/);
    assert.strictEqual(named.input, 'x.txt');
  });

  test('counts: one id for a model that takes one input, another for several', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const two = [{ name: 'a.png', bytes: png }, { name: 'b.png', bytes: png }];
    const dalle = await rejects(prepareInputs(two, DALLE2), 'too-many-images', /^dall-e-2 takes at most 1 input image; 2 were given\.$/);
    assert.strictEqual(dalle.text.id, 'prepare.tooManyInputsOne');
    const many = await rejects(prepareInputs(Array.from({ length: GPT.input.maxImages + 1 }, () => two[0]), GPT), 'too-many-images');
    assert.deepStrictEqual(many.text, { id: 'prepare.tooManyInputs', args: [GPT.id, GPT.input.maxImages, GPT.input.maxImages + 1] });
    const none = await rejects(prepareInputs([], GPT), 'no-input', /^No input image was given\.$/);
    assert.strictEqual(none.text.id, 'prepare.noInput');
  });
});

suite('prepare: the kinds of pixels named in notes, and names at the edges', () => {
  const notes = async (name: string, bytes: Uint8Array) => (await prepareInputs([{ name, bytes }], DALLE2, { mask: rect(20, 20, 2, 2, 4, 4) })).notes.map(englishMessage);

  test('dall-e-2 names what it converted to 8-bit RGBA: grey, grey+alpha, 16-bit grey, 16-bit RGB', async () => {
    const grey = await noise(20, 20, 3).toColourspace('b-w').png().toBuffer();
    const greyAlpha = await noise(20, 20, 4).toColourspace('b-w').png().toBuffer();
    const grey16 = await noise(20, 20, 3).toColourspace('grey16').png().toBuffer();
    const rgb16 = await noise(20, 20, 3).toColourspace('rgb16').png().toBuffer();
    const kinds = async (b: Buffer) => {
      const m = await sharp(b).metadata();
      return [m.channels, m.depth, m.space];
    };
    assert.deepStrictEqual(await Promise.all([grey, greyAlpha, grey16, rgb16].map(kinds)), [[1, 'uchar', 'b-w'], [2, 'uchar', 'b-w'], [1, 'ushort', 'grey16'], [3, 'ushort', 'rgb16']]);
    assert.deepStrictEqual(await notes('g.png', grey), ['g.png: converted from 8-bit grey to 8-bit RGBA.']);
    assert.deepStrictEqual(await notes('ga.png', greyAlpha), ['ga.png: converted from 8-bit grey+alpha to 8-bit RGBA.']);
    assert.deepStrictEqual(await notes('g16.png', grey16), ['g16.png: converted from 16-bit grey to 8-bit RGBA.']);
    assert.deepStrictEqual(await notes('c16.png', rgb16), ['c16.png: converted from 16-bit RGB to 8-bit RGBA.']);
  });

  test('ten megapixels exactly are written without a decimal', async () => {
    const b = Buffer.alloc(33);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
    b.write('IHDR', 12, 'latin1');
    b.writeUInt32BE(5000, 16);
    b.writeUInt32BE(2001, 20);
    await rejects(prepareInputs([{ name: 'w.png', bytes: b }], GPT, { maxInputPixels: 10_000_000 }), 'too-large', /\(10 megapixels\).*at most 10 megapixels\./);
  });

  test('the name sent: an extension-less name that spells a format still gets the extension; a folder path alone becomes "image"', async () => {
    const png = await solid(8, 8).png().toBuffer();
    assert.strictEqual((await one('png', png)).images[0].name, 'png.png');
    assert.strictEqual((await one('assets/', png)).images[0].name, 'image.png');
    assert.strictEqual((await one('C:\\art\\Hero.PNG', png)).images[0].name, 'Hero.PNG');
  });
});
