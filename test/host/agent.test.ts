/**
 * The agent tools in a real VS Code, against the local fake Images API. They are called through
 * `vscode.lm.invokeTool`, the way Copilot's agent mode calls them, without a chat session (no
 * toolInvocationToken: VS Code then runs the tool without its confirmation, which only a chat
 * shows). What lands in the workspace, what the model is told, and every refusal writing nothing.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readRecord } from '../../src/core/metadata';
import { readImageSize } from '../../src/shared/imageFormat';
import { TOOL_NAMES } from '../../src/core/tools';
import type { FakeOpenAI } from '../fake-openai/server';

const EXT_ID = 'pixelwright.pixelwright';

suite('Agent tools (host, fake API)', function () {
  this.timeout(90_000);
  let fake: FakeOpenAI;
  let root: vscode.Uri;
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const dir = 'agent-test';

  const invoke = (name: string, input: object, token?: vscode.CancellationToken) => vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, token);
  const text = (r: vscode.LanguageModelToolResult) => r.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart).map((p) => p.value).join('\n');
  const files = async (sub = dir): Promise<string[]> => {
    try {
      return (await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(root, sub))).map(([n]) => n).sort();
    } catch {
      return [];
    }
  };
  const apiCalls = () => fake.requests.filter((r) => r.path.includes('/images/'));

  /** The call fails with words matching `re`, sends nothing, and writes nothing. */
  async function refused(name: string, input: object, re: RegExp): Promise<void> {
    const before = await files();
    const sent = apiCalls().length;
    await assert.rejects(Promise.resolve(invoke(name, input)), (err: Error) => {
      assert.match(err.message, re);
      return true;
    });
    assert.deepStrictEqual(await files(), before, 'nothing is written');
    assert.strictEqual(apiCalls().length, sent, 'nothing is sent');
  }

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!;
    const api = await ext.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI({ urlTtlMs: 60_000 });
    root = vscode.workspace.workspaceFolders![0].uri;
    const c = config();
    await c.update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await c.update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await c.update('outputFolder', dir, vscode.ConfigurationTarget.Workspace);
    await c.update('model', 'gpt-image-1.5', vscode.ConfigurationTarget.Workspace);
    await api.setApiKey('sk-test-key');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root, 'notes.txt'), new TextEncoder().encode('not an image'));
  });

  suiteTeardown(async () => {
    await fake?.close();
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, dir), { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  test('the four tools are registered from package.json, with schemas and # names', () => {
    for (const name of Object.values(TOOL_NAMES)) {
      const tool = vscode.lm.tools.find((t) => t.name === name);
      assert.ok(tool, `${name} is registered`);
      assert.ok(tool.description.length > 80, `${name} tells a model when to use it`);
      assert.strictEqual((tool.inputSchema as { type?: string })?.type, 'object');
    }
  });

  test('generate: writes the file named by target, answers with its path, a Markdown link, the revised prompt and the image', async () => {
    const r = await invoke(TOOL_NAMES.generate, { prompt: 'a lighthouse at dusk, flat vector style', target: `${dir}/hero image.png` });
    assert.deepStrictEqual(await files(), ['hero image.png']);
    const said = text(r);
    assert.match(said, new RegExp(`${dir}/hero image\\.png`));
    assert.match(said, /!\[a lighthouse at dusk, flat vector style\]\(agent-test\/hero%20image\.png\)/);
    const data = r.content.find((p): p is vscode.LanguageModelDataPart => p instanceof vscode.LanguageModelDataPart);
    assert.ok(data && data.mimeType === 'image/png' && data.data.byteLength > 100, 'the image is returned as data');
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, dir, 'hero image.png'));
    const record = readRecord(bytes);
    assert.strictEqual(record?.operation, 'generate');
    assert.strictEqual(record?.prompt, 'a lighthouse at dusk, flat vector style');
  });

  test('generate again onto the same target: a new name, the first file untouched', async () => {
    const first = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, dir, 'hero image.png'));
    await invoke(TOOL_NAMES.generate, { prompt: 'a lighthouse at dawn', target: `${dir}/hero image.png`, n: 2 });
    const now = await files();
    assert.strictEqual(now.length, 3, now.join(', '));
    assert.deepStrictEqual(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, dir, 'hero image.png')), first);
  });

  test('edit with regions: the mask sent is transparent exactly inside the ellipse, and the recipe says masked', async () => {
    fake.reset();
    const r = await invoke(TOOL_NAMES.edit, {
      images: [`${dir}/hero image.png`],
      prompt: 'the same lighthouse with a red door',
      regions: [{ shape: 'ellipse', x: 0.25, y: 0.5, width: 0.5, height: 0.25, units: 'fraction' }],
      target: `${dir}/edits/`,
    });
    const sent = apiCalls();
    assert.strictEqual(sent.length, 1);
    assert.match(sent[0].path, /\/images\/edits$/);
    const maskFile = sent[0].files?.find((f) => f.field === 'mask');
    assert.ok(maskFile, 'a mask was sent');
    const sharp = require('sharp') as typeof import('sharp');
    const { data, info } = await sharp(Buffer.from(maskFile.bytes)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * 4 + 3];
    assert.strictEqual(at(Math.floor(info.width / 2), Math.floor(info.height * 0.625)), 0, 'the ellipse centre is to be edited');
    assert.strictEqual(at(2, 2), 255, 'a corner is kept');
    assert.strictEqual(at(Math.floor(info.width * 0.26), Math.floor(info.height * 0.51)), 255, 'the box corner outside the ellipse is kept');
    const written = await files(`${dir}/edits`);
    assert.strictEqual(written.length, 1);
    assert.match(text(r), /agent-test\/edits\//);
    const record = readRecord(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, dir, 'edits', written[0])));
    assert.strictEqual(record?.operation, 'edit');
    assert.deepStrictEqual(record?.sources, [`${dir}/hero image.png`]);
    assert.strictEqual(record?.options.masked, true);
    assert.strictEqual(record?.options.keep_unmasked, true);
  });

  test('variations with dall-e-2: the variations endpoint, square results', async () => {
    fake.reset();
    await invoke(TOOL_NAMES.variations, { image: `${dir}/hero image.png`, model: 'dall-e-2', n: 2, target: `${dir}/variations` });
    assert.match(apiCalls()[0].path, /\/images\/variations$/);
    const written = await files(`${dir}/variations`);
    assert.strictEqual(written.length, 2);
    const size = readImageSize(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, dir, 'variations', written[0])));
    assert.strictEqual(size?.width, size?.height);
  });

  test('what preparing the image changed is said with the answer: a wide image padded to a square for dall-e-2 (a routine conversion is not)', async () => {
    fake.reset();
    const sharp = require('sharp') as typeof import('sharp');
    const wide = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } }).jpeg().toBuffer();
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root, dir, 'wide.jpg'), wide);
    const r = await invoke(TOOL_NAMES.variations, { image: `${dir}/wide.jpg`, model: 'dall-e-2', n: 1, target: `${dir}/wide-variations` });
    assert.strictEqual(apiCalls().length, 1);
    assert.match(text(r), /wide\.jpg: padded to a square with its edge colours/);
    assert.doesNotMatch(text(r), /converted from JPEG to PNG/, 'a routine conversion goes to the log only');
  });

  test('recipe: reads what an image was made from, without calling the API', async () => {
    const sent = apiCalls().length;
    const r = await invoke(TOOL_NAMES.recipe, { image: `${dir}/hero image.png` });
    assert.match(text(r), /a lighthouse at dusk, flat vector style/);
    assert.match(text(r), /"model": "gpt-image-1.5"/);
    assert.strictEqual(apiCalls().length, sent);
  });

  test('refusals: clear words, nothing sent, nothing written', async () => {
    await refused(TOOL_NAMES.edit, { images: ['../outside.png'], prompt: 'x' }, /outside the workspace/);
    await refused(TOOL_NAMES.edit, { images: ['missing.png'], prompt: 'x' }, /does not exist/);
    await refused(TOOL_NAMES.edit, { images: ['notes.txt'], prompt: 'x' }, /not a PNG, JPEG or WebP/);
    await refused(TOOL_NAMES.edit, { images: [`${dir}/hero image.png`], prompt: 'x', model: 'dall-e-3' }, /dall-e-3 cannot edit images/);
    await refused(TOOL_NAMES.edit, { images: [`${dir}/hero image.png`], prompt: 'x', regions: [{ shape: 'rectangle', x: 5000, y: 0, width: 10, height: 10 }] }, /lies outside the \d+x\d+ image/);
    await refused(TOOL_NAMES.edit, { images: [`${dir}/hero image.png`], prompt: 'x', mask: `${dir}/variations` }, /is a folder/);
    await refused(TOOL_NAMES.generate, { prompt: 'x', colour: 'red' }, /unknown field "colour"/);
    await refused(TOOL_NAMES.generate, { prompt: 'x', model: 'dall-e-3', size: '512x512' }, /size/);
    // SVG and GIF output and complexity follow the palette's rules: off by the setting, refused with how to turn it on.
    await refused(TOOL_NAMES.generate, { prompt: 'x', model: 'gpt-image-2.5-flare', outputFormat: 'svg' }, /SVG and GIF output are turned off: turn on the setting pixelwright\.experimental\.vectorAndAnimatedOutput/);
    await refused(TOOL_NAMES.generate, { prompt: 'x', model: 'gpt-image-1.5', complexity: 'high' }, /gpt-image-1\.5 does not take complexity/);
    await refused(TOOL_NAMES.generate, { prompt: 'x', target: '../../etc/x.png' }, /outside the workspace/);
    await refused(TOOL_NAMES.variations, { image: `${dir}/hero image.png`, model: 'no-such-model' }, /unknown model "no-such-model"/);
  });

  test('a mask of the wrong size is refused, never sent as a full-image edit', async () => {
    const sharp = require('sharp') as typeof import('sharp');
    const small = await sharp({ create: { width: 100, height: 60, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root, 'small-mask.png'), small);
    await refused(TOOL_NAMES.edit, { images: [`${dir}/hero image.png`], prompt: 'x', mask: 'small-mask.png' }, /mask/i);
  });

  test('cancelled: nothing is written', async () => {
    const cts = new vscode.CancellationTokenSource();
    fake.setLatency(1500);
    const before = await files();
    const run = invoke(TOOL_NAMES.generate, { prompt: 'a slow one' }, cts.token);
    setTimeout(() => cts.cancel(), 300);
    // VS Code answers a cancelled call itself ("Canceled"); the run behind it must stop and save nothing.
    await assert.rejects(Promise.resolve(run), /cancel/i);
    await new Promise((r) => setTimeout(r, 2500));
    fake.setLatency(0);
    assert.deepStrictEqual(await files(), before);
  });
});
