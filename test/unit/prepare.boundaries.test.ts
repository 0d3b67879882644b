// Boundaries of input preparation (found by mutation testing): which signatures are refused and
// why, the names inputs are sent under, the 4096 edge, mask checks, and the limits in messages.
// Small inputs only, so that these run in well under a second each.
import * as assert from 'assert';
import sharp from 'sharp';
import { ModelTable } from '../../src/core/models';
import { DALLE2_MAX_SIDE, DEFAULT_MAX_INPUT_PIXELS, GPT_MAX_EDGE, makeVariationInput, PrepareError, prepareInputs } from '../../src/core/prepare';
import { rejects } from './prepareRejects';

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
    assert.deepStrictEqual(prepAt.notes, []);
    assert.strictEqual(prepAt.geometry.scale, 1);
    const over = await solid(8, 4097).png().toBuffer();
    const prepOver = await one('over.png', over);
    const meta = await sharp(prepOver.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.width, meta.height, meta.format], [8, 4096, 'png']);
    assert.deepStrictEqual(prepOver.notes, ['over.png: scaled from 8x4097 to 8x4096.']);
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
    assert.deepStrictEqual(prepFaint.notes, ['The mask for a.png is empty, so the whole image may change.']);
    const half = new Uint8Array(64).fill(128, 0, 32);
    const prepHalf = await prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { width: 8, height: 8, painted: half } });
    const { data } = await sharp(prepHalf.mask!.bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const alpha = Array.from({ length: 64 }, (_, i) => data[i * 4 + 3]);
    assert.deepStrictEqual(alpha, [...new Array(32).fill(0), ...new Array(32).fill(255)]);
  });
});
