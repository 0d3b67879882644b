#!/usr/bin/env node
// UI test of what ships: the linux-x64 VSIX, installed into a fresh code-server and used through
// the workbench in headless Chromium, as a person would (palette, input boxes, quick picks).
//
//   node test/ui/vsix.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/vsix.test.mjs   (uses that VSIX)
//
// Needs the tools from scripts/setup-test-host.sh and `npm run compile-tests` (for the fake
// OpenAI server in out/test/fake-openai). Screenshots go to .vscode-test/screenshots/ui-*.png.
// Steps run in order; when one fails the rest of the flow is skipped (and counted as skipped).
// Last line: `ui: N passing, N failing, N skipped`. Exit code 0 only when nothing failed.
// env: PIXELWRIGHT_UI_TIMEOUT (seconds for the whole run, default 420), VERBOSE=1 (code-server log).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  QUICK_INPUT, QUICK_INPUT_BOX, UiRun, fakeApiSettings, freshDir, installVsix, launchChromium, openWorkbench,
  paletteRows, quickInputVisible, resolveVsix, root, runFromPalette, sleep, startCodeServer, startFakeOpenAI,
  uiTools, until, writeUserSettings, writeWorkspace,
} from './harness.mjs';

const runDir = path.join(root, '.vscode-test', 'ui');
const API_KEY = 'sk-test-key';

const ui = new UiRun({ title: 'the VSIX in code-server, driven in Chromium', shots: 'ui', timeoutS: 420 });
const { ctx } = ui;
const step = (name, fn) => ui.step(name, fn);
const screenshot = (name) => ui.screenshot(name);

// ---------------------------------------------------------------------------------------------
step('the tools are installed', async () => {
  Object.assign(ctx, uiTools());
  freshDir(runDir);
});

step('the linux-x64 VSIX is packaged and verified', async () => {
  ctx.vsix = resolveVsix({ out: runDir, env: ctx.env });
});

step('code-server installs the VSIX into a fresh extensions dir', async () => {
  ctx.extensionsDir = path.join(runDir, 'extensions');
  ctx.userDataDir = path.join(runDir, 'user-data');
  const installed = installVsix({ codeServerBin: ctx.tools.codeServerBin, env: ctx.env, vsix: ctx.vsix,
    extensionsDir: ctx.extensionsDir, userDataDir: ctx.userDataDir });
  const sharpNode = path.join(installed, 'node_modules', '@img', 'sharp-linux-x64', 'lib');
  if (!fs.existsSync(sharpNode) || !fs.readdirSync(sharpNode).some((f) => f.endsWith('.node'))) {
    throw new Error(`installed extension has no sharp binary under ${sharpNode}`);
  }
  console.log(`    installed: ${path.relative(root, installed)}`);
});

step('the fake OpenAI server starts', async () => {
  ctx.fake = await startFakeOpenAI();
  ui.defer(() => ctx.fake.close());
  console.log(`    fake API at ${ctx.fake.url}`);
});

step('code-server starts with a fresh profile and workspace', async () => {
  ctx.workspace = writeWorkspace(path.join(runDir, 'workspace'), fakeApiSettings(ctx.fake));
  writeUserSettings(ctx.userDataDir);
  ctx.logFile = path.join(runDir, 'code-server.log');
  const cs = await startCodeServer({ codeServerBin: ctx.tools.codeServerBin, env: ctx.env, dir: runDir,
    userDataDir: ctx.userDataDir, extensionsDir: ctx.extensionsDir, logFile: ctx.logFile, defer: (f) => ui.defer(f) });
  ctx.base = cs.url;
});

step('the workbench opens in Chromium', async () => {
  const { browser, page } = await launchChromium({ chromium: ctx.tools.chromium, viewport: { width: 1280, height: 800 } });
  ui.defer(() => browser.close());
  ctx.page = page;
  await openWorkbench(page, { url: ctx.base, workspace: ctx.workspace,
    ready: '.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar' });
});

step('the palette offers "Pixelwright: Generate Image…" and "Pixelwright: Set API Key"', async () => {
  // Pixelwright has more commands than the palette shows rows: each is looked for by its own name,
  // after the list for "Pixelwright" is seen.
  const labels = await paletteRows(ctx.page, 'Pixelwright', ['Pixelwright: Generate Image…']);
  console.log(`    offered: ${labels.filter((l) => l.includes('Pixelwright')).map((l) => l.split(',')[0]).join(' | ')}`);
  await paletteRows(ctx.page, 'Pixelwright: Set API', ['Pixelwright: Set API Key']);
  await screenshot('palette');
  await ctx.page.keyboard.press('Escape');
});

step('Set API Key asks with a password box and keeps the key', async () => {
  const { page } = ctx;
  await runFromPalette(page, 'Pixelwright: Set API Key');
  const box = page.locator(`${QUICK_INPUT} input[type="password"]`);
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.type(API_KEY, { delay: 10 });
  await screenshot('api-key');
  await page.keyboard.press('Enter');
  await until('the password box to close', async () => !(await box.isVisible()), 10_000);
});

step('Generate Image…: a prompt, then Enter through the quick picks', async () => {
  const { page } = ctx;
  await runFromPalette(page, 'Pixelwright: Generate Image…');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 15_000 });
  await sleep(300);
  await page.keyboard.type('a lighthouse at dawn, watercolor', { delay: 10 });
  await sleep(300);
  await screenshot('prompt');
  const seen = [];
  for (let i = 0; i < 12 && await quickInputVisible(page); i++) {
    const title = await page.locator(`${QUICK_INPUT} .quick-input-title`).textContent().catch(() => '');
    seen.push((title || '').trim());
    await page.keyboard.press('Enter');
    // the next step replaces this one, or the flow ends
    await until('the next step', async () => {
      if (!(await quickInputVisible(page))) return true;
      const t = await page.locator(`${QUICK_INPUT} .quick-input-title`).textContent().catch(() => '');
      return (t || '').trim() !== seen[seen.length - 1];
    }, 5000, 100).catch(() => { });
    await sleep(200);
  }
  console.log(`    steps: ${seen.map((s) => s || '(untitled)').join(' -> ')}`);
  if (await quickInputVisible(page)) throw new Error(`the flow did not finish; still showing: ${seen[seen.length - 1]}`);
});

step('the image lands in the workspace', async () => {
  const dir = path.join(ctx.workspace, 'images', 'generated');
  const files = await until(`an image in ${path.relative(root, dir)}`, () => {
    const f = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /\.(png|jpe?g|webp)$/.test(n)) : [];
    return f.length ? f : undefined;
  }, 90_000, 500);
  const gens = ctx.fake.requests.filter((r) => r.path.endsWith('/images/generations'));
  if (gens.length < 1) throw new Error('the fake API saw no /images/generations request');
  if (!gens.every((r) => r.hasAuthorization)) throw new Error('a request went out without the key');
  console.log(`    landed: ${files.join(', ')} (${gens.length} API request${gens.length > 1 ? 's' : ''})`);
  await sleep(1500); // let the editor show it
  await screenshot('generated');
});

process.exitCode = await ui.run();
