/**
 * The asset manifest in a real VS Code against the fake Images API: diagnostics in the Problems
 * panel, Plan Assets, Generate Assets (files at their paths with the recipe hash, renditions made
 * locally, the previous version kept, a hand-changed file never replaced, failures and Retry
 * Failed) and the CodeLens on each entry.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readRecord } from '../../src/core/metadata';
import { readImageSize } from '../../src/shared/imageFormat';
import { assetsWorkspace } from './assetsWorkspace';

interface PlanSummary {
  items: { path: string; kind: string; state: string }[];
  orphaned: string[];
  problems: number;
  cost: { images: number; priced: number; min: number; max: number; unpriced: number };
  bytesRead: number;
}
interface GenerateSummary {
  written: string[];
  besides: string[];
  failed: { path: string; error: string }[];
  cancelled: boolean;
}

async function until<T>(what: () => T | undefined | Promise<T | undefined>, ms = 45_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Assets as code (host, fake API)', function () {
  this.timeout(120_000);
  // Before the shared setup: no editor is left open on a file it deletes.
  setup(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));
  const ws = assetsWorkspace('assets-test', { rateLimitMaxWaitSeconds: 2 });
  const { config, file, write, read, manifest } = ws;
  const plan = () => vscode.commands.executeCommand<PlanSummary>('pixelwright.planAssets', { manifest: manifest(), show: false });
  const generate = (only?: string[]) => vscode.commands.executeCommand<GenerateSummary>('pixelwright.generateAssets', { manifest: manifest(), only, noConfirm: true });
  const states = (p: PlanSummary) => Object.fromEntries(p.items.map((i) => [i.path.replace(/^assets-test\//, ''), i.state]));
  const gens = () => ws.fake.requests.filter((r) => /\/images\/(generations|edits)$/.test(r.path));

  test('bad entries get diagnostics where they are; the good one is still planned; invalid JSON gets one', async () => {
    const text = `{
  "defaults": { "model": "gpt-image-1-mini", "quality": "low", "size": "1024x1024" },
  "assets": [
    { "path": "icons/a.png", "prompt": "an apple" },
    { "path": "icons/a.png", "prompt": "another apple" },
    { "path": "../../outside.png", "prompt": "escape" },
    { "path": "icons/b.png", "prompt": "a pear", "model": "gpt-image-9" },
    { "path": "icons/c.png", "prompt": "a plum", "quality": "hd" },
    { "path": "icons/d.png", "prompt": "night", "sources": ["art/missing.png"] }
  ]
}`;
    await write('pixelwright.assets.json', text);
    const doc = await vscode.workspace.openTextDocument(file('pixelwright.assets.json'));
    await vscode.window.showTextDocument(doc);
    const diags = await until(() => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'Pixelwright');
      return d.length >= 5 ? d : undefined;
    });
    const byCode = Object.fromEntries(diags.map((d) => [String(d.code), d]));
    assert.deepStrictEqual(diags.map((d) => d.code).sort(), ['duplicate-path', 'missing-source', 'outside-workspace', 'refused-option', 'unknown-model']);
    assert.strictEqual(byCode['duplicate-path'].range.start.line, 4);
    assert.match(byCode['duplicate-path'].message, /already the output/);
    assert.strictEqual(doc.getText(byCode['unknown-model'].range), '"gpt-image-9"');
    assert.match(byCode['refused-option'].message, /gpt-image-1-mini refuses this "quality"/);
    assert.strictEqual(doc.getText(byCode['missing-source'].range), 'missing.png');
    assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
    const p = await plan();
    assert.deepStrictEqual(states(p), { 'icons/a.png': 'new' });
    assert.strictEqual(p.problems, 5);
    // Not JSON: one diagnostic, nothing planned.
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(text.indexOf('"an apple" }') + 10), doc.positionAt(text.indexOf('"an apple" }') + 12)), ' ')); // drop the "}"
    const broken = await until(() => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'Pixelwright');
      return d.length === 1 ? d : undefined;
    });
    assert.strictEqual(broken[0].code, 'not-json');
    assert.match(broken[0].message, /not valid JSON \(line \d+\)/);
    assert.strictEqual(gens().length, 0, 'nothing was sent');
    // Leave the file as it is on disk for the next tests (the plan reads an editor's unsaved text).
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until(() => !doc.isDirty);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('generate: images at their paths with their recipe hash, renditions made locally, then all up to date', async () => {
    // A source image for the edit: any PNG.
    const png = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
    await write('art/day.png', png);
    await write(
      'pixelwright.assets.json',
      JSON.stringify({
        defaults: { model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024', background: 'transparent', style: 'flat icon' },
        assets: [
          { path: 'icons/sword.png', prompt: 'a sword', renditions: [{ path: 'icons/sword@64.webp', size: '64x64' }, { path: 'icons/sword-half.png', scale: 0.5 }, { path: 'icons/sword.avif', width: 100 }] },
          { path: 'icons/shield.webp', prompt: 'a shield', quality: 'medium' },
          { path: 'scenes/night.png', prompt: 'the same scene at night', model: 'gpt-image-1.5', background: 'opaque', sources: ['art/day.png'] },
        ],
      }),
    );
    const before = await plan();
    assert.deepStrictEqual(states(before), { 'icons/sword.png': 'new', 'icons/sword@64.webp': 'waiting', 'icons/sword-half.png': 'waiting', 'icons/sword.avif': 'waiting', 'icons/shield.webp': 'new', 'scenes/night.png': 'new' });
    assert.deepStrictEqual(before.cost, { images: 3, priced: 2, min: 0.016, max: 0.016, unpriced: 1 });
    const result = await generate();
    assert.deepStrictEqual(result.failed, []);
    assert.strictEqual(result.written.length, 6, JSON.stringify(result));
    assert.strictEqual(gens().length, 3);
    const edit = ws.fake.requests.find((r) => r.path.endsWith('/images/edits'))!;
    assert.ok(edit, 'the entry with a source was sent as an edit');
    const sword = await read('icons/sword.png');
    const rec = readRecord(sword)!;
    assert.match(rec.asset!.recipe, /^[0-9a-f]{20}$/);
    assert.strictEqual(rec.prompt, 'a sword\n\nflat icon');
    assert.deepStrictEqual(readImageSize(await read('icons/sword@64.webp')), { width: 64, height: 64 });
    assert.deepStrictEqual(readImageSize(await read('icons/sword-half.png')), { width: 512, height: 512 });
    assert.strictEqual(readRecord(await read('icons/sword@64.webp'))!.asset!.of, 'assets-test/icons/sword.png');
    assert.ok((await read('icons/sword.avif')).length > 0);
    assert.ok(readRecord(await read('icons/shield.webp'))!.asset);
    const after = await plan();
    assert.ok(after.items.every((i) => i.state === 'up-to-date'), JSON.stringify(after.items));
    assert.deepStrictEqual(after.cost.images, 0);
    const again = await generate();
    assert.deepStrictEqual(again.written, []);
    assert.strictEqual(gens().length, 3, 'nothing more was sent');
  });

  test('a changed entry is remade (the one before kept), its renditions follow without the API; a hand-changed file is never replaced', async () => {
    const m = (prompt: string, shield = 'a shield') =>
      JSON.stringify({ defaults: { model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024' }, assets: [{ path: 'i/sword.png', prompt, renditions: [{ path: 'i/sword-64.png', size: '64x64' }] }, { path: 'i/shield.png', prompt: shield }] });
    await write('pixelwright.assets.json', m('a sword'));
    await generate();
    const first = await read('i/sword.png');
    const firstRendition = await read('i/sword-64.png');
    await write('pixelwright.assets.json', m('a golden sword'));
    assert.deepStrictEqual(states(await plan()), { 'i/sword.png': 'changed', 'i/sword-64.png': 'waiting', 'i/shield.png': 'up-to-date' });
    ws.fake.reset();
    const r = await generate();
    assert.deepStrictEqual(r.written.sort(), ['assets-test/i/sword-64.png', 'assets-test/i/sword.png']);
    assert.strictEqual(gens().length, 1);
    assert.strictEqual(readRecord(await read('i/sword.png'))!.prompt, 'a golden sword');
    assert.ok(!Buffer.from(await read('i/sword-64.png')).equals(Buffer.from(firstRendition)), 'the rendition was remade');
    const kept = await vscode.workspace.fs.readDirectory(ws.kept('previous', 'assets-test', 'i'));
    assert.strictEqual(kept.length, 2, JSON.stringify(kept));
    const keptSword = kept.find(([n]) => /^sword-\d{8}T/.test(n))!;
    assert.ok(Buffer.from(await vscode.workspace.fs.readFile(ws.kept('previous', 'assets-test', 'i', keptSword[0]))).equals(Buffer.from(first)), 'the image before is kept byte for byte');

    // The shield changed by hand (its record kept), then its entry changes: kept, the new one beside it.
    const hand = new Uint8Array(await read('i/shield.png'));
    hand[hand.length - 20] ^= 0xff;
    await write('i/shield.png', hand);
    await write('pixelwright.assets.json', m('a golden sword', 'a red shield'));
    ws.fake.reset();
    const r2 = await generate();
    assert.deepStrictEqual(r2.besides, ['assets-test/i/shield~2.png']);
    assert.ok(Buffer.from(await read('i/shield.png')).equals(Buffer.from(hand)), 'the hand-changed file is untouched');
    assert.strictEqual(readRecord(await read('i/shield~2.png'))!.prompt, 'a red shield');
    // A file Pixelwright did not make at an entry's path: kept too.
    await write('pixelwright.assets.json', JSON.stringify({ defaults: { model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024' }, assets: [{ path: 'i/logo.png', prompt: 'a logo' }] }));
    const foreign = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
    await write('i/logo.png', foreign);
    assert.deepStrictEqual(states(await plan()), { 'i/logo.png': 'foreign' });
    assert.deepStrictEqual((await plan()).orphaned.sort(), ['assets-test/i/shield.png', 'assets-test/i/shield~2.png', 'assets-test/i/sword-64.png', 'assets-test/i/sword.png']);
    const r3 = await generate();
    assert.deepStrictEqual(r3.besides, ['assets-test/i/logo~2.png']);
    assert.ok(Buffer.from(await read('i/logo.png')).equals(Buffer.from(foreign)), 'the file Pixelwright did not make is untouched');
  });

  test('a changed source image remakes the edit; failures are listed with the API message, Retry Failed makes only those', async () => {
    await write('pixelwright.assets.json', JSON.stringify({ defaults: { model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024' }, assets: [{ path: 'f/a.png', prompt: 'apple' }, { path: 'f/b.png', prompt: 'banana' }, { path: 'f/c.png', prompt: 'cherry' }] }));
    await config().update('maxConcurrentRequests', 1, vscode.ConfigurationTarget.Workspace);
    try {
      ws.fake.inject({ kind: 'moderation', times: 1 });
      const r = await generate();
      assert.strictEqual(r.failed.length, 1, JSON.stringify(r));
      assert.strictEqual(r.failed[0].path, 'assets-test/f/a.png');
      assert.match(r.failed[0].error, /safety|refused|moderation/i);
      assert.deepStrictEqual(r.written.sort(), ['assets-test/f/b.png', 'assets-test/f/c.png']);
      const state = await ws.readJson<{ failed: Record<string, string> }>(ws.kept('assets.json'));
      assert.deepStrictEqual(Object.keys(state.failed), ['assets-test/f/a.png']);
      // CodeLens says so, and offers Generate this one.
      const doc = await vscode.workspace.openTextDocument(file('pixelwright.assets.json'));
      const lenses = await until(async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return l && l.length >= 4 ? l : undefined;
      });
      const titles = lenses.map((l) => l.command?.title ?? '');
      assert.ok(titles.some((t) => /failed:/.test(t)), titles.join(' | '));
      assert.strictEqual(titles.filter((t) => /up to date/.test(t)).length, 2, titles.join(' | '));
      assert.ok(titles.includes('Generate this one'));
      ws.fake.reset();
      const retried = await vscode.commands.executeCommand<GenerateSummary>('pixelwright.retryFailedAssets', { manifest: manifest() });
      assert.deepStrictEqual(retried.written, ['assets-test/f/a.png']);
      assert.strictEqual(gens().length, 1);
    } finally {
      await config().update('maxConcurrentRequests', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
