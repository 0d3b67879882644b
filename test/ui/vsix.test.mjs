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
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTools, toolsEnv } from '../../scripts/run-host-tests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runDir = path.join(root, '.vscode-test', 'ui');
const shotsDir = path.join(root, '.vscode-test', 'screenshots');
const EXT_ID = 'pixelwright.pixelwright';
const API_KEY = 'sk-test-key';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

// ---------------------------------------------------------------------------------------------
// A small sequential runner: each step is one test; `ctx` carries what steps hand on.
const steps = [];
const step = (name, fn) => steps.push({ name, fn });
const cleanups = [];
const ctx = { tools: resolveTools() };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 20_000, every = 250) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function screenshot(name) {
  if (!ctx.page) return;
  fs.mkdirSync(shotsDir, { recursive: true });
  const file = path.join(shotsDir, `ui-${name}.png`);
  await ctx.page.screenshot({ path: file }).catch(() => { });
  console.log(`    screenshot: ${path.relative(root, file)}`);
}

// --- workbench helpers (selectors as in VS Code 1.139's workbench) --------------------------
const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
const ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

async function quickInputVisible() {
  return ctx.page.locator(QUICK_INPUT).isVisible().catch(() => false);
}

/**
 * Opens the palette, types `text` and returns the rows' labels once all of `wanted` are offered.
 * The installed extension's contributions arrive a little after the workbench shows, and an open
 * palette does not refresh its list, so it is closed and reopened until they are there.
 */
async function paletteRows(text, wanted = [], ms = 30_000) {
  const { page } = ctx;
  let labels = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await quickInputVisible()) { await page.keyboard.press('Escape'); await sleep(200); }
    await page.keyboard.press('F1');
    await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(text, { delay: 15 });
    const found = await until('rows', async () => {
      labels = await page.locator(ROWS).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') || r.textContent || ''));
      return wanted.every((w) => labels.some((l) => l.includes(w)));
    }, 3000, 200).catch(() => false);
    if (found) return labels;
  }
  throw new Error(`the palette did not offer ${JSON.stringify(wanted)} within ${ms} ms; it showed ${JSON.stringify(labels)}`);
}

/** Runs a command from the palette by its title. */
async function runFromPalette(title) {
  const labels = await paletteRows(title, [title]);
  const i = labels.findIndex((l) => l.includes(title));
  await ctx.page.locator(ROWS).nth(i).click();
}

// ---------------------------------------------------------------------------------------------
step('the tools are installed', async () => {
  const t = ctx.tools;
  if (!t.codeServerBin || !t.node24Dir || !t.chromium) {
    throw new Error(`missing under ${t.tools}: run bash scripts/setup-test-host.sh`);
  }
  ctx.env = toolsEnv(t, { EXTENSIONS_GALLERY: '{}' });
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
});

step('the linux-x64 VSIX is packaged and verified', async () => {
  if (process.env.PIXELWRIGHT_VSIX) {
    ctx.vsix = path.resolve(process.env.PIXELWRIGHT_VSIX);
    if (!fs.existsSync(ctx.vsix)) throw new Error(`PIXELWRIGHT_VSIX ${ctx.vsix} does not exist`);
    return;
  }
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', runDir],
    { cwd: root, encoding: 'utf8', env: ctx.env });
  const out = `${r.stdout}${r.stderr}`;
  for (const l of out.split('\n').filter((l) => /^package: /.test(l))) console.log(`    ${l}`);
  const m = /^vsix: (.+)$/m.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`scripts/package.mjs failed (exit ${r.status}):\n${out.slice(-3000)}`);
  ctx.vsix = m[1].trim();
});

step('code-server installs the VSIX into a fresh extensions dir', async () => {
  ctx.extensionsDir = path.join(runDir, 'extensions');
  ctx.userDataDir = path.join(runDir, 'user-data');
  const r = spawnSync(ctx.tools.codeServerBin, ['--install-extension', ctx.vsix, '--extensions-dir', ctx.extensionsDir,
    '--user-data-dir', ctx.userDataDir], { encoding: 'utf8', env: ctx.env, timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`--install-extension exited ${r.status}:\n${out}`);
  const dir = fs.readdirSync(ctx.extensionsDir).find((d) => d.startsWith(`${EXT_ID}-`));
  if (!dir) throw new Error(`no ${EXT_ID}-* folder in ${ctx.extensionsDir}:\n${out}`);
  const installed = path.join(ctx.extensionsDir, dir);
  const sharpNode = path.join(installed, 'node_modules', '@img', 'sharp-linux-x64', 'lib');
  if (!fs.existsSync(sharpNode) || !fs.readdirSync(sharpNode).some((f) => f.endsWith('.node'))) {
    throw new Error(`installed extension has no sharp binary under ${sharpNode}`);
  }
  console.log(`    installed: ${path.relative(root, installed)}`);
});

step('the fake OpenAI server starts', async () => {
  const server = path.join(root, 'out', 'test', 'fake-openai', 'server.js');
  if (!fs.existsSync(server)) throw new Error(`${path.relative(root, server)} missing: run npm run compile-tests`);
  const { startFakeOpenAI } = createRequire(import.meta.url)(server);
  ctx.fake = await startFakeOpenAI();
  cleanups.push(() => ctx.fake.close());
  console.log(`    fake API at ${ctx.fake.url}`);
});

step('code-server starts with a fresh profile and workspace', async () => {
  ctx.workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(path.join(ctx.workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, '.vscode', 'settings.json'), JSON.stringify({
    'pixelwright.provider': 'compatible',
    'pixelwright.baseUrl': ctx.fake.url,
    'pixelwright.outputFolder': 'images/generated',
  }, null, 2));
  fs.mkdirSync(path.join(ctx.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(ctx.userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'git.enabled': false,
  }, null, 2));
  const port = await freePort();
  ctx.base = `http://127.0.0.1:${port}`;
  const config = path.join(runDir, 'code-server.yaml');
  fs.writeFileSync(config, 'auth: none\n');
  ctx.logFile = path.join(runDir, 'code-server.log');
  const log = fs.openSync(ctx.logFile, 'w');
  const cs = spawn(ctx.tools.codeServerBin, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', config,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', ctx.userDataDir, '--extensions-dir', ctx.extensionsDir],
  { env: ctx.env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  ctx.codeServer = cs;
  cs.exited = false;
  cs.on('exit', () => { cs.exited = true; });
  cleanups.push(() => killGroup(cs));
  await until('code-server /healthz', async () => {
    if (cs.exited) throw new Error('code-server exited');
    return (await fetch(`${ctx.base}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
  }, 60_000, 200);
});

step('the workbench opens in Chromium', async () => {
  const { chromium } = await import('playwright-core');
  ctx.browser = await chromium.launch({ executablePath: ctx.tools.chromium, headless: true, args: CHROMIUM_ARGS });
  cleanups.push(() => ctx.browser.close());
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
  ctx.page.on('pageerror', (e) => console.error(`    [pageerror] ${e}`));
  await ctx.page.goto(`${ctx.base}/?folder=${encodeURIComponent(ctx.workspace)}`);
  await ctx.page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  // the installed extension's contributions arrive once the extension host has scanned it
  await ctx.page.locator('.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar').first().waitFor({ timeout: 30_000 });
});

step('the palette offers "Pixelwright: Generate Image…" and "Pixelwright: Set API Key"', async () => {
  const wanted = ['Pixelwright: Generate Image…', 'Pixelwright: Set API Key'];
  const labels = await paletteRows('Pixelwright', wanted);
  console.log(`    offered: ${labels.filter((l) => l.includes('Pixelwright')).map((l) => l.split(',')[0]).join(' | ')}`);
  await screenshot('palette');
  await ctx.page.keyboard.press('Escape');
});

step('Set API Key asks with a password box and keeps the key', async () => {
  const { page } = ctx;
  await runFromPalette('Pixelwright: Set API Key');
  const box = page.locator(`${QUICK_INPUT} input[type="password"]`);
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.type(API_KEY, { delay: 10 });
  await screenshot('api-key');
  await page.keyboard.press('Enter');
  await until('the password box to close', async () => !(await box.isVisible()), 10_000);
});

step('Generate Image…: a prompt, then Enter through the quick picks', async () => {
  const { page } = ctx;
  await runFromPalette('Pixelwright: Generate Image…');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 15_000 });
  await sleep(300);
  await page.keyboard.type('a lighthouse at dawn, watercolor', { delay: 10 });
  await sleep(300);
  await screenshot('prompt');
  const seen = [];
  for (let i = 0; i < 12 && await quickInputVisible(); i++) {
    const title = await page.locator(`${QUICK_INPUT} .quick-input-title`).textContent().catch(() => '');
    seen.push((title || '').trim());
    await page.keyboard.press('Enter');
    // the next step replaces this one, or the flow ends
    await until('the next step', async () => {
      if (!(await quickInputVisible())) return true;
      const t = await page.locator(`${QUICK_INPUT} .quick-input-title`).textContent().catch(() => '');
      return (t || '').trim() !== seen[seen.length - 1];
    }, 5000, 100).catch(() => { });
    await sleep(200);
  }
  console.log(`    steps: ${seen.map((s) => s || '(untitled)').join(' -> ')}`);
  if (await quickInputVisible()) throw new Error(`the flow did not finish; still showing: ${seen[seen.length - 1]}`);
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

// ---------------------------------------------------------------------------------------------
function killGroup(child) {
  if (!child?.pid) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  return until('code-server to stop', () => child.exited, 3000, 100)
    .catch(() => { })
    .finally(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
}

async function cleanup() {
  while (cleanups.length) {
    const c = cleanups.pop();
    try { await c(); } catch (e) { console.error(`    cleanup: ${e.message}`); }
  }
}

async function main() {
  const t0 = Date.now();
  const counts = { passing: 0, failing: 0, skipped: 0 };
  let failed = false;
  const timeoutS = Number(process.env.PIXELWRIGHT_UI_TIMEOUT || 420);
  const watchdog = setTimeout(async () => {
    console.error(`ui: no result after ${timeoutS}s; stopping`);
    await screenshot('timeout');
    await cleanup();
    console.log(`ui: ${counts.passing} passing, ${counts.failing + 1} failing, ${counts.skipped} skipped`);
    process.exit(1);
  }, timeoutS * 1000);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await cleanup(); process.exit(130); });

  console.log('\n  UI: the VSIX in code-server, driven in Chromium');
  for (const s of steps) {
    if (failed) { counts.skipped++; console.log(`    - ${s.name} (skipped)`); continue; }
    const ts = Date.now();
    try {
      await s.fn();
      counts.passing++;
      console.log(`    ✔ ${s.name} (${Date.now() - ts}ms)`);
    } catch (e) {
      counts.failing++;
      failed = true;
      console.log(`    ✘ ${s.name}\n      ${String(e && e.stack || e).split('\n').join('\n      ')}`);
      await screenshot('failure');
      if (ctx.logFile && fs.existsSync(ctx.logFile)) {
        console.log(`      code-server log: ${path.relative(root, ctx.logFile)}`);
      }
    }
  }
  clearTimeout(watchdog);
  await cleanup();
  if (process.env.VERBOSE && ctx.logFile) console.log(fs.readFileSync(ctx.logFile, 'utf8'));
  console.log(`\n  ui: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`ui: ${counts.passing} passing, ${counts.failing} failing, ${counts.skipped} skipped`);
  return counts.failing ? 1 : 0;
}

process.exitCode = await main();
