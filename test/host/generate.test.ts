/**
 * The generate command in a real VS Code, against the local fake Images API: what lands in the
 * workspace, and what the user is told under each injected fault.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readRecord } from '../../src/core/metadata';
import { readImageSize } from '../../src/shared/imageFormat';
import type { FakeOpenAI } from '../fake-openai/server';

const EXT_ID = 'pixelwright.pixelwright';
const KEY = 'sk-test-key';

interface Shown {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly actions: string[];
}

/** Records the messages the extension shows (and answers them with "dismissed"). */
function captureMessages(): { shown: Shown[]; restore(): void } {
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = { error: w.showErrorMessage, warning: w.showWarningMessage, info: w.showInformationMessage };
  const shown: Shown[] = [];
  const spy = (level: Shown['level']) => (message: string, ...rest: unknown[]) => {
    shown.push({ level, message, actions: rest.filter((r): r is string => typeof r === 'string') });
    return Promise.resolve(undefined);
  };
  w.showErrorMessage = spy('error');
  w.showWarningMessage = spy('warning');
  w.showInformationMessage = spy('info');
  return {
    shown,
    restore() {
      w.showErrorMessage = originals.error;
      w.showWarningMessage = originals.warning;
      w.showInformationMessage = originals.info;
    },
  };
}

async function settle(shown: Shown[], count = 1, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (shown.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

suite('Generate Image (host, fake API)', function () {
  this.timeout(60_000);
  let fake: FakeOpenAI;
  let root: vscode.Uri;
  let out: vscode.Uri;
  let messages: ReturnType<typeof captureMessages>;
  const config = () => vscode.workspace.getConfiguration('pixelwright');

  const generate = (args: Record<string, unknown>) => vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.generate', { noOpen: true, ...args });

  async function listOut(): Promise<string[]> {
    try {
      return (await vscode.workspace.fs.readDirectory(out)).map(([name]) => name).sort();
    } catch {
      return [];
    }
  }

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!;
    const api = await ext.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI({ urlTtlMs: 60_000 });
    root = vscode.workspace.workspaceFolders![0].uri;
    out = vscode.Uri.joinPath(root, 'host-test-images');
    const c = config();
    await c.update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await c.update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await c.update('outputFolder', 'host-test-images', vscode.ConfigurationTarget.Workspace);
    await c.update('rateLimitMaxWaitSeconds', 5, vscode.ConfigurationTarget.Workspace);
    await api.setApiKey(KEY);
  });


  setup(async () => {
    fake.reset();
    messages = captureMessages();
    await vscode.workspace.fs.delete(out, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  teardown(() => messages.restore());

  suiteTeardown(async () => {
    await vscode.workspace.fs.delete(out, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    for (const k of ['provider', 'baseUrl', 'outputFolder', 'rateLimitMaxWaitSeconds']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await fake?.close();
  });

  test('one PNG lands in the output folder with how it was made inside', async () => {
    const files = await generate({ prompt: 'a sea otter wearing a beret', model: 'gpt-image-1.5', size: '1024x1536', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' });
    assert.strictEqual(files.length, 1);
    assert.ok(files[0].path.startsWith(out.path + '/'), files[0].path);
    assert.match(files[0].path, /\/a-sea-otter-wearing-a-beret-\d{8}-\d{6}\.png$/);
    const bytes = await vscode.workspace.fs.readFile(files[0]);
    assert.deepStrictEqual(readImageSize(bytes), { width: 1024, height: 1536 });
    const record = readRecord(bytes)!;
    assert.strictEqual(record.prompt, 'a sea otter wearing a beret');
    assert.strictEqual(record.model, 'gpt-image-1.5');
    assert.strictEqual(record.operation, 'generate');
    assert.strictEqual(record.options.size, '1024x1536');
    assert.strictEqual(record.options.quality, 'low');
    assert.strictEqual(record.provider.kind, 'compatible');
    assert.match(record.requestId ?? '', /^req_/);
    assert.ok(!new TextDecoder('latin1').decode(bytes).includes(KEY), 'the key must not be in the file');
    // exactly one request, validated by the fake as the service would
    const reqs = fake.requests.filter((r) => r.path.endsWith('/images/generations'));
    assert.strictEqual(reqs.length, 1);
    assert.deepStrictEqual(await listOut(), [files[0].path.split('/').pop()]);
  });

  test('a Chinese prompt gives a readable name and survives in the file', async () => {
    const prompt = '一只戴贝雷帽的海獭，水彩风格';
    const [file] = await generate({ prompt, model: 'gpt-image-1-mini', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' });
    assert.match(decodeURIComponent(file.path), /\/一只戴贝雷帽的海獭-水彩风格-\d{8}-\d{6}\.png$/);
    assert.strictEqual(readRecord(await vscode.workspace.fs.readFile(file))!.prompt, prompt);
  });

  test('JPEG and WebP get their real extension and an XMP record', async () => {
    for (const [format, ext] of [['jpeg', '.jpg'], ['webp', '.webp']] as const) {
      const [file] = await generate({ prompt: `lighthouse ${format}`, model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: format, outputCompression: 70, background: 'opaque' });
      assert.ok(file.path.endsWith(ext), file.path);
      const rec = readRecord(await vscode.workspace.fs.readFile(file))!;
      assert.strictEqual(rec.options.output_format, format);
      assert.strictEqual(rec.options.output_compression, 70);
    }
  });

  test('dall-e-3 n=3 becomes three parallel requests; URL results are downloaded with their revised prompt', async () => {
    const files = await generate({ prompt: 'a paper boat', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'vivid', n: 3 });
    assert.strictEqual(files.length, 3);
    const gens = fake.requests.filter((r) => r.path.endsWith('/images/generations'));
    assert.strictEqual(gens.length, 3);
    assert.ok(fake.requests.some((r) => r.path.startsWith('/_fake/files/')), 'the URL results were downloaded');
    const names = files.map((f) => f.path.split('/').pop()!);
    assert.deepStrictEqual(names.map((n) => /-(\d)\.png$/.exec(n)?.[1]).sort(), ['1', '2', '3']);
    const rec = readRecord(await vscode.workspace.fs.readFile(files[0]))!;
    assert.ok(rec.revisedPrompt, 'dall-e-3 gives a revised prompt');
    assert.strictEqual(rec.count, 3);
  });

  test('never overwrites: the same name twice gives two files', async () => {
    const args = { prompt: 'same name', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' };
    const [a] = await generate(args);
    const [b] = await generate(args);
    assert.notStrictEqual(a.path, b.path);
    assert.strictEqual((await listOut()).length, 2);
  });

  test('a request the model cannot take is refused before any network call', async () => {
    const files = await generate({ prompt: 'x', model: 'dall-e-3', size: '512x512', quality: 'standard', style: 'vivid', n: 1 });
    assert.deepStrictEqual(files, []);
    assert.strictEqual(fake.requests.length, 0);
    await settle(messages.shown);
    assert.match(messages.shown[0].message, /size/);
    assert.match(messages.shown[0].message, /1024x1024, 1792x1024, 1024x1792/);
    assert.match(messages.shown[0].message, /^Pixelwright cannot send this request/, 'the product name once');
  });

  test('an unknown model and a bad argument are refused clearly', async () => {
    assert.deepStrictEqual(await generate({ prompt: 'x', model: 'no-such-model' }), []);
    assert.deepStrictEqual(await generate({ prompt: 'x', n: 'three' }), []);
    await settle(messages.shown, 2);
    assert.match(messages.shown[0].message, /no-such-model/);
    assert.match(messages.shown[1].message, /"n"/);
    assert.strictEqual(fake.requests.length, 0);
  });

  test('an output folder outside the workspace is refused', async () => {
    await config().update('outputFolder', '../escape', vscode.ConfigurationTarget.Workspace);
    try {
      assert.deepStrictEqual(await generate({ prompt: 'x', model: 'gpt-image-1.5', size: 'auto', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' }), []);
      await settle(messages.shown);
      assert.match(messages.shown[0].message, /outside the workspace/);
      assert.strictEqual(fake.requests.length, 0);
    } finally {
      await config().update('outputFolder', 'host-test-images', vscode.ConfigurationTarget.Workspace);
    }
  });

  test('an output folder that is a link out of the workspace is refused before any request, naming where it goes', async () => {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pw-outside-')));
    const link = path.join(root.fsPath, 'host-test-link');
    fs.symlinkSync(outside, link);
    await config().update('outputFolder', 'host-test-link/generated', vscode.ConfigurationTarget.Workspace);
    try {
      const args = { prompt: 'escape', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' };
      assert.deepStrictEqual(await generate(args), []);
      await settle(messages.shown);
      assert.strictEqual(messages.shown[0]?.level, 'error', JSON.stringify(messages.shown));
      assert.match(messages.shown[0].message, /"host-test-link\/generated" is refused/);
      assert.ok(messages.shown[0].message.includes(`"host-test-link" is a link to ${outside}, outside the workspace folder`), messages.shown[0].message);
      assert.strictEqual(fake.requests.length, 0, 'nothing was paid for');
      assert.deepStrictEqual(fs.readdirSync(outside), [], 'nothing was written outside');
      // A link that stays inside the workspace is fine.
      fs.rmSync(link);
      fs.mkdirSync(out.fsPath, { recursive: true });
      fs.symlinkSync(out.fsPath, link);
      const files = await generate(args);
      assert.strictEqual(files.length, 1);
      assert.ok(fs.realpathSync(files[0].fsPath).startsWith(fs.realpathSync(out.fsPath) + path.sep), fs.realpathSync(files[0].fsPath));
    } finally {
      fs.rmSync(link, { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
      await config().update('outputFolder', 'host-test-images', vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a link out of the workspace that appears while the run is under way stops the write', async () => {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pw-outside-')));
    const link = path.join(root.fsPath, 'host-test-late-link');
    await config().update('outputFolder', 'host-test-late-link/generated', vscode.ConfigurationTarget.Workspace);
    fake.setLatency(1500);
    try {
      const run = generate({ prompt: 'late link', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' });
      // The folder did not exist when the run started; a checkout puts a link there meanwhile.
      while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      fs.symlinkSync(outside, link);
      assert.deepStrictEqual(await run, []);
      await settle(messages.shown);
      assert.ok(messages.shown.some((m) => m.level === 'error' && m.message.includes(`is a link to ${outside}`)), JSON.stringify(messages.shown));
      assert.deepStrictEqual(fs.readdirSync(outside), [], 'nothing was written outside');
    } finally {
      fake.setLatency(0);
      fs.rmSync(link, { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
      await config().update('outputFolder', 'host-test-images', vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a 429 with retry-after is waited out and the image still lands', async () => {
    fake.inject({ kind: 'rate_limit', retryAfterSeconds: 1, times: 1 });
    const t0 = Date.now();
    const files = await generate({ prompt: 'patience', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' });
    assert.strictEqual(files.length, 1);
    assert.ok(Date.now() - t0 >= 900, 'it waited for retry-after');
    assert.strictEqual(fake.requests.filter((r) => r.path.endsWith('/images/generations')).length, 2);
  });

  test('one failed request of a batch keeps the images that succeeded', async () => {
    fake.inject({ kind: 'moderation', times: 1 });
    const files = await generate({ prompt: 'three boats', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'natural', n: 3 });
    assert.strictEqual(files.length, 2);
    assert.strictEqual((await listOut()).length, 2);
    await settle(messages.shown);
    assert.strictEqual(messages.shown[0].level, 'warning');
    assert.match(messages.shown[0].message, /2 of 3/);
    assert.match(messages.shown[0].message, /safety system/);
  });

  const faults: [string, Record<string, unknown>, RegExp, string | undefined][] = [
    ['unauthorized', { kind: 'unauthorized' }, /API key was refused/, 'Set API Key'],
    ['org verification', { kind: 'org_verification' }, /organization must be verified/, undefined],
    ['moderation', { kind: 'moderation' }, /safety system refused this prompt/, 'Edit Prompt'],
    ['quota', { kind: 'quota' }, /quota is used up/, undefined],
    ['rate limit beyond the wait budget', { kind: 'rate_limit', retryAfterSeconds: 30, times: 5 }, /rate limited/i, 'Try Again'],
    ['500 every time', { kind: 'server_error', times: 20 }, /internal error \(500\)/, 'Try Again'],
    ['503 every time', { kind: 'overloaded', times: 20 }, /overloaded \(503\)/, 'Try Again'],
    ['dropped connection', { kind: 'drop', times: 1 }, /^Pixelwright: The provider's answer was cut off/, 'Try Again'],
    ['JSON cut short', { kind: 'malformed_json', times: 1 }, /^Pixelwright: The provider's answer was cut off/, 'Try Again'],
  ];
  for (const [name, fault, message, action] of faults) {
    test(`fault: ${name} -> a clear message, nothing written`, async () => {
      fake.inject(fault as never);
      const files = await generate({ prompt: `fault ${name}`, model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' });
      assert.deepStrictEqual(files, []);
      await settle(messages.shown);
      const err = messages.shown.find((m) => m.level === 'error');
      assert.ok(err, `an error was shown: ${JSON.stringify(messages.shown)}`);
      assert.match(err.message, message);
      if (action) assert.ok(err.actions.includes(action), `offers ${action}: ${err.actions.join(', ')}`);
      assert.ok(err.actions.includes('Show Log'));
      assert.ok(!err.message.includes(KEY) && !/sk-te/.test(err.message), 'no key in the message');
      assert.deepStrictEqual(await listOut(), [], 'no file, no temp file left');
    });
  }

  test('fault: an expired result URL -> a clear message, nothing written', async () => {
    fake.inject({ kind: 'expired_url', times: 1 });
    const files = await generate({ prompt: 'expiring', model: 'dall-e-2', size: '256x256', n: 1 });
    assert.deepStrictEqual(files, []);
    await settle(messages.shown);
    assert.match(messages.shown[0].message, /could not be downloaded/);
    assert.deepStrictEqual(await listOut(), []);
  });

  test('a wrong key on a later run asks for nothing but says 401 without showing the key', async () => {
    const ext = vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!;
    await ext.exports.setApiKey('sk-wrong-key-123456789');
    try {
      assert.deepStrictEqual(await generate({ prompt: 'who am i', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' }), []);
      await settle(messages.shown);
      assert.match(messages.shown[0].message, /401/);
      assert.ok(!messages.shown[0].message.includes('sk-wrong'));
    } finally {
      await ext.exports.setApiKey(KEY);
    }
  });
});
