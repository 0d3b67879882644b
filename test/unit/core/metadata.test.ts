import * as assert from 'assert';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { embedRecord, MetadataError, readRecord, type StoredRecord, XMP_NAMESPACE } from '../../../src/core/metadata';
import { detectImageFormat, readImageSize } from '../../../src/shared/imageFormat';
import { type GenerationRecord, RECORD_KEY } from '../../../src/core/record';

// ---- fixtures -------------------------------------------------------------------------------

/** Deterministic noise, so that encoders produce realistic (not trivially small) files. */
function noise(width: number, height: number, channels: 1 | 2 | 3 | 4, seed = 1): Buffer {
  const out = Buffer.alloc(width * height * channels);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // Smooth gradient plus some noise; alpha varies so that transparency really matters.
    out[i] = ((i % (width * channels)) * 3 + (s >>> 27)) & 0xff;
  }
  return out;
}

function raw(width: number, height: number, channels: 3 | 4, seed?: number): sharp.Sharp {
  return sharp(noise(width, height, channels, seed), { raw: { width, height, channels } });
}

const FOREIGN_XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Somebody Else</rdf:li></rdf:Seq></dc:creator></rdf:Description>' +
  '</rdf:RDF></x:xmpmeta>';

/** A JFIF APP0 segment inserted right after SOI (sharp's encoder writes none). */
function withJfif(jpeg: Buffer): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}

type Fixture = { name: string; format: 'png' | 'jpeg' | 'webp'; bytes: Buffer; width: number; height: number };

async function makeFixtures(): Promise<Fixture[]> {
  const list: [string, 'png' | 'jpeg' | 'webp', Promise<Buffer>][] = [
    ['PNG RGBA', 'png', raw(61, 37, 4).png().toBuffer()],
    ['PNG RGB', 'png', raw(64, 48, 3).png().toBuffer()],
    ['PNG palette', 'png', raw(33, 17, 3).png({ palette: true, colours: 16 }).toBuffer()],
    ['PNG with foreign XMP', 'png', raw(20, 20, 4).png().withXmp(FOREIGN_XMP).toBuffer()],
    ['JPEG bare (no JFIF, no Exif)', 'jpeg', raw(65, 47, 3).jpeg({ quality: 80 }).toBuffer()],
    ['JPEG with JFIF', 'jpeg', raw(65, 47, 3).jpeg({ quality: 80 }).toBuffer().then(withJfif)],
    ['JPEG with Exif', 'jpeg', raw(40, 30, 3).jpeg().withExif({ IFD0: { Copyright: 'Someone', Artist: 'Somebody' } }).toBuffer()],
    ['JPEG with JFIF and Exif', 'jpeg', raw(40, 30, 3).jpeg().withExif({ IFD0: { Copyright: 'Someone' } }).toBuffer().then(withJfif)],
    ['JPEG progressive with foreign XMP', 'jpeg', raw(50, 50, 3).jpeg({ progressive: true }).withXmp(FOREIGN_XMP).toBuffer()],
    ['WebP lossy (VP8)', 'webp', raw(63, 41, 3).webp({ quality: 70 }).toBuffer()],
    ['WebP lossless (VP8L)', 'webp', raw(63, 41, 3).webp({ lossless: true }).toBuffer()],
    ['WebP lossless with alpha (VP8L)', 'webp', raw(31, 29, 4).webp({ lossless: true }).toBuffer()],
    ['WebP lossy with alpha (VP8X + ALPH)', 'webp', raw(31, 29, 4).webp({ quality: 70 }).toBuffer()],
    ['WebP with Exif and foreign XMP (VP8X)', 'webp', raw(24, 24, 3).webp().withExif({ IFD0: { Copyright: 'Someone' } }).withXmp(FOREIGN_XMP).toBuffer()],
  ];
  const out: Fixture[] = [];
  for (const [name, format, p] of list) {
    const bytes = await p;
    const m = await sharp(bytes).metadata();
    out.push({ name, format, bytes, width: m.width!, height: m.height! });
  }
  return out;
}

function makeRecord(extra: Partial<GenerationRecord> = {}): GenerationRecord {
  return {
    v: 1,
    operation: 'generate',
    prompt: '一只戴贝雷帽的海獭，水彩风格 🦦🎨 "quoted" <tag> & ampersand \\ backslash\nnew line',
    revisedPrompt: 'A watercolor sea otter wearing a red beret 🦦',
    model: 'gpt-image-1.5',
    options: { size: '1024x1024', quality: 'high', background: 'transparent', n: 2, stream: false },
    provider: { kind: 'openai', baseUrl: 'https://api.openai.com/v1' },
    createdAt: '2026-11-23T14:25:01.000Z',
    requestId: 'req_123',
    index: 1,
    count: 2,
    tool: 'pixelwright 0.1.0',
    ...extra,
  };
}

async function pixels(bytes: Uint8Array): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  return sharp(bytes).raw().toBuffer({ resolveWithObject: true });
}

async function assertSamePixels(before: Uint8Array, after: Uint8Array, what: string): Promise<void> {
  const a = await pixels(before);
  const b = await pixels(after);
  assert.deepStrictEqual(
    { w: b.info.width, h: b.info.height, c: b.info.channels },
    { w: a.info.width, h: a.info.height, c: a.info.channels },
    `${what}: same geometry and channels`,
  );
  assert.ok(a.data.equals(b.data), `${what}: same pixels`);
}

// ---- container walkers (independent of the module under test) -------------------------------

function pngChunkList(b: Uint8Array): { type: string; data: Buffer }[] {
  const buf = Buffer.from(b);
  const out: { type: string; data: Buffer }[] = [];
  for (let pos = 8; pos + 12 <= buf.length; ) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    assert.strictEqual(buf.readUInt32BE(pos + 8 + len), zlib.crc32(buf.subarray(pos + 4, pos + 8 + len)), `CRC of ${type}`);
    out.push({ type, data });
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  return out;
}

function jpegSegmentList(b: Uint8Array): { marker: number; data: Buffer }[] {
  const buf = Buffer.from(b);
  assert.strictEqual(buf.readUInt16BE(0), 0xffd8);
  const out: { marker: number; data: Buffer }[] = [];
  for (let pos = 2; pos < buf.length; ) {
    assert.strictEqual(buf[pos], 0xff, `marker at ${pos}`);
    const marker = buf[pos + 1];
    if (marker === 0xda) break;
    const len = buf.readUInt16BE(pos + 2);
    out.push({ marker, data: buf.subarray(pos + 4, pos + 2 + len) });
    pos += 2 + len;
  }
  return out;
}

const XMP_SIG = 'http://ns.adobe.com/xap/1.0/\0';
const isXmpApp1 = (s: { marker: number; data: Buffer }) => s.marker === 0xe1 && s.data.toString('latin1', 0, XMP_SIG.length) === XMP_SIG;

function riffChunkList(b: Uint8Array): { fourcc: string; offset: number; data: Buffer }[] {
  const buf = Buffer.from(b);
  assert.strictEqual(buf.toString('latin1', 0, 4), 'RIFF');
  assert.strictEqual(buf.readUInt32LE(4) + 8, buf.length, 'RIFF size matches the file');
  const out: { fourcc: string; offset: number; data: Buffer }[] = [];
  let pos = 12;
  while (pos < buf.length) {
    assert.strictEqual(pos % 2, 0, 'chunks start at even offsets');
    const size = buf.readUInt32LE(pos + 4);
    out.push({ fourcc: buf.toString('latin1', pos, pos + 4), offset: pos, data: buf.subarray(pos + 8, pos + 8 + size) });
    pos += 8 + size + (size & 1);
  }
  assert.strictEqual(pos, buf.length, 'chunks fill the RIFF exactly (padding included)');
  return out;
}

function assertThrowsClearly(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MetadataError, `a MetadataError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

// ---- tests ----------------------------------------------------------------------------------

suite('image metadata: generation record', function () {
  this.timeout(60000);
  let fixtures: Fixture[] = [];
  let gif: Buffer;

  suiteSetup(async () => {
    fixtures = await makeFixtures();
    gif = await raw(12, 9, 3).gif().toBuffer();
  });

  const fixture = (name: string) => fixtures.find((f) => f.name === name)!;

  test('detectImageFormat by magic bytes', () => {
    for (const f of fixtures) assert.strictEqual(detectImageFormat(f.bytes), f.format, f.name);
    assert.strictEqual(detectImageFormat(gif), 'gif');
    assert.strictEqual(detectImageFormat(new Uint8Array()), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from('hello world, not an image')), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), undefined);
    assert.strictEqual(detectImageFormat(Buffer.from([0x89, 0x50, 0x4e])), undefined);
  });

  test('readImageSize on PNG, JPEG, WebP and GIF', () => {
    for (const f of fixtures) assert.deepStrictEqual(readImageSize(f.bytes), { width: f.width, height: f.height }, f.name);
    assert.deepStrictEqual(readImageSize(gif), { width: 12, height: 9 });
    assert.strictEqual(readImageSize(Buffer.from('nope')), undefined);
    assert.strictEqual(readImageSize(fixture('PNG RGB').bytes.subarray(0, 20)), undefined);
    assert.strictEqual(readImageSize(fixture('JPEG with Exif').bytes.subarray(0, 40)), undefined);
  });

  test('readImageSize reads large WebP canvases and sizes after embedding', async () => {
    for (const opts of [{ lossless: true }, { quality: 50 }]) {
      const big = await sharp({ create: { width: 1500, height: 1001, channels: 3, background: '#3366aa' } }).webp(opts).toBuffer();
      assert.deepStrictEqual(readImageSize(big), { width: 1500, height: 1001 });
      assert.deepStrictEqual(readImageSize(embedRecord(big, makeRecord())), { width: 1500, height: 1001 });
    }
  });

  test('no record in images that were never given one (foreign metadata is ignored)', () => {
    for (const f of fixtures) assert.strictEqual(readRecord(f.bytes), undefined, f.name);
    assert.strictEqual(readRecord(gif), undefined);
  });

  test('every kind of image: the record reads back equal and the pixels are untouched', async () => {
    const record = makeRecord();
    for (const f of fixtures) {
      const input = Buffer.from(f.bytes);
      const out = embedRecord(f.bytes, record);
      assert.ok(input.equals(f.bytes), `${f.name}: the input is not modified`);
      assert.strictEqual(detectImageFormat(out), f.format, f.name);
      assert.deepStrictEqual(readRecord(out), record, f.name);
      assert.deepStrictEqual(readImageSize(out), { width: f.width, height: f.height }, f.name);
      await assertSamePixels(f.bytes, out, f.name);
      const meta = await sharp(out).metadata();
      assert.strictEqual(meta.format, f.format === 'jpeg' ? 'jpeg' : f.format, f.name);
      assert.strictEqual(meta.hasAlpha, (await sharp(f.bytes).metadata()).hasAlpha, `${f.name}: alpha kept`);
      if (f.format === 'png') {
        const comment = meta.comments?.find((c) => c.keyword === RECORD_KEY);
        assert.ok(comment, `${f.name}: libpng sees the iTXt chunk`);
        assert.deepStrictEqual(JSON.parse(comment.text), record);
      } else {
        const xmp = meta.xmp?.toString('utf8') ?? '';
        assert.ok(xmp.includes(`xmlns:${RECORD_KEY}="${XMP_NAMESPACE}"`), `${f.name}: libvips sees the XMP packet`);
        assert.ok(xmp.includes(`<${RECORD_KEY}:record>`), f.name);
      }
    }
  });

  test('re-embedding replaces the record: one copy, the newest, and same bytes for the same record', () => {
    const first = makeRecord({ prompt: 'first 第一' });
    const { revisedPrompt: _dropped, ...second } = makeRecord({ prompt: 'second 第二' });
    for (const f of fixtures) {
      const once = embedRecord(f.bytes, first);
      const twice = embedRecord(once, second);
      assert.deepStrictEqual(readRecord(twice), second, f.name);
      assert.ok(Buffer.from(embedRecord(once, first)).equals(once), `${f.name}: embedding the same record again changes nothing`);
      assert.ok(Buffer.from(embedRecord(twice, first)).equals(once), `${f.name}: and going back gives the first file back`);
      const text = Buffer.from(twice).toString('latin1');
      if (f.format === 'png') {
        assert.strictEqual(pngChunkList(twice).filter((c) => c.type === 'iTXt' && c.data.toString('latin1').startsWith(RECORD_KEY + '\0')).length, 1, f.name);
      } else {
        assert.strictEqual(text.split(`<${RECORD_KEY}:record>`).length - 1, 1, `${f.name}: one record`);
        assert.strictEqual(text.split('first').length - 1, 0, `${f.name}: old record gone`);
      }
      if (f.format === 'jpeg') assert.strictEqual(jpegSegmentList(twice).filter(isXmpApp1).length, 1, f.name);
      if (f.format === 'webp') assert.strictEqual(riffChunkList(twice).filter((c) => c.fourcc === 'XMP ').length, 1, f.name);
    }
  });

  test('PNG: one iTXt chunk right after IHDR, UTF-8, compressed when large', async () => {
    const f = fixture('PNG RGBA');
    const small = pngChunkList(embedRecord(f.bytes, makeRecord()));
    assert.deepStrictEqual(small.slice(0, 2).map((c) => c.type), ['IHDR', 'iTXt']);
    const itxt = small[1].data;
    const head = Buffer.from(`${RECORD_KEY}\0`, 'latin1');
    assert.ok(itxt.subarray(0, head.length).equals(head));
    assert.strictEqual(itxt[head.length], 0, 'small text is stored uncompressed');
    assert.deepStrictEqual(JSON.parse(itxt.subarray(head.length + 4).toString('utf8')), makeRecord());
    assert.ok(small.findIndex((c) => c.type === 'iTXt') < small.findIndex((c) => c.type === 'IDAT'));

    const big = makeRecord({ prompt: '海獭'.repeat(20000), revisedPrompt: 'otter '.repeat(5000) });
    const out = embedRecord(f.bytes, big);
    const chunk = pngChunkList(out)[1];
    assert.strictEqual(chunk.data[head.length], 1, 'large text is zlib-compressed');
    assert.ok(out.length < f.bytes.length + 10000, 'and it is small');
    assert.deepStrictEqual(readRecord(out), big, 'no truncation in PNG');
    assert.deepStrictEqual(JSON.parse((await sharp(out).metadata()).comments!.find((c) => c.keyword === RECORD_KEY)!.text), big);
    await assertSamePixels(f.bytes, out, 'PNG with a big record');
  });

  test('PNG: foreign text chunks and bytes after IEND are kept', () => {
    const f = fixture('PNG with foreign XMP');
    const before = pngChunkList(f.bytes).map((c) => c.type);
    const out = embedRecord(Buffer.concat([f.bytes, Buffer.from('trailer')]), makeRecord());
    const after = pngChunkList(out).map((c) => c.type);
    assert.deepStrictEqual(after, [before[0], 'iTXt', ...before.slice(1)]);
    const xmpChunk = pngChunkList(f.bytes).find((c) => c.data.toString('latin1').startsWith('XML:com.adobe.xmp\0'));
    assert.ok(xmpChunk, 'the fixture has a foreign XMP chunk');
    assert.ok(pngChunkList(out).some((c) => c.data.equals(xmpChunk.data)), 'kept byte for byte');
    assert.ok(Buffer.from(out).subarray(-7).equals(Buffer.from('trailer')));
  });

  test('JPEG: XMP APP1 after SOI, APP0 (JFIF) and APP1 (Exif); Exif survives', async () => {
    const expectOrder: Record<string, number[]> = {
      // name: leading markers expected, ending with the XMP APP1
      'JPEG bare (no JFIF, no Exif)': [0xe1],
      'JPEG with JFIF': [0xe0, 0xe1],
      'JPEG with Exif': [0xe1, 0xe1],
      'JPEG with JFIF and Exif': [0xe0, 0xe1, 0xe1],
    };
    for (const [name, markers] of Object.entries(expectOrder)) {
      const f = fixture(name);
      const out = embedRecord(f.bytes, makeRecord());
      const segs = jpegSegmentList(out);
      assert.deepStrictEqual(segs.slice(0, markers.length).map((s) => s.marker), markers, name);
      assert.ok(isXmpApp1(segs[markers.length - 1]), `${name}: XMP comes last of the leading APPn`);
      const original = jpegSegmentList(f.bytes);
      assert.deepStrictEqual(
        segs.filter((s) => !isXmpApp1(s)).map((s) => s.data.toString('hex')),
        original.map((s) => s.data.toString('hex')),
        `${name}: every other segment kept, in order`,
      );
      if (name.includes('with') && name.includes('Exif')) {
        const m = await sharp(out).metadata();
        assert.ok(m.exif && m.exif.toString('latin1').includes('Someone'), `${name}: Exif still read`);
      }
    }
  });

  test('JPEG and WebP: a foreign XMP packet is kept, with the record merged into it', async () => {
    for (const name of ['JPEG progressive with foreign XMP', 'WebP with Exif and foreign XMP (VP8X)']) {
      const f = fixture(name);
      const once = embedRecord(f.bytes, makeRecord({ prompt: 'one' }));
      const out = embedRecord(once, makeRecord());
      const xmp = (await sharp(out).metadata()).xmp!.toString('utf8');
      assert.ok(xmp.includes('<rdf:li>Somebody Else</rdf:li>'), `${name}: foreign property kept`);
      assert.strictEqual(xmp.split(`<${RECORD_KEY}:record>`).length, 2, `${name}: exactly one record`);
      assert.deepStrictEqual(readRecord(out), makeRecord(), name);
      await assertSamePixels(f.bytes, out, name);
    }
  });

  test('XMP written by other tools is read: attribute form, other prefix, entities', () => {
    const json = JSON.stringify(makeRecord());
    const esc = json.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const packet =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
      `<rdf:Description rdf:about="" xmlns:pw='${XMP_NAMESPACE}' pw:record="${esc}"/></rdf:RDF></x:xmpmeta>`;
    const body = Buffer.concat([Buffer.from(XMP_SIG, 'latin1'), Buffer.from(packet, 'utf8')]);
    const seg = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
    const jpeg = fixture('JPEG bare (no JFIF, no Exif)').bytes;
    const withAttr = Buffer.concat([jpeg.subarray(0, 2), seg, jpeg.subarray(2)]);
    assert.deepStrictEqual(readRecord(withAttr), makeRecord());
    // ...and replaced (not duplicated) by embedRecord.
    const replaced = embedRecord(withAttr, makeRecord({ prompt: 'new' }));
    assert.strictEqual(readRecord(replaced)?.prompt, 'new');
    const text = Buffer.from(replaced).toString('utf8');
    assert.ok(!text.includes('pw:record'), 'the old attribute is gone');
    assert.strictEqual(jpegSegmentList(replaced).filter(isXmpApp1).length, 1);
  });

  test('WebP: simple VP8/VP8L become VP8X with the right canvas, flags, RIFF size and padding', async () => {
    const cases: [string, boolean][] = [
      ['WebP lossy (VP8)', false],
      ['WebP lossless (VP8L)', false],
      ['WebP lossless with alpha (VP8L)', true],
      ['WebP lossy with alpha (VP8X + ALPH)', true],
      ['WebP with Exif and foreign XMP (VP8X)', false],
    ];
    for (const [name, alpha] of cases) {
      const f = fixture(name);
      const before = riffChunkList(f.bytes);
      // Two prompts one byte apart: one of the two XMP chunks has an odd size and needs a pad byte.
      for (const prompt of ['odd or even', 'odd or even!']) {
        const out = embedRecord(f.bytes, makeRecord({ prompt }));
        const chunks = riffChunkList(out);
        assert.strictEqual(chunks[0].fourcc, 'VP8X', name);
        const vp8x = chunks[0].data;
        assert.strictEqual(vp8x.length, 10);
        assert.ok(vp8x[0] & 0x04, `${name}: XMP flag`);
        assert.strictEqual(!!(vp8x[0] & 0x10), alpha, `${name}: alpha flag`);
        assert.strictEqual(!!(vp8x[0] & 0x08), before.some((c) => c.fourcc === 'EXIF'), `${name}: EXIF flag`);
        assert.strictEqual(vp8x.readUIntLE(4, 3) + 1, f.width);
        assert.strictEqual(vp8x.readUIntLE(7, 3) + 1, f.height);
        const xmpAt = chunks.findIndex((c) => c.fourcc === 'XMP ');
        const imageAt = chunks.findIndex((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L');
        assert.ok(xmpAt > imageAt, `${name}: XMP after the image data`);
        for (const c of before.filter((c) => c.fourcc !== 'VP8X' && c.fourcc !== 'XMP ')) {
          assert.ok(chunks.some((d) => d.fourcc === c.fourcc && d.data.equals(c.data)), `${name}: ${c.fourcc} kept as it was`);
        }
        assert.deepStrictEqual(readRecord(out)?.prompt, prompt);
        await assertSamePixels(f.bytes, out, `${name} / ${prompt}`);
      }
    }
  });

  test('JPEG: a record too large for one APP1 segment is shortened, marked, and the file stays valid', async () => {
    const f = fixture('JPEG with JFIF and Exif');
    // revisedPrompt alone too large: only it is cut.
    const r1 = makeRecord({ prompt: '海獭 & <otter> "quoted"', revisedPrompt: '水彩画的海獭 "&<>" '.repeat(6000) });
    const out1 = embedRecord(f.bytes, r1);
    const got1 = readRecord(out1) as StoredRecord;
    assert.deepStrictEqual(got1.truncated, ['revisedPrompt']);
    assert.strictEqual(got1.prompt, r1.prompt);
    assert.ok(r1.revisedPrompt!.startsWith(got1.revisedPrompt!) && got1.revisedPrompt!.length > 1000);
    const seg1 = jpegSegmentList(out1).find(isXmpApp1)!;
    assert.ok(seg1.data.length <= 65533 && seg1.data.length > 65533 - 200, `segment filled (${seg1.data.length} bytes)`);
    await assertSamePixels(f.bytes, out1, 'JPEG with a shortened record');
    assert.ok((await sharp(out1).metadata()).xmp!.length > 60000);

    // The prompt too large as well: revisedPrompt dropped, prompt cut at a code point (no half emoji).
    const r2 = makeRecord({ prompt: '🦦海'.repeat(30000), revisedPrompt: 'x'.repeat(70000) });
    const out2 = embedRecord(f.bytes, r2);
    const got2 = readRecord(out2) as StoredRecord;
    assert.deepStrictEqual(got2.truncated, ['revisedPrompt', 'prompt']);
    assert.strictEqual(got2.revisedPrompt, undefined);
    assert.ok(r2.prompt.startsWith(got2.prompt) && got2.prompt.length > 10000);
    assert.ok(!/[\uD800-\uDBFF]$/.test(got2.prompt), 'no lone high surrogate at the cut');
    assert.strictEqual(got2.model, r2.model);
    assert.ok(jpegSegmentList(out2).find(isXmpApp1)!.data.length <= 65533);
    await assertSamePixels(f.bytes, out2, 'JPEG with a shortened prompt');

    // WebP and PNG keep the same record whole.
    assert.deepStrictEqual(readRecord(embedRecord(fixture('WebP lossy (VP8)').bytes, r2)), r2);
    assert.deepStrictEqual(readRecord(embedRecord(fixture('PNG RGB').bytes, r2)), r2);
  });

  test('readRecord: corrupt, truncated or foreign input gives undefined and never throws', () => {
    const record = makeRecord();
    assert.strictEqual(readRecord(new Uint8Array()), undefined);
    assert.strictEqual(readRecord(Buffer.from('garbage that is not an image')), undefined);
    assert.strictEqual(readRecord(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), undefined);
    assert.strictEqual(readRecord(Buffer.from([0xff, 0xd8, 0xff])), undefined);
    assert.strictEqual(readRecord(Buffer.from('RIFF\xff\xff\xff\xffWEBPXMP \xff\xff\xff\xff', 'latin1')), undefined);

    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const f of fixtures) {
      const out = Buffer.from(embedRecord(f.bytes, record));
      const at = out.indexOf('prompt');
      assert.ok(at > 0, f.name);
      // Cut inside the record: gone.
      assert.strictEqual(readRecord(out.subarray(0, at + 10)), undefined, `${f.name}: truncated in the record`);
      // A damaged record: gone (PNG by CRC, XMP because the JSON no longer parses).
      const damaged = Buffer.from(out);
      damaged[at] = 0x7b; // '{'
      assert.strictEqual(readRecord(damaged), undefined, `${f.name}: damaged record`);
      // Random damage anywhere: never throws.
      for (let i = 0; i < 150; i++) {
        const m = Buffer.from(out.subarray(0, rand(3) === 0 ? rand(out.length) : out.length));
        for (let k = 0; k < 1 + rand(4); k++) if (m.length) m[rand(m.length)] = rand(256);
        assert.doesNotThrow(() => readRecord(m), f.name);
        assert.doesNotThrow(() => readImageSize(m), f.name);
        assert.doesNotThrow(() => detectImageFormat(m), f.name);
      }
    }
  });

  test('readRecord: records of the wrong shape are refused', () => {
    const png = fixture('PNG RGB').bytes;
    for (const bad of [{ ...makeRecord(), v: 2 }, { ...makeRecord(), prompt: 42 }, { ...makeRecord(), model: undefined }]) {
      assert.strictEqual(readRecord(embedRecord(png, bad as unknown as GenerationRecord)), undefined);
      assert.strictEqual(readRecord(embedRecord(fixture('WebP lossy (VP8)').bytes, bad as unknown as GenerationRecord)), undefined);
    }
  });

  test('embedRecord: unsupported or damaged input throws a clear error', () => {
    const r = makeRecord();
    assertThrowsClearly(() => embedRecord(gif.subarray(0, gif.length - 8), r), /Damaged GIF/);
    assertThrowsClearly(() => embedRecord(Buffer.from('not an image at all'), r), /not a PNG, JPEG, WebP, GIF or SVG/);
    assertThrowsClearly(() => embedRecord(new Uint8Array(), r), /not a PNG, JPEG, WebP, GIF or SVG/);

    const png = fixture('PNG RGBA').bytes;
    assertThrowsClearly(() => embedRecord(png.subarray(0, png.length >> 1), r), /Damaged PNG: .*truncated/);
    assertThrowsClearly(() => embedRecord(png.subarray(0, png.length - 12), r), /Damaged PNG: .*no IEND/);
    const badCrc = Buffer.from(png);
    const idat = badCrc.indexOf('IDAT');
    badCrc[idat + 10] ^= 0xff;
    assertThrowsClearly(() => embedRecord(badCrc, r), /Damaged PNG: CRC mismatch in the IDAT/);

    const jpeg = fixture('JPEG with JFIF').bytes;
    assertThrowsClearly(() => embedRecord(jpeg.subarray(0, jpeg.length - 100), r), /Damaged JPEG: .*truncated/);
    assertThrowsClearly(() => embedRecord(jpeg.subarray(0, 30), r), /Damaged JPEG/);
    assertThrowsClearly(() => embedRecord(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), r), /Damaged JPEG/);

    for (const name of ['WebP lossy (VP8)', 'WebP lossless (VP8L)', 'WebP lossy with alpha (VP8X + ALPH)']) {
      const webp = fixture(name).bytes;
      assertThrowsClearly(() => embedRecord(webp.subarray(0, webp.length - 9), r), /Damaged WebP: .*truncated/);
      const garbled = Buffer.from(webp);
      garbled.write('JUNK', 12, 'latin1');
      garbled.writeUInt32LE(0x7fffffff, 16);
      assertThrowsClearly(() => embedRecord(garbled, r), /WebP/);
    }
    const vp8 = Buffer.from(fixture('WebP lossy (VP8)').bytes);
    vp8[23] = 0; // break the VP8 start code
    assertThrowsClearly(() => embedRecord(vp8, r), /Damaged WebP: unreadable VP8 bitstream header/);
  });

  test('a realistic 1024x1024 image: lossless', async () => {
    const png = await raw(1024, 1024, 4, 3).png().toBuffer();
    const out = embedRecord(png, makeRecord());
    assert.ok(Buffer.from(out).subarray(out.length - 12).equals(png.subarray(png.length - 12)));
    await assertSamePixels(png, out, '1024x1024 PNG');
    assert.deepStrictEqual(readRecord(out), makeRecord());
  });

  // [speed]: a timing bound only; `npm run mutation` leaves it out (stryker.config.mjs, mochaOptions.grep).
  test('[speed] a record goes into a realistic 1024x1024 PNG in under 500 ms', async () => {
    const png = await raw(1024, 1024, 4, 3).png().toBuffer();
    const t0 = Date.now();
    embedRecord(png, makeRecord());
    const ms = Date.now() - t0;
    assert.ok(ms < 500, `took ${ms} ms`);
  });
});
