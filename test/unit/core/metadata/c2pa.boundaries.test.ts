// C2PA detection (src/core/metadata/c2pa.ts) on files built byte by byte: where a manifest store
// counts (a PNG chunk before IEND, a JPEG APP11 "JP" JUMBF box labelled c2pa within its first
// bytes) and the look-alikes that are not credentials (the label in a comment, in another
// segment, after IEND, past the box header, or in a format that carries none).
import * as assert from 'assert';
import * as zlib from 'node:zlib';
import { hasContentCredentials } from '../../../../src/core/metadata/c2pa';
import { pngChunk as chunk, PNG_SIG as SIG, u32be } from './pngBytes';

const IHDR = chunk('IHDR', Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 6, 0, 0, 0])]));
const IDAT = chunk('IDAT', zlib.deflateSync(Buffer.alloc(5)));
const IEND = chunk('IEND', Buffer.alloc(0));
const png = (...chunks: Buffer[]) => Buffer.concat([SIG, ...chunks]);
/** A JUMBF superbox with its description box labelled c2pa, as C2PA tools write it. */
const JUMBF = Buffer.concat([u32be(40), Buffer.from('jumb'), u32be(32), Buffer.from('jumd'), Buffer.alloc(16), Buffer.from('c2pa\0')]);
const CABX = chunk('caBX', JUMBF);

/** A JPEG: SOI, the segments, then SOS and EOI. */
function jpeg(...segments: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8]), ...segments, Buffer.from([0xff, 0xda, 0x00, 0x02, 0x00, 0xff, 0xd9])]);
}
function segment(marker: number, payload: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([Buffer.from([0xff, marker]), len, payload]);
}
const APP11 = 0xeb;
/** An APP11 payload: common identifier "JP", instance and sequence numbers, then `box`. */
const jp = (box: Buffer) => Buffer.concat([Buffer.from('JP'), Buffer.from([0, 1, 0, 0, 0, 1]), box]);

suite('C2PA detection: what counts as a manifest store', () => {
  test('PNG: a caBX chunk before IEND counts; after IEND, past damage or in a plain or cut file it does not', () => {
    assert.strictEqual(hasContentCredentials(png(IHDR, CABX, IDAT, IEND)), true);
    assert.strictEqual(hasContentCredentials(png(IHDR, IDAT, IEND, CABX)), false, 'after IEND the file has ended');
    assert.strictEqual(hasContentCredentials(png(IHDR, IDAT)), false, 'no caBX and no IEND');
    const damaged = Buffer.concat([u32be(0), Buffer.from([0, 1, 2, 3]), u32be(0)]);
    assert.strictEqual(hasContentCredentials(png(IHDR, damaged, CABX, IEND)), false, 'a chunk type that is no four letters ends the walk');
    assert.strictEqual(hasContentCredentials(png(IHDR, chunk('caBX', Buffer.alloc(0)))), true, 'a whole chunk that ends the file');
    assert.strictEqual(hasContentCredentials(png(IHDR, CABX.subarray(0, 8))), false, 'a chunk cut inside its header is not read');
  });

  test('JPEG: an APP11 "JP" JUMBF box labelled c2pa counts; the label elsewhere does not', () => {
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, jp(JUMBF)))), true);
    assert.strictEqual(hasContentCredentials(jpeg(segment(0xfe, jp(JUMBF)))), false, 'the same bytes in a comment');
    assert.strictEqual(hasContentCredentials(jpeg(segment(0xe1, jp(JUMBF)))), false, 'the same bytes in APP1');
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, Buffer.concat([Buffer.from('XX'), jp(JUMBF).subarray(2)])))), false, 'no "JP" identifier');
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, jp(Buffer.from('c2pa\0c2pa\0'))))), false, 'c2pa without a jumb box');
    assert.strictEqual(hasContentCredentials(jpeg(segment(0xfe, Buffer.from('made with c2pa tools')))), false, 'a comment naming c2pa');
  });

  test('JPEG: the box header within the first 64 bytes and the label within the first 128, inside the segment', () => {
    // 'jumb' ending at byte 64 of the payload counts, at byte 65 it does not.
    const boxAt = (at: number) => jp(Buffer.concat([Buffer.alloc(at - 8 - 4), Buffer.from('jumb'), Buffer.from('c2pa\0')]));
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, boxAt(64)))), true);
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, boxAt(65)))), false);
    // the label 'c2pa' ending at byte 128 counts, at byte 129 it does not (the segment goes on).
    const labelAt = (at: number) => jp(Buffer.concat([Buffer.from('jumb'), Buffer.alloc(at - 8 - 4), Buffer.from('c2pa'), Buffer.alloc(40)]));
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, labelAt(124)))), true);
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, labelAt(125)))), false);
    // the label as the very last bytes of the segment still counts
    assert.strictEqual(hasContentCredentials(jpeg(segment(APP11, jp(Buffer.concat([Buffer.from('jumb'), Buffer.from('c2pa')]))), segment(0xfe, Buffer.from('x')))), true);
    // a short APP11 "JP" segment does not borrow the box or the label from the segment after it
    const short = segment(APP11, jp(Buffer.alloc(4)));
    assert.strictEqual(hasContentCredentials(jpeg(short, segment(0xfe, Buffer.from('jumb c2pa')))), false);
  });

  test('GIF, SVG and unknown bytes never carry credentials', () => {
    assert.strictEqual(hasContentCredentials(Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(7), Buffer.from([0x3b]), JUMBF])), false);
    assert.strictEqual(hasContentCredentials(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><desc>jumb c2pa caBX</desc></svg>')), false);
    assert.strictEqual(hasContentCredentials(Buffer.concat([Buffer.from('caBX'), JUMBF])), false);
  });
});
