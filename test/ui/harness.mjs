// Shared by the real-browser UI tests (test/ui/*.test.mjs): a sequential step runner with the
// one-line report scripts/test.mjs parses, polling helpers, the packaged VSIX installed into a fresh
// code-server profile, headless Chromium on the workbench, and quick input (palette) helpers.
// Not a test itself (scripts/test.mjs runs only *.test.mjs).
//
// A test in short:
//   const ui = new UiRun({ title: 'the gallery in code-server, driven in Chromium', shots: 'gallery' });
//   const { ctx } = ui;
//   ui.step('the workbench opens', async () => {
//     Object.assign(ctx, await launchWorkbench({ dir: path.join(root, '.vscode-test', 'ui-gallery'),
//       workspaceSettings: fakeApiSettings(ctx.fake), defer: (f) => ui.defer(f) }));
//   });
//   ui.step('...', async () => { await runFromPalette(ctx.page, 'Pixelwright: ...'); });
//   process.exitCode = await ui.run();
// Steps many tests start with: fakeApiStep, workbenchOnFakeApiStep, setApiKeyStep; and
// writeImageWithRecipe for workspace images that carry a recipe.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTools, toolsEnv } from '../../scripts/run-host-tests.mjs';

const require = createRequire(import.meta.url);

/** The repository's root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where screenshots go (as `<shots>-<name>.png`). */
export const shotsDir = path.join(root, '.vscode-test', 'screenshots');
/** The extension's id: its folder in an extensions dir is `<EXT_ID>-<version>...`. */
export const EXT_ID = 'pixelwright.pixelwright';
/** Flags for headless Chromium in a container (no sandbox, no GPU, no network chatter). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

// --- waiting ------------------------------------------------------------------------------------
/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` every `every` ms until it returns something truthy (which is returned); throws after
 * `ms` ms, naming `what` and the last error `fn` threw.
 */
export async function until(what, fn, ms = 20_000, every = 250) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

/** Throws `message` unless `cond`. */
export function check(cond, message) {
  if (!cond) throw new Error(message);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// --- the step runner ----------------------------------------------------------------------------
/**
 * A small sequential runner: each step is one test; `ctx` carries what steps hand on (the runner
 * itself reads `ctx.page` for screenshots and `ctx.logFile` for the code-server log's path). When a
 * step fails the rest are skipped (and counted as skipped). `run()` prints the steps and last
 * `ui: N passing, N failing, N skipped`, and resolves to the exit code (0 only when nothing failed).
 * A watchdog stops the run after `timeoutS` seconds (env PIXELWRIGHT_UI_TIMEOUT overrides), and
 * VERBOSE=1 prints the code-server log at the end.
 */
export class UiRun {
  /** @param {{ title: string, shots: string, timeoutS?: number }} o  shots: screenshot file prefix */
  constructor({ title, shots, timeoutS = 420 }) {
    this.title = title;
    this.shots = shots;
    this.timeoutS = Number(process.env.PIXELWRIGHT_UI_TIMEOUT || timeoutS);
    this.steps = [];
    this.cleanups = [];
    this.ctx = {};
  }

  /** Adds a step (one test) named `name`. */
  step(name, fn) {
    this.steps.push({ name, fn });
  }

  /** Registers `fn` to run at the end (or on a timeout or signal); the last registered runs first. */
  defer(fn) {
    this.cleanups.push(fn);
  }

  /** Saves a screenshot of `ctx.page` (if any) as .vscode-test/screenshots/<shots>-<name>.png. */
  async screenshot(name) {
    if (!this.ctx.page) return;
    fs.mkdirSync(shotsDir, { recursive: true });
    const file = path.join(shotsDir, `${this.shots}-${name}.png`);
    await this.ctx.page.screenshot({ path: file }).catch(() => { });
    console.log(`    screenshot: ${path.relative(root, file)}`);
  }

  /** Runs the deferred cleanups, newest first; a failing one is logged, not thrown. */
  async cleanup() {
    while (this.cleanups.length) {
      const c = this.cleanups.pop();
      try { await c(); } catch (e) { console.error(`    cleanup: ${e.message}`); }
    }
  }

  /** Runs the steps in order and prints the report; resolves to the process exit code. */
  async run() {
    const { ctx } = this;
    const t0 = Date.now();
    const counts = { passing: 0, failing: 0, skipped: 0 };
    let failed = false;
    const watchdog = setTimeout(async () => {
      console.error(`ui: no result after ${this.timeoutS}s; stopping`);
      await this.screenshot('timeout');
      await this.cleanup();
      console.log(`ui: ${counts.passing} passing, ${counts.failing + 1} failing, ${counts.skipped} skipped`);
      process.exit(1);
    }, this.timeoutS * 1000);
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await this.cleanup(); process.exit(130); });

    console.log(`\n  UI: ${this.title}`);
    for (const s of this.steps) {
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
        await this.screenshot('failure');
        if (ctx.logFile && fs.existsSync(ctx.logFile)) console.log(`      code-server log: ${path.relative(root, ctx.logFile)}`);
      }
    }
    clearTimeout(watchdog);
    await this.cleanup();
    if (process.env.VERBOSE && ctx.logFile) console.log(fs.readFileSync(ctx.logFile, 'utf8'));
    console.log(`\n  ui: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    console.log(`ui: ${counts.passing} passing, ${counts.failing} failing, ${counts.skipped} skipped`);
    return counts.failing ? 1 : 0;
  }
}

// --- tools, VSIX, fake API ----------------------------------------------------------------------
/**
 * The tools from scripts/setup-test-host.sh (code-server, Node 24, Chromium) and the environment to
 * run code-server in (no extension gallery); throws when any is missing.
 * @returns {{ tools: ReturnType<typeof resolveTools>, env: NodeJS.ProcessEnv }}
 */
export function uiTools() {
  const tools = resolveTools();
  if (!tools.codeServerBin || !tools.node24Dir || !tools.chromium) {
    throw new Error(`missing under ${tools.tools}: run bash scripts/setup-test-host.sh`);
  }
  return { tools, env: toolsEnv(tools, { EXTENSIONS_GALLERY: '{}' }) };
}

/** Empties (or creates) `dir`. */
export function freshDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

/**
 * The linux-x64 VSIX to test: $PIXELWRIGHT_VSIX when set (it must exist), else a fresh one from
 * `scripts/package.mjs --target linux-x64 --out <out>` (which verifies it; its `package:` lines are
 * echoed). Returns its absolute path.
 */
export function resolveVsix({ out, env = process.env }) {
  if (process.env.PIXELWRIGHT_VSIX) {
    const vsix = path.resolve(process.env.PIXELWRIGHT_VSIX);
    if (!fs.existsSync(vsix)) throw new Error(`PIXELWRIGHT_VSIX ${vsix} does not exist`);
    return vsix;
  }
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', out],
    { cwd: root, encoding: 'utf8', env });
  const text = `${r.stdout}${r.stderr}`;
  for (const l of text.split('\n').filter((l) => /^package: /.test(l))) console.log(`    ${l}`);
  const m = /^vsix: (.+)$/m.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`scripts/package.mjs failed (exit ${r.status}):\n${text.slice(-3000)}`);
  return m[1].trim();
}

/**
 * `code-server --install-extension <vsix>` into `extensionsDir` (with `userDataDir` as profile);
 * returns the installed extension's folder. Throws when code-server fails or the folder is missing.
 */
export function installVsix({ codeServerBin, env, vsix, extensionsDir, userDataDir }) {
  const r = spawnSync(codeServerBin, ['--install-extension', vsix, '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir], { encoding: 'utf8', env, timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`--install-extension exited ${r.status}:\n${out}`);
  const dir = fs.readdirSync(extensionsDir).find((d) => d.startsWith(`${EXT_ID}-`));
  if (!dir) throw new Error(`no ${EXT_ID}-* folder in ${extensionsDir}:\n${out}`);
  return path.join(extensionsDir, dir);
}

/**
 * Starts the fake OpenAI Images API (out/test/fake-openai/server.js, from `npm run compile-tests`);
 * resolves to its handle ({ url, origin, requests, close(), ... }). The caller closes it.
 */
export async function startFakeOpenAI() {
  const server = path.join(root, 'out', 'test', 'fake-openai', 'server.js');
  if (!fs.existsSync(server)) throw new Error(`${path.relative(root, server)} missing: run npm run compile-tests`);
  return require(server).startFakeOpenAI();
}

// --- settings -----------------------------------------------------------------------------------
/** User settings for a quiet test profile: no welcome page, tips, updates, telemetry, AI or git. */
export const USER_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
});

/** Writes `<userDataDir>/User/settings.json`: USER_SETTINGS with `extra` on top. */
export function writeUserSettings(userDataDir, extra = {}) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...extra }, null, 2));
}

/** Workspace settings that point Pixelwright at a fake API (provider "compatible", its base URL), `extra` on top. */
export function fakeApiSettings(fake, extra = {}) {
  return {
    'pixelwright.provider': 'compatible',
    'pixelwright.baseUrl': fake.url,
    'pixelwright.outputFolder': 'images/generated',
    ...extra,
  };
}

/** User settings for the dark, uncluttered workbench the screenshots show (no command center, layout control or secondary side bar). */
export const DARK_WORKBENCH = Object.freeze({
  'workbench.colorTheme': 'Dark Modern',
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
});

/** Creates the folder `workspace` with `settings` as its .vscode/settings.json; returns it. */
export function writeWorkspace(workspace, settings = {}) {
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return workspace;
}

// --- code-server and Chromium -------------------------------------------------------------------
/** SIGTERM to a detached child's process group, SIGKILL after 3 s; resolves once it is done. */
export function killGroup(child) {
  if (!child?.pid) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  return until('code-server to stop', () => child.exited, 3000, 100)
    .catch(() => { })
    .finally(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
}

/**
 * Starts code-server (no auth, no telemetry/update check/workspace trust) on a free port with the
 * given profile and extensions dir; its config and log go to `dir` (code-server.yaml, and `logFile`,
 * default code-server.log). Resolves once /healthz answers, to { url, child, logFile, stop };
 * when it does not come up it is stopped and this throws. `defer(stop)`, when given (e.g.
 * `(f) => ui.defer(f)`), is called as soon as the process exists, so that a watchdog or a signal
 * while waiting stops it too.
 */
export async function startCodeServer({ codeServerBin, env, dir, userDataDir, extensionsDir,
  logFile = path.join(dir, 'code-server.log'), defer = () => { } }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = path.join(dir, 'code-server.yaml');
  fs.writeFileSync(config, 'auth: none\n');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(codeServerBin, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', config,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
  { env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.exited = false;
  child.on('exit', () => { child.exited = true; });
  const stop = () => killGroup(child);
  defer(stop);
  try {
    await until('code-server /healthz', async () => {
      if (child.exited) throw new Error('code-server exited');
      return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
    }, 60_000, 200);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, child, logFile, stop };
}

/**
 * Launches headless Chromium (CHROMIUM_ARGS) with one page of `viewport`, whose page errors are
 * logged; resolves to { browser, page }. The caller closes the browser.
 */
export async function launchChromium({ chromium, viewport = { width: 1280, height: 800 } }) {
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (e) => console.error(`    [pageerror] ${e}`));
    return { browser, page };
  } catch (e) {
    await browser.close().catch(() => { });
    throw e;
  }
}

/**
 * Opens the workbench at `url` on the folder `workspace` in `page`; resolves once the status bar
 * and `ready` (a selector; default the side bar) show.
 */
export async function openWorkbench(page, { url, workspace, ready = '.monaco-workbench .part.sidebar' }) {
  // Generous: on a loaded machine (CI runners shared by several suites) the first load has taken over 30 s.
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 90_000 });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  // the installed extension's contributions arrive once the extension host has scanned it
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
}

/**
 * All of it in one call: the VSIX (`vsix`, else resolveVsix) installed into a fresh profile under
 * `dir` (emptied first), the folder `workspace` (default <dir>/workspace) with `workspaceSettings`,
 * user settings USER_SETTINGS + `userSettings`, code-server, and Chromium (`viewport`) on the
 * workbench (`ready` as for openWorkbench). Resolves to { page, browser, url, workspace,
 * userDataDir, extensionsDir, installed, logFile, vsix, tools, env, stop } where stop() closes
 * Chromium and code-server. `defer(stop)` (e.g. `(f) => ui.defer(f)`) is called before anything
 * starts, so that a failure, watchdog or signal at any point stops what is running; without it, a
 * failure here stops it before this throws, and the caller must call stop() itself.
 */
export async function launchWorkbench({ dir, vsix, workspace = path.join(dir, 'workspace'), workspaceSettings = {},
  userSettings = {}, viewport, ready, defer }) {
  let browser;
  let stopCodeServer;
  const stop = async () => {
    try { await browser?.close(); } finally { await stopCodeServer?.(); }
  };
  defer?.(stop);
  try {
    const { tools, env } = uiTools();
    freshDir(dir);
    vsix ??= resolveVsix({ out: dir, env });
    const extensionsDir = path.join(dir, 'extensions');
    const userDataDir = path.join(dir, 'user-data');
    const installed = installVsix({ codeServerBin: tools.codeServerBin, env, vsix, extensionsDir, userDataDir });
    writeWorkspace(workspace, workspaceSettings);
    writeUserSettings(userDataDir, userSettings);
    const cs = await startCodeServer({ codeServerBin: tools.codeServerBin, env, dir, userDataDir, extensionsDir,
      defer: (f) => { stopCodeServer = f; } });
    const launched = await launchChromium({ chromium: tools.chromium, viewport });
    browser = launched.browser;
    await openWorkbench(launched.page, { url: cs.url, workspace, ready });
    return { page: launched.page, browser, url: cs.url, workspace, userDataDir, extensionsDir, installed, logFile: cs.logFile, vsix, tools, env, stop };
  } catch (e) {
    if (!defer) await stop();
    throw e;
  }
}

// --- quick input (selectors as in VS Code 1.139's workbench) ------------------------------------
/** The quick input widget (palette, quick picks, input boxes). */
export const QUICK_INPUT = '.quick-input-widget';
/** Its text box. */
export const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
/** Its list's rows. */
export const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

/** Whether the quick input widget shows. */
export async function quickInputVisible(page) {
  return page.locator(QUICK_INPUT).isVisible().catch(() => false);
}

/**
 * Opens the palette, types `text` and returns the rows' labels once all of `wanted` are offered.
 * The installed extension's contributions arrive a little after the workbench shows (over 30 s on a
 * loaded machine), and an open palette does not refresh its list, so it is closed and reopened
 * until they are there.
 */
export async function paletteRows(page, text, wanted = [], ms = 90_000) {
  let labels = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await quickInputVisible(page)) { await page.keyboard.press('Escape'); await sleep(200); }
    await page.keyboard.press('F1');
    await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(text, { delay: 15 });
    const found = await until('rows', async () => {
      labels = await page.locator(QUICK_ROWS).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') || r.textContent || ''));
      return wanted.every((w) => labels.some((l) => l.includes(w)));
    }, 3000, 200).catch(() => false);
    if (found) return labels;
  }
  throw new Error(`the palette did not offer ${JSON.stringify(wanted)} within ${ms} ms; it showed ${JSON.stringify(labels)}`);
}

/** Runs a command from the palette by its title. */
export async function runFromPalette(page, title) {
  const labels = await paletteRows(page, title, [title]);
  const i = labels.findIndex((l) => l.includes(title));
  await page.locator(QUICK_ROWS).nth(i).click();
}

/**
 * In an open quick pick (e.g. a command's pick of workspace files), waits for a row with `label`,
 * types it and clicks the row whose label is exactly `label`.
 */
export async function pickQuickItem(page, label) {
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 15_000 });
  await until(`${label} among the picks`, async () => (await page.locator(QUICK_ROWS).allTextContents()).some((t) => t.includes(label)), 15_000);
  await page.keyboard.type(label, { delay: 10 });
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator(QUICK_ROWS).filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  await row.waitFor({ state: 'visible', timeout: 5000 });
  await row.click();
}

// --- Pixelwright steps many tests share -------------------------------------------------------
/** Step: the fake Images API starts (as ctx.fake; closed when the run ends). */
export function fakeApiStep(ui) {
  ui.step('the fake Images API starts', async () => {
    ui.ctx.fake = await startFakeOpenAI();
    ui.defer(() => ui.ctx.fake.close());
  });
}

/**
 * Step `name`: the VSIX installs into a fresh code-server profile under `dir` and the workbench
 * opens on ctx.workspace, with Pixelwright pointed at ctx.fake (images/generated, results opened by
 * no one: `openResults` none) and DARK_WORKBENCH + `userSettings`. What launchWorkbench resolves to
 * goes into ctx; `then()` runs after (e.g. checks of the installed files).
 */
export function workbenchOnFakeApiStep(ui, { name, dir, userSettings = {}, viewport, then = () => { } }) {
  ui.step(name, async () => {
    const { ctx } = ui;
    Object.assign(ctx, await launchWorkbench({
      dir,
      workspace: ctx.workspace,
      workspaceSettings: fakeApiSettings(ctx.fake, { 'pixelwright.openResults': 'none' }),
      userSettings: { ...DARK_WORKBENCH, ...userSettings },
      viewport,
      defer: (f) => ui.defer(f),
    }));
    await then();
  });
}

/** Step: "Pixelwright: Set API Key" from the palette, `key` typed into its password box. */
export function setApiKeyStep(ui, key = 'sk-test-key') {
  ui.step('Set API Key (palette, password box)', () => setApiKey(ui.ctx.page, key));
}

/**
 * Writes `file`: a w x h picture (a ring on a gradient, its colours from `hue`; transparent outside
 * the ring when `transparent`) as `format` (png, jpeg or webp), with the recipe Pixelwright embeds:
 * `prompt` generated with gpt-image-1.5 on a compatible server `ago` minutes ago, `options` as the
 * API names them. The recipe is written by the compiled core (out/src/core/metadata.js, from
 * `npm run compile-tests`), as the extension writes it.
 */
export async function writeImageWithRecipe(file, { w, h, hue = 40, format = 'png', transparent = false, prompt, options, ago = 60 }) {
  const metadata = path.join(root, 'out', 'src', 'core', 'metadata.js');
  if (!fs.existsSync(metadata)) throw new Error(`${path.relative(root, metadata)} missing: run npm run compile-tests`);
  const { embedRecord } = require(metadata);
  const sharp = require('sharp');
  const channels = transparent ? 4 : 3;
  const raw = Buffer.alloc(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * channels;
      const ring = Math.hypot(x - w / 2, y - h / 2) < Math.min(w, h) / 3;
      raw[o] = (hue + (ring ? 90 : 0) + x / 6) & 0xff;
      raw[o + 1] = (y / h) * 200 + (ring ? 40 : 0);
      raw[o + 2] = (255 - hue + y / 8) & 0xff;
      if (channels === 4) raw[o + 3] = ring ? 255 : 0;
    }
  }
  let img = sharp(raw, { raw: { width: w, height: h, channels } });
  img = format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg({ quality: 88 }) : img.webp({ quality: 85 });
  const record = {
    v: 1,
    operation: 'generate',
    prompt,
    model: 'gpt-image-1.5',
    options,
    provider: { kind: 'compatible' },
    createdAt: new Date(Date.now() - ago * 60_000).toISOString(),
    index: 0,
    count: 1,
    tool: 'Pixelwright UI test',
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, embedRecord(await img.toBuffer(), record));
}

/** "Pixelwright: Set API Key" from the palette, typed into its password box. */
export async function setApiKey(page, key) {
  await runFromPalette(page, 'Pixelwright: Set API Key');
  const box = page.locator(`${QUICK_INPUT} input[type="password"]`);
  // The first command activates the extension: under load that alone has taken over 15 s.
  await box.waitFor({ state: 'visible', timeout: 60_000 });
  await page.keyboard.type(key, { delay: 10 });
  await page.keyboard.press('Enter');
  await until('the password box to close', async () => !(await box.isVisible()), 10_000);
}

/** The mask editor's document: two frames deep (the workbench's webview host, then our page). */
export function editorFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Waits for the mask editor titled `title` with its image loaded; returns its frame. */
export async function waitForEditor(page, title) {
  const ed = editorFrame(page);
  await ed.locator('.app').waitFor({ state: 'visible', timeout: 30_000 });
  await until(`the editor titled "${title}"`, async () => (await ed.locator('h1.title').textContent()) === title, 15_000);
  await until('the image to load', () => ed.locator('img.source').evaluate((img) => img.complete && img.naturalWidth > 0), 15_000);
  await sleep(300); // the first fit runs in an animation frame
  return ed;
}

/** "View: Close All Editors", then waits until no webview is left. */
export async function closeAllEditors(page) {
  await runFromPalette(page, 'View: Close All Editors');
  await until('the webview to close', async () => (await page.locator('iframe.webview').count()) === 0, 10_000);
}

/** A stroke through page points (`at(x, y)` maps image to page), as real mouse events: down, `steps` moves between points, up. */
export async function dragThrough(page, at, points, { steps = 8, settle = 120 } = {}) {
  await page.mouse.move(...at(...points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(...p), { steps });
  await page.mouse.up();
  await sleep(settle);
}
