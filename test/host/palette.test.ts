/**
 * "Pixelwright: Generate Image…" driven through its quick picks in a real VS Code, against the
 * local fake Images API: the steps it shows, what they say, what Enter and Back do, and what a
 * run then sends. The test sees the quick inputs the extension creates (it shares the extension's
 * `vscode` API object) and drives them with the workbench's own commands, as a keyboard would:
 * it makes an item active and runs "accept", or runs "back".
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readRecord } from '../../src/core/metadata';
import type { FakeOpenAI } from '../fake-openai/server';
import { capture, sleep, until, type Input } from './quickInput';

const EXT_ID = 'pixelwright.pixelwright';
const KEY = 'sk-test-key';

suite('Generate Image palette (host, quick picks, fake API)', function () {
  this.timeout(90_000);
  let fake: FakeOpenAI;
  let api: { setApiKey(k: string): Promise<void> };
  let out: vscode.Uri;
  let cap: ReturnType<typeof capture>;
  let seen = 0;
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const SETTINGS = ['provider', 'baseUrl', 'outputFolder', 'azure.endpoint', 'azure.deployment', 'model', 'maxConcurrentRequests'];

  /** The next quick input the flow opens (one not seen yet), once it is on screen. */
  async function next(what: string, ms = 10_000): Promise<Input> {
    const input = await until(`${what} (step ${seen + 1})`, () => cap.inputs[seen], ms);
    seen++;
    await sleep(150); // its properties reach the workbench (the extension host batches them)
    return input;
  }

  /** Asserts that no further quick input opens within `ms`. */
  async function noNext(ms = 1500): Promise<void> {
    await sleep(ms);
    assert.strictEqual(cap.inputs.length, seen, `an unexpected step opened: ${placeholderOf(cap.inputs[seen])}`);
  }

  const placeholderOf = (i: Input | undefined): string => (i ? (('placeholder' in i && i.placeholder) || (i as vscode.InputBox).prompt || '') : 'none');
  const itemsOf = (i: Input) => (i as vscode.QuickPick<vscode.QuickPickItem>).items;
  const item = (i: Input, label: string) => {
    const found = itemsOf(i).find((x) => x.label === label);
    assert.ok(found, `"${label}" is offered in ${placeholderOf(i)}: ${itemsOf(i).map((x) => x.label).join(', ')}`);
    return found;
  };

  /** Makes `label` the active item and presses Enter. */
  async function choose(i: Input, label: string): Promise<void> {
    const qp = i as vscode.QuickPick<vscode.QuickPickItem>;
    qp.activeItems = [item(i, label)];
    await sleep(150);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }

  /**
   * Puts `text` into the box, as if pasted. (The workbench does not echo a value set by the
   * extension as a change, so what the box says is checked after Enter, which reads the value.)
   */
  async function type(i: Input, text: string): Promise<void> {
    i.value = text;
    await sleep(300);
  }

  /** The error shown under an input box, if any. */
  const boxError = (i: Input) => {
    const v = (i as vscode.InputBox).validationMessage;
    return typeof v === 'object' && v.severity === vscode.InputBoxValidationSeverity.Error ? v.message : undefined;
  };

  const enter = () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  const back = () => vscode.commands.executeCommand('workbench.action.quickInputBack');
  const escape = () => vscode.commands.executeCommand('workbench.action.closeQuickOpen');

  /** Presses Enter on every further step (each one's preselected choice) until the run ends. */
  async function acceptRest(run: Thenable<vscode.Uri[] | undefined>): Promise<vscode.Uri[]> {
    let done: vscode.Uri[] | undefined;
    void run.then((r) => (done = r ?? []));
    const end = Date.now() + 30_000;
    while (done === undefined && Date.now() < end) {
      if (cap.inputs.length > seen) {
        await next('a later step');
        await enter();
      }
      await sleep(50);
    }
    assert.ok(done, 'the run ended');
    return done;
  }

  const palette = (args: Record<string, unknown> = {}) => vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.generate', { noOpen: true, ...args });
  const generations = () => fake.requests.filter((r) => r.path.includes('/images/generations'));

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI({ urlTtlMs: 60_000 });
    out = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'palette-test-images');
    await config().update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await config().update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await config().update('outputFolder', 'palette-test-images', vscode.ConfigurationTarget.Workspace);
    await api.setApiKey(KEY);
  });

  setup(() => {
    fake.reset();
    cap = capture();
    seen = 0;
  });

  teardown(async () => {
    await escape();
    cap.restore();
  });

  suiteTeardown(async () => {
    await vscode.workspace.fs.delete(out, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    for (const k of SETTINGS) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await fake?.close();
  });

  test('after a dall-e-2 run a 1,060-character prompt reaches the model step, where dall-e-2 says it is too short and is refused', async () => {
    assert.strictEqual((await palette({ prompt: 'a small boat', model: 'dall-e-2', size: '256x256', n: 1 })).length, 1);
    const prompt = `a lighthouse on a cliff at dusk, ${'with waves '.repeat(200)}`.slice(0, 1060);
    const run = palette();
    const promptStep = await next('the prompt step');
    await type(promptStep, prompt);
    await enter();
    const modelStep = await next('the model step');
    assert.strictEqual(placeholderOf(modelStep), 'Model');
    assert.match(item(modelStep, 'dall-e-2').detail ?? '', /too long.*1,000/);
    assert.doesNotMatch(item(modelStep, 'gpt-image-1.5').detail ?? '', /too long/);
    assert.notStrictEqual((modelStep as vscode.QuickPick<vscode.QuickPickItem>).activeItems[0]?.label, 'dall-e-2', 'a model the prompt is too long for is not preselected');

    await choose(modelStep, 'dall-e-2');
    const refusal = await until('the refusal', () => cap.shown.find((s) => s.level === 'error'));
    assert.match(refusal.message, /1,060 characters; dall-e-2 takes at most 1,000/);
    assert.ok(refusal.actions.includes('Edit Prompt'), refusal.actions.join(', '));
    await noNext(500); // still on the model step

    await choose(modelStep, 'gpt-image-1.5');
    const files = await acceptRest(run);
    assert.strictEqual(files.length, 1);
    const record = readRecord(await vscode.workspace.fs.readFile(files[0]))!;
    assert.strictEqual(record.model, 'gpt-image-1.5');
    assert.strictEqual(record.prompt, prompt);
  });

  test('"Edit Prompt" on a model\'s refusal goes back to the prompt, text kept', async () => {
    cap.answerWith((s) => (s.actions.includes('Edit Prompt') ? 'Edit Prompt' : undefined));
    await palette({ prompt: 'a small boat', model: 'dall-e-2', size: '256x256', n: 1 });
    const prompt = 'p'.repeat(1200);
    const run = palette();
    await type(await next('the prompt step'), prompt);
    await enter();
    await choose(await next('the model step'), 'dall-e-2');
    const again = await next('the prompt step again');
    assert.strictEqual(again.value, prompt);
    await escape();
    assert.deepStrictEqual(await run, []);
  });

  test('a 33,000-character prompt is refused with a visible error, and the box keeps it', async () => {
    const run = palette();
    const promptStep = await next('the prompt step');
    await type(promptStep, 'x'.repeat(33_000));
    await enter();
    await noNext(500);
    assert.match(boxError(promptStep) ?? 'no error under the box', /33,000 characters; no model takes more than 32,000/);
    assert.strictEqual(promptStep.value.length, 33_000);
    await escape();
    assert.deepStrictEqual(await run, []);
    assert.strictEqual(generations().length, 0);
  });

  test('with a model given, the prompt step checks that model\'s limit and says so', async () => {
    const run = palette({ model: 'dall-e-3' });
    const promptStep = await next('the prompt step');
    await type(promptStep, 'y'.repeat(4001));
    await enter();
    assert.match(boxError(promptStep) ?? 'no error under the box', /4,001 characters; dall-e-3 takes at most 4,000/);
    await noNext(500);
    await type(promptStep, 'y'.repeat(4000));
    await enter();
    assert.strictEqual(boxError(promptStep), undefined);
    assert.strictEqual(placeholderOf(await next('the size step')), 'Size');
    await escape();
    assert.deepStrictEqual(await run, []);
  });

  test('a prompt refused when sent offers "Edit Prompt" and "Pick Another Model", not settings', async () => {
    const prompt = 'q'.repeat(1060);
    assert.deepStrictEqual(await palette({ prompt, model: 'dall-e-2', size: '256x256', n: 1 }), []);
    const refusal = await until('the refusal', () => cap.shown.find((s) => s.level === 'error'));
    assert.match(refusal.message, /prompt/);
    assert.ok(refusal.actions.includes('Edit Prompt') && refusal.actions.includes('Pick Another Model'), refusal.actions.join(', '));
    assert.ok(!refusal.actions.includes('Open Settings'), refusal.actions.join(', '));
    assert.strictEqual(generations().length, 0);
  });

  test('"Pick Another Model" reopens the palette on the model step with the prompt kept', async () => {
    const prompt = 'r'.repeat(1060);
    cap.answerWith((s) => (s.actions.includes('Pick Another Model') ? 'Pick Another Model' : undefined));
    await palette({ prompt, model: 'dall-e-2', size: '256x256', n: 1 });
    const modelStep = await next('the model step');
    assert.strictEqual(placeholderOf(modelStep), 'Model');
    await choose(modelStep, 'gpt-image-1-mini');
    // The reopened flow is a new command run: follow its steps until its file lands.
    const files = await acceptRest(new Promise<vscode.Uri[]>((resolve) => {
      const poll = setInterval(async () => {
        const names = await vscode.workspace.fs.readDirectory(out).then((e) => e.map(([n]) => n), () => [] as string[]);
        const hit = names.find((n) => n.startsWith('rrrr'));
        if (hit) {
          clearInterval(poll);
          resolve([vscode.Uri.joinPath(out, hit)]);
        }
      }, 100);
    }));
    const record = readRecord(await vscode.workspace.fs.readFile(files[0]))!;
    assert.strictEqual(record.model, 'gpt-image-1-mini');
    assert.strictEqual(record.prompt, prompt);
  });

  test('"Edit Prompt" on a prompt refused when sent opens the prompt step with it', async () => {
    const prompt = 's'.repeat(1060);
    cap.answerWith((s) => (s.actions.includes('Edit Prompt') ? 'Edit Prompt' : undefined));
    await palette({ prompt, model: 'dall-e-2', size: '256x256', n: 1 });
    const promptStep = await next('the prompt step');
    assert.strictEqual(promptStep.value, prompt);
  });

  test('the count step tells the truth: 10 dall-e-3 images are 10 requests, 3 at a time', async () => {
    const run = palette({ prompt: 'ten boats', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'vivid' });
    const count = await next('the count step');
    assert.strictEqual(placeholderOf(count), 'How many images');
    assert.strictEqual(item(count, '1').description, undefined);
    assert.strictEqual(item(count, '3').description, '3 parallel requests');
    assert.strictEqual(item(count, '4').description, '4 requests, 3 at a time');
    assert.strictEqual(item(count, '10').description, '10 requests, 3 at a time');
    await escape();
    assert.deepStrictEqual(await run, []);

    await config().update('maxConcurrentRequests', 5, vscode.ConfigurationTarget.Workspace);
    try {
      const again = palette({ prompt: 'ten boats', model: 'dall-e-3', size: '1024x1024', quality: 'standard', style: 'vivid' });
      const count2 = await next('the count step');
      assert.strictEqual(item(count2, '5').description, '5 parallel requests');
      assert.strictEqual(item(count2, '10').description, '10 requests, 5 at a time');
      await escape();
      await again;
    } finally {
      await config().update('maxConcurrentRequests', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('jpeg and webp get a compression step (last choice preselected, Back works); png does not', async () => {
    const given = { prompt: 'compressed harbour', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, background: 'opaque' };
    const run = palette(given);
    const format = await next('the format step');
    assert.strictEqual(placeholderOf(format), 'File format');
    await choose(format, 'jpeg');
    const level = await next('the compression step');
    assert.match(placeholderOf(level), /Compression of the jpeg file/);
    assert.strictEqual((level as vscode.QuickPick<vscode.QuickPickItem>).step, 2);
    assert.strictEqual((level as vscode.QuickPick<vscode.QuickPickItem>).totalSteps, 2);
    await choose(level, '80');
    const [file] = await run;
    const rec = readRecord(await vscode.workspace.fs.readFile(file))!;
    assert.strictEqual(rec.options.output_format, 'jpeg');
    assert.strictEqual(rec.options.output_compression, 80);
    assert.strictEqual((generations()[0].body as Record<string, unknown>).output_compression, 80);

    // The next run preselects 80; Back returns to the format, and png asks no level.
    const run2 = palette(given);
    await choose(await next('the format step'), 'webp');
    const level2 = await next('the compression step');
    assert.match(placeholderOf(level2), /webp/);
    assert.strictEqual((level2 as vscode.QuickPick<vscode.QuickPickItem>).activeItems[0]?.label, '80');
    await back();
    const format2 = await next('the format step after Back');
    assert.strictEqual(placeholderOf(format2), 'File format');
    assert.strictEqual((format2 as vscode.QuickPick<vscode.QuickPickItem>).totalSteps, 2);
    await choose(format2, 'png');
    const [png] = await run2;
    assert.strictEqual(seen, cap.inputs.length, 'no compression step for png');
    const rec2 = readRecord(await vscode.workspace.fs.readFile(png))!;
    assert.strictEqual(rec2.options.output_format, 'png');
    assert.strictEqual(rec2.options.output_compression, undefined);
  });

  test('a compression level can be typed, and a bad one is refused in the box', async () => {
    const run = palette({ prompt: 'typed level', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, background: 'opaque', outputFormat: 'webp' });
    const level = await next('the compression step');
    await choose(level, 'Other level…');
    const box = (await next('the level box')) as vscode.InputBox;
    box.value = '101';
    await sleep(300);
    await enter();
    await sleep(300);
    assert.ok(box.validationMessage, 'a level above 100 is refused in the box');
    box.value = '37';
    await sleep(300);
    await enter();
    const [file] = await run;
    assert.strictEqual(readRecord(await vscode.workspace.fs.readFile(file))!.options.output_compression, 37);
  });

  test('Azure: the deployment\'s model (the setting) is used, not the last run\'s; no GPT-only fields reach dall-e-3', async () => {
    // The last run was gpt-image-1.5 with GPT-only options.
    assert.strictEqual((await palette({ prompt: 'gpt first', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'webp', outputCompression: 60, background: 'opaque' })).length, 1);
    await config().update('provider', 'azure', vscode.ConfigurationTarget.Workspace);
    await config().update('azure.endpoint', fake.origin, vscode.ConfigurationTarget.Workspace);
    await config().update('azure.deployment', 'dalle3', vscode.ConfigurationTarget.Workspace);
    await config().update('model', 'dall-e-3', vscode.ConfigurationTarget.Workspace);
    try {
      await api.setApiKey(KEY);
      fake.reset();
      const run = palette({ prompt: 'an azure lighthouse' });
      const files = await acceptRest(run);
      assert.ok(
        cap.inputs.every((i) => placeholderOf(i) !== 'Model'),
        `a deployment runs one model: no model step (${cap.inputs.map(placeholderOf).join(' | ')})`,
      );
      assert.strictEqual(files.length, 1, JSON.stringify(cap.shown));
      const [req] = generations();
      assert.match(req.path, /\/deployments\/dalle3\//);
      const body = req.body as Record<string, unknown>;
      for (const gptOnly of ['background', 'output_format', 'output_compression', 'moderation']) assert.ok(!(gptOnly in body), `${gptOnly} sent to dall-e-3: ${JSON.stringify(body)}`);
      assert.strictEqual(readRecord(await vscode.workspace.fs.readFile(files[0]))!.model, 'dall-e-3');

      // A run naming another model is refused before anything is sent.
      fake.reset();
      assert.deepStrictEqual(await palette({ prompt: 'named model', model: 'gpt-image-1.5', size: '1024x1024', quality: 'low', n: 1, outputFormat: 'png', background: 'auto' }), []);
      const refusal = await until('the refusal', () => cap.shown.find((s) => s.level === 'error'));
      assert.match(refusal.message, /deployment "dalle3" runs dall-e-3.*cannot take gpt-image-1\.5/);
      assert.strictEqual(generations().length, 0);

      // The prompt step checks the deployment's model's limit.
      const run2 = palette();
      const promptStep = await next('the prompt step');
      await type(promptStep, 'z'.repeat(4500));
      await enter();
      assert.match(boxError(promptStep) ?? 'no error under the box', /4,500 characters; dall-e-3 takes at most 4,000/);
      await escape();
      await run2;
    } finally {
      for (const k of ['provider', 'azure.endpoint', 'azure.deployment', 'model']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    }
  });
});
