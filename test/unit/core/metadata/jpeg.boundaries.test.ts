// The JPEG container (src/core/metadata/jpeg.ts) on files built segment by segment here, in the
// cases mutation testing found unpinned: which APP segments are XMP, a foreign packet that is not
// the first segment, scan bytes that look like an end marker, and the APP1 size limit.
import * as assert from 'assert';
import { embedRecord, readRecord } from '../../../../src/core/metadata';
import { MetadataError } from '../../../../src/core/metadata/error';
import { JPEG_XMP_ROOM, jpegXmpPackets, withJpegXmp } from '../../../../src/core/metadata/jpeg';
import { XMP_NAMESPACE, xmpPacket } from '../../../../src/core/metadata/xmp';
import { type GenerationRecord } from '../../../../src/core/record';
import { sampleRecord } from './sampleRecord';

const record: GenerationRecord = sampleRecord;

const XMP_SIG = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
const xmpSegment = (packet: string | Buffer, marker = 0xe1) => segment(marker, Buffer.concat([XMP_SIG, typeof packet === 'string' ? Buffer.from(packet, 'utf8') : packet]));
const APP0 = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
const SOS = segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));
const SCAN = Buffer.from([0x12, 0xff, 0x00, 0x34, 0x56]);
const EOI = Buffer.from([0xff, 0xd9]);
const jpeg = (...headers: Buffer[]) => Buffer.concat([Buffer.from([0xff, 0xd8]), ...headers, SOS, SCAN, EOI]);

const FOREIGN =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Kept</dc:title></rdf:Description>' +
  '</rdf:RDF></x:xmpmeta>';

/** The payloads of the APP segments carrying the XMP signature, with their markers. */
function xmpLike(b: Uint8Array): { marker: number; packet: string }[] {
  const buf = Buffer.from(b);
  const out: { marker: number; packet: string }[] = [];
  for (let pos = 2; buf[pos] === 0xff && buf[pos + 1] !== 0xda; ) {
    const len = buf.readUInt16BE(pos + 2);
    const payload = buf.subarray(pos + 4, pos + 2 + len);
    if (payload.subarray(0, XMP_SIG.length).equals(XMP_SIG)) out.push({ marker: buf[pos + 1], packet: payload.subarray(XMP_SIG.length).toString('utf8') });
    pos += 2 + len;
  }
  return out;
}

suite('JPEG container: which segments hold XMP', () => {
  test('only APP1 is XMP: the signature in APP2 is neither read nor replaced', () => {
    const recordPacket = xmpPacket(undefined, JSON.stringify(record));
    const app2 = xmpSegment(recordPacket, 0xe2);
    const file = jpeg(APP0, app2);
    assert.strictEqual(readRecord(file), undefined);
    assert.deepStrictEqual([...jpegXmpPackets(file)], []);
    const out = embedRecord(file, { ...record, prompt: 'new' });
    assert.ok(Buffer.from(out).includes(app2), 'the APP2 segment is kept byte for byte');
    assert.deepStrictEqual(xmpLike(out).map((s) => s.marker), [0xe1, 0xe2]);
    assert.strictEqual(readRecord(out)?.prompt, 'new');
  });

  test('an APP1 of the signature alone is an empty XMP packet: replaced, not kept beside the new one', () => {
    const out = embedRecord(jpeg(APP0, xmpSegment('')), record);
    assert.strictEqual(xmpLike(out).length, 1);
    assert.deepStrictEqual(readRecord(out), record);
  });

  test('a foreign packet after APP0 is the one merged into, and a later valid packet is read past a broken one', () => {
    const out = embedRecord(jpeg(APP0, xmpSegment(FOREIGN)), record);
    const packets = xmpLike(out);
    assert.strictEqual(packets.length, 1);
    assert.ok(packets[0].packet.includes('<dc:title>Kept</dc:title>'), 'the foreign property is kept');
    assert.ok(packets[0].packet.includes(XMP_NAMESPACE));
    const broken = xmpSegment(Buffer.from([0xc3, 0x28]));
    assert.deepStrictEqual(readRecord(jpeg(APP0, broken, xmpSegment(xmpPacket(undefined, JSON.stringify(record))))), record);
  });
});

suite('JPEG container: the end of the image and the segment size', () => {
  test('a D9 byte in the scan data is not an end marker: a file cut there is truncated', () => {
    const cut = Buffer.concat([Buffer.from([0xff, 0xd8]), APP0, SOS, Buffer.from([0x12, 0xd9, 0x34, 0xd9, 0x00])]);
    assert.throws(() => embedRecord(cut, record), (e: unknown) => e instanceof MetadataError && /no end-of-image marker/.test(e.message));
  });

  test(`a packet of ${JPEG_XMP_ROOM} bytes fits in the APP1 segment; one byte more is refused`, () => {
    const file = jpeg(APP0);
    const fits = withJpegXmp(file, () => 'x'.repeat(JPEG_XMP_ROOM));
    const at = Buffer.from(fits).indexOf(XMP_SIG) - 4;
    assert.strictEqual(Buffer.from(fits).readUInt16BE(at + 2), 0xffff, 'the largest segment length');
    assert.throws(
      () => withJpegXmp(file, () => 'x'.repeat(JPEG_XMP_ROOM + 1)),
      (e: unknown) => e instanceof MetadataError && e.message === `The XMP packet (${JPEG_XMP_ROOM + 1} bytes) does not fit in a JPEG APP1 segment (${JPEG_XMP_ROOM} bytes at most).`,
    );
  });
});
