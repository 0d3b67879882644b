/**
 * Recipes in a real VS Code, against the local fake Images API: Show Recipe (embedded, sidecar,
 * malformed and hostile recipes), Remake (asks first; declined sends nothing; a model the
 * provider lacks is named and the closest offered), Rework (the mask editor opens on the
 * recorded source), recipes written into sidecars by the setting, and sidecars that follow
 * their image when it is renamed or deleted in VS Code.
 */
import * as assert from 'assert';
import * as zlib from 'node:zlib';
import * as vscode from 'vscode';
import { embedRecord, readRecord } from '../../src/core/metadata';
import type { GenerationRecord } from '../../src/core/record';
import { parseSidecar, sidecarBytes } from '../../src/core/sidecar';
import type { RecipeView } from '../../src/shared/recipeProtocol';
import type { FakeOpenAI } from '../fake-openai/server';

const EXT_ID = 'pixelwright.pixelwright';
const KEY = 'sk-test-key';
const PNG_1x1 = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'));

function record(over: Partial<GenerationRecord> = {}): GenerationRecord {
  return { v: 1, operation: 'generate', prompt: 'a lighthouse at dusk', model: 'gpt-image-1.5', options: { size: '1024x1024', quality: 'low', n: 1, output_format: 'png' }, provider: { kind: 'openai' }, createdAt: '2026-05-01T10:00:00.000Z', tool: 'host test', ...over };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  td.copy(out, 4);
  out.writeUInt32BE((zlib as unknown as { crc32(d: Buffer): number }).crc32(td) >>> 0, 8 + data.length);
  return out;
}

const withChunk = (type: string, data: Buffer) => Uint8Array.from(Buffer.concat([Buffer.from(PNG_1x1).subarray(0, 33), pngChunk(type, data), Buffer.from(PNG_1x1).subarray(33)]));

/** Answers modal warnings with `answers` in turn (undefined: dismissed) and records them; other messages are recorded and dismissed. */
function dialogs(answers: (string | undefined)[] = []) {
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = { warning: w.showWarningMessage, info: w.showInformationMessage, error: w.showErrorMessage };
  const shown: { level: string; message: string; detail?: string; items: string[] }[] = [];
  const spy = (level: string) => (message: string, ...rest: unknown[]) => {
    const opts = rest.find((r) => typeof r === 'object' && r !== null) as { detail?: string; modal?: boolean } | undefined;
    const items = rest.filter((r): r is string => typeof r === 'string');
    shown.push({ level, message, detail: opts?.detail, items });
    return Promise.resolve(level === 'warning' && opts?.modal ? answers.shift() : undefined);
  };
  w.showWarningMessage = spy('warning');
  w.showInformationMessage = spy('info');
  w.showErrorMessage = spy('error');
  return { shown, restore: () => Object.assign(w, { showWarningMessage: originals.warning, showInformationMessage: originals.info, showErrorMessage: originals.error }) };
}

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const webviewTabs = (viewType: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(viewType));
const exists = (u: vscode.Uri) => Promise.resolve(vscode.workspace.fs.stat(u)).then(() => true, () => false);

suite('Recipes: Show Recipe, Remake, Rework (host, fake API)', function () {
  this.timeout(90_000);
  let fake: FakeOpenAI;
  let dir: vscode.Uri;
  let out: vscode.Uri;
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const generations = () => fake.requests.filter((r) => r.path.endsWith('/images/generations')).map((r) => (r.body ?? {}) as Record<string, unknown>);
  const write = (name: string, bytes: Uint8Array) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, name), bytes).then(() => vscode.Uri.joinPath(dir, name));

  suiteSetup(async () => {
    const api = await vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI({});
    const root = vscode.workspace.workspaceFolders![0].uri;
    dir = vscode.Uri.joinPath(root, 'recipe-host-test');
    out = vscode.Uri.joinPath(root, 'recipe-host-out');
    const c = config();
    await c.update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await c.update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await c.update('outputFolder', 'recipe-host-out', vscode.ConfigurationTarget.Workspace);
    await c.update('openResults', 'none', vscode.ConfigurationTarget.Workspace);
    await api.setApiKey(KEY);
  });

  setup(async () => {
    fake.reset();
    await vscode.workspace.fs.delete(out, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  teardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  suiteTeardown(async () => {
    for (const u of [dir, out]) await vscode.workspace.fs.delete(u, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    for (const k of ['provider', 'baseUrl', 'outputFolder', 'openResults', 'recipe.storage']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await fake?.close();
  });

  test('Show Recipe opens a panel with what the recipe says; a hostile prompt is shown as its characters', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script> a lighthouse';
    const img = await write('hostile.png', embedRecord(PNG_1x1, record({ prompt: hostile, revisedPrompt: 'rewritten', sources: ['gone.png'] })));
    const view = await vscode.commands.executeCommand<RecipeView>('pixelwright.showRecipe', img);
    assert.strictEqual(view.state, 'recipe');
    assert.strictEqual(view.prompt, hostile);
    assert.strictEqual(view.revisedPrompt, 'rewritten');
    assert.strictEqual(view.model, 'gpt-image-1.5');
    assert.strictEqual(view.where, 'embedded');
    assert.deepStrictEqual(view.sources, [{ path: 'gone.png', exists: false }]);
    assert.ok(view.options.some(([k, v]) => k === 'size' && v === '1024x1024'));
    const tab = await until(() => webviewTabs('pixelwright.recipe')[0]);
    assert.match(tab.label, /hostile\.png/);
  });

  test('Show Recipe reads a sidecar, and shows a malformed recipe as its text', async () => {
    const side = await write('side.png', PNG_1x1);
    await write('side.png.pixelwright.json', sidecarBytes(record({ prompt: 'from the sidecar' }), 'side.png', PNG_1x1.length));
    const v1 = await vscode.commands.executeCommand<RecipeView>('pixelwright.showRecipe', side);
    assert.deepStrictEqual([v1.state, v1.where, v1.prompt, v1.mismatch], ['recipe', 'sidecar', 'from the sidecar', undefined]);
    const bad = await write('bad.png', withChunk('iTXt', Buffer.concat([Buffer.from('pixelwright\0\0\0\0\0'), Buffer.from('{"v":1,"prompt":["<script>"],"model":1}')])));
    const v2 = await vscode.commands.executeCommand<RecipeView>('pixelwright.showRecipe', bad);
    assert.strictEqual(v2.state, 'malformed');
    assert.strictEqual(v2.raw, '{"v":1,"prompt":["<script>"],"model":1}');
    const none = await write('none.png', PNG_1x1);
    assert.strictEqual((await vscode.commands.executeCommand<RecipeView>('pixelwright.showRecipe', none)).state, 'none');
  });

  test('Remake asks first (prompt, model, count); declined, nothing is sent', async () => {
    const img = await write('remake.png', embedRecord(PNG_1x1, record({ prompt: 'a red kite over dunes', options: { size: '1024x1024', quality: 'low', n: 2, output_format: 'png' } })));
    const d = dialogs([undefined]);
    try {
      const files = await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.remake', img);
      assert.deepStrictEqual(files, []);
    } finally {
      d.restore();
    }
    const ask = d.shown.find((s) => s.level === 'warning');
    assert.ok(ask, 'a confirmation was shown');
    // The ask of the pipeline (merged with the budget's): what will be sent and how many.
    assert.match(`${ask!.message}\n${ask!.detail ?? ''}`, /gpt-image-1\.5/);
    assert.match(`${ask!.message}\n${ask!.detail ?? ''}`, /\b2\b/);
    assert.strictEqual(generations().length, 0, 'nothing sent');
  });

  test('Remake, confirmed, runs the same settings through the pipeline; the new images carry the recipe with the same prompt', async () => {
    const img = await write('remake2.png', embedRecord(PNG_1x1, record({ prompt: 'a red kite over dunes', options: { size: '1024x1536', quality: 'low', n: 1, output_format: 'png' } })));
    const d = dialogs(['Run']);
    let files: vscode.Uri[];
    try {
      files = await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.remake', img);
    } finally {
      d.restore();
    }
    assert.strictEqual(files.length, 1);
    const body = generations()[0];
    assert.deepStrictEqual([body.prompt, body.model, body.size, body.quality], ['a red kite over dunes', 'gpt-image-1.5', '1024x1536', 'low']);
    const rec = readRecord(await vscode.workspace.fs.readFile(files[0]))!;
    assert.strictEqual(rec.prompt, 'a red kite over dunes');
  });

  test("Run Again (the Gallery's, which is this Remake) asks exactly once, also when the budget would ask: what will run and its estimate, then Run sends it", async () => {
    // A shipped recipe asking for ten images at high quality: above the ask amount, and from the workspace.
    const prompt = `a field of brass lanterns ${'in the fog, '.repeat(30)}at night`;
    const img = await write('run-again.png', embedRecord(PNG_1x1, record({ prompt, model: 'gpt-image-1-mini', options: { size: '1536x1024', quality: 'high', n: 10, output_format: 'png' } })));
    await config().update('budget.askAbove', 0.01, vscode.ConfigurationTarget.Workspace);
    // Every question is answered Run: a second one would be shown (and counted), not left waiting.
    const d = dialogs(['Run', 'Run', 'Run']);
    let files: vscode.Uri[];
    try {
      files = await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.remake', img);
    } finally {
      d.restore();
      await config().update('budget.askAbove', undefined, vscode.ConfigurationTarget.Workspace);
    }
    const asks = d.shown.filter((s) => s.level === 'warning' && s.items.includes('Run'));
    assert.strictEqual(asks.length, 1, `exactly one question before spending: ${JSON.stringify(d.shown)}`);
    const ask = asks[0];
    assert.match(ask.message, /^Run this recipe from the workspace\? 10 images with gpt-image-1-mini, estimated at \$0\.52\. It is a paid request to your provider\.$/);
    const detail = ask.detail ?? '';
    assert.match(detail, /^The recipe comes from recipe-host-test\/run-again\.png, a file in this workspace\.$/m);
    const promptLine = /^Prompt: (.*)$/m.exec(detail)?.[1] ?? '';
    assert.ok(promptLine.startsWith('a field of brass lanterns in the fog,') && promptLine.endsWith('…') && [...promptLine].length <= 160, `the prompt, shortened: ${promptLine}`);
    for (const line of ['Model: gpt-image-1-mini', 'Images: 10', 'Size: 1536x1024', 'Quality: high', 'Estimated cost: $0.52']) assert.ok(detail.split('\n').includes(line), `the question lacks "${line}": ${detail}`);
    assert.match(detail, /Ask above: \$0\.01 per run/);
    // Run: sent once, all ten images, no other question on the way.
    const sent = generations();
    assert.ok(sent.length >= 1, 'sent after Run');
    assert.strictEqual(sent.reduce((sum, b) => sum + Number(b.n ?? 1), 0), 10);
    assert.deepStrictEqual([sent[0].model, sent[0].size, sent[0].quality], ['gpt-image-1-mini', '1536x1024', 'high']);
    assert.strictEqual(files.length, 10);
  });

  test('the one question of a token-billed recipe says there is no estimate, and why', async () => {
    const img = await write('run-again-tokens.png', embedRecord(PNG_1x1, record({ model: 'gpt-image-2.6-flare', options: { size: '1024x1024', quality: 'high', n: 1, output_format: 'png' } })));
    const d = dialogs([undefined]);
    try {
      assert.deepStrictEqual(await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.remake', img), []);
    } finally {
      d.restore();
    }
    const asks = d.shown.filter((s) => s.level === 'warning');
    assert.strictEqual(asks.length, 1, JSON.stringify(d.shown));
    assert.match(asks[0].message, /its cost is not known before it runs/);
    assert.ok(
      (asks[0].detail ?? '').split('\n').includes('Estimated cost: none before the run: gpt-image-2.6-flare is billed by tokens (image output $30.00 per 1M tokens), and the tokens per image are not published'),
      asks[0].detail,
    );
    assert.strictEqual(generations().length, 0, 'dismissed: nothing sent');
  });

  test('Remake of a model the provider lacks names it and offers the closest; declined, nothing is sent', async () => {
    const img = await write('legacy.png', embedRecord(PNG_1x1, record({ model: 'gpt-image-0.5-legacy' })));
    const declined = dialogs([undefined]);
    try {
      await vscode.commands.executeCommand('pixelwright.remake', img);
    } finally {
      declined.restore();
    }
    const offer = declined.shown.find((s) => s.level === 'warning')!;
    assert.match(offer.message, /gpt-image-0\.5-legacy/);
    assert.match(offer.items[0], /^Use gpt-image/);
    assert.strictEqual(generations().length, 0);
    const closest = offer.items[0].replace(/^Use /, '');
    const accepted = dialogs([offer.items[0], 'Run']);
    try {
      const files = await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.remake', img);
      assert.strictEqual(files.length, 1);
    } finally {
      accepted.restore();
    }
    assert.strictEqual(generations()[0].model, closest);
  });

  test('Rework of an edit opens the mask editor on its recorded source', async () => {
    await write('src.png', PNG_1x1);
    const edited = await write('edited.png', embedRecord(PNG_1x1, record({ operation: 'edit', prompt: 'add a moon', sources: ['recipe-host-test/src.png'], options: { size: '1024x1024', n: 1, masked: true } })));
    const d = dialogs();
    try {
      await vscode.commands.executeCommand('pixelwright.rework', edited);
      const tab = await until(() => webviewTabs('pixelwright.maskEditor')[0]);
      assert.match(tab.label, /src\.png/, 'the source is edited, not the result');
    } finally {
      d.restore();
    }
    assert.ok(d.shown.some((s) => /mask/i.test(s.message)), 'the user is told to paint the mask again');
  });

  test('the sidecar setting writes the image as it came and its recipe beside it; Show Recipe reads it', async () => {
    await config().update('recipe.storage', 'sidecar', vscode.ConfigurationTarget.Workspace);
    try {
      const [file] = await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.generate', { prompt: 'a kite in a sidecar', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto', noOpen: true });
      assert.strictEqual(readRecord(await vscode.workspace.fs.readFile(file)), undefined, 'nothing added to the bytes');
      const side = parseSidecar(await vscode.workspace.fs.readFile(file.with({ path: `${file.path}.pixelwright.json` })));
      assert.strictEqual(side.record?.prompt, 'a kite in a sidecar');
      const view = await vscode.commands.executeCommand<RecipeView>('pixelwright.showRecipe', file);
      assert.deepStrictEqual([view.where, view.prompt], ['sidecar', 'a kite in a sidecar']);
    } finally {
      await config().update('recipe.storage', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a sidecar follows its image when it is renamed, and goes when it is deleted, in VS Code', async () => {
    const img = await write('moving.png', PNG_1x1);
    await write('moving.png.pixelwright.json', sidecarBytes(record({ prompt: 'moving' }), 'moving.png', PNG_1x1.length));
    await vscode.commands.executeCommand('pixelwright.showRecipe', img); // loads the features (the follower with them)
    const moved = vscode.Uri.joinPath(dir, 'moved.png');
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(img, moved);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await until(() => exists(vscode.Uri.joinPath(dir, 'moved.png.pixelwright.json')));
    assert.ok(!(await exists(vscode.Uri.joinPath(dir, 'moving.png.pixelwright.json'))));
    const del = new vscode.WorkspaceEdit();
    del.deleteFile(moved);
    assert.ok(await vscode.workspace.applyEdit(del));
    await until(async () => !(await exists(vscode.Uri.joinPath(dir, 'moved.png.pixelwright.json'))));
  });
});
