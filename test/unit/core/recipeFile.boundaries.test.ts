// Where an image's recipe is found (src/core/recipeFile.ts), on real files in a temporary folder:
// the embedded record sanitized, the sidecar and when it says it was written for another file, the
// raw text of a malformed recipe, a sidecar too large to be ours, and a folder in its place.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { embedRecord } from '../../../src/core/metadata';
import { withPngText } from '../../../src/core/metadata/png';
import { RECORD_KEY, type GenerationRecord } from '../../../src/core/record';
import { findRecipe, memoryRecipeSource, readRecipeFile, type RecipeSource } from '../../../src/core/recipeFile';
import { MAX_SIDECAR_BYTES, sidecarBytes, sidecarName } from '../../../src/core/sidecar';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const record: GenerationRecord = { v: 1, operation: 'generate', prompt: 'a lighthouse', model: 'gpt-image-1.5', options: { size: '1024x1024' }, provider: { kind: 'openai' }, createdAt: '2026-05-01T10:00:00.000Z', tool: 'Pixelwright test' };

suite('recipe files: where the recipe is', () => {
  let dir: string;
  setup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-recipefile-'));
  });
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array | string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };

  test('embedded: the record as sanitized (an option that is no plain value is dropped), with the pixel and file size', async () => {
    const bytes = embedRecord(PNG_1x1, { ...record, options: { ...record.options, hostile: { deep: '<script>' } } } as unknown as GenerationRecord);
    const got = await readRecipeFile(write('a.png', bytes));
    assert.deepStrictEqual(got, { record, where: 'embedded', width: 1, height: 1, size: bytes.length });
  });

  test('a sidecar written for this file matches; for another name or size it says so; without them it cannot tell', async () => {
    const p = write('a.png', PNG_1x1);
    const read = async (sidecar: string | Uint8Array) => {
      write(sidecarName('a.png'), sidecar);
      return readRecipeFile(p);
    };
    assert.deepStrictEqual(await read(sidecarBytes(record, 'a.png', PNG_1x1.length)), { record, raw: undefined, problem: undefined, where: 'sidecar', mismatch: false, width: 1, height: 1, size: PNG_1x1.length });
    assert.strictEqual((await read(sidecarBytes(record, 'b.png', PNG_1x1.length))).mismatch, true, 'another name');
    assert.strictEqual((await read(sidecarBytes(record, 'a.png', PNG_1x1.length + 1))).mismatch, true, 'another size');
    assert.strictEqual((await read(JSON.stringify({ pixelwright: 'recipe', record }))).mismatch, false, 'neither said');
    assert.strictEqual((await read(JSON.stringify({ pixelwright: 'recipe', image: 'a.png', record }))).mismatch, false, 'the name only');
    const bad = await read('{ not json');
    assert.deepStrictEqual([bad.record, bad.raw, bad.problem, bad.where, bad.mismatch], [undefined, '{ not json', 'not-json', 'sidecar', false]);
  });

  test('a size the scan does not know is no mismatch', async () => {
    const src: RecipeSource = { scan: async () => ({ format: 'png', bytesRead: 10 }), sidecar: async () => sidecarBytes(record, 'a.png', 999), whole: async () => PNG_1x1 };
    assert.strictEqual((await findRecipe(src, 'a.png')).mismatch, false);
  });

  test('a malformed embedded recipe is shown as its text only when asked for (the whole file is read)', async () => {
    const p = write('m.png', withPngText(PNG_1x1, RECORD_KEY, 'not a recipe {'));
    assert.deepStrictEqual(await readRecipeFile(p), { width: 1, height: 1, size: fs.statSync(p).size });
    assert.deepStrictEqual(await readRecipeFile(p, { raw: true }), { raw: 'not a recipe {', where: 'embedded', width: 1, height: 1, size: fs.statSync(p).size });
    assert.deepStrictEqual(await findRecipe(memoryRecipeSource(Buffer.from('plain text')), 'x.txt', { raw: true }), { width: undefined, height: undefined, size: 10 }, 'not an image: nothing read');
  });

  test('a sidecar too large to be ours is read only to say so; a folder in its place is no sidecar', async () => {
    const p = write('big.png', PNG_1x1);
    const big = Buffer.alloc(MAX_SIDECAR_BYTES + 100, 0x20);
    big.write('{"pixelwright":"recipe"', 0);
    write(sidecarName('big.png'), big);
    const got = await readRecipeFile(p);
    assert.deepStrictEqual([got.where, got.problem, got.record], ['sidecar', 'too-large', undefined]);
    assert.ok(got.raw?.startsWith('{"pixelwright":"recipe"'));
    const q = write('f.png', PNG_1x1);
    fs.mkdirSync(path.join(dir, sidecarName('f.png')));
    assert.deepStrictEqual(await readRecipeFile(q), { width: 1, height: 1, size: PNG_1x1.length });
  });

  test('a sidecar of exactly the largest size is read as ours', async () => {
    const p = write('edge.png', PNG_1x1);
    const text = Buffer.from(sidecarBytes(record, 'edge.png', PNG_1x1.length));
    const padded = Buffer.concat([text, Buffer.alloc(MAX_SIDECAR_BYTES - text.length, 0x20)]);
    write(sidecarName('edge.png'), padded);
    assert.deepStrictEqual((await readRecipeFile(p)).record, record);
  });
});
