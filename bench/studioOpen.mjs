// Bench "studioOpen": opening the Studio the first time in a freshly started window, as a person
// does it (a click on the Pixelwright icon in the activity bar), for the snapshot being measured
// and for the code before the redesign (default below; --baseline REF), side by side.
//
// Each snapshot is made into a VSIX by its own scripts/package.mjs (in its own stage, from its own
// production build) and installed once into its own extensions folder. One run = a fresh user-data
// folder (so nothing is remembered: no view state, no workspace storage, an empty Chromium
// profile), code-server started on it, headless Chromium on the workbench of the same workspace
// with the same settings; it waits until the machine is quiet (as the activation bench), clicks the
// icon, and stops the clock when the Studio's form is usable: the `#prompt` textarea shown and the
// model list (`#opt-model`) filled, in the webview's frame. Pixelwright is not active before the
// click (no startup activation event), so the figure holds its activation, the load of what the
// view needs, the webview's page and the host's first message.
//
// Timing: the click's `pointerdown` time in the workbench page, and the time a requestAnimationFrame
// watcher in the webview frame saw the form usable (both Date.now(), the machine's clock). CPU time:
// every process under code-server (server, extension host, pty host...) and Chromium (browser,
// renderers, GPU), from /proc, over the same interval; less distorted than wall time by other
// processes on the 2 cores. Runs alternate which snapshot goes first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  freshDir, installVsix, launchChromium, openWorkbench, sleep, startCodeServer, uiTools, writeUserSettings, writeWorkspace,
} from '../test/ui/harness.mjs';
import { kb, makeStage, median, ms, msSpread, quartiles, ratio, tmpRoot } from './lib.mjs';

export const title = 'Opening the Studio the first time';

/**
 * The code before the redesign (issue 8): main right before the merge that brought the features
 * into the lazily loaded dist/features.js (5d29064's first parent). 0721ae0 is later: it already
 * has dist/features.js.
 */
export const DEFAULT_BASELINE = '16f3b1d';
/** Wait (at most QUIET_MAX_MS) for the machine to use less than this of its CPU before a click. */
const QUIET = 0.3;
const QUIET_MAX_MS = 8000;
/** At least this long between the workbench showing and the click (its extension host starting). */
const SETTLE_MS = 2000;
const ICON = '.activitybar .action-item a[aria-label^="Pixelwright"]';
const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');

const WORKSPACE_SETTINGS = { 'pixelwright.outputFolder': 'images/generated' };
const USER_SETTINGS = {
  'workbench.colorTheme': 'Dark Modern',
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Whole-machine CPU use (0..1) over `ms`, from /proc/stat; undefined where there is none. */
async function machineBusy(msWindow) {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await sleep(msWindow);
    const b = read();
    return b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : undefined;
  } catch {
    return undefined;
  }
}

async function waitQuiet() {
  const t0 = Date.now();
  let busy;
  do {
    busy = await machineBusy(300);
    if (busy === undefined || busy < QUIET) break;
  } while (Date.now() - t0 < QUIET_MAX_MS);
  return { busy, waitedMs: Date.now() - t0 };
}

const TICK_MS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const hz = Number(r.stdout?.trim());
  return 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
})();

/**
 * CPU time (ms, user + system) of every process under this one (not itself), from /proc: `server`
 * for code-server and what it started (the extension host among them), `browser` for the rest
 * (Chromium: its browser process, the workbench's and the webviews' renderers, GPU).
 */
function childrenCpuMs(serverPid) {
  const procs = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* gone meanwhile */ }
  }
  const under = (root) => {
    const got = new Set([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, p] of procs) if (!got.has(pid) && got.has(p.ppid)) { got.add(pid); grew = true; }
    }
    got.delete(process.pid);
    return got;
  };
  const sum = (pids) => [...pids].reduce((t, pid) => t + (procs.get(pid)?.ticks ?? 0), 0) * TICK_MS;
  const all = under(process.pid);
  const server = sum(under(serverPid));
  const total = sum(all);
  return { total, server, browser: total - server };
}

/**
 * Installed into every frame but the workbench's: a requestAnimationFrame loop that notes the time
 * the Studio's form is usable (the prompt shown, the model list filled). Returns null until then,
 * else that time and the frame's document's time origin (when the webview got its HTML from the
 * extension and started the page: what comes before it is the host's part, after it the page's).
 */
function watchForm() {
  const ready = () => {
    const p = document.getElementById('prompt');
    const m = document.getElementById('opt-model');
    return !!p && !!m && m.options.length > 0 && p.getClientRects().length > 0 && getComputedStyle(p).visibility !== 'hidden';
  };
  if (!window.__pwWatch) {
    window.__pwWatch = true;
    const tick = () => { if (ready()) window.__pwReady = Date.now(); else requestAnimationFrame(tick); };
    tick();
  }
  return window.__pwReady ? { readyAt: window.__pwReady, pageAt: performance.timeOrigin } : null;
}

/** One snapshot as a VSIX (its own scripts/package.mjs, its own build) installed into its own extensions folder. */
function prepare(label, stage, tools, env) {
  const dir = path.join(tmpRoot, 'studioOpen', label);
  freshDir(dir);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(stage.dir, 'scripts', 'package.mjs'), '--no-build', '--target', 'linux-x64', '--out', dir],
    { cwd: stage.dir, encoding: 'utf8', env });
  const m = /^vsix: (.+)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new Error(`${label}: scripts/package.mjs failed (exit ${r.status}):\n${`${r.stdout}${r.stderr}`.slice(-2000)}`);
  const vsix = m[1].trim();
  const extensionsDir = path.join(dir, 'extensions');
  const installed = installVsix({ codeServerBin: tools.codeServerBin, env, vsix, extensionsDir, userDataDir: path.join(dir, 'install-profile') });
  const mainBytes = fs.statSync(path.join(installed, 'dist', 'extension.js')).size;
  return { label, stage, dir, vsix, extensionsDir, mainBytes, vsixBytes: fs.statSync(vsix).size, packMs: Date.now() - t0 };
}

/** One fresh window: code-server on a new profile, Chromium on the workbench, the click, the form. */
async function openOnce(build, i, tools, env, workspace) {
  const dir = path.join(tmpRoot, 'studioOpen', `run-${i}-${build.label}`);
  freshDir(dir);
  const userDataDir = path.join(dir, 'user-data');
  writeUserSettings(userDataDir, USER_SETTINGS);
  let cs;
  let browser;
  const t0 = Date.now();
  try {
    cs = await startCodeServer({ codeServerBin: tools.codeServerBin, env, dir, userDataDir, extensionsDir: build.extensionsDir });
    const launched = await launchChromium({ chromium: tools.chromium, viewport: { width: 1280, height: 800 } });
    browser = launched.browser;
    const { page } = launched;
    await openWorkbench(page, { url: cs.url, workspace, ready: ICON });
    const shownAt = Date.now();
    const icon = page.locator(ICON).first();
    await icon.waitFor({ state: 'visible', timeout: 30_000 });
    if (await page.locator(`.activitybar .action-item.checked a[aria-label^="Pixelwright"]`).count()) throw new Error('the Pixelwright view was already open');
    await sleep(Math.max(0, SETTLE_MS - (Date.now() - shownAt)));
    const quiet = await waitQuiet();
    const loadavg = os.loadavg()[0];
    await page.evaluate(() => { window.__pwDown = undefined; window.addEventListener('pointerdown', () => { window.__pwDown ??= Date.now(); }, true); });
    const cpu0 = childrenCpuMs(cs.child.pid);
    const clickAt = Date.now();
    await icon.click({ force: true });
    let seen;
    const end = Date.now() + 60_000;
    while (!seen && Date.now() < end) {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        seen = await f.evaluate(watchForm).catch(() => null);
        if (seen) break;
      }
      if (!seen) await sleep(20);
    }
    const cpu1 = childrenCpuMs(cs.child.pid);
    if (!seen) {
      const shot = path.join(tmpRoot, 'studioOpen', `failed-${i}-${build.label}.png`);
      await page.screenshot({ path: shot }).catch(() => { });
      const open = await page.locator('.activitybar .action-item.checked a[aria-label^="Pixelwright"]').count().catch(() => -1);
      throw new Error(`the Studio form did not show within 60 s of the click (Pixelwright container ${open > 0 ? 'open' : 'not open'}; frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')}; screenshot ${shot}, kept with BENCH_KEEP=1)`);
    }
    const { readyAt, pageAt } = seen;
    const downAt = await page.evaluate(() => window.__pwDown).catch(() => undefined);
    if (!downAt) throw new Error('the click\'s pointerdown was not seen in the workbench page');
    return { ok: true, openMs: readyAt - downAt, hostMs: pageAt - downAt, pageMs: readyAt - pageAt, clickLagMs: downAt - clickAt, cpuMs: cpu1.total - cpu0.total, serverCpuMs: cpu1.server - cpu0.server, browserCpuMs: cpu1.browser - cpu0.browser, busy: quiet.busy, waitedMs: quiet.waitedMs, loadavg, wallMs: Date.now() - t0 };
  } catch (e) {
    const logTail = cs?.logFile && fs.existsSync(cs.logFile) ? fs.readFileSync(cs.logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
    return { ok: false, error: `${e.message}${logTail ? `\n${logTail}` : ''}`, wallMs: Date.now() - t0 };
  } finally {
    await browser?.close().catch(() => { });
    await cs?.stop();
  }
}

export async function run({ stage, opts, log }) {
  if (!stage.built) return { ok: false, failures: [`the production build failed:\n${stage.buildError}`] };
  let tools;
  let env;
  try {
    ({ tools, env } = uiTools());
  } catch (e) {
    return { ok: false, failures: [`host tools: ${e.message}`] };
  }
  const runs = opts.openRuns ?? 5;
  const baseRef = opts.baseline ?? DEFAULT_BASELINE;
  const baseStage = makeStage({ ref: baseRef, name: 'stage-studioOpen-baseline', compile: false });
  if (!baseStage.built) return { ok: false, failures: [`the baseline ${baseStage.source} did not build:\n${baseStage.buildError}`] };
  log(`  baseline: ${baseStage.source} (production build ${baseStage.buildMs} ms)`);
  const ours = prepare('current', stage, tools, env);
  const base = prepare('baseline', baseStage, tools, env);
  for (const b of [ours, base]) log(`  ${b.label}: ${path.basename(b.vsix)} ${kb(b.vsixBytes)}, dist/extension.js ${kb(b.mainBytes)} (packaged and installed in ${(b.packMs / 1000).toFixed(1)} s)`);
  const workspace = writeWorkspace(path.join(tmpRoot, 'studioOpen', 'workspace'), WORKSPACE_SETTINGS);

  // One window per snapshot first, printed, not counted: in trial runs the first window (once the
  // second) was 2.5 to 5 times slower than the rest (caches of the machine: disk, code-server's,
  // Chromium's; the profile is fresh in every window anyway).
  const warm = {};
  for (const b of [ours, base]) {
    const r = await openOnce(b, 'warmup', tools, env, workspace);
    warm[b.label] = r.ok ? `${ms(r.openMs, 0)} [cpu ${ms(r.cpuMs, 0)}]` : 'failed';
    log(`  warm-up ${b.label}: ${r.ok ? `${warm[b.label]}, not counted` : `FAILED ${r.error}`}`);
    fs.rmSync(path.join(tmpRoot, 'studioOpen', `run-warmup-${b.label}`), { recursive: true, force: true });
  }

  const got = { current: [], baseline: [] };
  const lost = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [ours, base] : [base, ours];
    for (const b of order) {
      const r = await openOnce(b, i, tools, env, workspace);
      if (!r.ok) {
        lost.push(`${b.label} run ${i + 1}`);
        log(`  run ${i + 1}/${runs} ${b.label}: FAILED ${r.error}`);
        continue;
      }
      fs.rmSync(path.join(tmpRoot, 'studioOpen', `run-${i}-${b.label}`), { recursive: true, force: true });
      got[b.label].push({ ...r, run: i, first: order[0] === b });
      log(`  run ${i + 1}/${runs} ${b.label.padEnd(8)}${order[0] === b ? ' (first) ' : ' (second)'}: ${ms(r.openMs, 0)} [cpu ${ms(r.cpuMs, 0)}: code-server ${ms(r.serverCpuMs, 0)}, Chromium ${ms(r.browserCpuMs, 0)}] (until the page starts ${ms(r.hostMs, 0)}, the page ${ms(r.pageMs, 0)}); machine ${pct(r.busy)} busy before the click (waited ${(r.waitedMs / 1000).toFixed(1)} s), load average ${r.loadavg.toFixed(2)}; pointerdown ${ms(r.clickLagMs, 0)} after the bench asked for the click; window ${(r.wallMs / 1000).toFixed(1)} s`);
    }
  }
  if (got.current.length < Math.min(3, runs) || got.baseline.length < Math.min(3, runs)) {
    return { ok: false, failures: [`too few good runs (current ${got.current.length}, baseline ${got.baseline.length} of ${runs}); lost: ${lost.join(', ')}`] };
  }
  const open = (l) => got[l].map((x) => x.openMs);
  const cpu = (l) => got[l].map((x) => x.cpuMs);
  const part = (l, k) => ms(median(got[l].map((x) => x[k])), 0);
  const r = median(open('current')) / median(open('baseline'));
  const rCpu = median(cpu('current')) / median(cpu('baseline'));
  const pairs = got.current.map((c) => [c, got.baseline.find((b) => b.run === c.run)]).filter(([, b]) => b);
  const paired = median(pairs.map(([c, b]) => c.openMs / b.openMs));
  const all = [...got.current, ...got.baseline];
  const loads = all.map((x) => x.loadavg);
  const loadRange = `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
  const busy = all.map((x) => x.busy);
  const noisy = busy.filter((b) => !(b < QUIET)).length;
  const quietLine = `machine CPU use just before the click: median ${pct(median(busy))}, max ${pct(Math.max(...busy.filter(Number.isFinite)))}; ${noisy} of ${all.length} windows could not wait for it to drop below ${pct(QUIET)} (${QUIET_MAX_MS / 1000} s limit)`;
  const pos = (l, first) => ms(median(got[l].filter((x) => x.first === first).map((x) => x.openMs)), 0);
  // Noise-bound when the two spreads overlap.
  const [a1, a3] = quartiles(open('current'));
  const [b1, b3] = quartiles(open('baseline'));
  const spreadNote = a1 <= b3 && b1 <= a3 ? 'the two IQRs overlap: the wall-time ratio is within the noise of these runs' : 'the two IQRs do not overlap';
  const row = (l, b) => `| ${l === 'current' ? `current (${stage.source})` : `before the redesign (${baseStage.source})`} | ${kb(b.mainBytes)} | ${msSpread(open(l))} | ${part(l, 'hostMs')} | ${part(l, 'pageMs')} | ${ms(median(cpu(l)), 0)} (${part(l, 'serverCpuMs')} + ${part(l, 'browserCpuMs')}) | ${pos(l, true)} / ${pos(l, false)} |`;
  const console_ = [
    `  current   open ${msSpread(open('current'))} [cpu ${ms(median(cpu('current')), 0)}: code-server ${part('current', 'serverCpuMs')}, Chromium ${part('current', 'browserCpuMs')}]  until the page starts ${part('current', 'hostMs')}, the page ${part('current', 'pageMs')}  first/second ${pos('current', true)} / ${pos('current', false)}`,
    `  baseline  open ${msSpread(open('baseline'))} [cpu ${ms(median(cpu('baseline')), 0)}: code-server ${part('baseline', 'serverCpuMs')}, Chromium ${part('baseline', 'browserCpuMs')}]  until the page starts ${part('baseline', 'hostMs')}, the page ${part('baseline', 'pageMs')}  first/second ${pos('baseline', true)} / ${pos('baseline', false)}  (${baseStage.source})`,
    `  ratio  current / before the redesign = ${ratio(r)} wall (median of per-run ratios ${ratio(paired)}), ${ratio(rCpu)} CPU time; ${spreadNote}`,
    `  load average at the clicks: ${loadRange} (2 cores); ${quietLine}`,
    `  runs: ${got.current.length} + ${got.baseline.length} windows (${runs} each attempted${lost.length ? `; lost ${lost.join(', ')}` : ''}), order alternating, after one warm-up window each (not counted: current ${warm.current}, baseline ${warm.baseline})`,
  ].join('\n');
  const md = [
    `A click on the Pixelwright icon in the activity bar of a freshly started window (code-server + headless Chromium, fresh user-data, the same workspace and settings, each snapshot's VSIX from its own \`scripts/package.mjs\`) until the Studio's form is usable (\`#prompt\` shown, the model list filled, in the webview's frame). Baseline: the code before the redesign, ${baseStage.source} (main right before the features moved into the lazily loaded \`dist/features.js\`).`,
    '',
    '| snapshot | dist/extension.js | click → form, wall, median (IQR) | of which: until the webview page starts | the page until the form | CPU time (code-server + Chromium) | first / second in a pair |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('current', ours),
    row('baseline', base),
    '',
    `**Ratio: ${ratio(r)}** (current / before the redesign, wall-time medians; median of per-run ratios ${ratio(paired)}; on CPU time ${ratio(rCpu)}); ${spreadNote}. Load average at the clicks: ${loadRange} on 2 cores; ${quietLine}. Runs: ${got.current.length} + ${got.baseline.length} windows of ${runs} each${lost.length ? ` (lost: ${lost.join(', ')})` : ''}, alternating which snapshot goes first, after one warm-up window per snapshot that is not counted (current ${warm.current}, baseline ${warm.baseline}).`,
    '',
    '"Until the webview page starts" is the extension\'s side (activation, loading what the view needs, `resolveWebviewView`, its HTML reaching the webview: the inner document\'s `performance.timeOrigin`); "the page" is the webview loading its script and stylesheet, asking the extension for its first message and rendering.',
    '',
    'How to read it: the wall time is what the user waits for; it holds the activation, the feature code the view needs, the webview page and its first message from the host, and at 2 cores under load it moves with whatever else runs. The CPU time of every process in the window is less distorted by other processes; compare the two ratios.',
  ].join('\n');
  return { ok: true, failures: [], console: console_, markdown: md };
}
