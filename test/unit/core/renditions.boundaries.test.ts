// Renditions (src/core/renditions.ts) in the cases mutation testing found unpinned: a box with one
// side or none, the background a pad band and a flattened JPEG get ('transparent', '#rrggbbaa',
// none), the quality asked for (JPEG quantisation tables, smaller WebP/AVIF files) and the PNG
// compression.
import * as assert from 'assert';
import sharp from 'sharp';
import type { Rendition } from '../../../src/core/manifest';
import { decodeSource, renderRendition } from '../../../src/core/renditions';

const rendition = (r: Partial<Rendition>): Rendition => ({ path: 'out/r.png', format: 'png', fit: 'contain', offset: 0, length: 0, ...r }) as Rendition;

/** A 200x100 PNG: a pattern that compresses differently with different settings; alpha 0 on the left half when `holes`. */
async function pattern(holes = false): Promise<Uint8Array> {
  const w = 200;
  const h = 100;
  const raw = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      raw.set([(x * 7 + y) & 0xff, (y * 5) & 0xff, (x * y) & 0xff, holes && x < w / 2 ? 0 : 255], i);
    }
  return new Uint8Array(await sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer());
}

async function rgba(bytes: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 4;
  return [data[i], data[i + 1], data[i + 2], data[i + 3]];
}

/** The bytes of a JPEG's quantisation tables (they follow from the quality and encoder settings alone). */
function quantTables(jpeg: Uint8Array): string {
  const b = Buffer.from(jpeg);
  const out: string[] = [];
  for (let pos = 2; pos + 4 <= b.length && b[pos] === 0xff && b[pos + 1] !== 0xda; pos += 2 + b.readUInt16BE(pos + 2)) {
    if (b[pos + 1] === 0xdb) out.push(b.subarray(pos, pos + 2 + b.readUInt16BE(pos + 2)).toString('hex'));
  }
  assert.ok(out.length > 0, 'the JPEG has quantisation tables');
  return out.join(' ');
}

const near = (a: number[], b: number[], d = 2) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= d);

suite('renditions: boxes, backgrounds, quality', () => {
  test('a lone height keeps the ratio; no size at all keeps the source size', async () => {
    const src = await decodeSource(await pattern());
    const tall = await renderRendition(src, rendition({ height: 50 }));
    assert.deepStrictEqual([tall.width, tall.height], [100, 50]);
    const same = await renderRendition(src, rendition({ format: 'webp' }));
    assert.deepStrictEqual([same.width, same.height], [200, 100]);
  });

  test('pad bands: "transparent" and no background are clear, #rrggbbaa is half see-through', async () => {
    const src = await decodeSource(await pattern());
    const band = async (background?: string) => rgba((await renderRendition(src, rendition({ width: 100, height: 100, fit: 'pad', background }))).bytes, 50, 2);
    assert.strictEqual((await band('transparent'))[3], 0);
    assert.strictEqual((await band(undefined))[3], 0);
    const half = await band('#00ff0080');
    assert.ok(near(half, [0, 255, 0, 128], 1), `${half}`);
    assert.ok(near(await band('#00ff00'), [0, 255, 0, 255], 1));
  });

  test('a JPEG is flattened onto white, onto an opaque background when given, and onto white when it is transparent', async () => {
    const src = await decodeSource(await pattern(true));
    const at = async (r: Partial<Rendition>, x: number, y: number) => rgba((await renderRendition(src, rendition({ format: 'jpeg', ...r }))).bytes, x, y);
    assert.ok(near(await at({}, 20, 50), [255, 255, 255, 255], 3), 'no background');
    assert.ok(near(await at({ background: 'transparent' }, 20, 50), [255, 255, 255, 255], 3), 'transparent');
    assert.ok(near(await at({ background: '#00ff00' }, 20, 50), [0, 255, 0, 255], 3), 'the see-through half');
    assert.ok(near(await at({ width: 100, height: 100, fit: 'pad', background: '#0000ff' }, 50, 2), [0, 0, 255, 255], 3), 'the pad band');
  });

  test('JPEG quality: 85 by default (mozjpeg), else the quality asked for', async () => {
    const src = await decodeSource(await pattern());
    const other = sharp(Buffer.alloc(8 * 8 * 3, 90), { raw: { width: 8, height: 8, channels: 3 } });
    const reference = async (quality: number) => quantTables(await other.clone().jpeg({ quality, mozjpeg: true }).toBuffer());
    const tables = async (quality?: number) => quantTables((await renderRendition(src, rendition({ format: 'jpeg', quality }))).bytes);
    assert.strictEqual(await tables(), await reference(85));
    assert.strictEqual(await tables(40), await reference(40));
    assert.notStrictEqual(await reference(40), await reference(85));
  });

  test('WebP and AVIF: a lower quality asked for gives a smaller file than the default', async () => {
    const src = await decodeSource(await pattern());
    for (const format of ['webp', 'avif'] as const) {
      const size = async (quality?: number) => (await renderRendition(src, rendition({ format, quality }))).bytes.length;
      const low = await size(20);
      const dflt = await size();
      assert.ok(low < dflt, `${format}: quality 20 ${low} bytes, default ${dflt}`);
    }
  });

  test('PNG: compressed harder than sharp\'s default and than level 9 alone (adaptive filtering)', async () => {
    const source = await pattern();
    const src = await decodeSource(source);
    const ours = (await renderRendition(src, rendition({ format: 'png' }))).bytes.length;
    const pixels = () => sharp(Buffer.from(src.pixels), { raw: { width: src.width, height: src.height, channels: src.channels } });
    const level9 = (await pixels().png({ compressionLevel: 9 }).toBuffer()).length;
    const dflt = (await pixels().png().toBuffer()).length;
    assert.ok(ours < level9 && level9 <= dflt, `ours ${ours}, level 9 ${level9}, default ${dflt}`);
  });
});
