/**
 * Boundaries of the small core modules that mutation testing found unpinned: the checks a run
 * request passes before anything is read, the provider settings the engine gets, the no-overwrite
 * file writer, the numbered names of several results, the metadata error's name.
 */
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkRunRequest, VARIATION_PROMPT } from '../../../src/core/apiRequest';
import { writeNewFile } from '../../../src/core/files';
import { embedRecord, MetadataError } from '../../../src/core/metadata';
import { ModelTable } from '../../../src/core/models';
import { providerConfig, type ProviderSettings } from '../../../src/core/provider';
import { ValidationError } from '../../../src/core/request';
import { numberedName } from '../../../src/core/run';

const table = new ModelTable();
const gpt = table.get('gpt-image-1.5')!;
const dalle2 = table.get('dall-e-2')!;
const refused = (f: () => unknown, param: string, re: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof ValidationError && e.param === param && re.test(e.message));
const source = { image: { name: 'a.png' } };
const mask = { width: 4, height: 4, painted: new Uint8Array(16) };

suite('a run request, checked before anything is read', () => {
  test('an edit or a variation without a source image is refused; a generation needs none', () => {
    refused(() => checkRunRequest({ operation: 'edit', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, gpt), 'image', /^image: an input image is needed$/);
    refused(() => checkRunRequest({ operation: 'variation', model: 'dall-e-2', prompt: '', n: 1 }, dalle2), 'image', /an input image is needed/);
    assert.strictEqual(checkRunRequest({ operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1 }, gpt).operation, 'generate');
  });

  test('a mask goes with an edit only', () => {
    refused(() => checkRunRequest({ operation: 'variation', model: 'gpt-image-1.5', prompt: '', n: 1, sources: { ...source, mask } }, gpt), 'mask', /^mask: a mask applies to edits only$/);
    refused(() => checkRunRequest({ operation: 'generate', model: 'gpt-image-1.5', prompt: 'x', n: 1, sources: { ...source, mask } }, gpt), 'mask', /edits only/);
    assert.strictEqual(checkRunRequest({ operation: 'edit', model: 'gpt-image-1.5', prompt: 'x', n: 1, sources: { ...source, mask } }, gpt).operation, 'edit');
  });

  test('the input images come later when there are sources; the rest is validated now; the wire form is returned', () => {
    const wire = checkRunRequest({ operation: 'variation', model: 'gpt-image-1.5', prompt: ' warmer ', n: 2, sources: source }, gpt);
    assert.deepStrictEqual(wire, { operation: 'edit', model: 'gpt-image-1.5', prompt: `${VARIATION_PROMPT}\nwarmer`, n: 2 });
    assert.ok(!('sources' in wire));
    refused(() => checkRunRequest({ operation: 'edit', model: 'gpt-image-1.5', prompt: 'x', n: 11, sources: source }, gpt), 'n', /./);
  });
});

suite('the provider the engine is given', () => {
  const settings: ProviderSettings = {
    provider: 'openai',
    baseUrl: '',
    azure: { endpoint: 'https://r.example.com', deployment: 'd', apiVersion: 'v' },
    organization: '',
    project: '',
    requestTimeoutSeconds: 90,
  };

  test('blank settings are left out; the timeout is in milliseconds; Azure settings only for Azure', () => {
    assert.deepStrictEqual(providerConfig(settings, 'k'), { kind: 'openai', apiKey: 'k', baseUrl: undefined, azure: undefined, organization: undefined, project: undefined, safetyIdentifier: undefined, timeoutMs: 90_000 });
    assert.deepStrictEqual(providerConfig({ ...settings, provider: 'compatible', baseUrl: 'http://localhost:1/v1', organization: 'org', project: 'proj' }, 'k'), {
      kind: 'compatible',
      apiKey: 'k',
      baseUrl: 'http://localhost:1/v1',
      azure: undefined,
      organization: 'org',
      project: 'proj',
      safetyIdentifier: undefined,
      timeoutMs: 90_000,
    });
    assert.deepStrictEqual(providerConfig({ ...settings, provider: 'azure' }, 'k').azure, settings.azure);
  });
});

suite('writing a new file on disk', () => {
  let dir: string;
  setup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-files-'));
  });
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('creates the folder, writes the bytes, leaves no temporary file', async () => {
    const folder = path.join(dir, 'a', 'b');
    const written = await writeNewFile(folder, 'fox.png', Uint8Array.of(1, 2, 3));
    assert.strictEqual(written, path.join(folder, 'fox.png'));
    assert.deepStrictEqual([...fs.readFileSync(written)], [1, 2, 3]);
    assert.deepStrictEqual(fs.readdirSync(folder), ['fox.png']);
  });

  test('never overwrites: a taken name gets the next free one, the old file keeps its bytes', async () => {
    fs.writeFileSync(path.join(dir, 'fox.png'), 'old');
    fs.writeFileSync(path.join(dir, 'fox~2.png'), 'old 2');
    const written = await writeNewFile(dir, 'fox.png', Uint8Array.of(9));
    assert.strictEqual(written, path.join(dir, 'fox~3.png'));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'fox.png'), 'utf8'), 'old');
    assert.strictEqual(fs.readFileSync(path.join(dir, 'fox~2.png'), 'utf8'), 'old 2');
    assert.deepStrictEqual([...fs.readFileSync(written)], [9]);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['fox.png', 'fox~2.png', 'fox~3.png']);
  });

  test('a name taken behind the check\'s back is never replaced: after five tries it gives up, and nothing is left behind', async () => {
    // a broken symbolic link: the existence check (access) sees no file, link() finds the name taken
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'fox.png'));
    await assert.rejects(writeNewFile(dir, 'fox.png', Uint8Array.of(1)), new RegExp(`^Error: no free file name for fox\\.png in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    assert.deepStrictEqual(fs.readdirSync(dir), ['fox.png']);
    assert.strictEqual(fs.readlinkSync(path.join(dir, 'fox.png')), path.join(dir, 'nowhere'));
  });

  test('a failure other than a taken name is thrown, and nothing is left behind', async () => {
    // a file where the target folder should be: mkdir fails before anything is written
    fs.writeFileSync(path.join(dir, 'plain'), 'a file');
    await assert.rejects(writeNewFile(path.join(dir, 'plain', 'sub'), 'fox.png', Uint8Array.of(1)), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR' || e.code === 'EEXIST');
    assert.deepStrictEqual(fs.readdirSync(dir), ['plain']);
  });
});

suite('names of several results', () => {
  test('numbered from 1 when there are several, the extension the format\'s', () => {
    assert.strictEqual(numberedName('hero.png', 0, 1, 'webp'), 'hero.webp');
    assert.strictEqual(numberedName('hero.png', 0, 2, 'png'), 'hero-1.png');
    assert.strictEqual(numberedName('hero', 1, 2, 'jpeg'), 'hero-2.jpg');
    assert.strictEqual(numberedName('v1.2/hero', 0, 1, 'png'), 'v1.2/hero.png', 'a dot in a folder is not an extension');
  });
});

suite('metadata refusals', () => {
  test('are MetadataErrors by name too (what a log line shows)', () => {
    assert.throws(() => embedRecord(Uint8Array.of(1, 2, 3), { v: 1 } as never), (e: unknown) => e instanceof MetadataError && e.name === 'MetadataError');
  });
});
