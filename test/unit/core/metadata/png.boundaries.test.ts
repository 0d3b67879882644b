// The PNG container (src/core/metadata/png.ts) on files built chunk by chunk here, in the cases
// mutation testing found unpinned: damage after the record, text chunks without their
// terminators, the inflate bound, the CRC-32 table on a runtime without zlib.crc32, and the ICC
// profile chunk that prepared inputs carry.
import * as assert from 'assert';
import * as zlib from 'node:zlib';
import { readRecord, readRecordText } from '../../../../src/core/metadata';
import { MetadataError } from '../../../../src/core/metadata/error';
import { pngTexts, withPngIccProfile, withPngText } from '../../../../src/core/metadata/png';
import { type GenerationRecord, RECORD_KEY } from '../../../../src/core/record';
import { sampleRecord } from './sampleRecord';
import { pngChunk as chunk, PNG_SIG as SIG, u32be } from './pngBytes';

const record: GenerationRecord = sampleRecord;
const json = JSON.stringify(record);

const IHDR = chunk('IHDR', Buffer.concat([u32be(2), u32be(2), Buffer.from([8, 6, 0, 0, 0])]));
const IDAT = chunk('IDAT', zlib.deflateSync(Buffer.alloc(18)));
const IEND = chunk('IEND', Buffer.alloc(0));
const png = (...chunks: Buffer[]) => Buffer.concat([SIG, ...chunks]);
/** Our iTXt chunk: keyword, flag, method, empty language and translated keyword, text. */
const ours = (text: Buffer, flag = 0) => chunk('iTXt', Buffer.concat([Buffer.from(`${RECORD_KEY}\0`, 'latin1'), Buffer.from([flag, 0, 0, 0]), text]));

/** The chunk types of a PNG, in order. */
function types(b: Uint8Array): string[] {
  const buf = Buffer.from(b);
  const out: string[] = [];
  for (let pos = 8; pos + 12 <= buf.length; ) {
    const type = buf.toString('latin1', pos + 4, pos + 8);
    out.push(type);
    pos += 12 + buf.readUInt32BE(pos);
    if (type === 'IEND') break;
  }
  return out;
}

function damaged(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof MetadataError && pattern.test(err.message));
}

suite('PNG container: reading up to the damage', () => {
  test('a record before a damaged chunk header or a truncated chunk is still read', () => {
    const record1 = ours(Buffer.from(json));
    const badHeader = Buffer.concat([u32be(4), Buffer.from('12#4', 'latin1'), Buffer.alloc(8)]);
    const cut = Buffer.concat([u32be(1000), Buffer.from('IDAT', 'latin1'), Buffer.alloc(20)]);
    for (const [name, tail] of [['bad chunk header', badHeader], ['truncated chunk', cut]] as const) {
      const file = png(IHDR, record1, tail);
      assert.deepStrictEqual(readRecord(file), record, name);
      assert.deepStrictEqual([...pngTexts(file, RECORD_KEY)], [json], name);
    }
  });

  test('a text chunk without its two terminators holds no text, and the next chunk is read', () => {
    const noLang = chunk('iTXt', Buffer.from(`${RECORD_KEY}\0\0\0no terminators`, 'latin1'));
    const noKey = chunk('iTXt', Buffer.from(`${RECORD_KEY}\0\0\0en\0no keyword end`, 'latin1'));
    for (const bad of [noLang, noKey]) {
      assert.strictEqual(readRecordText(png(IHDR, bad, IDAT, IEND)), undefined);
      assert.strictEqual(readRecordText(png(IHDR, bad, ours(Buffer.from('{"v":7}')), IDAT, IEND)), '{"v":7}');
    }
  });

  test('a text that is not UTF-8 is passed over: the text shown is the next one', () => {
    assert.strictEqual(readRecordText(png(IHDR, ours(Buffer.from([0xc3, 0x28])), ours(Buffer.from('not json')), IDAT, IEND)), 'not json');
  });

  test('a compressed text may inflate to 16 MiB, not one byte more (decompression bombs)', () => {
    const max = 16 * 1024 * 1024;
    const padded = (n: number) => Buffer.from(json + ' '.repeat(n - json.length));
    assert.deepStrictEqual(readRecord(png(IHDR, ours(zlib.deflateSync(padded(max), { level: 1 }), 1), IDAT, IEND)), record, 'exactly 16 MiB');
    const bomb = png(IHDR, ours(zlib.deflateSync(padded(max + 1), { level: 1 }), 1), ours(Buffer.from(json)), IDAT, IEND);
    assert.strictEqual(readRecord(bomb), undefined, 'one byte more: refused, and reading stops there');
  });
});

suite('PNG container: writing the text', () => {
  test('an older record chunk of the keyword alone is dropped too', () => {
    const bare = chunk('iTXt', Buffer.from(`${RECORD_KEY}\0`, 'latin1'));
    const out = withPngText(png(IHDR, bare, IDAT, IEND), RECORD_KEY, json);
    assert.deepStrictEqual(types(out), ['IHDR', 'iTXt', 'IDAT', 'IEND']);
    assert.deepStrictEqual([...pngTexts(out, RECORD_KEY)], [json]);
  });

  test('a 13-byte first chunk that is not IHDR is refused', () => {
    const notIhdr = chunk('tEXt', Buffer.from('Title\0abcdefg', 'latin1'));
    damaged(() => withPngText(png(notIhdr, IDAT, IEND), RECORD_KEY, json), /^Damaged PNG: the first chunk is not a valid IHDR\.$/);
  });
});

suite('PNG container: the CRC-32 table (a runtime without zlib.crc32)', () => {
  test('a fresh load of the module without zlib.crc32 writes the same chunks and finds the same damage', () => {
    const z = require('node:zlib') as { crc32?: (d: Uint8Array) => number };
    const id = require.resolve('../../../../src/core/metadata/png');
    const cached = require.cache[id];
    const native = z.crc32;
    const file = png(IHDR, IDAT, IEND);
    const long = 'a lighthouse, '.repeat(200);
    const colour = png(IHDR, ...['sRGB', 'gAMA', 'cHRM', 'cICP', 'iCCP'].map((t) => chunk(t, Buffer.alloc(4))), IDAT, IEND);
    const badIdat = png(IHDR, chunk('IDAT', zlib.deflateSync(Buffer.alloc(18)), 7), IEND);
    let viaTable: Uint8Array[];
    try {
      z.crc32 = undefined;
      delete require.cache[id];
      const fresh = require(id) as typeof import('../../../../src/core/metadata/png');
      viaTable = [fresh.withPngText(file, RECORD_KEY, json), fresh.withPngText(file, RECORD_KEY, long), fresh.withPngIccProfile(colour, Buffer.from('profile'))];
      assert.deepStrictEqual(types(viaTable[2]), ['IHDR', 'iCCP', 'IDAT', 'IEND'], 'the colour-space chunks are replaced on this load too');
      assert.deepStrictEqual([...fresh.pngTexts(viaTable[1], RECORD_KEY)], [long]);
      damaged(() => fresh.withPngText(badIdat, RECORD_KEY, json), /CRC mismatch in the IDAT chunk/);
    } finally {
      z.crc32 = native;
      if (cached) require.cache[id] = cached;
    }
    const viaZlib = [withPngText(file, RECORD_KEY, json), withPngText(file, RECORD_KEY, long), withPngIccProfile(colour, Buffer.from('profile'))];
    viaTable.forEach((b, i) => assert.ok(Buffer.from(b).equals(Buffer.from(viaZlib[i])), `file ${i}`));
  });
});

suite('PNG container: the ICC profile chunk', () => {
  const profile = Buffer.from('a colour profile, not a real one');
  const iccpOf = (b: Uint8Array) => {
    const buf = Buffer.from(b);
    const at = buf.indexOf('iCCP');
    return buf.subarray(at + 4, at + 4 + buf.readUInt32BE(at - 4));
  };

  test('goes right after IHDR, replaces every colour-space chunk, keeps the rest and the bytes after IEND', () => {
    const colour = ['sRGB', 'gAMA', 'cHRM', 'cICP', 'iCCP'].map((t) => chunk(t, Buffer.alloc(4)));
    const text = chunk('tEXt', Buffer.from('k\0v', 'latin1'));
    const out = withPngIccProfile(png(IHDR, ...colour, text, IDAT, IEND, Buffer.from('tail')), profile);
    assert.deepStrictEqual(types(out), ['IHDR', 'iCCP', 'tEXt', 'IDAT', 'IEND']);
    assert.ok(Buffer.from(out).subarray(-4).equals(Buffer.from('tail')));
    const data = iccpOf(out);
    assert.strictEqual(data.toString('latin1', 0, data.indexOf(0)), 'ICC profile');
    assert.strictEqual(data[data.indexOf(0) + 1], 0, 'compression method 0');
    assert.ok(zlib.inflateSync(data.subarray(data.indexOf(0) + 2)).equals(profile));
  });

  test('the profile name is cut to 79 bytes (the PNG limit)', () => {
    const data = iccpOf(withPngIccProfile(png(IHDR, IDAT, IEND), profile, 'n'.repeat(100)));
    assert.strictEqual(data.indexOf(0), 79);
  });

  test('a damaged PNG is refused, not cut short', () => {
    damaged(() => withPngIccProfile(png(IHDR, IDAT), profile), /^Damaged PNG: the file is truncated \(no IEND chunk/);
    damaged(() => withPngIccProfile(png(IDAT, IEND), profile), /^Damaged PNG: the first chunk is not a valid IHDR\.$/);
    damaged(() => withPngIccProfile(png(chunk('IHDR', Buffer.alloc(12)), IDAT, IEND), profile), /not a valid IHDR/);
    damaged(() => withPngIccProfile(png(chunk('tEXt', Buffer.alloc(13)), IDAT, IEND), profile), /not a valid IHDR/);
  });
});
