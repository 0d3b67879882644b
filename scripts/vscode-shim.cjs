#!/usr/bin/env node
// Our stand-in "VS Code executable" for @vscode/test-electron (and so @vscode/test-cli's
// `useInstallation: { fromPath }`): this machine cannot download VS Code, so the extension
// tests run in a real VS Code server instead: code-server (VS Code 1.139 on Node 24), whose
// workbench is opened in headless Debian Chromium. The workbench's smoke-test driver takes the
// usual extensionDevelopmentPath / extensionTestsPath from the `payload` query parameter, runs
// the tests in the (remote) Node extension host and reports through two page functions:
//   codeAutomationLog(type, args)  -> relayed here to stdout/stderr
//   codeAutomationExit(code)       -> our exit code
//
// Arguments accepted (what test-electron passes to Electron VS Code):
//   --extensionDevelopmentPath=P (repeatable)  --extensionTestsPath=P
//   --user-data-dir=D  --extensions-dir=D  [workspace folder]   (others are ignored)
// env:
//   CODE_SERVER_BIN   path to code-server's bin (required)   NODE24_DIR  dir of the Node 24 binary
//   CHROMIUM          browser binary (default: chromium on PATH, /usr/bin/chromium)
//   PIXELWRIGHT_HOST_TIMEOUT  seconds for the whole run (default 480)
//   PIXELWRIGHT_HOST_SCREENSHOT  png path: screenshot of the workbench when the tests end
//   VERBOSE=1         relay every log line, including the workbench's own noise
// Everything else in the environment reaches the extension host (code-server passes its env on),
// e.g. VSCODE_TEST_OPTIONS from test-cli or PIXELWRIGHT_FAKE_URL from the test runner.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const util = require('node:util');

const VALUE_FLAGS = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);

function parseArgs(argv) {
  const out = { dev: [], tests: undefined, userDataDir: undefined, extensionsDir: undefined, folder: undefined, ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m) {
      if (!out.folder) out.folder = path.resolve(a);
      else out.ignored.push(a);
      continue;
    }
    const k = m[1];
    const v = VALUE_FLAGS.has(k) && m[2] === undefined ? argv[++i] : m[2];
    if (k === 'extensionDevelopmentPath') out.dev.push(path.resolve(v));
    else if (k === 'extensionTestsPath') out.tests = path.resolve(v);
    else if (k === 'user-data-dir') out.userDataDir = path.resolve(v);
    else if (k === 'extensions-dir') out.extensionsDir = path.resolve(v);
    else out.ignored.push(a);
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(base, ms, isAlive) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive()) throw new Error('code-server exited during startup');
    try {
      const r = await fetch(base + '/healthz', { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${base}/healthz within ${ms} ms`);
}

function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try { return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim(); } catch { /* next */ }
  }
  return '/usr/bin/chromium';
}

function tail(file, lines) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

// Lines the workbench prints on every start that say nothing about the tests.
const NOISE = /^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin|^Ignoring fetching additional builtin extensions/;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.tests || args.dev.length === 0) {
    console.error('vscode-shim: need --extensionDevelopmentPath and --extensionTestsPath');
    return 2;
  }
  const csBin = process.env.CODE_SERVER_BIN;
  if (!csBin || !fs.existsSync(csBin)) {
    console.error(`vscode-shim: CODE_SERVER_BIN not set or missing (${csBin}); run scripts/setup-test-host.sh`);
    return 2;
  }
  const timeoutMs = Number(process.env.PIXELWRIGHT_HOST_TIMEOUT || 480) * 1000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pixelwright-shim-'));
  const userDataDir = args.userDataDir || path.join(tmp, 'user-data');
  const extensionsDir = args.extensionsDir || path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (args.folder) fs.mkdirSync(args.folder, { recursive: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.writeFileSync(settingsFile, JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'git.enabled': false,
      'security.workspace.trust.enabled': false,
    }, null, 2));
  }

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const base = `http://${authority}`;
  const env = { ...process.env };
  if (process.env.NODE24_DIR) env.PATH = process.env.NODE24_DIR + path.delimiter + env.PATH;
  env.EXTENSIONS_GALLERY = env.EXTENSIONS_GALLERY || '{}';
  delete env.ELECTRON_RUN_AS_NODE;
  const configFile = path.join(tmp, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  const csArgs = ['--bind-addr', authority, '--auth', 'none', '--config', configFile,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    // without this the built workbench ignores `payload` (no extension tests run)
    '--vscode-option', 'enable-smoke-test-driver'];
  const logFile = path.join(tmp, 'code-server.log');
  const logFd = fs.openSync(logFile, 'w');
  // detached: its own process group, so the whole tree (extension host, file watcher, pty host)
  // goes with one kill
  const cs = spawn(csBin, csArgs, { env, detached: true, stdio: ['ignore', logFd, logFd] });
  let csAlive = true;
  cs.on('exit', () => { csAlive = false; });
  const killServer = () => {
    for (const sig of ['SIGTERM']) { try { process.kill(-cs.pid, sig); } catch { /* gone */ } }
  };
  const killServerHard = () => { try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ } };
  const onSignal = (sig, code) => process.on(sig, () => { killServer(); killServerHard(); process.exit(code); });
  onSignal('SIGINT', 130);
  onSignal('SIGTERM', 143);
  process.on('exit', killServerHard);

  let code = 1;
  let browser;
  const t0 = Date.now();
  try {
    await waitHealthy(base, 60_000, () => csAlive);
    const payload = args.dev.map((d) => ['extensionDevelopmentPath', `vscode-remote://${authority}${d}`]);
    payload.push(['extensionTestsPath', `vscode-remote://${authority}${args.tests}`]);
    const where = args.folder ? `folder=${encodeURIComponent(args.folder)}` : 'ew=true';
    const url = `${base}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let finish;
    const done = new Promise((r) => { finish = r; });
    await page.exposeFunction('codeAutomationLog', (type, a) => {
      const line = Array.isArray(a) ? util.format(...a) : String(a);
      if (process.env.VERBOSE || !NOISE.test(line)) (type === 'error' ? console.error : console.log)(line);
    });
    await page.exposeFunction('codeAutomationExit', (c) => finish(Number(c)));
    page.on('pageerror', (e) => console.error('[pageerror]', String(e)));
    page.on('crash', () => finish('page crashed'));
    browser.on('disconnected', () => finish('browser disconnected'));
    cs.on('exit', (c, s) => finish(`code-server exited (${c ?? s})`));
    if (process.env.VERBOSE) console.log('vscode-shim: opening', url);
    // The whole run's time limit, not Playwright's 30 s: under load (7 sessions on 2 cores) the
    // workbench page alone has taken longer than that to fire `load`.
    await page.goto(url, { timeout: Math.max(30_000, timeoutMs - (Date.now() - t0)) });
    const remaining = Math.max(1000, timeoutMs - (Date.now() - t0));
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs / 1000}s`), remaining);
    const r = await done;
    clearTimeout(timer);
    if (process.env.PIXELWRIGHT_HOST_SCREENSHOT) {
      fs.mkdirSync(path.dirname(process.env.PIXELWRIGHT_HOST_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: process.env.PIXELWRIGHT_HOST_SCREENSHOT }).catch(() => { });
    }
    if (typeof r === 'number' && Number.isInteger(r)) code = r;
    else { console.error(`vscode-shim: ${r}`); code = 124; }
    if (process.env.VERBOSE) console.log(`vscode-shim: tests exited with ${r} after ${Date.now() - t0} ms`);
  } catch (e) {
    console.error('vscode-shim:', (e && e.stack) || e);
    code = 2;
  } finally {
    if (browser) await browser.close().catch(() => { });
    killServer();
    // give code-server a moment to stop cleanly, then make sure the group is gone
    const end = Date.now() + 3000;
    while (csAlive && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    killServerHard();
    fs.closeSync(logFd);
  }
  if (code !== 0) {
    console.error(`vscode-shim: exit ${code}; last lines of the code-server log (${logFile}):\n${tail(logFile, 30)}`);
  } else if (!process.env.PIXELWRIGHT_KEEP_TMP) {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return code;
}

main().then((c) => process.exit(c), (e) => { console.error('vscode-shim:', e); process.exit(2); });
