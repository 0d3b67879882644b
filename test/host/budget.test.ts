/**
 * Cost and budget in a real VS Code, against the local fake Images API: a run's cost lands in its
 * recipe and in the usage ledger (the Usage view's summary); over the monthly limit a run is
 * refused with "Open Settings" and nothing is sent; above the ask amount (or with no estimate) it
 * asks first, and only "Run" sends it.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { UsageSummary } from '../../src/core/ledger';
import { readRecord } from '../../src/core/metadata';
import type { FakeOpenAI } from '../fake-openai/server';

const EXT_ID = 'pixelwright.pixelwright';

interface Shown {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly modal: boolean;
  readonly detail?: string;
  readonly actions: string[];
}

/** Records the messages shown; `answer` picks the button (none: dismissed). */
function captureMessages(answer: (m: Shown) => string | undefined = () => undefined) {
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = { error: w.showErrorMessage, warning: w.showWarningMessage, info: w.showInformationMessage };
  const shown: Shown[] = [];
  const spy = (level: Shown['level']) => (message: string, ...rest: unknown[]) => {
    const opts = rest.find((r): r is { modal?: boolean; detail?: string } => !!r && typeof r === 'object');
    const m: Shown = { level, message, modal: !!opts?.modal, detail: opts?.detail, actions: rest.filter((r): r is string => typeof r === 'string') };
    shown.push(m);
    return Promise.resolve(answer(m));
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

suite('Cost and budget (host, fake API)', function () {
  this.timeout(60_000);
  let fake: FakeOpenAI;
  let api: { setApiKey(k: string): Promise<void>; usageSummary(): Promise<UsageSummary> };
  let out: vscode.Uri;
  let messages: ReturnType<typeof captureMessages> | undefined;
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const generate = (args: Record<string, unknown>) => vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.generate', { noOpen: true, n: 1, ...args });
  const sent = () => fake.requests.filter((r) => r.path.includes('/images/')).length;
  const setBudget = async (monthlyLimit: number | undefined, askAbove: number | undefined) => {
    await config().update('budget.monthlyLimit', monthlyLimit, vscode.ConfigurationTarget.Workspace);
    await config().update('budget.askAbove', askAbove, vscode.ConfigurationTarget.Workspace);
  };

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<typeof api>(EXT_ID)!.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI();
    out = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'host-test-budget');
    await config().update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await config().update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await config().update('outputFolder', 'host-test-budget', vscode.ConfigurationTarget.Workspace);
    await api.setApiKey('sk-test-key');
  });

  setup(() => fake.reset());
  teardown(() => messages?.restore());

  suiteTeardown(async () => {
    await setBudget(undefined, undefined);
    for (const k of ['provider', 'baseUrl', 'outputFolder']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.delete(out, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    await fake?.close();
  });

  test('a run records its cost in the recipe and in the usage ledger (today, this month, this workspace, by model)', async () => {
    await setBudget(undefined, undefined);
    messages = captureMessages();
    const before = await api.usageSummary();
    const [file] = await generate({ prompt: 'a brass compass', model: 'dall-e-2', size: '256x256' });
    const record = readRecord(await vscode.workspace.fs.readFile(file))!;
    assert.deepStrictEqual(record.cost, { usd: 0.016, basis: 'per-image', priceListDate: record.cost?.priceListDate });
    const [gpt] = await generate({ prompt: 'a brass compass', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', outputFormat: 'png', background: 'auto' });
    const rec2 = readRecord(await vscode.workspace.fs.readFile(gpt))!;
    assert.strictEqual(rec2.usage?.outputTokens, 272, JSON.stringify(rec2.usage));
    assert.strictEqual(rec2.cost?.basis, 'tokens');
    const after = await api.usageSummary();
    const added = Math.round((after.month.usd - before.month.usd) * 1e6) / 1e6;
    assert.strictEqual(added, Math.round((0.016 + rec2.cost!.usd) * 1e6) / 1e6);
    assert.strictEqual(after.today.images - before.today.images, 2);
    assert.strictEqual(after.workspaceMonth.images - before.workspaceMonth.images, 2);
    assert.ok(after.byModel.some((m) => m.model === 'dall-e-2' && m.images >= 1));
    assert.ok(after.month.tokens - before.month.tokens > 272);
    assert.ok(!messages.shown.some((m) => m.level !== 'info'), JSON.stringify(messages.shown));
  });

  test('over the monthly limit: refused with Open Settings, nothing sent, nothing written', async () => {
    const spent = (await api.usageSummary()).month.usd;
    assert.ok(spent > 0);
    await setBudget(spent, undefined);
    messages = captureMessages();
    const files = await generate({ prompt: 'a brass compass, again', model: 'dall-e-2', size: '256x256' });
    assert.deepStrictEqual(files, []);
    assert.strictEqual(sent(), 0);
    const err = messages.shown.find((m) => m.level === 'error');
    assert.ok(err, JSON.stringify(messages.shown));
    assert.match(err.message, /^Pixelwright: nothing was sent\. This month Pixelwright has spent \$[\d.]+, which reaches your monthly limit of \$[\d.]+ \(setting pixelwright\.budget\.monthlyLimit\)\.$/);
    assert.deepStrictEqual(err.actions, ['Open Settings']);
  });

  test('a run whose cheapest outcome would pass the limit is refused; one that may pass it asks first', async () => {
    const spent = (await api.usageSummary()).month.usd;
    await setBudget(Math.round((spent + 0.03) * 1e4) / 1e4, undefined);
    messages = captureMessages();
    assert.deepStrictEqual(await generate({ prompt: 'two lanterns', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'vivid' }), []);
    assert.match(messages.shown[0]?.message ?? '', /This run is estimated at \$0\.04 or more/);
    assert.strictEqual(sent(), 0);
    messages.restore();
    // gpt-image-1-mini with auto quality: $0.005 to $0.036; the top may pass the $0.03 left.
    messages = captureMessages();
    assert.deepStrictEqual(await generate({ prompt: 'a lantern', model: 'gpt-image-1-mini', size: '1024x1024', quality: 'auto', outputFormat: 'png', background: 'auto' }), []);
    const ask = messages.shown.find((m) => m.modal);
    assert.ok(ask, JSON.stringify(messages.shown));
    assert.match(ask.message, /may take this month past your monthly limit/);
    assert.strictEqual(sent(), 0, 'dismissed: nothing sent');
  });

  test('above the ask amount: asks with the estimate; dismissed sends nothing, Run sends it', async () => {
    await setBudget(undefined, 0.03);
    messages = captureMessages();
    assert.deepStrictEqual(await generate({ prompt: 'a lantern', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'vivid' }), []);
    assert.strictEqual(sent(), 0);
    const ask = messages.shown.find((m) => m.modal)!;
    assert.strictEqual(ask.level, 'warning');
    assert.match(ask.message, /^This run \(1 image with dall-e-3\) is estimated at \$0\.04, above the amount you asked to confirm\. Run it\?$/);
    assert.deepStrictEqual(ask.actions, ['Run']);
    assert.match(ask.detail ?? '', /Ask above: \$0\.03 per run/);
    messages.restore();

    messages = captureMessages((m) => (m.modal ? 'Run' : undefined));
    const files = await generate({ prompt: 'a lantern', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'vivid' });
    assert.strictEqual(files.length, 1);
    assert.strictEqual(sent(), 1, 'one request, after Run');
    // At or below the amount: no question.
    messages.restore();
    messages = captureMessages();
    assert.strictEqual((await generate({ prompt: 'a small lantern', model: 'dall-e-2', size: '256x256' })).length, 1);
    assert.ok(!messages.shown.some((m) => m.modal));
  });

  test('with an ask amount set, a model with no estimate before the run asks, and says why', async () => {
    await setBudget(undefined, 1);
    messages = captureMessages();
    assert.deepStrictEqual(await generate({ prompt: 'a lantern', model: 'gpt-image-2', size: '1024x1024', quality: 'high', outputFormat: 'png', background: 'auto' }), []);
    assert.strictEqual(sent(), 0);
    assert.match(messages.shown.find((m) => m.modal)?.message ?? '', /^The cost of this run \(1 image with gpt-image-2\) is not known before it runs: the model is billed by the tokens it uses\. Run it\?$/);
  });

  test('the Usage view is contributed in the sidebar and its settings are declared', async () => {
    const pkg = vscode.extensions.getExtension(EXT_ID)!.packageJSON;
    assert.ok(pkg.contributes.views.pixelwright.some((v: { id: string }) => v.id === 'pixelwright.usage'));
    await vscode.commands.executeCommand('pixelwright.usage.focus');
    const inspect = config().inspect<number>('budget.monthlyLimit');
    assert.strictEqual(inspect?.defaultValue, 0);
    assert.strictEqual(config().inspect<number>('budget.askAbove')?.defaultValue, 0);
  });
});
