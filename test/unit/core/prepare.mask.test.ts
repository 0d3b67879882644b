// The mask path of input preparation, pixel by pixel (found by mutation testing): where a painted
// pixel lands in the mask sent when the image is cut or scaled, which thin parts are widened and
// which are left to the area next to them, and how often a long mask pass looks at the cancel.
import * as assert from 'assert';
import sharp from 'sharp';
import { ModelTable } from '../../../src/core/models';
import { type MaskInput, prepareInputs } from '../../../src/core/prepare';
import { englishMessage } from '../../../src/shared/messages';
import { PNG_SIG, pngChunk } from './metadata/pngBytes';

const models = new ModelTable();
const GPT = models.get('gpt-image-1.5')!;
const DALLE2 = models.get('dall-e-2')!;

const flatJpeg = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#6a8' } }).jpeg().toBuffer();
const flatPng = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#468' } }).png().toBuffer();

/** A painting with the given source pixels set (value 255 unless given). */
function dots(width: number, height: number, ...points: [x: number, y: number, value?: number][]): MaskInput & { painted: Uint8Array } {
  const painted = new Uint8Array(width * height);
  for (const [x, y, v] of points) painted[y * width + x] = v ?? 255;
  return { width, height, painted };
}

/** The mask's alpha-0 pixels as sorted "x,y" strings; every other pixel must be 255. */
async function zeros(mask: Uint8Array): Promise<string[]> {
  const { data, info } = await sharp(mask).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const out: string[] = [];
  for (let i = 0; i < info.width * info.height; i++) {
    const a = data[i * info.channels + info.channels - 1];
    if (a === 0) out.push(`${i % info.width},${Math.floor(i / info.width)}`);
    else assert.strictEqual(a, 255, `alpha ${a} at ${i % info.width},${Math.floor(i / info.width)}`);
  }
  return out.sort();
}

const sorted = (points: [number, number][]) => points.map(([x, y]) => `${x},${y}`).sort();
const notes = (prep: { notes: Parameters<typeof englishMessage>[0][] }) => prep.notes.map(englishMessage).join('\n');

suite('prepare: where painted pixels land in the mask sent', () => {
  test('halved (8192x64 to 4096x32): a lone dot lands on the one mask pixel that holds it, at even and odd source pixels', async () => {
    const jpeg = await flatJpeg(8192, 64);
    // Source (2x, 2y) and (2x+1, 2y+1) both fall in mask pixel (x, y).
    for (const [sx, sy, mx, my] of [[1000, 8, 500, 4], [3001, 41, 1500, 20], [0, 0, 0, 0], [8191, 63, 4095, 31]]) {
      const prep = await prepareInputs([{ name: 'dot.jpg', bytes: jpeg }], GPT, { mask: dots(8192, 64, [sx, sy]) });
      assert.deepStrictEqual([prep.geometry.width, prep.geometry.height], [4096, 32]);
      assert.deepStrictEqual(await zeros(prep.mask!.bytes), [`${mx},${my}`], `source ${sx},${sy}`);
      assert.match(notes(prep), /^The painted area of dot\.jpg has parts too thin to survive scaling to 4096x32; they were widened/m);
    }
  });

  test('a painted pixel next to an area that survives the scaling is left to it; one two pixels away is widened', async () => {
    const jpeg = await flatJpeg(8192, 64);
    // A block that survives the halving: mask pixels 100..109 x 10..19 (source 200..219 x 20..39).
    const points: [number, number, number?][] = [];
    for (let y = 20; y < 40; y++) for (let x = 200; x < 220; x++) points.push([x, y]);
    // Lone source pixels around it, each at (2 * mask x, 2 * mask y).
    const at = (mx: number, my: number, value?: number): [number, number, number?] => [2 * mx, 2 * my, value];
    const touching: [number, number][] = [[99, 15], [110, 15], [105, 9], [105, 20], [99, 9], [110, 20], [110, 9], [99, 20]];
    const apart: [number, number][] = [[97, 15], [112, 15], [105, 7], [105, 22]];
    points.push(...touching.map(([x, y]) => at(x, y)), ...apart.map(([x, y]) => at(x, y)));
    // Painted counts from 128 on: 128 is widened like 255, 127 is nothing.
    points.push(at(300, 15, 128), at(310, 15, 127));
    const prep = await prepareInputs([{ name: 'near.jpg', bytes: jpeg }], GPT, { mask: dots(8192, 64, ...points) });
    const block: [number, number][] = [];
    for (let y = 10; y < 20; y++) for (let x = 100; x < 110; x++) block.push([x, y]);
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), sorted([...block, ...apart, [300, 15]]));
    assert.match(notes(prep), /The painted area of near\.jpg has parts too thin/);
  });

  test('a painted area that survives the scaling by itself is not widened, and no note says so', async () => {
    const jpeg = await flatJpeg(8192, 64);
    const points: [number, number][] = [];
    for (let y = 20; y < 40; y++) for (let x = 200; x < 220; x++) points.push([x, y]);
    const prep = await prepareInputs([{ name: 'block.jpg', bytes: jpeg }], GPT, { mask: dots(8192, 64, ...points) });
    const block: [number, number][] = [];
    for (let y = 10; y < 20; y++) for (let x = 100; x < 110; x++) block.push([x, y]);
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), sorted(block));
    assert.doesNotMatch(notes(prep), /too thin/);
  });

  test('scaled in one direction only: a one-row panorama and a one-column strip keep the dot where it was painted', async () => {
    // 8192x1 becomes 4096x1: the height is unchanged, the width is halved.
    const row = await prepareInputs([{ name: 'row.png', bytes: await flatPng(8192, 1) }], GPT, { mask: dots(8192, 1, [6000, 0]) });
    assert.deepStrictEqual([row.geometry.width, row.geometry.height], [4096, 1]);
    assert.deepStrictEqual(await zeros(row.mask!.bytes), ['3000,0']);
    // 1x8192 becomes 1x4096.
    const column = await prepareInputs([{ name: 'col.png', bytes: await flatPng(1, 8192) }], GPT, { mask: dots(1, 8192, [0, 6001]) });
    assert.deepStrictEqual([column.geometry.width, column.geometry.height], [1, 4096]);
    assert.deepStrictEqual(await zeros(column.mask!.bytes), ['0,3000']);
  });

  test('dall-e-2, a scaled centre crop: the dot lands shifted by the crop, for a wide and for a tall image', async () => {
    // 2148x2048: the centre 2048 square starts at x 50 and is halved to 1024.
    const wide = await prepareInputs([{ name: 'wide.png', bytes: await flatPng(2148, 2048) }], DALLE2, { squareMode: 'crop', mask: dots(2148, 2048, [50 + 600, 800]) });
    assert.deepStrictEqual([wide.geometry.crop, wide.geometry.width], [{ left: 50, top: 0, width: 2048, height: 2048 }, 1024]);
    assert.deepStrictEqual(await zeros(wide.mask!.bytes), ['300,400']);
    // 2048x2148: the square starts at y 50.
    const tall = await prepareInputs([{ name: 'tall.png', bytes: await flatPng(2048, 2148) }], DALLE2, { squareMode: 'crop', mask: dots(2048, 2148, [600, 50 + 800]) });
    assert.deepStrictEqual([tall.geometry.crop, tall.geometry.width], [{ left: 0, top: 50, width: 2048, height: 2048 }, 1024]);
    assert.deepStrictEqual(await zeros(tall.mask!.bytes), ['300,400']);
    // Painted only outside the square: refused, though the thin parts would be widened.
    const err = await prepareInputs([{ name: 'tall.png', bytes: await flatPng(2048, 2148) }], DALLE2, { squareMode: 'crop', mask: dots(2048, 2148, [600, 20]) }).catch((e: Error) => e);
    assert.match(String(err), /The painted area of tall\.png lies outside the square/);
  });

  test('dall-e-2, an unscaled centre crop of a tall image: the mask is cut at the crop\'s rows', async () => {
    // 300x400: the centre 300 square starts at y 50; nothing is scaled.
    const prep = await prepareInputs([{ name: 'tall.png', bytes: await flatPng(300, 400) }], DALLE2, { squareMode: 'crop', mask: dots(300, 400, [10, 50], [299, 349], [20, 40], [20, 350]) });
    assert.deepStrictEqual([prep.geometry.crop, prep.geometry.scale], [{ left: 0, top: 50, width: 300, height: 300 }, 1]);
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), ['10,0', '299,299']);
    assert.match(notes(prep), /part of the painted area lies outside the square crop/);
  });
});

/** A signal that counts how often preparation asks whether the user cancelled (never cancelled). */
function counting() {
  return {
    reads: 0,
    get aborted() {
      this.reads++;
      return false;
    },
  };
}

suite('prepare: a long mask pass looks at the cancel every 256 rows', () => {
  // Each pass over the rows checks once per 256 rows (a cancel is noticed within them) and not
  // on every row. Two images that differ only in their number of rows differ by that many checks.
  const reads = async (width: number, height: number, mask: 'painted' | 'alpha'): Promise<number> => {
    const signal = counting();
    if (mask === 'painted') {
      await prepareInputs([{ name: 'a.jpg', bytes: await flatJpeg(width, height) }], GPT, { mask: dots(width, height, [1, 1]), signal });
    } else {
      const px = Buffer.alloc(width * height * 4, 255);
      px[(width + 1) * 4 + 3] = 0; // one fully transparent pixel at (1, 1)
      const png = await sharp(px, { raw: { width, height, channels: 4 } }).png().toBuffer();
      const prep = await prepareInputs([{ name: 'a.png', bytes: png }], GPT, { signal });
      assert.deepStrictEqual(await zeros(prep.mask!.bytes), ['1,1']);
    }
    return signal.reads;
  };

  test('writing the mask: 2048 more rows, 8 more checks', async () => {
    assert.strictEqual((await reads(8, 4096, 'painted')) - (await reads(8, 2048, 'painted')), 8);
  });

  test('scaling the painting down: 3584 more source rows (to the same 4096 mask rows), 14 more checks', async () => {
    // 8x8192 and 8x4608 both go out 4096 rows high; the painting is walked at its own height.
    assert.strictEqual((await reads(8, 8192, 'painted')) - (await reads(8, 4608, 'painted')), 14);
  });

  test('reading the transparent pixels as the mask: 2048 more rows, 8 more checks there and 8 in writing the mask', async () => {
    assert.strictEqual((await reads(8, 4096, 'alpha')) - (await reads(8, 2048, 'alpha')), 16);
  });
});

suite('prepare: the mask goes out as RGBA whenever that fits', () => {
  // Grey+alpha is only the fallback for a painting too busy for RGBA under 4 MB (prepare.test.ts,
  // "a noise mask too big for the fast encoding"). PNG colour type: byte 25, 6 = RGBA, 4 = grey+alpha.
  const colourType = (png: Uint8Array) => png[25];

  test('millions of changes along the rows, but regular (every other column painted on 4096x1024): RGBA', async () => {
    const W = 4096;
    const H = 1024;
    const painted = new Uint8Array(W * H);
    for (let i = 0; i < W * H; i += 2) painted[i] = 255;
    const prep = await prepareInputs([{ name: 'stripes.jpg', bytes: await flatJpeg(W, H) }], GPT, { mask: { width: W, height: H, painted } });
    const mask = prep.mask!.bytes;
    assert.strictEqual(colourType(mask), 6);
    assert.ok(mask.length < 4 * 1024 * 1024 * 0.95, `${mask.length} bytes`);
    const { data } = await sharp(mask).raw().toBuffer({ resolveWithObject: true });
    for (const i of [0, 1, 2, 3, W * H - 2, W * H - 1]) assert.strictEqual(data[i * 4 + 3], i % 2 === 0 ? 0 : 255, `pixel ${i}`);
  });

  test('a painted area of 12 million pixels with one edge per row (4096x3072, all but the first column): RGBA', async () => {
    const W = 4096;
    const H = 3072;
    const painted = new Uint8Array(W * H).fill(255);
    for (let y = 0; y < H; y++) painted[y * W] = 0;
    const prep = await prepareInputs([{ name: 'most.jpg', bytes: await flatJpeg(W, H) }], GPT, { mask: { width: W, height: H, painted } });
    assert.strictEqual(colourType(prep.mask!.bytes), 6);
    const { data } = await sharp(prep.mask!.bytes).raw().toBuffer({ resolveWithObject: true });
    for (const [x, y] of [[0, 0], [1, 0], [0, H - 1], [W - 1, H - 1]]) assert.strictEqual(data[(y * W + x) * 4 + 3], x === 0 ? 255 : 0, `${x},${y}`);
  });
});

suite('prepare: a mask that comes as a PNG', () => {
  const W = 32;
  const H = 24;
  /** Painted (per the PNG's own rule) at 4..11 x 2..5, as a PNG of the given channels. */
  async function maskPng(channels: 1 | 2 | 3): Promise<Buffer> {
    const px = Buffer.alloc(W * H * channels);
    for (let y = 2; y < 6; y++) {
      for (let x = 4; x < 12; x++) {
        const i = (y * W + x) * channels;
        if (channels === 2) px[i + 1] = 255; // grey+alpha brush layer: black strokes, opaque where painted
        else px.fill(255, i, i + channels); // white on black, grey or colour
      }
    }
    const img = sharp(px, { raw: { width: W, height: H, channels } });
    return (channels === 1 ? img.toColourspace('b-w') : channels === 2 ? img.toColourspace('b-w') : img).png().toBuffer();
  }
  const expected: string[] = [];
  for (let y = 2; y < 6; y++) for (let x = 4; x < 12; x++) expected.push(`${x},${y}`);

  test('a grey+alpha brush layer (painted where opaque), white on black in grey or in colour', async () => {
    const image = await flatPng(W, H);
    for (const channels of [2, 1, 3] as const) {
      const png = await maskPng(channels);
      assert.strictEqual((await sharp(png).metadata()).channels, channels);
      const prep = await prepareInputs([{ name: 'a.png', bytes: image }], GPT, { mask: { png } });
      assert.deepStrictEqual(await zeros(prep.mask!.bytes), expected.slice().sort(), `${channels} channels`);
    }
  });

  test('a mask PNG of another size is refused by its header alone, even when its pixels could not be read', async () => {
    // Signature, IHDR (8-bit grey) and IEND: no pixel data at all. Another height, then another width.
    const headerOnly = (width: number, height: number) => {
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr.set([8, 0, 0, 0, 0], 8);
      return Buffer.concat([PNG_SIG, pngChunk('IHDR', ihdr), pngChunk('IEND', Buffer.alloc(0))]);
    };
    const image = await flatPng(W, H);
    for (const [w, h] of [[W, 9999], [W + 1, H]]) {
      const err = await prepareInputs([{ name: 'a.png', bytes: image }], GPT, { mask: { png: headerOnly(w, h) } }).catch((e: Error) => e);
      assert.strictEqual(String(err), `PrepareError: The mask is ${w}x${h} but a.png is shown at ${W}x${H}.`);
    }
  });

  test('a 16-bit grey mask PNG (white on black) is read sample by sample, not byte by byte', async () => {
    const px = Buffer.alloc(W * H);
    for (let y = 2; y < 6; y++) px.fill(255, y * W + 4, y * W + 12);
    const png16 = await sharp(px, { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const meta = await sharp(png16).metadata();
    assert.deepStrictEqual([meta.depth, meta.channels], ['ushort', 1]);
    const prep = await prepareInputs([{ name: 'a.png', bytes: await flatPng(W, H) }], GPT, { mask: { png: png16 } });
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), expected.slice().sort());
  });
});

suite('prepare: the mask path at its edges', () => {
  /** "x,y" for every pixel of a rectangle. */
  const area = (left: number, top: number, width: number, height: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let y = top; y < top + height; y++) for (let x = left; x < left + width; x++) out.push([x, y]);
    return out;
  };
  const block = (left: number, top: number, width: number, height: number, value = 255): [number, number, number][] =>
    area(left, top, width, height).map(([x, y]) => [x, y, value]);

  test('dall-e-2 crop one pixel off square (101x100, 100x101): the square starts at 0,0 but is not the whole image', async () => {
    for (const [W, H] of [[101, 100], [100, 101]]) {
      const prep = await prepareInputs([{ name: 'odd.png', bytes: await flatPng(W, H) }], DALLE2, { squareMode: 'crop', mask: dots(W, H, [99, 0], [0, 99]) });
      assert.deepStrictEqual([prep.geometry.crop, prep.geometry.width], [{ left: 0, top: 0, width: 100, height: 100 }, 100], `${W}x${H}`);
      assert.deepStrictEqual(await zeros(prep.mask!.bytes), ['0,99', '99,0'], `${W}x${H}`);
      assert.match(notes(prep), /odd\.png: cropped to the centre square \(100x100 at 0,0\)\./);
    }
  });

  test('dall-e-2, a scaled centre crop: a painted block lands at the crop\'s place, at the square\'s scale', async () => {
    // 2148x2048: the centre 2048 square starts at x 50 and is halved to 1024.
    const prep = await prepareInputs([{ name: 'wide.png', bytes: await flatPng(2148, 2048) }], DALLE2, { squareMode: 'crop', mask: dots(2148, 2048, ...block(50 + 200, 200, 40, 40)) });
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), sorted(area(100, 100, 20, 20)));
    assert.doesNotMatch(notes(prep), /too thin/);
  });

  test('a dot on the right edge is widened even when the left edge of the next row is painted (rows do not wrap)', async () => {
    // 8192x64 halved: a block on mask columns 0..9, rows 10..19; a dot at mask (4095, 12).
    const prep = await prepareInputs([{ name: 'edge.jpg', bytes: await flatJpeg(8192, 64) }], GPT, { mask: dots(8192, 64, ...block(0, 20, 20, 20), [8190, 24]) });
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), sorted([...area(0, 10, 10, 10), [4095, 12]]));
  });

  test('a painting of exactly 128 survives scaling as painted: its inside is kept and its rim is not widened', async () => {
    // 8192x64 halved; a block painted at 128 on mask 100..109 x 10..19. Scaling softens its rim
    // below 128 and keeps its inside at 128, which counts as painted: the rim lies next to it.
    const prep = await prepareInputs([{ name: 'faint.jpg', bytes: await flatJpeg(8192, 64) }], GPT, { mask: dots(8192, 64, ...block(200, 20, 20, 20, 128)) });
    const got = await zeros(prep.mask!.bytes);
    assert.doesNotMatch(notes(prep), /too thin/);
    // The inside, and nothing beyond the painted block.
    for (const p of sorted(area(101, 11, 8, 8))) assert.ok(got.includes(p), p);
    const inBlock = new Set(sorted(area(100, 10, 10, 10)));
    assert.deepStrictEqual(got.filter((p) => !inBlock.has(p)), []);
    assert.ok(got.length < 100, `${got.length} pixels: the rim was widened`);
  });
});

suite('prepare: the mask of a padded square, and what a widening note names', () => {
  test('dall-e-2, a tall image padded left and right: the mask keeps to the content columns, the padding is never painted', async () => {
    // 4x8 becomes an 8x8 square with the content at columns 2..5. Painted: the content's first column, rows 1..6.
    const painted: [number, number][] = [1, 2, 3, 4, 5, 6].map((y) => [0, y]);
    const prep = await prepareInputs([{ name: 'tall.png', bytes: await flatPng(4, 8) }], DALLE2, { mask: dots(4, 8, ...painted) });
    assert.deepStrictEqual(prep.geometry.content, { left: 2, top: 0, width: 4, height: 8 });
    assert.deepStrictEqual(await zeros(prep.mask!.bytes), sorted(painted.map(([x, y]) => [x + 2, y])));
  });

  test('dall-e-2 without a mask: a transparent hole widened by the scaling is named as the transparent area', async () => {
    const W = 2048;
    const H = 256;
    const px = Buffer.alloc(W * H * 4, 255);
    px[(101 * W + 1001) * 4 + 3] = 0;
    const prep = await prepareInputs([{ name: 'pinhole.png', bytes: await sharp(px, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer() }], DALLE2);
    assert.match(notes(prep), /^The transparent area of pinhole\.png has parts too thin to survive scaling to 1024x1024/m);
    assert.doesNotMatch(notes(prep), /painted area/);
  });
});

// Survivors of mutation testing in prepare.ts lines 471-633 (at 7455104) left without a test, as no
// input tells them apart: in encodeMask, a row past the content (nothing painted there, its writes
// land on padding that is 255 already or past the buffer), `painted` counted down (only `=== 0` is
// read), `edges` counted down (the RGBA attempt is then always made: speed only), a cancel check
// dropped (the next one catches it), `<`/`<=` against the byte limit (3,984,588.8: no size equals
// it), `limitInputPixels: true` (sharp's own limit is far above a 4096 square), PNG filter and level
// options (size and speed only), level 9 never needed (a random 4096 square painting is 3.4 MB at
// level 4), and the 'mask too big' refusal after it (unreachable for the same reason); in
// decodeContent, an extract or resize that changes nothing, `raw({})` after an sRGB conversion
// (8 bits already), and the width/height parts of the size check (sharp returns the size asked for;
// the band count is pinned in prepare.head.test.ts); in padSquare, fills and copies of an empty
// range, `y <= top` (that row is content), a bound one past the buffer (writes dropped); in
// clearWhere, a row past the content, `n--` (only `=== 0` is read), and `> 128` for `>= 128`
// (vips halves a half-covered pixel to 127, which is widened to 255 anyway). Not equivalent and
// not tested: the mask byte limit as MASK_MAX_BYTES / BYTE_MARGIN (a 4096 square painting whose
// fast RGBA lands between 3.98 and 4.41 MB would tell).
suite('prepare: dall-e-2 squares of a tall image, and its transparent holes', () => {
  /** The square's pixels whose alpha is 0, as sorted "x,y". */
  async function transparent(png: Uint8Array): Promise<string[]> {
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const out: string[] = [];
    for (let i = 0; i < info.width * info.height; i++) if (data[i * 4 + 3] === 0) out.push(`${i % info.width},${Math.floor(i / info.width)}`);
    return out.sort();
  }

  test('a one-pixel-wide sliver (1x2048) is scaled along its length only, the whole of it, not a centre cut', async () => {
    // A vertical gradient: row y is grey y / 8 (0 at the top, 255 at the bottom).
    const px = Buffer.alloc(2048);
    for (let y = 0; y < 2048; y++) px[y] = Math.floor(y / 8);
    const png = await sharp(px, { raw: { width: 1, height: 2048, channels: 1 } }).png().toBuffer();
    const prep = await prepareInputs([{ name: 'sliver.png', bytes: png }], DALLE2, { mask: dots(1, 2048, [0, 10]) });
    assert.deepStrictEqual(prep.geometry.content, { left: 511, top: 0, width: 1, height: 1024 });
    const { data } = await sharp(prep.images[0].bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const grey = (x: number, y: number) => data[(y * 1024 + x) * 4];
    // Content rows hold source rows 2y and 2y+1: the first near 0, the middle near 128, the last near 255.
    for (const [y, want] of [[0, 0], [512, 128], [1023, 255]]) assert.ok(Math.abs(grey(511, y) - want) <= 2, `row ${y}: ${grey(511, y)}`);
    // The padding on both sides repeats that column.
    for (const y of [0, 512, 1023]) assert.deepStrictEqual([grey(0, y), grey(1023, y)], [grey(511, y), grey(511, y)]);
  });

  test('without a mask: the holes of a tall image padded left and right stay transparent at their own place, the padding none', async () => {
    // 256x2048 halved to 128x1024, at columns 448..575 of the square. Holes at (101, 1001) and, in
    // the first column, at (0, 1501): content (50, 500) and (0, 750), square (498, 500) and (448, 750).
    const W = 256;
    const H = 2048;
    const px = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) px.set([90, 120, 150, 255], i * 4);
    px[(1001 * W + 101) * 4 + 3] = 0;
    px[(1501 * W + 0) * 4 + 3] = 0;
    const prep = await prepareInputs([{ name: 'tall.png', bytes: await sharp(px, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer() }], DALLE2);
    assert.deepStrictEqual(prep.geometry.content, { left: 448, top: 0, width: 128, height: 1024 });
    assert.strictEqual(prep.mask, undefined);
    assert.deepStrictEqual(await transparent(prep.images[0].bytes), ['448,750', '498,500']);
  });

  test('without a mask: a transparent line one pixel wide stays fully transparent when halved', async () => {
    // 2048x256 halved: the line at column 1000, rows 100..139, lands on square column 500, rows 498..517
    // (content rows 50..69, 448 rows of padding above), averaged with the opaque column 1001.
    const W = 2048;
    const H = 256;
    const px = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) px.set([90, 120, 150, 255], i * 4);
    for (let y = 100; y < 140; y++) px[(y * W + 1000) * 4 + 3] = 0;
    const prep = await prepareInputs([{ name: 'line.png', bytes: await sharp(px, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer() }], DALLE2);
    const want: string[] = [];
    for (let y = 498; y < 518; y++) want.push(`500,${y}`);
    assert.deepStrictEqual(await transparent(prep.images[0].bytes), want.sort());
  });
});
