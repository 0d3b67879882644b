/**
 * SVG and GIF output in a real VS Code, against the fake Images API: behind the setting, each run
 * lands as a .svg / .gif file with its recipe inside; a project without access is told so, with
 * the action that turns the setting off; the safety identifier goes out hashed.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import { readRecord } from '../../src/core/metadata';
import { readImageSize } from '../../src/shared/imageFormat';
import type { FakeOpenAI } from '../fake-openai/server';

const EXT_ID = 'pixelwright.pixelwright';
const SETTING = 'experimental.vectorAndAnimatedOutput';

interface Shown {
  readonly message: string;
  readonly actions: string[];
}

suite('SVG and GIF output (host, fake API)', function () {
  this.timeout(90_000);
  let fake: FakeOpenAI;
  let out: vscode.Uri;
  const shown: Shown[] = [];
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = { error: w.showErrorMessage, info: w.showInformationMessage, warning: w.showWarningMessage };
  /** What the next error message's button press is (undefined: dismissed). */
  let press: string | undefined;
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const generate = (args: Record<string, unknown>) => vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.generate', { noOpen: true, ...args });
  const generations = () => fake.requests.filter((r) => r.path.endsWith('/images/generations')).map((r) => r.body as Record<string, unknown>);

  suiteSetup(async () => {
    const api = await vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI();
    out = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'host-test-vector');
    const c = config();
    await c.update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await c.update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await c.update('outputFolder', 'host-test-vector', vscode.ConfigurationTarget.Workspace);
    await c.update('safetyIdentifier', 'ada@example.com', vscode.ConfigurationTarget.Workspace);
    await api.setApiKey(fake.apiKey);
    const spy = (message: string, ...rest: unknown[]) => {
      const actions = rest.filter((r): r is string => typeof r === 'string');
      shown.push({ message, actions });
      return Promise.resolve(press && actions.includes(press) ? press : undefined);
    };
    w.showErrorMessage = spy;
    w.showInformationMessage = spy;
    w.showWarningMessage = spy;
  });

  setup(async () => {
    fake.reset();
    // reset() leaves the access as it was: each test grants what it needs.
    fake.setPreviewAccess({ svg: false, gif: false });
    shown.length = 0;
    press = undefined;
    await config().update(SETTING, true, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    w.showErrorMessage = originals.error;
    w.showInformationMessage = originals.info;
    w.showWarningMessage = originals.warning;
    await vscode.workspace.fs.delete(out, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    for (const k of ['provider', 'baseUrl', 'outputFolder', 'safetyIdentifier', SETTING]) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await fake?.close();
  });

  test('an SVG run writes a .svg whose <metadata> holds the recipe; the safety identifier goes out hashed', async () => {
    fake.setPreviewAccess({ svg: true });
    const files = await generate({ prompt: 'a lighthouse as a flat icon', model: 'gpt-image-2.6-flare', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'svg', background: 'auto', complexity: 'low' });
    assert.strictEqual(files.length, 1, JSON.stringify(shown));
    assert.match(files[0].path, /\/a-lighthouse-as-a-flat-icon-\d{8}-\d{6}\.svg$/);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(files[0]));
    assert.match(text, /^<\?xml[^>]*\?>\s*<svg [^>]*><metadata id="pixelwright-recipe">/);
    const record = readRecord(new TextEncoder().encode(text))!;
    assert.strictEqual(record.prompt, 'a lighthouse as a flat icon');
    assert.strictEqual(record.options.output_format, 'svg');
    assert.strictEqual(record.options.complexity, 'low');
    const [body] = generations();
    assert.strictEqual(body.safety_identifier, createHash('sha256').update('ada@example.com').digest('hex'));
    assert.ok(!JSON.stringify(fake.requests).includes('ada@example.com'), 'the raw identifier never leaves');
    assert.ok(!text.includes('ada@') && !text.includes(String(body.safety_identifier)), 'nor is it in the recipe');
  });

  test('a GIF run with n=2 is two requests of one image each; the .gif files keep their frames and carry the recipe', async () => {
    fake.setPreviewAccess({ gif: true });
    const files = await generate({ prompt: 'a spinning coin', model: 'gpt-image-2.5-flare', size: '1024x1024', quality: 'low', n: 2, outputFormat: 'gif', background: 'auto', complexity: 'medium', frameCount: 4, frameDurationMs: 150 });
    assert.strictEqual(files.length, 2, JSON.stringify(shown));
    const bodies = generations();
    assert.deepStrictEqual(bodies.map((b) => [b.n, b.output_format, b.frame_count, b.frame_duration_ms, b.stream === true]), [
      [1, 'gif', 4, 150, false],
      [1, 'gif', 4, 150, false],
    ]);
    for (const f of files) {
      assert.ok(f.path.endsWith('.gif'), f.path);
      const bytes = await vscode.workspace.fs.readFile(f);
      assert.deepStrictEqual(readImageSize(bytes), { width: 1024, height: 1024 });
      const record = readRecord(bytes)!;
      assert.deepStrictEqual([record.options.output_format, record.options.frame_count, record.options.frame_duration_ms], ['gif', 4, 150]);
    }
  });

  test('a project without access is told so, and "Turn Off SVG and GIF Output" turns the setting off', async () => {
    press = 'Turn Off SVG and GIF Output';
    const files = await generate({ prompt: 'a vector fox', model: 'gpt-image-2.6-sunburst', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'svg', background: 'auto', complexity: 'high' });
    assert.deepStrictEqual(files, []);
    const end = Date.now() + 5000;
    while (config().get(SETTING) !== false && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const error = shown.find((s) => s.actions.includes('Turn Off SVG and GIF Output'))!;
    assert.ok(error, JSON.stringify(shown));
    assert.match(error.message, /Your project has no access to SVG output yet/);
    assert.ok(!/Pixelwright.*(failed|went wrong)/i.test(error.message), error.message);
    assert.strictEqual(config().get(SETTING), false);
    // With the setting off, SVG is refused before anything is sent.
    fake.reset();
    shown.length = 0;
    press = undefined;
    assert.deepStrictEqual(await generate({ prompt: 'a vector fox', model: 'gpt-image-2.6-sunburst', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'svg', background: 'auto', complexity: 'high' }), []);
    assert.strictEqual(generations().length, 0);
    const end2 = Date.now() + 3000;
    while (!shown.some((x) => /vectorAndAnimatedOutput/.test(x.message)) && Date.now() < end2) await new Promise((r) => setTimeout(r, 50));
    assert.ok(shown.some((x) => /pixelwright\.experimental\.vectorAndAnimatedOutput/.test(x.message)), JSON.stringify(shown));
  });
});
