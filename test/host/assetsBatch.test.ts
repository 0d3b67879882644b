/**
 * Generate Assets through the Batch API in a real VS Code, the SDK against the fake's Files and
 * Batch API: a job from the streamed upload to files written at their paths with their recipe
 * hashes (generations and an edit: one batch per endpoint; a hand-changed file kept), lines that
 * fail (the good ones written, the failed ones listed with the API's message, Retry Failed makes
 * only those), cancel, expiry (finished entries written, the rest planned again), and polling
 * resumed by a new BatchJobs on the same workspace state after the first was disposed (a reload).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readManifest, recipeHash } from '../../src/core/manifest';
import { embedRecord, readRecord } from '../../src/core/metadata';
import { ModelTable } from '../../src/core/models';
import { actualCost } from '../../src/core/pricing';
import { BatchJobs } from '../../src/host/assets/batch';
import { BATCH_HISTORY_KEY, BATCH_JOBS_KEY } from '../../src/host/assets/pending';
import { AssetStateFile } from '../../src/host/assets/state';
import type { Log } from '../../src/host/platform/log';
import { readSettings } from '../../src/host/platform/settings';
import { writeAssetAt } from '../../src/host/run/assets';
import { assetsWorkspace, EXT_ID } from './assetsWorkspace';
import { capture, until as untilShown } from './quickInput';

const PNG = () => Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));

interface Summary {
  written: string[];
  besides: string[];
  failed: { path: string; error: string }[];
  cancelled: boolean;
  job?: string;
  sent?: number;
  replanned?: string[];
  lost?: string;
}
interface PlanSummary {
  items: { path: string; kind: string; state: string }[];
}

/** The workspace state as a Memento: a plain map (what a reload keeps). */
class MapMemento implements vscode.Memento {
  readonly map = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.map.keys()];
  }
  get<T>(key: string, dflt?: T): T | undefined {
    return (this.map.has(key) ? this.map.get(key) : dflt) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

/** Resolves with `probe`'s first truthy answer (polled). */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

suite('Asset batch jobs (host, the SDK against the fake Batch API)', function () {
  this.timeout(120_000);
  const ws = assetsWorkspace('batch-test');
  const { config, file, write, read, exists, manifest } = ws;
  const POLL = { first: 50, max: 200 };
  const generate = (extra: Record<string, unknown> = {}) => vscode.commands.executeCommand<Summary>('pixelwright.generateAssets', { manifest: manifest(), noConfirm: true, mode: 'batch', wait: true, pollMs: POLL, ...extra });
  const plan = () => vscode.commands.executeCommand<PlanSummary>('pixelwright.planAssets', { manifest: manifest(), show: false });
  const states = (p: PlanSummary) => Object.fromEntries(p.items.map((i) => [i.path.replace(/^batch-test\//, ''), i.state]));
  const icons = (n: number, extra: Record<string, unknown>[] = []) =>
    JSON.stringify({ defaults: { model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024' }, assets: [...Array.from({ length: n }, (_, i) => ({ path: `icons/i${i}.png`, prompt: `icon ${i}` })), ...extra] });

  setup(() => ws.fake.setBatchBehaviour({ stepMs: 20 }));

  /** What a BatchJobs of its own needs (a reload's new one, or one whose workspace state a test sets), against the fake. */
  function directHost(memento: MapMemento) {
    // Loaded here, not at the top: the activation test checks that nothing loaded the SDK before it.
    const { createBatchClient } = require('../../src/core/batchClient') as typeof import('../../src/core/batchClient');
    // Lines go to a list: a second 'Pixelwright' log channel, once disposed, would close the extension's own.
    const logged: string[] = [];
    const log = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m), show: () => undefined } as unknown as Log;
    const states = new Map<string, AssetStateFile>();
    return {
      memento,
      log,
      logged,
      pollMs: POLL,
      stateFor: (r: vscode.Uri) => states.get(r.toString()) ?? (states.set(r.toString(), new AssetStateFile(r)), states.get(r.toString())!),
      pipeline: {
        batchClient: async () => ({ client: createBatchClient({ kind: 'compatible', apiKey: ws.fake.apiKey, baseUrl: ws.fake.url, timeoutMs: 30_000 }), provider: { kind: 'compatible' }, tool: 'Pixelwright test', identity: () => ({}), model: (id: string) => id }),
        saveAsset: async (image: { bytes: Uint8Array; record: object }, target: vscode.Uri, asset: { recipe: string }, rule: (b: Uint8Array) => boolean) => {
          const bytes = embedRecord(image.bytes, { ...(image.record as Parameters<typeof embedRecord>[1]), asset });
          return { ...(await writeAssetAt(target, bytes, rule)), bytes };
        },
        recordSpend: () => undefined,
      },
    };
  }

  test('a job from upload to files: one batch per endpoint, images at their paths with their recipe hash, renditions after, a hand-changed file kept', async () => {
    await write('art/day.png', PNG());
    await write('pixelwright.assets.json', icons(2, [
      { path: 'icons/big.png', prompt: 'a big icon', renditions: [{ path: 'icons/big-64.png', size: '64x64' }] },
      { path: 'scenes/night.png', prompt: 'the scene at night', model: 'gpt-image-1.5', sources: ['art/day.png'] },
    ]));
    // Someone's own file at an output path: kept, the batch's image goes beside it.
    await write('icons/i1.png', PNG());
    const r = await generate();
    assert.deepStrictEqual(r.failed, []);
    assert.strictEqual(r.sent, 4);
    assert.deepStrictEqual(r.besides, ['batch-test/icons/i1~2.png']);
    assert.deepStrictEqual([...r.written].sort(), ['batch-test/icons/big-64.png', 'batch-test/icons/big.png', 'batch-test/icons/i0.png', 'batch-test/scenes/night.png']);
    // Two uploads and two batches, no synchronous image call.
    assert.strictEqual(ws.fake.requests.filter((q) => q.path === '/v1/files' && q.method === 'POST').length, 2);
    const created = ws.fake.requests.filter((q) => q.path === '/v1/batches' && q.method === 'POST').map((q) => (q.body as { endpoint: string }).endpoint).sort();
    assert.deepStrictEqual(created, ['/v1/images/edits', '/v1/images/generations']);
    assert.strictEqual(ws.fake.requests.filter((q) => /\/images\/(generations|edits)$/.test(q.path)).length, 0);
    assert.ok(Buffer.from(await read('icons/i1.png')).equals(Buffer.from(PNG())), 'the file that is not Pixelwright\'s is untouched');
    const rec = readRecord(await read('icons/i0.png'))!;
    assert.match(rec.asset!.recipe, /^[0-9a-f]{20}$/);
    assert.strictEqual(rec.prompt, 'icon 0');
    const full = actualCost('gpt-image-1-mini', { usage: rec.usage, quality: 'low', size: '1024x1024', images: 1 })!;
    assert.ok(rec.usage && rec.cost, 'the tokens and the cost are recorded');
    assert.strictEqual(rec.cost.usd, Math.round((full.usd / 2) * 1e6) / 1e6, 'half the interactive price for the same tokens');
    assert.deepStrictEqual(readRecord(await read('scenes/night.png'))!.sources, ['batch-test/art/day.png']);
    assert.deepStrictEqual(states(await plan()), { 'icons/i0.png': 'up-to-date', 'icons/i1.png': 'foreign', 'icons/big.png': 'up-to-date', 'icons/big-64.png': 'up-to-date', 'scenes/night.png': 'up-to-date' });
    // The job's file stays under .pixelwright/batches/ with what happened.
    const job = await ws.readJson<{ parts: { status: string; collected: boolean }[] }>(ws.kept('batches', `${r.job}.json`));
    assert.deepStrictEqual(job.parts.map((p) => [p.status, p.collected]), [['completed', true], ['completed', true]]);
  });

  test('Generate Assets asks how: now or through the Batch API, each with its estimate (the batch at half price)', async () => {
    await write('pixelwright.assets.json', icons(2));
    const spy = capture();
    try {
      const run = vscode.commands.executeCommand<Summary>('pixelwright.generateAssets', { manifest: manifest(), wait: true, pollMs: POLL });
      const qp = (await untilShown('the mode pick', () => spy.inputs[0])) as vscode.QuickPick<vscode.QuickPickItem>;
      await untilShown('its items', () => (qp.items.length === 2 ? true : undefined));
      assert.match(qp.title ?? '', /Generate 2 images and 0 renditions/);
      assert.deepStrictEqual(qp.items.map((i) => i.description), ['Estimated $0.01.', 'Estimated $0.005 (half price).']);
      qp.activeItems = [qp.items[1]];
      await new Promise((res) => setTimeout(res, 150));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const r = await run;
      assert.strictEqual(r.sent, 2);
      assert.deepStrictEqual([...r.written].sort(), ['batch-test/icons/i0.png', 'batch-test/icons/i1.png']);
      assert.strictEqual(ws.fake.requests.filter((q) => q.path === '/v1/batches' && q.method === 'POST').length, 1, 'sent as a batch');
    } finally {
      spy.restore();
    }
  });

  test('lines that fail: the good ones written, the failed ones listed with the API message; Retry Failed makes only those', async () => {
    await write('pixelwright.assets.json', icons(3));
    ws.fake.setBatchBehaviour({ stepMs: 20, failCustomIds: ['a2'] });
    const r = await generate();
    assert.deepStrictEqual([...r.written].sort(), ['batch-test/icons/i0.png', 'batch-test/icons/i2.png']);
    assert.deepStrictEqual(r.failed.map((f) => f.path), ['batch-test/icons/i1.png']);
    assert.match(r.failed[0].error, /The server had an error while processing your request/);
    const state = await ws.readJson<{ failed: Record<string, string> }>(ws.kept('assets.json'));
    assert.deepStrictEqual(Object.keys(state.failed), ['batch-test/icons/i1.png']);
    ws.fake.reset();
    ws.fake.setBatchBehaviour({ stepMs: 20 });
    const retried = await vscode.commands.executeCommand<Summary>('pixelwright.retryFailedAssets', { manifest: manifest(), mode: 'interactive' });
    assert.deepStrictEqual(retried.written, ['batch-test/icons/i1.png']);
    assert.strictEqual(ws.fake.requests.filter((q) => q.path.endsWith('/images/generations')).length, 1, 'only the failed entry was sent');
  });

  test('cancel: the batch\'s own cancel; what it made is written, the rest planned again', async () => {
    await write('pixelwright.assets.json', icons(6));
    ws.fake.setBatchBehaviour({ stepMs: 300 });
    const sent = await generate({ wait: false });
    assert.ok(sent.job);
    // Let a line or two finish, then cancel.
    await new Promise((res) => setTimeout(res, 500));
    const r = await vscode.commands.executeCommand<Summary>('pixelwright.cancelAssetBatch', { job: sent.job, noConfirm: true, wait: true });
    assert.ok(ws.fake.requests.some((q) => /\/v1\/batches\/[^/]+\/cancel$/.test(q.path)), 'the batch was cancelled at the server');
    assert.strictEqual(r.cancelled, true);
    assert.ok(r.replanned!.length >= 1, JSON.stringify(r));
    assert.strictEqual(r.written.length + r.replanned!.length, 6, JSON.stringify(r));
    assert.deepStrictEqual(r.failed, []);
    const p = states(await plan());
    for (const rel of r.replanned!) assert.strictEqual(p[rel.replace(/^batch-test\//, '')], 'new');
    for (const rel of r.written) assert.ok(await exists(rel.replace(/^batch-test\//, '')));
  });

  test('expiry: the finished entries are written, the rest planned again', async () => {
    await write('pixelwright.assets.json', icons(4));
    ws.fake.setBatchBehaviour({ stepMs: 20, expireAfterLines: 2 });
    const r = await generate();
    assert.deepStrictEqual([...r.written].sort(), ['batch-test/icons/i0.png', 'batch-test/icons/i1.png']);
    assert.deepStrictEqual([...r.replanned!].sort(), ['batch-test/icons/i2.png', 'batch-test/icons/i3.png']);
    assert.deepStrictEqual(r.failed, []);
    assert.deepStrictEqual(states(await plan()), { 'icons/i0.png': 'up-to-date', 'icons/i1.png': 'up-to-date', 'icons/i2.png': 'new', 'icons/i3.png': 'new' });
  });

  test('a batch the server no longer has (404): the job ends as failed with why, its unfinished lines planned again', async () => {
    await write('pixelwright.assets.json', icons(3));
    ws.fake.setBatchBehaviour({ stepMs: 400 });
    const run = generate();
    // Deleted at the server while it runs.
    await until('the batch to exist', () => ws.fake.requests.some((q) => q.path === '/v1/batches' && q.method === 'POST'));
    ws.fake.batchApi.forgetBatches();
    const r = await run;
    assert.match(r.lost ?? '', /can no longer be found at the server.*No batch found with id/, JSON.stringify(r));
    assert.deepStrictEqual(r.written, []);
    assert.deepStrictEqual(r.failed, []);
    assert.deepStrictEqual([...r.replanned!].sort(), ['batch-test/icons/i0.png', 'batch-test/icons/i1.png', 'batch-test/icons/i2.png']);
    assert.deepStrictEqual(states(await plan()), { 'icons/i0.png': 'new', 'icons/i1.png': 'new', 'icons/i2.png': 'new' });
    const job = await ws.readJson<{ parts: { status: string; collected: boolean }[]; lost?: string }>(ws.kept('batches', `${r.job}.json`));
    assert.deepStrictEqual(job.parts.map((p) => [p.status, p.collected]), [['lost', true]]);
    const still = await vscode.commands.executeCommand<Summary | undefined>('pixelwright.cancelAssetBatch', { job: r.job, noConfirm: true });
    assert.strictEqual(still, undefined, 'nothing is left running');
  });

  test('a server that cannot be reached: retrieves keep backing off and say why; Cancel offers Stop Waiting, which ends the job here, keeping what was written', async () => {
    await write('pixelwright.assets.json', icons(2));
    ws.fake.setBatchBehaviour({ stepMs: 20 });
    const first = await generate({ wait: true });
    assert.strictEqual(first.written.length, 2);
    await write('pixelwright.assets.json', icons(4));
    ws.fake.setBatchBehaviour({ stepMs: 2000 });
    const sent = await generate({ wait: false });
    ws.fake.setBatchBehaviour({ stepMs: 2000, unavailableStatus: 503 });
    const jobFile = ws.kept('batches', `${sent.job}.json`);
    // Read again when it is missing: each save renames a new file over it, and workspace.fs deletes the old one first.
    const readJob = () => until('the job file', () => ws.readJson<{ lastError?: { message: string; count: number }; stoppedWaiting?: boolean; parts: { status: string }[] }>(jobFile).catch(() => undefined));
    const troubled = await until('a failed retrieve kept in the job', async () => ((await readJob()).lastError?.count ?? 0) >= 1 || undefined, 30_000);
    assert.ok(troubled);
    assert.match((await readJob()).lastError!.message, /temporarily unable/);
    const r = await vscode.commands.executeCommand<Summary>('pixelwright.cancelAssetBatch', { job: sent.job, noConfirm: true, stopIfRefused: true, wait: true });
    assert.deepStrictEqual(r.written, []);
    assert.deepStrictEqual([...r.replanned!].sort(), ['batch-test/icons/i2.png', 'batch-test/icons/i3.png']);
    assert.match(r.lost ?? '', /stopped waiting/);
    const job = await readJob();
    assert.strictEqual(job.stoppedWaiting, true);
    assert.deepStrictEqual(job.parts.map((p) => p.status), ['lost']);
    // The first job's files are still there and up to date.
    assert.deepStrictEqual(states(await plan()), { 'icons/i0.png': 'up-to-date', 'icons/i1.png': 'up-to-date', 'icons/i2.png': 'new', 'icons/i3.png': 'new' });
  });

  test('the Asset Jobs view: a running job, then the ended one with its state, counts, cost, its failed entry with the API message, and its menu', async () => {
    interface Row { id: string; label: string; description: string; tooltip: string; icon: string; contextValue?: string; children: Row[] }
    const rows = () => vscode.commands.executeCommand<Row[]>('pixelwright.assetJobs.rows');
    const pkg = vscode.extensions.getExtension(EXT_ID)!.packageJSON;
    const view = pkg.contributes.views.pixelwright.find((v: { id: string }) => v.id === 'pixelwright.assetJobs');
    assert.strictEqual(view?.when, 'pixelwright.hasAssetJobs', 'shown only once there is a job');
    const menu = (pkg.contributes.menus['view/item/context'] as { command: string; when: string }[]).filter((m) => m.when.includes('view == pixelwright.assetJobs')).map((m) => m.command);
    assert.deepStrictEqual(menu, ['pixelwright.cancelAssetBatch', 'pixelwright.assetJobs.retryFailed', 'pixelwright.assetJobs.openManifest']);

    await write('pixelwright.assets.json', icons(3));
    ws.fake.setBatchBehaviour({ stepMs: 300, failCustomIds: ['a2'] });
    const sent = await generate({ wait: false });
    const running = await until('the running job in the view', async () => (await rows()).find((r) => r.id === sent.job));
    assert.strictEqual(running.label, 'batch-test/pixelwright.assets.json · generations');
    assert.strictEqual(running.contextValue, 'assetJob.running');
    assert.strictEqual(running.icon, 'sync~spin');
    assert.match(running.description, /^running · \d done, \d failed of 3 · estimated \$/);
    const ended = await until('the ended job in the view', async () => (await rows()).find((r) => r.id === sent.job && r.contextValue !== 'assetJob.running'), 30_000);
    assert.strictEqual(ended.contextValue, 'assetJob.ended.failures');
    assert.strictEqual(ended.icon, 'warning');
    assert.match(ended.description, /^completed with failures · 2 done, 1 failed of 3 · cost \$0\.\d+/);
    assert.match(ended.tooltip, /Batch: batch_\w+ \(\/v1\/images\/generations, completed\)/);
    assert.match(ended.tooltip, /Manifest: batch-test\/pixelwright\.assets\.json/);
    assert.match(ended.tooltip, /Created: /);
    assert.deepStrictEqual(ended.children.map((c) => c.label), ['batch-test/icons/i1.png']);
    assert.match(ended.children[0].description, /The server had an error while processing your request/);
    // The running job is listed before the ended ones; an ended one is listed once.
    assert.strictEqual((await rows()).filter((r) => r.id === sent.job).length, 1);
    // Leave no failure behind for the next suites (the workspace's asset state is shared).
    ws.fake.reset();
    ws.fake.setBatchBehaviour({ stepMs: 20 });
    const retried = await vscode.commands.executeCommand<Summary>('pixelwright.retryFailedAssets', { manifest: manifest(), mode: 'interactive' });
    assert.deepStrictEqual(retried.written, ['batch-test/icons/i1.png']);
  });

  test("the Asset Jobs view's menu: Open Manifest opens the job's own manifest; Retry Failed plans again and makes only the job's failed entries", async () => {
    interface Row { id: string; contextValue?: string; children: Row[] }
    // Another manifest in the suite's folder: the actions must take the job's, not the first found or the active one.
    await write('pixelwright.assets.json', icons(2));
    await vscode.workspace.fs.createDirectory(file('second'));
    await write('second/pixelwright.assets.json', icons(3));
    const second = file('second/pixelwright.assets.json');
    ws.fake.setBatchBehaviour({ stepMs: 20, failCustomIds: ['a2'] });
    const r = await generate({ manifest: second.toString() });
    assert.deepStrictEqual([...r.written].sort(), ['batch-test/second/icons/i0.png', 'batch-test/second/icons/i2.png']);
    assert.deepStrictEqual(r.failed.map((f) => f.path), ['batch-test/second/icons/i1.png']);
    const good = await Promise.all(['second/icons/i0.png', 'second/icons/i2.png'].map((p) => read(p)));
    // The view's row for it offers Retry Failed; the node its menu hands the commands is the job as the view read it.
    const row = await until('the ended job in the view', async () => (await vscode.commands.executeCommand<Row[]>('pixelwright.assetJobs.rows')).find((x) => x.id === r.job && x.contextValue !== 'assetJob.running'));
    assert.strictEqual(row.contextValue, 'assetJob.ended.failures');
    const data = await ws.readJson<{ id: string; manifest: string; failed: { path: string; error: string }[] }>(ws.kept('batches', `${r.job}.json`));
    const node = { kind: 'job', job: r.job, manifest: data.manifest, data, ended: true };

    // Open Manifest, with the other manifest in the active editor.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file('pixelwright.assets.json'));
    await vscode.commands.executeCommand('pixelwright.assetJobs.openManifest', node);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), second.toString(), 'the manifest the job came from');

    // Retry Failed, with the other manifest active again and a new entry in the job's manifest (it needs work too, but did not fail).
    await write('second/pixelwright.assets.json', icons(3, [{ path: 'icons/extra.png', prompt: 'an extra icon' }]));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file('pixelwright.assets.json'));
    ws.fake.reset();
    const spy = capture();
    let retried: Summary;
    try {
      const run = vscode.commands.executeCommand<Summary>('pixelwright.assetJobs.retryFailed', node);
      // It asks how, as Generate Assets does: now, for one image.
      const qp = (await untilShown('the mode pick', () => spy.inputs[0])) as vscode.QuickPick<vscode.QuickPickItem>;
      await untilShown('its items', () => (qp.items.length === 2 ? true : undefined));
      assert.match(qp.title ?? '', /^Generate 1 images and 0 renditions$/);
      qp.activeItems = [qp.items[0]];
      await new Promise((res) => setTimeout(res, 150));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      retried = await run;
    } finally {
      spy.restore();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    assert.deepStrictEqual(retried.written, ['batch-test/second/icons/i1.png']);
    assert.deepStrictEqual(retried.failed, []);
    const sent = ws.fake.requests.filter((q) => /\/images\/(generations|edits)$/.test(q.path)).map((q) => (q.body as { prompt?: string }).prompt);
    assert.deepStrictEqual(sent, ['icon 1'], 'only the failed entry was sent: not the good ones, not the new one');
    assert.strictEqual(ws.fake.requests.filter((q) => /\/(files|batches)$/.test(q.path)).length, 0, 'no batch either');
    assert.strictEqual(readRecord(await read('second/icons/i1.png'))!.prompt, 'icon 1');
    assert.deepStrictEqual(await Promise.all(['second/icons/i0.png', 'second/icons/i2.png'].map((p) => read(p))), good, 'the good ones are as the batch wrote them');
    assert.strictEqual(await exists('second/icons/extra.png'), false);
    assert.strictEqual(await exists('icons/i0.png'), false, 'nothing of the other manifest');
  });

  test('old job files: of the ended jobs the newest 20 are kept, older files and their history entries deleted; never a running job, one with results still to write, or a file that is not a job', async () => {
    await write('pixelwright.assets.json', icons(1));
    const memento = new MapMemento();
    const host = directHost(memento);
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
    const part = (over: Record<string, unknown>) => ({ endpoint: '/v1/images/generations', entries: [], status: 'completed', batchId: 'batch_old', collected: true, ...over });
    const oldJob = (id: string, n: number, over: Record<string, unknown> = {}) => ({ v: 1, id, manifest: manifest(), provider: 'compatible', createdAt: day(n), endedAt: day(n), parts: [part({})], written: [], besides: [], failed: [], replan: [], polls: 1, ...over });
    const put = (name: string, value: unknown) => vscode.workspace.fs.writeFile(ws.kept('batches', name), new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)));
    // 22 ended jobs, p01 the oldest; the workspace state's history names p01..p20 (p21 and p22 ended in another window).
    const ids = Array.from({ length: 22 }, (_, k) => `p${String(k + 1).padStart(2, '0')}`);
    await vscode.workspace.fs.createDirectory(ws.kept('batches'));
    for (const [k, id] of ids.entries()) await put(`${id}.json`, oldJob(id, k + 1));
    await memento.update(BATCH_HISTORY_KEY, ids.slice(0, 20).reverse().map((id) => ({ id, manifest: manifest() })));
    // Older than all of them, and never deleted: a job the workspace state says is running (its file looks ended:
    // the window closed between the two), one whose results are still to be written (another window's), and a file that is not a job.
    const pending = oldJob('r-pending', 0);
    await put('r-pending.json', pending);
    await memento.update(BATCH_JOBS_KEY, { 'r-pending': pending });
    await put('r-unwritten.json', oldJob('r-unwritten', 0, { endedAt: undefined, parts: [part({ outputFileId: 'file_old', collected: false })] }));
    await put('notes.json', 'not a job');

    const text = icons(1);
    const m = readManifest(text, { manifestDir: 'batch-test', models: new ModelTable([]), defaultModel: 'gpt-image-1-mini' });
    const jobs = new BatchJobs(host as never);
    try {
      const job = await jobs.start(file('pixelwright.assets.json'), ws.root, m.entries.map((e) => ({ path: e.path, recipe: recipeHash(e), request: e.request, sources: e.sources })), undefined, readSettings());
      const done = await jobs.whenDone(job!.id);
      assert.deepStrictEqual(done.written, ['batch-test/icons/i0.png']);
      const left = (await vscode.workspace.fs.readDirectory(ws.kept('batches'))).map(([n]) => n).sort();
      const kept = [job!.id, ...ids.slice(3)];
      assert.deepStrictEqual(left, [...kept.map((id) => `${id}.json`), 'notes.json', 'r-pending.json', 'r-unwritten.json'].sort(), 'p01..p03 deleted: the 20 newest ended ones kept');
      assert.deepStrictEqual(memento.get<{ id: string }[]>(BATCH_HISTORY_KEY)!.map((r) => r.id), [job!.id, ...ids.slice(3, 20).reverse()], 'the deleted ones are gone from the history too');
      assert.deepStrictEqual(Object.keys(memento.get<Record<string, unknown>>(BATCH_JOBS_KEY)!), ['r-pending']);
      assert.deepStrictEqual(await jobs.prune(), [], 'nothing more to delete');
      assert.ok(host.logged.some((l) => /the files of 3 old ended jobs deleted \(p03, p02, p01\)/.test(l)), host.logged.join('\n'));
    } finally {
      jobs.dispose();
    }
  });

  test("Azure OpenAI: the batch goes to the endpoint's /openai/v1 routes with the api-key header, each line naming the deployment", async () => {
    await write('pixelwright.assets.json', JSON.stringify({ defaults: { model: 'gpt-image-1.5', quality: 'low', size: '1024x1024' }, assets: [{ path: 'az/a.png', prompt: 'an apple' }, { path: 'az/b.png', prompt: 'a pear' }] }));
    const api = vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!.exports;
    await config().update('provider', 'azure', vscode.ConfigurationTarget.Workspace);
    await config().update('azure.endpoint', ws.fake.origin, vscode.ConfigurationTarget.Workspace);
    await config().update('azure.deployment', 'gpt-image', vscode.ConfigurationTarget.Workspace);
    try {
      await api.setApiKey(ws.fake.apiKey);
      const r = await generate();
      assert.deepStrictEqual(r.failed, []);
      assert.deepStrictEqual([...r.written].sort(), ['batch-test/az/a.png', 'batch-test/az/b.png']);
      const calls = ws.fake.requests.filter((q) => /\/(files|batches)/.test(q.path));
      assert.ok(calls.length >= 3 && calls.every((q) => q.path.startsWith('/openai/v1/') && q.hasApiKey && !q.hasAuthorization), JSON.stringify(calls.map((q) => q.path)));
      const upload = calls.find((q) => q.path === '/openai/v1/files')!;
      const jsonl = upload.files![0].bytes.toString('utf8');
      assert.ok(jsonl.trim().split('\n').every((l) => JSON.parse(l).body.model === 'gpt-image'), jsonl.slice(0, 300));
      assert.strictEqual(readRecord(await read('az/a.png'))!.provider.kind, 'azure');
    } finally {
      for (const k of ['azure.endpoint', 'azure.deployment']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    }
  });

  test('resume: a job sent by one BatchJobs is finished by a new one on the same workspace state (a reload)', async () => {
    const text = icons(3);
    await write('pixelwright.assets.json', text);
    ws.fake.setBatchBehaviour({ stepMs: 100 });
    const memento = new MapMemento();
    const host = directHost(memento);
    const m = readManifest(text, { manifestDir: 'batch-test', models: new ModelTable([]), defaultModel: 'gpt-image-1-mini' });
    const entries = m.entries.map((e) => ({ path: e.path, recipe: recipeHash(e), request: e.request, sources: e.sources }));
    const first = new BatchJobs(host as never);
    const job = await first.start(file('pixelwright.assets.json'), ws.root, entries, undefined, readSettings());
    first.dispose();
    assert.ok(job?.parts[0].batchId, 'the batch was created');
    assert.deepStrictEqual(Object.keys(memento.get<Record<string, unknown>>(BATCH_JOBS_KEY)!), [job!.id]);
    assert.ok(await vscode.workspace.fs.stat(ws.kept('batches', `${job!.id}.json`)));
    await new Promise((res) => setTimeout(res, 300));
    assert.strictEqual(await exists('icons/i0.png'), false, 'the disposed one polls no more');

    const second = new BatchJobs(host as never);
    try {
      const resumed = await second.resume();
      assert.deepStrictEqual(resumed.map((j) => j.id), [job!.id]);
      const done = await second.whenDone(job!.id);
      assert.deepStrictEqual([...done.written].sort(), ['batch-test/icons/i0.png', 'batch-test/icons/i1.png', 'batch-test/icons/i2.png']);
      assert.strictEqual(memento.get(BATCH_JOBS_KEY), undefined, 'nothing left to resume');
      assert.strictEqual(readRecord(await read('icons/i2.png'))!.asset!.recipe, entries[2].recipe);
      assert.strictEqual(ws.fake.requests.filter((q) => q.path === '/v1/batches' && q.method === 'POST').length, 1, 'the job was not sent again');
    } finally {
      second.dispose();
    }
  });
});
