// Writing an image and its recipe without `vscode` (src/core/files.ts, the MCP server's writer),
// in the cases mutation testing found unpinned: an image the recipe cannot go into, a failure of
// the final link that is not a taken name, and a sidecar name taken while the image was written.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeImageWithRecipe, writeNewFile } from '../../../src/core/files';
import { readRecord } from '../../../src/core/metadata';
import type { GenerationRecord } from '../../../src/core/record';
import { parseSidecar } from '../../../src/core/sidecar';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

const record: GenerationRecord = {
  v: 1,
  operation: 'generate',
  prompt: 'a lighthouse at dusk',
  model: 'gpt-image-1.5',
  options: { size: '1024x1024' },
  provider: { kind: 'openai' },
  createdAt: '2026-05-01T10:00:00.000Z',
  tool: 'Pixelwright test',
};

suite('writing an image with its recipe: the cases around the edges', () => {
  let dir: string;
  setup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-files-b-'));
  });
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an image the recipe cannot go into (damaged, or a format without room) is written as it came, the recipe beside it', async () => {
    const truncated = PNG_1x1.subarray(0, PNG_1x1.length - 12); // no IEND chunk
    const tiff = Buffer.from('II*\0\x08\0\0\0', 'latin1');
    for (const [name, bytes] of [['cut.png', truncated], ['scan.tif', tiff]] as const) {
      const written = await writeImageWithRecipe(dir, name, bytes, record);
      assert.strictEqual(written, path.join(dir, name));
      assert.deepStrictEqual(fs.readFileSync(written), bytes, `${name}: byte for byte`);
      assert.deepStrictEqual(parseSidecar(fs.readFileSync(`${written}.pixelwright.json`)).record, record, `${name}: the recipe in the sidecar`);
    }
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['cut.png', 'cut.png.pixelwright.json', 'scan.tif', 'scan.tif.pixelwright.json']);
    // a whole image still takes its recipe inside
    const whole = await writeImageWithRecipe(dir, 'whole.png', PNG_1x1, record);
    assert.deepStrictEqual(readRecord(fs.readFileSync(whole)), record);
    assert.ok(!fs.existsSync(`${whole}.pixelwright.json`));
  });

  test('a record that cannot be written out fails before anything is on disk (never an image without its recipe)', async () => {
    const broken = { ...record, options: { size: '1024x1024', n: BigInt(1) } } as unknown as GenerationRecord;
    await assert.rejects(writeImageWithRecipe(dir, 'fox.png', PNG_1x1, broken), TypeError);
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });

  test('a failure of the final link other than a taken name is thrown at once, as it is, and leaves nothing', async () => {
    // a name longer than the file system allows: the existence check sees no such file, link() refuses the name
    const name = `${'x'.repeat(300)}.png`;
    await assert.rejects(writeNewFile(dir, name, Uint8Array.of(1, 2, 3)), (e: NodeJS.ErrnoException) => e.code === 'ENAMETOOLONG');
    assert.deepStrictEqual(fs.readdirSync(dir), [], 'the temporary file is gone too');
  });

  test('a sidecar name taken while the image was being written: said, and the file that appeared is kept', async () => {
    // Another program creates fox.png.pixelwright.json as soon as fox.png appears (between the image's
    // name check, which saw both names free, and the sidecar's write).
    const sidecar = path.join(dir, 'fox.png.pixelwright.json');
    const watcher = fs.watch(dir, (_event, file) => {
      if (file === 'fox.png' && !fs.existsSync(sidecar)) fs.writeFileSync(sidecar, 'not yours');
    });
    try {
      await assert.rejects(
        writeImageWithRecipe(dir, 'fox.png', PNG_1x1, record, 'sidecar'),
        /^Error: the recipe of fox\.png could not be written beside it \(fox\.png\.pixelwright\.json appeared meanwhile\)$/,
      );
    } finally {
      watcher.close();
    }
    assert.strictEqual(fs.readFileSync(sidecar, 'utf8'), 'not yours', 'never overwritten');
    assert.deepStrictEqual(fs.readFileSync(path.join(dir, 'fox.png')), PNG_1x1);
  });
});
