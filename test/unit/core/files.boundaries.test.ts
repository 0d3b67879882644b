// Writing an image and its recipe without `vscode` (src/core/files.ts, the MCP server's writer),
// in the cases mutation testing found unpinned: an image the recipe cannot go into, a failure of
// the final link that is not a taken name, and a name taken between the check and the link
// (the image's or its sidecar's): the next free pair, or a failure that leaves nothing of its own.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeImageWithRecipe, writeNewFile } from '../../../src/core/files';
import { readRecord } from '../../../src/core/metadata';
import type { GenerationRecord } from '../../../src/core/record';
import { parseSidecar } from '../../../src/core/sidecar';
import { sampleRecord } from './metadata/sampleRecord';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

const record = sampleRecord;

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

  /**
   * Another program takes a name between the check that saw it free and the link into place:
   * `link` of node:fs/promises is wrapped so that `before(name)` runs just before each link (it
   * may create or replace files, as another writer would). The link itself is the real one.
   */
  function racing(before: (name: string) => void): { restore(): void } {
    const fsp = require('node:fs/promises') as { link: (a: string, b: string) => Promise<void> };
    const real = fsp.link;
    fsp.link = (from: string, to: string) => {
      before(path.basename(to));
      return real(from, to);
    };
    return { restore: () => void (fsp.link = real) };
  }
  /** Writes fox.png with its sidecar while another program takes `taken` (with `content`) just before its first link. */
  async function writeTakingOnce(taken: string, content: string): Promise<string> {
    let once = false;
    const race = racing((name) => {
      if (name === taken && !once) {
        once = true;
        fs.writeFileSync(path.join(dir, name), content);
      }
    });
    try {
      return await writeImageWithRecipe(dir, 'fox.png', PNG_1x1, record, 'sidecar');
    } finally {
      race.restore();
    }
  }
  const listing = () => fs.readdirSync(dir).sort();
  const recipeOf = (name: string) => parseSidecar(fs.readFileSync(path.join(dir, name))).record;

  test('a sidecar name taken between the check and the link: the next free pair of names; the file that appeared is kept', async () => {
    const written = await writeTakingOnce('fox.png.pixelwright.json', 'not yours');
    assert.strictEqual(written, path.join(dir, 'fox~2.png'));
    assert.deepStrictEqual(listing(), ['fox.png.pixelwright.json', 'fox~2.png', 'fox~2.png.pixelwright.json']);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'fox.png.pixelwright.json'), 'utf8'), 'not yours', 'never overwritten');
    assert.deepStrictEqual(fs.readFileSync(written), PNG_1x1);
    assert.deepStrictEqual(recipeOf('fox~2.png.pixelwright.json'), record);
  });

  test('a sidecar name taken every time: the write fails and leaves nothing of its own (no image, no recipe under another name, no temporary file)', async () => {
    const theirs: string[] = [];
    const race = racing((name) => {
      if (name.endsWith('.pixelwright.json') && !fs.existsSync(path.join(dir, name))) {
        fs.writeFileSync(path.join(dir, name), 'not yours');
        theirs.push(name);
      }
    });
    try {
      await assert.rejects(writeImageWithRecipe(dir, 'fox.png', PNG_1x1, record, 'sidecar'), /no free file name for fox\.png/);
    } finally {
      race.restore();
    }
    assert.ok(theirs.length >= 2, theirs.join());
    assert.deepStrictEqual(listing(), [...theirs].sort(), 'only the files the other program made');
    for (const name of theirs) assert.strictEqual(fs.readFileSync(path.join(dir, name), 'utf8'), 'not yours');
  });

  test("the image's name taken after its sidecar was linked: that sidecar is taken away again, the next pair written", async () => {
    const written = await writeTakingOnce('fox.png', 'their image');
    assert.strictEqual(written, path.join(dir, 'fox~2.png'));
    assert.deepStrictEqual(listing(), ['fox.png', 'fox~2.png', 'fox~2.png.pixelwright.json'], 'no recipe of ours beside their image');
    assert.strictEqual(fs.readFileSync(path.join(dir, 'fox.png'), 'utf8'), 'their image');
    assert.deepStrictEqual(recipeOf('fox~2.png.pixelwright.json'), record);
  });

  test('a file that replaced the sidecar it linked is never removed by it', async () => {
    let once = false;
    const race = racing((name) => {
      if (name === 'fox.png' && !once) {
        once = true;
        // Another program puts its own file in the sidecar's place (a rename over it), and takes the image's name.
        fs.writeFileSync(path.join(dir, 'theirs.tmp'), 'their recipe');
        fs.renameSync(path.join(dir, 'theirs.tmp'), path.join(dir, 'fox.png.pixelwright.json'));
        fs.writeFileSync(path.join(dir, name), 'their image');
      }
    });
    try {
      await writeImageWithRecipe(dir, 'fox.png', PNG_1x1, record, 'sidecar');
    } finally {
      race.restore();
    }
    assert.deepStrictEqual(listing(), ['fox.png', 'fox.png.pixelwright.json', 'fox~2.png', 'fox~2.png.pixelwright.json']);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'fox.png.pixelwright.json'), 'utf8'), 'their recipe');
  });

  test('the image cannot be linked for another reason: thrown as it is, and the sidecar written for it is gone', async () => {
    const fsp = require('node:fs/promises') as { link: (a: string, b: string) => Promise<void> };
    const real = fsp.link;
    fsp.link = (from: string, to: string) => (path.basename(to) === 'fox.png' ? Promise.reject(Object.assign(new Error('EIO: i/o error, link'), { code: 'EIO' })) : real(from, to));
    try {
      await assert.rejects(writeImageWithRecipe(dir, 'fox.png', PNG_1x1, record, 'sidecar'), (e: NodeJS.ErrnoException) => e.code === 'EIO');
    } finally {
      fsp.link = real;
    }
    assert.deepStrictEqual(listing(), []);
  });
});
