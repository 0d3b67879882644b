/**
 * The MCP server as any MCP client sees it: started as a process over stdio and driven by the
 * official SDK's own client, against the fake Images API. What it lists, what it writes (only
 * under its workspace root), what it answers, and its refusals.
 */
import * as assert from 'assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import sharp from 'sharp';
import { readRecord } from '../../../src/core/metadata';
import { TOOL_DEFINITIONS } from '../../../src/core/toolDefinitions';
import { TOOL_NAMES } from '../../../src/core/tools';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-openai/server';

const SERVER = path.join(__dirname, '..', '..', '..', 'src', 'mcp', 'server.js');

suite('MCP server over stdio (SDK client, fake API)', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let root: string;
  let outside: string;
  let client: Client;

  type Result = { isError?: boolean; content: { type: string; text?: string; data?: string; mimeType?: string }[] };
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
  const text = (r: Result) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  const tree = (dir = root): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name])).sort();

  suiteSetup(async () => {
    fake = await startFakeOpenAI();
    root = mkdtempSync(path.join(tmpdir(), 'pw-mcp-'));
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toFile(path.join(root, 'photo.png'));
    writeFileSync(path.join(root, 'notes.txt'), 'not an image');
    outside = mkdtempSync(path.join(tmpdir(), 'pw-outside-'));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toFile(path.join(outside, 'secret.png'));
    symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'linked.png'));
    client = new Client({ name: 'pixelwright-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [SERVER],
        env: { PIXELWRIGHT_WORKSPACE: root, PIXELWRIGHT_PROVIDER: 'compatible', PIXELWRIGHT_BASE_URL: fake.url, PIXELWRIGHT_API_KEY: 'sk-test-key', PIXELWRIGHT_OUTPUT_FOLDER: 'art', PATH: process.env.PATH ?? '' },
        stderr: 'pipe',
      }),
    );
  });

  suiteTeardown(async () => {
    await client?.close();
    await fake?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test('lists the four tools with the descriptions and schemas VS Code shows Copilot', async () => {
    const { tools } = await client.listTools();
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), Object.values(TOOL_NAMES).sort());
    for (const t of tools) {
      const def = TOOL_DEFINITIONS.find((d) => d.name === t.name)!;
      assert.strictEqual(t.description, def.description);
      assert.deepStrictEqual(t.inputSchema, def.inputSchema);
    }
  });

  test('generate: writes under the root, with its recipe; answers with the path, a Markdown link and the image', async () => {
    const r = await call(TOOL_NAMES.generate, { prompt: 'a paper boat on a pond', target: 'art/boat.png' });
    assert.ok(!r.isError, text(r));
    assert.ok(tree().includes('art/boat.png'), tree().join(', '));
    assert.match(text(r), /- art\/boat\.png \(Markdown: !\[a paper boat on a pond\]\(art\/boat\.png\)\)/);
    const image = r.content.find((c) => c.type === 'image');
    assert.strictEqual(image?.mimeType, 'image/png');
    assert.ok(Buffer.from(image!.data!, 'base64').length > 100);
    const record = readRecord(readFileSync(path.join(root, 'art', 'boat.png')));
    assert.strictEqual(record?.prompt, 'a paper boat on a pond');
    assert.strictEqual(record?.tool, 'Pixelwright MCP server');
    assert.strictEqual(JSON.stringify(record).includes('sk-test-key'), false);
  });

  test('the same target again: a new file, the first one untouched', async () => {
    const before = readFileSync(path.join(root, 'art', 'boat.png'));
    const r = await call(TOOL_NAMES.generate, { prompt: 'another boat', target: 'art/boat.png' });
    assert.ok(!r.isError, text(r));
    assert.deepStrictEqual(readFileSync(path.join(root, 'art', 'boat.png')), before);
    assert.strictEqual(tree().filter((f) => f.startsWith('art/boat')).length, 2);
  });

  test('edit with a rectangle: the mask is sent, the recipe names the source', async () => {
    fake.reset();
    const r = await call(TOOL_NAMES.edit, { images: ['photo.png'], prompt: 'a bird in the corner', regions: [{ shape: 'rectangle', x: 0, y: 0, width: 0.5, height: 0.5, units: 'fraction' }] });
    assert.ok(!r.isError, text(r));
    const sent = fake.requests.filter((q) => q.path.endsWith('/images/edits'));
    assert.strictEqual(sent.length, 1);
    assert.ok(sent[0].files?.some((f) => f.field === 'mask'), 'a mask was sent');
    const written = tree().filter((f) => f.startsWith('art/photo'));
    assert.strictEqual(written.length, 1, tree().join(', '));
    const record = readRecord(readFileSync(path.join(root, written[0])));
    assert.deepStrictEqual(record?.sources, ['photo.png']);
    assert.strictEqual(record?.options.masked, true);
  });

  test('recipe: read locally', async () => {
    const r = await call(TOOL_NAMES.recipe, { image: 'art/boat.png' });
    assert.match(text(r), /"prompt": "a paper boat on a pond"/);
    assert.match(text((await call(TOOL_NAMES.recipe, { image: 'photo.png' }))), /carries no Pixelwright recipe/);
  });

  test('refusals: a tool error in plain words, nothing written, nothing sent', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [TOOL_NAMES.edit, { images: ['../x.png'], prompt: 'x' }, /outside the workspace/],
      [TOOL_NAMES.edit, { images: ['linked.png'], prompt: 'x' }, /link to a file outside the workspace/],
      [TOOL_NAMES.edit, { images: ['notes.txt'], prompt: 'x' }, /not a PNG, JPEG or WebP/],
      [TOOL_NAMES.edit, { images: ['gone.png'], prompt: 'x' }, /does not exist/],
      [TOOL_NAMES.generate, { prompt: 'x', target: '../../elsewhere/x.png' }, /leads outside the workspace/],
      [TOOL_NAMES.generate, { prompt: 'x', target: '/etc/x.png' }, /not an absolute path/],
      [TOOL_NAMES.variations, { image: 'photo.png', model: 'dall-e-3' }, /dall-e-3 cannot make variations/],
      [TOOL_NAMES.edit, { images: ['photo.png'], prompt: 'x', regions: [{ shape: 'ellipse', x: 100, y: 100, width: 5, height: 5 }] }, /lies outside the 64x48 image/],
      ['no_such_tool', {}, /there is no tool "no_such_tool"/],
    ];
    const before = tree();
    fake.reset();
    for (const [name, args, re] of cases) {
      const r = await call(name, args);
      assert.strictEqual(r.isError, true, `${name} ${JSON.stringify(args)} was not refused`);
      assert.match(text(r), re);
    }
    assert.deepStrictEqual(tree(), before);
    assert.strictEqual(fake.requests.filter((q) => q.path.includes('/images/')).length, 0);
  });
});

suite('the tools VS Code shows Copilot and the MCP server lists are the same', () => {
  test('package.json languageModelTools = core TOOL_DEFINITIONS (name, model description, schema)', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
    const contributed = pkg.contributes.languageModelTools.map((t: { name: string; modelDescription: string; inputSchema: unknown }) => ({ name: t.name, description: t.modelDescription, inputSchema: t.inputSchema }));
    assert.deepStrictEqual(contributed, TOOL_DEFINITIONS);
  });
});

suite('MCP server: complexity, SVG and GIF output (SDK client, fake API)', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let root: string;
  type Result = { isError?: boolean; content: { type: string; text?: string; data?: string; mimeType?: string }[] };
  const text = (r: Result) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  const clients: Client[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const client = new Client({ name: 'pixelwright-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [SERVER],
        env: { PIXELWRIGHT_WORKSPACE: root, PIXELWRIGHT_PROVIDER: 'compatible', PIXELWRIGHT_BASE_URL: fake.url, PIXELWRIGHT_API_KEY: 'sk-test-key', PIXELWRIGHT_OUTPUT_FOLDER: 'art', PATH: process.env.PATH ?? '', ...env },
        stderr: 'pipe',
      }),
    );
    clients.push(client);
    return async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
  };
  const generations = () => fake.requests.filter((r) => r.path.endsWith('/images/generations')).map((r) => (r.body ?? {}) as Record<string, unknown>);

  suiteSetup(async () => {
    fake = await startFakeOpenAI({ previewAccess: { svg: true, gif: true } });
    root = mkdtempSync(path.join(tmpdir(), 'pw-mcp-preview-'));
  });

  suiteTeardown(async () => {
    for (const c of clients) await c.close();
    await fake?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('off (no PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT): SVG and GIF are refused with how to turn them on; nothing sent, nothing written', async () => {
    const call = await start();
    fake.reset();
    for (const args of [{ outputFormat: 'svg' }, { outputFormat: 'gif', frameCount: 4 }, { target: 'art/spin.gif' }]) {
      const r = await call(TOOL_NAMES.generate, { prompt: 'a lantern', model: 'gpt-image-2.5-flare', ...args });
      assert.strictEqual(r.isError, true, JSON.stringify(args));
      assert.match(text(r), /^Pixelwright: "outputFormat" (svg|gif): SVG and GIF output are turned off here: set PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT=1 where the MCP server starts \(VS Code sets it from the setting pixelwright\.experimental\.vectorAndAnimatedOutput\)$/);
    }
    assert.strictEqual(fake.requests.filter((q) => q.path.includes('/images/')).length, 0);
    assert.deepStrictEqual(readdirSync(root), []);
  });

  test('complexity goes to the API on the 2.5 and 2.6 models; a model without it refuses it before sending', async () => {
    const call = await start();
    fake.reset();
    const r = await call(TOOL_NAMES.generate, { prompt: 'a lantern', model: 'gpt-image-2.6-flare', size: '1024x1024', quality: 'low', complexity: 'high' });
    assert.ok(!r.isError, text(r));
    assert.strictEqual(generations()[0].complexity, 'high');
    const refused = await call(TOOL_NAMES.generate, { prompt: 'a lantern', model: 'gpt-image-1.5', complexity: 'high' });
    assert.strictEqual(refused.isError, true);
    assert.match(text(refused), /complexity: gpt-image-1\.5 does not take complexity/);
    assert.strictEqual(generations().length, 1, 'the refused call sent nothing');
  });

  test('on: an SVG is written as .svg with its recipe and answered by its path (no image part); a GIF with its frames', async () => {
    const call = await start({ PIXELWRIGHT_VECTOR_AND_ANIMATED_OUTPUT: '1' });
    fake.reset();
    const svg = await call(TOOL_NAMES.generate, { prompt: 'a vector fox', model: 'gpt-image-2.6-sunburst', size: '1024x1024', quality: 'low', outputFormat: 'svg', complexity: 'low', target: 'art/fox.svg' });
    assert.ok(!svg.isError, text(svg));
    assert.match(text(svg), /- art\/fox\.svg \(Markdown: !\[a vector fox\]\(art\/fox\.svg\)\)/);
    assert.deepStrictEqual(svg.content.filter((c) => c.type === 'image'), [], 'an SVG is not sent back as an image part');
    const written = readFileSync(path.join(root, 'art', 'fox.svg'));
    assert.match(written.toString('utf8'), /<svg[\s>]/);
    const record = readRecord(written);
    assert.deepStrictEqual([record?.prompt, record?.model, record?.options.complexity], ['a vector fox', 'gpt-image-2.6-sunburst', 'low']);
    assert.deepStrictEqual([generations()[0].output_format, generations()[0].complexity], ['svg', 'low']);
    const gif = await call(TOOL_NAMES.generate, { prompt: 'a spinning coin', model: 'gpt-image-2.5-flare', size: '1024x1024', quality: 'low', outputFormat: 'gif', frameCount: 4, frameDurationMs: 150 });
    assert.ok(!gif.isError, text(gif));
    const body = generations()[1];
    assert.deepStrictEqual([body.output_format, body.frame_count, body.frame_duration_ms], ['gif', 4, 150]);
    const image = gif.content.find((c) => c.type === 'image');
    assert.strictEqual(image?.mimeType, 'image/gif');
    const bad = await call(TOOL_NAMES.generate, { prompt: 'a spinning coin', model: 'gpt-image-2.5-flare', outputFormat: 'gif', frameCount: 40 });
    assert.strictEqual(bad.isError, true);
    assert.match(text(bad), /frame_count: 40 is not a whole number from 2 to 16/);
  });
});
