// Reading a record from a file's head (src/core/headScan.ts) on files built chunk by chunk here:
// which chunks and segments are read whole (only a record's), where the walk stops (image data,
// the end of the RIFF, damage, 256 headers), the 4 MiB limit on a record chunk and on an SVG, the
// bytes read (one head read when the record is in it), and the file handle closed after a scan.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bytesSource, HEAD_BYTES, scanFile, scanImage, type ScanResult } from '../../../src/core/headScan';
import { embedRecord } from '../../../src/core/metadata';
import { XMP_SIGNATURE } from '../../../src/core/metadata/jpeg';
import { xmpPacket } from '../../../src/core/metadata/xmp';
import { type GenerationRecord, RECORD_KEY } from '../../../src/core/record';
import { sampleRecord } from './metadata/sampleRecord';
import { pngChunk as chunk, PNG_SIG as SIG, u32be, u32le as le32 } from './metadata/pngBytes';

const MIB4 = 4 * 1024 * 1024;
const record: GenerationRecord = sampleRecord;
const withPrompt = (prompt: string): GenerationRecord => ({ ...record, prompt });
const scan = (bytes: Buffer): Promise<ScanResult> => scanImage(bytesSource(bytes));


// ---- PNG
const IHDR = chunk('IHDR', Buffer.concat([u32be(64), u32be(48), Buffer.from([8, 2, 0, 0, 0])]));
/** Image data that makes the file large (never read by the scan). */
const IDAT = chunk('IDAT', Buffer.alloc(100_000, 0x55));
const IEND = chunk('IEND', Buffer.alloc(0));
const itxt = (key: string, text: string) => chunk('iTXt', Buffer.concat([Buffer.from(`${key}\0`, 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
const ourChunk = (r: GenerationRecord = record) => itxt(RECORD_KEY, JSON.stringify(r));
const png = (...chunks: Buffer[]) => Buffer.concat([SIG, IHDR, ...chunks]);
/** A record whose iTXt chunk's data is `length` bytes long. */
function pngRecordOfLength(length: number): GenerationRecord {
  const base = ourChunk(withPrompt('')).length - 12;
  const r = withPrompt('x'.repeat(length - base));
  assert.strictEqual(ourChunk(r).length - 12, length);
  return r;
}

// ---- JPEG
function segment(marker: number, payload: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([Buffer.from([0xff, marker]), len, payload]);
}
const xmpSegment = (packet: string) => segment(0xe1, Buffer.concat([Buffer.from(XMP_SIGNATURE), Buffer.from(packet, 'utf8')]));
const ourSegment = (r: GenerationRecord = record) => xmpSegment(xmpPacket(undefined, JSON.stringify(r)));
const APP0 = segment(0xe0, Buffer.from('JFIF\0\x01\x02\0\0\x01\0\x01\0\0', 'latin1'));
const SOS = Buffer.concat([Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]), Buffer.alloc(50_000, 0x11), Buffer.from([0xff, 0xd9])]);
const jpeg = (...parts: Buffer[]) => Buffer.concat([Buffer.from([0xff, 0xd8]), ...parts, SOS]);

// ---- WebP
function riffChunk(id: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id, 'latin1'), le32(data.length), data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}
const ourXmpChunk = (r: GenerationRecord = record) => riffChunk('XMP ', Buffer.from(xmpPacket(undefined, JSON.stringify(r)), 'utf8'));
/** A lossless bitstream chunk (odd size, so it is padded) standing for the image. */
const VP8L = riffChunk('VP8L', Buffer.from([0x2f, 0x00, 0x00, 0x00, 0x00]));
const webp = (...chunks: Buffer[]) => {
  const body = Buffer.concat(chunks);
  return Buffer.concat([Buffer.from('RIFF'), le32(4 + body.length), Buffer.from('WEBP'), body]);
};

suite('head scan: PNG', function () {
  this.timeout(30_000);
  test('a record right after IHDR is found in the one head read', async () => {
    const r = await scan(png(ourChunk(), IDAT, IEND));
    assert.deepStrictEqual([r.format, r.record, r.width, r.height, r.bytesRead], ['png', record, 64, 48, HEAD_BYTES]);
    // a record chunk that ends exactly at the end of the head needs no second read
    const exact = pngRecordOfLength(HEAD_BYTES - 8 - IHDR.length - 12);
    const atEdge = await scan(png(ourChunk(exact), IDAT, IEND));
    assert.deepStrictEqual([atEdge.record, atEdge.bytesRead], [exact, HEAD_BYTES]);
  });

  test('past the head, only the chunk headers on the way and the record chunk are read', async () => {
    const exif = chunk('eXIf', Buffer.alloc(10_000, 0x20));
    const ours = ourChunk();
    const r = await scan(png(exif, ours, IDAT, IEND));
    assert.deepStrictEqual(r.record, record);
    assert.strictEqual(r.bytesRead, HEAD_BYTES + 8 + ours.length);
  });

  test('a foreign iTXt before ours is passed over; a record after the image data, after IEND or past damage is not looked for', async () => {
    assert.deepStrictEqual((await scan(png(itxt('XML:com.adobe.xmp', '<x:xmpmeta/>'), ourChunk(), IDAT, IEND))).record, record);
    assert.strictEqual((await scan(png(IDAT, ourChunk(), IEND))).record, undefined);
    assert.strictEqual((await scan(png(IEND, ourChunk()))).record, undefined);
    const damaged = Buffer.concat([u32be(0), Buffer.from([0x31, 0x32, 0x33, 0x34]), u32be(0)]);
    assert.strictEqual((await scan(png(damaged, ourChunk(), IDAT, IEND))).record, undefined);
  });

  test('at most 256 chunk headers are walked', async () => {
    const fillers = (k: number) => Array.from({ length: k }, () => chunk('tEXt', Buffer.from('a\0b')));
    // IHDR is the first header, the record the (k + 2)th
    assert.deepStrictEqual((await scan(png(...fillers(254), ourChunk(), IDAT, IEND))).record, record);
    assert.strictEqual((await scan(png(...fillers(255), ourChunk(), IDAT, IEND))).record, undefined);
  });

  test('a record chunk of 4 MiB is read, one byte more is not', async () => {
    const big = pngRecordOfLength(MIB4);
    assert.deepStrictEqual((await scan(png(ourChunk(big), IEND))).record?.prompt.length, big.prompt.length);
    const bigger = pngRecordOfLength(MIB4 + 1);
    assert.strictEqual((await scan(png(ourChunk(bigger), IEND))).record, undefined);
  });

  test('a chunk length that runs past the end of a file ends the scan quietly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-headscan-'));
    try {
      const p = path.join(dir, 'cut.png');
      const lying = Buffer.concat([u32be(1_000_000), Buffer.from('tEXt'), Buffer.alloc(8_000, 0x61)]);
      fs.writeFileSync(p, png(lying));
      const r = await scanFile(p);
      assert.deepStrictEqual([r.format, r.record, r.size], ['png', undefined, 8 + IHDR.length + lying.length]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a scanned file\'s handle is closed', async function () {
    if (!fs.existsSync('/proc/self/fd')) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-headscan-'));
    try {
      const p = path.join(dir, 'a.png');
      fs.writeFileSync(p, png(ourChunk(), IDAT, IEND));
      const open = () => fs.readdirSync('/proc/self/fd').length;
      await scanFile(p);
      const before = open();
      for (let i = 0; i < 20; i++) assert.deepStrictEqual((await scanFile(p)).record, record);
      assert.ok(open() < before + 5, `${open() - before} more open files after 20 scans`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

suite('head scan: JPEG', () => {
  test('the record is found past fill bytes, standalone markers, empty and table segments', async () => {
    const fill = Buffer.from([0xff, 0xff]);
    const standalone = Buffer.from([0xff, 0xd0, 0xff, 0xd7, 0xff, 0x01]);
    const empty = Buffer.from([0xff, 0xe4, 0x00, 0x02]);
    const sof = segment(0xc0, Buffer.from([8, 0, 48, 0, 64, 1, 1, 0x11, 0]));
    const dht = segment(0xc4, Buffer.alloc(20, 1));
    const r = await scan(jpeg(APP0, fill, standalone, empty, sof, dht, ourSegment()));
    assert.deepStrictEqual([r.format, r.record, r.width, r.height], ['jpeg', record, 64, 48]);
  });

  test('a foreign XMP packet before ours is passed over', async () => {
    assert.deepStrictEqual((await scan(jpeg(APP0, xmpSegment('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>'), ourSegment()))).record, record);
  });

  test('the walk stops at the image data, an end or start of image, a stuffed zero and a byte that is no marker', async () => {
    const after = async (stop: Buffer) => (await scan(Buffer.concat([Buffer.from([0xff, 0xd8]), APP0, stop, ourSegment(), SOS]))).record;
    assert.strictEqual(await after(Buffer.from([0xff, 0xda, 0x00, 0x02])), undefined, 'SOS');
    assert.strictEqual(await after(Buffer.from([0xff, 0xd9, 0x00, 0x02])), undefined, 'EOI');
    assert.strictEqual(await after(Buffer.from([0xff, 0xd8, 0x00, 0x02])), undefined, 'SOI');
    assert.strictEqual(await after(Buffer.from([0xff, 0x00, 0x00, 0x02])), undefined, 'FF 00');
    assert.strictEqual(await after(Buffer.from([0x00])), undefined, 'a stray byte');
    assert.deepStrictEqual(await after(Buffer.alloc(0)), record, 'nothing in the way');
  });

  test('at most 256 marker headers are walked', async () => {
    const rst = (k: number) => Buffer.concat(Array.from({ length: k }, () => Buffer.from([0xff, 0xd0])));
    assert.deepStrictEqual((await scan(jpeg(rst(255), ourSegment()))).record, record);
    assert.strictEqual((await scan(jpeg(rst(256), ourSegment()))).record, undefined);
  });

  test('past the head, segments other than an XMP APP1 are stepped over by their headers', async () => {
    const icc = segment(0xe2, Buffer.alloc(10_000, 0x33));
    const short1 = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), Buffer.alloc(22)])); // length 30
    const short2 = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), Buffer.alloc(23)])); // length 31
    const ours = ourSegment();
    const r = await scan(jpeg(APP0, icc, short1, short2, ours));
    assert.deepStrictEqual(r.record, record);
    assert.strictEqual(r.bytesRead, HEAD_BYTES + 4 + 4 + 4 + ours.length);
  });
});

suite('head scan: WebP, GIF, SVG', function () {
  this.timeout(30_000);
  test('WebP: the XMP chunk after a padded odd-sized chunk and a foreign packet', async () => {
    const foreign = riffChunk('XMP ', Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>'));
    const r = await scan(webp(VP8L, riffChunk('JUNK', Buffer.alloc(20_000)), foreign, ourXmpChunk()));
    assert.deepStrictEqual([r.format, r.record], ['webp', record]);
  });

  test('WebP: nothing after the end the RIFF header declares is read', async () => {
    const file = Buffer.concat([webp(VP8L), ourXmpChunk()]);
    assert.strictEqual((await scan(file)).record, undefined);
  });

  test('WebP: at most 256 chunk headers; an XMP chunk of 4 MiB is read, one byte more is not', async () => {
    const junk = (k: number) => Array.from({ length: k }, () => riffChunk('JUNK', Buffer.alloc(0)));
    assert.deepStrictEqual((await scan(webp(VP8L, ...junk(254), ourXmpChunk()))).record, record);
    assert.strictEqual((await scan(webp(VP8L, ...junk(255), ourXmpChunk()))).record, undefined);
    const sized = (n: number) => {
      const base = ourXmpChunk(withPrompt('')).readUInt32LE(4);
      const r = withPrompt('x'.repeat(n - base));
      assert.strictEqual(ourXmpChunk(r).readUInt32LE(4), n);
      return r;
    };
    assert.strictEqual((await scan(webp(VP8L, ourXmpChunk(sized(MIB4))))).record?.prompt.length, sized(MIB4).prompt.length);
    assert.strictEqual((await scan(webp(VP8L, ourXmpChunk(sized(MIB4 + 1))))).record, undefined);
  });

  test('GIF and SVG records are read; an SVG larger than 4 MiB is not read for one', async () => {
    const gifBytes = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([3, 0, 2, 0, 0, 0, 0]), Buffer.from([0x3b])]);
    const gif = await scan(Buffer.from(embedRecord(gifBytes, record)));
    assert.deepStrictEqual([gif.format, gif.record, gif.width, gif.height], ['gif', record, 3, 2]);
    // a GIF larger than 4 MiB: its first 4 MiB are read (the record comes first)
    const frames = Buffer.concat([Buffer.from([0x2c, 0, 0, 0, 0, 3, 0, 2, 0, 0, 2]), Buffer.concat(Array.from({ length: 17_000 }, () => Buffer.concat([Buffer.from([255]), Buffer.alloc(255)]))), Buffer.from([0, 0x3b])]);
    const bigGif = Buffer.from(embedRecord(Buffer.concat([gifBytes.subarray(0, 13), frames]), record));
    assert.ok(bigGif.length > MIB4);
    assert.deepStrictEqual((await scan(bigGif)).record, record);
    const svgOf = (size: number) => {
      const shell = (pad: number) => Buffer.from(embedRecord(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><!--${' '.repeat(pad)}--></svg>`), record));
      const out = shell(size - shell(0).length);
      assert.strictEqual(out.length, size);
      return out;
    };
    const svg = await scan(svgOf(MIB4));
    assert.deepStrictEqual([svg.format, svg.record], ['svg', record]);
    const big = await scan(svgOf(MIB4 + 1));
    assert.deepStrictEqual([big.format, big.record], ['svg', undefined]);
  });
});
