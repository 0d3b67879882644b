// Container edge cases of the generation record and of size reading, on small files built byte by
// byte here (found by mutation testing): markers that are not frame headers, damaged containers,
// XMP in WebP, and the flags a simple WebP gets when it becomes extended.
import * as assert from 'assert';
import * as zlib from 'node:zlib';
import { embedRecord, MetadataError, readRecord, readRecordText, XMP_NAMESPACE } from '../../../src/core/metadata';
import { xmpPacket } from '../../../src/core/metadata/xmp';
import { detectImageFormat, readImageSize } from '../../../src/shared/imageFormat';
import { type GenerationRecord, RECORD_KEY } from '../../../src/core/record';
import { sampleRecord } from './metadata/sampleRecord';
import { pngChunk, PNG_SIG, u32be, u32le } from './metadata/pngBytes';

const record: GenerationRecord = sampleRecord;

const u16be = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);

// ---- PNG ------------------------------------------------------------------------------------



function ihdr(width: number, height: number): Buffer {
  return pngChunk('IHDR', Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 6, 0, 0, 0])]));
}

const IDAT = pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(5)));
const IEND = pngChunk('IEND', Buffer.alloc(0));
const png = (...chunks: Buffer[]) => Buffer.concat([PNG_SIG, ...chunks]);

/** Our iTXt chunk with the given flag, method and text bytes. */
function ourItxt(text: Buffer, flag = 0, method = 0): Buffer {
  return pngChunk('iTXt', Buffer.concat([Buffer.from(`${RECORD_KEY}\0`, 'latin1'), Buffer.from([flag, method]), Buffer.from('\0\0', 'latin1'), text]));
}

// ---- JPEG -----------------------------------------------------------------------------------

const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16be(payload.length + 2), payload]);
const sof = (marker: number, width: number, height: number) => segment(marker, Buffer.concat([Buffer.from([8]), u16be(height), u16be(width), Buffer.from([1, 1, 0x11, 0])]));
const DHT = segment(0xc4, Buffer.from([0x00, ...new Array(16).fill(0)]));
const DQT = segment(0xdb, Buffer.from([0x00, ...new Array(64).fill(1)]));
const SOS = segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));
const SCAN = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]);
const jpeg = (...parts: Buffer[]) => Buffer.concat([Buffer.from([0xff, 0xd8]), ...parts]);
const wholeJpeg = (...headers: Buffer[]) => jpeg(...headers, SOS, SCAN, Buffer.from([0xff, 0xd9]));

// ---- WebP -----------------------------------------------------------------------------------

function riffChunk(fourcc: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(fourcc, 'latin1'), u32le(data.length), data, Buffer.alloc(data.length & 1)]);
}

function webp(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat(chunks);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(4 + body.length), Buffer.from('WEBP', 'latin1'), body]);
}

/** A VP8 key frame header of the given size (the bitstream after it is not read). */
function vp8(width: number, height: number, frameTag = 0x10): Buffer {
  const d = Buffer.alloc(14);
  d[0] = frameTag;
  d.set([0x9d, 0x01, 0x2a], 3);
  d.writeUInt16LE(width, 6);
  d.writeUInt16LE(height, 8);
  return riffChunk('VP8 ', d);
}

function vp8l(width: number, height: number, alpha: boolean, version = 0): Buffer {
  const bits = ((width - 1) | ((height - 1) << 14) | ((alpha ? 1 : 0) << 28) | (version << 29)) >>> 0;
  return riffChunk('VP8L', Buffer.concat([Buffer.from([0x2f]), u32le(bits), Buffer.alloc(3)]));
}

function vp8x(flags: number, width: number, height: number): Buffer {
  const d = Buffer.alloc(10);
  d[0] = flags;
  d.writeUIntLE(width - 1, 4, 3);
  d.writeUIntLE(height - 1, 7, 3);
  return riffChunk('VP8X', d);
}

/** The chunks of a RIFF/WEBP file: fourcc and data. */
function chunksOf(b: Uint8Array): { fourcc: string; data: Buffer }[] {
  const buf = Buffer.from(b);
  assert.strictEqual(buf.readUInt32LE(4) + 8, buf.length, 'the RIFF size matches the file');
  const out: { fourcc: string; data: Buffer }[] = [];
  for (let pos = 12; pos < buf.length; ) {
    const size = buf.readUInt32LE(pos + 4);
    out.push({ fourcc: buf.toString('latin1', pos, pos + 4), data: buf.subarray(pos + 8, pos + 8 + size) });
    pos += 8 + size + (size & 1);
  }
  return out;
}

const FOREIGN_XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Kept</dc:title></rdf:Description>' +
  '</rdf:RDF></x:xmpmeta>';

function damaged(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MetadataError, `a MetadataError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

// ---- tests ----------------------------------------------------------------------------------

suite('image size: markers and headers', () => {
  test('JPEG: tables before the frame header (DHT, DAC, JPG) are not taken for it', () => {
    const dac = segment(0xcc, Buffer.from([0, 0]));
    const jpg = segment(0xc8, Buffer.from([1, 2, 3, 4, 5, 6]));
    assert.deepStrictEqual(readImageSize(wholeJpeg(DQT, DHT, dac, jpg, sof(0xc0, 640, 480))), { width: 640, height: 480 });
  });

  test('JPEG: every SOFn gives the size (baseline, progressive, lossless, arithmetic)', () => {
    for (const m of [0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) {
      assert.deepStrictEqual(readImageSize(wholeJpeg(DHT, sof(m, 300, 200))), { width: 300, height: 200 }, m.toString(16));
    }
  });

  test('JPEG: fill bytes, restart markers and a short frame header', () => {
    const fill = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), sof(0xc2, 33, 44).subarray(1)]);
    assert.deepStrictEqual(readImageSize(jpeg(Buffer.from([0xff, 0xd0]), Buffer.from([0xff, 0x01]), fill, SOS)), { width: 33, height: 44 });
    assert.strictEqual(readImageSize(wholeJpeg(segment(0xc0, Buffer.from([8, 0, 10, 0])))), undefined, 'a 4-byte SOF has no width');
    assert.strictEqual(readImageSize(wholeJpeg(DHT)), undefined, 'no frame header at all');
    assert.strictEqual(readImageSize(wholeJpeg(sof(0xc0, 0, 480))), undefined, 'a zero width is no size');
  });

  test('PNG: IHDR only; GIF: the logical screen', () => {
    assert.deepStrictEqual(readImageSize(png(ihdr(70000, 3), IDAT, IEND)), { width: 70000, height: 3 });
    assert.strictEqual(readImageSize(png(pngChunk('iHDR', Buffer.alloc(13)), IDAT, IEND)), undefined);
    assert.strictEqual(readImageSize(png(ihdr(5, 0), IDAT, IEND)), undefined);
    const gif = Buffer.from('GIF89a\x2c\x01\x05\x00\x00\x00', 'latin1');
    assert.deepStrictEqual(readImageSize(gif), { width: 300, height: 5 });
    assert.strictEqual(readImageSize(gif.subarray(0, 9)), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from('GIF87a', 'latin1')), 'gif');
    assert.strictEqual(detectImageFormat(Buffer.from('GIF88a', 'latin1')), undefined);
  });

  test('WebP: VP8X canvas (24 bits), VP8 (14 bits) and VP8L (14 bits + 1)', () => {
    assert.deepStrictEqual(readImageSize(webp(vp8x(0, 16777216, 70000), vp8(1, 1))), { width: 16777216, height: 70000 });
    assert.deepStrictEqual(readImageSize(webp(vp8(16383 | 0xc000, 5 | 0x4000))), { width: 16383, height: 5 });
    assert.deepStrictEqual(readImageSize(webp(vp8l(16384, 1, false))), { width: 16384, height: 1 });
    assert.strictEqual(readImageSize(webp(vp8(300, 200, 0x11))), undefined, 'not a key frame');
    assert.strictEqual(readImageSize(webp(vp8l(30, 20, false, 1))), undefined, 'unknown VP8L version');
    assert.strictEqual(readImageSize(webp(riffChunk('VP8X', Buffer.alloc(9)), vp8(1, 1))), undefined, 'short VP8X');
    assert.strictEqual(readImageSize(webp(riffChunk('ICCP', Buffer.alloc(4)), vp8(1, 1))), undefined);
    assert.strictEqual(readImageSize(webp()), undefined);
  });
});

suite('generation record: damaged containers', () => {
  test('PNG: a first chunk that is not a 13-byte IHDR, no IDAT, a bad chunk header', () => {
    damaged(() => embedRecord(png(IDAT, IEND), record), /Damaged PNG: the first chunk is not a valid IHDR/);
    damaged(() => embedRecord(png(pngChunk('IHDR', Buffer.alloc(12)), IDAT, IEND), record), /not a valid IHDR/);
    damaged(() => embedRecord(png(ihdr(1, 1), IEND), record), /Damaged PNG: there is no image data \(IDAT\)/);
    damaged(() => embedRecord(png(ihdr(1, 1), pngChunk('ID4T', Buffer.alloc(1)), IDAT, IEND), record), /Damaged PNG: invalid chunk header at offset 33/);
    const huge = Buffer.concat([u32be(0x80000000), Buffer.from('IDAT', 'latin1'), Buffer.alloc(8)]);
    damaged(() => embedRecord(png(ihdr(1, 1), huge, IEND), record), /invalid chunk header/);
    damaged(() => embedRecord(png(ihdr(1, 1), IDAT), record), /Damaged PNG: the file is truncated \(no IEND chunk/);
    damaged(() => embedRecord(png(ihdr(1, 1), pngChunk('IDAT', Buffer.alloc(4), 0), IEND), record), /CRC mismatch in the IDAT chunk at offset 33/);
  });

  test('PNG: an ancillary chunk with a bad CRC is copied as it is; bytes after IEND are kept', () => {
    const odd = pngChunk('tEXt', Buffer.from('a\0b', 'latin1'), 1234);
    const out = Buffer.from(embedRecord(png(ihdr(1, 1), odd, IDAT, IEND, Buffer.from('tail')), record));
    assert.ok(out.includes(odd), 'the foreign chunk is kept byte for byte');
    assert.ok(out.subarray(-4).equals(Buffer.from('tail')));
    assert.deepStrictEqual(readRecord(out), record);
  });

  test('PNG: a record chunk that is damaged or oddly flagged is skipped, and the next one is read', () => {
    const json = Buffer.from(JSON.stringify(record));
    const good = ourItxt(json);
    const read = (...chunks: Buffer[]) => readRecord(png(ihdr(1, 1), ...chunks, IDAT, IEND));
    assert.deepStrictEqual(read(good), record);
    assert.deepStrictEqual(read(ourItxt(zlib.deflateSync(json), 1, 0)), record, 'compressed');
    const badCrc = Buffer.from(good);
    badCrc.writeUInt32BE((badCrc.readUInt32BE(badCrc.length - 4) ^ 1) >>> 0, badCrc.length - 4);
    assert.strictEqual(read(badCrc), undefined, 'bad CRC');
    assert.strictEqual(read(ourItxt(zlib.deflateSync(json), 1, 1)), undefined, 'unknown compression method');
    assert.strictEqual(read(ourItxt(json, 2)), undefined, 'unknown compression flag');
    assert.strictEqual(read(ourItxt(Buffer.from([0xc3, 0x28]))), undefined, 'not UTF-8');
    assert.strictEqual(read(pngChunk('iTXt', Buffer.from(`${RECORD_KEY}\0\0\0no terminators`, 'latin1'))), undefined, 'no language tag end');
    assert.strictEqual(read(pngChunk('iTXt', Buffer.from(`${RECORD_KEY}\0\0\0en\0no keyword end`, 'latin1'))), undefined, 'no translated keyword end');
    assert.strictEqual(read(pngChunk('iTXt', Buffer.concat([Buffer.from(`other\0\0\0\0\0`, 'latin1'), json]))), undefined, 'another keyword');
    assert.deepStrictEqual(read(ourItxt(json, 2), good), record, 'the second chunk is read when the first is unusable');
    assert.deepStrictEqual(read(ourItxt(Buffer.from('{"v":2}')), good), record, 'and when the first is of the wrong shape');
  });

  test('JPEG: each kind of damage before the image data is named', () => {
    damaged(() => embedRecord(jpeg(DHT, Buffer.from([0x00, 0x00, 0x00])), record), /Damaged JPEG: no marker at offset 23/);
    damaged(() => embedRecord(jpeg(Buffer.from([0xff, 0xd8])), record), /Damaged JPEG: unexpected marker 0xd8 at offset 2/);
    damaged(() => embedRecord(jpeg(DHT, Buffer.from([0xff, 0x00])), record), /unexpected marker 0x0 at offset/);
    damaged(() => embedRecord(jpeg(Buffer.from([0xff, 0xd9])), record), /Damaged JPEG: the image ends before any image data/);
    damaged(() => embedRecord(jpeg(Buffer.from([0xff, 0xc4, 0x00, 0x01, 0x00, 0x00])), record), /Damaged JPEG: bad segment length at offset 2/);
    damaged(() => embedRecord(jpeg(Buffer.from([0xff, 0xc4, 0x00, 0x20, 0x00])), record), /Damaged JPEG: the file is truncated in a marker segment/);
    damaged(() => embedRecord(jpeg(Buffer.from([0xff, 0xc4, 0x00])), record), /truncated in a marker segment/);
    damaged(() => embedRecord(jpeg(DHT, Buffer.from([0xff, 0xff])), record), /Damaged JPEG: the file ends before the image data/);
    damaged(() => embedRecord(jpeg(DHT, Buffer.from([0xff])), record), /the file ends before the image data/);
    damaged(() => embedRecord(jpeg(DHT, sof(0xc0, 8, 8), SOS, SCAN), record), /Damaged JPEG: the file is truncated \(no end-of-image marker\)/);
  });

  test('JPEG: a hand-made file takes the record after APP0 and Exif, before the tables', () => {
    const app0 = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
    const exif = segment(0xe1, Buffer.from('Exif\0\0MM\0\x2a', 'latin1'));
    const other = segment(0xe1, Buffer.from('Other\0', 'latin1'));
    const file = wholeJpeg(app0, exif, other, DQT, DHT, sof(0xc0, 8, 8));
    const out = Buffer.from(embedRecord(file, record));
    const xmpAt = out.indexOf('http://ns.adobe.com/xap/1.0/\0');
    assert.strictEqual(xmpAt, 2 + app0.length + exif.length + 4, 'right after APP0 and Exif');
    assert.strictEqual(out.indexOf(other), xmpAt - 4 + out.readUInt16BE(xmpAt - 2) + 2, 'and before the next segment');
    assert.deepStrictEqual(readImageSize(out), { width: 8, height: 8 });
    assert.deepStrictEqual(readRecord(out), record);
    assert.ok(out.subarray(-(SOS.length + SCAN.length + 2)).equals(Buffer.concat([SOS, SCAN, Buffer.from([0xff, 0xd9])])), 'the scan is copied as it was');
    const bare = Buffer.from(embedRecord(wholeJpeg(app0), record));
    assert.strictEqual(bare.indexOf('http://ns.adobe.com/xap/1.0/\0'), 2 + app0.length + 4, 'after the last leading segment when nothing follows');
  });

  test('JPEG: an XMP segment that is not UTF-8 is replaced; a signature-only APP1 is not XMP', () => {
    const xmpSig = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
    const notUtf8 = segment(0xe1, Buffer.concat([xmpSig, Buffer.from([0xc3, 0x28])]));
    const out = Buffer.from(embedRecord(wholeJpeg(notUtf8, sof(0xc0, 8, 8)), record));
    assert.ok(!out.includes(Buffer.from([0xc3, 0x28])), 'the broken packet is gone');
    assert.deepStrictEqual(readRecord(out), record);
    const shortApp1 = segment(0xe1, xmpSig.subarray(0, 10));
    assert.ok(Buffer.from(embedRecord(wholeJpeg(shortApp1, sof(0xc0, 8, 8)), record)).includes(shortApp1), 'a short APP1 is kept');
  });

  test('WebP: each kind of damage is named', () => {
    damaged(() => embedRecord(webp(), record), /Damaged WebP: the file holds no chunks/);
    damaged(() => embedRecord(webp(riffChunk('VP8X', Buffer.alloc(9)), vp8(4, 4)), record), /Damaged WebP: the VP8X chunk is too short/);
    damaged(() => embedRecord(webp(riffChunk('ICCP', Buffer.alloc(4)), vp8(4, 4)), record), /unexpected first chunk "ICCP"/);
    damaged(() => embedRecord(webp(vp8x(0, 4, 4), riffChunk('EXIF', Buffer.alloc(4))), record), /Damaged WebP: there is no image data/);
    damaged(() => embedRecord(webp(vp8(0, 4)), record), /Damaged WebP: unreadable VP8 bitstream header/);
    damaged(() => embedRecord(webp(vp8l(4, 4, false, 2)), record), /Damaged WebP: unreadable VP8L bitstream header/);
    damaged(() => embedRecord(Buffer.concat([webp(vp8(4, 4)), Buffer.alloc(0)]).subarray(0, 30), record), /Damaged WebP: the file is truncated \(30 of 34 bytes\)/);
    const loose = Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(4 + 22 + 4), Buffer.from('WEBP', 'latin1'), vp8(4, 4), Buffer.from('XMP ', 'latin1')]);
    damaged(() => embedRecord(loose, record), /Damaged WebP: incomplete chunk header at offset 34/);
    const overrun = Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(4 + 22 + 12), Buffer.from('WEBP', 'latin1'), vp8(4, 4), Buffer.from('EXIF', 'latin1'), u32le(100), Buffer.alloc(4)]);
    damaged(() => embedRecord(overrun, record), /the "EXIF" chunk at offset 34 runs past the end of the file/);
  });

  test('WebP: an animation counts as image data', () => {
    const out = embedRecord(webp(vp8x(0x02, 4, 4), riffChunk('ANIM', Buffer.alloc(6)), riffChunk('ANMF', Buffer.alloc(24))), record);
    assert.deepStrictEqual(readRecord(out), record);
    assert.deepStrictEqual(
      chunksOf(out).map((c) => c.fourcc),
      ['VP8X', 'ANIM', 'ANMF', 'XMP '],
    );
    assert.strictEqual(chunksOf(out)[0].data[0], 0x02 | 0x04, 'animation flag kept, XMP flag set');
  });
});

suite('generation record: XMP in WebP', () => {
  test('a simple WebP becomes extended: flags for alpha, Exif and ICC, canvas from the bitstream', () => {
    const cases: [string, Buffer[], number][] = [
      ['VP8', [vp8(300, 200)], 0x04],
      ['VP8L with alpha', [vp8l(300, 200, true)], 0x04 | 0x10],
      ['VP8L without alpha', [vp8l(300, 200, false)], 0x04],
      ['VP8 + ALPH', [vp8(300, 200), riffChunk('ALPH', Buffer.alloc(3))], 0x04 | 0x10],
      ['VP8 + EXIF', [vp8(300, 200), riffChunk('EXIF', Buffer.alloc(6))], 0x04 | 0x08],
      ['VP8 + ICCP', [vp8(300, 200), riffChunk('ICCP', Buffer.alloc(6))], 0x04 | 0x20],
    ];
    for (const [name, chunks, flags] of cases) {
      const out = embedRecord(webp(...chunks), record);
      const list = chunksOf(out);
      assert.strictEqual(list[0].fourcc, 'VP8X', name);
      assert.strictEqual(list[0].data[0], flags, `${name}: flags`);
      assert.strictEqual(list[0].data.readUIntLE(4, 3) + 1, 300, name);
      assert.strictEqual(list[0].data.readUIntLE(7, 3) + 1, 200, name);
      assert.deepStrictEqual(readImageSize(out), { width: 300, height: 200 }, name);
      assert.deepStrictEqual(readRecord(out), record, name);
    }
  });

  test('the XMP chunk goes after the image data and Exif, before anything else', () => {
    const out = embedRecord(webp(vp8x(0x08, 4, 4), riffChunk('ICCP', Buffer.alloc(2)), vp8(4, 4), riffChunk('EXIF', Buffer.alloc(2)), riffChunk('ABCD', Buffer.alloc(2))), record);
    assert.deepStrictEqual(
      chunksOf(out).map((c) => c.fourcc),
      ['VP8X', 'ICCP', 'VP8 ', 'EXIF', 'XMP ', 'ABCD'],
    );
  });

  test('a foreign XMP chunk keeps its place and its properties, with the record merged in', () => {
    const file = webp(vp8x(0x04, 4, 4), riffChunk('XMP ', Buffer.from(FOREIGN_XMP)), vp8(4, 4), riffChunk('ABCD', Buffer.alloc(1)));
    const out = embedRecord(file, record);
    const list = chunksOf(out);
    assert.deepStrictEqual(
      list.map((c) => c.fourcc),
      ['VP8X', 'XMP ', 'VP8 ', 'ABCD'],
    );
    const packet = list[1].data.toString('utf8');
    assert.ok(packet.includes('<dc:title>Kept</dc:title>'), 'the foreign property is kept');
    assert.ok(packet.includes(`xmlns:${RECORD_KEY}="${XMP_NAMESPACE}"`));
    assert.deepStrictEqual(readRecord(out), record);
    assert.ok(Buffer.from(embedRecord(out, record)).equals(Buffer.from(out)), 'embedding the same record again changes nothing');
    const other = embedRecord(out, { ...record, prompt: 'another' });
    assert.strictEqual(readRecord(other)?.prompt, 'another');
    assert.strictEqual(Buffer.from(other).toString('utf8').split(`<${RECORD_KEY}:record>`).length, 2, 'one record');
  });

  test('an XMP chunk that is not UTF-8 or not RDF is replaced; the record is read from a later XMP chunk', () => {
    for (const bad of [Buffer.from([0xc3, 0x28]), Buffer.from('<not-rdf/>')]) {
      const out = embedRecord(webp(vp8x(0, 4, 4), vp8(4, 4), riffChunk('XMP ', bad)), record);
      const xmp = chunksOf(out).filter((c) => c.fourcc === 'XMP ');
      assert.strictEqual(xmp.length, 1);
      assert.ok(!xmp[0].data.includes(bad), 'the unusable packet is gone');
      assert.deepStrictEqual(readRecord(out), record);
    }
    const withRecord = chunksOf(embedRecord(webp(vp8(4, 4)), record)).find((c) => c.fourcc === 'XMP ')!.data;
    const twoPackets = webp(vp8x(0x04, 4, 4), vp8(4, 4), riffChunk('XMP ', Buffer.from(FOREIGN_XMP)), riffChunk('XMP ', withRecord));
    assert.deepStrictEqual(readRecord(twoPackets), record);
  });
});

suite('image format and record chunks: boundaries', () => {
  test('signatures: the shortest files that carry them, and near misses', () => {
    assert.strictEqual(detectImageFormat(Buffer.from([0xff, 0xd8, 0xff])), 'jpeg');
    for (const b of [[0x00, 0xd8, 0xff], [0xff, 0x00, 0xff], [0xff, 0xd8, 0x00], [0xff, 0xd8]]) assert.strictEqual(detectImageFormat(Buffer.from(b)), undefined, String(b));
    assert.strictEqual(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEBP', 'latin1')), 'webp');
    assert.strictEqual(detectImageFormat(Buffer.from('RIFX\0\0\0\0WEBP', 'latin1')), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEBX', 'latin1')), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEB', 'latin1')), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from('GIF89', 'latin1')), undefined);
    const ihdrOnly = png(ihdr(7, 9)).subarray(0, 24);
    assert.deepStrictEqual(readImageSize(ihdrOnly), { width: 7, height: 9 }, 'IHDR width and height are in the first 24 bytes');
    assert.deepStrictEqual(readImageSize(Buffer.from('GIF87a\x07\x00\x09\x00', 'latin1')), { width: 7, height: 9 }, 'GIF: 10 bytes are enough');
  });

  test('a PNG chunk that claims 2^31 - 1 bytes is a truncated chunk, not a bad header', () => {
    const claim = Buffer.concat([u32be(0x7fffffff), Buffer.from('IDAT', 'latin1'), Buffer.alloc(8)]);
    damaged(() => embedRecord(png(ihdr(1, 1), claim, IEND), record), /Damaged PNG: the file is truncated inside the IDAT chunk at offset 33/);
  });

  test('records are stored uncompressed up to 1024 bytes of JSON, compressed above', () => {
    const sized = (n: number): GenerationRecord => {
      const r = { ...record, prompt: '' };
      return { ...r, prompt: 'x'.repeat(n - JSON.stringify(r).length) };
    };
    for (const [n, flag] of [[1024, 0], [1025, 1]] as const) {
      const r = sized(n);
      assert.strictEqual(JSON.stringify(r).length, n);
      const out = Buffer.from(embedRecord(png(ihdr(1, 1), IDAT, IEND), r));
      const itxt = out.indexOf('iTXt');
      assert.strictEqual(out[itxt + 4 + RECORD_KEY.length + 1], flag, `${n} bytes`);
      assert.deepStrictEqual(readRecord(out), r);
    }
  });

  test('only an iTXt chunk with our keyword holds the record; JSON that is not an object is no record', () => {
    const json = Buffer.from(JSON.stringify(record));
    const read = (...chunks: Buffer[]) => readRecord(png(ihdr(1, 1), ...chunks, IDAT, IEND));
    const data = ourItxt(json).subarray(8, -4);
    assert.deepStrictEqual(read(pngChunk('iTXt', data)), record);
    assert.strictEqual(read(pngChunk('tEXt', data)), undefined, 'a tEXt chunk is not ours');
    assert.strictEqual(read(pngChunk('iTXt', Buffer.from(`${RECORD_KEY}\0`, 'latin1'))), undefined, 'keyword only');
    for (const v of ['[1]', 'null', '"text"', '42']) assert.strictEqual(read(ourItxt(Buffer.from(v))), undefined, v);
    // ... and does not stop the search: the record in the next chunk is still found
    for (const v of ['[1]', 'null', '"text"', '42']) assert.deepStrictEqual(read(ourItxt(Buffer.from(v)), ourItxt(json)), record, `${v}, then the record`);
    // a foreign tEXt chunk named like ours is kept when a record is embedded
    const foreign = pngChunk('tEXt', data);
    assert.ok(Buffer.from(embedRecord(png(ihdr(1, 1), foreign, IDAT, IEND), record)).includes(foreign));
  });
});


suite('generation record: the CRC-32 table (Node before 20.15 has no zlib.crc32)', () => {
  test('with the table, every chunk written gets the same CRC as zlib computes', () => {
    const nodeZlib = require('node:zlib') as { crc32?: (data: Uint8Array) => number };
    const file = png(ihdr(3, 2), IDAT, IEND);
    const long: GenerationRecord = { ...record, prompt: 'a'.repeat(3000) };
    const native = nodeZlib.crc32;
    let withTable: Uint8Array[];
    try {
      nodeZlib.crc32 = undefined;
      withTable = [embedRecord(file, record), embedRecord(file, long), embedRecord(embedRecord(file, record), long)];
    } finally {
      nodeZlib.crc32 = native;
    }
    assert.strictEqual(typeof nodeZlib.crc32, 'function');
    const withZlib = [embedRecord(file, record), embedRecord(file, long), embedRecord(embedRecord(file, record), long)];
    for (let i = 0; i < withZlib.length; i++) assert.ok(Buffer.from(withTable[i]).equals(Buffer.from(withZlib[i])), `file ${i}`);
    // And a damaged critical chunk is still found with the table.
    const bad = png(ihdr(3, 2), pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(5)), 1), IEND);
    try {
      nodeZlib.crc32 = undefined;
      damaged(() => embedRecord(bad, record), /CRC mismatch in the IDAT chunk/);
      assert.deepStrictEqual(readRecord(withZlib[1]), long);
    } finally {
      nodeZlib.crc32 = native;
    }
  });
});

suite('generation record: fitting a JPEG record to its segment, at the limits', () => {
  const ROOM = 65533 - 29; // an APP1 payload, less the XMP signature
  /** The bytes of the packet a record gives in a JPEG holding `foreign` (or no packet). */
  const packetBytes = (r: object, foreign?: string) => Buffer.byteLength(xmpPacket(foreign, JSON.stringify(r)));
  /** `r` with a prompt of `n` x's. */
  const withPrompt = <T extends object>(r: T, n: number) => ({ ...r, prompt: 'x'.repeat(n) });
  const bare = wholeJpeg(sof(0xc0, 8, 8));
  const foreignJpeg = (packet: string) => wholeJpeg(segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(packet)])), sof(0xc0, 8, 8));

  test('a record whose packet is exactly the room is kept whole; one byte more and the prompt is cut', () => {
    const n = ROOM - packetBytes(withPrompt(record, 0));
    assert.strictEqual(packetBytes(withPrompt(record, n)), ROOM);
    assert.deepStrictEqual(readRecord(embedRecord(bare, withPrompt(record, n))), withPrompt(record, n));
    const over = readRecord(embedRecord(bare, withPrompt(record, n + 1)))!;
    assert.deepStrictEqual(over.truncated, ['prompt']);
    assert.ok(over.prompt.length < n + 1 && over.prompt.length > n - 30, `cut to the longest that fits (${over.prompt.length})`);
    assert.ok(!('lineageCut' in over), 'no lineage was cut: none is said');
    assert.ok(!('revisedPrompt' in over));
  });

  test('a lineage that is not enough to drop: the lineage goes, then the prompt is cut', () => {
    const r: GenerationRecord = { ...withPrompt(record, 70000), lineage: [{ path: 'a.png', recipe: record }] };
    const read = readRecord(embedRecord(bare, r))!;
    assert.strictEqual(read.lineage, undefined);
    assert.strictEqual(read.lineageCut, true);
    assert.deepStrictEqual(read.truncated, ['prompt']);
  });

  test('a revised prompt that must go whole is left out (not kept empty), and the prompt stays whole', () => {
    const base = { ...record, truncated: ['revisedPrompt'] };
    const n = ROOM - packetBytes(withPrompt(base, 0));
    const r = { ...withPrompt(record, n), revisedPrompt: 'the model wrote this' };
    const read = readRecord(embedRecord(bare, r))!;
    assert.strictEqual(read.prompt.length, n, 'the prompt whole');
    assert.ok(!('revisedPrompt' in read), 'no revised prompt at all');
    assert.deepStrictEqual(read.truncated, ['revisedPrompt']);
  });

  test('both prompts cut: both named, in that order', () => {
    const read = readRecord(embedRecord(bare, { ...withPrompt(record, 70000), revisedPrompt: 'r'.repeat(70000) }))!;
    assert.deepStrictEqual(read.truncated, ['revisedPrompt', 'prompt']);
    assert.ok(!('revisedPrompt' in read));
    assert.ok(read.prompt.length > 60000);
  });

  test('beside a large foreign packet: an empty prompt that just fits is stored; a byte less room and embedding fails', () => {
    const shortened = { ...record, prompt: '', truncated: ['prompt'] };
    const pad = (k: number) => FOREIGN_XMP.replace('Kept', 'p'.repeat(k));
    const k = ROOM - packetBytes(shortened, pad(0));
    assert.strictEqual(packetBytes(shortened, pad(k)), ROOM);
    const long = withPrompt(record, 100);
    const read = readRecord(embedRecord(foreignJpeg(pad(k)), long))!;
    assert.strictEqual(read.prompt, '');
    assert.deepStrictEqual(read.truncated, ['prompt']);
    damaged(() => embedRecord(foreignJpeg(pad(k + 1)), long), /^The generation record does not fit in the JPEG XMP segment, even with the prompt left out\.$/);
  });
});

suite('generation record: characters and inputs at the edges', () => {
  test('U+FFFE and U+FFFF (not XML characters) are stored escaped and read back as they were', () => {
    const r = { ...record, prompt: 'odd \uFFFE and \uFFFF' };
    for (const file of [png(ihdr(1, 1), IDAT, IEND), wholeJpeg(sof(0xc0, 8, 8)), webp(vp8(4, 4))]) {
      const out = Buffer.from(embedRecord(file, r));
      assert.ok(!out.includes(Buffer.from('\uFFFE')) && !out.includes(Buffer.from('\uFFFF')), 'not stored raw');
      assert.deepStrictEqual(readRecord(out), r);
    }
  });

  test('readRecordText: nothing for bytes that are no image, nor for a record that does not inflate', () => {
    assert.strictEqual(readRecordText(Buffer.from('just some text')), undefined);
    const broken = png(ihdr(1, 1), ourItxt(Buffer.from('not deflate data'), 1), IDAT, IEND);
    assert.strictEqual(readRecordText(broken), undefined);
    assert.strictEqual(readRecord(broken), undefined);
  });
});
