// The head of input preparation (found by mutation testing of src/core/prepare.ts lines 1-380):
// what the probe reads from a file (AVIF, a TIFF larger than the decoder's own limit, 16-bit
// CMYK, a JPEG with a harmless decoder warning), the words notes use for those pixels, and the
// checks a mask gets before it is used. Small inputs only (headers, a few pixels).
//
// Survivors of that range left without a test, as no input can tell them apart (or none reaches
// them through the public API):
// - the EXIF orientation range check (`>= 1 && <= 8`, line 291): libvips reports an orientation of
//   0 or 9 as 1, so the fallback never changes the value;
// - `meta.pageHeight && meta.pages > 1` (line 288): sharp reads one page for the metadata and gives
//   no pageHeight then, so `meta.height` is always that page's height;
// - the parts of `sixteenBit` and of `grey` (lines 302, 318) that the other parts repeat: a 16-bit
//   file has depth 'ushort' and more than 8 bits per sample at once (and an rgb16/grey16 space
//   unless CMYK), a grey one with 1 or 2 channels a 'b-w'/'grey16' space; the 16-bit CMYK and the
//   grey TIFF with extra samples below pin the parts that stand alone (an 8-bit grey of 3 bands,
//   which would pin `'b-w'`, cannot reach a note: dall-e-2 refuses it first);
// - `format === 'avif'` as `true` (the codec check in probe): only ISO-BMFF files have a codec, and
//   HEIC is refused by its brand before; in heifCodec, the box walk's end and size guards (`at + 8 <=
//   b.length`, `size === 0`, `size < 8` as `false`, `Math.min` as `Math.max`), as sharp reads no AVIF
//   without a well-formed 'meta' box ahead of them, and 'av1' as '' (either passes the check). Not
//   equivalent and not tested: a 'meta' box with both codec boxes or neither (then sharp's word is
//   taken);
// - decodeError's 'pixel limit' branch (line 268) and the 'no size' refusal (line 289): every size is
//   checked against the same limit before a decoder runs, and sharp gives every file it reads a size;
// - `|| 'image'` in baseName and nameFor (lines 324, 331): one of the two is enough ('folder/' ->
//   'image.png' is pinned in prepare.boundaries.test.ts), and baseName gets only names nameFor made;
// - an extension-less name's extension as any string but '' (line 332): no format's list has it.
import * as assert from 'assert';
import sharp from 'sharp';
import { ModelTable } from '../../../src/core/models';
import { describeImage, makeVariationInput, PrepareError, prepareInputs } from '../../../src/core/prepare';
import { rejects } from './prepareRejects';
import { englishMessage } from '../../../src/shared/messages';

const models = new ModelTable();
const GPT = models.get('gpt-image-1.5')!;
const DALLE2 = models.get('dall-e-2')!;

const notes = (prep: { notes: Parameters<typeof englishMessage>[0][] }) => prep.notes.map(englishMessage);
const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#285aa0' } });

/**
 * A little-endian, uncompressed, one-strip TIFF. `photometric` 5 is CMYK (separated), 1 grey;
 * `extra`: how many of the samples are extra samples (at most 2). `pixels: false` leaves the strip
 * out: a header that claims a size, for the size checks.
 */
function tiff(width: number, height: number, opts: { photometric: number; samples: number; bits: 8 | 16; pixels: boolean; extra?: 0 | 1 | 2 }): Buffer {
  const { photometric, samples, bits } = opts;
  const extra = opts.extra ?? 0;
  const tags = extra ? 12 : 11;
  const bitsAt = 8 + 2 + 12 * tags + 4;
  const dataAt = bitsAt + 2 * samples;
  const stripBytes = width * height * samples * (bits / 8);
  const entries: [tag: number, type: 3 | 4, count: number, value: number][] = [
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, samples, samples > 2 ? bitsAt : bits],
    [259, 3, 1, 1],
    [262, 3, 1, photometric],
    [273, 4, 1, dataAt],
    [277, 3, 1, samples],
    [278, 4, 1, height],
    [279, 4, 1, stripBytes],
    [284, 3, 1, 1],
    // ExtraSamples: that many values of 0 (unspecified), which fit in the entry itself.
    ...(extra ? [[338, 3, extra, 0] as [number, 3, number, number]] : []),
    [339, 3, 1, 1],
  ];
  const head = Buffer.alloc(dataAt);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(tags, 8);
  entries.forEach(([tag, type, count, value], n) => {
    const at = 10 + n * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (type === 3 && count === 1) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  });
  for (let c = 0; c < samples; c++) head.writeUInt16LE(bits, bitsAt + 2 * c);
  if (!opts.pixels) return head;
  const px = Buffer.alloc(stripBytes);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7) & 255;
  return Buffer.concat([head, px]);
}

/** The AVIF sharp writes, with another major brand (its compatible brands stay 'mif1', 'avif', 'miaf'). */
async function avifWithMajor(major: string): Promise<Buffer> {
  const avif = Buffer.from(await solid(16, 12).avif().toBuffer());
  assert.strictEqual(avif.toString('latin1', 4, 12), 'ftypavif');
  avif.write(major, 8, 'latin1');
  return avif;
}

/**
 * An AVIF whose image item is declared HEVC-coded: its 'av1C' property box becomes an 'hvcC' of
 * 23 bytes (8-bit 4:2:0 Main, no parameter sets), the item type 'av01' becomes 'hvc1', and the
 * boxes around it (and the data offset) grow to match. The pixels are never decoded: the
 * container says HEVC, which is all the refusal needs.
 */
async function hevcConfigured(major: string): Promise<Buffer> {
  const avif = await avifWithMajor(major);
  const av1C = avif.indexOf('av1C', 0, 'latin1') - 4;
  const oldSize = avif.readUInt32BE(av1C);
  const hvcC = Buffer.alloc(31);
  hvcC.writeUInt32BE(31, 0);
  hvcC.write('hvcC', 4, 'latin1');
  hvcC.set([1, 1, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 90, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0], 8);
  const grown = 31 - oldSize;
  const out = Buffer.concat([avif.subarray(0, av1C), hvcC, avif.subarray(av1C + oldSize)]);
  for (const box of ['meta', 'iprp', 'ipco']) {
    const at = out.indexOf(box, 0, 'latin1') - 4;
    out.writeUInt32BE(out.readUInt32BE(at) + grown, at);
  }
  // The one extent's offset in 'iloc' (version 0, 4-byte fields): past the grown 'meta' box.
  const iloc = out.indexOf('iloc', 0, 'latin1') - 4;
  const mdat = out.indexOf('mdat', 0, 'latin1') - 4;
  const offsetAt = out.indexOf(Buffer.from([0, 0, (mdat - grown + 8) >> 8, (mdat - grown + 8) & 255]), iloc);
  assert.ok(offsetAt > iloc && offsetAt < iloc + out.readUInt32BE(iloc), 'the data offset is in iloc');
  out.writeUInt32BE(mdat + 8, offsetAt);
  out.write('hvc1', out.indexOf('av01', 0, 'latin1'), 'latin1');
  return out;
}

/**
 * `avif` with `boxes` put between its 'ftyp' and 'meta' boxes, the data offset in 'iloc' moved to
 * match (sharp writes one extent, version 0, 4-byte offsets).
 */
function withBoxesBeforeMeta(avif: Buffer, boxes: Buffer): Buffer {
  const meta = avif.indexOf('meta', 0, 'latin1') - 4;
  const mdat = avif.indexOf('mdat', 0, 'latin1') - 4;
  const out = Buffer.concat([avif.subarray(0, meta), boxes, avif.subarray(meta)]);
  const iloc = out.indexOf('iloc', 0, 'latin1') - 4;
  const offsetAt = out.indexOf(Buffer.from([0, 0, (mdat + 8) >> 8, (mdat + 8) & 255]), iloc);
  assert.ok(offsetAt > iloc && offsetAt < iloc + out.readUInt32BE(iloc), 'the data offset is in iloc');
  out.writeUInt32BE(mdat + 8 + boxes.length, offsetAt);
  return out;
}

suite('prepare: what the probe reads', () => {
  test('the codec box is found past other boxes before "meta": an empty one, and one with a 64-bit size', async () => {
    const empty = Buffer.from('\0\0\0\x08free', 'latin1');
    const large = Buffer.concat([Buffer.from('\0\0\0\x01skip', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 20]), Buffer.alloc(4)]);
    const mif1 = withBoxesBeforeMeta(await avifWithMajor('mif1'), Buffer.concat([empty, large]));
    assert.strictEqual((await sharp(mif1).raw().toBuffer()).length, 16 * 12 * 3, 'a file sharp reads');
    const prep = await prepareInputs([{ name: 'm.avif', bytes: mif1 }], GPT, { alphaAsMask: false });
    assert.deepStrictEqual(notes(prep), ['m.avif: converted from AVIF to PNG.']);
  });

  test('AVIF by its codec, not its major brand: AV1 under a major brand of "mif1" is read; HEVC under "avif" is refused as HEIC', async () => {
    // AV1-coded, major brand 'mif1' (compatible 'avif'): sharp decodes it (and calls it 'hevc').
    const mif1 = await avifWithMajor('mif1');
    assert.strictEqual((await sharp(mif1).raw().toBuffer()).length, 16 * 12 * 3);
    const prep = await prepareInputs([{ name: 'm.avif', bytes: mif1 }], GPT, { alphaAsMask: false });
    assert.deepStrictEqual([prep.images[0].name, notes(prep)], ['m.png', ['m.avif: converted from AVIF to PNG.']]);
    assert.deepStrictEqual(await describeImage(mif1, 'm.avif'), { width: 16, height: 12, hasAlpha: false });
    // HEVC-coded: refused by name whatever the major brand (the prebuilt sharp has no HEVC decoder).
    for (const major of ['avif', 'mif1']) {
      const hevc = await hevcConfigured(major);
      assert.strictEqual((await sharp(hevc).metadata()).width, 16, 'the container is readable');
      await rejects(prepareInputs([{ name: 'h.avif', bytes: hevc }], GPT), 'unsupported-format', /^h\.avif is a HEIC\/HEIF photo, which Pixelwright cannot read\./);
    }
  });

  test('AVIF (AV1-coded) is read: GPT sends it as a PNG, dall-e-2 as its padded square, each with a note', async () => {
    const avif = await solid(24, 16).avif().toBuffer();
    assert.strictEqual((await sharp(avif).metadata()).compression, 'av1');
    const gpt = await prepareInputs([{ name: 'a.avif', bytes: avif }], GPT, { alphaAsMask: false });
    assert.deepStrictEqual([gpt.images[0].name, gpt.images[0].format], ['a.png', 'png']);
    assert.deepStrictEqual(notes(gpt), ['a.avif: converted from AVIF to PNG.']);
    const meta = await sharp(gpt.images[0].bytes).metadata();
    assert.deepStrictEqual([meta.format, meta.width, meta.height], ['png', 24, 16]);
    const dalle = await prepareInputs([{ name: 'a.avif', bytes: avif }], DALLE2, { mask: { width: 24, height: 16, painted: new Uint8Array(24 * 16).fill(255) } });
    assert.deepStrictEqual(notes(dalle).slice(0, 1), ['a.avif: converted from AVIF to PNG.']);
    assert.deepStrictEqual([dalle.geometry.width, dalle.geometry.height], [24, 24]);
  });

  test('a JPEG with stray bytes before a marker (a decoder warning, not an error) is taken as it is', async () => {
    const jpeg = await solid(32, 24).jpeg().toBuffer();
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    const stray = Buffer.concat([jpeg.subarray(0, sos), Buffer.from([1, 2, 3]), jpeg.subarray(sos)]);
    // The warning is real: a decoder that fails on warnings refuses this file.
    await assert.rejects(sharp(stray, { failOn: 'warning' }).raw().toBuffer(), /extraneous bytes/);
    const gpt = await prepareInputs([{ name: 'cam.jpg', bytes: stray }], GPT);
    assert.strictEqual(gpt.images[0].bytes, stray, 'sent untouched');
    assert.deepStrictEqual(notes(gpt), []);
    assert.deepStrictEqual(await describeImage(stray, 'cam.jpg'), { width: 32, height: 24, hasAlpha: false });
    const dalle = await prepareInputs([{ name: 'cam.jpg', bytes: stray }], DALLE2, { mask: { width: 32, height: 24, painted: new Uint8Array(32 * 24).fill(255, 0, 32) } });
    assert.strictEqual((await sharp(dalle.images[0].bytes).metadata()).width, 32);
  });

  test('a TIFF larger than the decoder’s own limit (268 million pixels) is refused by its size, named, against maxInputPixels', async () => {
    // A header the size reader does not know (TIFF): the size comes from the decoder's metadata,
    // which must read it whatever its size, so that the refusal can name it.
    const big = tiff(20000, 15000, { photometric: 1, samples: 1, bits: 8, pixels: false });
    const err = await rejects(prepareInputs([{ name: 'big.tif', bytes: big }], GPT), 'too-large');
    assert.strictEqual(err.message, 'big.tif is 20000x15000 (300 megapixels); Pixelwright prepares images of at most 100 megapixels. Scale it down first.');
    await rejects(describeImage(big, 'big.tif'), 'too-large', /^big\.tif is 20000x15000 \(300 megapixels\)/);
  });

  test('16-bit CMYK (a TIFF): named as CMYK converted to 8-bit for GPT, to 8-bit RGBA for dall-e-2', async () => {
    const cmyk16 = tiff(8, 6, { photometric: 5, samples: 4, bits: 16, pixels: true });
    const meta = await sharp(cmyk16).metadata();
    assert.deepStrictEqual([meta.space, meta.depth, meta.bitsPerSample], ['cmyk', 'ushort', 16]);
    const gpt = await prepareInputs([{ name: 'c.tif', bytes: cmyk16 }], GPT);
    assert.deepStrictEqual(notes(gpt), ['c.tif: converted from TIFF to PNG.', 'c.tif: converted from CMYK to 8-bit.']);
    const out = await sharp(gpt.images[0].bytes).metadata();
    assert.deepStrictEqual([out.format, out.space, out.depth, out.width, out.height], ['png', 'srgb', 'uchar', 8, 6]);
    const dalle = await prepareInputs([{ name: 'c.tif', bytes: cmyk16 }], DALLE2, { mask: { width: 8, height: 6, painted: new Uint8Array(48).fill(255, 0, 8) } });
    assert.ok(notes(dalle).includes('c.tif: converted from CMYK to 8-bit RGBA.'), notes(dalle).join('\n'));
  });

  test('grey with two extra samples (a TIFF): named as grey by its space, whatever its channel count', async () => {
    // 16-bit: GPT converts it to 8 bits and names what it was.
    const grey16 = tiff(8, 6, { photometric: 1, samples: 3, bits: 16, pixels: true, extra: 2 });
    const meta = await sharp(grey16).metadata();
    assert.deepStrictEqual([meta.space, meta.channels, meta.depth, meta.hasAlpha], ['grey16', 3, 'ushort', true]);
    const gpt = await prepareInputs([{ name: 'g.tif', bytes: grey16 }], GPT, { alphaAsMask: false });
    assert.deepStrictEqual(notes(gpt), ['g.tif: converted from TIFF to PNG.', 'g.tif: converted from 16-bit grey+alpha to 8-bit.']);
    // dall-e-2 takes 8-bit RGBA: the grey and the first extra sample as its alpha, the second left
    // behind (as the PNG for GPT keeps them); it was refused as "decoded to an unexpected 8x6x5 image".
    const grey8 = tiff(8, 6, { photometric: 1, samples: 3, bits: 8, pixels: true, extra: 2 });
    for (const prep of [await makeVariationInput({ name: 'g.tif', bytes: grey8 }, DALLE2), await prepareInputs([{ name: 'g.tif', bytes: grey8 }], DALLE2, { mask: { width: 8, height: 6, painted: new Uint8Array(48).fill(255, 0, 8) } })]) {
      const { data, info } = await sharp(prep.images[0].bytes).raw().toBuffer({ resolveWithObject: true });
      assert.deepStrictEqual([info.width, info.height, info.channels], [8, 8, 4]);
      for (let k = 0; k < 48; k++) {
        const at = (8 + k) * 4; // the 8x6 image padded by a row above
        const [g, a] = [(3 * k * 7) & 255, ((3 * k + 1) * 7) & 255];
        assert.deepStrictEqual([...data.subarray(at, at + 4)], [g, g, g, a], `pixel ${k}`);
      }
    }
  });

  test('8-bit CMYK for dall-e-2: named as CMYK, without a bit depth', async () => {
    const cmyk = await solid(12, 12).toColourspace('cmyk').jpeg().toBuffer();
    assert.strictEqual((await sharp(cmyk).metadata()).space, 'cmyk');
    const prep = await prepareInputs([{ name: 'c.jpg', bytes: cmyk }], DALLE2, { mask: { width: 12, height: 12, painted: new Uint8Array(144).fill(255, 0, 12) } });
    assert.deepStrictEqual(notes(prep), ['c.jpg: converted from JPEG to PNG.', 'c.jpg: converted from CMYK to 8-bit RGBA.']);
  });
});

suite('prepare: refusals that concern no input', () => {
  test('no input, too many, cancelled: the refusal names no file (`input` stays unset)', async () => {
    const png = await solid(4, 4).png().toBuffer();
    for (const [p, code] of [
      [prepareInputs([], GPT), 'no-input'],
      [prepareInputs([{ name: 'a.png', bytes: png }, { name: 'b.png', bytes: png }], DALLE2), 'too-many-images'],
      [prepareInputs([{ name: 'a.png', bytes: png }], GPT, { signal: { aborted: true } }), 'cancelled'],
    ] as const) {
      const err = await rejects(p, code);
      assert.strictEqual(err.input, undefined, code);
    }
    // One that concerns an input names it.
    const named = await rejects(prepareInputs([{ name: 'x.txt', bytes: Buffer.from('hello, world') }], GPT), 'not-an-image');
    assert.ok(named instanceof PrepareError);
    assert.strictEqual(named.input, 'x.txt');
  });
});

suite('prepare: the checks a mask gets', () => {
  test('a painting of height 0 is not a valid painting (not "of another size")', async () => {
    const png = await solid(8, 8).png().toBuffer();
    const err = await rejects(prepareInputs([{ name: 'a.png', bytes: png }], GPT, { mask: { width: 8, height: 0, painted: new Uint8Array(0) } }), 'mask-mismatch');
    assert.strictEqual(err.message, 'The mask is not a valid 8x0 painting (0 bytes for 0 pixels).');
  });

  test('the rotation hint needs both sides swapped: a mask as wide as the image is tall, but of another height, gets none', async () => {
    // 30x20 stored, turned a quarter (orientation 6): shown at 20x30.
    const turned = await solid(30, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const mask = (width: number, height: number) => ({ width, height, painted: new Uint8Array(width * height) });
    const widthOff = await rejects(prepareInputs([{ name: 'r.jpg', bytes: turned }], GPT, { mask: mask(31, 20) }), 'mask-mismatch');
    assert.strictEqual(widthOff.message, 'The mask is 31x20 but r.jpg is shown at 20x30.');
    const swapped = await rejects(prepareInputs([{ name: 'r.jpg', bytes: turned }], GPT, { mask: mask(30, 20) }), 'mask-mismatch');
    assert.match(swapped.message, /after its EXIF rotation/);
  });
});
