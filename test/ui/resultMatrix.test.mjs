#!/usr/bin/env node
// Every result a user can reach arrives and can be kept: the packaged VSIX in a fresh
// code-server, driven in headless Chromium against the fake Images API, over the matrix
//   mask editor: edit × {dall-e-2, gpt-image-1.5} × result {b64, url} × keep unmasked {on, off}
//                (dall-e-2 has no "keep unmasked"; dall-e-3 cannot edit and is not offered)
//                variation × {dall-e-2, gpt-image-1.5} × result {b64, url}
//   Studio:      generate × {dall-e-2, dall-e-3, gpt-image-1.5} × result {b64, url}
//                (gpt-image-1.5 streams: its partials and result come as base64 events either way)
// Each case checks the result shows, no error shows, and the result is saved as a file in the
// workspace (Keep in the editor, the file carrying its recipe; the Studio saves by itself).
// Needs `npm run compile-tests` (reads the recipe with out/src/core/metadata.js). The answer's shape is forced by the
// fake (`/_fake/result-shape`), as compatible servers do. Then an editor closed with a result not
// kept offers to save it, and "Save All" does.
// This matrix is what caught GPT variations and plain GPT edits never finishing (their bytes
// crossed to the webview as a Node Buffer, which the view's guard dropped).
//
//   node test/ui/resultMatrix.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/resultMatrix.test.mjs
// Last line: `ui: N passing, N failing, N skipped`.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  check, closeAllEditors as closeAllEditorsIn, fakeApiSettings, launchWorkbench, pickQuickItem, root, runFromPalette, setApiKey, sleep, startFakeOpenAI, UiRun, until, waitForEditor as waitForEditorIn,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const runDir = path.join(root, '.vscode-test', 'ui-matrix');
const API_KEY = 'sk-test-key';
const PHOTO = { name: 'photo.png', width: 320, height: 240 };

const ui = new UiRun({ title: 'every operation × model family × result shape reaches a result the user keeps', shots: 'matrix', timeoutS: 900 });
const { ctx } = ui;

const waitForEditor = (title) => waitForEditorIn(ctx.page, title);
const closeAllEditors = () => closeAllEditorsIn(ctx.page);

const setShape = (shape) => fetch(`${ctx.fake.origin}/_fake/result-shape`, { method: 'POST', body: JSON.stringify({ shape }) }).then((r) => check(r.ok, `result-shape ${shape}: ${r.status}`));
const requests = async () => (await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json()).filter((r) => r.method === 'POST' && r.path.includes('/images/'));
const savedFiles = () => {
  const dir = path.join(ctx.workspace, 'images', 'generated');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
};

/** The answer's shape as the fake sent it (the recorded request's own answer is not kept: we check the URL download). */
async function fileDownloads() {
  return (await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json()).filter((r) => r.method === 'GET' && r.path.startsWith('/_fake/files/')).length;
}

/** One run in the open editor, then Keep on its result; returns the kept file's workspace path. */
async function editorCase({ ed, model, shape, keep, button, operation = 'edit' }) {
  await setShape(shape);
  await ed.locator('#opt-model').selectOption(model);
  await ed.locator('#opt-n').selectOption('1');
  if (keep !== undefined) {
    const box = ed.locator('#keep-unmasked');
    check(await box.isVisible(), `${model} offers "Keep unmasked pixels"`);
    if ((await box.isChecked()) !== keep) await box.click();
  }
  const before = await ed.locator('li.result').count();
  const sentBefore = (await requests()).length;
  const downloadsBefore = await fileDownloads();
  await ed.getByRole('button', { name: button, exact: true }).click();
  await until(`the ${model} result (${shape}${keep === undefined ? '' : keep ? ', keep unmasked' : ', not kept'})`, async () => {
    const err = await ed.locator('p.error').evaluate((e) => (e.hidden ? '' : e.textContent)).catch(() => '');
    if (err) throw new Error(`the editor shows an error: ${err}`);
    return (await ed.locator('li.result').count()) > before && (await ed.getByRole('button', { name: 'Cancel', exact: true }).isDisabled());
  }, 60_000, 200);
  const sent = (await requests()).slice(sentBefore);
  check(sent.length === 1 && sent[0].status === 200, `one request answered 200: ${sent.map((r) => `${r.path} ${r.status}`).join(', ')}`);
  const downloaded = (await fileDownloads()) - downloadsBefore;
  check(shape === 'url' ? downloaded === 1 : downloaded === 0, `${shape}: ${downloaded} URL downloads`);
  const card = ed.locator('li.result').nth(before);
  await card.getByRole('button', { name: /^Keep/ }).click();
  const status = await until('the saved path', async () => { const t = await card.locator('.result-status').textContent(); return /Saved as/.test(t) ? t : ''; }, 30_000, 200);
  const rel = status.replace(/^Saved as\s*/, '').trim();
  check(fs.existsSync(path.join(ctx.workspace, rel)), `${rel} is not in the workspace`);
  const meta = await require('sharp')(path.join(ctx.workspace, rel)).metadata();
  console.log(`    ${model} ${shape}${keep === undefined ? '' : keep ? ' keep' : ' no-keep'}: kept ${rel} (${meta.width}x${meta.height} ${meta.format}) via ${sent[0].path}`);
  // The kept file carries its recipe: what was asked, from which source, how.
  const { readRecord } = require(path.join(root, 'out', 'src', 'core', 'metadata.js'));
  const recipe = readRecord(fs.readFileSync(path.join(ctx.workspace, rel)));
  check(recipe, `${rel} has no recipe`);
  check(recipe.operation === operation && recipe.model === model, `the recipe says ${recipe.operation} with ${recipe.model}`);
  check(JSON.stringify(recipe.sources) === JSON.stringify([PHOTO.name]), `the recipe's sources are ${JSON.stringify(recipe.sources)}`);
  check(!!recipe.options.masked === (operation === 'edit'), `the recipe says masked: ${recipe.options.masked}`);
  check(!!recipe.options.keep_unmasked === !!keep, `the recipe says keep_unmasked: ${recipe.options.keep_unmasked}`);
  check(model !== 'dall-e-2' || recipe.options.square === 'pad', `a dall-e-2 recipe records how it was made square: ${recipe.options.square}`);
  return { rel, meta };
}

// ---------------------------------------------------------------------------------------------
ui.step('the fake Images API starts', async () => {
  ctx.fake = await startFakeOpenAI();
  ui.defer(() => ctx.fake.close());
});

ui.step('the VSIX installs into a fresh code-server with a workspace image; the workbench opens', async () => {
  Object.assign(ctx, await launchWorkbench({
    dir: runDir,
    workspaceSettings: fakeApiSettings(ctx.fake),
    userSettings: { 'workbench.colorTheme': 'Dark Modern', 'window.commandCenter': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
    viewport: { width: 1440, height: 900 },
    defer: (f) => ui.defer(f),
  }));
  const sharp = require('sharp');
  const { width, height } = PHOTO;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([x % 256, y % 256, (x + y) % 256], (y * width + x) * 3);
  await sharp(raw, { raw: { width, height, channels: 3 } }).png().toFile(path.join(ctx.workspace, PHOTO.name));
});

ui.step('Set API Key', async () => {
  await setApiKey(ctx.page, API_KEY);
});

ui.step('the edit editor opens; a stroke is painted (dall-e-3 is not offered: it cannot edit)', async () => {
  await runFromPalette(ctx.page, 'Pixelwright: Edit Image with Mask…');
  await pickQuickItem(ctx.page, PHOTO.name);
  const ed = await waitForEditor(`Edit: ${PHOTO.name}`);
  const models = await ed.locator('#opt-model option').allTextContents();
  check(!models.includes('dall-e-3'), `dall-e-3 is offered for edits: ${models.join(', ')}`);
  await ed.getByRole('button', { name: 'Fit to view' }).click();
  await sleep(150);
  const box = await ed.locator('canvas.mask').boundingBox();
  const k = box.width / PHOTO.width;
  await ctx.page.mouse.move(box.x + 60 * k, box.y + 120 * k);
  await ctx.page.mouse.down();
  await ctx.page.mouse.move(box.x + 260 * k, box.y + 120 * k, { steps: 8 });
  await ctx.page.mouse.up();
  await until('the stroke', async () => Number(await ed.locator('.app').getAttribute('data-painted')) > 0, 3000, 100);
  await ed.locator('#prompt').fill('the same picture with a red band across the middle');
  const run = await ed.getByRole('button', { name: 'Edit', exact: true }).boundingBox();
  check(run && run.y >= 0 && run.y + run.height <= 900, `at 1440x900 the Edit button is out of view (${JSON.stringify(run)})`);
  ctx.ed = ed;
});

for (const shape of ['b64_json', 'url']) {
  for (const keep of [true, false]) {
    ui.step(`edit × gpt-image-1.5 × ${shape} × keep unmasked ${keep ? 'on' : 'off'}: the result shows and is kept`, async () => {
      const { meta } = await editorCase({ ed: ctx.ed, model: 'gpt-image-1.5', shape, keep, button: 'Edit' });
      if (keep) check(meta.width === PHOTO.width && meta.height === PHOTO.height, `a composited result has the original's size, not ${meta.width}x${meta.height}`);
    });
  }
  ui.step(`edit × dall-e-2 × ${shape}: the result shows and is kept`, async () => {
    await ctx.ed.locator('#opt-model').selectOption('dall-e-2');
    check(!(await ctx.ed.locator('#keep-unmasked').isVisible()), 'dall-e-2 offers no "keep unmasked"');
    await editorCase({ ed: ctx.ed, model: 'dall-e-2', shape, button: 'Edit' });
  });
}

ui.step('closing the editor with a result not kept offers to save it; "Save All" saves it', async () => {
  const { ed, page } = ctx;
  await setShape('default');
  await ed.locator('#opt-model').selectOption('gpt-image-1.5');
  const before = await ed.locator('li.result').count();
  await ed.getByRole('button', { name: 'Edit', exact: true }).click();
  await until('the unsaved result', async () => (await ed.locator('li.result').count()) > before, 60_000, 200);
  const files = savedFiles().length;
  await closeAllEditors();
  const toast = page.locator('.notification-toast', { hasText: 'closed with 1 result not saved' });
  await toast.waitFor({ state: 'visible', timeout: 10_000 });
  await ui.screenshot('unsaved-offer');
  await toast.getByRole('button', { name: 'Save All' }).click();
  await until('the result saved', async () => savedFiles().length === files + 1, 15_000, 200);
});

ui.step('the variations editor opens', async () => {
  await runFromPalette(ctx.page, 'Pixelwright: Create Variations…');
  await pickQuickItem(ctx.page, PHOTO.name);
  ctx.ed = await waitForEditor(`Variations: ${PHOTO.name}`);
  const models = await ctx.ed.locator('#opt-model option').allTextContents();
  check(!models.includes('dall-e-3'), `dall-e-3 is offered for variations: ${models.join(', ')}`);
});

for (const model of ['gpt-image-1.5', 'dall-e-2']) {
  for (const shape of ['b64_json', 'url']) {
    ui.step(`variation × ${model} × ${shape}: the result shows and is kept`, async () => {
      await editorCase({ ed: ctx.ed, model, shape, button: 'Create variations', operation: 'variation' });
    });
  }
}

// --- the Studio ---------------------------------------------------------------------------------
async function studio() {
  return until('the Studio webview', async () => {
    for (const f of ctx.page.frames()) if (await f.locator('main.studio').count().catch(() => 0)) return f;
    return undefined;
  }, 30_000, 250);
}

ui.step('the Studio opens from the activity bar', async () => {
  await closeAllEditors();
  const item = ctx.page.locator('.activitybar .action-item a[aria-label^="Pixelwright"], .activitybar .action-item[aria-label^="Pixelwright"] a').first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  if (!(await ctx.page.locator('.activitybar .action-item.checked a[aria-label^="Pixelwright"]').count())) await item.click({ force: true });
  ctx.f = await studio();
  await until('the form', async () => (await ctx.f.locator('#prompt').count()) === 1, 10_000, 100);
});

ui.step('"Focus on Studio View" puts the focus in the prompt', async () => {
  await runFromPalette(ctx.page, 'Pixelwright: Focus on Studio View');
  await until('the prompt focused', async () => (await ctx.f.evaluate(() => document.activeElement?.id)) === 'prompt', 5000, 100);
});

for (const model of ['dall-e-2', 'dall-e-3', 'gpt-image-1.5']) {
  for (const shape of ['b64_json', 'url']) {
    ui.step(`generate × ${model} × ${shape} (Studio): the result shows and is saved`, async () => {
      const { f } = ctx;
      await setShape(shape);
      await f.locator('#opt-model').selectOption(model);
      await f.locator('#opt-n').selectOption('1');
      await f.locator('#prompt').fill(`a small ${model} test picture`);
      const files = savedFiles().length;
      const sent = (await requests()).length;
      await f.getByRole('button', { name: 'Generate', exact: true }).click();
      await until('the request', async () => (await requests()).length > sent, 15_000, 100);
      const phase = await until('the run to end', async () => { const p = await f.locator('main.studio').getAttribute('data-phase'); return p === 'running' ? '' : p; }, 60_000, 150);
      check(phase === 'done', `the run ended ${phase}: ${await f.locator('main.studio').textContent()}`);
      check(await f.locator('li.tile img.result').count() === 1, 'the result shows');
      await until('the file saved', async () => savedFiles().length === files + 1, 10_000, 100);
    });
  }
}

process.exitCode = await ui.run();
